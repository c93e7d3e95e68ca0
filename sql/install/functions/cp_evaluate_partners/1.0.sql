CREATE FUNCTION cp_evaluate_partners(as_of date, window_days integer,
                                     partner_ids bigint[])
RETURNS TABLE (partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_entitlements(s.next_level, s.market)
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0) END,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(s.next_level)
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END
FROM (
    SELECT f.*, @extschema@.cp_next_level(f.level) AS next_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               @extschema@.cp_level(p.market, coalesce(e.n, 0), coalesce(q.n, 0)) AS level
        FROM @extschema@.cp_partner p
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial,
                                                      u.measured_on) AS n
            -- a tenant with several active associations joins its rows
            -- several times; the aggregate keeps the largest of equal
            -- measurements, so they count once (and the join stays a plain,
            -- parallel hash join)
            FROM @extschema@.cp_association a
            JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
            WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)
              AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
              AND u.measured_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) window_days)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT pe.partner_id,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS n
            FROM @extschema@.cp_person pe
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
COMMENT ON FUNCTION cp_evaluate_partners(date, integer, bigint[]) IS
  'cp_evaluate with an explicit usage window (days) for the given partners (NULL: all)';
