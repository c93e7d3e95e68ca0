-- Partner Center import: \copy into the all-text staging table never fails on
-- a bad value; cp_load_partner_center_usage() moves every staged row into
-- cp_usage or, with a reason, into cp_partner_center_reject.
SELECT regress.reset();
DELETE FROM cp_partner_center_usage;
TRUNCATE cp_partner_center_reject;

SELECT attnum, attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'cp_partner_center_usage'::regclass AND attnum > 0 ORDER BY attnum;

-- The client reads the sample (the server may not be able to read the
-- checkout): psql's \copy, from the source directory.
\getenv abs_srcdir PG_ABS_SRCDIR
\cd :abs_srcdir
\copy cp_partner_center_usage FROM 'test/partner_center_sample.csv' (FORMAT csv, HEADER match)
SELECT count(*) AS staged FROM cp_partner_center_usage \gset
SELECT * FROM cp_load_partner_center_usage();
SELECT :staged AS staged, (SELECT count(*) FROM cp_usage) + (SELECT count(*) FROM cp_partner_center_reject)
         AS loaded_plus_rejected,
       (SELECT count(*) FROM cp_partner_center_usage) AS still_staged;

-- Loaded: workload from the code, else the name; SKU from productId; trial
-- when productName has the word "trial"; the UTC date of processedDateTime.
SELECT tenant_id, workload, sku, is_trial, active_users, measured_on FROM cp_usage
ORDER BY tenant_id, workload, sku;
-- Rejected, with the original values.
SELECT "customerName", "customerTenantId", "licensesActive", "processedDateTime", reason
FROM cp_partner_center_reject ORDER BY "customerName";

-- Loading again with nothing staged does nothing.
SELECT * FROM cp_load_partner_center_usage();

-- Values at the edges.
INSERT INTO cp_partner_center_usage ("customerTenantId", "workloadCode", "workloadName", "productId",
                                     "productName", "licensesActive", "processedDateTime") VALUES
    ('00000000-0000-0000-0000-0000000000a1', ' ', 'SharePoint Online', 'E3', NULL, '0', '2026-01-01'),
    ('000000000000000000000000000000a2', 'EXO', NULL, 'E3', 'trial', '+7', '2026-01-01T00:00:00.5'),
    ('{00000000-0000-0000-0000-0000000000a3}', 'EXO', NULL, 'E3', 'Trial-Version', '2147483647', '2026-06-30 23:59:59-01'),
    ('00000000-0000-0000-0000-0000000000a4', 'EXO', NULL, 'E3', 'E3 (TRIAL)', '2147483648', '2026-01-01'),
    ('00000000-0000-0000-0000-0000000000a5', 'EXO', NULL, 'E3', 'Non-trialled', '1.5', '2026-01-01'),
    ('00000000-0000-0000-0000-0000000000a6', 'EXO', NULL, 'E3', NULL, '5', 'yesterday-ish'),
    ('00000000-0000-0000-0000-0000000000a7', 'EXO', NULL, '', NULL, '5', '2026-01-01'),
    ('00000000-0000-0000-0000-0000000000a8x', 'EXO', NULL, 'E3', NULL, '5', '2026-01-01'),
    ('00000000-0000-0000-0000-0000000000a9', 'EXO', NULL, 'E3', NULL, '-0', '2026-01-01 10:00 Europe/Paris'),
    ('00000000-0000-0000-0000-0000000000aa', 'EXO', NULL, 'E3', 'O365_E5_TRIAL', '3', '2026-01-01'),
    ('00000000-0000-0000-0000-0000000000ab', 'EXO', NULL, 'E3', 'Trialware365', '4', '2026-01-01'),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM cp_load_partner_center_usage();
SELECT tenant_id, workload, is_trial, active_users, measured_on FROM cp_usage
WHERE tenant_id::text LIKE '00000000-0000-0000-0000-0000000000a%' ORDER BY 1;
SELECT "customerTenantId", "licensesActive", "processedDateTime", reason
FROM cp_partner_center_reject WHERE "customerName" IS NULL ORDER BY 1 NULLS LAST;

