CREATE AGGREGATE cp_active_entitlements(tenant anyelement, workload text,
                                        sku text, active_users bigint,
                                        is_trial boolean, measured_on date) (
    SFUNC = cp_entitlements_trans,
    STYPE = internal,
    SSPACE = 700,
    FINALFUNC = cp_entitlements_final,
    COMBINEFUNC = cp_entitlements_combine,
    SERIALFUNC = cp_entitlements_serialize,
    DESERIALFUNC = cp_entitlements_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cp_active_entitlements(anyelement, text, text, bigint, boolean, date) IS
  'Active entitlements of the rows given: latest measurement per (tenant, workload, SKU), duplicates by max, SKUs summed, highest workload per tenant, tenants summed; trials and ineligible workloads skipped';
