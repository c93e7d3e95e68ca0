CREATE FUNCTION @extschema@.cp_series_dates(start date, stop date, step interval)
RETURNS SETOF date
AS 'MODULE_PATHNAME', 'cp_series_dates'
LANGUAGE C STABLE PARALLEL SAFE ROWS 25;
COMMENT ON FUNCTION @extschema@.cp_series_dates(date, date, interval) IS
  'The dates of generate_series(start, stop, step) over timestamp with time zone; 22023 for a NULL or infinite bound, a step under one day, or a step that fails to reach a later date';
