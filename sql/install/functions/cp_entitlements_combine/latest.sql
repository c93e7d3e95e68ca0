CREATE FUNCTION cp_entitlements_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_entitlements_combine(internal, internal) IS
  'cp_active_entitlements combine: merges partial states';
