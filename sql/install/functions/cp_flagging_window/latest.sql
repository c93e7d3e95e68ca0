CREATE FUNCTION @extschema@.cp_flagging_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_flagging_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_flagging_window() IS
  'competency.flagging_window in days: the usage window flagging and cp_refresh_levels() evaluate with';
