--
-- Differential test: cp_evaluate(as_of), built on the C aggregates, against
-- an independent plain-SQL statement of the rules (diff.reference), over
-- generated messy data, at several dates and usage windows.  Every
-- comparison must find 0 differences; the data are random but seeded, and
-- only deterministic results (numbers of differences, booleans) are shown.
--
SELECT regress.reset();

CREATE SCHEMA diff;

-------------------------------------------------------------------------------
-- The reference: the rules in plain SQL, no function of the extension.
-------------------------------------------------------------------------------

-- ASCII-only folding: ASCII whitespace (space, \t, \n, \v, \f, \r), '_', '-'
-- and ':' dropped, A-Z to a-z.  Under the "C" collation lower() folds ASCII
-- letters only (checked below); under others it would fold non-ASCII too.
CREATE FUNCTION diff.fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(lower(s COLLATE "C"), E' \t\n\r\f' || chr(11) || '_-:', '')
$$;

SELECT diff.fold(E' Ab\tC\nd\re\ff' || chr(11) || 'G_h-I:j ') = 'abcdefghij' AS folds_ascii,
       diff.fold(U&'ÄÖ İ Ｅ \017F \0130 \212A \00A0X') = U&'ÄÖİＥ\017F\0130\212A\00A0x'
           AS leaves_non_ascii;

-- The accepted spellings, as the rules list them.
CREATE TABLE diff.workload_spelling (spelling text, canonical text);
INSERT INTO diff.workload_spelling VALUES
    ('exchange_online', 'exchange_online'), ('Exchange Online', 'exchange_online'),
    ('Exchange', 'exchange_online'), ('EXO', 'exchange_online'),
    ('sharepoint_online', 'sharepoint_online'), ('SharePoint Online', 'sharepoint_online'),
    ('SharePoint', 'sharepoint_online'), ('SPO', 'sharepoint_online'),
    ('skype_for_business', 'skype_for_business'),
    ('Skype for Business', 'skype_for_business'), ('SfB', 'skype_for_business'),
    ('yammer', 'yammer'), ('Yammer', 'yammer'), ('YAM', 'yammer'),
    ('proplus', 'proplus'), ('ProPlus', 'proplus'), ('Office 365 ProPlus', 'proplus');

CREATE TABLE diff.credential_spelling (spelling text, canonical text);
INSERT INTO diff.credential_spelling VALUES
    ('70-346', '70-346'), ('70-347', '70-347'),
    ('MCSA: Office 365', 'mcsa'), ('MCSA-Office365', 'mcsa'), ('mcsa_office_365', 'mcsa');

-- Folded spelling -> canonical name.  A credential may start with the word
-- "exam" (once), folded into the key as well.
CREATE TABLE diff.workload_key AS
SELECT DISTINCT diff.fold(spelling) AS folded, canonical FROM diff.workload_spelling;

CREATE TABLE diff.credential_key AS
SELECT DISTINCT e.prefix || diff.fold(s.spelling) AS folded, s.canonical
FROM diff.credential_spelling s, (VALUES (''), ('exam')) e(prefix);

