/* sql/competency--1.4--1.5.sql: security, second round (no superuser through a foreign key or a planted same-name object, flagging's settings only as configured, loaders write memberships and rejects only through the imports, nothing executable by PUBLIC, a bound on a state's memory); the competency import in linear time; infinite dates refused by name */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.5'" to load this file. \quit

#include "common/schema_warning.sql"

-------------------------------------------------------------------------------
-- Checks of arguments: an evaluation is as of a finite day (C:
-- cp_require_date now refuses infinity with 22023), and its usage window
-- starts at a date PostgreSQL has (22008, naming the argument).
-------------------------------------------------------------------------------

#include "functions/cp_window_start/latest.sql"

-------------------------------------------------------------------------------
-- The aggregates the extension's own code calls: of exactly the types of
-- cp_usage's and cp_credential's columns, never polymorphic, so that no
-- object of the same name put in the schema matches a call better (one of
-- the very same types cannot be created beside them).  Same support
-- functions, same states, as cp_active_entitlements and
-- cp_qualified_individuals.
-------------------------------------------------------------------------------

#include "functions/cp_usage_entitlements_trans/latest.sql"
#include "functions/cp_usage_entitlements/latest.sql"
#include "functions/cp_credential_individuals_trans/latest.sql"
#include "functions/cp_credential_individuals/latest.sql"

-------------------------------------------------------------------------------
-- Evaluation, with every call exactly typed.  Inlinable SQL functions (no
-- SET, no STRICT): every name is schema-qualified, types included.
-------------------------------------------------------------------------------

#include "functions/cp_evaluate_partners/1.5.sql"
#include "functions/cp_evaluate/latest.sql"
#include "functions/cp_explain/1.5.sql"

-- The points are made and checked one at a time (cp_series_dates), so a
-- series that cannot end is refused when it gets there, and a cancel or a
-- statement_timeout stops it between points.  A start too early for its
-- usage window is refused by its name.
#include "functions/cp_evaluate_series/latest.sql"
COMMENT ON FUNCTION @extschema@.cp_series_dates(date, date, interval) IS
  'The dates of generate_series(start, stop, step) over timestamp with time zone; 22023 for a NULL or infinite bound or a step under one day, and, when the series gets there, for a step that fails to reach a later date';

-------------------------------------------------------------------------------
-- Status, with every call exactly typed.
-------------------------------------------------------------------------------

#include "functions/cp_status_partners/1.5.sql"
#include "functions/cp_membership_status/1.5.sql"
#include "functions/cp_qualified_on/1.5.sql"
#include "functions/cp_explain_risk/1.5.sql"

-- The dashboard view, bound to the extension's own functions.
#include "views/cp_partner_status/1.5.sql"

-------------------------------------------------------------------------------
-- Nothing of another role's runs with the rights of the extension's owner.
-- Beside triggers, PostgreSQL runs a foreign key's check of a referencing
-- row as the owner of the referenced table, a superuser here, and the check
-- casts the key to the referenced column's type: a cast a role made for a
-- type of its own would run with a superuser's rights.  So only superusers
-- create triggers on the extension's tables or foreign keys that reference
-- them, and flagging refuses to run while a foreign key that references
-- one is on a table a non-superuser owns, or casts a column of a type that
-- is not built in.
-------------------------------------------------------------------------------

#include "functions/cp_check_triggers/1.5.sql"

-- The guards run as the role that runs the command (current_user: that of
-- a SECURITY DEFINER function that runs it, too), and call nothing of the
-- extension's (that role need not be able to).  At the end of a command:
-- only superusers create triggers on the extension's tables, and no command
-- of another role leaves on a table it touched a foreign key referencing
-- one of them.
#include "functions/cp_guard_triggers/latest.sql"

