/* competency--1.0.sql: the Cloud Productivity competency (MSP option) */

\echo Use "CREATE EXTENSION competency" to load this file. \quit

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------

CREATE TYPE cp_market AS ENUM ('developed', 'developing');
COMMENT ON TYPE cp_market IS
  'Partner market: developed ("mature") or developing ("emerging"); sets the Silver performance threshold';

CREATE TYPE competency_level AS ENUM ('none', 'silver', 'gold');
COMMENT ON TYPE competency_level IS
  'Cloud Productivity competency level, ordered none < silver < gold';

CREATE TYPE cp_association_kind AS ENUM
  ('delegated_admin', 'transacting_partner', 'digital_partner_of_record');
COMMENT ON TYPE cp_association_kind IS
  'How a partner is associated with a customer tenant: Office 365 Delegated Administrator, Transacting Partner or Digital Partner of Record';

-------------------------------------------------------------------------------
-- Tables.  Usage, associations and credentials are taken as delivered:
-- duplicate and conflicting rows are legal, the rules decide what counts.
-------------------------------------------------------------------------------

CREATE TABLE cp_partner (
    partner_id bigint PRIMARY KEY,
    name       text NOT NULL,
    market     cp_market NOT NULL
);
COMMENT ON TABLE cp_partner IS 'Partner organisations evaluated for the competency';
COMMENT ON COLUMN cp_partner.partner_id IS 'Partner identifier';
COMMENT ON COLUMN cp_partner.name IS 'Partner name';
COMMENT ON COLUMN cp_partner.market IS 'Market the partner is evaluated in';

CREATE TABLE cp_association (
    partner_id  bigint NOT NULL
                REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    tenant_id   uuid NOT NULL,
    kind        cp_association_kind NOT NULL,
    valid_from  date NOT NULL,
    valid_until date,
    CONSTRAINT cp_association_period_check
                CHECK (valid_until OPERATOR(pg_catalog.>) valid_from)
);
CREATE INDEX cp_association_partner_idx ON cp_association (partner_id);
CREATE INDEX cp_association_tenant_idx ON cp_association (tenant_id);
COMMENT ON TABLE cp_association IS
  'Partner-customer associations; active on D when valid_from <= D < valid_until (NULL: open)';
COMMENT ON COLUMN cp_association.partner_id IS 'Associated partner';
COMMENT ON COLUMN cp_association.tenant_id IS 'Customer (Office 365 tenant)';
COMMENT ON COLUMN cp_association.kind IS 'Kind of association';
COMMENT ON COLUMN cp_association.valid_from IS 'First day the association is active';
COMMENT ON COLUMN cp_association.valid_until IS 'First day the association is no longer active; NULL if open';

CREATE TABLE cp_usage (
    tenant_id    uuid NOT NULL,
    workload     text NOT NULL,
    sku          text NOT NULL,
    is_trial     boolean NOT NULL,
    active_users integer NOT NULL CONSTRAINT cp_usage_active_users_check
                 CHECK (active_users OPERATOR(pg_catalog.>=) 0),
    measured_on  date NOT NULL
);
CREATE INDEX cp_usage_tenant_idx ON cp_usage (tenant_id, measured_on);
CREATE INDEX cp_usage_measured_idx ON cp_usage (measured_on);
COMMENT ON TABLE cp_usage IS
  'Usage measurements: active users of a tenant in a workload and SKU over the rolling window ending on measured_on';
COMMENT ON COLUMN cp_usage.tenant_id IS 'Customer (Office 365 tenant)';
COMMENT ON COLUMN cp_usage.workload IS 'Workload as delivered; compared by canonical name (EXO = Exchange Online)';
COMMENT ON COLUMN cp_usage.sku IS 'SKU as delivered; compared byte for byte';
COMMENT ON COLUMN cp_usage.is_trial IS 'Trial SKU; never counted';
COMMENT ON COLUMN cp_usage.active_users IS 'Active users measured';
COMMENT ON COLUMN cp_usage.measured_on IS 'Date measured';

CREATE TABLE cp_person (
    person_id  bigint PRIMARY KEY,
    partner_id bigint NOT NULL
               REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    name       text
);
CREATE INDEX cp_person_partner_idx ON cp_person (partner_id);
COMMENT ON TABLE cp_person IS 'Individuals associated with a partner (one partner at a time)';
COMMENT ON COLUMN cp_person.person_id IS 'Person identifier';
COMMENT ON COLUMN cp_person.partner_id IS 'Partner the person belongs to';
COMMENT ON COLUMN cp_person.name IS 'Person name';

