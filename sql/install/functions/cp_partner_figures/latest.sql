-- The evaluation, written once: every partner's figures, level, next level
-- and what is missing for it as of as_of under a rule set, and, when project is true, its membership: the held
-- level, renewal date, projected figures and level under the set in force
-- on the date they are projected to, status and margins.  cp_evaluate,
-- cp_membership_status, the dashboard view and flagging all read it;
-- inlined into each (project a constant).  The set is checked before any
-- row is read (a set that cannot be evaluated is refused even when there
-- is no partner, and before the date is); rule_set (a constant, or
-- cp_rule_set_on of a date, cached) is then evaluated per row: nothing is
-- joined or passed as a parameter, and the plan is the one without sets.
CREATE FUNCTION @extschema@.cp_partner_figures(as_of date, window_days integer, partner_ids bigint[],
                                               project boolean, rule_set text)
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer,
               held_level @extschema@.competency_level, ends_on date,
               projected_level @extschema@.competency_level, status text,
               entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer,
               evaluated_under text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, t.next_level, t.entitlements_short, t.individuals_short,
       s.held_level, s.ends_on, s.projected_level,
       CASE WHEN NOT s.held THEN 'not_held'::pg_catalog.text
            WHEN s.in_grace THEN 'in_grace'
            WHEN s.level OPERATOR(pg_catalog.<) s.held_level
              OR s.projected_level OPERATOR(pg_catalog.<) s.held_level THEN 'at_risk'
            WHEN s.level OPERATOR(pg_catalog.>) s.held_level THEN 'upgrade_available'
            ELSE 'secure' END,
       CASE WHEN s.held THEN s.active_entitlements OPERATOR(pg_catalog.-)
                             @extschema@.cp_required_entitlements(s.held_level, s.market, s.rs) END,
       CASE WHEN s.held THEN s.qualified_individuals OPERATOR(pg_catalog.-)
                             @extschema@.cp_required_individuals(s.held_level, s.rs) END,
       CASE WHEN s.held THEN s.projected_entitlements END,
       CASE WHEN s.held THEN s.projected_individuals END,
       s.rs
FROM (
    SELECT f.*,
           CASE WHEN f.held THEN @extschema@.cp_level(f.market, f.projected_entitlements,
                                                       f.projected_individuals, f.projected_rule_set)
           END AS projected_level
    FROM (
        SELECT p.partner_id, p.market, rule_set AS rs,
               coalesce(e.n, 0::pg_catalog.int8) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               @extschema@.cp_level(p.market, coalesce(e.n, 0::pg_catalog.int8), coalesce(q.n, 0), rule_set) AS level,
               coalesce(e.pn, 0::pg_catalog.int8) AS projected_entitlements,
               coalesce(q.pn, 0) AS projected_individuals,
               h.partner_id IS NOT NULL AS held,
               coalesce(h.held_level, 'none'::@extschema@.competency_level) AS held_level,
               h.ends_on, coalesce(h.in_grace, false) AS in_grace, h.projected_rule_set
        FROM @extschema@.cp_partner p
        LEFT JOIN @extschema@.cp_held(as_of, partner_ids) h
               ON h.partner_id OPERATOR(pg_catalog.=) p.partner_id AND project
        LEFT JOIN @extschema@.cp_partner_usage(as_of, window_days, partner_ids, project, rule_set) e
               ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN @extschema@.cp_partner_credentials(as_of, partner_ids, project, rule_set) q
               ON q.partner_id OPERATOR(pg_catalog.=) p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
    ) f
) s
CROSS JOIN LATERAL @extschema@.cp_next_targets(s.level, s.market, s.active_entitlements,
                                               s.qualified_individuals, s.rs) t
-- One check, in order: the set (22023, 42704, 55000), then the date and the
-- window.  The argument's name comes from the set's check, so that nothing
-- of it is folded into the plan ahead of it.
WHERE @extschema@.cp_window_start(as_of, window_days,
                                  CASE WHEN @extschema@.cp_rule_kinds(rule_set) IS NOT NULL
                                       THEN 'as_of'::pg_catalog.text END) IS NOT NULL
$$;
COMMENT ON FUNCTION @extschema@.cp_partner_figures(date, integer, bigint[], boolean, text) IS
  'Internal: every partner''s figures, level and what is missing for the next as of a date with a usage window (days), for the given partners (NULL: all), under a rule set; with project, also its held level, projection under the set in force at renewal, and status';
