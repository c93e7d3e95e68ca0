--
-- Rule sets by effective date, and what-if: the built-in set 2017-07 and
-- its protection, the rule tables' checks, the set in force on a date, a
-- user's set across a change of rules (every figure below computed by hand
-- from the rules and the rows), drafts and the what-if forms with their
-- order of errors, the aggregates under a named set, spellings and limits
-- checked at statement end, completeness at commit, flagging of rule
-- writes, cp_explain and cp_explain_risk under two sets, and privileges.
-- Fixed dates throughout, except where flagging needs today.
--

-- The SQLSTATE of a statement's error only, or 'no error'; what the
-- statement did is rolled back either way.
CREATE OR REPLACE FUNCTION regress.sqlstate_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RAISE SQLSTATE 'RGNOE';
EXCEPTION
    WHEN SQLSTATE 'RGNOE' THEN
        RETURN 'no error';
    WHEN OTHERS THEN
        RETURN SQLSTATE;
END
$$;
-- The users' rule sets, compactly: name, date, and how many rows of each
-- rule table they hold.
-- (Dates near today are shown as offsets from it.)
CREATE FUNCTION regress.rule_sets() RETURNS TABLE (rule_set text, effective_from text, thresholds bigint,
                                                    workloads bigint, credentials bigint, kinds bigint)
LANGUAGE sql AS $$
    SELECT s.rule_set,
           CASE WHEN s.effective_from BETWEEN current_date - 1 AND current_date + 1000
                THEN format('today + %s', s.effective_from - current_date)
                ELSE s.effective_from::text END,
           (SELECT count(*) FROM cp_rule_threshold t WHERE t.rule_set = s.rule_set),
           (SELECT count(*) FROM cp_rule_workload t WHERE t.rule_set = s.rule_set),
           (SELECT count(*) FROM cp_rule_credential t WHERE t.rule_set = s.rule_set),
           (SELECT count(*) FROM cp_rule_association t WHERE t.rule_set = s.rule_set)
    FROM cp_rule_set s WHERE s.rule_set <> '2017-07' ORDER BY s.rule_set COLLATE "C"
$$;
SET datestyle = 'ISO, MDY';
SELECT regress.reset();

-------------------------------------------------------------------------------
-- 1. The objects and the built-in set 2017-07.
-------------------------------------------------------------------------------
SELECT attrelid::regclass AS relation, attname, format_type(atttypid, atttypmod) AS type,
       attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default"
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE attrelid IN ('cp_rule_set'::regclass, 'cp_rule_threshold'::regclass, 'cp_rule_workload'::regclass,
                   'cp_rule_credential'::regclass, 'cp_rule_association'::regclass)
  AND attnum > 0 AND NOT attisdropped
ORDER BY attrelid::regclass::text, attnum;
-- the kept level and each change record the set, as their last column
SELECT attrelid::regclass AS relation, attname, format_type(atttypid, atttypmod) AS type,
       attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default",
       attnum = (SELECT max(attnum) FROM pg_attribute b WHERE b.attrelid = a.attrelid AND NOT b.attisdropped)
         AS last
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE attrelid IN ('cp_partner_level'::regclass, 'cp_level_change'::regclass) AND attname = 'rule_set'
ORDER BY 1;
-- the dashboard views end with rule_set
SELECT attrelid::regclass AS view, attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute a
WHERE attrelid IN ('cp_partner_status'::regclass, 'cp_partner_status_kept'::regclass)
  AND attnum = (SELECT max(attnum) FROM pg_attribute b WHERE b.attrelid = a.attrelid AND NOT b.attisdropped)
ORDER BY 1;
-- The new functions: arguments as named, no defaults; the what-if forms and
-- cp_rule_set_on are STABLE, cp_rule_set_on PARALLEL SAFE.
SELECT p.oid::regprocedure AS function, pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result, p.provolatile AS volatility, p.proparallel AS parallel,
       p.prokind AS kind
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND (p.proname = 'cp_rule_set_on'
       OR (p.proname IN ('cp_evaluate', 'cp_level', 'cp_required_entitlements', 'cp_required_individuals',
                         'cp_workload', 'cp_credential', 'cp_active_entitlements', 'cp_qualified_individuals')
           AND 'rule_set' = ANY (p.proargnames)))
ORDER BY p.proname, p.pronargs;
-- Nothing of the rule tables for PUBLIC; users' rows are dumped, the
-- built-in ones are not.
SELECT c.relname, c.relacl IS NULL OR NOT EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)
       AS nothing_for_public,
       (SELECT x.extcondition[array_position(x.extconfig, c.oid)]
        FROM pg_extension x WHERE x.extname = 'competency') AS dump_condition
FROM pg_class c
WHERE c.relname IN ('cp_rule_set', 'cp_rule_threshold', 'cp_rule_workload', 'cp_rule_credential',
                    'cp_rule_association') AND c.relnamespace = 'public'::regnamespace
ORDER BY 1;
SELECT o.what, obj_description(o.oid) IS NOT NULL AS commented
FROM (VALUES ('cp_rule_set', 'cp_rule_set'::regclass::oid),
             ('cp_rule_threshold', 'cp_rule_threshold'::regclass),
             ('cp_rule_workload', 'cp_rule_workload'::regclass),
             ('cp_rule_credential', 'cp_rule_credential'::regclass),
             ('cp_rule_association', 'cp_rule_association'::regclass),
             ('cp_rule_set_on', 'cp_rule_set_on(date)'::regprocedure),
             ('cp_evaluate', 'cp_evaluate(date, text)'::regprocedure),
             ('cp_level', 'cp_level(cp_market, bigint, integer, text)'::regprocedure),
             ('cp_required_entitlements', 'cp_required_entitlements(competency_level, cp_market, text)'::regprocedure),
             ('cp_required_individuals', 'cp_required_individuals(competency_level, text)'::regprocedure),
             ('cp_workload', 'cp_workload(text, text)'::regprocedure),
             ('cp_credential', 'cp_credential(text, text)'::regprocedure),
             ('cp_active_entitlements', 'cp_active_entitlements(anyelement, text, text, bigint, boolean, date, text)'::regprocedure),
             ('cp_qualified_individuals', 'cp_qualified_individuals(anyelement, text, text)'::regprocedure)) o(what, oid)
ORDER BY 1;

-- The built-in set: its row, its thresholds, its 13 spellings byte for byte
-- (quoted, so that no blank hides), its paths and its kinds.
SELECT rule_set, effective_from, description FROM cp_rule_set;
SELECT level, market, min_entitlements, min_individuals FROM cp_rule_threshold ORDER BY level, market;
SELECT workload, quote_literal(spelling) AS spelling, octet_length(spelling) AS bytes,
       cp_workload(spelling) = workload AS canonical_as_cp_workload
FROM cp_rule_workload ORDER BY workload COLLATE "C", spelling COLLATE "C";
-- exactly these rows, no more
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (workload, spelling) IN (
           ('exchange_online', 'Exchange Online'), ('exchange_online', 'Exchange'), ('exchange_online', 'EXO'),
           ('sharepoint_online', 'SharePoint Online'), ('sharepoint_online', 'SharePoint'),
           ('sharepoint_online', 'SPO'), ('skype_for_business', 'Skype for Business'),
           ('skype_for_business', 'Skype for Business Online'), ('skype_for_business', 'SfB'),
           ('yammer', 'Yammer'), ('yammer', 'YAM'), ('proplus', 'ProPlus'),
           ('proplus', 'Office 365 ProPlus'))) AS as_listed
FROM cp_rule_workload WHERE rule_set = '2017-07';
SELECT path, quote_literal(credential) AS credential FROM cp_rule_credential ORDER BY path, credential COLLATE "C";
SELECT kind FROM cp_rule_association ORDER BY kind;
-- fast_track is the last value of the association kinds; 2017-07 does not count it
SELECT enum_range(NULL::cp_association_kind) AS kinds,
       (enum_range(NULL::cp_association_kind))[array_length(enum_range(NULL::cp_association_kind), 1)]
         AS last_kind;

-------------------------------------------------------------------------------
-- 2. 2017-07 cannot be changed, by a superuser either (42501): any insert,
-- update (a no-op, a rename, its date) or delete of one of its rows, in
-- each table, and TRUNCATE of any rule table.
-------------------------------------------------------------------------------
SELECT current_setting('is_superuser') AS superuser;
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$INSERT INTO cp_rule_set VALUES ('2017-07', NULL, 'again')$$),
    (2, $$UPDATE cp_rule_set SET rule_set = rule_set WHERE rule_set = '2017-07'$$),
    (3, $$UPDATE cp_rule_set SET rule_set = '2017-07 renamed' WHERE rule_set = '2017-07'$$),
    (4, $$UPDATE cp_rule_set SET effective_from = '2017-07-01' WHERE rule_set = '2017-07'$$),
    (5, $$UPDATE cp_rule_set SET description = 'mine' WHERE rule_set = '2017-07'$$),
    (6, $$DELETE FROM cp_rule_set WHERE rule_set = '2017-07'$$),
    (7, $$INSERT INTO cp_rule_threshold VALUES ('2017-07', 'gold', 'developed', 5000, 2)$$),
    (8, $$UPDATE cp_rule_threshold SET rule_set = rule_set WHERE rule_set = '2017-07'$$),
    (9, $$UPDATE cp_rule_threshold SET min_entitlements = 5000 WHERE rule_set = '2017-07' AND level = 'gold'$$),
    (10, $$DELETE FROM cp_rule_threshold WHERE rule_set = '2017-07' AND level = 'gold'$$),
    (11, $$INSERT INTO cp_rule_workload VALUES ('2017-07', 'teams', 'Teams')$$),
    (12, $$UPDATE cp_rule_workload SET rule_set = rule_set WHERE rule_set = '2017-07'$$),
    (13, $$UPDATE cp_rule_workload SET spelling = 'Skype' WHERE rule_set = '2017-07' AND spelling = 'SfB'$$),
    (14, $$DELETE FROM cp_rule_workload WHERE rule_set = '2017-07' AND workload = 'skype_for_business'$$),
    (15, $$INSERT INTO cp_rule_credential VALUES ('2017-07', 3, 'MS-100')$$),
    (16, $$UPDATE cp_rule_credential SET rule_set = rule_set WHERE rule_set = '2017-07'$$),
    (17, $$UPDATE cp_rule_credential SET path = 4 WHERE rule_set = '2017-07' AND path = 2$$),
    (18, $$DELETE FROM cp_rule_credential WHERE rule_set = '2017-07'$$),
    (19, $$INSERT INTO cp_rule_association VALUES ('2017-07', 'fast_track')$$),
    (20, $$UPDATE cp_rule_association SET rule_set = rule_set WHERE rule_set = '2017-07'$$),
    (21, $$UPDATE cp_rule_association SET kind = 'fast_track' WHERE rule_set = '2017-07' AND kind = 'delegated_admin'$$),
    (22, $$DELETE FROM cp_rule_association WHERE rule_set = '2017-07'$$),
    (23, $$TRUNCATE cp_rule_set$$),
    (24, $$TRUNCATE cp_rule_set CASCADE$$),
    (25, $$TRUNCATE cp_rule_threshold$$),
    (26, $$TRUNCATE cp_rule_workload$$),
    (27, $$TRUNCATE cp_rule_credential$$),
    (28, $$TRUNCATE cp_rule_association$$)) s(n, statement)
