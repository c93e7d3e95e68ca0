CREATE FUNCTION cp_entitlements_final(internal) RETURNS bigint
AS 'MODULE_PATHNAME', 'cp_entitlements_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_entitlements_final(internal) IS
  'cp_active_entitlements final: SKUs summed, highest workload per tenant, tenants summed';
