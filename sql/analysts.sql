-- For analysts and dashboards: the status view, levels over time, the
-- canonical names, and a COMMENT on every member of the extension.
SELECT regress.reset();

INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing'),
                              (3, 'Northwind', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', current_date - 400, NULL),
                                  (2, regress.t(2), 'delegated_admin', current_date - 400, NULL);
INSERT INTO cp_person VALUES (10, 1), (11, 1), (20, 2);
INSERT INTO cp_credential VALUES (10, 'MCSA: Office 365', current_date - 300, NULL),
                                 (11, '70-346', current_date - 100, NULL),
                                 (11, '70-347', current_date - 50, NULL),
                                 (20, 'MCSA: Office 365', current_date - 300, NULL);
-- usage every 10 days for a year, growing
INSERT INTO cp_usage SELECT regress.t(t), 'EXO', 'E3', false, (1000 + 10 * (365 - ago)) / t,
                            current_date - ago
FROM generate_series(1, 2) t, generate_series(0, 360, 10) ago;

-- The view: every column of cp_evaluate(current_date) and the name.
SELECT * FROM cp_partner_status ORDER BY partner_id;
SELECT count(*) AS differences FROM (
    SELECT partner_id, market, active_entitlements, qualified_individuals, level, next_level,
           entitlements_short, individuals_short FROM cp_partner_status
    EXCEPT SELECT * FROM cp_evaluate(current_date)) d;

-- Levels over time: one row per partner per point, equal to cp_evaluate.
SELECT count(*) AS rows, count(DISTINCT as_of) AS points, min(as_of) = current_date - 360 AS starts,
       max(as_of) = current_date - 360 + 12 * 30 AS ends_on_last_point
FROM cp_evaluate_series(current_date - 360, current_date, '30 days');
SELECT count(*) AS differences FROM cp_evaluate_series(current_date - 360, current_date, '30 days') s
WHERE (s.partner_id, s.market, s.active_entitlements, s.qualified_individuals, s.level,
       s.next_level, s.entitlements_short, s.individuals_short)
      IS DISTINCT FROM (SELECT e FROM cp_evaluate(s.as_of) e WHERE e.partner_id = s.partner_id);
-- (Points three months apart are 89 to 92 days apart, depending on today's
-- date; the figure expected at each is the latest measurement, every 10 days.)
SELECT dense_rank() OVER (ORDER BY as_of) AS point,
       as_of = (current_date - 330 + (dense_rank() OVER (ORDER BY as_of) - 1) * interval '3 months')::date AS on_point,
       partner_id,
       active_entitlements = CASE WHEN partner_id < 3 THEN
           (1000 + 10 * (365 - (330 - (as_of - (current_date - 330)) / 10 * 10))) / partner_id
           ELSE 0 END AS latest_figure,
       qualified_individuals, level
FROM cp_evaluate_series(current_date - 330, current_date - 30, '3 months')
ORDER BY 1, 3;
-- Month steps from the 31st follow generate_series: each point is the one
-- before plus a month, so after February they fall on the 28th; the stop is
-- included when hit.
SELECT as_of FROM cp_evaluate_series('2026-01-31', '2026-05-31', '1 month') WHERE partner_id = 1;
-- A series that cannot end is refused at once (22023), before any point is
-- evaluated: infinite bounds, and a step that from some point reaches no
-- later date ('1 mon -29 days' comes back to January 30 from January 30,
-- and '1 mon -29 days 1 microsecond' would creep a microsecond a step).
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('-infinity', '2026-01-01', '1 year')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2026-01-01', 'infinity')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('infinity', 'infinity')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2027-01-01', '2027-12-31', '1 mon -29 days')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2027-01-30', '2027-01-30', '1 mon -29 days')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2027-01-29', '2027-12-31', '1 mon -29 days 1 microsecond')$$);
-- where such a step does advance, the points are generate_series's
SELECT count(*) AS differences FROM (
    (SELECT DISTINCT as_of FROM cp_evaluate_series('2027-03-01', '2027-04-20', '1 mon -29 days')
     EXCEPT SELECT g::date FROM generate_series(date '2027-03-01', date '2027-04-20', interval '1 mon -29 days') g)
    UNION ALL
    (SELECT g::date FROM generate_series(date '2027-03-01', date '2027-04-20', interval '1 mon -29 days') g
     EXCEPT SELECT DISTINCT as_of FROM cp_evaluate_series('2027-03-01', '2027-04-20', '1 mon -29 days'))) x;
SELECT count(*) AS single_point FROM cp_evaluate_series('2026-01-01', '2026-01-01');
SELECT count(*) AS empty FROM cp_evaluate_series('2026-02-01', '2026-01-01');
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2026-01-01', '2026-02-01', '23 hours')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2026-01-01', '2026-02-01', '-1 day')$$);
-- The points are those of generate_series over dates (timestamp with time
-- zone, in the session's zone), also for a step with hours that crosses a
-- daylight-saving change: there the points move an hour, and one of them to
-- the next day.
SET timezone = 'Europe/Paris';
SELECT count(*) AS differences FROM (
    (SELECT DISTINCT as_of FROM cp_evaluate_series('2026-03-20', '2026-05-15', '1 day 23 hours')
     EXCEPT SELECT g::date FROM generate_series(date '2026-03-20', date '2026-05-15', interval '1 day 23 hours') g)
    UNION ALL
    (SELECT g::date FROM generate_series(date '2026-03-20', date '2026-05-15', interval '1 day 23 hours') g
     EXCEPT SELECT DISTINCT as_of FROM cp_evaluate_series('2026-03-20', '2026-05-15', '1 day 23 hours'))) x;
SELECT count(*) AS wall_clock_points FROM (
    SELECT g::date FROM generate_series(date '2026-03-20', date '2026-05-15', interval '1 day 23 hours') g
    EXCEPT SELECT g::date FROM generate_series(timestamp '2026-03-20', timestamp '2026-05-15', interval '1 day 23 hours') g) x;
RESET timezone;
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series(NULL, '2026-02-01')$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2026-01-01', NULL)$$);
SELECT regress.error_of($$SELECT * FROM cp_evaluate_series('2026-01-01', '2026-02-01', NULL)$$);
SELECT count(*) AS one_day_steps FROM cp_evaluate_series('2026-01-01', '2026-01-31', '1 day');

-- Canonical names.
SELECT w, cp_workload(w) FROM unnest(ARRAY['EXO', 'sharepoint', 'SfB', 'YAM', 'Office 365 ProPlus', 'Teams', NULL]) w;
SELECT c, cp_credential(c) FROM unnest(ARRAY['Exam 70-346', '70347', 'mcsa_office_365', '70-345', NULL]) c;

-- Every member of the extension has a comment.
SELECT pg_describe_object(d.classid, d.objid, 0) AS without_comment
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE d.deptype = 'e' AND obj_description(d.objid, d.classid::regclass::name) IS NULL
ORDER BY 1;
SELECT count(*) > 50 AS many_members FROM pg_depend d
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency' WHERE d.deptype = 'e';
-- and every column of every table and view
SELECT c.relname || '.' || a.attname AS column_without_comment
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v') AND col_description(c.oid, a.attnum) IS NULL
ORDER BY 1;

SELECT regress.reset();
