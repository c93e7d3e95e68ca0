/* sql/competency--1.2--1.3.sql: security (flagging no writer can steer, no user code run with the definer's rights, notifications that carry only a change id, loaders' own staged rows, bounded workload and SKU, pinned search paths); series that cannot end are refused */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.3'" to load this file. \quit

-------------------------------------------------------------------------------
-- Settings that no writer can steer (competency.flagging_window and
-- competency.flagging_time_zone are superuser-only), and the role whose
-- staged rows a session sees.
-------------------------------------------------------------------------------

DROP FUNCTION @extschema@.cp_configured_usage_window();
#include "functions/cp_flagging_window/latest.sql"
#include "functions/cp_flagging_date/latest.sql"
#include "functions/cp_staging_role/latest.sql"

-------------------------------------------------------------------------------
-- Evaluation: inlinable SQL functions, so every name is schema-qualified.
-------------------------------------------------------------------------------

#include "functions/cp_evaluate_partners/1.3.sql"
#include "functions/cp_evaluate/1.3.sql"
#include "functions/cp_explain/1.3.sql"

-- The points of a series, refused at once when it cannot end.
#include "functions/cp_series_dates/latest.sql"
#include "functions/cp_evaluate_series/1.3.sql"

DROP FUNCTION @extschema@.cp_require_step(interval);

-------------------------------------------------------------------------------
-- Flagging.  Definer code: every name qualified, search_path pinned; it
-- evaluates as of cp_flagging_date() with cp_flagging_window(), which no
-- writer can set, and refuses to run while a trigger whose function a
-- non-superuser owns is on one of the extension's tables (such a function
-- would run with the definer's rights).
-------------------------------------------------------------------------------

#include "functions/cp_check_triggers/1.3.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_check_triggers() FROM PUBLIC;

-- Only superusers create triggers on the extension's tables: cascades from
-- cp_partner and cp_person, and flagging, write them with their owner's
-- rights, so another role's trigger there would run with a superuser's.
#include "functions/cp_guard_triggers/1.3.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_guard_triggers() FROM PUBLIC;
CREATE EVENT TRIGGER cp_guard_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER')
    EXECUTE FUNCTION @extschema@.cp_guard_triggers();
COMMENT ON EVENT TRIGGER cp_guard_triggers IS
  'Refuses CREATE TRIGGER on competency''s tables by roles other than superusers';

-- A database where another role already put a trigger on the extension's
-- tables is not updated until a superuser has looked at it.
SELECT @extschema@.cp_check_triggers();
#include "functions/cp_tenant_bucket/latest.sql"
#include "functions/cp_person_bucket/latest.sql"
#include "functions/cp_lock_buckets/latest.sql"
#include "functions/cp_evaluate_for_flags/1.3.sql"
#include "functions/cp_flag/1.3.sql"
#include "functions/cp_refresh_levels/1.3.sql"
#include "functions/cp_flag_links/1.3.sql"
#include "functions/cp_flag_trigger/1.3.sql"

-------------------------------------------------------------------------------
-- Partner Center import.  Each loader sees and loads only the rows it
-- staged: the staging table becomes a view of the caller's rows, over a
-- table that records who staged each; COPY and INSERT go through the view
-- (an INSTEAD OF trigger), so the twelve report columns stay the only ones a
-- loader writes and `\copy cp_partner_center_usage FROM ...` works as before.
-------------------------------------------------------------------------------

ALTER TABLE @extschema@.cp_partner_center_usage RENAME TO cp_partner_center_staged;
ALTER TABLE @extschema@.cp_partner_center_staged
    ADD COLUMN staged_by name NOT NULL DEFAULT CURRENT_USER;
COMMENT ON TABLE @extschema@.cp_partner_center_staged IS
  'Internal: Partner Center rows staged through cp_partner_center_usage, with the role that staged each';
COMMENT ON COLUMN @extschema@.cp_partner_center_staged.staged_by IS
  'Role that staged the row (cp_staging_role()); only it sees and loads the row';
#include "views/cp_partner_center_usage/latest.sql"

REVOKE ALL ON @extschema@.cp_partner_center_usage FROM PUBLIC;

-- Whoever could use the table may use the view; only the view's definer
-- code reaches the table itself.  Grants made by an extension script are
-- recorded as the extension's own (pg_init_privs), which pg_dump leaves
-- out: the view's initial privileges are set back to what the script
-- itself gave, so the copied grants stay the users' and survive a dump.
DO $$
DECLARE
    a record;
    view_acl pg_catalog.aclitem[];
BEGIN
    SELECT c.relacl INTO view_acl FROM pg_catalog.pg_class c
    WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_usage'::pg_catalog.regclass;
    FOR a IN
        SELECT CASE WHEN e.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                    ELSE pg_catalog.quote_ident(r.rolname) END AS grantee,
               e.privilege_type, e.is_grantable
        FROM pg_catalog.pg_class c,
             LATERAL pg_catalog.aclexplode(c.relacl) e
             LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) e.grantee
        WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_staged'::pg_catalog.regclass
          AND e.grantee OPERATOR(pg_catalog.<>) c.relowner
    LOOP
        IF a.privilege_type OPERATOR(pg_catalog.=) ANY (ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) THEN
            EXECUTE pg_catalog.format('GRANT %s ON @extschema@.cp_partner_center_usage TO %s%s',
                                      a.privilege_type, a.grantee,
                                      CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END IF;
        EXECUTE pg_catalog.format('REVOKE ALL ON @extschema@.cp_partner_center_staged FROM %s CASCADE',
                                  a.grantee);
    END LOOP;
    UPDATE pg_catalog.pg_init_privs SET initprivs = view_acl
    WHERE objoid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_usage'::pg_catalog.regclass
      AND classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND objsubid OPERATOR(pg_catalog.=) 0
      AND view_acl IS NOT NULL;
END
$$;
#include "functions/cp_stage_row/latest.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_stage_row() FROM PUBLIC;
CREATE TRIGGER cp_stage_row INSTEAD OF INSERT ON @extschema@.cp_partner_center_usage
    FOR EACH ROW EXECUTE FUNCTION @extschema@.cp_stage_row();

ALTER TABLE @extschema@.cp_partner_center_reject ADD COLUMN staged_by name;
COMMENT ON COLUMN @extschema@.cp_partner_center_reject.staged_by IS
  'Role that staged and loaded the row';
COMMENT ON COLUMN @extschema@.cp_partner_center_reject.reason IS
  'missing field, bad tenant, too long, bad number, negative or bad date';

-- A workload or SKU of more than 256 bytes is no Partner Center value.
ALTER TABLE @extschema@.cp_usage
    ADD CONSTRAINT cp_usage_workload_length
        CHECK (pg_catalog.octet_length(workload) OPERATOR(pg_catalog.<=) 256),
    ADD CONSTRAINT cp_usage_sku_length
        CHECK (pg_catalog.octet_length(sku) OPERATOR(pg_catalog.<=) 256);
#include "functions/cp_utc_date/latest.sql"

-- Fields are trimmed of ASCII whitespace; a field of nothing else is blank.
-- The reasons, in the order they are checked: missing field, bad tenant,
-- too long (workload or SKU over 256 bytes), bad number, negative, bad
-- number (beyond integer), bad date.
#include "functions/cp_load_partner_center_usage/1.3.sql"
