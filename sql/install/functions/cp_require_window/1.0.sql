CREATE FUNCTION cp_require_window(days integer) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_window'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_window(integer) IS
  'True for a usage window of 1 to 366 days; raises 22023 otherwise';
