-- The evaluation, written once: every partner's figures, level, next level
-- and what is missing for it as of as_of, and, when project is true, its
-- membership: the held level, renewal date, projected figures and level,
-- status and margins.  cp_evaluate, cp_membership_status, the dashboard
-- view and flagging all read it; inlined into each (project a constant).
CREATE OR REPLACE FUNCTION @extschema@.cp_partner_figures(as_of date, window_days integer,
                                               partner_ids bigint[], project boolean)
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer,
               held_level @extschema@.competency_level, ends_on date,
               projected_level @extschema@.competency_level, status text,
               entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
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
                             @extschema@.cp_required_entitlements(s.held_level, s.market) END,
       CASE WHEN s.held THEN s.qualified_individuals OPERATOR(pg_catalog.-)
                             @extschema@.cp_required_individuals(s.held_level) END,
       CASE WHEN s.held THEN s.projected_entitlements END,
       CASE WHEN s.held THEN s.projected_individuals END
FROM (
    SELECT f.*,
           CASE WHEN f.held THEN @extschema@.cp_level(f.market, f.projected_entitlements,
                                                       f.projected_individuals) END AS projected_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0::pg_catalog.int8) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               @extschema@.cp_level(p.market, coalesce(e.n, 0::pg_catalog.int8), coalesce(q.n, 0)) AS level,
               coalesce(e.pn, 0::pg_catalog.int8) AS projected_entitlements,
               coalesce(q.pn, 0) AS projected_individuals,
               h.partner_id IS NOT NULL AS held,
               coalesce(h.held_level, 'none'::@extschema@.competency_level) AS held_level,
               h.ends_on, coalesce(h.in_grace, false) AS in_grace
        FROM @extschema@.cp_partner p
        LEFT JOIN @extschema@.cp_held(as_of, partner_ids) h
               ON h.partner_id OPERATOR(pg_catalog.=) p.partner_id AND project
        LEFT JOIN @extschema@.cp_partner_usage(as_of, window_days, partner_ids, project) e
               ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN @extschema@.cp_partner_credentials(as_of, partner_ids, project) q
               ON q.partner_id OPERATOR(pg_catalog.=) p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND @extschema@.cp_require_date(as_of, 'as_of'::pg_catalog.text)
          AND @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text) IS NOT NULL
    ) f
) s
CROSS JOIN LATERAL @extschema@.cp_next_targets(s.level, s.market, s.active_entitlements, s.qualified_individuals) t
$$;
COMMENT ON FUNCTION @extschema@.cp_partner_figures(date, integer, bigint[], boolean) IS
  'Internal: every partner''s figures, level and what is missing for the next as of a date with a usage window (days), for the given partners (NULL: all); with project, also its held level, projection and status';
