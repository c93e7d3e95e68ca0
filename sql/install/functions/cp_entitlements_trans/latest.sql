CREATE FUNCTION cp_entitlements_trans(internal, anyelement, text, text,
                                      bigint, boolean, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_entitlements_trans(internal, anyelement, text, text, bigint, boolean, date) IS
  'cp_active_entitlements transition: keeps the latest measurement per tenant, workload and SKU';
