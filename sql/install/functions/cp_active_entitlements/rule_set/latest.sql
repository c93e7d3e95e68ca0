CREATE AGGREGATE @extschema@.cp_active_entitlements(tenant anyelement, workload text,
                                                    sku text, active_users bigint,
                                                    is_trial boolean, measured_on date,
                                                    rule_set text) (
    SFUNC = @extschema@.cp_entitlements_trans,
    STYPE = internal,
    SSPACE = 700,
    FINALFUNC = @extschema@.cp_entitlements_final,
    COMBINEFUNC = @extschema@.cp_entitlements_combine,
    SERIALFUNC = @extschema@.cp_entitlements_serialize,
    DESERIALFUNC = @extschema@.cp_entitlements_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_active_entitlements(anyelement, text, text, bigint, boolean, date, text) IS
  'Active entitlements of the rows given under the rule set they name (rows without one skipped; two sets: 22023): latest measurement per (tenant, workload, SKU), duplicates by max, SKUs summed, highest workload per tenant, tenants summed; trials and workloads the set does not name skipped';
