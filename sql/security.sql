-- Security: each hole an outside audit found, tried as the
-- attacker would, with the role model of the README.  (Hijacking the install
-- and upgrade scripts is TAP test 007_hijack; PGOPTIONS and logins of other
-- roles are TAP test 008_security; a loader's stalled transaction is the
-- isolation test stage_lock.)
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', '2020-01-01', NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '2020-01-01', NULL);

CREATE ROLE sec_loader NOLOGIN;
CREATE ROLE sec_loader2 NOLOGIN;
GRANT INSERT ON cp_usage TO sec_loader, sec_loader2;
GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage TO sec_loader, sec_loader2;
GRANT SELECT ON cp_partner_center_reject TO sec_loader, sec_loader2;
GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_staging_role(),
                          cp_flagging_date(), cp_flagging_active()
    TO sec_loader, sec_loader2;
-- an administrator as an over-generous superuser might make one
CREATE ROLE sec_admin NOLOGIN;
GRANT ALL ON ALL TABLES IN SCHEMA public TO sec_admin;
GRANT EXECUTE ON FUNCTION cp_refresh_levels(date), cp_flagging_date(), cp_flagging_active() TO sec_admin;
GRANT SET ON PARAMETER competency.flagging TO sec_admin;
CREATE SCHEMA sec_admin_schema AUTHORIZATION sec_admin;
GRANT USAGE ON SCHEMA regress TO sec_loader, sec_loader2, sec_admin;

-------------------------------------------------------------------------------
-- GRANT ALL on the extension's tables gives no superuser rights: no role
-- but a superuser creates triggers on them, and flagging refuses to write a
-- table while a trigger whose function a non-superuser owns is on it.
-------------------------------------------------------------------------------
SET ROLE sec_admin;
CREATE FUNCTION sec_admin_schema.escalate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    ALTER ROLE sec_admin SUPERUSER;
    RETURN NULL;
END
$$;
SELECT regress.error_of($$CREATE TRIGGER escalate AFTER INSERT ON cp_partner_level
    FOR EACH ROW EXECUTE FUNCTION sec_admin_schema.escalate()$$);
SELECT regress.error_of($$CREATE TRIGGER escalate AFTER INSERT ON cp_level_change
    FOR EACH STATEMENT EXECUTE FUNCTION sec_admin_schema.escalate()$$);
-- cascades from cp_partner write cp_association with its owner's rights
SELECT regress.error_of($$CREATE TRIGGER escalate AFTER DELETE ON cp_association
    FOR EACH ROW EXECUTE FUNCTION sec_admin_schema.escalate()$$);
SELECT regress.error_of($$CREATE CONSTRAINT TRIGGER escalate AFTER UPDATE ON cp_partner_level
    FOR EACH ROW EXECUTE FUNCTION sec_admin_schema.escalate()$$);
-- GRANT ALL gave it REFERENCES, with which a foreign key of its own would be
-- checked with a superuser's rights (TAP test 008_privileges): it may create
-- and alter no table while it holds it ...
SELECT regress.error_of($$CREATE TABLE sec_admin_schema.mine (x int)$$);
SELECT regress.error_of($$CREATE TEMP TABLE scratch (x int)$$);
RESET ROLE;
REVOKE REFERENCES ON ALL TABLES IN SCHEMA public FROM sec_admin;
SET ROLE sec_admin;
-- ... and without it, its own tables are its own business
CREATE TABLE sec_admin_schema.mine (x int);
CREATE TRIGGER fine AFTER INSERT ON sec_admin_schema.mine
    FOR EACH ROW EXECUTE FUNCTION sec_admin_schema.escalate();
DROP TABLE sec_admin_schema.mine;
SELECT regress.error_of($$CREATE TABLE sec_admin_schema.mine (p bigint REFERENCES cp_partner)$$);
RESET ROLE;
SELECT count(*) AS admin_triggers FROM pg_trigger
WHERE tgname = 'escalate';
-- A superuser who attaches the administrator's function to one of the
-- extension's tables makes flagging refuse, before the function can run
-- (in flagging's own writes).
CREATE TRIGGER escalate AFTER INSERT OR UPDATE ON cp_partner_level
    FOR EACH ROW EXECUTE FUNCTION sec_admin_schema.escalate();
SET ROLE sec_admin;
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, CURRENT_DATE)$$);
SELECT regress.error_of($$SELECT cp_refresh_levels()$$);
RESET ROLE;
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = 'sec_admin';
DROP TRIGGER escalate ON cp_partner_level;
CREATE TRIGGER escalate AFTER INSERT ON cp_membership
    FOR EACH STATEMENT EXECUTE FUNCTION sec_admin_schema.escalate();
