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
),
-- a tenant is associated on a date when any association row covers it
tenants AS (
    SELECT a.tenant_id, held.e,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
                              AND (a.valid_until IS NULL
                                   OR a.valid_until OPERATOR(pg_catalog.>) cp_explain_risk.as_of)) AS now_on,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) held.e
                              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) held.e)) AS then_on
    FROM held, @extschema@.cp_association a
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
    GROUP BY a.tenant_id, held.e
),
moved AS (
    SELECT t.* FROM tenants t WHERE t.now_on OPERATOR(pg_catalog.<>) t.then_on
),
-- each such tenant's figure, from the usage rows current as of as_of
figures AS (
    SELECT u.tenant_id,
           @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku,
                                             u.active_users::pg_catalog.int8, u.is_trial,
                                             u.measured_on) AS f
    FROM @extschema@.cp_usage u
    WHERE u.tenant_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.tenant_id FROM moved m))
      AND u.measured_on OPERATOR(pg_catalog.>)
          @extschema@.cp_window_start(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text)
      AND u.measured_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
    GROUP BY u.tenant_id
),
-- the last day in (as_of, E] on which the tenant's state changes: from it
-- to E the state is E's
tenant_moves AS (
    SELECT m.tenant_id, m.now_on,
           (SELECT pg_catalog.max(d.d)
            FROM (SELECT a.valid_from AS d FROM @extschema@.cp_association a
                  WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
                    AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id
                  UNION
                  SELECT a.valid_until FROM @extschema@.cp_association a
                  WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
                    AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id) d
            WHERE d.d OPERATOR(pg_catalog.>) cp_explain_risk.as_of
              AND d.d OPERATOR(pg_catalog.<=) m.e
              AND @extschema@.cp_associated_on(cp_explain_risk.partner_id, m.tenant_id, d.d)
                  OPERATOR(pg_catalog.<>)
                  @extschema@.cp_associated_on(cp_explain_risk.partner_id, m.tenant_id,
                                               d.d OPERATOR(pg_catalog.-) 1)) AS effective_on
    FROM moved m
),
-- persons qualified as of as_of, and not on E, with the credentials they
-- had earned by as_of: qualification only ends, so the first expiry date
-- after which they no longer qualify is when the change holds from
persons AS (
    SELECT pe.person_id, held.e,
           @extschema@.cp_credential_individuals(c.person_id, c.credential) AS now_q,
           @extschema@.cp_credential_individuals(c.person_id, c.credential)
             FILTER (WHERE c.expires_on IS NULL OR held.e OPERATOR(pg_catalog.<) c.expires_on) AS then_q
    FROM held, @extschema@.cp_person pe
    JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
    WHERE pe.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
      AND c.earned_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
      AND (c.expires_on IS NULL OR cp_explain_risk.as_of OPERATOR(pg_catalog.<) c.expires_on)
    GROUP BY pe.person_id, held.e
),
person_moves AS (
    SELECT p.person_id,
           (SELECT pg_catalog.min(x.expires_on)
            FROM @extschema@.cp_credential x
            WHERE x.person_id OPERATOR(pg_catalog.=) p.person_id
              AND x.earned_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
              AND x.expires_on OPERATOR(pg_catalog.>) cp_explain_risk.as_of
              AND x.expires_on OPERATOR(pg_catalog.<=) p.e
              AND NOT @extschema@.cp_qualified_on(p.person_id, cp_explain_risk.as_of, x.expires_on)) AS effective_on
    FROM persons p
    WHERE p.now_q OPERATOR(pg_catalog.>) 0 AND p.then_q OPERATOR(pg_catalog.=) 0
)
SELECT r.kind, r.subject, r.effective_on, r.entitlements_change, r.individuals_change
FROM (
    SELECT CASE WHEN t.now_on THEN 'association_ends' ELSE 'association_starts' END AS kind,
           t.tenant_id::pg_catalog.text AS subject, t.effective_on,
           CASE WHEN t.now_on THEN OPERATOR(pg_catalog.-) coalesce(f.f, 0::pg_catalog.int8)
                ELSE coalesce(f.f, 0::pg_catalog.int8) END AS entitlements_change,
           0 AS individuals_change
    FROM tenant_moves t LEFT JOIN figures f ON f.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
    UNION ALL
    SELECT 'credential_expires', p.person_id::pg_catalog.text, p.effective_on, 0, -1
    FROM person_moves p
) r
ORDER BY r.effective_on, r.kind COLLATE pg_catalog."C", r.subject COLLATE pg_catalog."C"
$$;
