CREATE FUNCTION cp_next_level(level competency_level)
RETURNS competency_level
AS 'MODULE_PATHNAME', 'cp_next_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_next_level(competency_level) IS
  'The level above; NULL above gold';
