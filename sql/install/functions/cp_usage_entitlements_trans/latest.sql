CREATE FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text,
                                                        bigint, boolean, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text, bigint, boolean, date) IS
  'Internal: cp_usage_entitlements transition (that of cp_active_entitlements, for uuid tenants)';
