-- Least privilege: the role model of the README (reader, loader,
-- administrator) with exactly its GRANTs.  PUBLIC has nothing, functions
-- included; a reader evaluates but writes nothing; a loader's rows are
-- flagged but it can read no partner or personal data, writes memberships
-- and reject rows only through the imports, and cannot forge levels; only
-- an administrator refreshes or pauses flagging.  SECURITY DEFINER
-- functions pin search_path.
SELECT regress.reset();
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
INSERT INTO cp_association VALUES (1, regress.t(1), 'delegated_admin', current_date - 5, NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', current_date - 5, NULL);

CREATE ROLE competency_reader NOLOGIN;
GRANT SELECT ON cp_partner_status, cp_partner_status_kept, cp_partner_level, cp_level_change,
                cp_status_change, cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership
    TO competency_reader;
GRANT EXECUTE ON FUNCTION
    cp_evaluate(date), cp_evaluate_partners(date, integer, bigint[]), cp_explain(bigint, date),
    cp_evaluate_series(date, date, interval), cp_membership_status(date), cp_explain_risk(bigint, date),
    cp_level(cp_market, bigint, integer), cp_next_level(competency_level),
    cp_required_entitlements(competency_level, cp_market), cp_required_individuals(competency_level),
    cp_workload(text), cp_credential(text), cp_is_cloud_productivity(text), cp_granted_level(text),
    cp_active_entitlements(anyelement, text, text, bigint, boolean, date),
    cp_qualified_individuals(anyelement, text),
    cp_usage_window(), cp_flagging_window(), cp_flagging_date(), cp_grace_days(),
    cp_rule_set_on(date), cp_evaluate(date, text), cp_level(cp_market, bigint, integer, text),
    cp_required_entitlements(competency_level, cp_market, text), cp_required_individuals(competency_level, text),
    cp_workload(text, text), cp_credential(text, text),
    cp_active_entitlements(anyelement, text, text, bigint, boolean, date, text),
    cp_qualified_individuals(anyelement, text, text),
    -- and what those run
    cp_partner_figures(date, integer, bigint[], boolean, text), cp_partner_usage(date, integer, bigint[], boolean, text),
    cp_next_targets(competency_level, cp_market, bigint, integer, text),
    cp_partner_credentials(date, bigint[], boolean, text), cp_held(date, bigint[]), cp_in_period(date, date, date),
    cp_series_dates(date, date, interval), cp_window_start(date, integer, text), cp_require_date(date, text),
    cp_usage_entitlements(uuid, text, text, bigint, boolean, date, text), cp_credential_individuals(bigint, text, text),
    cp_rule_kinds(text), cp_kind_counted(cp_association_kind, text), cp_rule_sets_dated(), cp_rule_sets_usable(),
    cp_associated_on(bigint, uuid, date, text), cp_qualified_on(bigint, date, date, text),
    cp_risk_tenants(bigint, date, date, text), cp_risk_persons(bigint, date, date, text)
    TO competency_reader;
GRANT SELECT ON cp_rule_set, cp_rule_threshold, cp_rule_workload, cp_rule_credential, cp_rule_association
    TO competency_reader;

CREATE ROLE competency_loader NOLOGIN;
GRANT INSERT ON cp_usage TO competency_loader;
GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage, cp_partner_center_competency TO competency_loader;
GRANT SELECT ON cp_partner_center_reject, cp_partner_center_competency_reject TO competency_loader;
GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint),
                          cp_staging_role()
    TO competency_loader;

CREATE ROLE competency_admin NOLOGIN;
GRANT competency_reader, competency_loader TO competency_admin;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
    ON cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership TO competency_admin;
GRANT SELECT, DELETE, TRUNCATE ON cp_partner_center_reject, cp_partner_center_competency_reject
    TO competency_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON cp_rule_set, cp_rule_threshold, cp_rule_workload, cp_rule_credential, cp_rule_association TO competency_admin;
GRANT EXECUTE ON FUNCTION cp_refresh_levels(date) TO competency_admin;
GRANT SET ON PARAMETER competency.flagging TO competency_admin;
GRANT USAGE ON SCHEMA regress TO competency_reader, competency_loader, competency_admin;
CREATE ROLE nobody_special NOLOGIN;
GRANT USAGE ON SCHEMA regress TO nobody_special;

-- The loader: its load is flagged ...
SET ROLE competency_loader;
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2100, current_date);
INSERT INTO cp_partner_center_usage ("customerTenantId", "workloadCode", "productId", "licensesActive", "processedDateTime")
VALUES ('00000000-0000-0000-0000-000000000001', 'SPO', 'E3', '2200', current_date::text),
       ('nope', 'SPO', 'E3', '1', current_date::text);
SELECT * FROM cp_load_partner_center_usage();
-- ... and so is its competency report ...
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Silver', 'Active', (current_date - 30)::text, (current_date + 300)::text),
    ('Cloud Platform', 'Gold', 'Active', (current_date - 30)::text, (current_date + 300)::text);
