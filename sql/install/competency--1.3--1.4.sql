/* sql/competency--1.3--1.4.sql: the membership lifecycle: granted levels, their status and risk, status changes flagged, the competency summary import */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.4'" to load this file. \quit

-------------------------------------------------------------------------------
-- Memberships: the levels Microsoft granted, for [started_on, ends_on).
-------------------------------------------------------------------------------

#include "functions/cp_grace_days/latest.sql"
#include "functions/cp_is_cloud_productivity/latest.sql"
#include "functions/cp_granted_level/latest.sql"

CREATE TABLE @extschema@.cp_membership (
    partner_id bigint NOT NULL
               REFERENCES @extschema@.cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    level      @extschema@.competency_level NOT NULL
               CONSTRAINT cp_membership_level_check
               CHECK (level OPERATOR(pg_catalog.>) 'none'::@extschema@.competency_level),
    started_on date NOT NULL,
    ends_on    date NOT NULL,
    CONSTRAINT cp_membership_period_check CHECK (ends_on OPERATOR(pg_catalog.>) started_on),
    CONSTRAINT cp_membership_finite_check
        CHECK (pg_catalog.isfinite(started_on) AND pg_catalog.isfinite(ends_on)),
    -- no two rows of a partner overlap, also between concurrent
    -- transactions (int8range and daterange have GiST support in core)
    CONSTRAINT cp_membership_no_overlap EXCLUDE USING gist (
        pg_catalog.int8range(partner_id, partner_id, '[]') WITH OPERATOR(pg_catalog.&&),
        pg_catalog.daterange(started_on, ends_on) WITH OPERATOR(pg_catalog.&&))
);
CREATE INDEX cp_membership_partner_idx ON @extschema@.cp_membership (partner_id, ends_on);
COMMENT ON TABLE @extschema@.cp_membership IS
  'Levels granted to partners for a membership year [started_on, ends_on); a partner''s rows never overlap';
COMMENT ON COLUMN @extschema@.cp_membership.partner_id IS 'Partner';
COMMENT ON COLUMN @extschema@.cp_membership.level IS 'Level granted: silver or gold';
COMMENT ON COLUMN @extschema@.cp_membership.started_on IS 'First day the level is held';
COMMENT ON COLUMN @extschema@.cp_membership.ends_on IS 'First day it is no longer held (the renewal date, the anniversary); grace follows';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_membership', '');
REVOKE ALL ON @extschema@.cp_membership FROM PUBLIC;

-- Each partner's last known status, beside its last known level.
ALTER TABLE @extschema@.cp_partner_level
    ADD COLUMN held_level @extschema@.competency_level NOT NULL
        DEFAULT 'none'::@extschema@.competency_level,
    ADD COLUMN ends_on date,
    ADD COLUMN projected_level @extschema@.competency_level,
    ADD COLUMN status text NOT NULL DEFAULT 'not_held';
COMMENT ON TABLE @extschema@.cp_partner_level IS
  'Last known level and membership status of each partner, kept by flagging; a partner without a row is at none and not_held';
COMMENT ON COLUMN @extschema@.cp_partner_level.held_level IS 'Held level at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.ends_on IS 'Renewal date of the held level at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.projected_level IS 'Projected level at the renewal date at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.status IS 'Membership status at the last evaluation';

CREATE TABLE @extschema@.cp_status_change (
    change_id       bigserial PRIMARY KEY,
    partner_id      bigint NOT NULL,
    old_status      text NOT NULL,
    new_status      text NOT NULL,
    held_level      @extschema@.competency_level NOT NULL,
    level           @extschema@.competency_level NOT NULL,
    projected_level @extschema@.competency_level,
    changed_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX cp_status_change_partner_idx ON @extschema@.cp_status_change (partner_id, change_id);
COMMENT ON TABLE @extschema@.cp_status_change IS
  'History of membership status changes; per partner, in change_id order, each old_status is the previous new_status';
COMMENT ON COLUMN @extschema@.cp_status_change.change_id IS 'Order of changes';
COMMENT ON COLUMN @extschema@.cp_status_change.partner_id IS 'Partner (no foreign key: history outlives the partner)';
COMMENT ON COLUMN @extschema@.cp_status_change.old_status IS 'Status before the change';
COMMENT ON COLUMN @extschema@.cp_status_change.new_status IS 'Status after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.held_level IS 'Held level after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.level IS 'Level after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.projected_level IS 'Projected level at the renewal date after the change; NULL when no level is held';
COMMENT ON COLUMN @extschema@.cp_status_change.changed_at IS 'When the change was flagged';
COMMENT ON SEQUENCE @extschema@.cp_status_change_change_id_seq IS 'Numbers status changes in the order they were flagged';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_status_change', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_status_change_change_id_seq', '');
REVOKE ALL ON @extschema@.cp_status_change FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.cp_status_change_change_id_seq FROM PUBLIC;

-------------------------------------------------------------------------------
-- Status.  Inlinable SQL functions, so every name is schema-qualified.
-------------------------------------------------------------------------------

-- The level each partner holds as of a date: the row that covers it, else
-- the latest that ended within the grace period; and the date its figures
-- are projected to (the renewal date; in grace, the date itself).
#include "functions/cp_held/1.4.sql"

