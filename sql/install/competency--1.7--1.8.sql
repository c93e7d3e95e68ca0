/* sql/install/competency--1.7--1.8.sql: rule sets by effective date, and what-if: the July 2017 rules as the built-in set 2017-07, administrators' dated sets and drafts in five tables, every evaluation under the set in force on its date, what-if forms under any named set */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.8'" to load this file. \quit

#include "common/schema_warning.sql"

-- The FastTrack association some 2017 texts list; the built-in set does
-- not count it.  (This script never uses the value.)
ALTER TYPE @extschema@.cp_association_kind ADD VALUE 'fast_track' AFTER 'digital_partner_of_record';

-------------------------------------------------------------------------------
-- The rules as data.  A set is named (1 to 64 bytes, not blank); dated, it
-- is in force from effective_from until the next dated set's; without a
-- date it is a draft, evaluated only when named.  Renaming a set cascades
-- to its rows; deleting one deletes them.
-------------------------------------------------------------------------------

CREATE TABLE @extschema@.cp_rule_set (
    rule_set       text PRIMARY KEY
                   CONSTRAINT cp_rule_set_name_check
                   CHECK (pg_catalog.octet_length(rule_set) OPERATOR(pg_catalog.<=) 64
                          AND pg_catalog.btrim(rule_set, E' \t\n\r\f\013') OPERATOR(pg_catalog.<>) ''),
    effective_from date UNIQUE
                   CONSTRAINT cp_rule_set_effective_check
                   CHECK (effective_from OPERATOR(pg_catalog.<>) 'infinity'::pg_catalog.date),
    description    text
);
COMMENT ON TABLE @extschema@.cp_rule_set IS
  'Rule sets: the built-in 2017-07 (the July 2017 rules, from -infinity) and administrators'' sets, each in force from its effective_from (NULL: a draft)';
COMMENT ON COLUMN @extschema@.cp_rule_set.rule_set IS 'Name of the set (1 to 64 bytes, not blank)';
COMMENT ON COLUMN @extschema@.cp_rule_set.effective_from IS 'First day the set is in force; NULL for a draft, never in force';
COMMENT ON COLUMN @extschema@.cp_rule_set.description IS 'What the set is';

CREATE TABLE @extschema@.cp_rule_threshold (
    rule_set         text NOT NULL REFERENCES @extschema@.cp_rule_set ON UPDATE CASCADE ON DELETE CASCADE,
    level            @extschema@.competency_level NOT NULL
                     CONSTRAINT cp_rule_threshold_level_check
                     CHECK (level OPERATOR(pg_catalog.>) 'none'::@extschema@.competency_level),
    market           @extschema@.cp_market NOT NULL,
    min_entitlements bigint NOT NULL
                     CONSTRAINT cp_rule_threshold_entitlements_check CHECK (min_entitlements OPERATOR(pg_catalog.>=) 0),
    min_individuals  integer NOT NULL
                     CONSTRAINT cp_rule_threshold_individuals_check CHECK (min_individuals OPERATOR(pg_catalog.>=) 0),
    PRIMARY KEY (rule_set, level, market)
);
COMMENT ON TABLE @extschema@.cp_rule_threshold IS 'What each level requires under a rule set, per market';
COMMENT ON COLUMN @extschema@.cp_rule_threshold.rule_set IS 'Rule set';
COMMENT ON COLUMN @extschema@.cp_rule_threshold.level IS 'Level: silver or gold';
COMMENT ON COLUMN @extschema@.cp_rule_threshold.market IS 'Market';
COMMENT ON COLUMN @extschema@.cp_rule_threshold.min_entitlements IS 'Active entitlements the level requires in the market';
COMMENT ON COLUMN @extschema@.cp_rule_threshold.min_individuals IS 'Qualified individuals the level requires (the same in both markets)';

CREATE TABLE @extschema@.cp_rule_workload (
    rule_set text NOT NULL REFERENCES @extschema@.cp_rule_set ON UPDATE CASCADE ON DELETE CASCADE,
    workload text NOT NULL
             CONSTRAINT cp_rule_workload_workload_length CHECK (pg_catalog.octet_length(workload) OPERATOR(pg_catalog.<=) 256),
    spelling text NOT NULL
             CONSTRAINT cp_rule_workload_spelling_length CHECK (pg_catalog.octet_length(spelling) OPERATOR(pg_catalog.<=) 256),
    PRIMARY KEY (rule_set, spelling)
);
COMMENT ON TABLE @extschema@.cp_rule_workload IS
  'The eligible workloads of a rule set: each row an accepted spelling of a workload''s canonical name (a usage row''s workload compares, folded, to both)';
