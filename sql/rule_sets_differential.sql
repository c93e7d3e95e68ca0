--
-- Differential test of rule sets: the evaluation under dated sets and
-- drafts against an independent plain-SQL statement of the rules (rsdiff.*)
-- that reads each set from the rule tables and uses no function of the
-- extension.  Seeded random data (messy spellings, trials, duplicates, several
-- associations of every kind per tenant, fast_track included) and seeded
-- random complete sets (random workloads, spellings, paths, thresholds, not
-- always monotone, and association kinds), some dated, some drafts.  Only
-- numbers of differences (0 expected) and booleans are shown.
--
-- Compared, at several dates and usage windows:
--   cp_evaluate(D, R) for every set R, drafts and 2017-07 included;
--   cp_evaluate(D) with the set in force on D;
--   the aggregates under every set, grouped by partner, in a parallel and a
--   serial plan;
--   cp_membership_status(D): level and margins under D's set, the projection
--   under the set in force on each partner's renewal date E;
--   cp_explain (its counted rows sum to the figure) and cp_explain_risk (the
--   figures plus the changes give the projection; a rules_change row exactly
--   when the sets in force on D and on E differ).
--
SELECT regress.reset();
SET datestyle = 'ISO, MDY';
SET jit = off;
CREATE SCHEMA rsdiff;

-------------------------------------------------------------------------------
-- The reference: the rules in plain SQL; each set is read from its tables.
-------------------------------------------------------------------------------

-- ASCII-only folding: ASCII whitespace, '_', '-' and ':' dropped, A-Z to a-z
-- (lower() under the "C" collation folds ASCII letters only).
CREATE FUNCTION rsdiff.fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(lower(s COLLATE "C"), E' \t\n\r\f' || chr(11) || '_-:', '')
$$;

SELECT rsdiff.fold(E' Ab\tC\nd\re\ff' || chr(11) || 'G_h-I:j ') = 'abcdefghij' AS folds_ascii,
       rsdiff.fold(U&'ÄÖ İ Ｅ \017F \212A \00A0X') = U&'ÄÖİＥ\017F\212A\00A0x' AS leaves_non_ascii;

-- Under a set, a usage row's folded workload names the workload one of the
-- set's spellings or canonical names folds to.
CREATE VIEW rsdiff.workload_key AS
SELECT w.rule_set, rsdiff.fold(w.spelling) AS folded, w.workload FROM cp_rule_workload w
UNION
SELECT w.rule_set, rsdiff.fold(w.workload), w.workload FROM cp_rule_workload w;

-- Under a set, a credential row's folded value names every canonical
-- credential of the set it folds like, or like with a leading "exam".
CREATE VIEW rsdiff.credential_key AS
SELECT DISTINCT c.rule_set, e.prefix || rsdiff.fold(c.credential) AS folded, c.credential
FROM cp_rule_credential c, (VALUES (''), ('exam')) e(prefix);

-- The set in force on a day: the greatest effective_from not after it.
CREATE FUNCTION rsdiff.set_on(d date) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT s.rule_set FROM cp_rule_set s
    WHERE s.effective_from <= d ORDER BY s.effective_from DESC LIMIT 1
$$;

-- A set's requirement of a level in a market (none: nothing).
CREATE FUNCTION rsdiff.required(rule_set text, level text, market text,
                                OUT entitlements bigint, OUT individuals integer)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(t.min_entitlements), 0), coalesce(max(t.min_individuals), 0)
    FROM cp_rule_threshold t
    WHERE t.rule_set = required.rule_set AND t.level::text = required.level
      AND t.market::text = required.market
$$;

CREATE FUNCTION rsdiff.rank(level text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['none', 'silver', 'gold'], level)
$$;

-- The usage and credential rows, their values folded once (filled when the
-- data are generated).
CREATE TABLE rsdiff.usage AS SELECT u.*, ''::text AS folded FROM cp_usage u WITH NO DATA;
CREATE TABLE rsdiff.credential AS SELECT c.*, ''::text AS folded FROM cp_credential c WITH NO DATA;

-- The questions: a partner's figures with the usage current as of usage_on
-- (window_days), the tenants it is associated with on assoc_on by a kind
-- the set counts, and the credentials earned by usage_on that are valid on
-- cred_on, under rule_set.  An evaluation asks (D, D, D, R); the projection
-- to a renewal date E asks (D, E, E, the set in force on E).
CREATE TABLE rsdiff.question (
    q serial PRIMARY KEY, partner_id bigint NOT NULL, usage_on date NOT NULL,
    assoc_on date NOT NULL, cred_on date NOT NULL, rule_set text NOT NULL,
    window_days integer NOT NULL,
    UNIQUE (partner_id, usage_on, assoc_on, cred_on, rule_set, window_days));