-- Every column of cp_evaluate and of cp_membership_status in one pass over
-- the usage rows: each aggregate runs twice, over the associations and
-- credentials of as_of and over those of the projection date (FILTER).
#include "functions/cp_status_partners/1.4.sql"
#include "functions/cp_membership_status/1.4.sql"

-- Internal helpers of cp_explain_risk.
#include "functions/cp_associated_on/1.4.sql"
#include "functions/cp_qualified_on/1.4.sql"

-- What moves the figures between as_of and the projection date.
#include "functions/cp_explain_risk/1.4.sql"

-- The dashboard view gains the membership columns (one pass, as above).
#include "views/cp_partner_status/1.4.sql"

-------------------------------------------------------------------------------
-- Flagging of status changes, with level changes and in the same way.
-------------------------------------------------------------------------------

DROP FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]);
#include "functions/cp_evaluate_for_flags/1.4.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]) FROM PUBLIC;

-- Re-evaluate partners (NULL: every partner) as of a date with flagging's
-- window; log and notify each level change, then each status change (the
-- level's first); store both; return the number of level changes.
#include "functions/cp_flag/1.4.sql"

-- A write can change a projection too: usage of a tenant whose association
-- starts after today (before a renewal date), so the partners of a tenant
-- are those of every association not over by today.
#include "functions/cp_flag_links/latest.sql"

DO $$
DECLARE
    op text;
BEGIN
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cp_flag_%1$s AFTER %2$s ON %3$s.cp_membership REFERENCING %4$s '
            'FOR EACH STATEMENT EXECUTE FUNCTION %3$s.cp_flag_trigger(%5$L, %6$L)',
            op, pg_catalog.upper(op), '@extschema@',
            CASE WHEN op OPERATOR(pg_catalog.=) 'insert' THEN 'NEW TABLE AS new_rows'
                 WHEN op OPERATOR(pg_catalog.=) 'delete' THEN 'OLD TABLE AS old_rows'
                 ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
            'none', 'named');
    END LOOP;
END
$$;
CREATE TRIGGER cp_flag_truncate AFTER TRUNCATE ON @extschema@.cp_membership
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.cp_flag_trigger('none', 'named');

-------------------------------------------------------------------------------
-- Partner Center's competency summary and history report: staged by each
-- loader as its own rows, in file order, and loaded for one partner.
-------------------------------------------------------------------------------

CREATE TABLE @extschema@.cp_partner_center_competency_staged (
    line                  bigserial,
    "CompetencyName"      text,
    "CompetencyLevel"     text,
    "CompetencyStatus"    text,
    "CompetencyStartDate" text,
    "CompetencyEndDate"   text,
    staged_by             name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE @extschema@.cp_partner_center_competency_staged IS
  'Internal: competency report rows staged through cp_partner_center_competency, in file order, with the role that staged each';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged.line IS 'Order staged (file order)';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyName" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyLevel" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyStatus" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyStartDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyEndDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged.staged_by IS 'Role that staged the row';
COMMENT ON SEQUENCE @extschema@.cp_partner_center_competency_staged_line_seq IS 'Numbers staged competency rows in file order';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_staged', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_staged_line_seq', '');
REVOKE ALL ON @extschema@.cp_partner_center_competency_staged FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.cp_partner_center_competency_staged_line_seq FROM PUBLIC;
#include "views/cp_partner_center_competency/latest.sql"
REVOKE ALL ON @extschema@.cp_partner_center_competency FROM PUBLIC;
#include "functions/cp_stage_competency_row/latest.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_stage_competency_row() FROM PUBLIC;
CREATE TRIGGER cp_stage_competency_row INSTEAD OF INSERT ON @extschema@.cp_partner_center_competency
    FOR EACH ROW EXECUTE FUNCTION @extschema@.cp_stage_competency_row();

-- Takes (deletes and returns) the caller's staged rows, in file order.
#include "functions/cp_take_staged_competency/latest.sql"
REVOKE EXECUTE ON FUNCTION @extschema@.cp_take_staged_competency() FROM PUBLIC;

CREATE TABLE @extschema@.cp_partner_center_competency_reject (
    partner_id            bigint,
    "CompetencyName"      text,
    "CompetencyLevel"     text,
    "CompetencyStatus"    text,
    "CompetencyStartDate" text,
    "CompetencyEndDate"   text,
    reason                text NOT NULL,
    staged_by             name
);
COMMENT ON TABLE @extschema@.cp_partner_center_competency_reject IS
  'Staged competency report rows that were not loaded, as staged, with the partner they were loaded for and the reason';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.partner_id IS 'Partner the report was loaded for';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyName" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyLevel" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyStatus" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyStartDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyEndDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.reason IS
  'missing field, other competency, bad level, bad date or overlap';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.staged_by IS 'Role that staged and loaded the row';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_reject', '');
REVOKE ALL ON @extschema@.cp_partner_center_competency_reject FROM PUBLIC;

-- Rows in file order: each is checked against the partner's stored rows and
-- the rows of this load accepted so far; the accepted ones are inserted in
-- one statement (so flagged once).
#include "functions/cp_load_partner_center_competency/1.4.sql"