SELECT regress.error_of($$INSERT INTO cp_credential VALUES (1, '70-346', '2020-01-01', NULL)$$);
DROP TRIGGER escalate ON cp_membership;
-- Triggers whose functions a superuser owns are the superuser's to add.
CREATE FUNCTION regress.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'audited % on %', TG_OP, TG_TABLE_NAME;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT ON cp_level_change
    FOR EACH STATEMENT EXECUTE FUNCTION regress.audit();
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, cp_flagging_date());
DROP TRIGGER audit ON cp_level_change;
SELECT partner_id, old_level, new_level FROM cp_level_change ORDER BY change_id;

-------------------------------------------------------------------------------
-- Flagging's "today" and usage window are competency.flagging_time_zone's
-- and competency.flagging_window's, which only a superuser (or a role
-- granted SET) can change: not the loader's session.
-------------------------------------------------------------------------------
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', '2020-01-01', NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '2020-01-01', NULL);
SELECT name, boot_val, context FROM pg_settings
WHERE name IN ('competency.flagging_window', 'competency.flagging_time_zone', 'competency.flagging')
ORDER BY name;
SET competency.flagging_time_zone = 'UTC';
SELECT cp_flagging_window() AS flagging_window,
       cp_flagging_date() = (now() AT TIME ZONE 'UTC')::date AS flagging_date_is_utc_today;
SET ROLE sec_loader;
SELECT regress.error_of($$SET competency.flagging_window = '366d'$$);
SELECT regress.error_of($$SET competency.flagging_time_zone = 'Pacific/Kiritimati'$$);
SELECT regress.error_of($$SET competency.flagging = off$$);
SELECT regress.error_of($$ALTER ROLE sec_loader SET competency.flagging_window = '366d'$$);
SELECT regress.error_of($$ALTER ROLE sec_loader SET competency.flagging = off$$);
-- The loader's own window makes a measurement 100 days old current for its
-- session, and its time zone puts its "today" a week ahead; neither moves
-- what flagging stores.
SET competency.usage_window = '366d';
SET timezone = '<+167>-167';
SELECT CURRENT_DATE - cp_flagging_date() BETWEEN 6 AND 7 AS session_a_week_ahead;
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, cp_flagging_date() - 100),
                            (regress.t(1), 'SPO', 'E3', false, 2600, CURRENT_DATE);
RESET timezone;
RESET competency.usage_window;
RESET ROLE;
SELECT count(*) AS changes FROM cp_level_change;
SELECT level, active_entitlements FROM cp_partner_level;
SELECT level FROM cp_evaluate(cp_flagging_date());
RESET competency.flagging_time_zone;
-- A role granted SET on them, or a superuser, changes them for flagging.
SET competency.flagging_window = '366d';
SELECT cp_refresh_levels() AS changes_with_366_days;
SELECT level, active_entitlements FROM cp_partner_level;
RESET competency.flagging_window;
SELECT cp_refresh_levels() AS changes_back;
-- Refresh as of another date stores that date's levels (until the next
-- refresh or change).
SELECT cp_refresh_levels(cp_flagging_date() + 10) AS changes_ten_days_on;
SELECT regress.error_of($$SELECT cp_refresh_levels(NULL)$$);
SELECT cp_refresh_levels() AS changes_today;
SET competency.flagging_time_zone = 'Europe/Paris';
SELECT cp_flagging_date() = (now() AT TIME ZONE 'Europe/Paris')::date AS paris_today;
SELECT regress.error_of($$SET competency.flagging_time_zone = 'Mars/Olympus_Mons'$$);
RESET competency.flagging_time_zone;