ORDER BY s.n;
-- the refusal names the set
SELECT regress.error_of($$DELETE FROM cp_rule_workload WHERE rule_set = '2017-07'$$) ~ '2017-07' AS names_the_set;
-- nothing changed
SELECT (SELECT count(*) FROM cp_rule_set) AS sets, (SELECT count(*) FROM cp_rule_threshold) AS thresholds,
       (SELECT count(*) FROM cp_rule_workload) AS workloads, (SELECT count(*) FROM cp_rule_credential) AS credentials,
       (SELECT count(*) FROM cp_rule_association) AS kinds;

-------------------------------------------------------------------------------
-- 3. The tables' checks (23514): a set's name blank or over 64 bytes, a
-- date of infinity, a name or spelling over 256 bytes, a negative
-- threshold, a threshold for none, a path under 1.
-------------------------------------------------------------------------------
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$INSERT INTO cp_rule_set VALUES ('', NULL)$$),
    (2, $$INSERT INTO cp_rule_set VALUES ('   ', NULL)$$),
    (3, $$INSERT INTO cp_rule_set VALUES (E' \t\n', NULL)$$),
    (4, $$INSERT INTO cp_rule_set VALUES (repeat('x', 65), NULL)$$),
    (5, $$INSERT INTO cp_rule_set VALUES (repeat('é', 33), NULL)$$),   -- 33 characters, 66 bytes
    (6, $$INSERT INTO cp_rule_set VALUES (repeat('x', 64), NULL)$$),
    (7, $$INSERT INTO cp_rule_set VALUES (repeat('é', 32), NULL)$$),
    (8, $$INSERT INTO cp_rule_set VALUES ('x', 'infinity')$$),
    (9, $$INSERT INTO cp_rule_set VALUES ('x', '-infinity')$$),          -- 2017-07's date (unique)
    (10, $$INSERT INTO cp_rule_set VALUES ('x', '2016-01-01')$$)) s(n, statement)
ORDER BY s.n;
INSERT INTO cp_rule_set VALUES ('checks', NULL, 'a draft for the checks');
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$INSERT INTO cp_rule_workload VALUES ('checks', repeat('w', 257), 'W')$$),
    (2, $$INSERT INTO cp_rule_workload VALUES ('checks', 'w', repeat('s', 257))$$),
    (3, $$INSERT INTO cp_rule_workload VALUES ('checks', 'w' || repeat('é', 128), 'W')$$),  -- 257 bytes
    (4, $$INSERT INTO cp_rule_workload VALUES ('checks', repeat('w', 256), repeat('s', 256))$$),
    (5, $$INSERT INTO cp_rule_credential VALUES ('checks', 1, repeat('c', 257))$$),
    (6, $$INSERT INTO cp_rule_credential VALUES ('checks', 1, repeat('c', 256))$$),
    (7, $$INSERT INTO cp_rule_credential VALUES ('checks', 0, 'C')$$),
    (8, $$INSERT INTO cp_rule_threshold VALUES ('checks', 'silver', 'developed', -1, 1)$$),
    (9, $$INSERT INTO cp_rule_threshold VALUES ('checks', 'silver', 'developed', 1, -1)$$),
    (10, $$INSERT INTO cp_rule_threshold VALUES ('checks', 'none', 'developed', 0, 0)$$),
    (11, $$INSERT INTO cp_rule_threshold VALUES ('checks', 'silver', 'developed', 0, 0)$$),
    (12, $$INSERT INTO cp_rule_threshold VALUES ('nope', 'silver', 'developed', 0, 0)$$)) s(n, statement)
ORDER BY s.n;
DELETE FROM cp_rule_set WHERE rule_set = 'checks';

-------------------------------------------------------------------------------
-- 4. A user's set, FY18, in force from 2018-07-01: 2017-07 copied, Skype
-- for Business out, Teams in (two spellings), Gold at 5,000 in both
-- markets, a third path (MS-100 and MS-101), FastTrack counted.  Written in
-- one transaction (a dated set must be complete at commit).
-------------------------------------------------------------------------------
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY18', '2018-07-01', 'Fiscal 2018: Gold at 5,000, Teams in, Skype out, MS-100 and MS-101, FastTrack');
INSERT INTO cp_rule_threshold
SELECT 'FY18', level, market, CASE WHEN level = 'gold' THEN 5000 ELSE min_entitlements END, min_individuals
FROM cp_rule_threshold WHERE rule_set = '2017-07';
INSERT INTO cp_rule_workload
SELECT 'FY18', workload, spelling FROM cp_rule_workload
WHERE rule_set = '2017-07' AND workload <> 'skype_for_business';
INSERT INTO cp_rule_workload VALUES ('FY18', 'teams', 'Microsoft Teams'), ('FY18', 'teams', 'Teams');
INSERT INTO cp_rule_credential SELECT 'FY18', path, credential FROM cp_rule_credential WHERE rule_set = '2017-07';
INSERT INTO cp_rule_credential VALUES ('FY18', 3, 'MS-100'), ('FY18', 3, 'MS-101');
INSERT INTO cp_rule_association SELECT 'FY18', kind FROM cp_rule_association WHERE rule_set = '2017-07';
INSERT INTO cp_rule_association VALUES ('FY18', 'fast_track');
COMMIT;
SELECT * FROM regress.rule_sets();
SELECT level, market, min_entitlements, min_individuals FROM cp_rule_threshold
WHERE rule_set = 'FY18' ORDER BY level, market;

-- A draft, never in force: non-monotone thresholds (Gold in developing
-- markets needs fewer entitlements than Silver, and three persons),
-- Exchange and Yammer only, a credential in two paths, delegated
-- administrators only.
INSERT INTO cp_rule_set VALUES ('what-if', NULL, 'A draft');
INSERT INTO cp_rule_threshold VALUES ('what-if', 'silver', 'developed', 1000, 1),
                                     ('what-if', 'silver', 'developing', 500, 1),
                                     ('what-if', 'gold', 'developed', 3000, 3),
                                     ('what-if', 'gold', 'developing', 200, 3);
INSERT INTO cp_rule_workload VALUES ('what-if', 'exchange_online', 'Exchange Online'),
                                    ('what-if', 'exchange_online', 'EXO'), ('what-if', 'yammer', 'Yammer');
INSERT INTO cp_rule_credential VALUES ('what-if', 1, 'MCSA: Office 365'), ('what-if', 2, '70-346'),
                                      ('what-if', 2, '70-347'), ('what-if', 3, '70-347'), ('what-if', 3, 'MS-100');
INSERT INTO cp_rule_association VALUES ('what-if', 'delegated_admin');
-- A draft that lacks everything but its name.
INSERT INTO cp_rule_set VALUES ('bare', NULL, 'An incomplete draft');
SELECT * FROM regress.rule_sets();

-------------------------------------------------------------------------------
-- 5. The set in force on a date: NULL 22023; -infinity 2017-07; infinity
-- the latest dated set; drafts never; a set applies from its day on, the
-- day before is the previous set's.  A set dated in the future (from
-- today) too.
-------------------------------------------------------------------------------
SELECT regress.sqlstate_of($$SELECT cp_rule_set_on(NULL)$$) AS null_date;
SELECT d, cp_rule_set_on(d::date)
FROM (VALUES ('-infinity'), ('2017-07-01'), ('2018-06-30'), ('2018-07-01'), ('2024-01-01'), ('infinity')) v(d)
ORDER BY d::date;
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-future', current_date + 400, 'Next year''s, dated from today');
INSERT INTO cp_rule_threshold SELECT 'FY-future', level, market, min_entitlements, min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload SELECT 'FY-future', workload, spelling FROM cp_rule_workload WHERE rule_set = 'FY18';
INSERT INTO cp_rule_credential SELECT 'FY-future', path, credential FROM cp_rule_credential WHERE rule_set = 'FY18';
INSERT INTO cp_rule_association SELECT 'FY-future', kind FROM cp_rule_association WHERE rule_set = 'FY18';
COMMIT;
SELECT cp_rule_set_on(current_date) AS today, cp_rule_set_on(current_date + 399) AS day_before,
       cp_rule_set_on(current_date + 400) AS its_day, cp_rule_set_on('infinity') AS infinity;
DELETE FROM cp_rule_set WHERE rule_set = 'FY-future';
SELECT cp_rule_set_on(current_date + 400) AS after_deletion, cp_rule_set_on('infinity') AS infinity;

-------------------------------------------------------------------------------
-- 6. What-if forms: the order of errors (NULL rule set 22023, unknown 42704,
-- incomplete 55000), raised with no partner or row at all, before the
-- other arguments are looked at; then the other arguments as in the forms
-- without rule_set.
-------------------------------------------------------------------------------
SELECT count(*) AS partners FROM cp_partner;
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$SELECT * FROM cp_evaluate(NULL, NULL)$$),
    (2, $$SELECT * FROM cp_evaluate(NULL, 'nope')$$),
    (3, $$SELECT * FROM cp_evaluate(NULL, 'bare')$$),
    (4, $$SELECT * FROM cp_evaluate('2018-06-16', NULL)$$),
    (5, $$SELECT * FROM cp_evaluate('2018-06-16', 'nope')$$),
    (6, $$SELECT * FROM cp_evaluate('2018-06-16', 'bare')$$),
    (7, $$SELECT * FROM cp_evaluate(NULL, '2017-07')$$),
    (8, $$SELECT * FROM cp_evaluate(NULL, 'what-if')$$),
    (9, $$SELECT * FROM cp_evaluate('infinity', 'what-if')$$),
    (10, $$SELECT * FROM cp_evaluate('2018-06-16', 'what-if')$$),
    (11, $$SELECT cp_level(NULL, NULL, NULL, NULL)$$),
    (12, $$SELECT cp_level(NULL, NULL, NULL, 'nope')$$),
    (13, $$SELECT cp_level(NULL, NULL, NULL, 'bare')$$),
    (14, $$SELECT cp_level('developed', -1, 0, 'nope')$$),
    (15, $$SELECT cp_level('developed', -1, 0, 'what-if')$$),
    (16, $$SELECT cp_level('developed', 0, -1, '2017-07')$$),
    (17, $$SELECT cp_required_entitlements(NULL, NULL, NULL)$$),
    (18, $$SELECT cp_required_entitlements(NULL, NULL, 'nope')$$),
    (19, $$SELECT cp_required_entitlements(NULL, NULL, 'bare')$$),
    (20, $$SELECT cp_required_individuals(NULL, NULL)$$),
    (21, $$SELECT cp_required_individuals(NULL, 'nope')$$),
    (22, $$SELECT cp_required_individuals(NULL, 'bare')$$),
    (23, $$SELECT cp_workload(NULL, NULL)$$),
    (24, $$SELECT cp_workload(NULL, 'nope')$$),
    (25, $$SELECT cp_workload(NULL, 'bare')$$),
    (26, $$SELECT cp_credential(NULL, NULL)$$),
    (27, $$SELECT cp_credential(NULL, 'nope')$$),
    (28, $$SELECT cp_credential(NULL, 'bare')$$),
    (29, $$SELECT cp_workload('EXO', 'Nope')$$),       -- names compare exactly
    (30, $$SELECT cp_workload('EXO', 'fy18')$$)) s(n, statement)
