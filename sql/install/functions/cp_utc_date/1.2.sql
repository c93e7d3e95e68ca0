CREATE OR REPLACE FUNCTION cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT SET timezone = 'UTC' SET datestyle = 'ISO, MDY'
AS $$
DECLARE
    t timestamptz;
BEGIN
    IF value OPERATOR(pg_catalog.~*) E'\\m(now|today|tomorrow|yesterday|epoch|infinity|allballs)\\M' THEN
        RETURN NULL;
    END IF;
    -- digits of a second beyond microseconds are dropped, not rounded: a
    -- time just before midnight stays on its day
    t := pg_catalog.regexp_replace(value, E'(:[0-9]{2}[.,][0-9]{6})[0-9]+', E'\\1')::timestamptz;
    IF NOT pg_catalog.isfinite(t) THEN
        RETURN NULL;
    END IF;
    RETURN (t AT TIME ZONE 'UTC')::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_utc_date(text) IS
  'UTC date of a timestamp in text (no offset: UTC; numeric dates month first), NULL if it is not a valid, finite timestamp';
