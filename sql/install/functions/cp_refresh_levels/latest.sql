CREATE OR REPLACE FUNCTION @extschema@.cp_refresh_levels(as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::pg_catalog.int8[], as_of);
END
$$;
