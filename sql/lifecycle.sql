--
-- Membership lifecycle (levels held for a membership year, grace, the
-- projection to the renewal date, status, risk), as its rules state
-- it: cp_membership and its constraints, competency.grace_days,
-- cp_membership_status (every status, margins, projection, boundaries),
-- cp_explain_risk, cp_partner_status's new columns, status flagging, and
-- the competency summary import.  Fixed dates throughout, except where
-- flagging needs today (there only offsets from current_date are shown).
--

-- Every table of the extension emptied, the lifecycle's too (named, so no
-- cascade notice), and the sequences restarted.
CREATE OR REPLACE FUNCTION regress.reset_lifecycle() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
             cp_partner_level, cp_level_change, cp_membership, cp_status_change,
             cp_partner_center_competency_reject RESTART IDENTITY CASCADE;
    DELETE FROM cp_partner_center_competency;
$$;
-- The SQLSTATE of a statement's error only (messages are the
-- implementation's), or 'no error'; what the statement did is rolled back
-- either way.
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
SET datestyle = 'ISO, MDY';
SELECT regress.reset_lifecycle();

-------------------------------------------------------------------------------
-- The objects, with the columns and types the contract fixes.
-------------------------------------------------------------------------------
SELECT attrelid::regclass AS relation, attnum, attname, format_type(atttypid, atttypmod) AS type,
       attnotnull AS not_null
FROM pg_attribute
WHERE attrelid IN ('cp_membership'::regclass, 'cp_status_change'::regclass,
                   'cp_partner_center_competency'::regclass)
  AND attnum > 0 AND NOT attisdropped
ORDER BY attrelid::regclass::text, attnum;
-- the reject table carries the five report columns, the partner and a reason
SELECT attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute
WHERE attrelid = 'cp_partner_center_competency_reject'::regclass AND attnum > 0
  AND attname IN ('partner_id', 'CompetencyName', 'CompetencyLevel', 'CompetencyStatus',
                  'CompetencyStartDate', 'CompetencyEndDate', 'reason')
ORDER BY attname COLLATE "C";
SELECT pg_get_function_result('cp_membership_status(date)'::regprocedure) AS membership_status,
       pg_get_function_arguments('cp_membership_status(date)'::regprocedure) AS arguments;
SELECT pg_get_function_result('cp_explain_risk(bigint, date)'::regprocedure) AS explain_risk,
       pg_get_function_arguments('cp_explain_risk(bigint, date)'::regprocedure) AS arguments;
SELECT pg_get_function_result('cp_load_partner_center_competency(bigint)'::regprocedure) AS load;
-- Nothing of it for PUBLIC.
SELECT c.relname, c.relacl IS NULL OR NOT EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)
       AS nothing_for_public
FROM pg_class c
WHERE c.relname IN ('cp_membership', 'cp_status_change', 'cp_partner_center_competency',
                    'cp_partner_center_competency_reject')
ORDER BY 1;
-- Users' rows are dumped.
SELECT c.relname
FROM pg_extension x, unnest(x.extconfig) t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE x.extname = 'competency'
  AND c.relname IN ('cp_membership', 'cp_status_change', 'cp_partner_center_competency_reject')
ORDER BY 1;
-- Every public object has a COMMENT.
SELECT o.what, obj_description(o.oid) IS NOT NULL AS commented
FROM (VALUES ('cp_membership', 'cp_membership'::regclass::oid),
             ('cp_status_change', 'cp_status_change'::regclass),
             ('cp_partner_center_competency', 'cp_partner_center_competency'::regclass),
             ('cp_partner_center_competency_reject', 'cp_partner_center_competency_reject'::regclass),
             ('cp_membership_status', 'cp_membership_status(date)'::regprocedure),
             ('cp_explain_risk', 'cp_explain_risk(bigint, date)'::regprocedure),
             ('cp_load_partner_center_competency', 'cp_load_partner_center_competency(bigint)'::regprocedure)) o(what, oid)
ORDER BY 1;
-- The installed version still needs no other extension.
SELECT v.requires IS NULL AS needs_no_other_extension
FROM pg_extension x JOIN pg_available_extension_versions v ON v.name = x.extname AND v.version = x.extversion
WHERE x.extname = 'competency';
SELECT current_setting('competency.grace_days') AS grace_days_default;

-------------------------------------------------------------------------------
-- cp_membership's constraints.
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES (90, 'Constraints', 'developed'), (91, 'Other', 'developed');
INSERT INTO cp_membership VALUES (90, 'silver', '2026-01-01', '2027-01-01');
SELECT v.what, regress.sqlstate_of(v.sql) AS sqlstate
FROM (VALUES
    ('overlap inside', $$INSERT INTO cp_membership VALUES (90, 'gold', '2026-03-01', '2026-04-01')$$),
    ('overlap by a day at the end', $$INSERT INTO cp_membership VALUES (90, 'gold', '2025-06-01', '2026-01-02')$$),
    ('overlap by a day at the start', $$INSERT INTO cp_membership VALUES (90, 'gold', '2026-12-31', '2027-06-01')$$),
    ('overlap, same rows', $$INSERT INTO cp_membership VALUES (90, 'silver', '2026-01-01', '2027-01-01')$$),
    ('overlap within one statement', $$INSERT INTO cp_membership VALUES (90, 'gold', '2028-01-01', '2029-01-01'),
                                                                        (90, 'gold', '2028-06-01', '2029-06-01')$$),
    ('overlap by update', $$INSERT INTO cp_membership VALUES (90, 'gold', '2027-01-01', '2028-01-01');
                            UPDATE cp_membership SET ends_on = '2028-01-02' WHERE partner_id = 90 AND level = 'silver'$$),
    ('adjacent after', $$INSERT INTO cp_membership VALUES (90, 'gold', '2027-01-01', '2028-01-01')$$),
    ('adjacent before', $$INSERT INTO cp_membership VALUES (90, 'gold', '2025-01-01', '2026-01-01')$$),
    ('adjacent on both sides', $$INSERT INTO cp_membership VALUES (90, 'gold', '2025-01-01', '2026-01-01'),
                                                                  (90, 'gold', '2027-01-01', '2028-01-01')$$),
    ('same dates, other partner', $$INSERT INTO cp_membership VALUES (91, 'silver', '2026-01-01', '2027-01-01')$$),
    ('one day', $$INSERT INTO cp_membership VALUES (91, 'gold', '2026-01-01', '2026-01-02')$$),
    ('level none', $$INSERT INTO cp_membership VALUES (91, 'none', '2026-01-01', '2027-01-01')$$),
    ('ends on start', $$INSERT INTO cp_membership VALUES (91, 'gold', '2026-01-01', '2026-01-01')$$),
    ('ends before start', $$INSERT INTO cp_membership VALUES (91, 'gold', '2026-01-01', '2025-12-31')$$),
    ('update to end on start', $$UPDATE cp_membership SET ends_on = started_on WHERE partner_id = 90$$),
    ('started -infinity', $$INSERT INTO cp_membership VALUES (91, 'gold', '-infinity', '2027-01-01')$$),
    ('ends infinity', $$INSERT INTO cp_membership VALUES (91, 'gold', '2026-01-01', 'infinity')$$),
    ('both infinite', $$INSERT INTO cp_membership VALUES (91, 'gold', '-infinity', 'infinity')$$),
    ('NULL partner', $$INSERT INTO cp_membership VALUES (NULL, 'gold', '2026-01-01', '2027-01-01')$$),
    ('NULL level', $$INSERT INTO cp_membership VALUES (91, NULL, '2026-01-01', '2027-01-01')$$),
    ('NULL start', $$INSERT INTO cp_membership VALUES (91, 'gold', NULL, '2027-01-01')$$),
    ('NULL end', $$INSERT INTO cp_membership VALUES (91, 'gold', '2026-01-01', NULL)$$),
    ('unknown partner', $$INSERT INTO cp_membership VALUES (99, 'gold', '2026-01-01', '2027-01-01')$$)
) v(what, sql)
ORDER BY 2, 1;
SELECT partner_id, level, started_on, ends_on FROM cp_membership ORDER BY 1, 3;
-- Cascades: renumbering the partner moves its rows, deleting it removes them.
INSERT INTO cp_membership VALUES (90, 'gold', '2027-01-01', '2028-01-01'),
                                 (90, 'silver', '2028-01-01', '2029-01-01');