-------------------------------------------------------------------------------
-- Posing as a restore pauses flagging only for roles that may pause it.
-------------------------------------------------------------------------------
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', '2020-01-01', NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '2020-01-01', NULL);
SET ROLE sec_loader;
SET application_name = 'pg_restore';
SELECT cp_flagging_active() AS loader_posing_as_pg_restore_flags;
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2500, cp_flagging_date());
RESET application_name;
SET check_function_bodies = off;
SET row_security = off;
SELECT cp_flagging_active() AS loader_posing_as_a_dump_script_flags;
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 4500, cp_flagging_date());
RESET check_function_bodies;
RESET row_security;
RESET ROLE;
SELECT old_level, new_level FROM cp_level_change ORDER BY change_id;
-- the administrator, granted SET on competency.flagging, is taken for a restore
SET ROLE sec_admin;
SET application_name = 'pg_restore';
SELECT cp_flagging_active() AS admin_restoring_flags;
RESET application_name;
SELECT cp_flagging_active() AS admin_otherwise_flags;
RESET ROLE;

-------------------------------------------------------------------------------
-- Notifications carry the change's number only (the isolation test
-- flag_notify shows the payloads); a listener reads the row with its rights.
-------------------------------------------------------------------------------
SELECT p.proname, p.prosrc ~ 'jsonb_build_object\(''change_id'', l\.change_id\)::pg_catalog\.text'
                  AND p.prosrc !~ 'jsonb_build_object\(''change_id'', [^)]*,' AS payload_is_change_id_only
FROM pg_proc p WHERE p.proname IN ('cp_log_levels', 'cp_log_statuses') ORDER BY 1;
SELECT count(*) AS other_notifiers
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE p.prosrc ~ 'pg_notify' AND p.proname NOT IN ('cp_log_levels', 'cp_log_statuses');

-------------------------------------------------------------------------------
-- Loaders share no staged rows: each sees, loads and removes only its own.
-- COPY into the staging view works as into the table it was, with or
-- without a column list.
-------------------------------------------------------------------------------
SELECT regress.reset();
SET ROLE sec_loader;
COPY cp_partner_center_usage FROM STDIN (FORMAT csv, HEADER match);
customerTenantId,customerName,workloadCode,workloadName,serviceCode,serviceName,channel,productId,productName,licensesActive,licensesQualified,processedDateTime
00000000-0000-0000-0000-000000000001,Contoso,EXO,Exchange Online,,,,E3,Office 365 E3,120,120,2026-11-20T10:00:00Z
00000000-0000-0000-0000-000000000002,Fabrikam,SPO,SharePoint Online,,,,E3,Office 365 E3,80,80,2026-11-20T10:00:00Z
\.
COPY cp_partner_center_usage FROM STDIN (FORMAT csv);
00000000-0000-0000-0000-000000000003,Adatum,EXO,,,,,E1,Office 365 E1,not-a-number,,2026-11-20
\.
SELECT "customerName" FROM cp_partner_center_usage ORDER BY 1;
RESET ROLE;
SET ROLE sec_loader2;
SELECT count(*) AS others_rows_seen FROM cp_partner_center_usage;
DELETE FROM cp_partner_center_usage;
INSERT INTO cp_partner_center_usage ("customerTenantId", "customerName", "workloadCode", "productId",
                                     "licensesActive", "processedDateTime")