-- Dates read the same in every session: numeric dates month first whatever
-- DateStyle says, PostgreSQL's special words are not dates, and digits of a
-- second beyond microseconds are cut, not rounded into the next day.  Fields of
-- only ASCII whitespace (tabs, line breaks too) are blank; whitespace around
-- a value is trimmed.
TRUNCATE cp_partner_center_reject;
SET datestyle = 'ISO, DMY';
INSERT INTO cp_partner_center_usage ("customerTenantId", "workloadCode", "workloadName", "productId",
                                     "licensesActive", "processedDateTime") VALUES
    ('00000000-0000-0000-0000-0000000000b0', 'EXO', NULL, 'E3', '16', '2026-06-15T23:59:59.9999999Z'),
    ('00000000-0000-0000-0000-0000000000bc', 'EXO', NULL, 'E3', '17', '2026-06-15T23:59:59.9999999-00:30'),
    ('00000000-0000-0000-0000-0000000000b1', 'EXO', NULL, 'E3', '1', '03/04/2026'),
    ('00000000-0000-0000-0000-0000000000b2', 'EXO', NULL, 'E3', '2', '13/01/2026'),
    ('00000000-0000-0000-0000-0000000000b3', 'EXO', NULL, 'E3', '3', 'today'),
    ('00000000-0000-0000-0000-0000000000b4', 'EXO', NULL, 'E3', '4', 'now'),
    ('00000000-0000-0000-0000-0000000000b5', 'EXO', NULL, 'E3', '5', 'Yesterday'),
    ('00000000-0000-0000-0000-0000000000b6', 'EXO', NULL, 'E3', '6', 'tomorrow 10:00'),
    ('00000000-0000-0000-0000-0000000000b7', 'EXO', NULL, 'E3', '7', 'infinity'),
    ('00000000-0000-0000-0000-0000000000b8', 'EXO', NULL, 'E3', '8', '-infinity'),
    ('00000000-0000-0000-0000-0000000000b9', 'EXO', NULL, 'E3', '9', 'epoch'),
    ('00000000-0000-0000-0000-0000000000ba', E'\t', 'Yammer', 'E3', '10', '2026-02-01'),
    (E'\t00000000-0000-0000-0000-0000000000bb\r\n', E' EXO\t', NULL, E'\tE5 ', E'\f11\013', E'\n2026-02-01T10:00:00Z\t'),
    (E'\t\n', 'EXO', NULL, 'E3', '12', '2026-02-01'),
    ('00000000-0000-0000-0000-0000000000bd', 'EXO', NULL, E'\r\n', '13', '2026-02-01'),
    ('00000000-0000-0000-0000-0000000000be', 'EXO', NULL, 'E3', E'\t', '2026-02-01'),
    ('00000000-0000-0000-0000-0000000000bf', 'EXO', NULL, 'E3', '15', E'\013');
SELECT * FROM cp_load_partner_center_usage();
SELECT tenant_id, workload, sku, active_users, measured_on FROM cp_usage
WHERE tenant_id::text LIKE '00000000-0000-0000-0000-0000000000b%' ORDER BY 1;
SELECT to_json("customerTenantId")::text AS tenant, to_json("licensesActive")::text AS n,
       to_json("processedDateTime")::text AS processed, reason
FROM cp_partner_center_reject ORDER BY 1;
SHOW datestyle;
RESET datestyle;

-- Loads are flagged like any other write.
INSERT INTO cp_partner VALUES (1, 'Adatum partner', 'developing');
INSERT INTO cp_association VALUES (1, '00000000-0000-0000-0000-0000000000f1', 'delegated_admin', current_date - 1, NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', current_date - 1, NULL);
INSERT INTO cp_partner_center_usage ("customerTenantId", "workloadCode", "productId", "productName",
                                     "licensesActive", "processedDateTime")
VALUES ('00000000-0000-0000-0000-0000000000f1', 'EXO', 'E3', 'Office 365 E3', '1200', current_date::text);
SELECT * FROM cp_load_partner_center_usage();
SELECT partner_id, old_level, new_level, active_entitlements FROM cp_level_change;

-- A failure inside the load (here a trigger refusing rows) loses nothing.
CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'refused'; END $$;
CREATE TRIGGER refuse BEFORE INSERT ON cp_usage FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse();
INSERT INTO cp_partner_center_usage ("customerTenantId", "workloadCode", "productId", "licensesActive", "processedDateTime")
VALUES ('3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'EXO', 'E5', '1', '2026-01-01');
SELECT regress.error_of('SELECT * FROM cp_load_partner_center_usage()');
SELECT count(*) AS still_staged FROM cp_partner_center_usage;
DROP TRIGGER refuse ON cp_usage;

DELETE FROM cp_partner_center_usage;
TRUNCATE cp_partner_center_reject;
SELECT regress.reset();
