CREATE FUNCTION @extschema@.cp_qualified_on(person_id bigint, earned_by date, d date, rule_set text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT @extschema@.cp_credential_individuals(c.person_id, c.credential, cp_qualified_on.rule_set)
       OPERATOR(pg_catalog.>) 0
FROM @extschema@.cp_credential c
WHERE c.person_id OPERATOR(pg_catalog.=) cp_qualified_on.person_id
  AND c.earned_on OPERATOR(pg_catalog.<=) cp_qualified_on.earned_by
  AND @extschema@.cp_in_period(c.earned_on, c.expires_on, cp_qualified_on.d)
$$;
COMMENT ON FUNCTION @extschema@.cp_qualified_on(bigint, date, date, text) IS
  'Internal: whether a person qualifies on a date under a rule set with the credentials earned by another';