ORDER BY s.n;
-- the messages name what is missing
SELECT regress.error_of($$SELECT * FROM cp_evaluate('2018-06-16', 'bare')$$) ~ 'bare' AS names_the_set,
       regress.error_of($$SELECT cp_workload('EXO', 'bare')$$) ~ 'workload' AS names_what_is_missing;
-- NULL in the other arguments: NULL out, as without rule_set
SELECT cp_level(NULL, 1, 1, 'what-if') AS level_null_market, cp_level('developed', NULL, 1, 'FY18') AS level_null_ae,
       cp_required_entitlements(NULL, 'developed', 'FY18') AS req_null_level,
       cp_required_entitlements('gold', NULL, 'FY18') AS req_null_market,
       cp_required_individuals(NULL, 'FY18') AS req_ind_null, cp_workload(NULL, 'FY18') AS workload_null,
       cp_credential(NULL, 'FY18') AS credential_null;

-- Their values.  cp_level: the highest level both of whose requirements
-- are met, thresholds not monotone (what-if: Gold in a developing market
-- at 200 and 3 persons, Silver at 500 and 1).
SELECT m.market, f.ae, f.qi,
       cp_level(m.market, f.ae, f.qi) AS builtin, cp_level(m.market, f.ae, f.qi, '2017-07') AS "2017-07",
       cp_level(m.market, f.ae, f.qi, 'FY18') AS "FY18", cp_level(m.market, f.ae, f.qi, 'what-if') AS "what-if"
FROM (VALUES ('developed'::cp_market), ('developing')) m(market),
     (VALUES (0::bigint, 0), (300, 3), (600, 1), (600, 3), (1000, 1), (2000, 1), (3000, 2), (3000, 3),
             (4000, 2), (4999, 2), (5000, 1), (5000, 2)) f(ae, qi)
ORDER BY 1, 2, 3;
SELECT l.level, m.market,
       cp_required_entitlements(l.level, m.market) AS builtin,
       cp_required_entitlements(l.level, m.market, '2017-07') AS "2017-07",
       cp_required_entitlements(l.level, m.market, 'FY18') AS "FY18",
       cp_required_entitlements(l.level, m.market, 'what-if') AS "what-if"
FROM unnest(enum_range(NULL::competency_level)) l(level), unnest(enum_range(NULL::cp_market)) m(market)
ORDER BY 1, 2;
SELECT l.level, cp_required_individuals(l.level) AS builtin, cp_required_individuals(l.level, '2017-07') AS "2017-07",
       cp_required_individuals(l.level, 'FY18') AS "FY18", cp_required_individuals(l.level, 'what-if') AS "what-if"
FROM unnest(enum_range(NULL::competency_level)) l(level)
ORDER BY 1;
-- cp_workload: a set's spellings and canonical names, folded
SELECT s.spelling, cp_workload(s.spelling) AS builtin, cp_workload(s.spelling, '2017-07') AS "2017-07",
       cp_workload(s.spelling, 'FY18') AS "FY18", cp_workload(s.spelling, 'what-if') AS "what-if"
FROM (VALUES (1, 'EXO'), (2, 'exchange-online'), (3, 'SfB'), (4, 'skype_for_business'), (5, 'Teams'),
             (6, ' microsoft_TEAMS '), (7, 'teams'), (8, 'SPO'), (9, 'Yammer'), (10, 'Dynamics'),
             (11, '')) s(n, spelling)
ORDER BY s.n;
-- cp_credential: a leading word exam ignored
SELECT s.spelling, cp_credential(s.spelling) AS builtin, cp_credential(s.spelling, '2017-07') AS "2017-07",
       cp_credential(s.spelling, 'FY18') AS "FY18", cp_credential(s.spelling, 'what-if') AS "what-if"
FROM (VALUES (1, '70-346'), (2, 'Exam 70-347'), (3, 'exam: MS-100'), (4, 'ms 101'), (5, 'MCSA-Office365'),
             (6, 'mcsa_office_365'), (7, 'exam'), (8, 'Exam Exam 70-347'), (9, '70-348')) s(n, spelling)
ORDER BY s.n;

-- Rule data are read under the statement's snapshot: a call site that
-- stays (a PL/pgSQL expression, kept for the transaction) sees the
-- transaction's own changes and forgets a rolled-back savepoint's.
-- expected: gold (3000/3 meets Gold 3000), silver (Gold at 3001), gold
-- (back at 3000 in a savepoint), silver (the savepoint rolled back).
CREATE FUNCTION regress.rs_level() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN cp_level('developed', 3000, 3, 'what-if');
END
$$;
CREATE FUNCTION regress.rs_on() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN cp_rule_set_on('2999-12-31');
END
$$;
BEGIN;
SELECT regress.rs_level() AS at_3000, regress.rs_on() AS on_2999;
UPDATE cp_rule_threshold SET min_entitlements = 3001 WHERE rule_set = 'what-if' AND level = 'gold' AND market = 'developed';
INSERT INTO cp_rule_set VALUES ('late', '2999-01-01', 'dated, never completed: rolled back');
SELECT regress.rs_level() AS at_3001, regress.rs_on() AS on_2999;
SAVEPOINT s;
UPDATE cp_rule_threshold SET min_entitlements = 3000 WHERE rule_set = 'what-if' AND level = 'gold' AND market = 'developed';
UPDATE cp_rule_set SET effective_from = NULL WHERE rule_set = 'late';
SELECT regress.rs_level() AS at_3000, regress.rs_on() AS on_2999;
ROLLBACK TO SAVEPOINT s;
SELECT regress.rs_level() AS at_3001, regress.rs_on() AS on_2999;
ROLLBACK;
SELECT regress.rs_level() AS at_3000, regress.rs_on() AS on_2999;
DROP FUNCTION regress.rs_level(), regress.rs_on();
-- Nor folded into a plan: a generic plan reads them at each execution.
SET plan_cache_mode = force_generic_plan;
PREPARE rs_q AS SELECT cp_rule_set_on('2999-12-31') AS on_2999, cp_level('developed', 3000, 3, 'what-if') AS level,
                       cp_workload('Yammer', 'what-if') AS yammer;
EXECUTE rs_q;
BEGIN;
INSERT INTO cp_rule_set VALUES ('late', '2999-01-01', 'dated, never completed: rolled back');
UPDATE cp_rule_threshold SET min_entitlements = 3001 WHERE rule_set = 'what-if' AND level = 'gold' AND market = 'developed';
DELETE FROM cp_rule_workload WHERE rule_set = 'what-if' AND workload = 'yammer';
EXECUTE rs_q;
ROLLBACK;
EXECUTE rs_q;
DEALLOCATE rs_q;
RESET plan_cache_mode;

-------------------------------------------------------------------------------
-- 7. The aggregates under a named set.  Rows with a NULL rule_set are
-- skipped; two different names in one group are 22023, also when the row
-- of the other name would be skipped anyway; an unknown name 42704, an
-- incomplete set 55000; no name at all gives 0; a negative active_users is
-- 22023 whatever the row's rule_set.
-------------------------------------------------------------------------------
CREATE TABLE regress.rs_usage (g int, tenant int, workload text, sku text, active_users bigint,
                               is_trial boolean, measured_on date, rule_set text);
-- tenant 1: Teams 100 and EXO 50 (highest: Teams under FY18, EXO under
-- 2017-07); tenant 2: SfB 70 (2017-07 only), a trial Teams 900, and an
-- older EXO 20 and a newer EXO 30 (latest counts) under what-if.
INSERT INTO regress.rs_usage VALUES
    (1, 1, 'Teams', 'E3', 100, false, '2018-07-10', 'FY18'),
    (1, 1, 'EXO', 'E3', 50, false, '2018-07-10', 'FY18'),
    (1, 2, 'SfB', 'E3', 70, false, '2018-07-10', 'FY18'),
    (1, 2, 'Microsoft Teams', 'E5', 900, true, '2018-07-10', 'FY18'),
    (1, 3, 'EXO', 'E3', 1000, false, '2018-07-10', NULL),          -- skipped
    (2, 1, 'Exchange Online', 'E3', 20, false, '2018-07-01', 'what-if'),
    (2, 1, 'exo', 'E3', 30, false, '2018-07-02', 'what-if'),
    (2, 1, 'Teams', 'E3', 500, false, '2018-07-02', 'what-if'),
    (2, 2, 'YAMMER', 'E1', 40, false, '2018-07-02', 'what-if'),
    (2, 2, 'SfB', 'E1', 400, false, '2018-07-02', NULL);           -- skipped
-- expected: group 1 under FY18 100; group 2 under what-if 30 + 40 = 70;
-- the same rows under the built-in set: group 1 50 + 70 + 1000 = 1120,
-- group 2 30 + 400 = 430 (Teams and YAMMER: Yammer is built in, 40 < 400)
SELECT g, cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on, rule_set) AS named,
       cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on) AS builtin
FROM regress.rs_usage GROUP BY g ORDER BY g;
-- under 2017-07 named: the built-in answer for its rows
SELECT cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on, '2017-07') AS named_2017_07,
       cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on) AS builtin
