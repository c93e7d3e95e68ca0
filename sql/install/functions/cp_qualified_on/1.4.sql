CREATE FUNCTION @extschema@.cp_qualified_on(person_id bigint, earned_by date, d date)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT @extschema@.cp_qualified_individuals(c.person_id, c.credential) OPERATOR(pg_catalog.>) 0
FROM @extschema@.cp_credential c
WHERE c.person_id OPERATOR(pg_catalog.=) cp_qualified_on.person_id
  AND c.earned_on OPERATOR(pg_catalog.<=) cp_qualified_on.earned_by
  AND (c.expires_on IS NULL OR cp_qualified_on.d OPERATOR(pg_catalog.<) c.expires_on)
$$;
COMMENT ON FUNCTION @extschema@.cp_qualified_on(bigint, date, date) IS
  'Internal: whether a person qualifies on a date with the credentials earned by another';
