CREATE FUNCTION cp_entitlements_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_entitlements_deserialize(bytea, internal) IS
  'cp_active_entitlements deserialize: validates every field of a serialized state';
