CREATE FUNCTION cp_configured_usage_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_configured_usage_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_configured_usage_window() IS
  'competency.usage_window as configured for the server, database or role (its reset value), in days; flagging uses it';