DROP EVENT TRIGGER cp_guard_triggers;
CREATE EVENT TRIGGER cp_guard_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION @extschema@.cp_guard_triggers();
COMMENT ON EVENT TRIGGER cp_guard_triggers IS
  'Refuses, to roles other than superusers, triggers on competency''s tables and foreign keys that reference them';

-- The end of a command is too late for one case: a foreign key added to a
-- table that has rows is checked while the command runs, and where the role
-- may not read both tables PostgreSQL checks row by row as the referenced
-- table's owner, running the role's cast.  Only a role with REFERENCES on
-- the referenced table makes (or rebuilds) such a key, so before any
-- command that can make one, a role other than a superuser that may
-- reference one of the extension's tables (GRANT ALL gives REFERENCES) is
-- refused.
#include "functions/cp_guard_references/latest.sql"
CREATE EVENT TRIGGER cp_guard_references ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION @extschema@.cp_guard_references();
COMMENT ON EVENT TRIGGER cp_guard_references IS
  'Refuses, before it runs, a command that can make a foreign key, to a role other than a superuser that may reference competency''s tables';

-------------------------------------------------------------------------------
-- Flagging, with every call exactly typed.
-------------------------------------------------------------------------------

#include "functions/cp_refresh_levels/latest.sql"
#include "functions/cp_flag_trigger/latest.sql"

-- A date that is no day, or whose window starts before the earliest date,
-- is refused before anything is locked.
#include "functions/cp_flag/1.5.sql"

-------------------------------------------------------------------------------
-- The imports, as the trust model has it: loaders report usage and
-- competency reports for any partner (that is their job), and write
-- memberships and reject rows only through these checked functions, which
-- run with the extension's rights (so a loader needs no privilege on
-- cp_membership, cp_partner or the reject tables).
-------------------------------------------------------------------------------

#include "functions/cp_load_partner_center_usage/latest.sql"

-- The competency report in one pass: each row's reason (the first that
-- applies) is computed for all rows at once; the rows without one are
-- inserted in file order in one statement that skips any row overlapping a
-- stored row or a row inserted before it (the exclusion constraint, as
-- ON CONFLICT DO NOTHING's arbiter), so a load costs a sort and an index
-- probe per row.  Of identical rows only the first can be inserted.
#include "functions/cp_load_partner_center_competency/1.5.sql"

-- Reject rows: a loader reads the rows it staged; a role that may delete
-- them (an administrator) reads all; only the imports above write them.
ALTER TABLE @extschema@.cp_partner_center_reject ENABLE ROW LEVEL SECURITY;
CREATE POLICY cp_reject_read ON @extschema@.cp_partner_center_reject FOR SELECT
    USING (staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role()
           OR pg_catalog.has_table_privilege('@extschema@.cp_partner_center_reject'::pg_catalog.regclass,
                                             'DELETE'));
CREATE POLICY cp_reject_delete ON @extschema@.cp_partner_center_reject FOR DELETE
    USING (true);
ALTER TABLE @extschema@.cp_partner_center_competency_reject ENABLE ROW LEVEL SECURITY;
CREATE POLICY cp_reject_read ON @extschema@.cp_partner_center_competency_reject FOR SELECT
    USING (staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role()
           OR pg_catalog.has_table_privilege('@extschema@.cp_partner_center_competency_reject'::pg_catalog.regclass,
                                             'DELETE'));
CREATE POLICY cp_reject_delete ON @extschema@.cp_partner_center_competency_reject FOR DELETE
    USING (true);
COMMENT ON TABLE @extschema@.cp_partner_center_reject IS
  'Staged Partner Center usage rows that could not be loaded, as staged, with the reason and the role that staged them; a role reads the rows it staged, a role that may delete them reads all';
COMMENT ON TABLE @extschema@.cp_partner_center_competency_reject IS
  'Staged competency report rows that were not loaded, as staged, with the partner they were loaded for, the reason and the role that staged them; a role reads the rows it staged, a role that may delete them reads all';

#include "common/closed_to_public.sql"
