-- Partial aggregation: parallel workers (serialize, deserialize, combine),
-- sorted and hashed grouping, partitionwise aggregation.  Every plan must give
-- the serial answer, and EXPLAIN shows the partial aggregate is really used.

-- Flat rows with keys of several types; some groups only have rows that are
-- skipped (trial), so some partial states are empty.
SELECT setseed(0.42);
CREATE TABLE regress.flat AS
SELECT g % 97 AS grp,
       t AS tenant_i,
       'tenant-' || t AS tenant_t,
       regress.t(t) AS tenant_u,
       (ARRAY['EXO', 'Exchange Online', 'SPO', 'SharePoint', 'Yammer', 'SfB',
              'ProPlus', 'Teams', 'office 365 proplus'])[1 + (random() * 8)::int] AS workload,
       (ARRAY['E1', 'E3', 'E5', 'e3'])[1 + (random() * 3)::int] AS sku,
       (random() * 500)::bigint AS users,
       (g % 97 = 13 OR random() < 0.1) AS trial,
       date '2026-01-01' + (random() * 60)::int AS d,
       g % 41 AS person,
       (ARRAY['70-346', '70-347', 'MCSA: Office 365', 'exam 70-347', 'other'])[1 + (random() * 4)::int] AS credential
FROM generate_series(1, 60000) g, LATERAL (SELECT (g * 7919) % 5003 AS t) k;
ANALYZE regress.flat;

CREATE FUNCTION regress.answers(OUT grp int, OUT by_int bigint, OUT by_text bigint,
                                OUT by_uuid bigint, OUT people int)
RETURNS SETOF record LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT grp,
           cp_active_entitlements(tenant_i, workload, sku, users, trial, d),
           cp_active_entitlements(tenant_t, workload, sku, users, trial, d),
           cp_active_entitlements(tenant_u, workload, sku, users, trial, d),
           cp_qualified_individuals(person, credential)
    FROM regress.flat GROUP BY grp
$$;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE regress.serial AS SELECT * FROM regress.answers();
CREATE TABLE regress.serial_plain AS
SELECT cp_active_entitlements(tenant_u, workload, sku, users, trial, d) AS n,
       cp_qualified_individuals(person, credential) AS people
FROM regress.flat;
SELECT count(*) AS groups, sum(by_int) = sum(by_text) AND sum(by_int) = sum(by_uuid) AS keys_agree,
       count(*) FILTER (WHERE by_int = 0) AS empty_groups
FROM regress.serial;

-- Parallel: partial aggregates in two workers, states serialized to the leader.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

SET enable_hashagg = off;     -- sorted grouping
SELECT regress.plan_has('SELECT * FROM regress.answers()', 'Partial GroupAggregate') AS partial_sorted,
       regress.plan_has('SELECT * FROM regress.answers()', 'Workers Planned: 2') AS two_workers;
SELECT count(*) AS differences FROM (
    (SELECT * FROM regress.answers() EXCEPT ALL SELECT * FROM regress.serial)
    UNION ALL
    (SELECT * FROM regress.serial EXCEPT ALL SELECT * FROM regress.answers())) d;

RESET enable_hashagg;
SET enable_sort = off;        -- hashed grouping
SELECT regress.plan_has('SELECT * FROM regress.answers()', 'Partial HashAggregate') AS partial_hashed;
SELECT count(*) AS differences FROM (
    (SELECT * FROM regress.answers() EXCEPT ALL SELECT * FROM regress.serial)
    UNION ALL
    (SELECT * FROM regress.serial EXCEPT ALL SELECT * FROM regress.answers())) d;
RESET enable_sort;

-- Without GROUP BY: one state per worker, combined in the leader.
SELECT regress.plan_has($$SELECT cp_active_entitlements(tenant_u, workload, sku, users, trial, d)
                          FROM regress.flat$$, 'Partial Aggregate') AS partial_plain;
SELECT count(*) AS differences FROM (
    SELECT cp_active_entitlements(tenant_u, workload, sku, users, trial, d) AS n,
           cp_qualified_individuals(person, credential) AS people
    FROM regress.flat
    EXCEPT SELECT * FROM regress.serial_plain) d;
-- One parallel worker can see only skipped rows: its state is empty.
SELECT cp_active_entitlements(tenant_u, workload, sku, users, trial, d) AS only_trials
FROM regress.flat WHERE trial;