COMMENT ON COLUMN @extschema@.cp_rule_workload.rule_set IS 'Rule set';
COMMENT ON COLUMN @extschema@.cp_rule_workload.workload IS 'Canonical name of the workload (at most 256 bytes)';
COMMENT ON COLUMN @extschema@.cp_rule_workload.spelling IS 'An accepted spelling of it (at most 256 bytes)';

CREATE TABLE @extschema@.cp_rule_credential (
    rule_set   text NOT NULL REFERENCES @extschema@.cp_rule_set ON UPDATE CASCADE ON DELETE CASCADE,
    path       integer NOT NULL CONSTRAINT cp_rule_credential_path_check CHECK (path OPERATOR(pg_catalog.>=) 1),
    credential text NOT NULL
               CONSTRAINT cp_rule_credential_length CHECK (pg_catalog.octet_length(credential) OPERATOR(pg_catalog.<=) 256),
    PRIMARY KEY (rule_set, path, credential)
);
COMMENT ON TABLE @extschema@.cp_rule_credential IS
  'The credential paths of a rule set: a person qualifies holding every credential of at least one path';
COMMENT ON COLUMN @extschema@.cp_rule_credential.rule_set IS 'Rule set';
COMMENT ON COLUMN @extschema@.cp_rule_credential.path IS 'Path number (1 or more)';
COMMENT ON COLUMN @extschema@.cp_rule_credential.credential IS 'Canonical name of a credential of the path (a row''s credential compares, folded, with an optional leading "exam")';

CREATE TABLE @extschema@.cp_rule_association (
    rule_set text NOT NULL REFERENCES @extschema@.cp_rule_set ON UPDATE CASCADE ON DELETE CASCADE,
    kind     @extschema@.cp_association_kind NOT NULL,
    PRIMARY KEY (rule_set, kind)
);
COMMENT ON TABLE @extschema@.cp_rule_association IS 'The association kinds a rule set counts';
COMMENT ON COLUMN @extschema@.cp_rule_association.rule_set IS 'Rule set';
COMMENT ON COLUMN @extschema@.cp_rule_association.kind IS 'An association kind the set counts';

-- The built-in set: the July 2017 rules, exactly; they only describe what
-- the compiled rules do.
INSERT INTO @extschema@.cp_rule_set VALUES
    ('2017-07', '-infinity', 'Cloud Productivity competency, Managed Service Partner option, July 2017');
INSERT INTO @extschema@.cp_rule_threshold VALUES
    ('2017-07', 'silver', 'developed', 2000, 1), ('2017-07', 'silver', 'developing', 1000, 1),
    ('2017-07', 'gold', 'developed', 4000, 2), ('2017-07', 'gold', 'developing', 4000, 2);
INSERT INTO @extschema@.cp_rule_workload VALUES
    ('2017-07', 'exchange_online', 'Exchange Online'), ('2017-07', 'exchange_online', 'Exchange'),
    ('2017-07', 'exchange_online', 'EXO'),
    ('2017-07', 'sharepoint_online', 'SharePoint Online'), ('2017-07', 'sharepoint_online', 'SharePoint'),
    ('2017-07', 'sharepoint_online', 'SPO'),
    ('2017-07', 'skype_for_business', 'Skype for Business'),
    ('2017-07', 'skype_for_business', 'Skype for Business Online'), ('2017-07', 'skype_for_business', 'SfB'),
    ('2017-07', 'yammer', 'Yammer'), ('2017-07', 'yammer', 'YAM'),
    ('2017-07', 'proplus', 'ProPlus'), ('2017-07', 'proplus', 'Office 365 ProPlus');
INSERT INTO @extschema@.cp_rule_credential VALUES
    ('2017-07', 1, '70-346'), ('2017-07', 1, '70-347'), ('2017-07', 2, 'MCSA: Office 365');
INSERT INTO @extschema@.cp_rule_association VALUES
    ('2017-07', 'delegated_admin'), ('2017-07', 'transacting_partner'), ('2017-07', 'digital_partner_of_record');