CREATE FUNCTION diff.reference(as_of date, window_days integer)
RETURNS TABLE (partner_id bigint, market text,
               active_entitlements bigint, qualified_individuals integer,
               level text, next_level text,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH
-- 1. usage rows of tenants the partner has an active association with on
--    as_of (one partner counts a tenant once: DISTINCT).  Only the three
--    kinds the rules name count: the data draw kinds from every value of
--    cp_association_kind, which also has fast_track, a kind the rules (the
--    built-in rule set, the only one here) do not count.
associated AS (
    SELECT DISTINCT a.partner_id, a.tenant_id
    FROM cp_association a
    WHERE a.valid_from <= as_of
      AND (a.valid_until IS NULL OR as_of < a.valid_until)
      AND a.kind IN ('delegated_admin', 'transacting_partner', 'digital_partner_of_record')
),
step1 AS (
    SELECT a.partner_id, u.*
    FROM associated a JOIN cp_usage u ON u.tenant_id = a.tenant_id
),
-- 2. no trial rows, no ineligible workloads, current rows only;
-- 3. workloads by canonical name, SKUs byte for byte
step3 AS (
    SELECT s.partner_id, s.tenant_id, k.canonical AS workload,
           convert_to(s.sku, 'UTF8') AS sku, s.active_users, s.measured_on
    FROM step1 s JOIN diff.workload_key k ON k.folded = diff.fold(s.workload)
    WHERE NOT s.is_trial
      AND s.measured_on > as_of - window_days
      AND s.measured_on <= as_of
),
-- 4. latest measurement per (tenant, workload, SKU); the largest on a tie
step4 AS (
    SELECT DISTINCT ON (partner_id, tenant_id, workload, sku)
           partner_id, tenant_id, workload, sku, active_users
    FROM step3
    ORDER BY partner_id, tenant_id, workload, sku, measured_on DESC, active_users DESC
),
-- 5. per (tenant, workload): sum over SKUs
step5 AS (
    SELECT partner_id, tenant_id, workload, sum(active_users) AS n
    FROM step4 GROUP BY partner_id, tenant_id, workload
),
-- 6. per tenant: the highest workload
step6 AS (
    SELECT partner_id, tenant_id, max(n) AS n
    FROM step5 GROUP BY partner_id, tenant_id
),
-- 7. per partner: sum over tenants
entitlements AS (
    SELECT partner_id, sum(n)::bigint AS n FROM step6 GROUP BY partner_id
),
-- credentials that count on as_of, by canonical name
held AS (
    SELECT p.partner_id, p.person_id, k.canonical AS credential
    FROM cp_person p JOIN cp_credential c ON c.person_id = p.person_id
    JOIN diff.credential_key k ON k.folded = diff.fold(c.credential)
    WHERE c.earned_on <= as_of
      AND (c.expires_on IS NULL OR as_of < c.expires_on)
),
-- both exams (the same person), or the MCSA
qualified AS (
    SELECT partner_id, person_id FROM held
    GROUP BY partner_id, person_id
    HAVING bool_or(credential = 'mcsa')
        OR (bool_or(credential = '70-346') AND bool_or(credential = '70-347'))
),
individuals AS (
    SELECT partner_id, count(*)::integer AS n FROM qualified GROUP BY partner_id
),
figures AS (
    SELECT p.partner_id, p.market::text AS market,
           coalesce(e.n, 0) AS active_entitlements,
           coalesce(i.n, 0) AS qualified_individuals
    FROM cp_partner p
    LEFT JOIN entitlements e ON e.partner_id = p.partner_id
    LEFT JOIN individuals i ON i.partner_id = p.partner_id
),
levels AS (
    SELECT f.*,
           CASE WHEN f.active_entitlements >= 4000 AND f.qualified_individuals >= 2
                THEN 'gold'
                WHEN f.active_entitlements >= CASE f.market WHEN 'developed' THEN 2000
                                                            ELSE 1000 END
                 AND f.qualified_individuals >= 1
                THEN 'silver'
                ELSE 'none' END AS level
    FROM figures f
)
SELECT l.partner_id, l.market, l.active_entitlements, l.qualified_individuals,
       l.level,
       CASE l.level WHEN 'none' THEN 'silver' WHEN 'silver' THEN 'gold' END,
       CASE l.level
            WHEN 'none' THEN greatest(CASE l.market WHEN 'developed' THEN 2000
                                                    ELSE 1000 END
                                      - l.active_entitlements, 0)
            WHEN 'silver' THEN greatest(4000 - l.active_entitlements, 0) END,
       CASE l.level
            WHEN 'none' THEN greatest(1 - l.qualified_individuals, 0)
            WHEN 'silver' THEN greatest(2 - l.qualified_individuals, 0) END
FROM levels l
$$;

-- Partners whose row differs between cp_evaluate (the session's window) and
-- the reference with window_days (every column, the level as text); a
-- partner missing on one side differs too.
CREATE FUNCTION diff.mismatches(as_of date, window_days integer)
RETURNS TABLE (partner_id bigint, extension text, reference text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT coalesce(e.partner_id, r.partner_id),
       CASE WHEN e.partner_id IS NOT NULL THEN e::text END,
       CASE WHEN r.partner_id IS NOT NULL THEN r::text END
FROM (SELECT x.partner_id, x.market::text AS market, x.active_entitlements,
             x.qualified_individuals, x.level::text AS level,
             x.next_level::text AS next_level, x.entitlements_short,
             x.individuals_short
      FROM cp_evaluate(as_of) x) e
FULL JOIN diff.reference(as_of, window_days) r ON r.partner_id = e.partner_id
WHERE e IS DISTINCT FROM r
$$;

-- Does cp_evaluate return exactly one row per partner?
CREATE FUNCTION diff.one_row_per_partner(as_of date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT count(*) = (SELECT count(*) FROM cp_partner)
       AND count(DISTINCT e.partner_id) = count(*)
       AND count(*) = count(p.partner_id)
FROM cp_evaluate(as_of) e LEFT JOIN cp_partner p ON p.partner_id = e.partner_id
$$;

-------------------------------------------------------------------------------
-- Generated data
-------------------------------------------------------------------------------

-- Evaluation dates (two adjacent, two four days apart) and windows (days).
CREATE TABLE diff.eval_date (as_of date PRIMARY KEY);
INSERT INTO diff.eval_date VALUES
    ('2017-06-30'), ('2017-07-04'), ('2017-07-31'), ('2017-08-01'), ('2017-08-29');
CREATE TABLE diff.window_days (days integer PRIMARY KEY);
INSERT INTO diff.window_days VALUES (1), (7), (28), (35);

-- The edges of every window at every date: D - w (stale), D - w + 1 (oldest
-- current), D (newest current), D + 1 (future).
CREATE TABLE diff.edges AS
SELECT array_agg(d ORDER BY d) AS a FROM (
    SELECT as_of - days AS d FROM diff.eval_date, diff.window_days
    UNION SELECT as_of - days + 1 FROM diff.eval_date, diff.window_days
    UNION SELECT as_of FROM diff.eval_date
    UNION SELECT as_of + 1 FROM diff.eval_date) e;

CREATE FUNCTION diff.pick(a anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS $$
    SELECT a[1 + floor(random() * cardinality(a))::integer]
$$;

-- An evaluation date plus `plus` days (a function: a volatile scalar
-- subquery in a statement would be evaluated only once).
CREATE FUNCTION diff.eval_day(plus integer DEFAULT 0) RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT diff.pick(array_agg(as_of + plus ORDER BY as_of)) FROM diff.eval_date
$$;

CREATE FUNCTION diff.rnd(lo integer, hi integer) RETURNS integer
LANGUAGE sql VOLATILE AS $$
    SELECT lo + floor(random() * (hi - lo + 1))::integer
$$;

-- An evaluation date, a window edge, a date around them, or far away.
CREATE FUNCTION diff.edge_day() RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT diff.pick(a) FROM diff.edges
$$;

CREATE FUNCTION diff.some_date() RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.5 THEN diff.edge_day()
                WHEN r < 0.93 THEN date '2017-05-15' + diff.rnd(0, 115)
                ELSE diff.pick(ARRAY[date '2015-12-31', '2017-01-01', '2018-02-28'])
           END
    FROM (SELECT random() AS r) x
$$;

-- A spelling with random ASCII case and separators, maybe padded.
CREATE FUNCTION diff.mangle(s text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT diff.pick(ARRAY['', '', '', '', ' ', E'\t', '_ '])
        || string_agg(CASE WHEN random() < 0.5 THEN upper(c) ELSE lower(c) END
                      || CASE WHEN random() < 0.12
                              THEN diff.pick(ARRAY[' ', '_', '-', ':', E'\t', E'\n',
                                                   E'\r', E'\f', chr(11), '  ', '-_:'])
                              ELSE '' END, '' ORDER BY i)
        || diff.pick(ARRAY['', '', '', '', ' ', E'\n', repeat(' ', 80)])
    FROM regexp_split_to_table(s, '') WITH ORDINALITY AS t(c, i)
$$;

-- Workload spellings: accepted (mangled), ineligible (mangled), non-ASCII.
CREATE FUNCTION diff.workload_of(canonical text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT diff.mangle(diff.pick(array_agg(spelling ORDER BY spelling)))
    FROM diff.workload_spelling WHERE workload_spelling.canonical = workload_of.canonical
$$;

CREATE FUNCTION diff.some_workload() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.70
                THEN diff.workload_of(diff.pick(ARRAY['exchange_online', 'exchange_online',
                         'sharepoint_online', 'skype_for_business', 'yammer', 'proplus']))
                WHEN r < 0.75  -- eligible once folded
                THEN diff.mangle(diff.pick(ARRAY['Office365 Pro Plus', 'Pro-Plus',
                         'Share Point', 'Skype:For:Business', 'E X O', 'exchange-online']))
                WHEN r < 0.90
                THEN diff.mangle(diff.pick(ARRAY['Teams', 'Microsoft Teams', 'Dynamics 365',
                         'Intune', 'Exchange Onlin', 'Exchang', 'EX', 'SharePoint Onlin',
                         'Skype', 'Skype for Busines', 'Yammer.com', 'Office 365',
                         'OneDrive', 'Project Online', 'exam EXO', 'EXO2',
                         'Exchange/Online', 'Exchange.Online', 'ProPlus Office 365',
                         'SP', 'YAMM', 'ExchangeOnlineExchangeOnline']))
                ELSE diff.pick(ARRAY['', '  ', E'\t', 'exam', 'Ｅxchange',
                         U&'Exchange\00A0Online', 'EXＯ', U&'Exchange\200BOnline',
                         U&'EXO\3000', U&'Exchange\0085Online',
                         U&'\017Fharepoint', U&'\017FPO', 'SharePoınt', 'Exchange Onlİne',
                         'ＹＡＭ', U&'Yammer\FEFF', 'Skype for Busıness', U&'Ex\0441hange',
                         U&'\212Aammer', 'ＳｆＢ'])
           END
    FROM (SELECT random() AS r) x
$$;

-- Credential spellings: accepted (mangled, maybe "exam"), near misses.
CREATE FUNCTION diff.credential_of(canonical text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT diff.pick(ARRAY['', '', '', 'Exam ', 'EXAM_', 'exam:', 'eXaM-'])
        || diff.mangle(diff.pick(array_agg(spelling ORDER BY spelling)))
    FROM diff.credential_spelling
    WHERE credential_spelling.canonical = credential_of.canonical
$$;

CREATE FUNCTION diff.near_miss() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN random() < 0.7
                THEN diff.mangle(diff.pick(ARRAY['70-3461', '7O-346', '70-345', '70-348',
                         'MCSA Office 2016', 'MCSA', 'Office 365', '70 346 347', '346',
                         '70-346.', 'exam exam 70-346', 'examination 70-347',
                         '70-347 exam', 'MCSE: Productivity', 'MCSA: Office 365 2016',
                         'MCSA Office 365 exam', 'e70-346']))
                ELSE diff.pick(ARRAY['', ' ', 'exam', 'Exam:', '７０-346', U&'70\2013346',
                         U&'MCSA\00A0Office 365', 'MCSA： Office 365', U&'Exam\00A070-347',
                         'Ｅxam 70-347',
                         U&'70-34\0666'])
           END
$$;

SELECT setseed(0.20170731);

-- 300 partners in both markets.  By partner_id % 10:
--   0        no data at all
--   1 to 4   calibrated: exact, known figures at one date with the 28-day window
--   5 to 9   random: associations with a shared pool of tenants, random persons
INSERT INTO cp_partner (partner_id, name, market)
SELECT g, 'Partner ' || g,
       CASE WHEN random() < 0.5 THEN 'developed' ELSE 'developing' END::cp_market
FROM generate_series(1, 300) g;

-- Pool tenants 1 to 1200 (1 to 30 popular, 1001 to 1200 without usage).
-- Associations of random partners: 1 to 4 rows per (partner, tenant), of any
-- kind, overlapping, ended, not yet started, open, ending on an evaluation date.
CREATE TABLE diff.pair AS
SELECT p.partner_id, CASE WHEN random() < 0.3 THEN diff.rnd(1, 30)
                          ELSE diff.rnd(31, 1200) END AS tenant
FROM cp_partner p, generate_series(1, 9) s
WHERE p.partner_id % 10 >= 5 AND random() < 0.6;

INSERT INTO cp_association (partner_id, tenant_id, kind, valid_from, valid_until)
SELECT partner_id, regress.t(tenant), kind, valid_from,
       CASE WHEN valid_until > valid_from THEN valid_until
            WHEN valid_until IS NOT NULL THEN valid_from + 1 END
FROM (
    SELECT x.partner_id, x.tenant,
           diff.pick(enum_range(NULL::cp_association_kind)) AS kind,
           x.valid_from,
           CASE WHEN r < 0.3 THEN NULL
                WHEN r < 0.6 THEN diff.eval_day()
                WHEN r < 0.7 THEN diff.eval_day(1)
                ELSE x.valid_from + diff.rnd(1, 120) END AS valid_until
    FROM (
        SELECT pr.partner_id, pr.tenant, random() AS r,
               CASE WHEN random() < 0.4
                    THEN diff.eval_day()
                    WHEN random() < 0.15
                    THEN diff.eval_day(1)
                    ELSE date '2016-06-01' + diff.rnd(0, 480) END AS valid_from
        FROM diff.pair pr, generate_series(1, 4) s
        WHERE s = 1 OR random() < 0.4
    ) x
) y;

-- Usage of pool tenants 1 to 1000: several series (workload spelling, SKU)
-- per tenant, several measurements per series.
CREATE TABLE diff.series AS
SELECT t AS tenant, s AS series, diff.some_workload() AS workload,
       diff.pick(ARRAY['ENTERPRISEPACK', 'ENTERPRISEPACK', 'STANDARDPACK', 'O365_E3',
                       'O365_E3', 'o365_e3', 'O365_E3 ', 'SPE_E5', 'EXCHANGESTANDARD',
                       'Ｏ365_E3', '']) AS sku
FROM generate_series(1, 1000) t, generate_series(1, 7) s
WHERE random() < 0.55;

CREATE TABLE diff.measurement AS
SELECT s.tenant, s.workload, s.sku, random() < 0.15 AS is_trial,
       CASE WHEN r < 0.08 THEN 0
            WHEN r < 0.45 THEN diff.rnd(1, 100)
            WHEN r < 0.9 THEN diff.rnd(100, 700)
            WHEN r < 0.997 THEN diff.rnd(700, 2500)
            ELSE diff.rnd(2000000000, 2147483647) END AS active_users,  -- sums over int4
       diff.some_date() AS measured_on
FROM (SELECT s.*, random() AS r
      FROM diff.series s, generate_series(1, 9) m
      WHERE m = 1 OR random() < 0.6) s;

INSERT INTO cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
SELECT regress.t(tenant), workload, sku, is_trial, active_users, measured_on
FROM diff.measurement
UNION ALL   -- exact duplicates
SELECT regress.t(tenant), workload, sku, is_trial, active_users, measured_on
FROM diff.measurement WHERE random() < 0.15
UNION ALL   -- conflicting counts on the same date (maybe another spelling)
SELECT regress.t(tenant),
       CASE WHEN random() < 0.5 THEN workload ELSE diff.some_workload() END,
       sku, random() < 0.1, diff.rnd(0, 1200), measured_on
FROM diff.measurement WHERE random() < 0.15;

-- Figures beyond the integer range: two popular tenants with huge counts
-- (summed over SKUs, then over tenants) at every evaluation date.
INSERT INTO cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
SELECT regress.t(v.tenant), diff.workload_of('exchange_online'), v.sku, false, v.n, d.as_of - 1
FROM diff.eval_date d, (VALUES (1, 'ENTERPRISEPACK', 2000000000),
                               (1, 'STANDARDPACK', 1500000000),
                               (2, 'O365_E3', 2147483647)) v(tenant, sku, n);

-- Persons of random partners: 0 to 5 each, 0 to 4 credentials each.
INSERT INTO cp_person (person_id, partner_id, name)
SELECT p.partner_id * 100 + s, p.partner_id, 'Person ' || s
FROM cp_partner p, generate_series(1, 5) s
WHERE p.partner_id % 10 >= 5 AND random() < 0.5;

INSERT INTO cp_credential (person_id, credential, earned_on, expires_on)
SELECT person_id, credential, earned_on,
       CASE WHEN r < 0.4 THEN NULL
            WHEN r < 0.6 THEN diff.eval_day()
            WHEN r < 0.7 THEN diff.eval_day(1)
            WHEN r < 0.75 THEN earned_on - 1     -- expires before it is earned
            ELSE earned_on + diff.rnd(1, 700) END
FROM (
    SELECT pe.person_id, random() AS r,
           CASE WHEN random() < 0.8
                THEN diff.credential_of(diff.pick(ARRAY['70-346', '70-346', '70-347',
                                                        '70-347', 'mcsa']))
                ELSE diff.near_miss() END AS credential,
           CASE WHEN random() < 0.25 THEN diff.edge_day()
                ELSE date '2015-06-01' + diff.rnd(0, 850) END AS earned_on
    FROM cp_person pe, generate_series(1, 4) s
    WHERE random() < 0.6
) c;

-- Calibrated partners: as of dc with the 28-day window, exactly `target`
-- active entitlements and `individuals` qualified individuals, whatever the
-- noise around them.  Tenant 5000 + partner_id is theirs alone.
CREATE TABLE diff.calibrated AS
SELECT partner_id, dc, target, individuals,
       a, c, target - a - c AS b,     -- ENTERPRISEPACK, STANDARDPACK, standardpack
       s1, diff.rnd(0, target - s1) AS s2  -- SharePoint's SKUs: at most target
FROM (
    SELECT x.*, diff.rnd(0, target - a) AS c, diff.rnd(0, target) AS s1
    FROM (
        SELECT partner_id, dc, target, individuals, diff.rnd(0, target) AS a
        FROM (
            SELECT p.partner_id,
                   diff.eval_day() AS dc,
                   diff.pick(ARRAY[0, 500, 999, 999, 1000, 1000, 1001, 1999, 1999,
                                   2000, 2000, 2001, 3999, 3999, 4000, 4000,
                                   4001, 6000]) AS target,
                   diff.pick(ARRAY[0, 1, 1, 2, 2, 3]) AS individuals
            FROM cp_partner p WHERE p.partner_id % 10 BETWEEN 1 AND 4
        ) y
    ) x
) z;

INSERT INTO cp_association (partner_id, tenant_id, kind, valid_from, valid_until)
SELECT c.partner_id, regress.t(v.tenant), v.kind::cp_association_kind, v.vf, v.vu
FROM diff.calibrated c, LATERAL (VALUES
    (5000 + c.partner_id::integer, 'delegated_admin', c.dc - 400, NULL),   -- open
    (5000 + c.partner_id::integer, 'transacting_partner', c.dc, c.dc + 1), -- on dc only
    (5000 + c.partner_id::integer, 'digital_partner_of_record', c.dc - 100, c.dc), -- ends on dc
    (5000 + c.partner_id::integer, 'delegated_admin', c.dc + 1, NULL),     -- not yet started
    (1 + c.partner_id::integer % 30, 'delegated_admin', date '2016-01-01', date '2017-06-30'),
    (1 + c.partner_id::integer % 30, 'transacting_partner', date '2017-08-30', NULL)
) v(tenant, kind, vf, vu);

INSERT INTO cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
SELECT regress.t(5000 + c.partner_id::integer), v.workload, v.sku, v.trial, v.n, v.d
FROM diff.calibrated c, LATERAL (VALUES
    -- counted: a + b + c in Exchange
    (diff.workload_of('exchange_online'), 'ENTERPRISEPACK', false, c.a, c.dc - 27),
    (diff.workload_of('exchange_online'), 'STANDARDPACK', false, c.b, c.dc),
    (diff.workload_of('exchange_online'), 'STANDARDPACK', false, c.b, c.dc),
    (diff.workload_of('exchange_online'), 'standardpack', false, c.c, c.dc - 1),
    -- stale, trial (also newer), smaller duplicate, superseded, future
    (diff.workload_of('exchange_online'), 'ENTERPRISEPACK', false, c.a + 500, c.dc - 28),
    (diff.workload_of('exchange_online'), 'ENTERPRISEPACK', true, 9000, c.dc - 27),
    (diff.workload_of('exchange_online'), 'ENTERPRISEPACK', true, 9000, c.dc),
    (diff.workload_of('exchange_online'), 'STANDARDPACK', false, c.b / 2, c.dc),
    (diff.workload_of('exchange_online'), 'STANDARDPACK', false, c.b + 777, c.dc - 3),
    (diff.workload_of('exchange_online'), 'STANDARDPACK', false, 9999, c.dc + 1),
    (diff.workload_of('exchange_online'), 'standardpack', false, 0, c.dc - 2),
    -- lower or equal workloads
    (diff.workload_of('sharepoint_online'), 'ENTERPRISEPACK', false, c.s1, c.dc - 1),
    (diff.workload_of('sharepoint_online'), 'O365_E3', false, c.s2, c.dc - 20),
    (diff.workload_of('proplus'), 'O365_E3', false, c.target, c.dc - 10),
    (diff.workload_of('yammer'), 'ENTERPRISEPACK', false, 0, c.dc),
    (diff.workload_of('skype_for_business'), 'ENTERPRISEPACK', false, c.target + 1, c.dc - 28),
    (diff.workload_of('skype_for_business'), 'ENTERPRISEPACK', false, c.target + 1, c.dc + 1),
    (diff.workload_of('skype_for_business'), 'ENTERPRISEPACK', true, c.target + 1, c.dc),
    -- not eligible
    ('Teams', 'ENTERPRISEPACK', false, 9000, c.dc),
    ('Ｅxchange', 'ENTERPRISEPACK', false, 9000, c.dc),
    (U&'Exchange\00A0Online', 'STANDARDPACK', false, 9000, c.dc),
    ('Exchange Onlin', 'STANDARDPACK', false, 9000, c.dc),
    ('Intune', 'O365_E3', false, 9000, c.dc)
) v(workload, sku, trial, n, d);

-- Calibrated persons: `individuals` qualify on dc, by either path; the others
-- do not (one exam only, exams split between two persons, not yet earned,
-- expiring on dc, expired, near misses).
INSERT INTO cp_person (person_id, partner_id, name)
SELECT 100000 + c.partner_id * 10 + k, c.partner_id, NULL
FROM diff.calibrated c, generate_series(0, 9) k;

INSERT INTO cp_credential (person_id, credential, earned_on, expires_on)
SELECT 100000 + q.partner_id * 10 + q.k, v.credential, v.earned_on, v.expires_on
FROM (SELECT c.*, k, diff.pick(ARRAY['mcsa', 'exams', 'both', 'again']) AS path
      FROM diff.calibrated c, generate_series(1, 3) k
      WHERE k <= c.individuals) q,
LATERAL (VALUES
    (diff.credential_of('mcsa'), q.dc, diff.pick(ARRAY[NULL, q.dc + 1]),
     q.path IN ('mcsa', 'both')),
    (diff.credential_of('70-346'), q.dc - diff.rnd(0, 500), NULL, q.path <> 'mcsa'),
    (diff.credential_of('70-347'), q.dc - diff.rnd(0, 500), q.dc + diff.rnd(1, 300),
     q.path <> 'mcsa'),
    (diff.credential_of('70-346'), q.dc - 900, q.dc - 30, q.path = 'again'),
    (diff.near_miss(), q.dc - 10, NULL, true)
) v(credential, earned_on, expires_on, used)
WHERE v.used;

INSERT INTO cp_credential (person_id, credential, earned_on, expires_on)
SELECT 100000 + c.partner_id * 10 + v.k, v.credential, v.earned_on, v.expires_on
FROM diff.calibrated c, LATERAL (VALUES
    (5, diff.credential_of('70-346'), c.dc - 50, NULL::date),   -- one exam only
    (5, diff.near_miss(), c.dc - 50, NULL),
    (5, diff.near_miss(), c.dc - 50, NULL),
    (6, diff.credential_of('70-347'), c.dc - 20, NULL),   -- the other exam of 5
    (7, diff.credential_of('70-346'), c.dc - 20, NULL),   -- not yet earned
    (7, diff.credential_of('70-347'), c.dc + 1, NULL),
    (8, diff.credential_of('mcsa'), c.dc - 700, c.dc),    -- expires on dc
    (9, diff.credential_of('70-346'), c.dc - 700, NULL),  -- one expired
    (9, diff.credential_of('70-347'), c.dc - 700, c.dc - 5),
    (9, diff.credential_of('mcsa'), c.dc + 1, NULL)       -- not yet earned
) v(k, credential, earned_on, expires_on);

-- Rows to compare.
SELECT count(*) BETWEEN 20000 AND 100000 AS usage_rows_in_range FROM cp_usage;
ANALYZE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
        diff.workload_key, diff.credential_key, diff.eval_date, diff.window_days;

-------------------------------------------------------------------------------
-- The comparisons: differences per (date, window) must be 0.
-------------------------------------------------------------------------------

-- Per date and window: the session's setting, whether cp_evaluate gave one
-- row per partner, and every differing partner (none: one row of NULLs).
CREATE TABLE diff.found (as_of date, window_days integer, setting text,
                         one_row_per_partner boolean,
                         partner_id bigint, extension text, reference text);

SET competency.usage_window = '28d';
INSERT INTO diff.found
SELECT d.as_of, 28, current_setting('competency.usage_window'),
       diff.one_row_per_partner(d.as_of), m.*
FROM diff.eval_date d LEFT JOIN LATERAL diff.mismatches(d.as_of, 28) m ON true;

SET competency.usage_window = '7d';
INSERT INTO diff.found
SELECT d.as_of, 7, current_setting('competency.usage_window'),
       diff.one_row_per_partner(d.as_of), m.*
FROM diff.eval_date d LEFT JOIN LATERAL diff.mismatches(d.as_of, 7) m ON true;

SET competency.usage_window = '35d';
INSERT INTO diff.found
SELECT d.as_of, 35, current_setting('competency.usage_window'),
       diff.one_row_per_partner(d.as_of), m.*
FROM diff.eval_date d LEFT JOIN LATERAL diff.mismatches(d.as_of, 35) m ON true;

SET competency.usage_window = '1d';
INSERT INTO diff.found
SELECT d.as_of, 1, current_setting('competency.usage_window'),
       diff.one_row_per_partner(d.as_of), m.*
FROM diff.eval_date d LEFT JOIN LATERAL diff.mismatches(d.as_of, 1) m ON true;

SELECT window_days, setting, as_of, bool_and(one_row_per_partner) AS one_row_per_partner,
       count(partner_id) AS differences
FROM diff.found GROUP BY window_days, setting, as_of ORDER BY window_days, as_of;

-- The first differences found, if any (both sides shown).
SELECT window_days, as_of, partner_id, extension, reference
FROM diff.found WHERE partner_id IS NOT NULL
ORDER BY window_days, as_of, partner_id LIMIT 10;

SET competency.usage_window = '28d';

-- Forced parallel plans: cp_evaluate, then the aggregates in the workers.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

SELECT regress.plan_has($$SELECT * FROM cp_evaluate('2017-07-31')$$, 'Gather') AS gather;

SELECT e.as_of, count(*) = 300 AS one_row_per_partner,
       count(*) FILTER (WHERE e IS DISTINCT FROM r) AS differences
FROM (SELECT d.as_of, x.partner_id, x.market::text AS market, x.active_entitlements,
             x.qualified_individuals, x.level::text AS level,
             x.next_level::text AS next_level, x.entitlements_short,
             x.individuals_short
      FROM diff.eval_date d, cp_evaluate(d.as_of) x) e
FULL JOIN (SELECT d.as_of, r.*
           FROM diff.eval_date d, diff.reference(d.as_of, 28) r) r
       ON r.as_of = e.as_of AND r.partner_id = e.partner_id
GROUP BY e.as_of ORDER BY e.as_of;

-- Under these settings the planner may well gather the rows below
-- cp_evaluate's grouped aggregates rather than aggregate in the workers.
-- Here the aggregates run partially in the workers (checked), their states
-- serialized and combined in the leader: over the raw join, one usage row
-- per association row (the same row several times for a tenant with several
-- associations, which the duplicates-by-max rule absorbs; associations of
-- the three kinds the rules count, as in the reference), grouped by
-- partner; and over every credential, keyed by person, whose count is the
-- sum of all partners'.
CREATE TABLE diff.parallel_query AS SELECT $q$
SELECT %1$L::date AS as_of,
       (SELECT count(*)
        FROM (SELECT x.partner_id,
                     cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
                                            u.is_trial, u.measured_on) AS n
              FROM cp_usage u JOIN cp_association x ON x.tenant_id = u.tenant_id
              WHERE x.valid_from <= %1$L AND (x.valid_until IS NULL OR %1$L < x.valid_until)
                AND x.kind IN ('delegated_admin', 'transacting_partner',
                                     'digital_partner_of_record')
                AND u.measured_on > %1$L::date - 28 AND u.measured_on <= %1$L
              GROUP BY x.partner_id) e
        FULL JOIN diff.reference(%1$L, 28) r ON r.partner_id = e.partner_id
        WHERE coalesce(e.n, 0) IS DISTINCT FROM r.active_entitlements)
           AS entitlements_differences,
       (SELECT cp_qualified_individuals(c.person_id, c.credential)
        FROM cp_credential c
        WHERE c.earned_on <= %1$L AND (c.expires_on IS NULL OR %1$L < c.expires_on))
       = (SELECT sum(qualified_individuals) FROM diff.reference(%1$L, 28))
           AS individuals_agree
$q$ AS template;

SELECT regress.plan_has(format(template, '2017-07-31'), 'PARTIAL cp_active_entitlements\(')
           AS partial_entitlements,
       regress.plan_has(format(template, '2017-07-31'), 'PARTIAL cp_qualified_individuals\(')
           AS partial_individuals
FROM diff.parallel_query;

SELECT format(template, as_of) FROM diff.parallel_query, diff.eval_date ORDER BY as_of
-- (the generated statements are run, not echoed)
\set ECHO none
\gexec
\set ECHO all

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET competency.usage_window;

-------------------------------------------------------------------------------
-- The data exercise the rules (reference figures, 28-day window).
-------------------------------------------------------------------------------

CREATE TABLE diff.result AS
SELECT d.as_of, r.* FROM diff.eval_date d, diff.reference(d.as_of, 28) r;

-- Every level in every market at every date.
SELECT m.market, l.level,
       bool_and(EXISTS (SELECT FROM diff.result r
                        WHERE r.as_of = d.as_of AND r.market = m.market
                          AND r.level = l.level)) AS at_every_date
FROM (VALUES ('developed'), ('developing')) m(market),
     (VALUES ('none'), ('silver'), ('gold')) l(level), diff.eval_date d
GROUP BY m.market, l.level ORDER BY 1, 2;

-- Figures on and next to the thresholds.
SELECT c.description, EXISTS (SELECT FROM diff.result r
                              WHERE r.market LIKE c.market
                                AND r.active_entitlements = c.entitlements
                                AND r.qualified_individuals BETWEEN c.lo AND c.hi
                                AND r.level = c.level) AS occurs
FROM (VALUES
    ('developing 999, 1 individual: none',   'developing',  999, 1, 1, 'none'),
    ('developing 1000, 1 individual: silver', 'developing', 1000, 1, 1, 'silver'),
    ('developing 1001: silver',               'developing', 1001, 1, 9, 'silver'),
    ('developing 1000, 0 individuals: none',  'developing', 1000, 0, 0, 'none'),
    ('developed 1999, 1 individual: none',    'developed',  1999, 1, 1, 'none'),
    ('developed 2000, 1 individual: silver',  'developed',  2000, 1, 1, 'silver'),
    ('developed 2001: silver',                'developed',  2001, 1, 9, 'silver'),
    ('developed 1000: none',                  'developed',  1000, 0, 9, 'none'),
    ('3999, 2 individuals: silver',           '%',          3999, 2, 2, 'silver'),
    ('4000, 2 individuals: gold',             '%',          4000, 2, 2, 'gold'),
    ('4001, 3 individuals: gold',             '%',          4001, 3, 3, 'gold'),
    ('4000, 1 individual: silver',            '%',          4000, 1, 1, 'silver'),
    ('4000, 0 individuals: none',             '%',          4000, 0, 0, 'none'),
    ('0 entitlements, 3 individuals: none',   '%',             0, 3, 3, 'none')
) c(description, market, entitlements, lo, hi, level)
ORDER BY 1;

-- The raw data hold the adversarial cases.
SELECT c.description, c.holds FROM (VALUES
    ('a tenant counted by several partners',
     EXISTS (SELECT FROM diff.eval_date d, cp_association a
             WHERE a.valid_from <= d.as_of AND (a.valid_until IS NULL OR d.as_of < a.valid_until)
             GROUP BY d.as_of, a.tenant_id HAVING count(DISTINCT a.partner_id) > 1)),
    ('several active associations for one partner and tenant',
     EXISTS (SELECT FROM diff.eval_date d, cp_association a
             WHERE a.valid_from <= d.as_of AND (a.valid_until IS NULL OR d.as_of < a.valid_until)
             GROUP BY d.as_of, a.partner_id, a.tenant_id HAVING count(DISTINCT a.kind) > 1)),
    ('associations ending on an evaluation date',
     EXISTS (SELECT FROM cp_association a JOIN diff.eval_date d ON a.valid_until = d.as_of)),
    ('associations starting the day after an evaluation date',
     EXISTS (SELECT FROM cp_association a JOIN diff.eval_date d ON a.valid_from = d.as_of + 1)),
    ('exact duplicate usage rows',
     EXISTS (SELECT FROM cp_usage u GROUP BY u.* HAVING count(*) > 1)),
    ('conflicting counts on one date',
     EXISTS (SELECT FROM cp_usage u
             GROUP BY u.tenant_id, u.workload, u.sku, u.measured_on
             HAVING count(DISTINCT u.active_users) > 1)),
    ('one workload spelled differently on one date',
     EXISTS (SELECT FROM cp_usage u JOIN diff.workload_key k ON k.folded = diff.fold(u.workload)
             GROUP BY u.tenant_id, k.canonical, u.sku, u.measured_on
             HAVING count(DISTINCT u.workload) > 1)),
    ('trial rows newer than paid rows',
     EXISTS (SELECT FROM cp_usage t JOIN cp_usage p USING (tenant_id, workload, sku)
             WHERE t.is_trial AND NOT p.is_trial AND t.measured_on > p.measured_on)),
    ('SKUs differing only in case or spaces',
     EXISTS (SELECT FROM cp_usage u WHERE u.sku IN ('o365_e3', 'O365_E3 '))),
    ('non-ASCII look-alike workloads',
     EXISTS (SELECT FROM cp_usage u WHERE u.workload ~ '[^\x01-\x7f]')),
    ('zero counts', EXISTS (SELECT FROM cp_usage u WHERE u.active_users = 0)),
    ('figures beyond the integer range',
     EXISTS (SELECT FROM diff.result r WHERE r.active_entitlements > 2147483647)),
    ('calibrated partners have their designed figures',
     NOT EXISTS (SELECT FROM diff.calibrated c JOIN diff.result r
                         ON r.as_of = c.dc AND r.partner_id = c.partner_id
                 WHERE (r.active_entitlements, r.qualified_individuals)
                       IS DISTINCT FROM (c.target::bigint, c.individuals))),
    ('every window edge at every date',
     NOT EXISTS (SELECT FROM diff.eval_date d, diff.window_days w,
                        (VALUES (0), (1)) k(k)
                 WHERE NOT EXISTS (SELECT FROM cp_usage u
                                   WHERE u.measured_on = d.as_of - w.days + k.k))
     AND NOT EXISTS (SELECT FROM diff.eval_date d
                     WHERE NOT EXISTS (SELECT FROM cp_usage u
                                       WHERE u.measured_on = d.as_of + 1))),
    ('every accepted workload spelling',
     NOT EXISTS (SELECT FROM diff.workload_spelling s
                 WHERE NOT EXISTS (SELECT FROM cp_usage u
                                   WHERE diff.fold(u.workload) = diff.fold(s.spelling)))),
    ('every accepted credential spelling, with and without exam',
     NOT EXISTS (SELECT FROM diff.credential_spelling s, (VALUES (''), ('exam')) e(e)
                 WHERE NOT EXISTS (SELECT FROM cp_credential c
                                   WHERE diff.fold(c.credential) = e.e || diff.fold(s.spelling)))),
    ('credentials expiring on an evaluation date',
     EXISTS (SELECT FROM cp_credential c JOIN diff.eval_date d ON c.expires_on = d.as_of)),
    ('partners with no data at all',
     EXISTS (SELECT FROM cp_partner p
             WHERE NOT EXISTS (SELECT FROM cp_association a WHERE a.partner_id = p.partner_id)
               AND NOT EXISTS (SELECT FROM cp_person e WHERE e.partner_id = p.partner_id)))
) c(description, holds)
ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA diff CASCADE;
RESET client_min_messages;
SELECT regress.reset();
