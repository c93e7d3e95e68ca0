CREATE FUNCTION cp_usage_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_usage_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_usage_window() IS
  'The session''s competency.usage_window, in days';
