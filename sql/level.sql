-- cp_level and the threshold functions: every threshold +-1 in each market.

SELECT m AS market, e AS entitlements, q AS individuals, cp_level(m, e, q) AS level
FROM unnest(ARRAY['developed', 'developing']::cp_market[]) m,
     unnest(ARRAY[0, 999, 1000, 1999, 2000, 3999, 4000, 9223372036854775807]::bigint[]) e,
     unnest(ARRAY[0, 1, 2, 3]) q
WHERE q <= 2 OR e = 4000
ORDER BY m, e, q;

-- NULL in, NULL out; negative figures are 22023.
SELECT cp_level(NULL, 5000, 2) AS null_market,
       cp_level('developed', NULL, 2) AS null_entitlements,
       cp_level('developed', 5000, NULL) AS null_individuals;
SELECT regress.error_of($$SELECT cp_level('developed', -1, 0)$$);
SELECT regress.error_of($$SELECT cp_level('developing', 0, -1)$$);
SELECT regress.error_of($$SELECT cp_level('emerging', 0, 0)$$);

-- Thresholds and the next level.
SELECT l AS level, cp_next_level(l) AS next_level,
       cp_required_entitlements(l, 'developed') AS developed,
       cp_required_entitlements(l, 'developing') AS developing,
       cp_required_individuals(l) AS individuals
FROM unnest(enum_range(NULL::competency_level)) l;
SELECT cp_next_level(NULL) AS next_of_null;

-- Immutable and parallel safe, so usable in indexes and parallel plans (the
-- forms under a named rule set read it: stable).
SELECT p.proname, p.provolatile, p.proparallel, p.proisstrict
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE p.proname IN ('cp_level', 'cp_next_level', 'cp_required_entitlements',
                    'cp_required_individuals')
ORDER BY 1, 2;
