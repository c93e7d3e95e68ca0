-- The persons of the partner who qualify as of as_of and not on e, with the
-- credentials they had earned by as_of: qualification only ends, so the
-- first expiry after which they no longer qualify is when the change holds
-- from.
CREATE FUNCTION @extschema@.cp_risk_persons(partner_id bigint, as_of date, e date)
RETURNS TABLE (person_id bigint, effective_on date)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH persons AS (
    SELECT pe.person_id,
           @extschema@.cp_credential_individuals(c.person_id, c.credential) AS now_q,
           @extschema@.cp_credential_individuals(c.person_id, c.credential)
             FILTER (WHERE @extschema@.cp_in_period(c.earned_on, c.expires_on, cp_risk_persons.e)) AS then_q
    FROM @extschema@.cp_person pe
    JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
    WHERE pe.partner_id OPERATOR(pg_catalog.=) cp_risk_persons.partner_id
      AND @extschema@.cp_in_period(c.earned_on, c.expires_on, cp_risk_persons.as_of)
    GROUP BY pe.person_id
)
SELECT p.person_id,
       (SELECT pg_catalog.min(x.expires_on)
        FROM @extschema@.cp_credential x
        WHERE x.person_id OPERATOR(pg_catalog.=) p.person_id
          AND x.earned_on OPERATOR(pg_catalog.<=) cp_risk_persons.as_of
          AND x.expires_on OPERATOR(pg_catalog.>) cp_risk_persons.as_of
          AND x.expires_on OPERATOR(pg_catalog.<=) cp_risk_persons.e
          AND NOT @extschema@.cp_qualified_on(p.person_id, cp_risk_persons.as_of, x.expires_on))
FROM persons p
WHERE p.now_q OPERATOR(pg_catalog.>) 0 AND p.then_q OPERATOR(pg_catalog.=) 0
$$;
COMMENT ON FUNCTION @extschema@.cp_risk_persons(bigint, date, date) IS
  'Internal: the persons of the partner who qualify on one date and not on a later one (with the credentials earned by the first), with the date the change holds from';
