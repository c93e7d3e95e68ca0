CREATE FUNCTION @extschema@.cp_status_partners(as_of date, window_days integer,
                                              partner_ids bigint[])
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
       s.level, @extschema@.cp_next_level(s.level),
       CASE WHEN @extschema@.cp_next_level(s.level) IS NOT NULL THEN
           greatest(@extschema@.cp_required_entitlements(@extschema@.cp_next_level(s.level), s.market)
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0) END,
       CASE WHEN @extschema@.cp_next_level(s.level) IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(@extschema@.cp_next_level(s.level))
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END,
       s.held_level, s.ends_on, s.projected_level,
       CASE WHEN s.held_level OPERATOR(pg_catalog.=) 'none'::@extschema@.competency_level THEN 'not_held'
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
           @extschema@.cp_level(f.market, f.active_entitlements, f.qualified_individuals) AS level,
           CASE WHEN f.held THEN @extschema@.cp_level(f.market, f.projected_entitlements,
                                                       f.projected_individuals) END AS projected_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               coalesce(e.pn, 0) AS projected_entitlements,
               coalesce(q.pn, 0) AS projected_individuals,
               h.partner_id IS NOT NULL AS held,
               coalesce(h.held_level, 'none') AS held_level,
               h.ends_on, coalesce(h.in_grace, false) AS in_grace
        FROM @extschema@.cp_partner p
        LEFT JOIN @extschema@.cp_held(as_of, partner_ids) h
               ON h.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial, u.measured_on)
                     FILTER (WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
                               AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)) AS n,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial, u.measured_on)
                     FILTER (WHERE a.valid_from OPERATOR(pg_catalog.<=) ah.projected_on
                               AND (a.valid_until IS NULL
                                    OR a.valid_until OPERATOR(pg_catalog.>) ah.projected_on)) AS pn
            FROM @extschema@.cp_association a
            LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ah
                   ON ah.partner_id OPERATOR(pg_catalog.=) a.partner_id
            JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
            WHERE ((a.valid_from OPERATOR(pg_catalog.<=) as_of
                    AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of))
                   OR (a.valid_from OPERATOR(pg_catalog.<=) ah.projected_on
                       AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) ah.projected_on)))
              AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
              AND u.measured_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) window_days)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            -- a credential valid on the projection date (not before as_of)
            -- is valid on as_of: the projection's are a subset
            SELECT pe.partner_id,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS n,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential)
                     FILTER (WHERE c.expires_on IS NULL
                                OR ch.projected_on OPERATOR(pg_catalog.<) c.expires_on) AS pn
            FROM @extschema@.cp_person pe
            LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ch
                   ON ch.partner_id OPERATOR(pg_catalog.=) pe.partner_id
            JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
            WHERE c.earned_on OPERATOR(pg_catalog.<=) as_of
              AND (c.expires_on IS NULL OR as_of OPERATOR(pg_catalog.<) c.expires_on)
              AND (partner_ids IS NULL OR pe.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
            GROUP BY pe.partner_id
        ) q ON q.partner_id OPERATOR(pg_catalog.=) p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND @extschema@.cp_require_date(as_of, 'as_of'::text)
          AND @extschema@.cp_require_window(window_days)
    ) f
) s
$$;
COMMENT ON FUNCTION @extschema@.cp_status_partners(date, integer, bigint[]) IS
  'Internal: cp_evaluate''s and cp_membership_status''s columns with an explicit usage window (days), for the given partners (NULL: all)';
