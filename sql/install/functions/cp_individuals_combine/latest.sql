CREATE FUNCTION cp_individuals_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_individuals_combine(internal, internal) IS
  'cp_qualified_individuals combine: merges partial states';
