/* sql/install/competency--1.5--1.6.sql: the evaluation written once (cp_partner_figures, which cp_evaluate, the membership status, the dashboard view and flagging share), "in force on a day" stated once (cp_in_period), flagging's steps in functions of their own passing rows of a composite type, no function over 80 lines */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.6'" to load this file. \quit

#include "common/schema_warning.sql"

-------------------------------------------------------------------------------
-- The evaluation, once: as_of's figures and level, and with project its
-- membership and projection, for cp_evaluate (without), cp_membership_status,
-- the dashboard view and flagging (with).
-------------------------------------------------------------------------------

#include "functions/cp_in_period/latest.sql"
#include "functions/cp_partner_usage/1.6.sql"
#include "functions/cp_partner_credentials/1.6.sql"
#include "functions/cp_partner_figures/1.6.sql"
#include "functions/cp_evaluate_partners/1.6.sql"
#include "functions/cp_membership_status/1.6.sql"
#include "views/cp_partner_status/1.6.sql"

-------------------------------------------------------------------------------
-- Flagging: evaluate, log level changes, log status changes, keep; each a
-- function of its own, the evaluation passed as an array of rows.
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.cp_evaluation AS (
    partner_id            bigint,
    level                 @extschema@.competency_level,
    active_entitlements   bigint,
    qualified_individuals integer,
    held_level            @extschema@.competency_level,
    ends_on               date,
    projected_level       @extschema@.competency_level,
    status                text
);
COMMENT ON TYPE @extschema@.cp_evaluation IS
  'Internal: a partner''s level, figures and membership status as flagging evaluates and keeps them';

DROP FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]);
#include "functions/cp_evaluate_for_flags/1.6.sql"
#include "functions/cp_log_levels/1.6.sql"
#include "functions/cp_log_statuses/latest.sql"
#include "functions/cp_keep_evaluations/1.6.sql"
#include "functions/cp_flag/1.6.sql"

-- nothing reads it any more
DROP FUNCTION @extschema@.cp_status_partners(date, integer, bigint[]);

-------------------------------------------------------------------------------
-- Explanations, with "in force on a day" as cp_in_period says it; what moves
-- the figures to the renewal date, by tenants and by persons.
-------------------------------------------------------------------------------

#include "functions/cp_explain/1.6.sql"
#include "functions/cp_associated_on/1.6.sql"
#include "functions/cp_qualified_on/1.6.sql"
#include "functions/cp_risk_tenants/1.6.sql"
#include "functions/cp_risk_persons/1.6.sql"
#include "functions/cp_explain_risk/1.6.sql"

-------------------------------------------------------------------------------
-- The checks of triggers and of foreign keys apart; the competency import's
-- row checks apart from its load.
-------------------------------------------------------------------------------

#include "functions/cp_check_references/latest.sql"
#include "functions/cp_check_triggers/latest.sql"
#include "functions/cp_take_checked_competency/latest.sql"
#include "functions/cp_load_partner_center_competency/latest.sql"

#include "common/closed_to_public.sql"
