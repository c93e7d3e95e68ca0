CREATE FUNCTION cp_entitlements_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'cp_entitlements_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_entitlements_serialize(internal) IS
  'cp_active_entitlements serialize: versioned binary state, keys in their type''s send format';
