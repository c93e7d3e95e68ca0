/* sql/competency--1.1--1.2.sql: the Partner Center import reads dates the same in every session; cp_evaluate_series steps as generate_series over dates does */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.2'" to load this file. \quit

-- The UTC date of a timestamp written in text (no offset: UTC); NULL if it
-- is not one.  Called once per distinct value of a report.  Numeric dates
-- are read month first whatever the session's DateStyle, and PostgreSQL's
-- special words (now, today, tomorrow, yesterday, epoch, infinity, allballs)
-- name no time a report was processed: they are not dates here.  A
-- fraction of a second finer than microseconds (.NET writes seven digits)
-- is cut, not rounded, so that 23:59:59.9999999 stays on its day.
#include "functions/cp_utc_date/1.2.sql"

-- Fields are trimmed of ASCII whitespace (space, tab, line feed, carriage
-- return, form feed, vertical tab): a field of only whitespace is blank.
#include "functions/cp_load_partner_center_usage/1.2.sql"

-- The points are those of generate_series(start, stop, step) over dates, as
-- PostgreSQL resolves it: timestamp with time zone, in the session's time
-- zone (the same days as before for steps of whole days, months and years;
-- a step with hours in it now crosses a daylight-saving change as that
-- generate_series does).
#include "functions/cp_evaluate_series/1.2.sql"
