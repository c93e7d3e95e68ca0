CREATE FUNCTION cp_require_date(value date, name text) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_date'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_date(date, text) IS
  'True for a date; raises 22023 naming the argument for NULL';
