CREATE FUNCTION cp_individuals_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'cp_individuals_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_individuals_serialize(internal) IS
  'cp_qualified_individuals serialize: versioned binary state, keys in their type''s send format';
