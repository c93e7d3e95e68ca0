-- cp_active_entitlements and cp_qualified_individuals over plain rows:
-- The rules' steps 2 to 7 (trials, eligible workloads, latest per SKU, SKUs
-- summed, highest workload, tenants summed), NULLs, empty input, key types, errors.

CREATE TEMP TABLE m (
    tenant int, workload text, sku text, users bigint, trial boolean, d date
);
CREATE FUNCTION pg_temp.ae() RETURNS bigint LANGUAGE sql AS
$$ SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d) FROM m $$;

-- Empty input and all-skipped input give 0, never NULL.
SELECT pg_temp.ae() AS empty;
SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d) AS none_kept
FROM (VALUES (1, 'Teams', 'x', 5::bigint, false, date '2026-01-01'),
             (1, 'EXO', 'x', 5, true, date '2026-01-01')) v(tenant, workload, sku, users, trial, d);

-- Step 4: the latest measurement per (tenant, workload, SKU) counts ...
INSERT INTO m VALUES (1, 'EXO', 'E3', 900, false, '2026-01-01'),
                     (1, 'EXO', 'E3', 100, false, '2026-01-05');
SELECT pg_temp.ae() AS latest_only;                      -- 100, not 900 or 1000
-- ... and among rows of that date the largest: duplicates never inflate.
INSERT INTO m VALUES (1, 'EXO', 'E3', 100, false, '2026-01-05'),
                     (1, 'EXO', 'E3', 120, false, '2026-01-05'),
                     (1, 'EXO', 'E3', 110, false, '2026-01-05');
SELECT pg_temp.ae() AS max_of_latest;                    -- 120
-- Step 3: workloads by canonical name: a newer 'Exchange Online' row
-- supersedes the EXO rows of the same SKU.
INSERT INTO m VALUES (1, 'Exchange Online', 'E3', 70, false, '2026-01-06');
SELECT pg_temp.ae() AS canonical_workload;               -- 70
-- SKUs byte for byte: 'e3' and 'E3 ' are other SKUs, summed (step 5).
INSERT INTO m VALUES (1, 'exo', 'e3', 5, false, '2026-01-01'),
                     (1, 'exo', 'E3 ', 6, false, '2026-01-01');
SELECT pg_temp.ae() AS skus_summed;                      -- 70 + 5 + 6 = 81
-- Step 2: a newer trial row never hides an older paid one.
INSERT INTO m VALUES (1, 'EXO', 'E3', 5000, true, '2026-01-09');
SELECT pg_temp.ae() AS trial_ignored;                    -- 81
-- Step 6: the highest workload per tenant, not the sum.
INSERT INTO m VALUES (1, 'SharePoint', 'E3', 80, false, '2026-01-01'),
                     (1, 'Yammer', 'free', 30, false, '2026-01-01');
SELECT pg_temp.ae() AS highest_workload;                 -- max(81, 80, 30) = 81
INSERT INTO m VALUES (1, 'SPO', 'E1', 2, false, '2026-01-01');
SELECT pg_temp.ae() AS highest_workload_sums_skus;       -- SharePoint 82
-- Step 7: tenants are summed; ineligible workloads never count.
INSERT INTO m VALUES (2, 'ProPlus', 'E3', 40, false, '2025-06-01'),
                     (2, 'Teams', 'E3', 4000, false, '2026-01-01'),
                     (3, 'SfB', 'E3', 0, false, '2026-01-01');
SELECT pg_temp.ae() AS tenants_summed;                   -- 82 + 40 + 0 = 122
-- Order of rows never matters.
SELECT count(DISTINCT r) AS distinct_results FROM (
    SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d
                                  ORDER BY random()) AS r
    FROM m, generate_series(1, 20) g GROUP BY g) s;

