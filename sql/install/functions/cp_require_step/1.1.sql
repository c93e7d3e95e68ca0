CREATE FUNCTION cp_require_step(step interval) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_step(interval) IS
  'True for a step of at least one day; raises 22023 otherwise';
