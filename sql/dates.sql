-- Dates as arguments.  An evaluation is as of a day: every function that
-- evaluates as of a date refuses infinity and -infinity with 22023 naming
-- the argument, and a date so early that its usage window would start
-- before the earliest date PostgreSQL has with 22008 naming it -- whether
-- or not there are rows to evaluate.  A series of points is checked as it
-- is made, so a cancel or statement_timeout stops it.
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', '-infinity', NULL);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, '2026-01-01');
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '-infinity', NULL);
INSERT INTO cp_membership VALUES (1, 'silver', '2025-06-01', '2026-06-01');

SELECT d AS as_of, f AS call, regress.error_of(format(f, d)) AS outcome
FROM (VALUES ('infinity'), ('-infinity'), ('4714-11-24 BC'), ('4714-12-21 BC')) d(d),
     (VALUES ('SELECT * FROM cp_evaluate(%L)'),
             ('SELECT * FROM cp_evaluate_partners(%L, 28, NULL)'),
             ('SELECT * FROM cp_explain(1, %L)'),
             ('SELECT * FROM cp_membership_status(%L)'),
             ('SELECT * FROM cp_explain_risk(1, %L)'),
             ('SELECT cp_refresh_levels(%L)'),
             ('SELECT * FROM cp_evaluate_series(%L, ''2026-01-01'')'),
             ('SELECT * FROM cp_evaluate_series(''2026-01-01'', %L)')) f(f)
ORDER BY d, f;
-- the first day whose 28-day window PostgreSQL has, and the last day
SELECT as_of, level, active_entitlements, qualified_individuals
FROM unnest(ARRAY[date '4714-12-22 BC', '5874897-12-31']) as_of, LATERAL cp_evaluate(as_of);
SELECT count(*) AS explained FROM cp_explain(1, '4714-12-22 BC');
SELECT held_level, status FROM cp_membership_status('5874897-12-31');
-- with nothing to evaluate, the same refusals
SELECT regress.reset();
SELECT regress.error_of($$SELECT * FROM cp_evaluate('infinity')$$) AS no_partners,
       regress.error_of($$SELECT * FROM cp_membership_status('-infinity')$$) AS no_memberships,
       regress.error_of($$SELECT cp_refresh_levels('4714-11-24 BC')$$) AS nothing_to_flag;
-- flagging, as of dates a trigger never passes but a caller of cp_flag might
SELECT regress.error_of($$SELECT cp_flag(NULL::bigint[], 'infinity')$$) AS flag_infinity,
       regress.error_of($$SELECT cp_flag(ARRAY[1]::bigint[], '4714-11-24 BC')$$) AS flag_too_early;

-- Series: a step that stops reaching later dates is refused when the series
-- gets there; a long series honours statement_timeout (57014) at once.
SELECT regress.error_of($$SELECT count(*) FROM cp_series_dates('2026-01-30', '2026-12-31', '1 mon -29 days')$$);
SELECT count(*) AS points FROM cp_series_dates('2026-01-01', '2026-12-31', '1 day');
CREATE FUNCTION regress.cancelled_after(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    EXECUTE sql;
    RETURN 'not cancelled';
EXCEPTION WHEN query_canceled THEN
    RETURN SQLSTATE || CASE WHEN clock_timestamp() - t0 < interval '2 s'
                            THEN ' within a second of the timeout' ELSE ' late' END;
END
$$;
SET statement_timeout = '1s';
SELECT regress.cancelled_after($$SELECT count(*) FROM cp_series_dates('4713-01-01 BC', '294276-12-30', '1 day')$$) AS whole_range;
SELECT regress.cancelled_after($$SELECT count(*) FROM cp_evaluate_series('4713-01-01 BC', '294276-12-30', '1 day')$$) AS evaluated;
RESET statement_timeout;
DROP FUNCTION regress.cancelled_after(text);
SELECT regress.reset();
