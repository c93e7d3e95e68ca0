-- What moves the figures between as_of and the projection date E: tenants
-- whose association starts or ends, persons who stop qualifying.
CREATE OR REPLACE FUNCTION @extschema@.cp_explain_risk(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (kind text, subject text, effective_on date,
               entitlements_change bigint, individuals_change integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH held AS (
    SELECT h.projected_on AS e
    FROM @extschema@.cp_held(cp_explain_risk.as_of, ARRAY[cp_explain_risk.partner_id]) h
    WHERE @extschema@.cp_window_start(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text) IS NOT NULL
)
SELECT r.kind, r.subject, r.effective_on, r.entitlements_change, r.individuals_change
FROM (
    SELECT CASE WHEN t.now_on THEN 'association_ends' ELSE 'association_starts' END AS kind,
           t.tenant_id::pg_catalog.text AS subject, t.effective_on,
           CASE WHEN t.now_on THEN OPERATOR(pg_catalog.-) t.entitlements ELSE t.entitlements END
             AS entitlements_change,
           0 AS individuals_change
    FROM held, @extschema@.cp_risk_tenants(cp_explain_risk.partner_id, cp_explain_risk.as_of, held.e) t
    UNION ALL
    SELECT 'credential_expires', p.person_id::pg_catalog.text, p.effective_on, 0, -1
    FROM held, @extschema@.cp_risk_persons(cp_explain_risk.partner_id, cp_explain_risk.as_of, held.e) p
) r
ORDER BY r.effective_on, r.kind COLLATE pg_catalog."C", r.subject COLLATE pg_catalog."C"
$$;
COMMENT ON FUNCTION @extschema@.cp_explain_risk(bigint, date) IS
  'What moves a partner''s figures between a date and its renewal date: associations that end or start and persons who stop qualifying, with the date each holds from and its change';
