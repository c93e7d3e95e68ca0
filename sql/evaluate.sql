-- cp_evaluate over the extension's tables: every rule of the competency at
-- its boundaries, as of D = 2026-06-15 with the default 28-day window
-- (current: 2026-05-19 .. 2026-06-15).  Each partner is one scenario; the
-- expected figures are written beside it and compared at the end.
SELECT regress.reset();

CREATE TEMP TABLE expect (
    partner_id bigint PRIMARY KEY, market cp_market, scenario text,
    active_entitlements bigint, qualified_individuals int, level competency_level
);
-- pg_temp.scenario(id, market, name, ae, qi, level): the partner and its expectation
CREATE FUNCTION pg_temp.scenario(id bigint, m cp_market, s text, ae bigint, qi int,
                                 l competency_level) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cp_partner VALUES (id, s, m);
    INSERT INTO expect VALUES (id, m, s, ae, qi, l);
$$;
-- pg_temp.assoc(partner, tenant[, kind, from, until])
CREATE FUNCTION pg_temp.assoc(p bigint, t int, k cp_association_kind DEFAULT 'delegated_admin',
                              f date DEFAULT '2026-01-01', u date DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$ INSERT INTO cp_association VALUES (p, regress.t(t), k, f, u) $$;
-- pg_temp.use(tenant, users[, days before D, workload, sku, trial])
CREATE FUNCTION pg_temp.use(t int, n int, ago int DEFAULT 1, w text DEFAULT 'EXO',
                            s text DEFAULT 'E3', trial boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO cp_usage VALUES (regress.t(t), w, s, trial, n, date '2026-06-15' - ago)
$$;
-- pg_temp.person(id, partner, credentials...[, earned, expires])
CREATE FUNCTION pg_temp.person(id bigint, p bigint, creds text[],
                               e date DEFAULT '2025-01-01', x date DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO cp_person VALUES (id, p, 'person ' || id) ON CONFLICT DO NOTHING;
    INSERT INTO cp_credential SELECT id, c, e, x FROM unnest(creds) c;
$$;

-- Thresholds, each +-1, in each market (one tenant each).
SELECT pg_temp.scenario(101, 'developed', 'developed 1999, 1 person', 1999, 1, 'none');
SELECT pg_temp.scenario(102, 'developed', 'developed 2000, 1 person', 2000, 1, 'silver');
SELECT pg_temp.scenario(103, 'developed', 'developed 2001, nobody', 2001, 0, 'none');
SELECT pg_temp.scenario(104, 'developing', 'developing 999, 1 person', 999, 1, 'none');
SELECT pg_temp.scenario(105, 'developing', 'developing 1000, 1 person', 1000, 1, 'silver');
SELECT pg_temp.scenario(106, 'developed', 'developed 3999, 2 persons', 3999, 2, 'silver');
SELECT pg_temp.scenario(107, 'developed', 'developed 4000, 2 persons', 4000, 2, 'gold');
SELECT pg_temp.scenario(108, 'developing', 'developing 4000, 1 person', 4000, 1, 'silver');
SELECT pg_temp.scenario(109, 'developing', 'developing 4000, 2 persons', 4000, 2, 'gold');
SELECT pg_temp.scenario(110, 'developing', 'developing 1001, nobody', 1001, 0, 'none');
SELECT pg_temp.scenario(111, 'developed', 'no data at all', 0, 0, 'none');
SELECT pg_temp.assoc(p, p::int) FROM generate_series(101, 110) p;
SELECT pg_temp.use(101, 1999), pg_temp.use(102, 2000), pg_temp.use(103, 2001),
       pg_temp.use(104, 999), pg_temp.use(105, 1000), pg_temp.use(106, 3999),
       pg_temp.use(107, 4000), pg_temp.use(108, 4000), pg_temp.use(109, 4000),
       pg_temp.use(110, 1001);
SELECT pg_temp.person(1010, 101, '{MCSA: Office 365}'), pg_temp.person(1020, 102, '{MCSA: Office 365}'),
       pg_temp.person(1040, 104, '{70-346,70-347}'), pg_temp.person(1050, 105, '{70-346,70-347}'),
       pg_temp.person(1060, 106, '{MCSA: Office 365}'), pg_temp.person(1061, 106, '{MCSA: Office 365}'),
       -- Gold's two individuals qualify by different paths
       pg_temp.person(1070, 107, '{70-346,70-347}'), pg_temp.person(1071, 107, '{MCSA: Office 365}'),
       pg_temp.person(1080, 108, '{MCSA: Office 365}'),
       pg_temp.person(1090, 109, '{Exam 70-346,Exam 70-347}'), pg_temp.person(1091, 109, '{mcsa_office_365}');

-- Associations: each kind counts; [valid_from, valid_until) on D; a tenant
-- counts once per partner however many associations; partners share tenants.
SELECT pg_temp.scenario(201, 'developed', 'delegated admin', 500, 0, 'none');
SELECT pg_temp.scenario(202, 'developed', 'transacting partner', 500, 0, 'none');
SELECT pg_temp.scenario(203, 'developed', 'digital partner of record', 500, 0, 'none');
SELECT pg_temp.scenario(204, 'developed', 'association starts on D', 500, 0, 'none');
SELECT pg_temp.scenario(205, 'developed', 'association starts after D', 0, 0, 'none');
SELECT pg_temp.scenario(206, 'developed', 'association ends on D', 0, 0, 'none');
SELECT pg_temp.scenario(207, 'developed', 'association ends after D', 500, 0, 'none');
SELECT pg_temp.scenario(208, 'developed', 'only past and future associations', 0, 0, 'none');
SELECT pg_temp.scenario(209, 'developed', 'three associations, one tenant', 500, 0, 'none');
SELECT pg_temp.scenario(210, 'developed', 'tenant shared with 201 and 211', 500, 0, 'none');
SELECT pg_temp.scenario(211, 'developing', 'tenant shared, open-ended', 500, 0, 'none');
SELECT pg_temp.use(t, 500) FROM generate_series(201, 209) t;
SELECT pg_temp.assoc(201, 201, 'delegated_admin'),
       pg_temp.assoc(202, 202, 'transacting_partner'),
       pg_temp.assoc(203, 203, 'digital_partner_of_record'),
       pg_temp.assoc(204, 204, f => '2026-06-15'),
       pg_temp.assoc(205, 205, f => '2026-06-16'),
       pg_temp.assoc(206, 206, f => '2025-01-01', u => '2026-06-15'),
       pg_temp.assoc(207, 207, f => '2025-01-01', u => '2026-06-16'),
       pg_temp.assoc(208, 208, f => '2020-01-01', u => '2026-01-01'),
       pg_temp.assoc(208, 208, f => '2026-07-01'),
       pg_temp.assoc(209, 209, 'delegated_admin'),
       pg_temp.assoc(209, 209, 'transacting_partner'),
       pg_temp.assoc(209, 209, 'digital_partner_of_record', f => '2026-06-01', u => '2026-07-01'),
       pg_temp.assoc(209, 209, 'delegated_admin'),
       pg_temp.assoc(210, 201),
       pg_temp.assoc(211, 201, f => '-infinity');

-- The window: D - 28 < measured_on <= D.
SELECT pg_temp.scenario(301, 'developed', 'measured D-28: stale', 0, 0, 'none');
SELECT pg_temp.scenario(302, 'developed', 'measured D-27: current', 500, 0, 'none');
SELECT pg_temp.scenario(303, 'developed', 'measured on D', 500, 0, 'none');
SELECT pg_temp.scenario(304, 'developed', 'future row never supersedes', 200, 0, 'none');
SELECT pg_temp.scenario(305, 'developed', 'latest current row counts', 300, 0, 'none');
SELECT pg_temp.scenario(306, 'developed', 'stale row older than current', 450, 0, 'none');
SELECT pg_temp.assoc(p, p::int) FROM generate_series(301, 306) p;
SELECT pg_temp.use(301, 500, 28), pg_temp.use(302, 500, 27), pg_temp.use(303, 500, 0),
       pg_temp.use(304, 900, -1), pg_temp.use(304, 200, 5),
       pg_temp.use(305, 700, 20), pg_temp.use(305, 300, 3),
       pg_temp.use(306, 9000, 40), pg_temp.use(306, 450, 10);

-- Rows: trials, ineligible workloads, duplicates, SKUs, the highest workload.
SELECT pg_temp.scenario(401, 'developed', 'newer trial does not hide paid', 600, 0, 'none');
SELECT pg_temp.scenario(402, 'developed', 'ineligible workloads', 100, 0, 'none');
SELECT pg_temp.scenario(403, 'developed', 'duplicated rows', 700, 0, 'none');
SELECT pg_temp.scenario(404, 'developed', 'SKUs summed, one workload two spellings', 550, 0, 'none');
SELECT pg_temp.scenario(405, 'developed', 'highest workload per tenant, tenants summed', 450, 0, 'none');
SELECT pg_temp.scenario(406, 'developing', 'tie between workloads', 400, 0, 'none');
SELECT pg_temp.assoc(p, p::int) FROM generate_series(401, 406) p;
SELECT pg_temp.assoc(405, 4051);
SELECT pg_temp.use(401, 600, 10), pg_temp.use(401, 5000, 1, trial => true),
       pg_temp.use(402, 3000, 1, 'Teams'), pg_temp.use(402, 2500, 1, 'Intune'),
       pg_temp.use(402, 100, 1, 'Exchange'),
       pg_temp.use(403, 700, 2), pg_temp.use(403, 700, 2), pg_temp.use(403, 700, 2),
       pg_temp.use(403, 650, 2),
       pg_temp.use(404, 300, 5, 'EXO', 'E3'), pg_temp.use(404, 200, 5, 'EXO', 'E1'),
       pg_temp.use(404, 350, 4, 'Exchange Online', 'E3'),
       pg_temp.use(405, 300, 2, 'EXO'), pg_temp.use(405, 400, 2, 'SPO'),
       pg_temp.use(405, 350, 2, 'ProPlus'), pg_temp.use(4051, 50, 2, 'yammer'),
       pg_temp.use(406, 400, 2, 'SfB'), pg_temp.use(406, 400, 2, 'Yammer');

-- Individuals: paths, credential dates, ownership.
SELECT pg_temp.scenario(501, 'developed', 'both exams, one person', 0, 1, 'none');
SELECT pg_temp.scenario(502, 'developed', 'exams split between two people', 0, 0, 'none');
SELECT pg_temp.scenario(503, 'developed', 'MCSA', 0, 1, 'none');
SELECT pg_temp.scenario(504, 'developed', 'earned on D', 0, 1, 'none');
SELECT pg_temp.scenario(505, 'developed', 'earned after D', 0, 0, 'none');
SELECT pg_temp.scenario(506, 'developed', 'expires on D', 0, 0, 'none');
SELECT pg_temp.scenario(507, 'developed', 'expires after D', 0, 1, 'none');
SELECT pg_temp.scenario(508, 'developed', 'one exam expired', 0, 0, 'none');
SELECT pg_temp.scenario(509, 'developed', 'colleague belongs to 510', 0, 0, 'none');
SELECT pg_temp.scenario(510, 'developed', 'three people, mixed spellings', 0, 3, 'none');
SELECT pg_temp.scenario(511, 'developed', 'unknown credentials only', 0, 0, 'none');
SELECT pg_temp.person(5010, 501, '{70-346,70-347}'),
       pg_temp.person(5020, 502, '{70-346}'), pg_temp.person(5021, 502, '{70-347}'),
       pg_temp.person(5030, 503, '{MCSA: Office 365}'),
       pg_temp.person(5040, 504, '{MCSA: Office 365}', e => '2026-06-15'),
       pg_temp.person(5050, 505, '{MCSA: Office 365}', e => '2026-06-16'),
       pg_temp.person(5060, 506, '{MCSA: Office 365}', x => '2026-06-15'),
       pg_temp.person(5070, 507, '{MCSA: Office 365}', x => '2026-06-16'),
       pg_temp.person(5080, 508, '{70-346}', x => '2026-01-01'),
       pg_temp.person(5080, 508, '{70-347}'),
       pg_temp.person(5100, 510, '{MCSA-Office365}'),
       pg_temp.person(5101, 510, '{exam 70-346,EXAM_70-347,MCSA: Office 365}'),
       pg_temp.person(5102, 510, '{70346,70-346,70-347,70-347}'),
       pg_temp.person(5110, 511, '{70-345,MCSA: Office 2016,MCSE}');

SELECT e.partner_id, x.scenario, e.market, e.active_entitlements AS ae,
       e.qualified_individuals AS qi, e.level, e.next_level,
       e.entitlements_short, e.individuals_short
FROM cp_evaluate('2026-06-15') e JOIN expect x USING (partner_id)
ORDER BY partner_id;

-- Every figure as expected, one row per partner.
SELECT count(*) AS partners,
       count(*) FILTER (WHERE (e.active_entitlements, e.qualified_individuals, e.level, e.market)
                              IS DISTINCT FROM (x.active_entitlements, x.qualified_individuals, x.level, x.market))
         AS mismatches
FROM cp_evaluate('2026-06-15') e FULL JOIN expect x USING (partner_id);

-- The gap columns: the next level up, and what it still needs (0 if met).
SELECT count(*) FILTER (WHERE next_level IS DISTINCT FROM cp_next_level(level)) AS bad_next,
       count(*) FILTER (WHERE level = 'gold' AND (entitlements_short IS NOT NULL OR individuals_short IS NOT NULL)) AS bad_gold,
       count(*) FILTER (WHERE level <> 'gold' AND (
           entitlements_short <> greatest(cp_required_entitlements(next_level, market) - active_entitlements, 0)
        OR individuals_short <> greatest(cp_required_individuals(next_level) - qualified_individuals, 0))) AS bad_short
FROM cp_evaluate('2026-06-15');

-- The setting: whole days, 1 to 366; the session's value is used.
SHOW competency.usage_window;
SET competency.usage_window = '35d';
SHOW competency.usage_window;
SELECT partner_id, active_entitlements FROM cp_evaluate('2026-06-15')
WHERE partner_id IN (301, 306) ORDER BY 1;               -- D-28 now current; D-40 still stale
SET competency.usage_window = '14d';
SELECT cp_usage_window();
SET competency.usage_window = '1d';
SELECT partner_id, active_entitlements FROM cp_evaluate('2026-06-15')
WHERE partner_id IN (303, 305) ORDER BY 1;               -- only rows measured on D
SET competency.usage_window = 525600;                    -- minutes: 365 days
SHOW competency.usage_window;
SET competency.usage_window = '366d';
SET competency.usage_window = '367d';
SET competency.usage_window = '0';
SET competency.usage_window = '1.5d';
SET competency.usage_window = '90min';
SET competency.usage_window = 'forever';
RESET competency.usage_window;
SHOW competency.usage_window;

-- Arguments: a NULL date is 22023; the default is today.
SELECT regress.error_of($$SELECT * FROM cp_evaluate(NULL)$$);
PREPARE ev(date) AS SELECT count(*) FROM cp_evaluate($1);
SELECT regress.error_of($$EXECUTE ev(NULL)$$);
SELECT (SELECT count(*) FROM cp_evaluate()) = (SELECT count(*) FROM cp_partner) AS default_today,
       (SELECT array_agg(e ORDER BY partner_id) FROM cp_evaluate() e)
     = (SELECT array_agg(e ORDER BY partner_id) FROM cp_evaluate(current_date) e) AS same_as_current_date;

-- cp_evaluate_partners: an explicit window, a subset of partners.
SELECT partner_id, active_entitlements, level
FROM cp_evaluate_partners('2026-06-15', 35, ARRAY[301, 102, 999]) ORDER BY 1;
SELECT regress.error_of($$SELECT * FROM cp_evaluate_partners('2026-06-15', 0, NULL)$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_partners('2026-06-15', 367, NULL)$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_partners('2026-06-15', NULL, NULL)$$);

SELECT regress.reset();
