CREATE FUNCTION cp_individuals_final(internal) RETURNS integer
AS 'MODULE_PATHNAME', 'cp_individuals_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_individuals_final(internal) IS
  'cp_qualified_individuals final: counts persons who qualify by either path';