FROM regress.rs_usage;
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$SELECT cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on, rule_set)
          FROM regress.rs_usage$$),                                           -- FY18 and what-if
    (2, $$SELECT cp_active_entitlements(t, 'EXO', 'E3', 1, false, '2018-07-01', r)
          FROM (VALUES (1, 'FY18'), (NULL, 'what-if')) v(t, r)$$),            -- the second row skipped (NULL key)
    (3, $$SELECT cp_active_entitlements(t, 'EXO', 'E3', 1, NULL, '2018-07-01', r)
          FROM (VALUES (1, 'what-if'), (2, 'FY18')) v(t, r)$$),               -- both skipped (NULL trial flag)
    (4, $$SELECT cp_active_entitlements(1, 'EXO', 'E3', 1, false, '2018-07-01', 'nope')$$),
    (5, $$SELECT cp_active_entitlements(1, 'EXO', 'E3', 1, true, '2018-07-01', 'nope')$$),
    (6, $$SELECT cp_active_entitlements(1, 'EXO', 'E3', 1, false, '2018-07-01', 'bare')$$),
    (7, $$SELECT cp_active_entitlements(1, 'EXO', 'E3', -1, false, '2018-07-01', NULL::text)$$),
    (8, $$SELECT cp_active_entitlements(1, 'EXO', 'E3', -1, false, '2018-07-01', 'FY18')$$),
    (9, $$SELECT cp_active_entitlements(1, 'Dynamics', 'E3', -1, true, '2018-07-01', 'FY18')$$),
    (10, $$SELECT cp_qualified_individuals(p, c, r)
           FROM (VALUES (1, 'MS-100', 'FY18'), (1, 'MS-101', 'what-if')) v(p, c, r)$$),
    (11, $$SELECT cp_qualified_individuals(p, c, r)
           FROM (VALUES (1, 'MS-100', 'FY18'), (NULL, 'MS-101', 'what-if')) v(p, c, r)$$),
    (12, $$SELECT cp_qualified_individuals(p, c, r)
           FROM (VALUES (1, NULL, 'FY18'), (2, 'MS-101', 'what-if')) v(p, c, r)$$),
    (13, $$SELECT cp_qualified_individuals(1, 'MS-100', 'nope')$$),
    (14, $$SELECT cp_qualified_individuals(1, 'MS-100', 'bare')$$),
    (15, $$SELECT cp_qualified_individuals(1, NULL, 'bare')$$)) s(n, statement)
ORDER BY s.n;
-- no name at all, or no rows: 0
SELECT cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on, NULL::text) AS no_name,
       cp_active_entitlements(tenant, workload, sku, active_users, is_trial, measured_on, rule_set)
         FILTER (WHERE false) AS no_rows,
       (SELECT cp_qualified_individuals(p, c, NULL::text) FROM (VALUES (1, 'MCSA: Office 365')) v(p, c))
         AS no_name_individuals,
       (SELECT cp_qualified_individuals(p, c, r) FROM (VALUES (1, 'MCSA: Office 365', 'FY18')) v(p, c, r)
        WHERE false) AS no_rows_individuals
FROM regress.rs_usage;
-- Persons: 1 holds MS-100 and (exam) MS-101, path 3 of FY18; 2 holds 70-346
-- and 70-347 and MCSA (two paths, one person); 3 MCSA; 4 only MS-100; 5 MCSA with no set named (skipped);
-- 6 holds 70-347 and MS-100 (what-if's path 3); 7 MS-101 and MS-100.
-- expected: FY18 4 (1, 2, 3, 7); built in 3 (2, 3, 5); what-if 3 (2, 3, 6).
CREATE TABLE regress.rs_credential (person bigint, credential text, rule_set text);
INSERT INTO regress.rs_credential VALUES
    (1, 'MS-100', 'FY18'), (1, 'exam MS-101', 'FY18'), (2, '70-346', 'FY18'), (2, '70-347', 'FY18'),
    (2, 'MCSA: Office 365', 'FY18'),
    (3, 'MCSA: Office 365', 'FY18'), (4, 'MS-100', 'FY18'), (5, 'MCSA: Office 365', NULL),
    (6, '70-347', 'FY18'), (6, 'MS-100', 'FY18'), (7, 'MS-101', 'FY18'), (7, 'ms100', 'FY18');
SELECT cp_qualified_individuals(person, credential, rule_set) AS "FY18",
       cp_qualified_individuals(person, credential) AS builtin,
       cp_qualified_individuals(person, credential, CASE WHEN rule_set IS NOT NULL THEN 'what-if' END) AS "what-if"
FROM regress.rs_credential;
DROP TABLE regress.rs_usage, regress.rs_credential;

-------------------------------------------------------------------------------
-- 8. Spellings and names, checked at the end of each statement, in a draft.
-------------------------------------------------------------------------------
INSERT INTO cp_rule_set VALUES ('spell', NULL, 'a draft for the spellings');
INSERT INTO cp_rule_workload VALUES ('spell', 'teams', 'Microsoft Teams'), ('spell', 'teams', 'Teams'),
                                    ('spell', 'kaizala', 'Kaizala App');
INSERT INTO cp_rule_credential VALUES ('spell', 1, 'MS-100');
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    -- a second row of the workload whose spelling folds like one of the set's: 23505
    (1, $$INSERT INTO cp_rule_workload VALUES ('spell', 'teams', 'MICROSOFT-TEAMS')$$),
    (2, $$INSERT INTO cp_rule_workload VALUES ('spell', 'teams', 'Teams')$$),
    (3, $$UPDATE cp_rule_workload SET spelling = 'teams ' WHERE rule_set = 'spell' AND spelling = 'Microsoft Teams'$$),
    (4, $$INSERT INTO cp_rule_workload VALUES ('spell', 'yammer', 'Yam'), ('spell', 'yammer', 'YAM')$$),
    -- a spelling or canonical name folding like another workload's name or spelling: 23514
    (5, $$INSERT INTO cp_rule_workload VALUES ('spell', 'teams', 'KAIZALA')$$),          -- kaizala's name
    (6, $$INSERT INTO cp_rule_workload VALUES ('spell', 'Kaizala-App', 'KZ')$$),         -- kaizala's spelling
    (7, $$INSERT INTO cp_rule_workload VALUES ('spell', 'Teams', 'Skype Teams')$$),      -- teams' name
    (8, $$UPDATE cp_rule_workload SET workload = 'Microsoft Teams' WHERE rule_set = 'spell' AND workload = 'kaizala'$$),
    -- folding to nothing: 23514
    (9, $$INSERT INTO cp_rule_workload VALUES ('spell', 'yammer', ' -_: ')$$),
    (10, $$INSERT INTO cp_rule_workload VALUES ('spell', '__', 'Yammer')$$),
    -- credentials: folding alike but not byte-identical 23505; byte-identical in two paths, fine
    (11, $$INSERT INTO cp_rule_credential VALUES ('spell', 2, 'ms 100')$$),
    (12, $$INSERT INTO cp_rule_credential VALUES ('spell', 1, 'MS_100')$$),
    (13, $$INSERT INTO cp_rule_credential VALUES ('spell', 2, 'MS-100')$$),
    -- a credential folding to nothing or to exam alone: 23514
    (14, $$INSERT INTO cp_rule_credential VALUES ('spell', 2, 'Exam')$$),
    (15, $$INSERT INTO cp_rule_credential VALUES ('spell', 2, ' EXAM: ')$$),
    (16, $$INSERT INTO cp_rule_credential VALUES ('spell', 2, '-')$$),
    -- the same spellings in another set are another set's business
    (17, $$INSERT INTO cp_rule_workload VALUES ('what-if', 'teams', 'Microsoft Teams')$$)) s(n, statement)
ORDER BY s.n;
-- the statements refused left nothing behind
SELECT workload, spelling FROM cp_rule_workload WHERE rule_set = 'spell' ORDER BY workload, spelling COLLATE "C";
SELECT path, credential FROM cp_rule_credential WHERE rule_set = 'spell' ORDER BY path, credential COLLATE "C";
DELETE FROM cp_rule_set WHERE rule_set = 'spell';

-- The limits.  A set of 32 workloads, 32 paths of two credentials each (64
-- credentials) is accepted and evaluates.
BEGIN;
INSERT INTO cp_rule_set VALUES ('big', NULL, 'a large draft');
INSERT INTO cp_rule_threshold VALUES ('big', 'silver', 'developed', 10, 1), ('big', 'silver', 'developing', 10, 1),
                                     ('big', 'gold', 'developed', 20, 2), ('big', 'gold', 'developing', 20, 2);
INSERT INTO cp_rule_workload SELECT 'big', 'w' || i, 'Workload ' || i FROM generate_series(1, 32) i;
INSERT INTO cp_rule_credential SELECT 'big', i, 'Cred ' || (2 * i - 1) FROM generate_series(1, 32) i
                               UNION ALL SELECT 'big', i, 'Cred ' || (2 * i) FROM generate_series(1, 32) i;
INSERT INTO cp_rule_association VALUES ('big', 'delegated_admin');
COMMIT;
SELECT * FROM regress.rule_sets() WHERE rule_set = 'big';
-- expected: tenant 1: max(w32 10, w1 5) = 10; tenant 2: w17 7 -> 17.
-- persons 1 (creds 63 and 64, path 32) and 3 (creds 1 and 2, path 1) qualify,
-- 2 (cred 1 only) does not -> 2.  With 17 and 2: silver (gold needs 20).
SELECT cp_active_entitlements(t, w, 'E3', n, false, '2018-07-01', 'big') AS entitlements,
       cp_workload('WORKLOAD-32', 'big') AS w32, cp_workload('w17', 'big') AS w17,
       cp_workload('Workload 33', 'big') AS w33
FROM (VALUES (1, 'workload 32', 10), (1, 'W1', 5), (2, 'workload_17', 7)) v(t, w, n);
SELECT cp_qualified_individuals(p, c, 'big') AS individuals, cp_credential('exam cred 64', 'big') AS cred64,
       cp_level('developed', 17, 2, 'big') AS level_17_2, cp_level('developed', 20, 2, 'big') AS level_20_2
FROM (VALUES (1, 'cred 63'), (1, 'CRED-64'), (2, 'Cred 1'), (3, 'Exam Cred 2'), (3, 'cred1')) v(p, c);
-- Up to the limits (64 workloads, 64 credentials, 64 paths), fine, and
-- evaluated; one more of any, 54000 at the statement's end.
INSERT INTO cp_rule_workload SELECT 'big', 'w' || i, 'Workload ' || i FROM generate_series(33, 64) i;
INSERT INTO cp_rule_credential SELECT 'big', i, 'Cred ' || (i - 32) FROM generate_series(33, 64) i;
SELECT * FROM regress.rule_sets() WHERE rule_set = 'big';
SELECT count(DISTINCT path) AS paths FROM cp_rule_credential WHERE rule_set = 'big';
-- expected: tenant 1: max(w64 10, w33 12) = 12; tenant 2: w1 7 -> 19.
-- persons 2 (cred 1: path 33 now) and 4 (cred 32, path 64) qualify too -> 4.
SELECT cp_active_entitlements(t, w, 'E3', n, false, '2018-07-01', 'big') AS entitlements,
       cp_workload('WORKLOAD-64', 'big') AS w64