VALUES ('00000000-0000-0000-0000-000000000004', 'Litware', 'EXO', 'E3', '7', '2026-11-21');
SELECT regress.error_of($$INSERT INTO cp_partner_center_usage (staged_by) VALUES ('sec_loader')$$);
SELECT regress.error_of($$SELECT * FROM cp_partner_center_staged$$);
SELECT regress.error_of($$DELETE FROM cp_partner_center_staged$$);
SELECT * FROM cp_load_partner_center_usage();
RESET ROLE;
SELECT staged_by, count(*) FROM cp_partner_center_staged GROUP BY 1 ORDER BY 1;
SET ROLE sec_loader;
SELECT * FROM cp_load_partner_center_usage();
-- each loader reads its own reject rows only, and writes none itself
SELECT "customerName", reason, staged_by FROM cp_partner_center_reject;
SELECT regress.error_of($$INSERT INTO cp_partner_center_reject (reason, staged_by) VALUES ('forged', 'sec_loader2')$$);
SELECT regress.error_of($$UPDATE cp_partner_center_reject SET reason = 'forged'$$);
RESET ROLE;
SET ROLE sec_loader2;
SELECT count(*) AS rejects_of_others_seen FROM cp_partner_center_reject;
RESET ROLE;
-- a loader that still holds 1.4's INSERT on the reject table forges none
GRANT INSERT, UPDATE ON cp_partner_center_reject TO sec_loader2;
SET ROLE sec_loader2;
SELECT regress.error_of($$INSERT INTO cp_partner_center_reject (reason, staged_by) VALUES ('forged', 'sec_loader')$$);
SELECT regress.error_of($$INSERT INTO cp_partner_center_reject (reason, staged_by) VALUES ('forged', 'sec_loader2')$$);
UPDATE cp_partner_center_reject SET reason = 'forged';
RESET ROLE;
SELECT count(*) AS forged FROM cp_partner_center_reject WHERE reason = 'forged';
REVOKE INSERT, UPDATE ON cp_partner_center_reject FROM sec_loader2;
SELECT tenant_id, workload, active_users FROM cp_usage ORDER BY 1;
SELECT "customerName", reason, staged_by FROM cp_partner_center_reject ORDER BY 1;
SELECT count(*) AS still_staged FROM cp_partner_center_staged;

-- Workload and SKU hold at most 256 bytes; the import says too long.
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (regress.t(1), repeat('x', 257), 'E3', false, 1, '2026-01-01')$$);
SELECT regress.error_of($$INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', repeat('é', 129), false, 1, '2026-01-01')$$);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', repeat('y', 256), false, 1, '2026-01-01');
TRUNCATE cp_partner_center_reject;
INSERT INTO cp_partner_center_usage ("customerTenantId", "customerName", "workloadCode", "productId",
                                     "licensesActive", "processedDateTime") VALUES
    ('00000000-0000-0000-0000-000000000005', 'long SKU', 'EXO', repeat('s', 257), '1', '2026-11-21'),
    ('00000000-0000-0000-0000-000000000005', 'long workload', repeat('w', 300), 'E3', '1', '2026-11-21'),
    ('not a tenant', 'bad tenant first', repeat('w', 300), 'E3', '1', '2026-11-21'),
    ('00000000-0000-0000-0000-000000000005', 'too long before bad number', 'EXO', repeat('s', 257), 'x', '2026-11-21'),
    ('00000000-0000-0000-0000-000000000005', 'just fits', 'EXO', repeat('s', 256), '1', '2026-11-21');
SELECT * FROM cp_load_partner_center_usage();
SELECT "customerName", reason FROM cp_partner_center_reject ORDER BY 1;

-------------------------------------------------------------------------------
-- Every function that reads tables pins its search_path, or is an
-- inlinable SQL function (LANGUAGE sql, no SET, not SECURITY DEFINER, not
-- STRICT) whose every name is qualified, types and operators included -- TAP test 007 calls them under a
-- search_path that puts a schema of planted objects first; every SECURITY
-- DEFINER function pins it and is closed to PUBLIC.
-------------------------------------------------------------------------------
SELECT p.oid::regprocedure AS unpinned_but_not_inlinable
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE l.lanname <> 'c' AND p.prokind = 'f'
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
  AND p.provolatile <> 'i'     -- an immutable function reads no table
  AND (l.lanname <> 'sql' OR p.prosecdef OR p.proconfig IS NOT NULL OR p.proisstrict);
SELECT p.oid::regprocedure AS unpinned, l.lanname
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE l.lanname <> 'c' AND p.prokind = 'f'
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
ORDER BY 1;
SELECT p.oid::regprocedure AS definer, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE p.prosecdef
  AND (has_function_privilege('public', p.oid, 'EXECUTE')
       OR NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp'));

REVOKE ALL ON SCHEMA regress FROM sec_loader, sec_loader2, sec_admin;
DROP SCHEMA sec_admin_schema CASCADE;
DROP OWNED BY sec_loader, sec_loader2, sec_admin;
DROP ROLE sec_loader, sec_loader2, sec_admin;
TRUNCATE cp_partner_center_staged, cp_partner_center_reject;
SELECT regress.reset();