UPDATE cp_partner SET partner_id = 92 WHERE partner_id = 90;
SELECT partner_id, level, started_on, ends_on FROM cp_membership ORDER BY 1, 3;
DELETE FROM cp_partner WHERE partner_id = 92;
SELECT partner_id, level, started_on, ends_on FROM cp_membership ORDER BY 1, 3;
SELECT regress.reset_lifecycle();

-------------------------------------------------------------------------------
-- Every status, as of 2026-06-15 (current usage: measured 2026-05-19 to
-- 2026-06-15).  Silver needs 2,000 (developed) or 1,000 (developing) and one
-- person; Gold 4,000 and two.
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES
    (1, 'Alder: no membership', 'developed'),
    (2, 'Birch: secure', 'developed'),
    (3, 'Cedar: upgrade available', 'developing'),
    (4, 'Dogwood: at risk by level', 'developed'),
    (5, 'Elm: at risk by projection only', 'developed'),
    (6, 'Fir: in grace, level above held', 'developed'),
    (7, 'Ginkgo: grace over', 'developed'),
    (8, 'Hazel: held from today, no data', 'developing'),
    (9, 'Ivy: projected above held', 'developed'),
    (10, 'Juniper: covering row beats grace', 'developed'),
    (15, 'Olive: level above held, projected below', 'developed');
INSERT INTO cp_membership VALUES
    (2, 'silver', '2026-01-01', '2027-01-01'),
    (3, 'silver', '2025-10-01', '2026-10-01'),
    (4, 'gold', '2026-03-01', '2027-03-01'),
    (5, 'silver', '2026-02-01', '2027-02-01'),
    (6, 'silver', '2025-05-15', '2026-06-01'),
    (7, 'silver', '2025-05-01', '2026-05-01'),
    (8, 'gold', '2026-06-15', '2027-06-15'),
    (9, 'silver', '2026-04-01', '2027-04-01'),
    (10, 'silver', '2025-06-01', '2026-06-01'),
    (10, 'gold', '2026-06-10', '2027-06-10'),
    (15, 'silver', '2026-01-01', '2027-01-01');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', '2025-01-01', NULL),
    (2, regress.t(2), 'delegated_admin', '2025-01-01', NULL),
    (3, regress.t(3), 'transacting_partner', '2025-01-01', NULL),
    (4, regress.t(4), 'digital_partner_of_record', '2025-01-01', NULL),
    (5, regress.t(5), 'delegated_admin', '2025-01-01', '2026-12-01'),
    (6, regress.t(6), 'delegated_admin', '2025-01-01', NULL),
    (9, regress.t(9), 'delegated_admin', '2025-01-01', NULL),
    (9, regress.t(19), 'delegated_admin', '2026-09-01', NULL),
    (10, regress.t(10), 'delegated_admin', '2025-01-01', NULL),
    (15, regress.t(15), 'delegated_admin', '2025-01-01', '2026-10-01');
INSERT INTO cp_usage VALUES
    (regress.t(1), 'EXO', 'E3', false, 2500, '2026-06-10'),
    (regress.t(2), 'EXO', 'E3', false, 2500, '2026-06-10'),
    (regress.t(3), 'SharePoint', 'E3', false, 4500, '2026-06-10'),
    (regress.t(4), 'Yammer', 'E3', false, 2100, '2026-06-10'),
    (regress.t(5), 'ProPlus', 'E3', false, 2600, '2026-06-10'),
    (regress.t(6), 'SfB', 'E3', false, 5000, '2026-06-10'),
    (regress.t(9), 'EXO', 'E3', false, 2500, '2026-06-10'),
    (regress.t(19), 'EXO', 'E3', false, 2000, '2026-06-10'),
    (regress.t(10), 'EXO', 'E3', false, 4100, '2026-06-10'),
    (regress.t(15), 'EXO', 'E3', false, 4500, '2026-06-10');
INSERT INTO cp_person VALUES
    (11, 1), (21, 2), (31, 3), (32, 3), (41, 4), (51, 5), (61, 6), (62, 6),
    (91, 9), (92, 9), (101, 10), (102, 10), (151, 15), (152, 15);
INSERT INTO cp_credential SELECT person_id, 'MCSA: Office 365', '2025-01-01', NULL FROM cp_person;

SELECT partner_id AS p, held_level AS held, ends_on, level, projected_level AS projected, status,
       entitlements_margin AS e_margin, individuals_margin AS i_margin,
       projected_entitlements AS p_entitlements, projected_individuals AS p_individuals
FROM cp_membership_status('2026-06-15') ORDER BY 1;
-- level is cp_evaluate's; one row per partner; the default is today.
SELECT count(*) AS partners,
       count(*) FILTER (WHERE s.level IS DISTINCT FROM e.level) AS level_differs_from_evaluate
FROM cp_membership_status('2026-06-15') s FULL JOIN cp_evaluate('2026-06-15') e USING (partner_id);
SELECT count(*) AS rows_today FROM cp_membership_status();
SELECT regress.sqlstate_of($$SELECT * FROM cp_membership_status(NULL)$$) AS null_as_of;
-- "NULL when none" means held_level none, whatever the level: exactly the
-- not_held rows have NULL ends_on, projection and margins.
SELECT status, held_level = 'none' AS held_none, ends_on IS NULL AS no_ends_on,
       projected_level IS NULL AND entitlements_margin IS NULL AND individuals_margin IS NULL
         AND projected_entitlements IS NULL AND projected_individuals IS NULL AS all_null,
       count(*)
FROM cp_membership_status('2026-06-15') GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
-- The session's usage window: with 3 days nothing measured on 2026-06-10
-- is current, so every held level is at risk by level.
SET competency.usage_window = '3d';
SELECT partner_id AS p, level, projected_level AS projected, status, entitlements_margin AS e_margin,
       projected_entitlements AS p_entitlements