CREATE TABLE cp_credential (
    person_id  bigint NOT NULL
               REFERENCES cp_person ON DELETE CASCADE ON UPDATE CASCADE,
    credential text NOT NULL,
    earned_on  date NOT NULL,
    expires_on date
);
CREATE INDEX cp_credential_person_idx ON cp_credential (person_id);
COMMENT ON TABLE cp_credential IS
  'Exams and certifications; counted on D when earned_on <= D and (expires_on IS NULL or D < expires_on)';
COMMENT ON COLUMN cp_credential.person_id IS 'Holder';
COMMENT ON COLUMN cp_credential.credential IS 'Exam or certification as delivered (70-346, 70-347, MCSA: Office 365, ...)';
COMMENT ON COLUMN cp_credential.earned_on IS 'Date earned';
COMMENT ON COLUMN cp_credential.expires_on IS 'Date it stops counting; NULL if it does not expire';

CREATE TABLE cp_partner_level (
    partner_id            bigint PRIMARY KEY
                          REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    level                 competency_level NOT NULL,
    active_entitlements   bigint NOT NULL,
    qualified_individuals integer NOT NULL,
    evaluated_at          timestamptz NOT NULL
);
COMMENT ON TABLE cp_partner_level IS
  'Last known level of each partner, kept by flagging; a partner without a row is at none';
COMMENT ON COLUMN cp_partner_level.partner_id IS 'Partner';
COMMENT ON COLUMN cp_partner_level.level IS 'Level at the last evaluation';
COMMENT ON COLUMN cp_partner_level.active_entitlements IS 'Active entitlements at the last evaluation';
COMMENT ON COLUMN cp_partner_level.qualified_individuals IS 'Qualified individuals at the last evaluation';
COMMENT ON COLUMN cp_partner_level.evaluated_at IS 'When the row was last written';

CREATE TABLE cp_level_change (
    change_id             bigserial PRIMARY KEY,
    partner_id            bigint NOT NULL,
    old_level             competency_level NOT NULL,
    new_level             competency_level NOT NULL,
    active_entitlements   bigint NOT NULL,
    qualified_individuals integer NOT NULL,
    changed_at            timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX cp_level_change_partner_idx ON cp_level_change (partner_id, change_id);
COMMENT ON TABLE cp_level_change IS
  'History of level changes; per partner, in change_id order, each old_level is the previous new_level';
COMMENT ON COLUMN cp_level_change.change_id IS 'Order of changes';
COMMENT ON COLUMN cp_level_change.partner_id IS 'Partner (no foreign key: history outlives the partner)';
COMMENT ON COLUMN cp_level_change.old_level IS 'Level before the change';
COMMENT ON COLUMN cp_level_change.new_level IS 'Level after the change';
COMMENT ON COLUMN cp_level_change.active_entitlements IS 'Active entitlements after the change';
COMMENT ON COLUMN cp_level_change.qualified_individuals IS 'Qualified individuals after the change';
COMMENT ON COLUMN cp_level_change.changed_at IS 'When the change was flagged';
COMMENT ON SEQUENCE cp_level_change_change_id_seq IS 'Numbers level changes in the order they were flagged';

-- Users' rows survive pg_dump; the tables hold partner and personal data.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_association', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_usage', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_person', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_credential', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_level', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_level_change', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_level_change_change_id_seq', '');

REVOKE ALL ON cp_partner, cp_association, cp_usage, cp_person, cp_credential,
              cp_partner_level, cp_level_change FROM PUBLIC;
REVOKE ALL ON SEQUENCE cp_level_change_change_id_seq FROM PUBLIC;

-------------------------------------------------------------------------------
-- Settings and argument checks
-------------------------------------------------------------------------------

#include "functions/cp_usage_window/latest.sql"
#include "functions/cp_configured_usage_window/1.0.sql"
#include "functions/cp_require_date/latest.sql"
#include "functions/cp_require_window/1.0.sql"

-------------------------------------------------------------------------------
-- Levels and thresholds
-------------------------------------------------------------------------------

#include "functions/cp_level/latest.sql"
#include "functions/cp_next_level/latest.sql"
#include "functions/cp_required_entitlements/latest.sql"
#include "functions/cp_required_individuals/latest.sql"

-------------------------------------------------------------------------------
-- Aggregates
-------------------------------------------------------------------------------

#include "functions/cp_entitlements_trans/latest.sql"
#include "functions/cp_entitlements_final/latest.sql"
#include "functions/cp_entitlements_combine/latest.sql"
#include "functions/cp_entitlements_serialize/latest.sql"
#include "functions/cp_entitlements_deserialize/latest.sql"
#include "functions/cp_active_entitlements/latest.sql"
#include "functions/cp_individuals_trans/latest.sql"
#include "functions/cp_individuals_final/latest.sql"
#include "functions/cp_individuals_combine/latest.sql"
#include "functions/cp_individuals_serialize/latest.sql"
#include "functions/cp_individuals_deserialize/latest.sql"
#include "functions/cp_qualified_individuals/latest.sql"