-- The answers to every question: figures, level, next level, shortfalls.
CREATE FUNCTION rsdiff.answers()
RETURNS TABLE (q integer, market text, active_entitlements bigint, qualified_individuals integer,
               level text, next_level text, entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE AS $$
WITH
-- Steps 2 to 6 per tenant, for each (date, window, set) asked: no trial,
-- workloads of the set by canonical name, SKUs byte for byte, current rows
-- only; the latest per (tenant, workload, SKU), the largest on a tie; SKUs
-- summed; the highest workload.
asked AS (SELECT DISTINCT usage_on, window_days, rule_set FROM rsdiff.question),
current_rows AS (
    SELECT a.usage_on, a.window_days, a.rule_set, u.tenant_id, k.workload,
           convert_to(u.sku, 'UTF8') AS sku, u.active_users, u.measured_on
    FROM asked a
    JOIN rsdiff.usage u ON u.measured_on > a.usage_on - a.window_days AND u.measured_on <= a.usage_on
    JOIN rsdiff.workload_key k ON k.rule_set = a.rule_set AND k.folded = u.folded
    WHERE NOT u.is_trial
),
latest AS (
    SELECT DISTINCT ON (usage_on, window_days, rule_set, tenant_id, workload, sku)
           usage_on, window_days, rule_set, tenant_id, workload, active_users
    FROM current_rows
    ORDER BY usage_on, window_days, rule_set, tenant_id, workload, sku,
             measured_on DESC, active_users DESC
),
per_workload AS (
    SELECT usage_on, window_days, rule_set, tenant_id, workload, sum(active_users) AS n
    FROM latest GROUP BY 1, 2, 3, 4, 5
),
per_tenant AS (
    SELECT usage_on, window_days, rule_set, tenant_id, max(n) AS n
    FROM per_workload GROUP BY 1, 2, 3, 4
),
-- Step 1 and 7: the tenants of an association of a kind the set counts,
-- active on assoc_on, each once; their figures summed.
associated AS (
    SELECT DISTINCT q.q, a.tenant_id
    FROM rsdiff.question q
    JOIN cp_association a ON a.partner_id = q.partner_id
    JOIN cp_rule_association k ON k.rule_set = q.rule_set AND k.kind = a.kind
    WHERE a.valid_from <= q.assoc_on AND (a.valid_until IS NULL OR q.assoc_on < a.valid_until)
),
entitlements AS (
    SELECT q.q, sum(t.n)::bigint AS n
    FROM associated a JOIN rsdiff.question q ON q.q = a.q
    JOIN per_tenant t ON t.usage_on = q.usage_on AND t.window_days = q.window_days
                     AND t.rule_set = q.rule_set AND t.tenant_id = a.tenant_id
    GROUP BY q.q
),
-- The set's credentials each person of the partner holds: earned by
-- usage_on, not expired on cred_on.
held AS (
    SELECT DISTINCT q.q, p.person_id, k.credential
    FROM rsdiff.question q
    JOIN cp_person p ON p.partner_id = q.partner_id
    JOIN rsdiff.credential c ON c.person_id = p.person_id
    JOIN rsdiff.credential_key k ON k.rule_set = q.rule_set AND k.folded = c.folded
    WHERE c.earned_on <= q.usage_on AND (c.expires_on IS NULL OR q.cred_on < c.expires_on)
),
-- A person qualifies holding every credential of some path: the number of
-- the path's credentials held is the path's size.
path_size AS (
    SELECT rule_set, path, count(*) AS n FROM cp_rule_credential GROUP BY 1, 2
),
qualified AS (
    SELECT DISTINCT h.q, h.person_id
    FROM held h JOIN rsdiff.question q ON q.q = h.q
    JOIN cp_rule_credential c ON c.rule_set = q.rule_set AND c.credential = h.credential
    JOIN path_size s ON s.rule_set = c.rule_set AND s.path = c.path
    GROUP BY h.q, h.person_id, c.path, s.n
    HAVING count(*) = s.n
),
individuals AS (
    SELECT q, count(*)::integer AS n FROM qualified GROUP BY q
),
figures AS (
    SELECT q.q, q.rule_set, p.market::text AS market,
           coalesce(e.n, 0) AS ae, coalesce(i.n, 0) AS qi
    FROM rsdiff.question q JOIN cp_partner p ON p.partner_id = q.partner_id
    LEFT JOIN entitlements e ON e.q = q.q
    LEFT JOIN individuals i ON i.q = q.q
),
-- The highest level both of whose requirements (the set's, in the market)
-- are met.
levels AS (
    SELECT f.*, CASE WHEN f.ae >= g.entitlements AND f.qi >= g.individuals THEN 'gold'
                     WHEN f.ae >= s.entitlements AND f.qi >= s.individuals THEN 'silver'
                     ELSE 'none' END AS level
    FROM figures f,
         LATERAL rsdiff.required(f.rule_set, 'silver', f.market) s,
         LATERAL rsdiff.required(f.rule_set, 'gold', f.market) g
)
SELECT l.q, l.market, l.ae, l.qi, l.level, n.next_level,
       CASE WHEN n.next_level IS NOT NULL THEN greatest(r.entitlements - l.ae, 0) END,
       CASE WHEN n.next_level IS NOT NULL THEN greatest(r.individuals - l.qi, 0) END
FROM levels l,
     LATERAL (SELECT CASE l.level WHEN 'none' THEN 'silver' WHEN 'silver' THEN 'gold' END
                       AS next_level) n,
     LATERAL rsdiff.required(l.rule_set, n.next_level, l.market) r
$$;


-------------------------------------------------------------------------------
-- Evaluation dates (random picks: regress.rnd and regress.pick, from setup).
-------------------------------------------------------------------------------

-- Evaluation dates; the dated sets take effect between them (and one only
-- after them all, in force on renewal dates only).
CREATE TABLE rsdiff.eval_date (as_of date PRIMARY KEY);
INSERT INTO rsdiff.eval_date VALUES ('2017-06-30'), ('2017-07-31'), ('2017-08-01'), ('2017-09-20');
CREATE TABLE rsdiff.window_days (days integer PRIMARY KEY);
INSERT INTO rsdiff.window_days VALUES (28), (7);

CREATE FUNCTION rsdiff.eval_day(plus integer DEFAULT 0) RETURNS date
LANGUAGE sql VOLATILE AS $$
    SELECT regress.pick(array_agg(as_of + plus ORDER BY as_of)) FROM rsdiff.eval_date
$$;

-- A spelling with random ASCII case and separators, maybe padded.
CREATE FUNCTION rsdiff.mangle(s text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT regress.pick(ARRAY['', '', '', ' ', E'\t', '_'])
        || string_agg(CASE WHEN random() < 0.5 THEN upper(c) ELSE lower(c) END
                      || CASE WHEN random() < 0.1
                              THEN regress.pick(ARRAY[' ', '_', '-', ':', E'\t', E'\n', chr(11), '-_:'])
                              ELSE '' END, '' ORDER BY i)
        || regress.pick(ARRAY['', '', '', ' ', E'\r\n'])
    FROM regexp_split_to_table(s, '') WITH ORDINALITY AS t(c, i)
$$;

-- Workloads the sets may name, with the spellings they may accept (no two
-- fold alike, and no canonical name folds like another family's spelling).
CREATE TABLE rsdiff.family (family text PRIMARY KEY, builtin boolean, spellings text[]);
INSERT INTO rsdiff.family VALUES
    ('exchange_online', true, ARRAY['Exchange Online', 'Exchange', 'EXO', 'Exchange Online Plan 1', 'EOL']),
    ('sharepoint_online', true, ARRAY['SharePoint Online', 'SharePoint', 'SPO', 'ODSP']),
    ('skype_for_business', true, ARRAY['Skype for Business', 'Skype for Business Online', 'SfB', 'Lync']),
    ('yammer', true, ARRAY['Yammer', 'YAM', 'Yammer Enterprise']),
    ('proplus', true, ARRAY['ProPlus', 'Office 365 ProPlus', 'Microsoft 365 Apps']),
    ('teams', false, ARRAY['Teams', 'Microsoft Teams', 'MSTeams']),
    ('intune', false, ARRAY['Intune', 'Microsoft Intune']),
    ('dynamics_365', false, ARRAY['Dynamics 365', 'D365']),
    ('onedrive', false, ARRAY['OneDrive', 'OneDrive for Business', 'ODB']),
    ('project_online', false, ARRAY['Project Online']);
SELECT count(DISTINCT rsdiff.fold(s)) = count(*) AS family_spellings_fold_apart
FROM rsdiff.family, unnest(spellings) s;

-- Credentials the paths may name, each in the forms a set may write its
-- canonical name in (one form per set).
CREATE TABLE rsdiff.credential_pool (credential text PRIMARY KEY, forms text[]);
INSERT INTO rsdiff.credential_pool VALUES
    ('70-346', ARRAY['70-346', '70 346', '70_346']),
    ('70-347', ARRAY['70-347']),
    ('MCSA: Office 365', ARRAY['MCSA: Office 365', 'MCSA-Office365', 'mcsa_office_365']),
    ('70-345', ARRAY['70-345']),
    ('MS-100', ARRAY['MS-100', 'ms100']),
    ('MS-101', ARRAY['MS-101']),
    ('MCSE: Productivity', ARRAY['MCSE: Productivity', 'MCSE Productivity']);

-------------------------------------------------------------------------------
-- Random complete sets: four dated (one in force on no evaluation date, only
-- on renewal dates), two drafts.  One transaction: complete at commit.
-------------------------------------------------------------------------------
SELECT setseed(0.1807);

DO $$
DECLARE
    s record;
    f record;
    canon text;
    named text[];
    forms text[];
    pool text[];
    path integer;
    k integer;
    picked text[];
    ind_silver integer;
    ind_gold integer;
BEGIN
    FOR s IN SELECT * FROM (VALUES ('FY18 H1', date '2017-07-20'), ('fy18-aug', '2017-08-01'),
                                   ('Gold 5000', '2017-09-01'), ('2018', '2018-01-01'),
                                   ('what-if: a 2018 draft', NULL), ('draft', NULL))
                           v(name, effective_from) LOOP
        INSERT INTO cp_rule_set VALUES (s.name, s.effective_from, 'random set ' || s.name);
        -- workloads: each family maybe, its spellings maybe, sometimes under
        -- the canonical name of a family named before (two workloads merged)
        named := ARRAY[]::text[];
        FOR f IN SELECT * FROM rsdiff.family ORDER BY family COLLATE "C" LOOP
            CONTINUE WHEN random() > CASE WHEN f.builtin THEN 0.7 ELSE 0.35 END;
            canon := CASE WHEN cardinality(named) > 0 AND random() < 0.15
                          THEN regress.pick(named) ELSE f.family END;
            named := named || canon;
            picked := ARRAY(SELECT x FROM unnest(f.spellings) x WHERE random() < 0.6);
            IF cardinality(picked) = 0 THEN
                picked := ARRAY[regress.pick(f.spellings)];
            END IF;
            INSERT INTO cp_rule_workload SELECT s.name, canon, x FROM unnest(picked) x;
        END LOOP;
        IF cardinality(named) = 0 THEN
            INSERT INTO cp_rule_workload VALUES (s.name, 'teams', 'Teams');
        END IF;
        -- paths of 1 to 3 credentials, each credential in one form per set
        forms := ARRAY(SELECT regress.pick(p.forms) FROM rsdiff.credential_pool p
                       ORDER BY p.credential COLLATE "C");
        pool := forms || forms[1:3] || forms[1:3];   -- the 2017 credentials more often
        path := 0;
        FOR i IN 1 .. regress.rnd(1, 4) LOOP
            path := path + regress.rnd(1, 3);
            k := regress.rnd(1, 3);
            INSERT INTO cp_rule_credential
            SELECT DISTINCT s.name, path, regress.pick(pool) FROM generate_series(1, k);
        END LOOP;
        -- thresholds, not always monotone; a level's individuals are the
        -- same in both markets
        ind_silver := regress.pick(ARRAY[0, 1, 1, 1, 2]);
        ind_gold := regress.pick(ARRAY[0, 1, 2, 2, 3]);
        INSERT INTO cp_rule_threshold
        SELECT s.name, l.level::competency_level, m.market::cp_market,
               regress.pick(ARRAY[0, 300, 800, 1000, 1500, 2000, 2500, 3000, 4000, 5000]),
               CASE l.level WHEN 'silver' THEN ind_silver ELSE ind_gold END
        FROM (VALUES ('silver'), ('gold')) l(level), (VALUES ('developed'), ('developing')) m(market);
        -- association kinds
        INSERT INTO cp_rule_association
        SELECT s.name, x FROM unnest(enum_range(NULL::cp_association_kind)) x WHERE random() < 0.6;
        IF NOT EXISTS (SELECT FROM cp_rule_association a WHERE a.rule_set = s.name) THEN
            INSERT INTO cp_rule_association VALUES (s.name, 'fast_track');
        END IF;
    END LOOP;
END
$$;

-- And a draft whose first path names both MS-100 and "exam MS-100": a row
-- "exam MS-100" matches both names (its folded value is the second's, and
-- "exam" followed by the first's), so it alone meets that path.
BEGIN;
INSERT INTO cp_rule_set VALUES ('exam prefix', NULL, 'MS-100 and exam MS-100');
INSERT INTO cp_rule_threshold VALUES
    ('exam prefix', 'silver', 'developed', 1500, 1), ('exam prefix', 'silver', 'developing', 800, 1),
    ('exam prefix', 'gold', 'developed', 3000, 2), ('exam prefix', 'gold', 'developing', 3000, 2);
INSERT INTO cp_rule_workload SELECT 'exam prefix', workload, spelling FROM cp_rule_workload
WHERE rule_set = '2017-07';
INSERT INTO cp_rule_credential VALUES
    ('exam prefix', 1, 'MS-100'), ('exam prefix', 1, 'exam MS-100'), ('exam prefix', 2, 'MS-101');
INSERT INTO cp_rule_association SELECT 'exam prefix', k FROM unnest(enum_range(NULL::cp_association_kind)) k;
COMMIT;

ANALYZE cp_rule_set, cp_rule_threshold, cp_rule_workload, cp_rule_credential, cp_rule_association;
SELECT count(*) FILTER (WHERE effective_from IS NOT NULL) AS dated,
       count(*) FILTER (WHERE effective_from IS NULL) AS drafts
FROM cp_rule_set WHERE rule_set <> '2017-07';

-------------------------------------------------------------------------------
-- Random data, around the evaluation dates, the sets' dates and the renewal
-- dates.  Flagging is paused while loading.
-------------------------------------------------------------------------------
SET client_min_messages = warning;
SET competency.flagging = off;

-- 160 partners, both markets; partner_id % 8 = 0 have no data at all.
INSERT INTO cp_partner
SELECT g, 'Partner ' || g, CASE WHEN random() < 0.5 THEN 'developed' ELSE 'developing' END::cp_market
FROM generate_series(1, 160) g;

-- Memberships: 0 to 3 successive rows a partner, a year or shorter,
-- adjacent or with a gap, some ending on or next to an evaluation date or a
-- set's first day.
DO $$
DECLARE
    p bigint;
    d date;
    len integer;
BEGIN
    FOR p IN SELECT partner_id FROM cp_partner WHERE partner_id % 8 <> 0 ORDER BY 1 LOOP
        d := date '2016-06-01' + regress.rnd(0, 450);
        FOR i IN 1 .. regress.rnd(0, 3) LOOP
            len := regress.pick(ARRAY[365, 365, 366, 200, 90, 31]);
            IF random() < 0.25 THEN
                len := greatest(1, regress.pick(ARRAY[rsdiff.eval_day(regress.rnd(-1, 1)),
                                                     date '2017-07-20', '2017-08-01', '2017-09-01',
                                                     '2018-01-01', '2017-12-31']) - d);
            END IF;
            INSERT INTO cp_membership
            VALUES (p, regress.pick(ARRAY['silver', 'silver', 'silver', 'gold'])::competency_level, d, d + len);
            d := d + len + CASE WHEN random() < 0.5 THEN 0 ELSE regress.rnd(1, 50) END;
        END LOOP;
    END LOOP;
END
$$;

-- Associations: tenants 1 to 500 (1 to 25 popular), 1 to 4 rows per
-- (partner, tenant), of every kind, fast_track included; open, ended, not
-- yet started, ending on an evaluation or renewal date.
CREATE TABLE rsdiff.pair AS
SELECT p.partner_id, CASE WHEN random() < 0.25 THEN regress.rnd(1, 25) ELSE regress.rnd(26, 500) END AS tenant
FROM cp_partner p, generate_series(1, 16) s
WHERE p.partner_id % 8 <> 0 AND random() < 0.7;
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
                WHEN r < 0.65 THEN rsdiff.eval_day(regress.pick(ARRAY[0, 1, 2]))
                ELSE x.valid_from + regress.rnd(1, 400) END AS valid_until
    FROM (SELECT pr.partner_id, pr.tenant,
                 CASE WHEN random() < 0.4 THEN date '2016-01-01'
                      WHEN random() < 0.4 THEN rsdiff.eval_day(regress.pick(ARRAY[0, 1]))
                      ELSE date '2016-10-01' + regress.rnd(0, 500) END AS valid_from,
                 random() AS r
          FROM rsdiff.pair pr, generate_series(1, 4) k
          WHERE k = 1 OR random() < 0.4) x
) y;

-- Usage series (workload spelling, SKU) of tenants 1 to 520, measured
-- around the evaluation dates: spellings of every family and canonical
-- name, mangled, near misses, non-ASCII look-alikes; trials, zero counts,
-- exact duplicates and conflicting duplicates.
CREATE FUNCTION rsdiff.some_workload() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.75
                THEN rsdiff.mangle(regress.pick(
                         (SELECT array_agg(x ORDER BY x COLLATE "C") FROM rsdiff.family f,
                                 unnest(f.spellings || f.family) x)
                         || ARRAY['Exchange Online', 'EXO', 'SharePoint', 'SPO', 'Teams', 'ProPlus']))
                WHEN r < 0.92
                THEN rsdiff.mangle(regress.pick(ARRAY['Exchange Onlin', 'Teams Rooms', 'Dynamics',
                         'OneDrive Sync', 'Project', 'Intune Suite', 'Skype', 'exam EXO', 'EX O 2',
                         'Exchange.Online', 'Office 365', 'Yammer.com']))
                ELSE regress.pick(ARRAY['', ' ', 'Ｔeams', U&'Exchange\00A0Online', 'ＥＸＯ',
                         U&'\017FPO', 'Yammer Enterprıse', U&'Teams\200B'])
           END
    FROM (SELECT random() AS r) x
$$;

CREATE TABLE rsdiff.series AS
SELECT t AS tenant, s AS series, rsdiff.some_workload() AS workload,
       regress.pick(ARRAY['E3', 'E3', 'E1', 'E5', 'e3', 'E3 ', 'BUSINESS']) AS sku
FROM generate_series(1, 520) t, generate_series(1, 6) s
WHERE random() < 0.5;

CREATE TABLE rsdiff.measurement AS
SELECT s.tenant, s.workload, s.sku, random() < 0.12 AS is_trial,
       CASE WHEN r < 0.06 THEN 0
            WHEN r < 0.4 THEN regress.rnd(1, 100)
            WHEN r < 0.9 THEN regress.rnd(100, 700)
            ELSE regress.rnd(700, 2500) END AS active_users,
       CASE WHEN random() < 0.25
            THEN rsdiff.eval_day(regress.pick(ARRAY[-28, -27, -7, -6, 0, 1]))
            ELSE rsdiff.eval_day(regress.rnd(-35, 2)) END AS measured_on
FROM (SELECT s.*, random() AS r FROM rsdiff.series s, generate_series(1, 6) m
      WHERE m = 1 OR random() < 0.6) s;

INSERT INTO cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
SELECT regress.t(tenant), workload, sku, is_trial, active_users, measured_on FROM rsdiff.measurement
UNION ALL   -- exact duplicates
SELECT regress.t(tenant), workload, sku, is_trial, active_users, measured_on
FROM rsdiff.measurement WHERE random() < 0.1
UNION ALL   -- conflicting counts on the same date, maybe another spelling
SELECT regress.t(tenant), CASE WHEN random() < 0.5 THEN workload ELSE rsdiff.some_workload() END,
       sku, random() < 0.1, regress.rnd(0, 900), measured_on
FROM rsdiff.measurement WHERE random() < 0.1;

-- Persons (0 to 5 a partner) and credentials of every pool name in every
-- form, mangled, with or without "exam", near misses; earned and expiring
-- around the evaluation dates and the renewal dates.
INSERT INTO cp_person
SELECT p.partner_id * 10 + k, p.partner_id, NULL
FROM cp_partner p, generate_series(1, 5) k WHERE p.partner_id % 8 <> 0 AND random() < 0.55;

CREATE FUNCTION rsdiff.some_credential() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN r < 0.85
                THEN regress.pick(ARRAY['', '', '', 'exam ', 'Exam: ', 'EXAM-'])
                     || rsdiff.mangle(regress.pick(
                            (SELECT array_agg(x ORDER BY x COLLATE "C") FROM rsdiff.credential_pool p, unnest(p.forms) x)
                            || ARRAY['70-346', '70-347', '70-346', '70-347', 'MCSA: Office 365']))
                ELSE regress.pick(ARRAY['70-348', 'MS-102', 'MCSA', 'exam', 'exam exam 70-346',
                                       'exam exam MS-100', 'examination 70-347', '７０-346', 'MS-1OO'])
           END
    FROM (SELECT random() AS r) x
$$;

INSERT INTO cp_credential (person_id, credential, earned_on, expires_on)
SELECT person_id, credential, earned_on,
       CASE WHEN r < 0.3 THEN NULL
            WHEN r < 0.45 THEN rsdiff.eval_day(regress.pick(ARRAY[0, 1]))
            WHEN r < 0.65 THEN (SELECT m.ends_on + regress.pick(ARRAY[-1, 0, 1]) FROM cp_membership m
                                JOIN cp_person pe ON pe.partner_id = m.partner_id
                                WHERE pe.person_id = x.person_id ORDER BY random() LIMIT 1)
            ELSE earned_on + regress.rnd(30, 700) END
FROM (
    SELECT pe.person_id, rsdiff.some_credential() AS credential,
           CASE WHEN random() < 0.2 THEN rsdiff.eval_day(regress.pick(ARRAY[-1, 0, 1]))
                ELSE date '2015-09-01' + regress.rnd(0, 750) END AS earned_on,
           random() AS r
    FROM cp_person pe, generate_series(1, 6) k WHERE random() < 0.75
) x;
DELETE FROM cp_credential WHERE expires_on <= earned_on;

RESET competency.flagging;
RESET client_min_messages;

INSERT INTO rsdiff.usage SELECT u.*, rsdiff.fold(u.workload) FROM cp_usage u;
INSERT INTO rsdiff.credential SELECT c.*, rsdiff.fold(c.credential) FROM cp_credential c;
CREATE INDEX ON rsdiff.usage (measured_on);
ANALYZE cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership,
        rsdiff.usage, rsdiff.credential;

SELECT count(*) BETWEEN 5000 AND 40000 AS usage_rows_in_range FROM cp_usage;

-------------------------------------------------------------------------------
-- The questions and the reference's answers.
-------------------------------------------------------------------------------

-- Every partner at every date and window under every set.
INSERT INTO rsdiff.question (partner_id, usage_on, assoc_on, cred_on, rule_set, window_days)
SELECT p.partner_id, d.as_of, d.as_of, d.as_of, s.rule_set, w.days
FROM cp_partner p, rsdiff.eval_date d, rsdiff.window_days w, cp_rule_set s;

-- The projection of every partner holding a level, at every date and
-- window (grace 30 days, the default): to E under the set in force on E.
CREATE TABLE rsdiff.held AS
SELECT d.as_of, h.* FROM rsdiff.eval_date d, LATERAL regress.held_on(d.as_of, 30) h;
INSERT INTO rsdiff.question (partner_id, usage_on, assoc_on, cred_on, rule_set, window_days)
SELECT h.partner_id, h.as_of, h.e, h.e, rsdiff.set_on(h.e), w.days
FROM rsdiff.held h, rsdiff.window_days w
WHERE h.held_level <> 'none'
ON CONFLICT DO NOTHING;
ANALYZE rsdiff.question;

CREATE TABLE rsdiff.answer AS
SELECT q.*, a.market, a.active_entitlements, a.qualified_individuals, a.level, a.next_level,
       a.entitlements_short, a.individuals_short
FROM rsdiff.question q JOIN rsdiff.answers() a USING (q);
CREATE INDEX ON rsdiff.answer (partner_id, usage_on, rule_set, window_days);
ANALYZE rsdiff.answer;

-- The evaluation of partner p at D under set R, window w.
CREATE VIEW rsdiff.evaluation AS
SELECT partner_id, usage_on AS as_of, rule_set, window_days, market, active_entitlements,
       qualified_individuals, level, next_level, entitlements_short, individuals_short
FROM rsdiff.answer WHERE assoc_on = usage_on AND cred_on = usage_on;

-------------------------------------------------------------------------------
-- cp_evaluate(D, R) under every set, and cp_evaluate(D) under the set in
-- force on D.
-------------------------------------------------------------------------------

-- cp_evaluate(as_of, rule_set), or cp_evaluate(as_of) when rule_set is NULL.
CREATE FUNCTION rsdiff.extension_evaluation(as_of date, rule_set text)
RETURNS TABLE (partner_id bigint, market text, active_entitlements bigint,
               qualified_individuals integer, level text, next_level text,
               entitlements_short bigint, individuals_short integer)
LANGUAGE plpgsql AS $$
BEGIN
    IF rule_set IS NULL THEN
        RETURN QUERY SELECT x.partner_id, x.market::text, x.active_entitlements,
                            x.qualified_individuals, x.level::text, x.next_level::text,
                            x.entitlements_short, x.individuals_short
                     FROM cp_evaluate(as_of) x;
    ELSE
        RETURN QUERY SELECT x.partner_id, x.market::text, x.active_entitlements,
                            x.qualified_individuals, x.level::text, x.next_level::text,
                            x.entitlements_short, x.individuals_short
                     FROM cp_evaluate(as_of, rule_set) x;
    END IF;
END
$$;

-- Rows of that evaluation that differ from the reference under the set
-- (the set in force on as_of when rule_set is NULL), a partner missing on
-- either side included.
CREATE FUNCTION rsdiff.evaluate_differences(as_of date, rule_set text, window_days integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM set_config('competency.usage_window', window_days || 'd', true);
    SELECT count(*) INTO n
    FROM rsdiff.extension_evaluation(as_of, rule_set) e
    FULL JOIN (SELECT r.partner_id, r.market, r.active_entitlements, r.qualified_individuals,
                      r.level, r.next_level, r.entitlements_short, r.individuals_short
               FROM rsdiff.evaluation r
               WHERE r.as_of = evaluate_differences.as_of
                 AND r.rule_set = coalesce(evaluate_differences.rule_set,
                                           rsdiff.set_on(evaluate_differences.as_of))
                 AND r.window_days = evaluate_differences.window_days) r
           ON r.partner_id = e.partner_id
    WHERE e IS DISTINCT FROM r;
    RETURN n;
END
$$;

SELECT s.rule_set, s.effective_from IS NULL AS draft, w.days AS window_days,
       array_agg(rsdiff.evaluate_differences(d.as_of, s.rule_set, w.days) ORDER BY d.as_of)
           AS differences_per_date
FROM cp_rule_set s, rsdiff.eval_date d, rsdiff.window_days w
GROUP BY s.rule_set, s.effective_from, w.days
ORDER BY s.effective_from NULLS LAST, s.rule_set COLLATE "C", w.days DESC;

SELECT d.as_of, rsdiff.set_on(d.as_of) = cp_rule_set_on(d.as_of) AS same_set_in_force,
       array_agg(rsdiff.evaluate_differences(d.as_of, NULL, w.days) ORDER BY w.days DESC)
           AS differences_per_window
FROM rsdiff.eval_date d, rsdiff.window_days w
GROUP BY d.as_of ORDER BY d.as_of;

-------------------------------------------------------------------------------
-- The aggregates under every set, grouped by partner: the caller selects the
-- usage of the tenants associated on D by a kind the set counts and current
-- on D (28 days), and the credentials valid on D.  Partners without rows
-- count 0.  One statement per plan, one branch per date and set (each set
-- a constant of its own aggregates).
-------------------------------------------------------------------------------
CREATE TABLE rsdiff.aggregate_query AS SELECT $q$
SELECT %1$L::date AS as_of, %2$L::text AS rule_set,
       (SELECT count(*)
        FROM (SELECT a.partner_id,
                     cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
                                            u.is_trial, u.measured_on, %2$L) AS n
              FROM cp_usage u
              JOIN cp_association a ON a.tenant_id = u.tenant_id
              WHERE a.valid_from <= %1$L AND (a.valid_until IS NULL OR %1$L < a.valid_until)
                AND a.kind IN (SELECT k.kind FROM cp_rule_association k WHERE k.rule_set = %2$L)
                AND u.measured_on > %1$L::date - 28 AND u.measured_on <= %1$L
              GROUP BY a.partner_id) e
        FULL JOIN (SELECT * FROM rsdiff.evaluation
                   WHERE as_of = %1$L AND rule_set = %2$L AND window_days = 28) r
               ON r.partner_id = e.partner_id
        WHERE coalesce(e.n, 0) IS DISTINCT FROM r.active_entitlements) AS entitlements_differences,
       (SELECT count(*)
        FROM (SELECT p.partner_id,
                     cp_qualified_individuals(c.person_id, c.credential, %2$L) AS n
              FROM cp_credential c JOIN cp_person p ON p.person_id = c.person_id
              WHERE c.earned_on <= %1$L AND (c.expires_on IS NULL OR %1$L < c.expires_on)
              GROUP BY p.partner_id) e
        FULL JOIN (SELECT * FROM rsdiff.evaluation
                   WHERE as_of = %1$L AND rule_set = %2$L AND window_days = 28) r
               ON r.partner_id = e.partner_id
        WHERE coalesce(e.n, 0) IS DISTINCT FROM r.qualified_individuals) AS individuals_differences
$q$ AS template;

CREATE TABLE rsdiff.aggregate_statement AS
SELECT format($s$
SELECT rule_set, array_agg(entitlements_differences ORDER BY as_of) AS entitlements_differences,
       array_agg(individuals_differences ORDER BY as_of) AS individuals_differences
FROM (%s) x JOIN cp_rule_set s USING (rule_set)
GROUP BY rule_set, s.effective_from
ORDER BY s.effective_from NULLS LAST, rule_set COLLATE "C"$s$,
              string_agg(format(template, d.as_of, s.rule_set), ' UNION ALL '
                         ORDER BY d.as_of, s.rule_set COLLATE "C")) AS statement,
       count(*) AS branches
FROM rsdiff.aggregate_query, rsdiff.eval_date d, cp_rule_set s
GROUP BY template;

-- The number of lines of EXPLAIN (VERBOSE, COSTS OFF) that match.
CREATE FUNCTION rsdiff.plan_lines(query text, pattern text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n bigint := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ pattern THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END
$$;

-- Forced parallel plans, grouping sorted: each of the statement's
-- aggregates runs partially in the workers (checked), their states
-- serialized and combined in the leader.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;

SELECT rsdiff.plan_lines(statement, 'Partial (Group|Hash)?Aggregate') = 2 * branches
           AS every_aggregate_partial,
       regress.plan_has(statement, 'PARTIAL cp_active_entitlements\(')
       AND regress.plan_has(statement, 'PARTIAL cp_qualified_individuals\(') AS both_partial
FROM rsdiff.aggregate_statement;

SELECT statement FROM rsdiff.aggregate_statement
-- (the statement is run, not echoed)
\set ECHO none
\gexec
\set ECHO all

RESET enable_hashagg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- The serial plan.
SET max_parallel_workers_per_gather = 0;
SELECT regress.plan_has(statement, 'PARTIAL|Gather') AS parallel_in_serial_plan
FROM rsdiff.aggregate_statement;

SELECT statement FROM rsdiff.aggregate_statement
-- (the statement is run, not echoed)
\set ECHO none
\gexec
\set ECHO all
RESET max_parallel_workers_per_gather;

-------------------------------------------------------------------------------
-- cp_membership_status(D): level and margins under D's set, the projected
-- figures and level under the set in force on E.
-------------------------------------------------------------------------------
CREATE FUNCTION rsdiff.status(as_of date, window_days integer)
RETURNS TABLE (partner_id bigint, held_level text, ends_on date, level text, projected_level text,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE AS $$
    WITH x AS (
        SELECT h.partner_id, h.held_level, h.ends_on, h.in_grace, n.level,
               n.active_entitlements - m.entitlements AS entitlements_margin,
               n.qualified_individuals - m.individuals AS individuals_margin,
               p.active_entitlements AS pae, p.qualified_individuals AS pqi,
               CASE WHEN h.held_level <> 'none' THEN p.level END AS projected_level
        FROM rsdiff.held h
        JOIN rsdiff.evaluation n
          ON n.partner_id = h.partner_id AND n.as_of = h.as_of
         AND n.rule_set = rsdiff.set_on(h.as_of) AND n.window_days = status.window_days
        LEFT JOIN rsdiff.answer p
          ON p.partner_id = h.partner_id AND p.usage_on = h.as_of AND p.assoc_on = h.e
         AND p.cred_on = h.e AND p.rule_set = rsdiff.set_on(h.e) AND p.window_days = status.window_days
        CROSS JOIN LATERAL rsdiff.required(rsdiff.set_on(h.as_of), h.held_level, n.market) m
        WHERE h.as_of = status.as_of
    )
    SELECT x.partner_id, x.held_level, x.ends_on, x.level, x.projected_level,
           CASE WHEN x.held_level = 'none' THEN 'not_held'
                WHEN x.in_grace THEN 'in_grace'
                WHEN rsdiff.rank(x.level) < rsdiff.rank(x.held_level)
                  OR rsdiff.rank(x.projected_level) < rsdiff.rank(x.held_level) THEN 'at_risk'
                WHEN rsdiff.rank(x.level) > rsdiff.rank(x.held_level) THEN 'upgrade_available'
                ELSE 'secure' END,
           CASE WHEN x.held_level <> 'none' THEN x.entitlements_margin END,
           CASE WHEN x.held_level <> 'none' THEN x.individuals_margin END,
           CASE WHEN x.held_level <> 'none' THEN x.pae END,
           CASE WHEN x.held_level <> 'none' THEN x.pqi END
    FROM x
$$;

CREATE FUNCTION rsdiff.status_differences(as_of date, window_days integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM set_config('competency.usage_window', window_days || 'd', true);
    SELECT count(*) INTO n
    FROM (SELECT s.partner_id, s.held_level::text AS held_level, s.ends_on, s.level::text AS level,
                 s.projected_level::text AS projected_level, s.status, s.entitlements_margin,
                 s.individuals_margin, s.projected_entitlements, s.projected_individuals
          FROM cp_membership_status(as_of) s) x
    FULL JOIN rsdiff.status(as_of, window_days) r USING (partner_id)
    WHERE (x.held_level, x.ends_on, x.level, x.projected_level, x.status, x.entitlements_margin,
           x.individuals_margin, x.projected_entitlements, x.projected_individuals)
          IS DISTINCT FROM
          (r.held_level, r.ends_on, r.level, r.projected_level, r.status, r.entitlements_margin,
           r.individuals_margin, r.projected_entitlements, r.projected_individuals)
       OR x.partner_id IS NULL OR r.partner_id IS NULL;
    RETURN n;
END
$$;

SHOW competency.grace_days;
SELECT w.days AS window_days,
       array_agg(rsdiff.status_differences(d.as_of, w.days) ORDER BY d.as_of) AS differences_per_date
FROM rsdiff.eval_date d, rsdiff.window_days w
GROUP BY w.days ORDER BY w.days DESC;

-------------------------------------------------------------------------------
-- cp_explain and cp_explain_risk of every partner (28 days).
-------------------------------------------------------------------------------
SET competency.usage_window = '28d';

-- The counted rows of cp_explain(p, D) sum to the reference's figure under
-- the set in force on D.
SELECT d.as_of,
       count(*) FILTER (WHERE coalesce(x.n, 0) IS DISTINCT FROM r.active_entitlements)
           AS explain_sum_differences
FROM rsdiff.eval_date d
JOIN rsdiff.evaluation r ON r.as_of = d.as_of AND r.rule_set = rsdiff.set_on(d.as_of)
                        AND r.window_days = 28
LEFT JOIN LATERAL (SELECT sum(e.active_users) FILTER (WHERE e.counted) AS n
                   FROM cp_explain(r.partner_id, d.as_of) e) x ON true
GROUP BY d.as_of ORDER BY d.as_of;

CREATE TABLE rsdiff.risk AS
SELECT d.as_of, p.partner_id, r.*
FROM rsdiff.eval_date d, cp_partner p, LATERAL cp_explain_risk(p.partner_id, d.as_of) r;

-- Per date: partners not holding a level with rows; held partners whose
-- figures as of D (under D's set) plus the changes are not the projection
-- (under E's set); held partners with a rules_change row when the sets in
-- force on D and E are the same, or without one (or with several) when
-- they differ; rules_change rows not naming E's set and its first day, or
-- whose changes are not the figures under E's set minus those under D's.
SELECT h.as_of,
       count(*) FILTER (WHERE h.held_level = 'none' AND x.rows > 0) AS rows_not_held,
       count(*) FILTER (WHERE h.held_level <> 'none'
                          AND (n.active_entitlements + x.de IS DISTINCT FROM p.active_entitlements
                               OR n.qualified_individuals + x.di IS DISTINCT FROM p.qualified_individuals))
           AS sums_wrong,
       count(*) FILTER (WHERE h.held_level <> 'none'
                          AND x.rules_changes <> CASE WHEN rsdiff.set_on(h.as_of) = rsdiff.set_on(h.e)
                                                      THEN 0 ELSE 1 END)
           AS rules_change_rows_wrong,
       count(*) FILTER (WHERE x.rules_changes = 1
                          AND (x.rc_subject, x.rc_effective_on, x.rc_de, x.rc_di)
                              IS DISTINCT FROM
                              (rsdiff.set_on(h.e),
                               (SELECT s.effective_from FROM cp_rule_set s WHERE s.rule_set = rsdiff.set_on(h.e)),
                               ne.active_entitlements - n.active_entitlements,
                               ne.qualified_individuals - n.qualified_individuals))
           AS rules_change_values_wrong
FROM rsdiff.held h
JOIN rsdiff.evaluation n ON n.partner_id = h.partner_id AND n.as_of = h.as_of
                        AND n.rule_set = rsdiff.set_on(h.as_of) AND n.window_days = 28
LEFT JOIN rsdiff.evaluation ne ON ne.partner_id = h.partner_id AND ne.as_of = h.as_of
                              AND ne.rule_set = rsdiff.set_on(h.e) AND ne.window_days = 28
LEFT JOIN rsdiff.answer p ON p.partner_id = h.partner_id AND p.usage_on = h.as_of AND p.assoc_on = h.e
                         AND p.cred_on = h.e AND p.rule_set = rsdiff.set_on(h.e) AND p.window_days = 28
CROSS JOIN LATERAL (
    SELECT count(*) AS rows,
           coalesce(sum(r.entitlements_change), 0) AS de, coalesce(sum(r.individuals_change), 0) AS di,
           count(*) FILTER (WHERE r.kind = 'rules_change') AS rules_changes,
           max(r.subject) FILTER (WHERE r.kind = 'rules_change') AS rc_subject,
           max(r.effective_on) FILTER (WHERE r.kind = 'rules_change') AS rc_effective_on,
           sum(r.entitlements_change) FILTER (WHERE r.kind = 'rules_change') AS rc_de,
           sum(r.individuals_change) FILTER (WHERE r.kind = 'rules_change') AS rc_di
    FROM rsdiff.risk r WHERE r.as_of = h.as_of AND r.partner_id = h.partner_id) x
GROUP BY h.as_of ORDER BY h.as_of;

RESET competency.usage_window;

-------------------------------------------------------------------------------
-- The data and the sets exercise the rules (reference, 28 days).
-------------------------------------------------------------------------------

-- The evaluation dates fall under four sets, the renewal dates under five
-- (one set in force on renewal dates only); the sets differ from each other.
SELECT (SELECT count(DISTINCT rsdiff.set_on(as_of)) FROM rsdiff.eval_date) AS sets_on_evaluation_dates,
       (SELECT count(DISTINCT rsdiff.set_on(e)) FROM rsdiff.held WHERE held_level <> 'none')
           AS sets_on_renewal_dates,
       (SELECT count(DISTINCT s.rule_set) FROM rsdiff.held h, cp_rule_set s
        WHERE h.held_level <> 'none' AND s.rule_set = rsdiff.set_on(h.e)
          AND s.rule_set <> ALL (SELECT rsdiff.set_on(as_of) FROM rsdiff.eval_date))
           AS sets_only_on_renewal_dates;

-- Per set: at some date its partners per level differ from every other
-- set's; the levels partners reach at the dates; some requirement of gold
-- is below silver's; the set counts fast_track; it accepts a workload
-- spelling or names a credential the built-in set does not; its paths.
CREATE TABLE rsdiff.per_level AS
SELECT as_of, rule_set, array_agg(n ORDER BY level) AS partners_per_level
FROM (SELECT d.as_of, s.rule_set, l.level,
             (SELECT count(*) FROM rsdiff.evaluation r
              WHERE r.as_of = d.as_of AND r.rule_set = s.rule_set AND r.window_days = 28
                AND r.level = l.level) AS n
      FROM rsdiff.eval_date d, cp_rule_set s, (VALUES ('none'), ('silver'), ('gold')) l(level)) x
GROUP BY as_of, rule_set;

SELECT s.rule_set,
       (SELECT bool_and(EXISTS (SELECT FROM rsdiff.per_level a JOIN rsdiff.per_level b USING (as_of)
                                WHERE a.rule_set = s.rule_set AND b.rule_set = o.rule_set
                                  AND a.partners_per_level <> b.partners_per_level))
        FROM cp_rule_set o WHERE o.rule_set <> s.rule_set) AS levels_differ_from_every_other_set,
       (SELECT count(DISTINCT r.level) FROM rsdiff.evaluation r
        WHERE r.rule_set = s.rule_set AND r.window_days = 28) AS levels_reached,
       EXISTS (SELECT FROM cp_rule_threshold g JOIN cp_rule_threshold v USING (rule_set, market)
               WHERE g.rule_set = s.rule_set AND g.level = 'gold' AND v.level = 'silver'
                 AND (g.min_entitlements < v.min_entitlements OR g.min_individuals < v.min_individuals))
           AS not_monotone,
       EXISTS (SELECT FROM cp_rule_association a WHERE a.rule_set = s.rule_set AND a.kind = 'fast_track')
           AS counts_fast_track,
       EXISTS (SELECT FROM rsdiff.workload_key k WHERE k.rule_set = s.rule_set
                 AND k.folded NOT IN (SELECT folded FROM rsdiff.workload_key WHERE rule_set = '2017-07'))
           AS new_workload_spelling,
       EXISTS (SELECT FROM cp_rule_credential c WHERE c.rule_set = s.rule_set
                 AND rsdiff.fold(c.credential) NOT IN (SELECT rsdiff.fold(credential) FROM cp_rule_credential
                                                       WHERE rule_set = '2017-07'))
           AS new_credential,
       (SELECT count(DISTINCT path) FROM cp_rule_credential c WHERE c.rule_set = s.rule_set) AS paths
FROM cp_rule_set s
ORDER BY s.effective_from NULLS LAST, s.rule_set COLLATE "C";

SELECT c.description, c.holds FROM (VALUES
    ('a tenant with several associations of different kinds on one date',
     EXISTS (SELECT FROM rsdiff.eval_date d, cp_association a
             WHERE a.valid_from <= d.as_of AND (a.valid_until IS NULL OR d.as_of < a.valid_until)
             GROUP BY d.as_of, a.partner_id, a.tenant_id HAVING count(DISTINCT a.kind) > 1)),
    ('a tenant with current eligible usage associated on a date by fast_track alone',
     EXISTS (SELECT FROM cp_association a JOIN rsdiff.eval_date d
                    ON a.valid_from <= d.as_of AND (a.valid_until IS NULL OR d.as_of < a.valid_until)
             WHERE a.kind = 'fast_track'
               AND NOT EXISTS (SELECT FROM cp_association b
                               WHERE b.partner_id = a.partner_id AND b.tenant_id = a.tenant_id
                                 AND b.kind <> 'fast_track' AND b.valid_from <= d.as_of
                                 AND (b.valid_until IS NULL OR d.as_of < b.valid_until))
               AND EXISTS (SELECT FROM rsdiff.usage u
                           WHERE u.tenant_id = a.tenant_id AND NOT u.is_trial AND u.active_users > 0
                             AND u.measured_on > d.as_of - 28 AND u.measured_on <= d.as_of
                             AND u.folded IN (SELECT folded FROM rsdiff.workload_key
                                              WHERE rule_set = '2017-07')))),
    ('a partner''s figures differ between sets on one date',
     EXISTS (SELECT FROM rsdiff.evaluation r WHERE r.window_days = 28
             GROUP BY r.as_of, r.partner_id HAVING count(DISTINCT r.active_entitlements) > 2
                                                  AND count(DISTINCT r.qualified_individuals) > 1)),
    ('a set counts a built-in workload''s spellings under another workload',
     EXISTS (SELECT FROM cp_rule_workload w JOIN rsdiff.family f ON rsdiff.fold(w.spelling) = ANY
                 (SELECT rsdiff.fold(x) FROM unnest(f.spellings) x)
             WHERE f.builtin AND w.workload <> f.family)),
    ('a set names both MS-100 and exam MS-100, and rows hold "exam MS-100"',
     EXISTS (SELECT FROM rsdiff.credential_key a JOIN rsdiff.credential_key b USING (rule_set, folded)
             WHERE a.credential <> b.credential
               AND folded IN (SELECT c.folded FROM rsdiff.credential c))),
    ('a person qualifies by a path without 2017 credentials',
     EXISTS (SELECT FROM rsdiff.evaluation r WHERE r.qualified_individuals > 0
               AND NOT EXISTS (SELECT FROM cp_rule_credential c WHERE c.rule_set = r.rule_set
                                 AND c.credential IN ('70-346', '70 346', '70_346', '70-347',
                                                      'MCSA: Office 365', 'MCSA-Office365',
                                                      'mcsa_office_365')))),
    ('at_risk by the projection only, and its set differs from D''s',
     EXISTS (SELECT FROM rsdiff.eval_date d, rsdiff.status(d.as_of, 28) s
                    JOIN rsdiff.held h ON h.partner_id = s.partner_id
             WHERE h.as_of = d.as_of AND s.status = 'at_risk' AND s.level = s.held_level
               AND rsdiff.set_on(h.e) <> rsdiff.set_on(d.as_of))),
    ('rules_change rows with changes, and with none',
     EXISTS (SELECT FROM rsdiff.risk WHERE kind = 'rules_change'
               AND (entitlements_change <> 0 OR individuals_change <> 0))
     AND EXISTS (SELECT FROM rsdiff.risk WHERE kind = 'rules_change'
                   AND entitlements_change = 0 AND individuals_change = 0)),
    ('association and credential rows of cp_explain_risk',
     (SELECT count(DISTINCT kind) FROM rsdiff.risk) = 4),
    ('every status occurs',
     (SELECT count(DISTINCT s.status) FROM rsdiff.eval_date d, rsdiff.status(d.as_of, 28) s) = 5)
) c(description, holds)
ORDER BY c.description COLLATE "C";

SET client_min_messages = warning;
DROP SCHEMA rsdiff CASCADE;
RESET client_min_messages;
SELECT regress.reset();
DELETE FROM cp_rule_set WHERE rule_set <> '2017-07';
