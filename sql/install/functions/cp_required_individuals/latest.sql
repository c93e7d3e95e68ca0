CREATE FUNCTION cp_required_individuals(level competency_level)
RETURNS integer
AS 'MODULE_PATHNAME', 'cp_required_individuals'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_required_individuals(competency_level) IS
  'Qualified individuals a level requires';