-- A NULL in any argument skips the row.
SELECT cp_active_entitlements(t, w, s, u, tr, d) AS nulls_skipped
FROM (VALUES (NULL::int, 'EXO', 'x', 10::bigint, false, date '2026-01-01'),
             (1, NULL, 'x', 10, false, date '2026-01-01'),
             (1, 'EXO', NULL, 10, false, date '2026-01-01'),
             (1, 'EXO', 'x', NULL, false, date '2026-01-01'),
             (1, 'EXO', 'x', 10, NULL, date '2026-01-01'),
             (1, 'EXO', 'x', 10, false, NULL),
             (2, 'EXO', 'x', 7, false, date '2026-01-01')) v(t, w, s, u, tr, d);

-- A negative count is an error on any row, even one that would be skipped.
SELECT regress.error_of($$SELECT cp_active_entitlements(1, 'EXO', 'x', -1, false, '2026-01-01')$$);
SELECT regress.error_of($$SELECT cp_active_entitlements(1, 'Teams', 'x', -1, false, '2026-01-01')$$);
SELECT regress.error_of($$SELECT cp_active_entitlements(1, 'EXO', 'x', -1, true, '2026-01-01')$$);
SELECT regress.error_of($$SELECT cp_active_entitlements(NULL::int, 'EXO', 'x', -5, false, NULL)$$);
-- Sums beyond bigint are 22003.
SELECT regress.error_of($$SELECT cp_active_entitlements(t, 'EXO', 'x', 5000000000000000000, false, '2026-01-01')
                          FROM generate_series(1, 2) t$$);
SELECT regress.error_of($$SELECT cp_active_entitlements(1, 'EXO', s, 5000000000000000000, false, '2026-01-01')
                          FROM unnest(ARRAY['a', 'b']) s$$);
SELECT cp_active_entitlements(1, 'EXO', 'x', 9223372036854775807, false, '2026-01-01') AS max_bigint;

-- Infinite dates order like any other.
SELECT cp_active_entitlements(1, 'EXO', 'x', u, false, d) AS infinity_latest
FROM (VALUES (1::bigint, date '-infinity'), (2, date '2026-01-01'), (3, date 'infinity')) v(u, d);

-- Keys of any hashable type: uuid, text, bigint, integer, numeric, domains.
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS uuid_keys
FROM (VALUES (regress.t(1)), (regress.t(2)), (regress.t(1))) v(k);
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS text_keys
FROM (VALUES ('a'), ('b'), ('a'), ('A'), (repeat('z', 3000)), (repeat('z', 3000))) v(k);
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS bigint_keys
FROM (VALUES (1::bigint), (9223372036854775807), (1)) v(k);
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS int_keys
FROM (VALUES (1), (-1), (1)) v(k);
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS numeric_keys
FROM (VALUES (1.0), (1.00), (2)) v(k);                   -- 1.0 = 1.00: 20
CREATE DOMAIN pg_temp.tenant_code AS varchar(10);
SELECT cp_active_entitlements(k::pg_temp.tenant_code, 'EXO', 'x', 10, false, '2026-01-01') AS domain_keys
FROM (VALUES ('a'), ('b'), ('a')) v(k);
-- Equality follows the key's collation.
CREATE COLLATION pg_temp.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT cp_active_entitlements(k COLLATE pg_temp.ci, 'EXO', 'x', 10, false, '2026-01-01') AS case_insensitive
FROM (VALUES ('abc'), ('ABC'), ('Abc'), ('abd')) v(k);   -- 2 tenants: 20
-- The collation of the call is the one PostgreSQL derives from all the text
-- arguments: an SKU column's implicit collation applies to the keys too, an
-- explicit one on the key wins, and SKUs compare byte for byte all the same.
CREATE TEMP TABLE ci_skus (k text, s text COLLATE pg_temp.ci);
INSERT INTO ci_skus VALUES ('abc', 'x'), ('ABC', 'x'), ('abd', 'x');
SELECT cp_active_entitlements(k, 'EXO', s, 10, false, '2026-01-01') AS under_sku_collation,   -- 2 tenants: 20
       cp_active_entitlements(k COLLATE "C", 'EXO', s, 10, false, '2026-01-01') AS key_collate_c  -- 3 tenants: 30
