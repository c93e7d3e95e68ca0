-- The data model: columns, constraints with their SQLSTATEs, duplicates
-- accepted as delivered, cascades, dump registration, privileges.
SELECT regress.reset();

SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'cp\_%'
ORDER BY c.relname, a.attnum;

INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing');
INSERT INTO cp_person VALUES (10, 1, 'Ann');

-- Bad rows are rejected with the standard SQLSTATEs and leave no trace.
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (gen_random_uuid(), 'EXO', 'E3', false, -1, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (gen_random_uuid(), NULL, 'E3', false, 1, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (gen_random_uuid(), 'EXO', 'E3', NULL, 1, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_usage VALUES ('not-a-uuid', 'EXO', 'E3', false, 1, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (gen_random_uuid(), 'EXO', 'E3', false, 3000000000, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_association VALUES (1, gen_random_uuid(), 'delegated_admin', '2026-01-01', '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_association VALUES (1, gen_random_uuid(), 'delegated_admin', '2026-01-02', '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_association VALUES (1, gen_random_uuid(), 'reseller', '2026-01-01', NULL)$$);
SELECT regress.error_of($$INSERT INTO cp_association VALUES (3, gen_random_uuid(), 'delegated_admin', '2026-01-01', NULL)$$);
SELECT regress.error_of($$INSERT INTO cp_association VALUES (1, gen_random_uuid(), 'delegated_admin', NULL, NULL)$$);
SELECT regress.error_of($$INSERT INTO cp_partner VALUES (1, 'again', 'developed')$$);
SELECT regress.error_of($$INSERT INTO cp_partner VALUES (3, NULL, 'developed')$$);
SELECT regress.error_of($$INSERT INTO cp_partner VALUES (3, 'x', NULL)$$);
SELECT regress.error_of($$INSERT INTO cp_person VALUES (11, 99, 'Bob')$$);
SELECT regress.error_of($$INSERT INTO cp_credential VALUES (99, '70-346', '2026-01-01', NULL)$$);
SELECT regress.error_of($$INSERT INTO cp_credential VALUES (10, NULL, '2026-01-01', NULL)$$);
-- A multi-row statement with one bad row changes nothing.
SELECT regress.error_of($$INSERT INTO cp_usage VALUES
    ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 5, '2026-01-01'),
    ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, -5, '2026-01-01')$$);
SELECT count(*) AS usage_rows, (SELECT count(*) FROM cp_association) AS associations FROM cp_usage;

-- Data as delivered: duplicate and conflicting rows are accepted.
INSERT INTO cp_usage VALUES
    (regress.t(1), 'EXO', 'E3', false, 5, '2026-01-01'),
    (regress.t(1), 'EXO', 'E3', false, 5, '2026-01-01'),
    (regress.t(1), 'EXO', 'E3', false, 7, '2026-01-01');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', '2026-01-01', NULL),
    (1, regress.t(1), 'delegated_admin', '2026-01-01', NULL),
    (1, regress.t(1), 'transacting_partner', '2025-01-01', '2027-01-01');
INSERT INTO cp_credential VALUES (10, '70-346', '2026-01-01', NULL), (10, '70-346', '2026-01-01', NULL),
                                 (10, '70-346', '2026-01-01', '2025-01-01');
SELECT (SELECT count(*) FROM cp_usage) AS usage_rows,
       (SELECT count(*) FROM cp_association) AS associations,
       (SELECT count(*) FROM cp_credential) AS credentials;

-- Deleting a partner deletes its associations, people and their credentials;
-- renumbering it carries them along.
UPDATE cp_partner SET partner_id = 5 WHERE partner_id = 1;
SELECT (SELECT array_agg(DISTINCT partner_id) FROM cp_association) AS association_partners,
       (SELECT array_agg(partner_id) FROM cp_person) AS person_partners;
DELETE FROM cp_partner WHERE partner_id = 5;
SELECT (SELECT count(*) FROM cp_association) AS associations,
       (SELECT count(*) FROM cp_person) AS people,
       (SELECT count(*) FROM cp_credential) AS credentials,
       (SELECT count(*) FROM cp_usage) AS usage_rows_stay;

-- Every table and the change sequence is dumped with users' rows.
SELECT c.relname, c.relkind
FROM pg_extension x, unnest(x.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
WHERE x.extname = 'competency' ORDER BY 1;

-- PUBLIC has no access to the tables (partner and personal data).
SELECT c.relname, has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       has_table_privilege('public', c.oid, 'INSERT') AS public_insert
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE c.relkind IN ('r', 'S') ORDER BY 1;

SELECT regress.reset();