FROM cp_membership_status('2026-06-15') WHERE partner_id IN (2, 6) ORDER BY 1;
RESET competency.usage_window;
-- In grace the projection is to as_of itself: the current figures.
SELECT partner_id AS p, status, ends_on, level, projected_level AS projected,
       (SELECT active_entitlements FROM cp_evaluate('2026-06-15') WHERE partner_id = 6) = projected_entitlements
         AS projected_is_current
FROM cp_membership_status('2026-06-15') WHERE partner_id = 6;

-- Whatever the caller's search_path.
SET search_path = pg_catalog;
SELECT count(*) AS rows, count(*) FILTER (WHERE status = 'at_risk') AS at_risk
FROM public.cp_membership_status('2026-06-15');
SELECT count(*) AS risk_rows FROM public.cp_explain_risk(5, '2026-06-15');
RESET search_path;

-------------------------------------------------------------------------------
-- Boundaries: the renewal date, grace, Feb 29, gaps and several rows in
-- grace.
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES
    (11, 'Kauri: one year', 'developed'),
    (12, 'Larch: renewed on Feb 29', 'developed'),
    (13, 'Maple: ends Feb 29, unrenewed', 'developed'),
    (14, 'Nyssa: two rows in grace', 'developed');
INSERT INTO cp_membership VALUES
    (11, 'silver', '2026-01-01', '2027-01-01'),
    (12, 'gold', '2027-03-01', '2028-02-29'),
    (12, 'silver', '2028-02-29', '2029-03-01'),
    (13, 'silver', '2027-02-28', '2028-02-29'),
    (14, 'gold', '2025-01-01', '2025-06-01'),
    (14, 'silver', '2025-06-01', '2025-09-01');
CREATE FUNCTION regress.held_at(p bigint, d date) RETURNS TABLE (held competency_level, ends_on date, status text)
LANGUAGE sql AS $$
    SELECT held_level, ends_on, status FROM cp_membership_status(d) WHERE partner_id = p
$$;
SELECT v.p, v.d, v.why, h.*
FROM (VALUES
    (11, date '2025-12-31', 'day before the start'),
    (11, '2026-01-01', 'first day'),
    (11, '2026-12-31', 'last day covered'),
    (11, '2027-01-01', 'renewal date: grace'),
    (11, '2027-01-30', 'last day of grace (30)'),
    (11, '2027-01-31', 'grace over'),
    (12, '2028-02-28', 'E stays the covering row''s end'),
    (12, '2028-02-29', 'renewal row from Feb 29'),
    (12, '2029-02-28', 'last day covered'),
    (12, '2029-03-01', 'grace'),
    (12, '2029-03-30', 'last day of grace'),
    (12, '2029-03-31', 'grace over'),
    (13, '2028-02-28', 'last day covered'),
    (13, '2028-02-29', 'grace from Feb 29'),
    (13, '2028-03-29', 'last day of grace'),
    (13, '2028-03-30', 'grace over'),
    (10, '2026-06-05', 'in a gap: the earlier row''s grace'),
    (10, '2026-06-10', 'the next row covers'),
    (14, '2025-06-15', 'a row covers, an earlier one in grace'),
    (14, '2025-09-15', 'the later of two rows in grace')
) v(p, d, why), LATERAL regress.held_at(v.p, v.d) h
ORDER BY v.p, v.d;
-- grace_days is read when used: 0 and 365.
SET competency.grace_days = 0;
SELECT v.p, v.d, h.* FROM (VALUES (11, date '2026-12-31'), (11, '2027-01-01'), (12, '2028-02-28'),
                                  (12, '2028-02-29'), (14, '2025-08-31'), (14, '2025-09-01'))
     v(p, d), LATERAL regress.held_at(v.p, v.d) h ORDER BY 1, 2;
SET competency.grace_days = 365;
SELECT v.p, v.d, h.* FROM (VALUES (11, date '2027-12-31'), (11, '2028-01-01'), (13, '2029-02-27'),
                                  (13, '2029-02-28'), (14, '2025-10-01'), (14, '2026-05-31'),
                                  (14, '2026-06-01'), (14, '2026-08-31'), (14, '2026-09-01'))
     v(p, d), LATERAL regress.held_at(v.p, v.d) h ORDER BY 1, 2;
SET competency.grace_days = 10;
SELECT v.p, v.d, h.* FROM (VALUES (11, date '2027-01-10'), (11, '2027-01-11')) v(p, d),
     LATERAL regress.held_at(v.p, v.d) h ORDER BY 1, 2;
RESET competency.grace_days;
-- A plain integer, 0 to 365, no unit.
SELECT v.setting, regress.sqlstate_of('SET competency.grace_days = ' || v.setting) AS sqlstate
FROM (VALUES ('0'), ('365'), ('-1'), ('366'), ($$'10d'$$), ($$'1 day'$$), ($$'ten'$$)) v(setting)
ORDER BY 2, 1;
-- Only a superuser or a role granted SET on it changes it.
CREATE ROLE regress_life_user;
GRANT USAGE ON SCHEMA regress TO regress_life_user;
SET ROLE regress_life_user;
SELECT regress.sqlstate_of('SET competency.grace_days = 10') AS as_user,
       regress.sqlstate_of('SET LOCAL competency.grace_days = 10') AS as_user_local,
       regress.sqlstate_of($$SELECT set_config('competency.grace_days', '10', false)$$) AS as_user_set_config,
       regress.sqlstate_of('ALTER ROLE regress_life_user SET competency.grace_days = 10') AS as_user_alter_role,
       current_setting('competency.grace_days') AS seen;
RESET ROLE;
GRANT SET ON PARAMETER competency.grace_days TO regress_life_user;
SET ROLE regress_life_user;
SELECT regress.sqlstate_of('SET competency.grace_days = 10') AS granted;
SET competency.grace_days = 10;
SELECT current_setting('competency.grace_days') AS seen;
RESET competency.grace_days;
RESET ROLE;
REVOKE SET ON PARAMETER competency.grace_days FROM regress_life_user;
REVOKE USAGE ON SCHEMA regress FROM regress_life_user;
DROP ROLE regress_life_user;

-------------------------------------------------------------------------------
-- cp_explain_risk and the projection, on one partner whose gold membership
-- year ends 2027-01-01 (E), renewed from that day.  As of 2026-06-15:
--   tenants (usage current as of 2026-06-15; figure):
--     21 two association rows ending 2026-08-01 and 2026-09-01 (EXO 1500 beats SPO 1200)
--     22 ends exactly on E: not associated on E, effective on E (1000)
--     23 starts 2026-08-01 (700; a stale 9999 and a future 8888 ignored)
--     24 two adjacent rows, always associated (2000): no row
--     25 ends 2026-08-01, again from 2026-10-01: same state on E (300): no row
--     26 associated 2026-07-01 to 2026-10-01 only: no row
--     27 ends 2026-07-01, only trial usage: listed with figure 0
--     28 ends 2026-07-15, again 2026-08-01 to 2026-11-01: effective 2026-11-01 (50)
--     29 from 2026-07-01 to 2026-08-01, again from 2026-12-01: effective 2026-12-01 (10)
--     30 starts on E: associated on E (5)
--     31 ends 2026-06-16, the day after as_of (20)
--   persons:
--     201 MCSA expiring 2026-09-01
--     202 both exams, and an MCSA expiring 2026-08-01: qualifies on E: no row
--     203 MCSA expiring 2027-06-01, after E: no row
--     204 MCSA expiring on E: not qualified on E
--     205 MCSA earned 2026-07-01, after as_of: not counted, now or on E
--     206 70-346 expiring 2026-10-01, 70-347 expiring 2026-08-15: from 2026-08-15
--     207 70-346; two 70-347 expiring 2026-09-01 and 2026-12-01; a third
--         70-347 earned after as_of is ignored: from 2026-12-01
--     208 MCSA expired before as_of: no row
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES (20, 'Rowan: risk', 'developed');
INSERT INTO cp_membership VALUES (20, 'gold', '2026-01-01', '2027-01-01'),
                                 (20, 'silver', '2027-01-01', '2028-01-01');
