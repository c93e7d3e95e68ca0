-- Shapes of input that take cp_active_entitlements down its rarer paths,
-- each checked against the rules in plain SQL: a tenant of many SKUs (more
-- than the state keeps for the current tenant), tenants whose rows come
-- apart (a record per row), a group large enough to be compacted more than
-- once, keys whose hashes collide, keys equal under a collation but not
-- byte for byte, partial states collected from many partitions, and the
-- aggregate as a window function over a growing frame.
SELECT setseed(0.42);

CREATE TEMP TABLE r (
    g int, tenant bigint, workload text, sku text, users bigint, trial boolean, d date
);

-- The rules' steps 2 to 7 in SQL, per group.
CREATE FUNCTION pg_temp.ref() RETURNS TABLE (g int, n bigint) LANGUAGE sql AS $$
SELECT g, coalesce(sum(top), 0)::bigint FROM (
    SELECT g, tenant, max(s) AS top FROM (
        SELECT g, tenant, w, sum(users) AS s FROM (
            SELECT DISTINCT ON (g, tenant, cp_workload(workload), sku)
                   g, tenant, cp_workload(workload) AS w, users
            FROM r WHERE NOT trial AND cp_workload(workload) IS NOT NULL
            ORDER BY g, tenant, cp_workload(workload), sku, d DESC, users DESC) x
        GROUP BY g, tenant, w) y
    GROUP BY g, tenant) z
GROUP BY g
$$;
CREATE FUNCTION pg_temp.differences() RETURNS bigint LANGUAGE sql AS $$
SELECT count(*) FROM (
    (SELECT g, cp_active_entitlements(tenant, workload, sku, users, trial, d) FROM r GROUP BY g
     EXCEPT SELECT * FROM pg_temp.ref())
    UNION ALL
    (SELECT * FROM pg_temp.ref()
     EXCEPT SELECT g, cp_active_entitlements(tenant, workload, sku, users, trial, d) FROM r GROUP BY g)) x
$$;

-- One tenant with 40 (workload, SKU) pairs, each measured on several dates
-- and repeated, in an order that revisits every pair.
INSERT INTO r
SELECT 1, 7, (ARRAY['EXO', 'SPO', 'SfB', 'Yammer', 'ProPlus'])[1 + s % 5], 'SKU-' || s,
       (random() * 100)::int, random() < 0.1, date '2026-01-01' + (random() * 20)::int
FROM generate_series(1, 40) s, generate_series(1, 6) rep
ORDER BY rep, s;
SELECT pg_temp.differences() AS many_skus;

-- 300 tenants whose rows alternate: every row starts a record, and a
-- tenant's records meet only when the group is finished.
INSERT INTO r
SELECT 2, t, (ARRAY['EXO', 'SharePoint', 'Teams', 'ProPlus'])[1 + (t + k) % 4], 'E' || (k % 3),
       (random() * 500)::int, random() < 0.05, date '2026-01-01' + (random() * 30)::int
FROM generate_series(1, 300) t, generate_series(1, 12) k
ORDER BY k, t;
SELECT pg_temp.differences() AS interleaved;

-- 180,000 rows in one group, 6,000 distinct (tenant, workload, SKU): the
-- state compacts what it has logged (every 65,536 slots) more than once.
INSERT INTO r
SELECT 3, t, (ARRAY['EXO', 'SPO', 'ProPlus'])[1 + w], 'E3', (t * 7 + day) % 1000, false,
       date '2026-01-01' + day
FROM generate_series(1, 2000) t, generate_series(0, 2) w, generate_series(0, 29) day
ORDER BY day, t, w;
SELECT pg_temp.differences() AS compacted;

-- Keys with equal 32-bit hashes (these two bigints collide for the mixer
-- the aggregate uses on 64-bit machines; elsewhere they are just two keys),
-- their rows interleaved, among others.
INSERT INTO r
SELECT 4, k, 'EXO', 'E' || (i % 2), 10 * i + k % 7, false, date '2026-01-01' + i
FROM unnest(ARRAY[16091, 94704, 15919, 136418, 5]::bigint[]) k, generate_series(1, 9) i
ORDER BY i, k;
SELECT pg_temp.differences() AS colliding_keys;

-- Keys equal under a nondeterministic collation, in records of their own.
CREATE COLLATION pg_temp.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT cp_active_entitlements(k COLLATE pg_temp.ci, 'EXO', 'E' || i % 2, u, false, date '2026-01-01' + i)
           AS case_insensitive_records
