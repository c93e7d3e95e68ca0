CREATE AGGREGATE @extschema@.cp_usage_entitlements(tenant uuid, workload text, sku text,
                                                   active_users bigint, is_trial boolean,
                                                   measured_on date, rule_set text) (
    SFUNC = @extschema@.cp_usage_entitlements_trans,
    STYPE = internal,
    SSPACE = 700,
    FINALFUNC = @extschema@.cp_entitlements_final,
    COMBINEFUNC = @extschema@.cp_entitlements_combine,
    SERIALFUNC = @extschema@.cp_entitlements_serialize,
    DESERIALFUNC = @extschema@.cp_entitlements_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_usage_entitlements(uuid, text, text, bigint, boolean, date, text) IS
  'Internal: cp_active_entitlements under a named rule set over cp_usage''s column types, for the extension''s own queries';
