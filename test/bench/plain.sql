-- The plain-SQL formulations the benchmark compares cp_evaluate with.
--   bench.sql_evaluate(as_of, window): the rules in plain SQL, the best
--     formulation we could write (per-tenant figures once, DISTINCT ON for the
--     latest measurement, then joined to partners); no extension function.
--   bench.floor(as_of, window): the same usage rows joined to the active
--     associations (the very join cp_evaluate makes) and merely counted per
--     partner.
--   bench.sql_entitlements / bench.agg_entitlements: the aggregate alone,
--     grouped by partner, over the joined rows, in SQL and with the C aggregate;
--     bench.agg_entitlements_under(as_of, window, rule_set): the latter under
--     a named rule set.
\set ON_ERROR_STOP on
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- canonical workload of a spelling (ASCII folding, the rules' spellings), or NULL
CREATE FUNCTION bench.canon(w text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE translate(lower(w COLLATE "C"), E' \t\n\r\f\u000b_-:', '')
        WHEN 'exchangeonline' THEN 'exchange_online' WHEN 'exchange' THEN 'exchange_online'
        WHEN 'exo' THEN 'exchange_online'
        WHEN 'sharepointonline' THEN 'sharepoint_online' WHEN 'sharepoint' THEN 'sharepoint_online'
        WHEN 'spo' THEN 'sharepoint_online'
        WHEN 'skypeforbusiness' THEN 'skype_for_business' WHEN 'sfb' THEN 'skype_for_business'
        WHEN 'yammer' THEN 'yammer' WHEN 'yam' THEN 'yammer'
        WHEN 'proplus' THEN 'proplus' WHEN 'office365proplus' THEN 'proplus'
    END
$$;

-- canonical credential of a spelling (leading "exam" dropped), or NULL
CREATE FUNCTION bench.cred(c text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(translate(lower(c COLLATE "C"), E' \t\n\r\f\u000b_-:', ''), '^exam(.)', '\1')
        WHEN '70346' THEN '70-346' WHEN '70347' THEN '70-347'
        WHEN 'mcsaoffice365' THEN 'mcsa'
    END
$$;

CREATE FUNCTION bench.sql_evaluate(d date, win integer)
RETURNS TABLE (partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH active AS (
    SELECT DISTINCT a.partner_id, a.tenant_id FROM public.cp_association a
    WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
),
latest AS (
    SELECT DISTINCT ON (u.tenant_id, bench.canon(u.workload), u.sku)
           u.tenant_id, bench.canon(u.workload) AS w, u.active_users
    FROM public.cp_usage u
    WHERE NOT u.is_trial AND u.measured_on > d - win AND u.measured_on <= d
      AND bench.canon(u.workload) IS NOT NULL
    ORDER BY u.tenant_id, bench.canon(u.workload), u.sku, u.measured_on DESC, u.active_users DESC
),
per_tenant AS (
    SELECT tenant_id, max(s) AS n
    FROM (SELECT tenant_id, w, sum(active_users) AS s FROM latest GROUP BY tenant_id, w) x
    GROUP BY tenant_id
),
ae AS (
    SELECT a.partner_id, sum(t.n)::bigint AS n
    FROM active a JOIN per_tenant t ON t.tenant_id = a.tenant_id
    GROUP BY a.partner_id
),
qi AS (
    SELECT partner_id, count(*)::integer AS n
    FROM (SELECT pe.partner_id, c.person_id
          FROM public.cp_person pe JOIN public.cp_credential c ON c.person_id = pe.person_id
          WHERE c.earned_on <= d AND (c.expires_on IS NULL OR d < c.expires_on)
          GROUP BY pe.partner_id, c.person_id
          HAVING bool_or(bench.cred(c.credential) = 'mcsa')
              OR (bool_or(bench.cred(c.credential) = '70-346')
                  AND bool_or(bench.cred(c.credential) = '70-347'))) q
    GROUP BY partner_id
),
levels AS (
    SELECT p.partner_id, p.market, coalesce(ae.n, 0) AS e, coalesce(qi.n, 0) AS q,
           CASE WHEN coalesce(ae.n, 0) >= 4000 AND coalesce(qi.n, 0) >= 2 THEN 'gold'
                WHEN coalesce(ae.n, 0) >= CASE p.market WHEN 'developed' THEN 2000 ELSE 1000 END
                     AND coalesce(qi.n, 0) >= 1 THEN 'silver'
                ELSE 'none' END::competency_level AS level
    FROM public.cp_partner p
    LEFT JOIN ae ON ae.partner_id = p.partner_id
    LEFT JOIN qi ON qi.partner_id = p.partner_id
)
SELECT partner_id, market, e, q, level,
       CASE level WHEN 'none' THEN 'silver' WHEN 'silver' THEN 'gold' END::competency_level,
       CASE level WHEN 'none' THEN greatest(CASE market WHEN 'developed' THEN 2000 ELSE 1000 END - e, 0)
                  WHEN 'silver' THEN greatest(4000 - e, 0) END::bigint,
       CASE level WHEN 'none' THEN greatest(1 - q, 0) WHEN 'silver' THEN greatest(2 - q, 0) END::integer
FROM levels
$$;

CREATE FUNCTION bench.floor(d date, win integer)
RETURNS TABLE (partner_id bigint, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT a.partner_id, count(*)
FROM public.cp_association a
JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
  AND u.measured_on > d - win AND u.measured_on <= d
GROUP BY a.partner_id
$$;

-- The aggregate alone: every association row joined (duplicates included),
-- grouped by partner; in SQL with window functions, and with the C aggregate.
CREATE FUNCTION bench.sql_entitlements(d date, win integer)
RETURNS TABLE (partner_id bigint, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT partner_id, sum(m)::bigint FROM (
    SELECT partner_id, tenant_id, max(s) AS m FROM (
        SELECT partner_id, tenant_id, w, sum(active_users) AS s FROM (
            SELECT a.partner_id, u.tenant_id, bench.canon(u.workload) AS w, u.active_users,
                   row_number() OVER (PARTITION BY a.partner_id, u.tenant_id, bench.canon(u.workload), u.sku
                                      ORDER BY u.measured_on DESC, u.active_users DESC) AS rn
            FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
            WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
              AND NOT u.is_trial AND u.measured_on > d - win AND u.measured_on <= d
              AND bench.canon(u.workload) IS NOT NULL) r
        WHERE rn = 1 GROUP BY 1, 2, 3) s
    GROUP BY 1, 2) t
GROUP BY 1
$$;

CREATE FUNCTION bench.agg_entitlements(d date, win integer)
RETURNS TABLE (partner_id bigint, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT a.partner_id,
       public.cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
                                     u.is_trial, u.measured_on)
FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
  AND u.measured_on > d - win AND u.measured_on <= d
GROUP BY a.partner_id
$$;

-- The same under a named rule set (cp_active_entitlements' form with one).
CREATE FUNCTION bench.agg_entitlements_under(d date, win integer, rule_set text)
RETURNS TABLE (partner_id bigint, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT a.partner_id,
       public.cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
                                     u.is_trial, u.measured_on, rule_set)
FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
  AND u.measured_on > d - win AND u.measured_on <= d
GROUP BY a.partner_id
$$;
