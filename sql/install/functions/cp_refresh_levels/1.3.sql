CREATE OR REPLACE FUNCTION @extschema@.cp_refresh_levels(as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::bigint[], as_of);
END
$$;
COMMENT ON FUNCTION @extschema@.cp_refresh_levels(date) IS
  'Re-evaluates every partner as of a date (default: cp_flagging_date(), today in competency.flagging_time_zone) with competency.flagging_window and flags changes, such as those caused by time passing; returns the number of changes';
