-- cp_explain: every usage row of the partner's tenants, whether it counts
-- and why not; counted rows sum to cp_evaluate's active_entitlements.
SELECT regress.reset();

INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', '2026-01-01', NULL),
    (1, regress.t(1), 'transacting_partner', '2026-01-01', NULL),
    (1, regress.t(2), 'delegated_admin', '2026-01-01', '2026-06-01'),   -- ended
    (1, regress.t(3), 'digital_partner_of_record', '2026-01-01', NULL),
    (2, regress.t(1), 'delegated_admin', '2026-01-01', NULL);
INSERT INTO cp_usage VALUES
    -- tenant 1: Exchange (two SKUs, two spellings) beats SharePoint
    (regress.t(1), 'EXO', 'E3', false, 500, '2026-06-10'),
    (regress.t(1), 'Exchange Online', 'E3', false, 450, '2026-06-12'),   -- newer: counts
    (regress.t(1), 'Exchange Online', 'E3', false, 450, '2026-06-12'),   -- duplicate
    (regress.t(1), 'Exchange Online', 'E3', false, 440, '2026-06-12'),   -- smaller duplicate
    (regress.t(1), 'EXO', 'E1', false, 100, '2026-06-01'),
    (regress.t(1), 'SPO', 'E3', false, 520, '2026-06-12'),
    (regress.t(1), 'EXO', 'E3', true, 9000, '2026-06-14'),               -- trial
    (regress.t(1), 'Teams', 'E3', false, 9000, '2026-06-14'),            -- ineligible
    (regress.t(1), 'EXO', 'E3', false, 300, '2026-05-18'),               -- stale (D - 28)
    (regress.t(1), 'EXO', 'E3', false, 7000, '2026-06-16'),              -- future
    -- tenant 2: association ended
    (regress.t(2), 'EXO', 'E3', false, 800, '2026-06-10'),
    -- tenant 3: a tie between Yammer and SfB goes to the first canonical name
    (regress.t(3), 'Yammer', 'free', false, 60, '2026-06-10'),
    (regress.t(3), 'SfB', 'E3', false, 60, '2026-06-10'),
    -- a row with several reasons gives the first: trial before ineligible
    (regress.t(3), 'Teams', 'trial', true, 5, '2026-06-10');

SELECT * FROM cp_explain(1, '2026-06-15');
SELECT sum(active_users) FILTER (WHERE counted) AS counted_sum,
       (SELECT active_entitlements FROM cp_evaluate('2026-06-15') WHERE partner_id = 1) AS evaluated
FROM cp_explain(1, '2026-06-15');
-- A partner sharing tenant 1 sees the same rows; an unknown partner none.
SELECT counted, reason, count(*) FROM cp_explain(2, '2026-06-15') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS unknown_partner FROM cp_explain(99, '2026-06-15');
SELECT count(*) AS null_partner FROM cp_explain(NULL, '2026-06-15');
SELECT regress.error_of($$SELECT * FROM cp_explain(1, NULL)$$);
-- The session's window, as cp_evaluate.
SET competency.usage_window = '35d';
SELECT reason, count(*) FROM cp_explain(1, '2026-06-15') WHERE tenant_id = regress.t(1)
GROUP BY 1 ORDER BY 1;
RESET competency.usage_window;

-- Invariant on random data: for every partner and several dates and windows,
-- the counted rows sum to cp_evaluate's figure.
SELECT regress.reset();
SELECT setseed(0.17);
INSERT INTO cp_partner SELECT p, 'p' || p, (ARRAY['developed', 'developing']::cp_market[])[1 + p % 2]
FROM generate_series(1, 60) p;
INSERT INTO cp_association
SELECT 1 + (random() * 59)::int, regress.t(1 + (random() * 299)::int),
       (enum_range(NULL::cp_association_kind))[1 + (random() * 2)::int],
       date '2026-01-01' + (random() * 200)::int - 60, NULL
FROM generate_series(1, 500);
UPDATE cp_association SET valid_until = valid_from + (random() * 200)::int + 1 WHERE random() < 0.3;
INSERT INTO cp_usage
SELECT regress.t(1 + (random() * 299)::int),
       (ARRAY['EXO', 'Exchange', 'SPO', 'sharepoint online', 'SfB', 'Yammer', 'ProPlus', 'Teams', 'Intune'])[1 + (random() * 8)::int],
       (ARRAY['E1', 'E3', 'E5'])[1 + (random() * 2)::int],
       random() < 0.1, (random() * 300)::int, date '2026-01-01' + (random() * 200)::int
FROM generate_series(1, 20000);
INSERT INTO cp_usage SELECT * FROM cp_usage WHERE random() < 0.05;    -- duplicates
CREATE FUNCTION regress.explain_mismatches(d date, w text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM set_config('competency.usage_window', w, true);
    SELECT count(*) INTO n
    FROM cp_evaluate(d) e,
         LATERAL (SELECT coalesce(sum(active_users) FILTER (WHERE counted), 0) AS s
                  FROM cp_explain(e.partner_id, d)) x
    WHERE x.s IS DISTINCT FROM e.active_entitlements;
    RETURN n;
END
$$;
SELECT d AS as_of, w AS window_days, regress.explain_mismatches(d, w) AS mismatches,
       (SELECT count(*) FROM cp_evaluate(d) WHERE active_entitlements > 0) > 10 AS nontrivial
FROM unnest(ARRAY[date '2026-03-01', '2026-05-15', '2026-07-20']) d,
     unnest(ARRAY['7d', '28d', '60d']) w
ORDER BY 1, 2;
-- Every row is counted or has one of the reasons.
SELECT reason, bool_and(NOT counted) AS never_counted
FROM cp_explain(7, '2026-05-15') GROUP BY reason ORDER BY reason;
SELECT regress.reset();
