--
-- Differential test of the membership lifecycle: cp_membership_status and
-- cp_explain_risk against an independent plain-SQL statement of the
-- membership lifecycle's rules (lcdiff.*), written from the rules alone, over seeded random data
-- (memberships covering, in grace, ended, future; associations and
-- credentials starting and ending around the evaluation and renewal
-- dates), at several dates, grace periods and usage windows.  Only numbers
-- of differences (0 expected) and booleans are shown.  Spellings are read
-- with cp_workload() and cp_credential(); nothing else of the extension is
-- used by the reference.  An association counts only when its kind is one
-- of the three the rules name (the built-in rule set, the only one here):
-- the data draw kinds from every value of cp_association_kind, fast_track
-- included, which the rules do not count.
--
CREATE OR REPLACE FUNCTION regress.reset_lifecycle() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
             cp_partner_level, cp_level_change, cp_membership, cp_status_change,
             cp_partner_center_competency_reject RESTART IDENTITY CASCADE;
    DELETE FROM cp_partner_center_competency;
$$;
SELECT regress.reset_lifecycle();
SET datestyle = 'ISO, MDY';
SET jit = off;   -- the reference's estimates are large, its work is not
CREATE SCHEMA lcdiff;

-------------------------------------------------------------------------------
-- The reference.
-------------------------------------------------------------------------------

