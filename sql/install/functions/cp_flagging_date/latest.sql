CREATE FUNCTION @extschema@.cp_flagging_date() RETURNS date
AS 'MODULE_PATHNAME', 'cp_flagging_date'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_flagging_date() IS
  'Today in competency.flagging_time_zone (at the start of the transaction): the date flagging and cp_refresh_levels() evaluate as of';