FROM (VALUES (1, 'workload 64', 10), (1, 'W33', 12), (2, 'workload_1', 7)) v(t, w, n);
SELECT cp_qualified_individuals(p, c, 'big') AS individuals
FROM (VALUES (1, 'cred 63'), (1, 'CRED-64'), (2, 'Cred 1'), (3, 'Exam Cred 2'), (3, 'cred1'), (4, 'Cred 32')) v(p, c);
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$INSERT INTO cp_rule_workload VALUES ('big', 'w65', 'Workload 65')$$),
    (2, $$INSERT INTO cp_rule_workload VALUES ('big', 'w64', 'Workload Sixty-Four')$$),   -- a spelling more: fine
    (3, $$INSERT INTO cp_rule_credential VALUES ('big', 1, 'Cred 65')$$),
    (4, $$INSERT INTO cp_rule_credential VALUES ('big', 65, 'Cred 1')$$),
    (5, $$INSERT INTO cp_rule_credential VALUES ('big', 64, 'Cred 2')$$))                -- a credential more in a path: fine
    s(n, statement)
ORDER BY s.n;
DELETE FROM cp_rule_set WHERE rule_set = 'big';

-------------------------------------------------------------------------------
-- 9. Completeness at commit.  A dated set must be complete when its
-- transaction commits (23514, naming the set and what it lacks); a draft
-- may be incomplete; SET CONSTRAINTS ... IMMEDIATE makes the check run at
-- the statement; deleting a set, or making it a draft again, is always
-- allowed; renaming a set carries its rows.
-------------------------------------------------------------------------------
\set VERBOSITY sqlstate
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY99', '2999-07-01', 'far away, incomplete');
INSERT INTO cp_rule_threshold VALUES ('FY99', 'silver', 'developed', 2000, 1), ('FY99', 'silver', 'developing', 1000, 2);
SELECT count(*) AS before_commit FROM cp_rule_set WHERE rule_set = 'FY99';   -- deferred: not refused yet
COMMIT;
\echo :LAST_ERROR_MESSAGE
SELECT count(*) AS kept FROM cp_rule_set WHERE rule_set = 'FY99';
-- a draft may lack everything; dating it fails at (autocommit's) commit
INSERT INTO cp_rule_set VALUES ('FY99', NULL, 'far away, a draft');
UPDATE cp_rule_set SET effective_from = '2999-07-01' WHERE rule_set = 'FY99';
\echo :LAST_ERROR_MESSAGE
SELECT rule_set, effective_from FROM cp_rule_set WHERE rule_set = 'FY99';
-- made immediate, the check runs at the statement (by its name, or ALL)
BEGIN;
SET CONSTRAINTS cp_rule_set_complete IMMEDIATE;
UPDATE cp_rule_set SET effective_from = '2999-07-01' WHERE rule_set = 'FY99';
\echo :LAST_ERROR_MESSAGE
ROLLBACK;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO cp_rule_set VALUES ('FY98', '2998-07-01', 'incomplete, immediate');
ROLLBACK;
-- deferred again: completed in the transaction that dates it, it commits
BEGIN;
UPDATE cp_rule_set SET effective_from = '2999-07-01' WHERE rule_set = 'FY99';
INSERT INTO cp_rule_threshold SELECT 'FY99', level, market, min_entitlements, min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload SELECT 'FY99', workload, spelling FROM cp_rule_workload WHERE rule_set = 'FY18';
INSERT INTO cp_rule_credential SELECT 'FY99', path, credential FROM cp_rule_credential WHERE rule_set = 'FY18';
INSERT INTO cp_rule_association SELECT 'FY99', kind FROM cp_rule_association WHERE rule_set = 'FY18';
COMMIT;
SELECT * FROM regress.rule_sets() WHERE rule_set = 'FY99';
-- a level's two markets must ask the same number of persons
UPDATE cp_rule_threshold SET min_individuals = 3 WHERE rule_set = 'FY99' AND level = 'gold' AND market = 'developing';
\echo :LAST_ERROR_MESSAGE
-- ... in both levels at once
BEGIN;
UPDATE cp_rule_threshold SET min_individuals = 2 WHERE rule_set = 'FY99' AND level = 'silver' AND market = 'developing';
UPDATE cp_rule_threshold SET min_individuals = 3 WHERE rule_set = 'FY99' AND level = 'gold' AND market = 'developing';
COMMIT;
\echo :LAST_ERROR_MESSAGE
-- taking a part of a dated set away: refused at commit
DELETE FROM cp_rule_association WHERE rule_set = 'FY99';
\echo :LAST_ERROR_MESSAGE
-- ... unless it becomes a draft in the same transaction
BEGIN;
DELETE FROM cp_rule_association WHERE rule_set = 'FY99';
DELETE FROM cp_rule_threshold WHERE rule_set = 'FY99' AND level = 'gold';
UPDATE cp_rule_set SET effective_from = NULL WHERE rule_set = 'FY99';
COMMIT;
SELECT * FROM regress.rule_sets() WHERE rule_set = 'FY99';
-- evaluating under an incomplete draft: 55000, whatever part a function uses
SELECT regress.sqlstate_of($$SELECT cp_workload('EXO', 'FY99')$$) AS workload,
       regress.sqlstate_of($$SELECT cp_required_individuals('silver', 'FY99')$$) AS individuals;
-- a draft whose levels both ask different numbers of persons per market
-- is incomplete too
INSERT INTO cp_rule_set VALUES ('uneven', NULL, 'persons per market differ');
INSERT INTO cp_rule_threshold VALUES ('uneven', 'silver', 'developed', 1, 1), ('uneven', 'silver', 'developing', 1, 2),
                                     ('uneven', 'gold', 'developed', 2, 2), ('uneven', 'gold', 'developing', 2, 3);
INSERT INTO cp_rule_workload VALUES ('uneven', 'yammer', 'Yammer');
INSERT INTO cp_rule_credential VALUES ('uneven', 1, '70-346');
INSERT INTO cp_rule_association VALUES ('uneven', 'delegated_admin');
SELECT regress.sqlstate_of($$SELECT cp_level('developed', 1, 1, 'uneven')$$) AS level,
       regress.sqlstate_of($$SELECT * FROM cp_evaluate('2018-07-01', 'uneven')$$) AS evaluate,
       regress.sqlstate_of($$SELECT cp_qualified_individuals(1, '70-346', 'uneven')$$) AS individuals;
DELETE FROM cp_rule_set WHERE rule_set = 'uneven';
-- renaming carries the rows
UPDATE cp_rule_set SET rule_set = 'FY99 renamed' WHERE rule_set = 'FY99';
SELECT * FROM regress.rule_sets() WHERE rule_set LIKE 'FY99%';
-- deleting a dated set is allowed, also after taking parts of it away in
-- the same transaction
BEGIN;
UPDATE cp_rule_set SET rule_set = 'FY99' WHERE rule_set = 'FY99 renamed';
INSERT INTO cp_rule_threshold SELECT 'FY99', level, market, min_entitlements, min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18' AND level = 'gold';
INSERT INTO cp_rule_association VALUES ('FY99', 'delegated_admin');
UPDATE cp_rule_set SET effective_from = '2999-07-01' WHERE rule_set = 'FY99';
COMMIT;
SELECT * FROM regress.rule_sets() WHERE rule_set LIKE 'FY99%';
BEGIN;
DELETE FROM cp_rule_workload WHERE rule_set = 'FY99';
DELETE FROM cp_rule_set WHERE rule_set = 'FY99';
COMMIT;
\set VERBOSITY default
SELECT * FROM regress.rule_sets();

-------------------------------------------------------------------------------
-- 10. Evaluation across the change of rules on 2018-07-01 (2017-07 before,
-- FY18 from then on), with the default 28-day window.
--   1 Alpha (developed): tenant 1 by a delegated administrator; EXO 4,500
--     measured 2018-06-10 and 4,600 on 2018-07-10 (and a trial); persons 11
--     (70-346 and 70-347) and 12 (MCSA).
--   2 Beta (developing): tenant 2 by a transacting partner; Skype for
--     Business 1,500 (06-10 and 07-10), Microsoft Teams 1,200 (06-10),
--     Teams 1,300 (07-10; the same workload and SKU under FY18); persons 21
--     (MS-100 and MS-101, FY18's path 3 only) and 22 (exam 70-346, 70-347).
--   3 Gamma (developed): tenant 3 by FastTrack only; EXO 2,500 (06-10 and
--     07-10); person 31 (MCSA).
--   4 Delta (developed): tenant 5 (delegated admin): Exchange 2,000 and
--     SfB 2,500; tenant 6 (digital partner of record until 06-25): SPO 700;
--     tenant 7 (FastTrack): YAM 400; tenant 8 (delegated admin from 06-26):
--     ProPlus 900; all measured 06-10; persons 41 (MCSA, expires 06-28),
--     42 (70-346, 70-347), 43 (MS-100, exam: MS-101).
-- Memberships: 1 gold, 2 silver, 3 silver, 4 gold, each [2017-07-01, 2018-07-01).
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES (1, 'Alpha', 'developed'), (2, 'Beta', 'developing'),
                              (3, 'Gamma', 'developed'), (4, 'Delta', 'developed');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', '2018-01-01', NULL),
    (2, regress.t(2), 'transacting_partner', '2018-01-01', NULL),
    (3, regress.t(3), 'fast_track', '2018-01-01', NULL),
    (4, regress.t(5), 'delegated_admin', '2018-01-01', NULL),
    (4, regress.t(6), 'digital_partner_of_record', '2018-01-01', '2018-06-25'),
    (4, regress.t(7), 'fast_track', '2018-01-01', NULL),
    (4, regress.t(8), 'delegated_admin', '2018-06-26', NULL);
INSERT INTO cp_usage VALUES
    (regress.t(1), 'EXO', 'E3', false, 4500, '2018-06-10'),
    (regress.t(1), 'EXO', 'E3', false, 4600, '2018-07-10'),
    (regress.t(1), 'Teams', 'E5', true, 9999, '2018-07-10'),
    (regress.t(2), 'Skype for Business', 'E3', false, 1500, '2018-06-10'),
    (regress.t(2), 'Skype for Business', 'E3', false, 1500, '2018-07-10'),
    (regress.t(2), 'Microsoft Teams', 'E3', false, 1200, '2018-06-10'),
    (regress.t(2), 'Teams', 'E3', false, 1300, '2018-07-10'),
    (regress.t(3), 'EXO', 'E3', false, 2500, '2018-06-10'),
    (regress.t(3), 'EXO', 'E3', false, 2500, '2018-07-10'),
    (regress.t(5), 'Exchange', 'E3', false, 2000, '2018-06-10'),
    (regress.t(5), 'SfB', 'E3', false, 2500, '2018-06-10'),
    (regress.t(6), 'SPO', 'E1', false, 700, '2018-06-10'),
    (regress.t(7), 'YAM', 'E1', false, 400, '2018-06-10'),
    (regress.t(8), 'ProPlus', 'E3', false, 900, '2018-06-10');
INSERT INTO cp_person VALUES (11, 1, 'Ann'), (12, 1, 'Al'), (21, 2, 'Bea'), (22, 2, 'Bo'), (31, 3, 'Cy'),
                             (41, 4, 'Di'), (42, 4, 'Dan'), (43, 4, 'Dee');
INSERT INTO cp_credential VALUES
    (11, '70-346', '2018-01-01', NULL), (11, '70-347', '2018-01-01', NULL),
    (12, 'MCSA: Office 365', '2018-01-01', NULL),
    (21, 'MS-100', '2018-01-01', NULL), (21, 'MS-101', '2018-01-01', NULL),
    (22, 'Exam 70-346', '2018-01-01', NULL), (22, '70-347', '2018-01-01', NULL),
    (31, 'MCSA: Office 365', '2018-01-01', NULL),
    (41, 'MCSA: Office 365', '2018-01-01', '2018-06-28'),
    (42, '70-346', '2018-01-01', NULL), (42, '70-347', '2018-01-01', NULL),
    (43, 'MS-100', '2018-01-01', NULL), (43, 'exam: MS-101', '2018-01-01', NULL);
INSERT INTO cp_membership VALUES (1, 'gold', '2017-07-01', '2018-07-01'), (2, 'silver', '2017-07-01', '2018-07-01'),
                                 (3, 'silver', '2017-07-01', '2018-07-01'), (4, 'gold', '2017-07-01', '2018-07-01');

-- The day before the change (2017-07), and the day of it (FY18):
--   2018-06-30: 1 4500/2 gold; 2 1500/1 silver (gold: 2500 and 1 short);
--     3 0/1 none (FastTrack is not counted; silver: 2000 short); 4: tenant 5
--     max(SfB 2500, Exchange 2000) = 2500, tenant 6 ended, tenant 8 ProPlus
--     900: 3400/1 (41 expired) silver (gold: 600 and 1 short).
--   2018-07-01: 1 4500/2 silver (gold: 500 short); 2 Teams 1200/2 silver
--     (gold: 3800 short); 3 2500/1 silver (gold: 2500 and 1 short); 4
--     Exchange 2000 + YAM 400 + ProPlus 900 = 3300/2 (42, 43) silver (gold:
--     1700 short).
SELECT cp_rule_set_on('2018-06-30') AS "2018-06-30", cp_rule_set_on('2018-07-01') AS "2018-07-01";
SELECT '2018-06-30' AS as_of, * FROM cp_evaluate('2018-06-30')
UNION ALL
SELECT '2018-07-01', * FROM cp_evaluate('2018-07-01')
ORDER BY 1, 2;
-- Each point of a series under its own set (15 days: 06-16, 07-01, 07-16):
--   06-16 (2017-07): 1 4500/2 gold; 2 1500/1 silver (2500, 1 short);
--     3 0/1 none (2000 short); 4 2500 + 700 = 3200/2 silver (800 short).
--   07-01 (FY18): as above.
--   07-16 (FY18; 06-10 is stale): 1 4600/2 silver (400 short); 2 Teams
--     1300/2 silver (3700 short); 3 2500/1 silver (2500, 1 short); 4 0/2
--     none (silver: 2000 short).
SELECT * FROM cp_evaluate_series('2018-06-16', '2018-07-16', '15 days') ORDER BY as_of, partner_id;
-- the series is cp_evaluate point by point
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (s.market, s.active_entitlements, s.qualified_individuals, s.level, s.next_level,
                               s.entitlements_short, s.individuals_short)
                              IS DISTINCT FROM
                              (e.market, e.active_entitlements, e.qualified_individuals, e.level, e.next_level,
                               e.entitlements_short, e.individuals_short)) AS differing
FROM cp_evaluate_series('2018-06-16', '2018-07-16', '15 days') s
JOIN LATERAL cp_evaluate(s.as_of) e ON e.partner_id = s.partner_id;
-- cp_evaluate(D, '2017-07') is cp_evaluate(D) while 2017-07 is in force, and
-- cp_evaluate(D, 'FY18') once FY18 is.
SELECT d.d AS as_of, s.rule_set, count(*) AS rows,
       count(*) FILTER (WHERE (n.market, n.active_entitlements, n.qualified_individuals, n.level, n.next_level,
                               n.entitlements_short, n.individuals_short)
                              IS DISTINCT FROM
                              (e.market, e.active_entitlements, e.qualified_individuals, e.level, e.next_level,
                               e.entitlements_short, e.individuals_short)) AS differing
FROM (VALUES ('2018-06-16'::date), ('2018-06-30'), ('2018-07-01'), ('2018-07-16')) d(d)
CROSS JOIN (VALUES ('2017-07'), ('FY18')) s(rule_set)
CROSS JOIN LATERAL cp_evaluate(d.d, s.rule_set) n
JOIN LATERAL cp_evaluate(d.d) e ON e.partner_id = n.partner_id
GROUP BY 1, 2 ORDER BY 1, 2;
-- 2017-07 named after its time (2018-07-16): 1 4600/2 gold; 2 SfB 1500/1
-- silver (2500, 1 short); 3 0/1 none (2000 short); 4 0/1 (41 expired) none
-- (2000 short).
SELECT * FROM cp_evaluate('2018-07-16', '2017-07') ORDER BY partner_id;
-- The draft what-if, which never takes effect, on 2018-06-16: only
-- delegated administrators, Exchange and Yammer, Silver 1000 (developed) or
-- 500 and 1 person, Gold 3000 (developed) and 3 persons:
--   1 EXO 4500/2 (11 by path 2, 12 by path 1) silver (gold: 0 and 1 short);
--   2 transacting partner 0/1 (22 by path 2; 21 lacks 70-347) none (500 short);
--   3 FastTrack 0/1 none (1000 short);
--   4 0/2 (41, 42; 43 lacks 70-347): Exchange is not one of what-if's
--     spellings (Exchange Online, EXO), SfB and SPO are not eligible, FastTrack
--     not counted: none (silver: 1000 short).
SELECT * FROM cp_evaluate('2018-06-16', 'what-if') ORDER BY partner_id;
SELECT count(*) AS days_under_the_draft
FROM generate_series('2018-01-01'::date, '2019-01-01', '1 day') d WHERE cp_rule_set_on(d::date) = 'what-if';

-------------------------------------------------------------------------------
-- 11. Membership across the change: as of 2018-06-20 (2017-07) every
-- membership renews on 2018-07-01 (FY18).  Level and margins under
-- 2017-07, the projection (usage current as of 06-20, associations and
-- credentials on 07-01) under FY18:
--   1 gold held; level gold (4500/2); margins 500, 0; projected 4500/2,
--     silver under FY18 (gold needs 5000): at_risk.
--   2 silver held; level silver (1500/1); margins 500, 0; projected Teams
--     1200/2 (21 and 22): silver: secure.
--   3 silver held; level none (0/1); margins -2000, 0; projected 2500/1
--     (FastTrack counts): silver: at_risk.
--   4 gold held; level silver (2500 + 700 = 3200/2); margins -800, 0;
--     projected Exchange 2000 + YAM 400 + ProPlus 900 = 3300 / 42 and 43 = 2:
--     silver: at_risk.
-------------------------------------------------------------------------------
SELECT * FROM cp_membership_status('2018-06-20') ORDER BY partner_id;
-- What moves the figures: the change of rules, then, under FY18, the
-- associations and credentials.
--   1: rules_change FY18 on 2018-07-01, 0 and 0 (the same figures under both).
--   2: rules_change -300 (Teams 1200 instead of SfB 1500) and +1 (21).
--   3: rules_change +2500 (FastTrack), 0.
--   4: tenant 6 ends 06-25 (-700), tenant 8 starts 06-26 (+900), 41's
--      credential expires 06-28 (-1), rules_change (as of 06-20 under FY18:
--      2000 + 700 + 400 = 3100 and 3 persons, minus 3200 and 2): -100, +1.
SELECT p.partner_id, r.*
FROM generate_series(1, 4) p(partner_id), cp_explain_risk(p.partner_id, '2018-06-20') r
ORDER BY 1, r.effective_on, r.kind COLLATE "C";
-- the sums: figures as of as_of plus the changes are the projected figures
SELECT e.partner_id,
       e.active_entitlements + coalesce(r.ae, 0) AS entitlements_after, m.projected_entitlements,
       e.qualified_individuals + coalesce(r.qi, 0) AS individuals_after, m.projected_individuals
FROM cp_evaluate('2018-06-20') e
JOIN cp_membership_status('2018-06-20') m USING (partner_id)
LEFT JOIN LATERAL (SELECT sum(x.entitlements_change) AS ae, sum(x.individuals_change) AS qi
                   FROM cp_explain_risk(e.partner_id, '2018-06-20') x) r ON true
ORDER BY 1;
-- A set in force only between as_of and E gives no row: rules_change names
-- E's set, its changes unchanged.
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY18-interim', '2018-06-25', 'in force 06-25 to 06-30');
INSERT INTO cp_rule_threshold SELECT 'FY18-interim', level, market, 1, min_individuals FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload VALUES ('FY18-interim', 'yammer', 'Yammer');
INSERT INTO cp_rule_credential VALUES ('FY18-interim', 1, '70-346');
INSERT INTO cp_rule_association VALUES ('FY18-interim', 'fast_track');
SELECT * FROM cp_explain_risk(4, '2018-06-20') WHERE kind = 'rules_change';
SELECT * FROM cp_explain_risk(2, '2018-06-20');
ROLLBACK;
-- In grace (as of 07-05, E is as_of): the same set, no rules_change.
SELECT partner_id, held_level, status, level, projected_level FROM cp_membership_status('2018-07-05') ORDER BY 1;
SELECT count(*) AS rules_change_rows
FROM generate_series(1, 4) p(partner_id), cp_explain_risk(p.partner_id, '2018-07-05') r
WHERE r.kind = 'rules_change';

-------------------------------------------------------------------------------
-- 12. cp_explain follows the set in force: its counted rows sum to
-- cp_evaluate's figure, on every date, under either set.
-------------------------------------------------------------------------------
SELECT d.d AS as_of, cp_rule_set_on(d.d) AS rule_set, e.partner_id, e.active_entitlements,
       (SELECT coalesce(sum(x.active_users), 0) FROM cp_explain(e.partner_id, d.d) x WHERE x.counted) AS counted
FROM (VALUES ('2018-06-16'::date), ('2018-06-30'), ('2018-07-01'), ('2018-07-16')) d(d)
CROSS JOIN LATERAL cp_evaluate(d.d) e
ORDER BY 1, 3;
-- FastTrack: no active association under 2017-07, counted under FY18
SELECT measured_on, workload, sku, active_users, counted, reason FROM cp_explain(3, '2018-06-16')
ORDER BY measured_on, workload COLLATE "C";
SELECT measured_on, workload, sku, active_users, counted, reason FROM cp_explain(3, '2018-07-16')
ORDER BY measured_on, workload COLLATE "C";
-- Skype for Business eligible, Teams not, under 2017-07; the reverse under FY18
SELECT measured_on, workload, sku, active_users, counted, reason FROM cp_explain(2, '2018-06-30')
ORDER BY measured_on, workload COLLATE "C";
SELECT measured_on, workload, sku, active_users, counted, reason FROM cp_explain(2, '2018-07-01')
ORDER BY measured_on, workload COLLATE "C";

-------------------------------------------------------------------------------
-- 13. Flagging of rule writes (today; FY18 is in force).  Partners:
--   1 Alpha (developed): EXO 4500, persons 11 (70-346, 70-347) and 12
--     (MCSA); holds gold until 100 days from now.  FY18: silver (gold needs
--     5000), at_risk.
--   2 Beta (developing): transacting partner, Teams 1200, person 21 (MS-100,
--     MS-101).  FY18: silver.
--   3 Gamma (developed): FastTrack, EXO 2500, person 31 (MCSA).  FY18: silver.
-------------------------------------------------------------------------------
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Alpha', 'developed'), (2, 'Beta', 'developing'), (3, 'Gamma', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', current_date - 100, NULL),
                                  (2, regress.t(2), 'transacting_partner', current_date - 100, NULL),
                                  (3, regress.t(3), 'fast_track', current_date - 100, NULL);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 4500, current_date - 3),
                            (regress.t(2), 'Teams', 'E3', false, 1200, current_date - 3),
                            (regress.t(3), 'EXO', 'E3', false, 2500, current_date - 3);