INSERT INTO cp_association VALUES
    (20, regress.t(21), 'delegated_admin', '2025-01-01', '2026-08-01'),
    (20, regress.t(21), 'transacting_partner', '2025-01-01', '2026-09-01'),
    (20, regress.t(22), 'delegated_admin', '2025-01-01', '2027-01-01'),
    (20, regress.t(23), 'delegated_admin', '2026-08-01', NULL),
    (20, regress.t(24), 'delegated_admin', '2025-01-01', '2026-07-01'),
    (20, regress.t(24), 'transacting_partner', '2026-07-01', NULL),
    (20, regress.t(25), 'delegated_admin', '2025-01-01', '2026-08-01'),
    (20, regress.t(25), 'digital_partner_of_record', '2026-10-01', NULL),
    (20, regress.t(26), 'delegated_admin', '2026-07-01', '2026-10-01'),
    (20, regress.t(27), 'delegated_admin', '2025-01-01', '2026-07-01'),
    (20, regress.t(28), 'delegated_admin', '2025-01-01', '2026-07-15'),
    (20, regress.t(28), 'delegated_admin', '2026-08-01', '2026-11-01'),
    (20, regress.t(29), 'delegated_admin', '2026-07-01', '2026-08-01'),
    (20, regress.t(29), 'transacting_partner', '2026-12-01', NULL),
    (20, regress.t(30), 'delegated_admin', '2027-01-01', NULL),
    (20, regress.t(31), 'delegated_admin', '2025-01-01', '2026-06-16'),
    -- another partner's association changes nothing here
    (1, regress.t(24), 'delegated_admin', '2025-01-01', '2026-06-20');
INSERT INTO cp_usage VALUES
    (regress.t(21), 'EXO', 'E3', false, 1500, '2026-06-10'),
    (regress.t(21), 'SPO', 'E3', false, 1200, '2026-06-10'),
    (regress.t(22), 'EXO', 'E3', false, 1000, '2026-06-01'),
    (regress.t(23), 'EXO', 'E3', false, 700, '2026-06-14'),
    (regress.t(23), 'EXO', 'E3', false, 9999, '2026-05-01'),
    (regress.t(23), 'EXO', 'E3', false, 8888, '2026-06-20'),
    (regress.t(24), 'SPO', 'E5', false, 2000, '2026-06-14'),
    (regress.t(25), 'YAM', 'free', false, 300, '2026-06-14'),
    (regress.t(26), 'EXO', 'E3', false, 400, '2026-06-14'),
    (regress.t(27), 'EXO', 'E3', true, 500, '2026-06-14'),
    (regress.t(28), 'SfB', 'E3', false, 50, '2026-06-14'),
    (regress.t(29), 'ProPlus', 'E3', false, 10, '2026-06-14'),
    (regress.t(30), 'EXO', 'E3', false, 5, '2026-06-14'),
    (regress.t(31), 'EXO', 'E3', false, 20, '2026-06-14');
INSERT INTO cp_person SELECT p, 20 FROM generate_series(201, 208) p;
INSERT INTO cp_credential VALUES
    (201, 'MCSA: Office 365', '2026-01-01', '2026-09-01'),
    (202, '70-346', '2026-01-01', NULL), (202, 'exam 70-347', '2026-01-01', NULL),
    (202, 'MCSA-Office365', '2026-01-01', '2026-08-01'),
    (203, 'mcsa_office_365', '2026-01-01', '2027-06-01'),
    (204, 'MCSA: Office 365', '2026-01-01', '2027-01-01'),
    (205, 'MCSA: Office 365', '2026-07-01', NULL),
    (206, '70-346', '2026-01-01', '2026-10-01'), (206, '70-347', '2026-01-01', '2026-08-15'),
    (207, '70-346', '2026-01-01', NULL), (207, '70-347', '2026-01-01', '2026-09-01'),
    (207, '70-347', '2026-02-01', '2026-12-01'), (207, '70-347', '2026-07-01', NULL),
    (208, 'MCSA: Office 365', '2025-01-01', '2026-06-01');
-- Figures as of 2026-06-15: 1500 + 1000 + 2000 + 300 + 0 + 50 + 20 = 4870 and
-- six persons; projected to E: 700 + 2000 + 300 + 10 + 5 = 3015 and two
-- persons (202, 203): gold held, gold level, silver projected: at risk.
SELECT partner_id AS p, held_level AS held, ends_on, level, projected_level AS projected, status,
       entitlements_margin AS e_margin, individuals_margin AS i_margin,
       projected_entitlements AS p_entitlements, projected_individuals AS p_individuals
FROM cp_membership_status('2026-06-15') WHERE partner_id = 20;
SELECT * FROM cp_explain_risk(20, '2026-06-15') ORDER BY effective_on, kind, subject;
-- The sums give the projected figures.
CREATE FUNCTION regress.risk_sums(p bigint, d date)
RETURNS TABLE (entitlements_add_up boolean, individuals_add_up boolean, risk_rows bigint)
LANGUAGE sql AS $$
    SELECT e.active_entitlements + coalesce(sum(r.entitlements_change), 0) = s.projected_entitlements,
           e.qualified_individuals + coalesce(sum(r.individuals_change), 0) = s.projected_individuals,
           count(r.kind)
    FROM cp_evaluate(d) e JOIN cp_membership_status(d) s USING (partner_id)
    LEFT JOIN cp_explain_risk(p, d) r ON true
    WHERE e.partner_id = p
    GROUP BY e.active_entitlements, e.qualified_individuals, s.projected_entitlements, s.projected_individuals