-- Section 1's table: the level of figures in a market.
CREATE FUNCTION lcdiff.level(market text, entitlements bigint, individuals integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN entitlements >= 4000 AND individuals >= 2 THEN 'gold'
                WHEN entitlements >= CASE market WHEN 'developed' THEN 2000 ELSE 1000 END
                 AND individuals >= 1 THEN 'silver'
                ELSE 'none' END
$$;
CREATE FUNCTION lcdiff.rank(level text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['none', 'silver', 'gold'], level)
$$;
CREATE FUNCTION lcdiff.required_entitlements(level text, market text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE level WHEN 'gold' THEN 4000
                      WHEN 'silver' THEN CASE market WHEN 'developed' THEN 2000 ELSE 1000 END
                      ELSE 0 END
$$;
CREATE FUNCTION lcdiff.required_individuals(level text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE level WHEN 'gold' THEN 2 WHEN 'silver' THEN 1 ELSE 0 END
$$;


-- Section 1, steps 2 to 6, per tenant: its figure from the usage rows
-- current as of as_of.
CREATE FUNCTION lcdiff.tenant_figure(as_of date, window_days integer)
RETURNS TABLE (tenant_id uuid, n bigint)
LANGUAGE sql STABLE AS $$
    WITH current_rows AS (
        SELECT u.tenant_id, cp_workload(u.workload) AS workload, convert_to(u.sku, 'UTF8') AS sku,
               u.active_users, u.measured_on
        FROM cp_usage u
        WHERE NOT u.is_trial AND cp_workload(u.workload) IS NOT NULL
          AND u.measured_on > as_of - window_days AND u.measured_on <= as_of
    ),
    latest AS (
        SELECT DISTINCT ON (tenant_id, workload, sku) tenant_id, workload, sku, active_users
        FROM current_rows
        ORDER BY tenant_id, workload, sku, measured_on DESC, active_users DESC
    ),
    per_workload AS (
        SELECT tenant_id, workload, sum(active_users) AS n FROM latest GROUP BY 1, 2
    )
    SELECT tenant_id, max(n)::bigint FROM per_workload GROUP BY 1
$$;

-- Whether an association of this kind counts: the three kinds the rules
-- name (not fast_track).
CREATE FUNCTION lcdiff.counted(kind cp_association_kind) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT kind IN ('delegated_admin', 'transacting_partner', 'digital_partner_of_record')
$$;

-- Whether any association row of the partner, of a kind that counts,
-- covers the tenant on d.
CREATE FUNCTION lcdiff.associated(p bigint, t uuid, d date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM cp_association a
                   WHERE a.partner_id = p AND a.tenant_id = t AND lcdiff.counted(a.kind)
                     AND a.valid_from <= d AND (a.valid_until IS NULL OR d < a.valid_until))
$$;

-- Whether a person qualifies on d with the credentials earned by earned_by:
-- MCSA, or both exams.
CREATE FUNCTION lcdiff.qualifies(person bigint, earned_by date, d date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bool_or(k = 'MCSA: Office 365') OR (bool_or(k = '70-346') AND bool_or(k = '70-347')),
                    false)
    FROM (SELECT cp_credential(c.credential) AS k FROM cp_credential c
          WHERE c.person_id = person AND c.earned_on <= earned_by
            AND (c.expires_on IS NULL OR d < c.expires_on)) x
$$;

-- cp_membership_status, stated from the rules.
CREATE FUNCTION lcdiff.status(as_of date, grace integer, window_days integer)
RETURNS TABLE (partner_id bigint, held_level text, ends_on date, level text, projected_level text,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE AS $$
    WITH h AS (SELECT * FROM regress.held_on(as_of, grace)),
    tf AS (SELECT * FROM lcdiff.tenant_figure(as_of, window_days)),
    -- one partner counts a tenant once
    on_as_of AS (
        SELECT DISTINCT a.partner_id, a.tenant_id FROM cp_association a
        WHERE a.valid_from <= as_of AND (a.valid_until IS NULL OR as_of < a.valid_until)
          AND lcdiff.counted(a.kind)
    ),
    on_e AS (
        SELECT DISTINCT a.partner_id, a.tenant_id FROM cp_association a JOIN h USING (partner_id)
        WHERE a.valid_from <= h.e AND (a.valid_until IS NULL OR h.e < a.valid_until)
          AND lcdiff.counted(a.kind)
    ),
    e_now AS (SELECT o.partner_id, sum(tf.n)::bigint AS n FROM on_as_of o JOIN tf USING (tenant_id) GROUP BY 1),
    e_then AS (SELECT o.partner_id, sum(tf.n)::bigint AS n FROM on_e o JOIN tf USING (tenant_id) GROUP BY 1),
    i_now AS (
        SELECT pe.partner_id, count(*)::integer AS n FROM cp_person pe
        WHERE lcdiff.qualifies(pe.person_id, as_of, as_of) GROUP BY 1
    ),
    i_then AS (
        SELECT pe.partner_id, count(*)::integer AS n FROM cp_person pe JOIN h USING (partner_id)
        WHERE h.e IS NOT NULL AND lcdiff.qualifies(pe.person_id, as_of, h.e) GROUP BY 1
    ),
    f AS (
        SELECT p.partner_id, p.market::text AS market, h.held_level, h.ends_on, h.in_grace,
               coalesce(en.n, 0) AS ae, coalesce(inow.n, 0) AS qi,
               coalesce(et.n, 0) AS pae, coalesce(ithen.n, 0) AS pqi
        FROM cp_partner p JOIN h USING (partner_id)
        LEFT JOIN e_now en USING (partner_id) LEFT JOIN e_then et USING (partner_id)
        LEFT JOIN i_now inow USING (partner_id) LEFT JOIN i_then ithen USING (partner_id)
    ),
    l AS (
        SELECT f.*, lcdiff.level(f.market, f.ae, f.qi) AS level,
               CASE WHEN f.held_level <> 'none' THEN lcdiff.level(f.market, f.pae, f.pqi) END AS projected
        FROM f
    )
    SELECT l.partner_id, l.held_level, l.ends_on, l.level, l.projected,
           CASE WHEN l.held_level = 'none' THEN 'not_held'
                WHEN l.in_grace THEN 'in_grace'
                WHEN lcdiff.rank(l.level) < lcdiff.rank(l.held_level)
                  OR lcdiff.rank(l.projected) < lcdiff.rank(l.held_level) THEN 'at_risk'
                WHEN lcdiff.rank(l.level) > lcdiff.rank(l.held_level) THEN 'upgrade_available'
                ELSE 'secure' END,
           CASE WHEN l.held_level <> 'none' THEN l.ae - lcdiff.required_entitlements(l.held_level, l.market) END,
           CASE WHEN l.held_level <> 'none' THEN l.qi - lcdiff.required_individuals(l.held_level) END,
           CASE WHEN l.held_level <> 'none' THEN l.pae END,
           CASE WHEN l.held_level <> 'none' THEN l.pqi END
    FROM l
$$;

-- cp_explain_risk for every held partner, stated from the rules: tenants whose
-- association state differs between as_of and E, persons qualified on
-- as_of and not on E (credentials earned by as_of).  effective_on is the
-- smallest d in (as_of, E] with the state of E on every day of [d, E]: the
-- day after the last day of [as_of, E] whose state is not E's (found by
-- walking the days).
CREATE FUNCTION lcdiff.risk(as_of date, grace integer, window_days integer)
RETURNS TABLE (partner_id bigint, kind text, subject text, effective_on date,
               entitlements_change bigint, individuals_change integer)
LANGUAGE sql STABLE AS $$
    WITH h AS (SELECT * FROM regress.held_on(as_of, grace) WHERE held_level <> 'none'),
    tenants AS (
        SELECT DISTINCT a.partner_id, a.tenant_id, h.e FROM cp_association a JOIN h USING (partner_id)
    ),
    moved AS (
        SELECT t.*, lcdiff.associated(t.partner_id, t.tenant_id, as_of) AS on_as_of,
               lcdiff.associated(t.partner_id, t.tenant_id, t.e) AS on_e
        FROM tenants t
        WHERE lcdiff.associated(t.partner_id, t.tenant_id, as_of)
              <> lcdiff.associated(t.partner_id, t.tenant_id, t.e)
    )
    SELECT m.partner_id,
           CASE WHEN m.on_as_of THEN 'association_ends' ELSE 'association_starts' END,
           m.tenant_id::text,
           (SELECT max(w.d) + 1
            FROM (SELECT x::date AS d, bool_or(a.partner_id IS NOT NULL) AS on_d
                  FROM generate_series(as_of, m.e, interval '1 day') x
                  LEFT JOIN cp_association a
                         ON a.partner_id = m.partner_id AND a.tenant_id = m.tenant_id
                        AND lcdiff.counted(a.kind)
                        AND a.valid_from <= x::date AND (a.valid_until IS NULL OR x::date < a.valid_until)
                  GROUP BY 1) w
            WHERE w.on_d <> m.on_e),
           CASE WHEN m.on_as_of THEN -coalesce(tf.n, 0) ELSE coalesce(tf.n, 0) END,
           0
    FROM moved m LEFT JOIN lcdiff.tenant_figure(as_of, window_days) tf USING (tenant_id)
    UNION ALL
    SELECT w.partner_id, 'credential_expires', w.person_id::text, max(w.d) + 1, 0, -1
    FROM (
        -- the days of [as_of, E] of each person qualified on as_of and not on
        -- E, with whether they qualify that day
        SELECT pe.partner_id, pe.person_id, x::date AS d,
               coalesce(bool_or(cp_credential(c.credential) = 'MCSA: Office 365')
                        OR (bool_or(cp_credential(c.credential) = '70-346')
                            AND bool_or(cp_credential(c.credential) = '70-347')), false) AS q
        FROM cp_person pe JOIN h USING (partner_id)
        CROSS JOIN LATERAL generate_series(as_of, h.e, interval '1 day') x
        LEFT JOIN cp_credential c
               ON c.person_id = pe.person_id AND c.earned_on <= as_of
              AND (c.expires_on IS NULL OR x::date < c.expires_on)
        WHERE lcdiff.qualifies(pe.person_id, as_of, as_of) AND NOT lcdiff.qualifies(pe.person_id, as_of, h.e)
        GROUP BY 1, 2, 3
    ) w
    WHERE w.q
    GROUP BY w.partner_id, w.person_id
$$;

-- The comparisons, with the settings under test (local to the statement's
-- transaction).
CREATE FUNCTION lcdiff.set(grace integer, window_days integer) RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('competency.grace_days', grace::text, true),
           set_config('competency.usage_window', window_days || 'd', true);
$$;

-- Partners whose cp_membership_status row differs from the reference (a
-- partner missing on one side differs too).
CREATE FUNCTION lcdiff.status_differences(as_of date, grace integer, window_days integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM lcdiff.set(grace, window_days);
    SELECT count(*) INTO n
    FROM (SELECT s.partner_id, s.held_level::text AS held_level, s.ends_on, s.level::text AS level,
                 s.projected_level::text AS projected_level, s.status, s.entitlements_margin,
                 s.individuals_margin, s.projected_entitlements, s.projected_individuals
          FROM cp_membership_status(as_of) s) x
    FULL JOIN lcdiff.status(as_of, grace, window_days) r USING (partner_id)
    WHERE (x.held_level, x.ends_on, x.level, x.projected_level, x.status, x.entitlements_margin,
           x.individuals_margin, x.projected_entitlements, x.projected_individuals)
          IS DISTINCT FROM
          (r.held_level, r.ends_on, r.level, r.projected_level, r.status, r.entitlements_margin,
           r.individuals_margin, r.projected_entitlements, r.projected_individuals)
       OR x.partner_id IS NULL OR r.partner_id IS NULL;
    RETURN n;
END
$$;

-- cp_explain_risk over every partner (rows of partners not held included:
-- they must be none) against the reference: rows on one side only, and the
-- listed subjects that do not change state / changing subjects not listed.
CREATE FUNCTION lcdiff.risk_differences(as_of date, grace integer, window_days integer,
                                        OUT rows_differ bigint, OUT listed_not_changing bigint,
                                        OUT changing_not_listed bigint, OUT sums_wrong bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lcdiff.set(grace, window_days);
    CREATE TEMP TABLE ext ON COMMIT DROP AS
    SELECT p.partner_id, r.* FROM cp_partner p, LATERAL cp_explain_risk(p.partner_id, as_of) r;
    CREATE TEMP TABLE ref ON COMMIT DROP AS SELECT * FROM lcdiff.risk(as_of, grace, window_days);
    SELECT count(*) INTO rows_differ
    FROM ((TABLE ext EXCEPT ALL TABLE ref) UNION ALL (TABLE ref EXCEPT ALL TABLE ext)) d;
    SELECT count(*) INTO listed_not_changing
    FROM (SELECT partner_id, kind, subject FROM ext EXCEPT ALL SELECT partner_id, kind, subject FROM ref) d;
    SELECT count(*) INTO changing_not_listed
    FROM (SELECT partner_id, kind, subject FROM ref EXCEPT ALL SELECT partner_id, kind, subject FROM ext) d;
    -- active_entitlements + sum = projected_entitlements, and likewise for
    -- individuals, for every held partner
    SELECT count(*) INTO sums_wrong
    FROM cp_evaluate(as_of) e JOIN cp_membership_status(as_of) s USING (partner_id)
    LEFT JOIN (SELECT partner_id, sum(entitlements_change) AS de, sum(individuals_change) AS di
               FROM ext GROUP BY 1) x USING (partner_id)
    WHERE s.held_level <> 'none'
      AND (e.active_entitlements + coalesce(x.de, 0) IS DISTINCT FROM s.projected_entitlements
           OR e.qualified_individuals + coalesce(x.di, 0) IS DISTINCT FROM s.projected_individuals);
    DROP TABLE ext;
    DROP TABLE ref;
END
$$;

-------------------------------------------------------------------------------
-- Generated data around the evaluation dates.
-------------------------------------------------------------------------------
CREATE TABLE lcdiff.eval_date (as_of date PRIMARY KEY);
INSERT INTO lcdiff.eval_date VALUES
    ('2025-12-31'), ('2026-03-01'), ('2026-06-15'), ('2026-06-16'), ('2026-09-30'), ('2027-01-01');

-- an evaluation date plus some days
CREATE FUNCTION lcdiff.eval_day(plus integer DEFAULT 0) RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT regress.pick(array_agg(as_of + plus ORDER BY as_of)) FROM lcdiff.eval_date
$$;
-- a date near an evaluation date, on one, or anywhere in the period
CREATE FUNCTION lcdiff.some_date() RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.2 THEN lcdiff.eval_day(regress.pick(ARRAY[-1, 0, 0, 1]))
                WHEN r < 0.5 THEN lcdiff.eval_day(regress.rnd(-60, 60))
                ELSE date '2025-06-01' + regress.rnd(0, 700) END
    FROM (SELECT random() AS r) x
$$;

SELECT setseed(0.2026);
SET client_min_messages = warning;   -- quiet the flagging of the generated data
SET competency.flagging = off;

-- 40 partners, both markets.
INSERT INTO cp_partner
SELECT g, 'Partner ' || g, CASE WHEN random() < 0.5 THEN 'developed' ELSE 'developing' END::cp_market
FROM generate_series(1, 40) g;

-- Memberships: per partner 0 to 4 successive rows, a year (365 or 366 days)
-- or shorter, adjacent or with a gap; some ending on an evaluation date.
DO $$
DECLARE
    p bigint;
    d date;
    n integer;
    len integer;
BEGIN
    FOR p IN SELECT partner_id FROM cp_partner ORDER BY 1 LOOP
        d := date '2024-10-01' + regress.rnd(0, 500);
        n := regress.rnd(0, 4);
        FOR i IN 1 .. n LOOP
            len := regress.pick(ARRAY[365, 365, 366, 200, 90, 31, 1]);
            IF random() < 0.15 THEN
                -- end on an evaluation date (or the day after) when it can
                len := greatest(1, lcdiff.eval_day(regress.rnd(0, 1)) - d);
            END IF;
            INSERT INTO cp_membership VALUES (p, regress.pick(ARRAY['silver', 'gold'])::competency_level, d, d + len);
            d := d + len + CASE WHEN random() < 0.5 THEN 0 ELSE regress.rnd(1, 70) END;
        END LOOP;
    END LOOP;
END
$$;

-- Associations: tenants 1 to 150, 1 to 3 rows per (partner, tenant), any
-- kind, starting and ending around the evaluation dates and the renewal
-- dates, open or not.
CREATE TABLE lcdiff.pair AS
SELECT p.partner_id, regress.rnd(1, 150) AS tenant
FROM cp_partner p, generate_series(1, 8) s WHERE random() < 0.7;
INSERT INTO cp_association (partner_id, tenant_id, kind, valid_from, valid_until)
SELECT partner_id, regress.t(tenant), kind, valid_from,
       CASE WHEN valid_until > valid_from THEN valid_until
            WHEN valid_until IS NOT NULL THEN valid_from + 1 END
FROM (
    SELECT x.partner_id, x.tenant, regress.pick(enum_range(NULL::cp_association_kind)) AS kind,
           x.valid_from,
           CASE WHEN r < 0.35 THEN NULL
                WHEN r < 0.5 THEN (SELECT m.ends_on + regress.pick(ARRAY[-1, 0, 0, 1]) FROM cp_membership m
                                   WHERE m.partner_id = x.partner_id ORDER BY random() LIMIT 1)
                WHEN r < 0.65 THEN lcdiff.eval_day(regress.pick(ARRAY[0, 1, 2]))
                ELSE x.valid_from + regress.rnd(1, 400) END AS valid_until
    FROM (SELECT pr.partner_id, pr.tenant,
                 CASE WHEN random() < 0.3 THEN date '2025-01-01'
                      ELSE lcdiff.some_date() END AS valid_from,
                 random() AS r
          FROM lcdiff.pair pr, generate_series(1, 3) k
          WHERE k = 1 OR random() < 0.35) x
) y;

-- Usage: current, stale and future rows around every evaluation date;
-- eligible and ineligible workloads, trials, SKUs, duplicates.
INSERT INTO cp_usage
SELECT regress.t(regress.rnd(1, 160)),
       regress.pick(ARRAY['EXO', 'Exchange Online', 'SPO', 'SharePoint', 'SfB', 'Yammer', 'ProPlus',
                         'Teams', 'Intune']),
       regress.pick(ARRAY['E1', 'E3', 'E5']),
       random() < 0.1, regress.rnd(0, 700), lcdiff.eval_day(regress.rnd(-35, 3))
FROM generate_series(1, 8000);
INSERT INTO cp_usage SELECT * FROM cp_usage WHERE random() < 0.05;

-- Persons (0 to 6 a partner) and credentials: every path, spellings,
-- unknown ones, earned before or after an evaluation date, expiring on,
-- around or between evaluation and renewal dates, or never.
INSERT INTO cp_person
SELECT row_number() OVER (), p.partner_id, NULL
FROM cp_partner p, generate_series(1, 6) k WHERE random() < 0.55;
INSERT INTO cp_credential (person_id, credential, earned_on, expires_on)
SELECT person_id, credential, earned_on,
       CASE WHEN r < 0.3 THEN NULL
            WHEN r < 0.45 THEN lcdiff.eval_day(regress.pick(ARRAY[0, 1]))
            WHEN r < 0.6 THEN (SELECT m.ends_on + regress.pick(ARRAY[-1, 0, 1]) FROM cp_membership m
                               JOIN cp_person pe ON pe.partner_id = m.partner_id
                               WHERE pe.person_id = x.person_id ORDER BY random() LIMIT 1)
            ELSE earned_on + regress.rnd(30, 700) END
FROM (
    SELECT pe.person_id,
           regress.pick(ARRAY['MCSA: Office 365', 'mcsa_office_365', '70-346', 'exam 70-346', '70-347',
                             '70-347', '70-346', 'MCSA-Office365', '70-348', 'Teams Admin']) AS credential,
           CASE WHEN random() < 0.2 THEN lcdiff.eval_day(regress.pick(ARRAY[-1, 0, 1]))
                ELSE date '2024-06-01' + regress.rnd(0, 900) END AS earned_on,
           random() AS r
    FROM cp_person pe, generate_series(1, 4) k WHERE random() < 0.8
) x;
DELETE FROM cp_credential WHERE expires_on <= earned_on;

RESET competency.flagging;
RESET client_min_messages;
SELECT count(*) > 60 AS memberships, count(DISTINCT partner_id) > 25 AS partners_with_memberships
FROM cp_membership;

-------------------------------------------------------------------------------
-- cp_membership_status against the reference: every date, grace periods
-- 0, 30 (default), 45 and 365, usage windows of 28 and 7 days.
-------------------------------------------------------------------------------
SELECT g AS grace_days, w AS window_days,
       array_agg(lcdiff.status_differences(d.as_of, g, w) ORDER BY d.as_of) AS differences_per_date
FROM lcdiff.eval_date d, unnest(ARRAY[0, 30, 45, 365]) g, unnest(ARRAY[28, 7]) w
GROUP BY 1, 2 ORDER BY 1, 2;

-- Nontrivial: each status occurs (grace 30, window 28), also margins below
-- zero, a projection differing from the level, and a partner held in grace
-- whose level differs from the held one.
CREATE TEMP TABLE all_status AS
SELECT d.as_of, s.* FROM lcdiff.eval_date d, LATERAL lcdiff.status(d.as_of, 30, 28) s;
SELECT st AS status, count(s.status) > 0 AS occurs
FROM unnest(ARRAY['not_held', 'in_grace', 'at_risk', 'upgrade_available', 'secure']) st
LEFT JOIN all_status s ON s.status = st
GROUP BY 1 ORDER BY 1;
SELECT bool_or(status = 'at_risk' AND level = held_level
               AND lcdiff.rank(projected_level) < lcdiff.rank(held_level)) AS at_risk_by_projection_only,
       bool_or(status = 'at_risk' AND lcdiff.rank(level) < lcdiff.rank(held_level)) AS at_risk_by_level,
       bool_or(entitlements_margin < 0) AS negative_entitlements_margin,
       bool_or(individuals_margin < 0) AS negative_individuals_margin,
       bool_or(projected_level IS DISTINCT FROM level AND status <> 'not_held') AS projection_moves,
       bool_or(status = 'in_grace' AND level <> held_level) AS in_grace_level_differs,
       bool_or(status <> 'not_held' AND level = 'none') AS held_without_level,
       bool_or(status = 'not_held' AND level <> 'none') AS level_without_held
FROM all_status;
-- Some partner has a later row starting on its renewal date, and some row
-- ends on an evaluation date.
SELECT EXISTS (SELECT FROM cp_membership a JOIN cp_membership b USING (partner_id)
               WHERE b.started_on = a.ends_on) AS renewal_rows,
       EXISTS (SELECT FROM cp_membership m JOIN lcdiff.eval_date d ON m.ends_on = d.as_of)
         AS ends_on_an_evaluation_date;

-------------------------------------------------------------------------------
-- cp_explain_risk against the reference, and its two sums.
-------------------------------------------------------------------------------
SELECT d.as_of, g AS grace_days, w AS window_days, r.*
FROM lcdiff.eval_date d, unnest(ARRAY[0, 30]) g, unnest(ARRAY[28, 7]) w,
     LATERAL lcdiff.risk_differences(d.as_of, g, w) r
ORDER BY 1, 2, 3;

-- Nontrivial: every kind occurs, figures of 0 and not, effective_on on E,
-- the day after as_of, and after a change that is undone before E.  With
-- both windows compared above: since the data draw fast_track too, every
-- tenant whose counted association moves has current usage over 28 days,
-- while over 7 days some has a figure of 0.
CREATE TEMP TABLE all_risk AS
SELECT d.as_of, h.e, r.* FROM lcdiff.eval_date d, unnest(ARRAY[28, 7]) w,
     LATERAL lcdiff.risk(d.as_of, 30, w) r
JOIN LATERAL regress.held_on(d.as_of, 30) h ON h.partner_id = r.partner_id;
SELECT k AS kind, count(r.kind) > 5 AS occurs
FROM unnest(ARRAY['association_ends', 'association_starts', 'credential_expires']) k
LEFT JOIN all_risk r ON r.kind = k GROUP BY 1 ORDER BY 1;
SELECT bool_or(kind <> 'credential_expires' AND entitlements_change = 0) AS zero_figure_listed,
       bool_or(entitlements_change <> 0) AS nonzero_figure,
       bool_or(effective_on = e) AS effective_on_e,
       bool_or(effective_on = as_of + 1) AS effective_day_after,
       bool_or(kind <> 'credential_expires'
               AND EXISTS (SELECT FROM generate_series(as_of + 1, effective_on - 1, interval '1 day') x
                           WHERE lcdiff.associated(partner_id, subject::uuid, x::date)
                                 = lcdiff.associated(partner_id, subject::uuid, e))) AS state_of_e_before_effective_on
FROM all_risk;

SET client_min_messages = warning;
DROP SCHEMA lcdiff CASCADE;
RESET client_min_messages;
SELECT regress.reset_lifecycle();