FROM ci_skus;
SELECT cp_active_entitlements('t'::text, 'EXO', s, 10, false, '2026-01-01') AS skus_byte_for_byte   -- 'x' and 'X': 20
FROM (VALUES ('x' COLLATE pg_temp.ci), ('X')) v(s);
SELECT regress.error_of($$SELECT cp_active_entitlements(point(1, 2), 'EXO', 'x', 10, false, '2026-01-01')$$);
-- Over a toasted key column.
CREATE TEMP TABLE big_keys (k text);
ALTER TABLE big_keys ALTER k SET STORAGE external;
INSERT INTO big_keys SELECT repeat(chr(65 + g % 3), 10000) FROM generate_series(1, 9) g;
SELECT cp_active_entitlements(k, 'EXO', 'x', 10, false, '2026-01-01') AS toasted_keys FROM big_keys;

-- Grouped, hashed and sorted, and as a window function.
SELECT tenant, cp_active_entitlements(tenant, workload, sku, users, trial, d) AS n
FROM m GROUP BY tenant ORDER BY tenant;
SELECT DISTINCT tenant, cp_active_entitlements(tenant, workload, sku, users, trial, d)
                          OVER (ORDER BY tenant) AS running
FROM m ORDER BY tenant;

-- cp_qualified_individuals: 70-346 and 70-347 by one person, or MCSA.
SELECT cp_qualified_individuals(p, c) AS empty FROM (VALUES (1, 'x')) v(p, c) WHERE false;
SELECT cp_qualified_individuals(p, c) AS both_exams
FROM (VALUES (1, '70-346'), (1, '70-347')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS exams_split_between_people
FROM (VALUES (1, '70-346'), (2, '70-347')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS mcsa
FROM (VALUES (1, 'MCSA: Office 365')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS both_paths_one_person
FROM (VALUES (1, '70-346'), (1, '70-347'), (1, 'MCSA: Office 365'), (1, '70-346')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS two_paths_two_people
FROM (VALUES (1, '70-346'), (1, '70-347'), (2, 'MCSA: Office 365'), (3, 'unknown')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS nulls_skipped
FROM (VALUES (NULL::bigint, 'MCSA: Office 365'), (1, NULL), (1, '70-346'),
             (NULL, '70-347'), (2, 'MCSA: Office 365')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS text_persons
FROM (VALUES ('ann', '70-346'), ('ann', '70-347'), ('bob', '70-347'), ('Ann', '70-346')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS uuid_persons
FROM (VALUES (regress.t(1), 'MCSA: Office 365'), (regress.t(2), 'mcsa_office_365'),
             (regress.t(1), 'MCSA-Office365')) v(p, c);
SELECT cp_qualified_individuals(p, c) AS integer_persons
FROM (VALUES (1, 'MCSA: Office 365'), (2, 'exam 70-346'), (2, 'EXAM 70-347')) v(p, c);
SELECT regress.error_of($$SELECT cp_qualified_individuals(point(1, 2), '70-346')$$);

-- The support functions are only for aggregates.
SELECT regress.error_of($$SELECT cp_entitlements_trans(NULL::internal, 1, 'EXO', 'x', 1, false, '2026-01-01')$$);
SELECT regress.error_of($$SELECT cp_individuals_final(NULL::internal)$$);

-- As a running window aggregate: each row's result is that of the rows up
-- to it (the state is compacted, not consumed, by every result).
SELECT count(*) AS window_differences FROM (
    SELECT i, cp_active_entitlements(i % 40, 'EXO', 'E' || (i % 3), i % 17, false, date '2026-01-01' + i % 9)
               OVER (ORDER BY i) AS running
    FROM generate_series(1, 1000) i) w
WHERE running <> (SELECT cp_active_entitlements(j % 40, 'EXO', 'E' || (j % 3), j % 17, false, date '2026-01-01' + j % 9)
                  FROM generate_series(1, w.i) j);