-- A key type without binary send/receive (aclitem) travels in its text
-- form, and text keys as their bytes, whatever the client's encoding: the
-- same query gives the same answer in every plan.
CREATE TABLE regress.odd_keys AS
SELECT g % 5 AS grp,
       makeaclitem(10, 10, (ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'])[1 + g % 4], g % 2 = 0) AS acl,
       (ARRAY['日本', 'Zürich', 'Ελλάδα', 'plain'])[1 + g % 4] || (g % 50) AS word,
       'EXO' AS workload, 'E' || (g % 3) AS sku, (g % 97)::bigint AS users,
       date '2026-01-01' + g % 20 AS d, (ARRAY['MCSA: Office 365', '70-346'])[1 + g % 2] AS credential
FROM generate_series(1, 20000) g;
ANALYZE regress.odd_keys;
CREATE FUNCTION regress.odd_answers(OUT grp int, OUT by_acl bigint, OUT by_word bigint,
                                    OUT people_acl int, OUT people_word int)
RETURNS SETOF record LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT grp,
           cp_active_entitlements(acl, workload, sku, users, false, d),
           cp_active_entitlements(word, workload, sku, users, false, d),
           cp_qualified_individuals(acl, credential),
           cp_qualified_individuals(word, credential)
    FROM regress.odd_keys GROUP BY grp
$$;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE regress.odd_serial AS SELECT * FROM regress.odd_answers();
SET max_parallel_workers_per_gather = 2;
SELECT regress.plan_has('SELECT * FROM regress.odd_answers()', 'Partial .*Aggregate') AS odd_partial;
SELECT count(*) AS differences FROM (
    (SELECT * FROM regress.odd_answers() EXCEPT ALL SELECT * FROM regress.odd_serial)
    UNION ALL
    (SELECT * FROM regress.odd_serial EXCEPT ALL SELECT * FROM regress.odd_answers())) d;
SET client_encoding = 'LATIN1';
SELECT count(*) AS differences_in_latin1 FROM (
    (SELECT * FROM regress.odd_answers() EXCEPT ALL SELECT * FROM regress.odd_serial)
    UNION ALL
    (SELECT * FROM regress.odd_serial EXCEPT ALL SELECT * FROM regress.odd_answers())) d;
RESET client_encoding;
DROP TABLE regress.odd_keys, regress.odd_serial;
DROP FUNCTION regress.odd_answers();

-- cp_evaluate itself runs in parallel and agrees with the serial plan.
SELECT regress.reset();
INSERT INTO cp_partner SELECT p, 'p' || p, (ARRAY['developed', 'developing']::cp_market[])[1 + p % 2]
FROM generate_series(0, 96) p;
INSERT INTO cp_association
SELECT DISTINCT grp, tenant_u, 'delegated_admin'::cp_association_kind, date '2025-01-01', NULL::date
FROM regress.flat;
INSERT INTO cp_usage SELECT tenant_u, workload, sku, trial, users, d FROM regress.flat;
INSERT INTO cp_person SELECT DISTINCT person + 1000 * grp, grp FROM regress.flat WHERE grp > 0;
INSERT INTO cp_credential SELECT person + 1000 * grp, credential, date '2020-01-01', NULL
FROM regress.flat WHERE grp > 0;
ANALYZE cp_partner, cp_association, cp_usage, cp_person, cp_credential;
SELECT regress.plan_has($$SELECT * FROM cp_evaluate('2026-02-01')$$, 'Partial .*Aggregate') AS evaluate_partial;
CREATE TABLE regress.parallel_eval AS SELECT * FROM cp_evaluate('2026-02-01');
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS differences FROM (
    (SELECT * FROM cp_evaluate('2026-02-01') EXCEPT ALL SELECT * FROM regress.parallel_eval)
    UNION ALL
    (SELECT * FROM regress.parallel_eval EXCEPT ALL SELECT * FROM cp_evaluate('2026-02-01'))) d;
SELECT level, count(*) FROM regress.parallel_eval GROUP BY level ORDER BY level;

-- Partitionwise: partial states per partition, combined without serializing.
RESET ALL;
CREATE TABLE regress.parts (LIKE regress.flat) PARTITION BY HASH (tenant_i);
CREATE TABLE regress.parts_0 PARTITION OF regress.parts FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE regress.parts_1 PARTITION OF regress.parts FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE regress.parts_2 PARTITION OF regress.parts FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO regress.parts SELECT * FROM regress.flat;
ANALYZE regress.parts;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT regress.plan_has($$SELECT grp, cp_active_entitlements(tenant_i, workload, sku, users, trial, d)
                          FROM regress.parts GROUP BY grp$$, 'Partial HashAggregate|Partial GroupAggregate') AS partial_per_partition;
SELECT count(*) AS differences FROM (
    SELECT grp, cp_active_entitlements(tenant_i, workload, sku, users, trial, d) AS n
    FROM regress.parts GROUP BY grp
    EXCEPT ALL SELECT grp, by_int FROM regress.serial) d;
RESET ALL;

DROP TABLE regress.flat, regress.serial, regress.serial_plain, regress.parallel_eval, regress.parts;
DROP FUNCTION regress.answers();
SELECT regress.reset();