INSERT INTO cp_person VALUES (11, 1, 'Ann'), (12, 1, 'Al'), (21, 2, 'Bea'), (31, 3, 'Cy');
INSERT INTO cp_credential VALUES (11, '70-346', current_date - 50, NULL), (11, '70-347', current_date - 50, NULL),
                                 (12, 'MCSA: Office 365', current_date - 50, NULL),
                                 (21, 'MS-100', current_date - 50, NULL), (21, 'MS-101', current_date - 50, NULL),
                                 (31, 'MCSA: Office 365', current_date - 50, NULL);
INSERT INTO cp_membership VALUES (1, 'gold', current_date - 100, current_date + 100);
SELECT cp_refresh_levels() AS changes;
TRUNCATE cp_level_change, cp_status_change RESTART IDENTITY;
SELECT partner_id, level, active_entitlements, qualified_individuals, status, rule_set,
       as_of = current_date AS today
FROM cp_partner_level ORDER BY 1;
SELECT partner_id, level, status, rule_set FROM cp_partner_status ORDER BY 1;

-- One transaction writes a set, dates it today and changes it several
-- times: at commit, and only then, every partner is evaluated once under
-- it.  FY-now: FY18 with Gold back at 4000 and FastTrack no longer counted.
-- Expected: 1 silver -> gold (and at_risk -> secure: projected gold under
-- FY-now, in force on its renewal date), 3 silver -> none, 2 unchanged;
-- every kept row records FY-now.
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-now', NULL, 'Gold back at 4,000, FastTrack out');
INSERT INTO cp_rule_threshold SELECT 'FY-now', level, market, CASE WHEN level = 'gold' THEN 4000 ELSE min_entitlements END,
                                     min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload SELECT 'FY-now', workload, spelling FROM cp_rule_workload WHERE rule_set = 'FY18';
