CREATE FUNCTION cp_individuals_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_individuals_deserialize(bytea, internal) IS
  'cp_qualified_individuals deserialize: validates every field of a serialized state';