-- Users' sets survive pg_dump; the built-in rows are the extension's.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_rule_set', 'WHERE rule_set OPERATOR(pg_catalog.<>) ''2017-07''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_rule_threshold', 'WHERE rule_set OPERATOR(pg_catalog.<>) ''2017-07''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_rule_workload', 'WHERE rule_set OPERATOR(pg_catalog.<>) ''2017-07''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_rule_credential', 'WHERE rule_set OPERATOR(pg_catalog.<>) ''2017-07''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_rule_association', 'WHERE rule_set OPERATOR(pg_catalog.<>) ''2017-07''');
REVOKE ALL ON @extschema@.cp_rule_set, @extschema@.cp_rule_threshold, @extschema@.cp_rule_workload,
              @extschema@.cp_rule_credential, @extschema@.cp_rule_association FROM PUBLIC;

-- Rows of cp_flag_lock for rule sets (2048-2111).
INSERT INTO @extschema@.cp_flag_lock SELECT pg_catalog.generate_series(2048, 2111);
COMMENT ON TABLE @extschema@.cp_flag_lock IS
  'Internal: rows flagging locks and touches to serialize writers that share a tenant (buckets 0-1023), a person (1024-2047) or a rule set (2048-2111)';
COMMENT ON COLUMN @extschema@.cp_flag_lock.bucket IS 'Hash bucket of a tenant, person or rule set';

-------------------------------------------------------------------------------
-- What the C functions read of a set, and the checks of rule writes.
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.cp_rule_spec AS (
    problem            text,
    sqlstate           text,
    workloads          text[],
    spellings          text[],
    spelling_workloads integer[],
    credentials        text[],
    paths              integer[],
    path_credentials   integer[],
    min_entitlements   bigint[],
    min_individuals    integer[]
);
COMMENT ON TYPE @extschema@.cp_rule_spec IS
  'Internal: a rule set as the C functions read it (cp_rule_set_spec), or the problem that keeps it from being evaluated';

#include "functions/cp_fold/latest.sql"
#include "functions/cp_rule_set_missing/latest.sql"
#include "functions/cp_rule_set_spec/latest.sql"
#include "functions/cp_rule_set_on/latest.sql"
#include "functions/cp_rule_kinds/latest.sql"
#include "functions/cp_kind_counted_support/latest.sql"
#include "functions/cp_kind_counted/latest.sql"
#include "functions/cp_rule_bucket/latest.sql"
#include "functions/cp_check_rule_spellings/latest.sql"
#include "functions/cp_rule_protect/latest.sql"
#include "functions/cp_rule_write_begin/latest.sql"
#include "functions/cp_rule_was_dated/latest.sql"
#include "functions/cp_rule_flag_due/latest.sql"
#include "functions/cp_rule_note_write/latest.sql"
#include "functions/cp_rule_write/latest.sql"
#include "functions/cp_rule_set_complete/latest.sql"

-- The triggers of every rule table, every name qualified.
DO $$
DECLARE
    s constant text := '@extschema@';
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cp_rule_set', 'cp_rule_threshold', 'cp_rule_workload',
                             'cp_rule_credential', 'cp_rule_association'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_protect BEFORE INSERT OR UPDATE OR DELETE ON %1$s.%2$I
                                   FOR EACH ROW EXECUTE FUNCTION %1$s.cp_rule_protect()', s, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_truncate BEFORE TRUNCATE ON %1$s.%2$I
                                   FOR EACH STATEMENT EXECUTE FUNCTION %1$s.cp_rule_protect()', s, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_note_write BEFORE INSERT OR UPDATE OR DELETE ON %1$s.%2$I
                                   FOR EACH STATEMENT EXECUTE FUNCTION %1$s.cp_rule_note_write()', s, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_write_insert AFTER INSERT ON %1$s.%2$I
                                   REFERENCING NEW TABLE AS new_rows
                                   FOR EACH STATEMENT EXECUTE FUNCTION %1$s.cp_rule_write()', s, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_write_update AFTER UPDATE ON %1$s.%2$I
                                   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                                   FOR EACH STATEMENT EXECUTE FUNCTION %1$s.cp_rule_write()', s, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_rule_write_delete AFTER DELETE ON %1$s.%2$I
                                   REFERENCING OLD TABLE AS old_rows
                                   FOR EACH STATEMENT EXECUTE FUNCTION %1$s.cp_rule_write()', s, t);
        EXECUTE pg_catalog.format('CREATE CONSTRAINT TRIGGER cp_rule_set_complete
                                   AFTER INSERT OR UPDATE OR DELETE ON %1$s.%2$I
                                   DEFERRABLE INITIALLY DEFERRED
                                   FOR EACH ROW EXECUTE FUNCTION %1$s.cp_rule_set_complete()', s, t);
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Evaluation under a set.  The set in force on a date; every evaluation
-- takes the set it is evaluated under (the built-in one by the compiled
-- rules, reading no rule table).
-------------------------------------------------------------------------------

#include "functions/cp_rule_sets_dated/latest.sql"
#include "functions/cp_rule_sets_usable/latest.sql"

-- the C forms under a named set
#include "functions/cp_level/rule_set/latest.sql"
#include "functions/cp_required_entitlements/rule_set/latest.sql"
#include "functions/cp_required_individuals/rule_set/latest.sql"
#include "functions/cp_workload/rule_set/latest.sql"
#include "functions/cp_credential/rule_set/latest.sql"
#include "functions/cp_usage_entitlements_trans/rule_set/latest.sql"
#include "functions/cp_usage_entitlements/rule_set/latest.sql"
#include "functions/cp_entitlements_trans/rule_set/latest.sql"
#include "functions/cp_active_entitlements/rule_set/latest.sql"
#include "functions/cp_credential_individuals_trans/rule_set/latest.sql"
#include "functions/cp_credential_individuals/rule_set/latest.sql"
#include "functions/cp_individuals_trans/rule_set/latest.sql"
#include "functions/cp_qualified_individuals/rule_set/latest.sql"

-- the evaluation, written once, now under a set; the functions it replaces
-- are dropped once nothing (the views) depends on them
DROP FUNCTION @extschema@.cp_held(date, bigint[]);
#include "functions/cp_held/latest.sql"
#include "functions/cp_partner_usage/latest.sql"
#include "functions/cp_partner_credentials/latest.sql"
#include "functions/cp_next_targets/latest.sql"
#include "functions/cp_partner_figures/latest.sql"
#include "functions/cp_evaluate_partners/latest.sql"
#include "functions/cp_evaluate/rule_set/latest.sql"
#include "functions/cp_membership_status/latest.sql"

-- the level kept and each change record the set they were evaluated under
ALTER TABLE @extschema@.cp_partner_level ADD COLUMN rule_set text NOT NULL DEFAULT '2017-07';
COMMENT ON COLUMN @extschema@.cp_partner_level.rule_set IS
  'The rule set the kept level was evaluated under (2017-07 for levels kept before version 1.8)';
ALTER TABLE @extschema@.cp_level_change ADD COLUMN rule_set text NOT NULL DEFAULT '2017-07';
COMMENT ON COLUMN @extschema@.cp_level_change.rule_set IS
  'The rule set the new level was evaluated under (2017-07 for changes before version 1.8)';

#include "views/cp_partner_status/latest.sql"
#include "views/cp_partner_status_kept/latest.sql"
DROP FUNCTION @extschema@.cp_partner_figures(date, integer, bigint[], boolean);
DROP FUNCTION @extschema@.cp_partner_usage(date, integer, bigint[], boolean);
DROP FUNCTION @extschema@.cp_partner_credentials(date, bigint[], boolean);
DROP FUNCTION @extschema@.cp_next_targets(@extschema@.competency_level, @extschema@.cp_market, bigint, integer);

-- flagging under the set in force on its date, recorded
DROP FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]);
DROP FUNCTION @extschema@.cp_log_levels(@extschema@.cp_evaluation[], bigint[]);
DROP FUNCTION @extschema@.cp_keep_evaluations(@extschema@.cp_evaluation[], date);
#include "functions/cp_evaluate_for_flags/latest.sql"
#include "functions/cp_log_levels/latest.sql"
#include "functions/cp_keep_evaluations/latest.sql"
#include "functions/cp_flag/latest.sql"

-- explained under the same sets as the figures
DROP FUNCTION @extschema@.cp_associated_on(bigint, uuid, date);
DROP FUNCTION @extschema@.cp_qualified_on(bigint, date, date);
DROP FUNCTION @extschema@.cp_risk_tenants(bigint, date, date);
DROP FUNCTION @extschema@.cp_risk_persons(bigint, date, date);
#include "functions/cp_associated_on/latest.sql"
#include "functions/cp_qualified_on/latest.sql"
#include "functions/cp_risk_tenants/latest.sql"
#include "functions/cp_risk_persons/latest.sql"
#include "functions/cp_explain/latest.sql"
#include "functions/cp_explain_risk/latest.sql"

#include "common/closed_to_public.sql"
