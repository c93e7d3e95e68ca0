CREATE FUNCTION @extschema@.cp_entitlements_trans(internal, anyelement, text, text,
                                                  bigint, boolean, date, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_entitlements_trans(internal, anyelement, text, text, bigint, boolean, date, text) IS
  'cp_active_entitlements transition under a named rule set: keeps the latest measurement per tenant, workload and SKU of the set''s workloads';
