-- What moves the figures between as_of and the projection date E: a change
-- of rule set (rules_change: the figures as of as_of under E's set minus
-- those under as_of's), then, under E's set, tenants whose association
-- starts or ends and persons who stop qualifying.
CREATE OR REPLACE FUNCTION @extschema@.cp_explain_risk(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (kind text, subject text, effective_on date,
               entitlements_change bigint, individuals_change integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH held AS MATERIALIZED (
    SELECT h.projected_on AS e, h.projected_rule_set AS e_set,
           @extschema@.cp_rule_set_on(cp_explain_risk.as_of) AS now_set
    FROM @extschema@.cp_held(cp_explain_risk.as_of, ARRAY[cp_explain_risk.partner_id]) h
    WHERE @extschema@.cp_window_start(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text) IS NOT NULL
)
SELECT r.kind, r.subject, r.effective_on, r.entitlements_change, r.individuals_change
FROM (
    SELECT 'rules_change'::pg_catalog.text AS kind, held.e_set AS subject, d.effective_from AS effective_on,
           fe.active_entitlements OPERATOR(pg_catalog.-) f0.active_entitlements AS entitlements_change,
           fe.qualified_individuals OPERATOR(pg_catalog.-) f0.qualified_individuals AS individuals_change
    FROM held
    CROSS JOIN @extschema@.cp_rule_sets_dated() r
    CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.dates), pg_catalog.unnest(r.names)) d(effective_from, rule_set)
    CROSS JOIN @extschema@.cp_partner_figures(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                              ARRAY[cp_explain_risk.partner_id], false, held.e_set) fe
    CROSS JOIN @extschema@.cp_partner_figures(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                              ARRAY[cp_explain_risk.partner_id], false, held.now_set) f0
    WHERE d.rule_set OPERATOR(pg_catalog.=) held.e_set AND held.e_set OPERATOR(pg_catalog.<>) held.now_set
    UNION ALL
    SELECT CASE WHEN t.now_on THEN 'association_ends' ELSE 'association_starts' END AS kind,
           t.tenant_id::pg_catalog.text AS subject, t.effective_on,
           CASE WHEN t.now_on THEN OPERATOR(pg_catalog.-) t.entitlements ELSE t.entitlements END
             AS entitlements_change,
           0 AS individuals_change
    FROM held, @extschema@.cp_risk_tenants(cp_explain_risk.partner_id, cp_explain_risk.as_of, held.e,
                                           held.e_set) t
    UNION ALL
    SELECT 'credential_expires', p.person_id::pg_catalog.text, p.effective_on, 0, -1
    FROM held, @extschema@.cp_risk_persons(cp_explain_risk.partner_id, cp_explain_risk.as_of, held.e,
                                           held.e_set) p
) r
ORDER BY r.effective_on, r.kind COLLATE pg_catalog."C", r.subject COLLATE pg_catalog."C"
$$;
COMMENT ON FUNCTION @extschema@.cp_explain_risk(bigint, date) IS
  'What moves a partner''s figures between a date and its renewal date: a change of rule set, associations that end or start and persons who stop qualifying (under the set in force at renewal), with the date each holds from and its change';