INSERT INTO cp_rule_credential SELECT 'FY-now', path, credential FROM cp_rule_credential WHERE rule_set = 'FY18';
INSERT INTO cp_rule_association SELECT 'FY-now', kind FROM cp_rule_association
WHERE rule_set = 'FY18' AND kind <> 'fast_track';
UPDATE cp_rule_set SET effective_from = current_date WHERE rule_set = 'FY-now';
UPDATE cp_rule_threshold SET min_entitlements = 9000 WHERE rule_set = 'FY-now' AND level = 'silver';
UPDATE cp_rule_threshold SET min_entitlements = CASE market WHEN 'developed' THEN 2000 ELSE 1000 END
WHERE rule_set = 'FY-now' AND level = 'silver';
SELECT count(*) AS changes_before_commit FROM cp_level_change;
COMMIT;
SELECT change_id, partner_id, old_level, new_level, active_entitlements, qualified_individuals, rule_set
FROM cp_level_change ORDER BY change_id;
SELECT change_id, partner_id, old_status, new_status, held_level, level, projected_level FROM cp_status_change
ORDER BY change_id;
SELECT partner_id, level, active_entitlements, qualified_individuals, status, rule_set FROM cp_partner_level ORDER BY 1;
SELECT partner_id, level, status, rule_set FROM cp_partner_status ORDER BY 1;
SELECT partner_id, level, next_level, entitlements_short, individuals_short, rule_set FROM cp_partner_status_kept
ORDER BY 1;

-- A transaction that touches drafts only (a new one, and what-if) does not
-- re-evaluate: no change, the kept rows as they were.
SELECT string_agg(evaluated_at::text || rule_set, ',' ORDER BY partner_id) AS kept_before FROM cp_partner_level \gset
BEGIN;
INSERT INTO cp_rule_set VALUES ('draft-2', NULL, 'a draft');
INSERT INTO cp_rule_threshold VALUES ('draft-2', 'silver', 'developed', 1, 0);
UPDATE cp_rule_threshold SET min_entitlements = 1 WHERE rule_set = 'what-if';
DELETE FROM cp_rule_set WHERE rule_set = 'draft-2';
COMMIT;
SELECT count(*) AS changes, (SELECT string_agg(evaluated_at::text || rule_set, ',' ORDER BY partner_id)
                             FROM cp_partner_level) = :'kept_before' AS kept_as_they_were
FROM cp_level_change;
-- Nor does one that dates a draft and makes it a draft again: before and
-- after, its rows belong only to drafts.
BEGIN;
UPDATE cp_rule_set SET effective_from = current_date + 30 WHERE rule_set = 'what-if';
UPDATE cp_rule_set SET effective_from = NULL WHERE rule_set = 'what-if';
COMMIT;
SELECT count(*) AS changes, (SELECT string_agg(evaluated_at::text || rule_set, ',' ORDER BY partner_id)
                             FROM cp_partner_level) = :'kept_before' AS kept_as_they_were
FROM cp_level_change;

-- Renaming the set in force: its rows follow; the history keeps the name it
-- recorded, the kept levels are rewritten (a dated set was written).
UPDATE cp_rule_set SET rule_set = 'FY-now renamed' WHERE rule_set = 'FY-now';
SELECT * FROM regress.rule_sets() WHERE rule_set LIKE 'FY-now%';
SELECT DISTINCT rule_set AS history FROM cp_level_change;
SELECT DISTINCT rule_set AS kept FROM cp_partner_level;
UPDATE cp_rule_set SET rule_set = 'FY-now' WHERE rule_set = 'FY-now renamed';