FROM (VALUES ('abc', 1, 5), ('XYZ', 1, 7), ('ABC', 2, 11), ('xyz', 2, 13), ('Abc', 3, 17),
             ('aBc', 2, 1), ('xYz', 4, 19)) v(k, i, u);
-- 'abc': E1 latest on day 3 = 17, E0 on day 2 = 11 -> 28; 'xyz': E1 7, E0 on day 4 = 19 -> 26

-- All of it as one group, from 12 partitions aggregated by parallel
-- workers: more partial states for the group than the state collects
-- before it merges them.
CREATE TABLE regress.shape_parts (LIKE r) PARTITION BY LIST (g);
DO $$
BEGIN
    FOR p IN 0..11 LOOP
        EXECUTE format('CREATE TABLE regress.shape_parts_%s PARTITION OF regress.shape_parts FOR VALUES IN (%s)', p, p);
    END LOOP;
END $$;
INSERT INTO regress.shape_parts SELECT (tenant % 12)::int, tenant, workload, sku, users, trial, d FROM r;
ANALYZE regress.shape_parts;
SET enable_partitionwise_aggregate = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT regress.plan_has($$SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d)
                          FROM regress.shape_parts$$, 'Parallel Append')
   AND regress.plan_has($$SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d)
                          FROM regress.shape_parts$$, 'Partial Aggregate') AS partial_per_partition_in_parallel;
SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d) =
       (SELECT sum(n) FROM (SELECT tenant, cp_active_entitlements(tenant, workload, sku, users, trial, d) AS n
                            FROM r GROUP BY tenant) t) AS one_group_of_partitions
FROM regress.shape_parts;
RESET ALL;
DROP TABLE regress.shape_parts;

-- A window over a growing frame: the final function runs again and again
-- while rows keep coming; every prefix agrees with a fresh aggregate.
CREATE TEMP TABLE w AS
SELECT row_number() OVER () AS i, tenant, workload, sku, users, trial, d
FROM (SELECT * FROM r WHERE g = 2 ORDER BY random() LIMIT 400) s;
SELECT count(*) AS prefixes_differing FROM (
    SELECT i, cp_active_entitlements(tenant, workload, sku, users, trial, d) OVER (ORDER BY i) AS running
    FROM w) x
WHERE running <> (SELECT cp_active_entitlements(tenant, workload, sku, users, trial, d)
                  FROM w w2 WHERE w2.i <= x.i);

-- In parallel, with keys of other sizes: serialized states of workers that
-- compacted (400,000 rows in one group, in no order: every row a record),
-- and fixed-size keys smaller than a uuid (macaddr) carried in states.
CREATE TABLE regress.shape_flat AS
SELECT g, md5(t::text)::uuid AS tu, ('08:00:2b:01:02:' || lpad(to_hex(t % 256), 2, '0'))::macaddr AS tm,
       t, workload, sku, users, trial, d
FROM (SELECT 1 AS g, t, (ARRAY['EXO', 'SPO', 'ProPlus', 'Teams'])[1 + k % 4] AS workload,
             'E' || (k % 5) AS sku, ((t * 13 + k * 7) % 900)::bigint AS users, k % 17 = 0 AS trial,
             date '2026-01-01' + (k * 11 + t) % 40 AS d
      FROM generate_series(1, 4000) t, generate_series(1, 100) k) s
ORDER BY random();
ANALYZE regress.shape_flat;
CREATE TABLE regress.shape_serial AS
SELECT cp_active_entitlements(tu, workload, sku, users, trial, d) AS by_uuid,
       cp_active_entitlements(tm, workload, sku, users, trial, d) AS by_macaddr
FROM regress.shape_flat;
SELECT by_uuid = (SELECT sum(n) FROM (SELECT t, cp_active_entitlements(t, workload, sku, users, trial, d) AS n
                                      FROM regress.shape_flat GROUP BY t) s) AS uuid_serial_right
FROM regress.shape_serial;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT regress.plan_has($$SELECT cp_active_entitlements(tu, workload, sku, users, trial, d)
                          FROM regress.shape_flat$$, 'Workers Planned: 2') AS parallel_plan;
SELECT (SELECT cp_active_entitlements(tu, workload, sku, users, trial, d) FROM regress.shape_flat) = by_uuid
           AS uuid_parallel_same,
       (SELECT cp_active_entitlements(tm, workload, sku, users, trial, d) FROM regress.shape_flat) = by_macaddr
           AS macaddr_parallel_same
FROM regress.shape_serial;
RESET ALL;
DROP TABLE regress.shape_flat, regress.shape_serial;
