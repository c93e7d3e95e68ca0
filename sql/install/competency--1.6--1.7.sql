/* sql/install/competency--1.6--1.7.sql: dashboards from kept state (cp_partner_status_kept), the date each kept evaluation holds for, "next level" and "shortfall" stated once */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.7'" to load this file. \quit

#include "common/schema_warning.sql"

-- The date each kept level and status hold for (NULL for rows kept before
-- this version, until their next evaluation).
ALTER TABLE @extschema@.cp_partner_level ADD COLUMN as_of date;
COMMENT ON COLUMN @extschema@.cp_partner_level.as_of IS
  'The date the kept level and status were evaluated as of; NULL if kept before version 1.7 and not evaluated since';

#include "functions/cp_next_targets/1.7.sql"
#include "functions/cp_partner_figures/1.7.sql"

-- flagging keeps the date too
DROP FUNCTION @extschema@.cp_keep_evaluations(@extschema@.cp_evaluation[]);
#include "functions/cp_keep_evaluations/1.7.sql"
#include "functions/cp_flag/1.7.sql"

#include "views/cp_partner_status_kept/1.7.sql"
REVOKE ALL ON @extschema@.cp_partner_status_kept FROM PUBLIC;

-- a NULL or infinite date refused even when no row would be read
#include "functions/cp_explain/1.7.sql"

-- nothing has called it since 1.5 (cp_window_start checks the window)
DROP FUNCTION @extschema@.cp_require_window(integer);

#include "common/closed_to_public.sql"
