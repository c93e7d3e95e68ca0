CREATE FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text,
                                                        bigint, boolean, date, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text, bigint, boolean, date, text) IS
  'Internal: cp_usage_entitlements transition under a named rule set (that of cp_active_entitlements, for uuid tenants)';