SELECT * FROM cp_load_partner_center_competency(1);
-- ... but it reads no partner or personal data and forges nothing.
SELECT regress.error_of('SELECT * FROM cp_partner');
SELECT regress.error_of('SELECT name FROM cp_partner');
SELECT regress.error_of('SELECT * FROM cp_person');
SELECT regress.error_of('SELECT * FROM cp_credential');
SELECT regress.error_of('SELECT * FROM cp_usage');
SELECT regress.error_of('SELECT * FROM cp_partner_status');
SELECT regress.error_of('SELECT * FROM cp_evaluate()');
SELECT regress.error_of('SELECT * FROM cp_explain(1)');
SELECT regress.error_of($$INSERT INTO cp_level_change (partner_id, old_level, new_level, active_entitlements, qualified_individuals) VALUES (1, 'silver', 'gold', 9, 9)$$);
SELECT regress.error_of($$INSERT INTO cp_partner_level VALUES (1, 'gold', 9, 9, now())$$);
SELECT regress.error_of($$UPDATE cp_partner_level SET level = 'gold'$$);
SELECT regress.error_of($$SELECT cp_refresh_levels()$$);
SELECT regress.error_of($$SELECT cp_flag(NULL)$$);
SELECT regress.error_of($$SELECT cp_lock_buckets(ARRAY[1])$$);
SELECT regress.error_of($$SET competency.flagging = off$$);
SELECT regress.error_of($$UPDATE cp_usage SET active_users = 1$$);
SELECT regress.error_of($$DELETE FROM cp_usage$$);
-- memberships and reject rows only through the imports' checks
SELECT regress.error_of($$INSERT INTO cp_membership VALUES (1, 'gold', current_date - 1, current_date + 300)$$);
SELECT regress.error_of($$SELECT * FROM cp_membership$$);
SELECT regress.error_of($$INSERT INTO cp_partner_center_reject (reason, staged_by) VALUES ('forged', 'competency_admin')$$);
SELECT regress.error_of($$INSERT INTO cp_partner_center_competency_reject (partner_id, reason, staged_by) VALUES (1, 'forged', 'competency_admin')$$);
SELECT regress.error_of($$SELECT * FROM cp_take_staged_competency()$$);
-- it reads the reject rows it staged
SELECT "customerTenantId", reason, staged_by FROM cp_partner_center_reject;
SELECT partner_id, "CompetencyName", reason, staged_by FROM cp_partner_center_competency_reject;
RESET ROLE;
SELECT partner_id, old_level, new_level, active_entitlements FROM cp_level_change ORDER BY change_id;
SELECT partner_id, level, ends_on - started_on AS days FROM cp_membership;
SELECT partner_id, reason FROM cp_partner_center_competency_reject;

-- The reader: evaluates, explains, reads the status and history; writes nothing.
SET ROLE competency_reader;
SELECT partner_id, level, active_entitlements FROM cp_evaluate();
SELECT name, level, held_level, status FROM cp_partner_status;
SELECT count(*) AS statuses FROM cp_membership_status();
SELECT count(*) AS risks FROM cp_explain_risk(1);
SELECT count(*) FILTER (WHERE counted) AS counted FROM cp_explain(1);
SELECT count(*) AS points FROM cp_evaluate_series('2026-01-01', '2026-02-01');
SELECT level FROM cp_partner_level;
SELECT regress.error_of($$INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 1, current_date)$$);
SELECT regress.error_of($$DELETE FROM cp_partner$$);
SELECT regress.error_of($$UPDATE cp_level_change SET new_level = 'gold'$$);
SELECT regress.error_of($$SELECT cp_refresh_levels()$$);
SELECT regress.error_of($$SELECT * FROM cp_load_partner_center_usage()$$);
RESET ROLE;

-- The administrator: refreshes, pauses flagging, writes data.
SET ROLE competency_admin;
SELECT cp_refresh_levels() AS changes;
SET competency.flagging = off;
DELETE FROM cp_usage;
RESET competency.flagging;
SELECT cp_refresh_levels() AS changes_after_pause;
SELECT regress.error_of($$INSERT INTO cp_flag_lock VALUES (5000)$$);
-- ... but forges no level and attaches no code to the extension's tables
SELECT regress.error_of($$UPDATE cp_partner_level SET level = 'gold'$$);
SELECT regress.error_of($$DELETE FROM cp_level_change$$);
SELECT regress.error_of($$CREATE TRIGGER t AFTER INSERT ON cp_usage FOR EACH STATEMENT EXECUTE FUNCTION cp_flag_trigger('tenant_id', 'linked')$$);
-- ... and reads every reject row, whoever staged it
SELECT count(*) AS rejects_seen FROM cp_partner_center_reject;
RESET ROLE;

-- PUBLIC (any other role): nothing at all.
SET ROLE nobody_special;
SELECT regress.error_of('SELECT * FROM cp_partner_status');
SELECT regress.error_of('SELECT * FROM cp_level_change');
SELECT regress.error_of('SELECT * FROM cp_partner_center_reject');
SELECT regress.error_of($$INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 1, current_date)$$);
-- not even a function, so no login can make an aggregate's state grow
SELECT regress.error_of($$SELECT cp_level('developed', 2000, 1)$$);
SELECT regress.error_of($$SELECT cp_active_entitlements(1, 'EXO', 'x', 5, false, current_date)$$);
SELECT regress.error_of($$SELECT cp_usage_window()$$);
RESET ROLE;
SELECT p.oid::regprocedure AS executable_by_public
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE has_function_privilege('public', p.oid, 'EXECUTE');

-- No relation of the extension grants anything to PUBLIC; every function
-- that writes the flag tables is closed to PUBLIC; every SECURITY DEFINER
-- function pins its search_path.
SELECT c.relname, c.relacl
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0);
SELECT p.oid::regprocedure AS definer_function, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       p.proconfig
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
WHERE p.prosecdef ORDER BY p.proname;
SELECT p.oid::regprocedure AS definer_without_pinned_search_path
FROM pg_proc p WHERE p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%');

REVOKE ALL ON SCHEMA regress FROM competency_reader, competency_loader, competency_admin, nobody_special;
DROP OWNED BY competency_reader, competency_loader, competency_admin, nobody_special;
DROP ROLE competency_reader, competency_loader, competency_admin, nobody_special;
TRUNCATE cp_partner_center_staged, cp_partner_center_reject, cp_membership,
         cp_partner_center_competency_staged, cp_partner_center_competency_reject, cp_status_change;
SELECT regress.reset();
