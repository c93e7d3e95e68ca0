CREATE OR REPLACE FUNCTION @extschema@.cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' SET datestyle = 'ISO, MDY'
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
    RETURN pg_catalog.timezone('UTC', t)::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