$$;
SELECT * FROM regress.risk_sums(20, '2026-06-15');
-- Later dates: what has happened no longer moves anything; the day before E
-- (usage from June is stale by then: figures of 0 are still listed).
SELECT * FROM cp_explain_risk(20, '2026-09-01') ORDER BY effective_on, kind, subject;
SELECT * FROM regress.risk_sums(20, '2026-09-01');
SELECT * FROM cp_explain_risk(20, '2026-12-31') ORDER BY effective_on, kind, subject;
SELECT * FROM regress.risk_sums(20, '2026-12-31');
-- From E on the renewal row covers: E is 2028-01-01.
SELECT partner_id AS p, held_level AS held, ends_on, status FROM cp_membership_status('2027-01-01')
WHERE partner_id = 20;
SELECT * FROM cp_explain_risk(20, '2027-01-01') ORDER BY effective_on, kind, subject;
-- Other partners: Elm's tenant leaves before E; Olive's too (level above
-- held, projected below: at risk, not upgrade_available); Ivy gains one.
SELECT p, r.* FROM unnest(ARRAY[5, 9, 15]) p, LATERAL cp_explain_risk(p, '2026-06-15') r ORDER BY 1, 3;
SELECT p, s.* FROM unnest(ARRAY[2, 3, 4, 5, 9, 15, 20]) p, LATERAL regress.risk_sums(p, '2026-06-15') s ORDER BY 1;
-- No rows: not held (partner 1's tenant 24 leaves on 2026-06-20), in grace
-- (E is as_of), grace over, unknown or NULL partner; a NULL date is 22023.
SELECT count(*) FILTER (WHERE p = 1) AS not_held, count(*) FILTER (WHERE p = 6) AS in_grace,
       count(*) FILTER (WHERE p = 7) AS grace_over, count(*) FILTER (WHERE p = 999) AS unknown,
       count(*) FILTER (WHERE p IS NULL) AS null_partner
FROM unnest(ARRAY[1, 6, 7, 999, NULL]) p, LATERAL cp_explain_risk(p, '2026-06-15') r;
SELECT regress.sqlstate_of($$SELECT * FROM cp_explain_risk(20, NULL)$$) AS null_as_of,
       regress.sqlstate_of($$SELECT * FROM cp_explain_risk(999, NULL)$$) AS null_as_of_unknown_partner;
-- With no grace a row ended on as_of gives no held level and no rows.
SET competency.grace_days = 0;
SELECT count(*) AS rows_without_grace FROM cp_explain_risk(6, '2026-06-15');
SELECT status FROM cp_membership_status('2026-06-15') WHERE partner_id = 6;
RESET competency.grace_days;
SELECT regress.reset_lifecycle();

-------------------------------------------------------------------------------
-- Status flagging.  Flagging works as of today, so dates here are offsets
-- from current_date, and only offsets are shown.
-------------------------------------------------------------------------------
CREATE FUNCTION regress.status_log()
RETURNS TABLE (id bigint, partner bigint, change text, held competency_level, level competency_level,
               projected competency_level)
LANGUAGE sql AS $$
    SELECT change_id, partner_id, old_status || ' -> ' || new_status, held_level, level, projected_level
    FROM cp_status_change ORDER BY change_id
$$;
-- Each partner's last new_status (not_held without rows) is its status
-- today; rows chain from not_held; cp_partner_level's status columns are
-- today's (a partner without a row there is not_held).
CREATE FUNCTION regress.status_invariants()
RETURNS TABLE (last_change_is_today boolean, chains boolean, stored_is_today boolean)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) = 0
            FROM (SELECT p.partner_id, s.status FROM cp_partner p
                  JOIN cp_membership_status(current_date) s USING (partner_id)
                  UNION ALL
                  SELECT DISTINCT c.partner_id, 'not_held' FROM cp_status_change c
                  WHERE NOT EXISTS (SELECT 1 FROM cp_partner p WHERE p.partner_id = c.partner_id)) now
            LEFT JOIN (SELECT DISTINCT ON (partner_id) partner_id, new_status
                       FROM cp_status_change ORDER BY partner_id, change_id DESC) last USING (partner_id)
            WHERE coalesce(last.new_status, 'not_held') <> now.status),
           (SELECT bool_and(ok) IS NOT FALSE FROM (
                SELECT old_status = coalesce(lag(new_status) OVER w, 'not_held') AND old_status <> new_status AS ok
                FROM cp_status_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) c),
           (SELECT count(*) = 0 FROM cp_membership_status(current_date) s
            LEFT JOIN cp_partner_level pl USING (partner_id)
            WHERE (coalesce(pl.held_level, 'none'), pl.ends_on, pl.projected_level, coalesce(pl.status, 'not_held'))
                  IS DISTINCT FROM (s.held_level, s.ends_on, s.projected_level, s.status))
$$;
-- The order in which level and status changes are written.
CREATE TABLE regress.write_order (n serial, what text, change_id bigint);
CREATE FUNCTION regress.note_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO regress.write_order (what, change_id) VALUES (TG_TABLE_NAME, NEW.change_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER regress_note_write AFTER INSERT ON cp_level_change
    FOR EACH ROW EXECUTE FUNCTION regress.note_write();
CREATE TRIGGER regress_note_write AFTER INSERT ON cp_status_change
    FOR EACH ROW EXECUTE FUNCTION regress.note_write();

INSERT INTO cp_partner VALUES (1, 'One', 'developed'), (2, 'Two', 'developed'), (3, 'Three', 'developing');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', current_date - 100, NULL),
    (2, regress.t(2), 'delegated_admin', current_date - 100, NULL),
    (3, regress.t(3), 'delegated_admin', current_date - 100, current_date + 20),
    (3, regress.t(4), 'transacting_partner', current_date + 10, NULL);
INSERT INTO cp_person VALUES (10, 1), (11, 1), (20, 2), (21, 2), (30, 3);
-- A level without membership: a level change, no status change.
INSERT INTO cp_credential VALUES (10, 'MCSA: Office 365', current_date - 10, NULL);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, current_date - 1);
SELECT count(*) AS level_changes FROM cp_level_change;
SELECT * FROM regress.status_log();
SELECT partner_id, level, held_level, ends_on, projected_level, status FROM cp_partner_level ORDER BY 1;
-- cp_membership: not_held -> secure.
INSERT INTO cp_membership VALUES (1, 'silver', current_date - 10, current_date + 355);
SELECT * FROM regress.status_log();
SELECT partner_id, held_level, ends_on - current_date AS ends_in, projected_level, status
FROM cp_partner_level WHERE partner_id = 1;
-- A later renewal date: no status change (the stored one follows).
UPDATE cp_membership SET ends_on = current_date + 300 WHERE partner_id = 1;
SELECT count(*) AS status_changes FROM cp_status_change;
SELECT ends_on - current_date AS ends_in FROM cp_partner_level WHERE partner_id = 1;
-- cp_usage and cp_credential: gold; one statement changes the level and the
-- status, the level change is written first.
INSERT INTO cp_credential VALUES (11, 'MCSA: Office 365', current_date - 10, NULL);
TRUNCATE regress.write_order;
UPDATE cp_usage SET active_users = 4500 WHERE tenant_id = regress.t(1);
SELECT * FROM regress.status_log() WHERE id > 1;
SELECT row_number() OVER (ORDER BY w.n) AS n, w.what,
       coalesce(l.old_level || ' -> ' || l.new_level, s.old_status || ' -> ' || s.new_status) AS change
