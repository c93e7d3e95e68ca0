CREATE FUNCTION cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT SET timezone = 'UTC'
AS $$
BEGIN
    RETURN (value::timestamptz AT TIME ZONE 'UTC')::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_utc_date(text) IS
  'UTC date of a timestamp in text (no offset: UTC), NULL if it is not a valid timestamp';
