-- Hostile input to every SQL-callable function: NULLs, extremes, empty,
-- megabyte-long and non-ASCII text.  Each answer is right or a clean error
-- with its SQLSTATE; nothing reads past a buffer or matches by accident.

-- cp_level and the thresholds
SELECT cp_level('developed', 9223372036854775807, 2147483647) AS max_figures,
       cp_level('developing', 0, 0) AS zeros;
SELECT regress.error_of($$SELECT cp_level('developed', -9223372036854775808, 0)$$);
SELECT regress.error_of($$SELECT cp_level('developed', 0, -2147483648)$$);
SELECT cp_next_level(NULL) IS NULL AS a, cp_required_entitlements(NULL, 'developed') IS NULL AS b,
       cp_required_entitlements('gold', NULL) IS NULL AS c, cp_required_individuals(NULL) IS NULL AS d;

-- canonical names: empty, separators only, long, non-ASCII, NULL
SELECT cp_workload('') AS empty, cp_workload(' _-: ') AS separators, cp_workload(NULL) AS null_in,
       cp_workload(repeat('x', 1048576)) AS megabyte, cp_workload(repeat(' ', 1048576) || 'exo') AS padded,
       cp_workload(E'e\u0078o') AS escaped_ascii, cp_workload(E'\u0435xo') AS cyrillic_e,
       cp_workload('EXO' || chr(769)) AS combining_accent;
SELECT cp_credential('') AS empty, cp_credential('exam') AS exam_alone, cp_credential('examexam') AS exam_twice,
       cp_credential(repeat('70-346', 200000)) AS megabyte, cp_credential('70-346' || repeat(' ', 1048576)) AS padded,
       cp_credential(E'\uff17\uff10-346') AS fullwidth_digits, cp_credential(NULL) AS null_in;

-- argument checks
SELECT regress.error_of($$SELECT cp_require_date(NULL, NULL)$$);
SELECT regress.error_of($$SELECT cp_window_start('2026-01-01', -2147483648, 'as_of')$$);
SELECT regress.error_of($$SELECT cp_window_start('2026-01-01', 2147483647, 'as_of')$$);
SELECT cp_window_start('2026-01-01', 1, 'as_of') AS one_day, cp_window_start('2026-01-01', 366, 'as_of') AS longest;
SELECT regress.error_of($$SELECT cp_series_dates('2026-01-01', '2026-02-01', '-1 day')$$);
SELECT regress.error_of($$SELECT cp_series_dates('2026-01-01', '2026-02-01', '23:59:59.999999')$$);
SELECT (SELECT count(*) FROM cp_series_dates('2026-01-01', '2026-01-03', '1 day')) = 3
   AND (SELECT count(*) FROM cp_series_dates('2026-01-01', '2026-01-03', '24 hours')) = 3
   AND (SELECT count(*) FROM cp_series_dates('2026-01-01', '2026-03-01', '1 mon')) = 3 AS step_edges;
-- beyond timestamp's range, or stepping beyond it, as generate_series does
SELECT regress.error_of($$SELECT cp_series_dates('5874897-12-31', '5874897-12-31', '1 day')$$);
SELECT regress.error_of($$SELECT cp_series_dates('294276-12-30', '294276-12-31', '1 day')$$),
       regress.error_of($$SELECT generate_series(date '294276-12-30', date '294276-12-31', '1 day')$$);
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', '-infinity', NULL);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 5, '2026-01-01'),
                            (regress.t(1), 'EXO', 'E1', false, 7, 'infinity');
-- an evaluation is as of a day: infinity is none (dates.sql tests every function)
SELECT regress.error_of($$SELECT * FROM cp_evaluate('infinity')$$),
       regress.error_of($$SELECT * FROM cp_evaluate('-infinity')$$);
SELECT as_of, active_entitlements FROM unnest(ARRAY[date '5874897-12-31']) as_of,
     LATERAL cp_evaluate(as_of);
SELECT regress.error_of($$SELECT * FROM cp_evaluate('4714-11-24 BC')$$);
SELECT regress.reset();

-- the aggregates: megabyte SKUs and keys, non-ASCII credentials, extreme dates
SELECT cp_active_entitlements(k, 'EXO', s, 10, false, d) AS long_values
FROM (VALUES (repeat('k', 1048576), repeat('s', 1048576), date '2026-01-01'),
             (repeat('k', 1048576), repeat('s', 1048575) || 't', date '2026-01-01'),
             (repeat('k', 1048575) || 'j', repeat('s', 1048576), date '-infinity')) v(k, s, d);
SELECT cp_qualified_individuals(p, c) AS non_ascii
FROM (VALUES (1, E'MCSA\u00a0Office 365'), (2, E'70\u2010346'), (2, '70-347'),
             (3, E'MCSA: Office 365\u200b'), (4, repeat('MCSA: Office 365', 65536))) v(p, c);
SELECT cp_active_entitlements(t, 'EXO', 'E3', n, false, '2026-01-01') AS many_tenants
FROM generate_series(1, 100000) t, LATERAL (SELECT 2147483647::bigint AS n) x;

-- settings out of range are refused and change nothing
SET competency.usage_window = '28d';
SELECT regress.error_of($$SET competency.usage_window = '-1d'$$);
SELECT regress.error_of($$SET competency.usage_window = '9999999999d'$$);
SELECT regress.error_of($$SET competency.usage_window = ''$$);
SHOW competency.usage_window;
RESET competency.usage_window;