FROM regress.write_order w
LEFT JOIN cp_level_change l ON w.what = 'cp_level_change' AND l.change_id = w.change_id
LEFT JOIN cp_status_change s ON w.what = 'cp_status_change' AND s.change_id = w.change_id
ORDER BY w.n;
-- cp_membership: the held level rises, secure again.
UPDATE cp_membership SET level = 'gold' WHERE partner_id = 1;
-- A credential expiring before the renewal date: projected silver, at risk.
UPDATE cp_credential SET expires_on = current_date + 100 WHERE person_id = 11;
SELECT * FROM regress.status_log() WHERE id > 2;
-- The projection falls further (the tenant leaves before the renewal date):
-- still at risk, no row; the stored projection follows.
UPDATE cp_association SET valid_until = current_date + 50 WHERE partner_id = 1;
SELECT count(*) AS status_changes FROM cp_status_change;
SELECT partner_id, projected_level, status FROM cp_partner_level WHERE partner_id = 1;
-- Partner 2: silver held, gold level, projected silver (a credential
-- expiring before the renewal date): upgrade available either way.
INSERT INTO cp_credential VALUES (20, 'MCSA: Office 365', current_date - 10, NULL),
                                 (21, 'MCSA: Office 365', current_date - 10, current_date + 30);
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E3', false, 4500, current_date - 2);
INSERT INTO cp_membership VALUES (2, 'silver', current_date - 30, current_date + 335);
SELECT * FROM regress.status_log() WHERE partner = 2;
SELECT partner_id, level, projected_level, status FROM cp_partner_level WHERE partner_id = 2;
-- The projection rises to gold: no status change; the stored projection follows.
UPDATE cp_credential SET expires_on = NULL WHERE person_id = 21;
SELECT * FROM regress.status_log() WHERE partner = 2;
SELECT partner_id, level, projected_level, status FROM cp_partner_level WHERE partner_id = 2;
-- Partner 3: its tenant leaves in 20 days, before the renewal date: at risk.
INSERT INTO cp_credential VALUES (30, 'MCSA: Office 365', current_date - 10, NULL);
INSERT INTO cp_usage VALUES (regress.t(3), 'EXO', 'E3', false, 1200, current_date - 1);
INSERT INTO cp_membership VALUES (3, 'silver', current_date - 30, current_date + 335);
SELECT * FROM regress.status_log() WHERE partner = 3;
-- Usage of a tenant whose association starts after today but before the
-- renewal date re-evaluates the partner: secure.
INSERT INTO cp_usage VALUES (regress.t(4), 'EXO', 'E3', false, 1500, current_date - 1);
SELECT * FROM regress.status_log() WHERE partner = 3;
-- cp_partner: developed needs 2,000 now (level none, at risk), and back.
TRUNCATE regress.write_order;
UPDATE cp_partner SET market = 'developed' WHERE partner_id = 3;
UPDATE cp_partner SET market = 'developing' WHERE partner_id = 3;
SELECT * FROM regress.status_log() WHERE partner = 3;
SELECT row_number() OVER (ORDER BY w.n) AS n, w.what,
       coalesce(l.old_level || ' -> ' || l.new_level, s.old_status || ' -> ' || s.new_status) AS change
FROM regress.write_order w
LEFT JOIN cp_level_change l ON w.what = 'cp_level_change' AND l.change_id = w.change_id
LEFT JOIN cp_status_change s ON w.what = 'cp_status_change' AND s.change_id = w.change_id
ORDER BY w.n;
-- cp_person: partner 3's only person moves to partner 2 (no status change there).
UPDATE cp_person SET partner_id = 2 WHERE person_id = 30;
SELECT * FROM regress.status_log() WHERE id > 7;
SELECT * FROM regress.status_invariants();
-- cp_membership delete: not_held.
DELETE FROM cp_membership WHERE partner_id = 2;
SELECT * FROM regress.status_log() WHERE partner = 2;
-- Deleting a partner ends its history with not_held, unless it was not_held.
SELECT partner_id, status FROM cp_partner_level ORDER BY 1;
DELETE FROM cp_partner WHERE partner_id IN (1, 2);
SELECT * FROM regress.status_log() WHERE partner IN (1, 2);
-- Renumbering: the old number ends with not_held, the new starts from not_held.
UPDATE cp_partner SET partner_id = 33 WHERE partner_id = 3;
SELECT * FROM regress.status_log() WHERE partner IN (3, 33);
SELECT * FROM regress.status_invariants();
-- Re-creating a deleted number chains on from its last status.
INSERT INTO cp_partner VALUES (1, 'One again', 'developed');
INSERT INTO cp_membership VALUES (1, 'silver', current_date - 10, current_date + 355);
SELECT * FROM regress.status_log() WHERE partner = 1;
DELETE FROM cp_membership WHERE partner_id = 1;
-- cp_refresh_levels with a date stores the statuses of that date and
-- returns the number of level changes.  Partner 33 (silver until 335 days
-- from today) gets a person: secure.  340 days on it is in grace and its
-- usage is stale (level none); 400 days on its grace is over; then today.
INSERT INTO cp_person VALUES (31, 33);
INSERT INTO cp_credential VALUES (31, 'MCSA: Office 365', current_date - 10, NULL);
SELECT partner_id, level, status FROM cp_partner_level ORDER BY 1;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
SELECT cp_refresh_levels(current_date + 340) AS level_changes_in_grace;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
SELECT partner_id, level, held_level, ends_on - current_date AS ends_in, projected_level, status
FROM cp_partner_level WHERE partner_id = 33;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
SELECT cp_refresh_levels(current_date + 400) AS level_changes_grace_over;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
SELECT cp_refresh_levels() AS level_changes_today;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
SELECT cp_refresh_levels() AS level_changes_again;
SELECT count(*) FILTER (WHERE change_id > :mark) AS status_rows_again FROM cp_status_change;
SELECT * FROM regress.status_invariants();
-- Flagging uses the protected window, not the session's: with a 1-day
-- window the session sees yesterday's usage as stale (level none, at risk),
-- flagging does not.
SET competency.usage_window = '1d';
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
UPDATE cp_membership SET ends_on = ends_on + 1 WHERE partner_id = 33;
SELECT count(*) FILTER (WHERE change_id > :mark) AS status_rows FROM cp_status_change;
SELECT (SELECT status FROM cp_partner_level WHERE partner_id = 33) AS flagged,
       (SELECT status FROM cp_membership_status(current_date) WHERE partner_id = 33) AS sessions_view;
