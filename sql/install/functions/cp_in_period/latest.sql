-- The one statement of "in force on a day": an association is active on d,
-- a credential counts on d, when d falls in [starts, ends), an open end
-- being NULL.  Inlined wherever it is used.
CREATE FUNCTION @extschema@.cp_in_period(starts date, ends date, d date)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT starts OPERATOR(pg_catalog.<=) d AND (ends IS NULL OR d OPERATOR(pg_catalog.<) ends)
$$;
COMMENT ON FUNCTION @extschema@.cp_in_period(date, date, date) IS
  'Internal: whether d falls in [starts, ends), an open end being NULL: an association active on d, a credential counting on d';
