CREATE FUNCTION cp_flagging_active() RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_flagging_active'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_flagging_active() IS
  'Whether triggers flag level changes now: false while competency.flagging is off or a dump is being restored';