RESET competency.usage_window;
UPDATE cp_membership SET ends_on = ends_on - 1 WHERE partner_id = 33;
-- Statements over many partners: at most one row per partner.
INSERT INTO cp_partner SELECT p, 'bulk ' || p, 'developed' FROM generate_series(100, 119) p;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
INSERT INTO cp_membership SELECT p, 'silver', current_date - 10 - i * 365, current_date + 355 - i * 365
FROM generate_series(100, 119) p, generate_series(0, 2) i;
SELECT count(*) AS status_rows, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.status_log() WHERE id > :mark;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
UPDATE cp_membership SET level = 'gold' WHERE partner_id >= 100;
SELECT count(*) AS status_rows_for_higher_held_level FROM regress.status_log() WHERE id > :mark;
-- the covering rows go: the year that ended 10 days ago is in grace
DELETE FROM cp_membership WHERE partner_id >= 100 AND ends_on > current_date;
SELECT count(*) AS status_rows, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.status_log() WHERE id > :mark;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
DELETE FROM cp_membership WHERE partner_id >= 100;
SELECT count(*) AS status_rows, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.status_log() WHERE id > :mark;
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
DELETE FROM cp_partner WHERE partner_id >= 100;
SELECT count(*) AS status_rows_for_deleting_not_held FROM regress.status_log() WHERE id > :mark;
-- Paused: no row; a refresh catches up.
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
SET competency.flagging = off;
DELETE FROM cp_membership WHERE partner_id = 33;
SELECT count(*) FILTER (WHERE change_id > :mark) AS rows_while_paused FROM cp_status_change;
RESET competency.flagging;
SELECT cp_refresh_levels() AS level_changes;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
-- TRUNCATE of cp_membership re-evaluates everybody.
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
INSERT INTO cp_membership VALUES (33, 'gold', current_date - 10, current_date + 355);
TRUNCATE cp_membership;
SELECT partner, change FROM regress.status_log() WHERE id > :mark;
SELECT * FROM regress.status_invariants();
-- A failed statement leaves no status change.
SELECT count(*) AS before_failure FROM cp_status_change \gset
SELECT regress.sqlstate_of($$INSERT INTO cp_membership VALUES (33, 'gold', current_date - 10, current_date + 355),
                                                              (33, 'gold', current_date, current_date + 5)$$);
SELECT count(*) - :before_failure AS rows_after_failure FROM cp_status_change;

-------------------------------------------------------------------------------
-- cp_partner_status: cp_evaluate's columns and name, then held_level,
-- ends_on, status, projected_level, as of today.
-------------------------------------------------------------------------------
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
WHERE attrelid = 'cp_partner_status'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO cp_partner VALUES (4, 'Four', 'developed');
INSERT INTO cp_membership VALUES (33, 'gold', current_date - 10, current_date + 355),
                                 (4, 'silver', current_date - 400, current_date - 5);
SELECT count(*) AS partners,
       count(*) FILTER (WHERE (v.held_level, v.ends_on, v.status, v.projected_level)
                              IS DISTINCT FROM (s.held_level, s.ends_on, s.status, s.projected_level)) AS differ,
       count(*) FILTER (WHERE (v.partner_id, v.market, v.active_entitlements, v.qualified_individuals, v.level,
                               v.next_level, v.entitlements_short, v.individuals_short)
                              IS DISTINCT FROM (e.partner_id, e.market, e.active_entitlements,
                                                e.qualified_individuals, e.level, e.next_level,
                                                e.entitlements_short, e.individuals_short)) AS evaluate_differs
FROM cp_partner_status v
FULL JOIN cp_membership_status(current_date) s USING (partner_id)
FULL JOIN cp_evaluate(current_date) e USING (partner_id);
SELECT partner_id, name, held_level, ends_on - current_date AS ends_in, status, projected_level
FROM cp_partner_status ORDER BY 1;
SELECT * FROM regress.status_invariants();
-- A partner deleted while flagging is paused: the next refresh ends its history.
INSERT INTO cp_partner VALUES (5, 'Five', 'developed');
INSERT INTO cp_membership VALUES (5, 'gold', current_date - 10, current_date + 355);
SET competency.flagging = off;
DELETE FROM cp_partner WHERE partner_id = 5;
RESET competency.flagging;
SELECT cp_refresh_levels() AS level_changes;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE partner = 5;
-- A membership row moved to another partner: both are re-evaluated.
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
UPDATE cp_membership SET partner_id = 1 WHERE partner_id = 33;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
-- TRUNCATE cp_partner ends every history not at not_held.
SELECT coalesce(max(change_id), 0) AS mark FROM cp_status_change \gset
SET client_min_messages = warning;
TRUNCATE cp_partner CASCADE;
RESET client_min_messages;
SELECT partner, change, held, level, projected FROM regress.status_log() WHERE id > :mark;
SELECT * FROM regress.status_invariants();
DROP TRIGGER regress_note_write ON cp_level_change;
DROP TRIGGER regress_note_write ON cp_status_change;
DROP TABLE regress.write_order;
DROP FUNCTION regress.note_write();
SELECT regress.reset_lifecycle();

-------------------------------------------------------------------------------
-- The competency summary import.  Partner 50 already holds
-- [2023-01-01, 2024-01-01); partner 51's rows are no concern of 50's.
-------------------------------------------------------------------------------
INSERT INTO cp_partner VALUES (50, 'Importer', 'developed'), (51, 'Bystander', 'developed');
INSERT INTO cp_membership VALUES (50, 'silver', '2023-01-01', '2024-01-01'),
                                 (51, 'gold', '2024-01-01', '2025-01-01');
