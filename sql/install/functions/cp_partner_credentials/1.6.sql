-- Each partner's qualified individuals as of as_of (n) and, when project is
-- true, on the date its figures are projected to, with the credentials
-- earned by as_of (pn): a credential that counts on that date (not before
-- as_of) counts on as_of, so the projection's are a subset.
CREATE FUNCTION @extschema@.cp_partner_credentials(as_of date, partner_ids bigint[], project boolean)
RETURNS TABLE (partner_id bigint, n integer, pn integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT pe.partner_id,
       @extschema@.cp_credential_individuals(c.person_id, c.credential),
       @extschema@.cp_credential_individuals(c.person_id, c.credential)
         FILTER (WHERE @extschema@.cp_in_period(c.earned_on, c.expires_on, ch.projected_on))
FROM @extschema@.cp_person pe
LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ch
       ON ch.partner_id OPERATOR(pg_catalog.=) pe.partner_id AND project
JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
WHERE @extschema@.cp_in_period(c.earned_on, c.expires_on, as_of)
  AND (partner_ids IS NULL OR pe.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
GROUP BY pe.partner_id
$$;
COMMENT ON FUNCTION @extschema@.cp_partner_credentials(date, bigint[], boolean) IS
  'Internal: each partner''s qualified individuals as of a date, and (project) on the date its figures are projected to';
