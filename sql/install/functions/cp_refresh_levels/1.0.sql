CREATE FUNCTION cp_refresh_levels(as_of date DEFAULT current_date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::bigint[], as_of);
END
$$;
COMMENT ON FUNCTION cp_refresh_levels(date) IS
  'Re-evaluates every partner as of a date (default today) and flags changes, such as those caused by time passing; returns the number of changes';