-- With flagging paused (a superuser may), neither the completeness check
-- nor the flagging runs: an incomplete dated set commits, and making
-- FY-now a draft again flags nothing.  A refresh catches up.
SET competency.flagging = off;
INSERT INTO cp_rule_set VALUES ('FY-unchecked', current_date + 10, 'incomplete, committed while paused');
UPDATE cp_rule_set SET effective_from = NULL WHERE rule_set = 'FY-now';
SELECT * FROM regress.rule_sets() WHERE rule_set IN ('FY-unchecked', 'FY-now');
SELECT count(*) AS changes FROM cp_level_change;
SELECT partner_id, level, rule_set FROM cp_partner_level ORDER BY 1;
DELETE FROM cp_rule_set WHERE rule_set = 'FY-unchecked';
RESET competency.flagging;
-- a restore session (pg_restore's application name) is not checked either
SET application_name = 'pg_restore';
INSERT INTO cp_rule_set VALUES ('FY-restored', current_date + 10, 'incomplete, restored');
SELECT * FROM regress.rule_sets() WHERE rule_set = 'FY-restored';
DELETE FROM cp_rule_set WHERE rule_set = 'FY-restored';
RESET application_name;
-- expected: 1 gold -> silver, 3 none -> silver, under FY18
SELECT cp_refresh_levels() AS caught_up;
SELECT change_id, partner_id, old_level, new_level, rule_set FROM cp_level_change WHERE change_id > 2 ORDER BY 1;
SELECT partner_id, level, rule_set FROM cp_partner_level ORDER BY 1;

-- cp_refresh_levels(d) evaluates under the set in force on d and records
-- it: on 2018-06-30 (2017-07) and on 2018-07-01 (FY18) everybody is none
-- (today's usage is in the future then), then back to today.
SELECT cp_refresh_levels('2018-06-30') AS changes;
SELECT DISTINCT level, rule_set, as_of FROM cp_partner_level;
SELECT cp_refresh_levels('2018-07-01') AS changes;
SELECT DISTINCT level, rule_set, as_of FROM cp_partner_level;
SELECT cp_refresh_levels() AS changes;
SELECT change_id, partner_id, old_level, new_level, rule_set FROM cp_level_change WHERE change_id > 4 ORDER BY 1;
SELECT partner_id, level, rule_set, as_of = current_date AS today FROM cp_partner_level ORDER BY 1;

-- Status flagging projects under the set in force on each renewal date: a
-- set from 50 days on (before partner 1's renewal, 100 days on) with Gold
-- at 4000 makes 1's projection gold (still at_risk: its level today,
-- under FY18, is silver; no status change), the kept levels still FY18's.
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-soon', current_date + 50, 'Gold at 4,000 in 50 days');
INSERT INTO cp_rule_threshold SELECT 'FY-soon', level, market, CASE WHEN level = 'gold' THEN 4000 ELSE min_entitlements END,
                                     min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload SELECT 'FY-soon', workload, spelling FROM cp_rule_workload WHERE rule_set = 'FY18';
INSERT INTO cp_rule_credential SELECT 'FY-soon', path, credential FROM cp_rule_credential WHERE rule_set = 'FY18';
INSERT INTO cp_rule_association SELECT 'FY-soon', kind FROM cp_rule_association WHERE rule_set = 'FY18';
COMMIT;
SELECT partner_id, level, held_level, projected_level, status, rule_set FROM cp_partner_level ORDER BY 1;
SELECT count(*) AS level_changes, (SELECT count(*) FROM cp_status_change) AS status_changes FROM cp_level_change;
DELETE FROM cp_rule_set WHERE rule_set = 'FY-soon';
SELECT partner_id, level, held_level, projected_level, status, rule_set FROM cp_partner_level ORDER BY 1;

-- cp_partner_status names today's set; a set dated from tomorrow does not
-- change it, a set dated today does.
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-tomorrow', current_date + 1, 'from tomorrow');
INSERT INTO cp_rule_threshold SELECT 'FY-tomorrow', level, market, 0, min_individuals FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload VALUES ('FY-tomorrow', 'exchange_online', 'EXO');
INSERT INTO cp_rule_credential VALUES ('FY-tomorrow', 1, 'MCSA: Office 365');
INSERT INTO cp_rule_association VALUES ('FY-tomorrow', 'delegated_admin');
SELECT DISTINCT rule_set FROM cp_partner_status;
SELECT cp_rule_set_on(current_date + 1) AS tomorrow;
UPDATE cp_rule_set SET effective_from = current_date WHERE rule_set = 'FY-tomorrow';
SELECT partner_id, level, rule_set FROM cp_partner_status ORDER BY 1;
ROLLBACK;

-- Deleting or renumbering a partner: its change to none records the set
-- flagging used (FY18): 3 silver -> none; 2 silver -> none, 5 none -> silver.
DELETE FROM cp_partner WHERE partner_id = 3;
UPDATE cp_partner SET partner_id = 5 WHERE partner_id = 2;
SELECT change_id, partner_id, old_level, new_level, rule_set FROM cp_level_change WHERE change_id > 10 ORDER BY 1;

-------------------------------------------------------------------------------
-- 14. Privileges.  A role granted EXECUTE on cp_evaluate(date, text), what
-- it runs, and SELECT on the data it reads evaluates under a set without
-- any grant on the rule tables; a role without grants can neither read nor
-- write them.
-------------------------------------------------------------------------------
CREATE ROLE regress_rs_reader;
CREATE ROLE regress_rs_nobody;
GRANT USAGE ON SCHEMA regress TO regress_rs_reader, regress_rs_nobody;
GRANT EXECUTE ON FUNCTION regress.sqlstate_of(text) TO regress_rs_reader, regress_rs_nobody;
GRANT SELECT ON cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership TO regress_rs_reader;
-- (every function below was found needed: revoking any one of them makes
-- the evaluation fail with 42501)
GRANT EXECUTE ON FUNCTION
    cp_evaluate(date, text),
    -- what it runs
    cp_partner_figures(date, integer, bigint[], boolean, text), cp_rule_kinds(text),
    cp_partner_usage(date, integer, bigint[], boolean, text), cp_kind_counted(cp_association_kind, text),
    cp_partner_credentials(date, bigint[], boolean, text), cp_next_targets(competency_level, cp_market, bigint, integer, text),
    cp_usage_window(), cp_window_start(date, integer, text), cp_in_period(date, date, date),
    cp_usage_entitlements(uuid, text, text, bigint, boolean, date, text), cp_credential_individuals(bigint, text, text),
    cp_level(cp_market, bigint, integer, text), cp_next_level(competency_level),
    cp_required_entitlements(competency_level, cp_market, text), cp_required_individuals(competency_level, text)
    TO regress_rs_reader;
SET ROLE regress_rs_reader;
-- expected (today, FY18): 1 4500/2 silver (500, 0 short); 5 1200/1 silver
-- (3800, 1 short)
SELECT * FROM cp_evaluate(current_date, 'FY18') ORDER BY partner_id;
SELECT regress.sqlstate_of($$SELECT * FROM cp_evaluate(current_date, 'bare')$$) AS incomplete,
       regress.sqlstate_of($$SELECT * FROM cp_evaluate(current_date, 'nope')$$) AS unknown,
       regress.sqlstate_of($$SELECT count(*) FROM cp_rule_set$$) AS read_rule_sets,
       regress.sqlstate_of($$SELECT count(*) FROM cp_rule_threshold$$) AS read_thresholds;
RESET ROLE;
SELECT t.relname, has_table_privilege('regress_rs_reader', t.relname, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
       AS reader_any
FROM (VALUES ('cp_rule_set'), ('cp_rule_threshold'), ('cp_rule_workload'), ('cp_rule_credential'),
             ('cp_rule_association')) t(relname)
ORDER BY 1;
SET ROLE regress_rs_nobody;
SELECT s.n, s.statement, regress.sqlstate_of(s.statement) AS sqlstate
FROM (VALUES
    (1, $$SELECT * FROM cp_rule_set$$),
    (2, $$SELECT * FROM cp_rule_threshold$$),
    (3, $$SELECT * FROM cp_rule_workload$$),
    (4, $$SELECT * FROM cp_rule_credential$$),
    (5, $$SELECT * FROM cp_rule_association$$),
    (6, $$INSERT INTO cp_rule_set VALUES ('mine', NULL)$$),
    (7, $$UPDATE cp_rule_set SET description = 'mine'$$),
    (8, $$DELETE FROM cp_rule_set WHERE rule_set = 'FY18'$$),
    (9, $$INSERT INTO cp_rule_threshold VALUES ('FY18', 'gold', 'developed', 1, 1)$$),
    (10, $$UPDATE cp_rule_workload SET spelling = spelling$$),
    (11, $$DELETE FROM cp_rule_credential$$),
    (12, $$TRUNCATE cp_rule_association$$),
    (13, $$SELECT * FROM cp_evaluate(current_date, 'FY18')$$),
    (14, $$SELECT cp_rule_set_on(current_date)$$)) s(n, statement)
ORDER BY s.n;
RESET ROLE;
-- An administrator granted what the README grants on the rule tables
-- (SELECT, INSERT, UPDATE, DELETE), and nothing else, writes a dated set:
-- its commit re-evaluates every partner with the extension's rights (1
-- silver -> gold under FY-admin, Gold at 4000); 2017-07 stays refused; its
-- deletion re-evaluates under FY18 again (1 gold -> silver).
CREATE ROLE regress_rs_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON cp_rule_set, cp_rule_threshold, cp_rule_workload, cp_rule_credential, cp_rule_association TO regress_rs_admin;
GRANT USAGE ON SCHEMA regress TO regress_rs_admin;
GRANT EXECUTE ON FUNCTION regress.sqlstate_of(text) TO regress_rs_admin;
SET ROLE regress_rs_admin;
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-admin', current_date, 'Gold at 4,000, by the administrator');
INSERT INTO cp_rule_threshold SELECT 'FY-admin', level, market, CASE WHEN level = 'gold' THEN 4000 ELSE min_entitlements END,
                                     min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY18';
INSERT INTO cp_rule_workload SELECT 'FY-admin', workload, spelling FROM cp_rule_workload WHERE rule_set = 'FY18';
INSERT INTO cp_rule_credential SELECT 'FY-admin', path, credential FROM cp_rule_credential WHERE rule_set = 'FY18';
INSERT INTO cp_rule_association SELECT 'FY-admin', kind FROM cp_rule_association WHERE rule_set = 'FY18';
COMMIT;
SELECT regress.sqlstate_of($$UPDATE cp_rule_threshold SET min_entitlements = 1 WHERE rule_set = '2017-07'$$) AS builtin,
       regress.sqlstate_of($$TRUNCATE cp_rule_association$$) AS truncate,
       regress.sqlstate_of($$INSERT INTO cp_rule_set VALUES ('FY-half', current_date + 5)$$) AS incomplete_statement;
\set VERBOSITY sqlstate
BEGIN;
INSERT INTO cp_rule_set VALUES ('FY-half', current_date + 5, 'incomplete');
COMMIT;
\set VERBOSITY default
DELETE FROM cp_rule_set WHERE rule_set = 'FY-admin';
RESET ROLE;
SELECT change_id, partner_id, old_level, new_level, rule_set FROM cp_level_change WHERE change_id > 13 ORDER BY 1;
SELECT * FROM regress.rule_sets() WHERE rule_set LIKE 'FY-%';
REVOKE ALL ON cp_rule_set, cp_rule_threshold, cp_rule_workload, cp_rule_credential, cp_rule_association
    FROM regress_rs_admin;
REVOKE ALL ON FUNCTION regress.sqlstate_of(text) FROM regress_rs_admin;
REVOKE ALL ON SCHEMA regress FROM regress_rs_admin;
DROP ROLE regress_rs_admin;
REVOKE ALL ON cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership FROM regress_rs_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM regress_rs_reader;
REVOKE ALL ON FUNCTION regress.sqlstate_of(text) FROM regress_rs_reader, regress_rs_nobody;
REVOKE ALL ON SCHEMA regress FROM regress_rs_reader, regress_rs_nobody;
DROP ROLE regress_rs_reader, regress_rs_nobody;

-- Deleting every set of one's own (FY18 in force) is allowed, and
-- re-evaluates every partner under 2017-07: 1 EXO 4500/2 silver -> gold
-- (and at_risk -> secure), 5 (Teams, not eligible) silver -> none.
DELETE FROM cp_rule_set WHERE rule_set <> '2017-07';
SELECT * FROM regress.rule_sets();
SELECT change_id, partner_id, old_level, new_level, rule_set FROM cp_level_change WHERE change_id > 15 ORDER BY 1;
SELECT partner_id, old_status, new_status, held_level, level, projected_level FROM cp_status_change
WHERE change_id > 6 ORDER BY change_id;
SELECT partner_id, level, rule_set FROM cp_partner_level ORDER BY 1;
SELECT regress.reset();
DROP FUNCTION regress.rule_sets();
RESET datestyle;

-- The planner counts on every association being of a kind its set counts
-- (cp_kind_counted's support function): without it, a third of them, and
-- the hash join over the associations an evaluation counts is sized too
-- small.  Estimated rows with the condition equal those without it.
INSERT INTO cp_partner VALUES (990001, 'Estimates', 'developed');
INSERT INTO cp_association
SELECT 990001, ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'delegated_admin', DATE '2020-01-01', NULL
FROM generate_series(900001, 903000) g;
ANALYZE cp_association;
CREATE FUNCTION regress.estimated_rows(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
    RETURN (j->0->'Plan'->>'Plan Rows')::bigint;
END $$;
SELECT regress.estimated_rows('SELECT * FROM cp_association a WHERE cp_kind_counted(a.kind, ''2017-07'')')
     = regress.estimated_rows('SELECT * FROM cp_association a') AS estimated_as_every_row,
       regress.estimated_rows('SELECT * FROM cp_association a') >= 3000 AS analyzed;
DROP FUNCTION regress.estimated_rows(text);
SELECT regress.reset();
