CREATE FUNCTION @extschema@.cp_window_start(as_of date, window_days integer, name text)
RETURNS date
AS 'MODULE_PATHNAME', 'cp_window_start'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_window_start(date, integer, text) IS
  'Internal: the last day before the usage window of as_of (a measurement is current when later than this and not later than as_of); 22023 for a NULL or infinite date or a window outside 1 to 366 days, 22008 naming the argument when the window starts before the earliest date';