INSERT INTO cp_partner_center_competency VALUES
    -- loads; the two identical rows after it overlap it
    ('Cloud Productivity', 'Gold', 'Active', '2024-01-01', '2024-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2024-01-01', '2024-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2024-01-01', '2024-12-31'),
    -- loads: adjacent, other spellings, blank status
    ('cloud_productivity', ' silver ', '', '2025-01-01', '2025-12-31'),
    -- overlaps the stored row by its last day
    ('CLOUD-PRODUCTIVITY', 'GOLD', NULL, '2023-12-31', '2023-12-31'),
    -- loads, ending the day before the stored row; the status is ignored
    (' Cloud:Productivity ', 'sil-ver', 'Expired', '2022-01-01', '2022-12-31'),
    -- overlaps the row this load accepted first
    ('Cloud Productivity', 'Silver', 'Active', '2024-12-31', '2025-06-30'),
    -- reasons
    ('Cloud Platform', 'Gold', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity Plus', 'Gold', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', 'Platinum', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', 'None', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', 'Gold Partner', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2031-01-01', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', 'infinity', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2030-01-01', 'infinity'),
    ('Cloud Productivity', 'Gold', 'Active', '-infinity', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2030-01-01', 'not a date'),
    ('Cloud Productivity', 'Gold', 'Active', '2030-02-30', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2030-01-01', '5874897-12-31'),
    (NULL, 'Gold', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', '  ', 'Active', '2030-01-01', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '', '2030-12-31'),
    ('Cloud Productivity', 'Gold', 'Active', '2030-01-01', E'\t'),
    -- reasons in the listed order: each row has the reasons after its own too
    ('Data Analytics', '', 'Active', 'x', '2023-06-01'),
    ('Data Analytics', 'Bronze', 'Active', 'x', '2023-06-01'),
    ('Cloud Productivity', 'Bronze', 'Active', 'x', '2023-06-01'),
    ('Cloud Productivity', 'Gold', 'Active', '2023-06-02', '2023-06-01'),
    -- a rejected row does not block a later one
    ('Cloud Productivity', 'Gold', 'Active', '2026-01-01', 'oops'),
    ('Cloud Productivity', 'Silver', NULL, '2026-01-01', '2026-12-31'),
    -- one day; dates as in the usage import (the UTC date of a timestamp)
    ('Cloud Productivity', 'Gold', ' ', '2027-06-01', '2027-06-01'),
    ('Cloud Productivity', 'Gold', ' ', '2027-06-02T00:00:00Z', '2027-12-31T23:00:00-05:00'),
    -- fields trimmed of ASCII whitespace; ASCII separators ignored in
    -- spellings, non-ASCII ones are not
    (E'cloud\tproductivity\n', 'g o l d', NULL, E' 2032-01-01\t', ' 2032-12-31 '),
    (E'Cloud\013Productivity', 'SILVER:', NULL, '2033-01-01', '2033-12-31'),
    (U&'Cloud\00A0Productivity', 'Gold', NULL, '2034-01-01', '2034-12-31'),
    ('Cloud Productivity', U&'Gold\00A0', NULL, '2034-01-01', '2034-12-31');
SELECT count(*) AS staged FROM cp_partner_center_competency \gset
SELECT :staged AS staged;
-- NULL or unknown partner: nothing moves, the staged rows stay.
SELECT regress.sqlstate_of($$SELECT * FROM cp_load_partner_center_competency(NULL)$$) AS null_partner,
       regress.sqlstate_of($$SELECT * FROM cp_load_partner_center_competency(999)$$) AS unknown_partner;
SELECT count(*) AS still_staged, (SELECT count(*) FROM cp_partner_center_competency_reject) AS rejected,
       (SELECT count(*) FROM cp_membership) AS memberships
FROM cp_partner_center_competency;
SELECT * FROM cp_load_partner_center_competency(50);
SELECT :staged AS staged,
       (SELECT count(*) FROM cp_membership WHERE partner_id = 50) - 1
       + (SELECT count(*) FROM cp_partner_center_competency_reject) AS loaded_plus_rejected,
       (SELECT count(*) FROM cp_partner_center_competency) AS left_staged;
SELECT partner_id, level, started_on, ends_on FROM cp_membership ORDER BY 1, 3;
SELECT partner_id, reason, "CompetencyName", "CompetencyLevel", "CompetencyStatus",
       "CompetencyStartDate", "CompetencyEndDate"
FROM cp_partner_center_competency_reject
ORDER BY reason, "CompetencyName" NULLS FIRST, "CompetencyLevel", "CompetencyStartDate", "CompetencyEndDate";
-- Loading again with nothing staged does nothing.
SELECT * FROM cp_load_partner_center_competency(50);
-- Dates as in the usage import: numeric dates month first whatever the
-- DateStyle, no offset is UTC (the session is in PST8PDT), PostgreSQL's
-- special words are not dates, a far end date loads (timestamps, hence these
-- dates, end in 294276).
SET datestyle = 'ISO, DMY';
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Gold', NULL, '01/02/2036', '12/31/2036'),
    ('Cloud Productivity', 'Gold', NULL, '2037-01-01 23:30:00', '2037-12-31 23:59:59.9999999'),
    ('Cloud Productivity', 'Gold', NULL, 'today', '2038-12-31'),
    ('Cloud Productivity', 'Gold', NULL, '2038-01-01', 'epoch'),
    ('Cloud Productivity', 'Gold', NULL, '2040-01-01', '294276-12-30');
SELECT * FROM cp_load_partner_center_competency(51);
RESET datestyle;
SET datestyle = 'ISO, MDY';
SELECT partner_id, level, started_on, ends_on FROM cp_membership WHERE partner_id = 51 ORDER BY 3;
SELECT partner_id, reason, "CompetencyStartDate", "CompetencyEndDate" FROM cp_partner_center_competency_reject
WHERE partner_id = 51 ORDER BY 3;
TRUNCATE cp_partner_center_competency_reject;

-- COPY into the staging view, header matched.
COPY cp_partner_center_competency FROM STDIN (FORMAT csv, HEADER match);
CompetencyName,CompetencyLevel,CompetencyStatus,CompetencyStartDate,CompetencyEndDate
Cloud Productivity,Gold,Active,2019-01-01,2019-12-31
Cloud Productivity,Silver,,2020-01-01,2020-12-31
Cloud Productivity,Gold,Active,,2021-12-31
Data Analytics,Gold,Active,2021-01-01,2021-12-31
\.
SELECT * FROM cp_partner_center_competency;
SELECT * FROM cp_load_partner_center_competency(50);
SELECT partner_id, level, started_on, ends_on FROM cp_membership WHERE started_on < '2022-01-01' ORDER BY 1, 3;
SELECT partner_id, reason, "CompetencyName" FROM cp_partner_center_competency_reject ORDER BY 2;
TRUNCATE cp_partner_center_competency_reject;

-- Two loaders: each sees, loads and leaves only its own staged rows, with
-- no privilege on cp_membership, cp_partner or the reject table (the load
-- runs with the extension's rights), and reads only its own reject rows.
CREATE ROLE regress_comp_a;
CREATE ROLE regress_comp_b;
GRANT USAGE ON SCHEMA regress TO regress_comp_a, regress_comp_b;
GRANT SELECT, INSERT ON cp_partner_center_competency TO regress_comp_a, regress_comp_b;
GRANT SELECT ON cp_partner_center_competency_reject TO regress_comp_a, regress_comp_b;
GRANT EXECUTE ON FUNCTION cp_load_partner_center_competency(bigint), cp_staging_role()
    TO regress_comp_a, regress_comp_b;
SET ROLE regress_comp_a;
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Gold', NULL, '2016-01-01', '2016-12-31'),
    ('Cloud Productivity', 'Bronze', NULL, '2015-01-01', '2015-12-31');
RESET ROLE;
SET ROLE regress_comp_b;
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Silver', NULL, '2017-01-01', '2017-12-31');
SELECT count(*) AS b_sees FROM cp_partner_center_competency;
RESET ROLE;
SET ROLE regress_comp_a;
SELECT count(*) AS a_sees FROM cp_partner_center_competency;
SELECT * FROM cp_load_partner_center_competency(50);
SELECT count(*) AS a_sees_after FROM cp_partner_center_competency;
RESET ROLE;
SET ROLE regress_comp_b;
SELECT count(*) AS b_still_sees FROM cp_partner_center_competency;
SELECT * FROM cp_load_partner_center_competency(51);
SELECT count(*) AS b_sees_rejects_of_a FROM cp_partner_center_competency_reject;
RESET ROLE;
SET ROLE regress_comp_a;
SELECT "CompetencyLevel", reason, staged_by FROM cp_partner_center_competency_reject;
RESET ROLE;
SELECT partner_id, level, started_on, ends_on FROM cp_membership WHERE started_on < '2018-01-01' ORDER BY 1, 3;
SELECT partner_id, reason, "CompetencyLevel" FROM cp_partner_center_competency_reject ORDER BY 1;
REVOKE USAGE ON SCHEMA regress FROM regress_comp_a, regress_comp_b;
DROP OWNED BY regress_comp_a, regress_comp_b;
DROP ROLE regress_comp_a, regress_comp_b;

DROP FUNCTION regress.held_at(bigint, date);
DROP FUNCTION regress.risk_sums(bigint, date);
DROP FUNCTION regress.status_log();
DROP FUNCTION regress.status_invariants();
SELECT regress.reset_lifecycle();