-------------------------------------------------------------------------------
-- Evaluation.  SQL functions without SET or STRICT, so the planner inlines
-- them into the caller's query (and may run them in parallel); every name is
-- schema-qualified instead.
-------------------------------------------------------------------------------

#include "functions/cp_evaluate_partners/1.0.sql"
#include "functions/cp_evaluate/1.0.sql"

-------------------------------------------------------------------------------
-- Flagging level changes.
--
-- After each statement on a data table, a statement-level trigger finds the
-- partners the statement can affect and hands them to cp_flag(), which
-- re-evaluates them in one set-based pass, logs each change, keeps
-- cp_partner_level and notifies listeners.
--
-- Concurrency.  Two writers can each miss the other's rows: a usage row for
-- tenant X and a new association (A, X), or a credential for a person who is
-- moving to another partner.  So each trigger first locks what links its rows
-- to partners -- tenants and persons, hashed into the rows of cp_flag_lock,
-- in ascending order -- and only then, with a fresh snapshot, looks for the
-- partners affected.  It then locks those partners' cp_partner rows (FOR NO
-- KEY UPDATE, ascending) and evaluates them with a fresh snapshot.  Both lock
-- steps also write (the cp_flag_lock rows, every evaluated partner's
-- cp_partner_level row), so that under REPEATABLE READ or SERIALIZABLE a
-- transaction that could have missed a concurrent change fails with 40001
-- instead of storing a wrong level.
-------------------------------------------------------------------------------

CREATE TABLE cp_flag_lock (
    bucket integer PRIMARY KEY
);
INSERT INTO @extschema@.cp_flag_lock SELECT pg_catalog.generate_series(0, 2047);
REVOKE ALL ON cp_flag_lock FROM PUBLIC;
COMMENT ON TABLE cp_flag_lock IS
  'Internal: rows flagging locks and touches to serialize writers that share a tenant (buckets 0-1023) or a person (1024-2047)';
COMMENT ON COLUMN cp_flag_lock.bucket IS 'Hash bucket of a tenant or person';
#include "functions/cp_flagging_active/latest.sql"
#include "functions/cp_tenant_bucket/1.0.sql"
#include "functions/cp_person_bucket/1.0.sql"

-- Lock (in ascending order, waiting for concurrent flaggers) and touch buckets.
#include "functions/cp_lock_buckets/1.0.sql"

-- The evaluation flagging compares with, run by RETURN QUERY so that it may
-- use a parallel plan (inside cp_flag's data-modifying statement it could not).
#include "functions/cp_evaluate_for_flags/1.0.sql"

-- Re-evaluate partners (NULL: every partner) as of a date with the configured
-- window; log and notify each change; returns the number of changes.
#include "functions/cp_flag/1.0.sql"
#include "functions/cp_refresh_levels/1.0.sql"

-- Flag what changed links can affect: lock the buckets of the tenants and
-- persons (waiting for writers that share one), then, with a fresh snapshot,
-- find their partners -- unless the changed rows named them -- and flag.
#include "functions/cp_flag_links/1.0.sql"

-- The trigger of every table, after each statement.  TG_ARGV[0] names the
-- rows' link column (tenant_id, person_id, or none); TG_ARGV[1] says whether
-- the rows name the partners they affect ('named': partner_id) or these are
-- found from the links ('linked').
#include "functions/cp_flag_trigger/1.0.sql"

-- The triggers, every name qualified (the script runs with search_path set to
-- the target schema, where others may have created functions and operators).
-- The schema goes in as an argument of format(), never into its pattern.
DO $$
DECLARE
    s constant text := '@extschema@';
    t text[];
BEGIN
    FOREACH t SLICE 1 IN ARRAY ARRAY[['partner', 'none', 'named'],
                                     ['association', 'tenant_id', 'named'],
                                     ['usage', 'tenant_id', 'linked'],
                                     ['person', 'person_id', 'named'],
                                     ['credential', 'person_id', 'linked']] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_insert AFTER INSERT ON %4$s.cp_%1$s
                        REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_update AFTER UPDATE ON %4$s.cp_%1$s
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_delete AFTER DELETE ON %4$s.cp_%1$s
                        REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_truncate AFTER TRUNCATE ON %4$s.cp_%1$s
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
    END LOOP;
END
$$;

-- Only roles granted these may write the flag tables through them.
REVOKE EXECUTE ON FUNCTION cp_lock_buckets(integer[]), cp_flag(bigint[], date),
    cp_evaluate_for_flags(date, integer, bigint[]),
    cp_refresh_levels(date), cp_flag_links(uuid[], bigint[], bigint[]), cp_flag_trigger()
    FROM PUBLIC;
