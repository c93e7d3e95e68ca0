/* competency--1.0--1.1.sql: for analysts and dashboards */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- For analysts and dashboards (SPEC sections 3 and 5)
-------------------------------------------------------------------------------

CREATE FUNCTION cp_workload(workload text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_workload'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_workload(text) IS
  'Canonical name of an eligible workload spelling (exchange_online, sharepoint_online, skype_for_business, yammer, proplus); NULL if not eligible';

CREATE FUNCTION cp_credential(credential text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_credential'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_credential(text) IS
  'Canonical name of a qualifying credential spelling (70-346, 70-347, MCSA: Office 365); NULL otherwise';

CREATE FUNCTION cp_require_step(step interval) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_step(interval) IS
  'True for a step of at least one day; raises 22023 otherwise';

CREATE FUNCTION cp_explain(partner_id bigint, as_of date DEFAULT current_date)
RETURNS TABLE (tenant_id uuid, workload text, sku text, measured_on date,
               active_users integer, counted boolean, reason text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH tenants AS (
    SELECT a.tenant_id,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) cp_explain.as_of
                              AND (a.valid_until IS NULL
                                   OR a.valid_until OPERATOR(pg_catalog.>) cp_explain.as_of)) AS active
    FROM @extschema@.cp_association a
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain.partner_id
      AND @extschema@.cp_require_date(cp_explain.as_of, 'as_of'::text)
    GROUP BY a.tenant_id
),
rows AS (
    SELECT u.tenant_id, u.workload, u.sku, u.measured_on, u.active_users,
           @extschema@.cp_workload(u.workload) AS canonical, u.ctid AS rid,
           CASE
               WHEN u.is_trial THEN 'trial'
               WHEN @extschema@.cp_workload(u.workload) IS NULL THEN 'ineligible_workload'
               WHEN NOT t.active THEN 'no_active_association'
               WHEN u.measured_on OPERATOR(pg_catalog.<=)
                    (cp_explain.as_of OPERATOR(pg_catalog.-) @extschema@.cp_usage_window()) THEN 'stale'
               WHEN u.measured_on OPERATOR(pg_catalog.>) cp_explain.as_of THEN 'future'
           END AS excluded
    FROM tenants t JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
),
-- the latest row per (tenant, workload, SKU); of equal dates the largest,
-- of equal rows the first found
latest AS (
    SELECT r.rid,
           pg_catalog.row_number() OVER (PARTITION BY r.tenant_id, r.canonical, r.sku
                                         ORDER BY r.measured_on DESC, r.active_users DESC, r.rid)
             OPERATOR(pg_catalog.=) 1 AS is_latest
    FROM rows r WHERE r.excluded IS NULL
),
-- each tenant's highest workload; a tie goes to the first canonical name
highest AS (
    SELECT DISTINCT ON (r.tenant_id) r.tenant_id, r.canonical
    FROM rows r JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid AND l.is_latest
    GROUP BY r.tenant_id, r.canonical
    ORDER BY r.tenant_id, pg_catalog.sum(r.active_users) DESC, r.canonical COLLATE pg_catalog."C"
)
SELECT r.tenant_id, r.workload, r.sku, r.measured_on, r.active_users,
       r.excluded IS NULL AND l.is_latest AND h.canonical OPERATOR(pg_catalog.=) r.canonical,
       coalesce(r.excluded,
                CASE WHEN NOT l.is_latest THEN 'superseded'
                     WHEN h.canonical OPERATOR(pg_catalog.<>) r.canonical THEN 'not_highest_workload' END)
FROM rows r
LEFT JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid
LEFT JOIN highest h ON h.tenant_id OPERATOR(pg_catalog.=) r.tenant_id
ORDER BY r.tenant_id, r.canonical COLLATE pg_catalog."C" NULLS LAST, r.workload COLLATE pg_catalog."C",
         r.sku COLLATE pg_catalog."C", r.measured_on DESC, r.active_users DESC, 6 DESC
$$;
COMMENT ON FUNCTION cp_explain(bigint, date) IS
  'Every usage row of the tenants a partner has ever been associated with, whether it counts as of the date and, if not, why (trial, ineligible_workload, no_active_association, stale, future, superseded, not_highest_workload); counted rows sum to the partner''s active entitlements';

CREATE VIEW cp_partner_status AS
SELECT e.partner_id, p.name, e.market, e.active_entitlements, e.qualified_individuals,
       e.level, e.next_level, e.entitlements_short, e.individuals_short
FROM @extschema@.cp_evaluate(current_date) e
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) e.partner_id;
REVOKE ALL ON cp_partner_status FROM PUBLIC;
COMMENT ON VIEW cp_partner_status IS
  'Every partner''s level today, with its name and what is still missing for the next level (for BI dashboards)';
COMMENT ON COLUMN cp_partner_status.partner_id IS 'Partner';
COMMENT ON COLUMN cp_partner_status.name IS 'Partner name';
COMMENT ON COLUMN cp_partner_status.market IS 'Market the partner is evaluated in';
COMMENT ON COLUMN cp_partner_status.active_entitlements IS 'Active entitlements today';
COMMENT ON COLUMN cp_partner_status.qualified_individuals IS 'Qualified individuals today';
COMMENT ON COLUMN cp_partner_status.level IS 'Level today';
COMMENT ON COLUMN cp_partner_status.next_level IS 'The next level up; NULL at gold';
COMMENT ON COLUMN cp_partner_status.entitlements_short IS 'Active entitlements still needed for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN cp_partner_status.individuals_short IS 'Qualified individuals still needed for next_level (0 if met); NULL at gold';

CREATE FUNCTION cp_evaluate_series(start date, stop date, step interval DEFAULT '1 month')
RETURNS TABLE (as_of date, partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT d.as_of, e.*
FROM (SELECT g::date AS as_of
      FROM pg_catalog.generate_series(start::timestamp, stop::timestamp, step) g
      WHERE @extschema@.cp_require_date(start, 'start'::text)
        AND @extschema@.cp_require_date(stop, 'stop'::text)
        AND @extschema@.cp_require_step(step)) d
CROSS JOIN LATERAL @extschema@.cp_evaluate(d.as_of) e
$$;
COMMENT ON FUNCTION cp_evaluate_series(date, date, interval) IS
  'cp_evaluate at each point of generate_series(start, stop, step): levels over time, one row per partner per point';

-- Partner Center license-usage report: staged as text, loaded with checks.
CREATE TABLE cp_partner_center_usage (
    "customerTenantId"  text,
    "customerName"      text,
    "workloadCode"      text,
    "workloadName"      text,
    "serviceCode"       text,
    "serviceName"       text,
    channel             text,
    "productId"         text,
    "productName"       text,
    "licensesActive"    text,
    "licensesQualified" text,
    "processedDateTime" text
);
COMMENT ON TABLE cp_partner_center_usage IS
  'Staging for Partner Center license-usage reports, columns in the report''s order, all text: \copy cp_partner_center_usage FROM ''report.csv'' CSV HEADER, then cp_load_partner_center_usage()';
COMMENT ON COLUMN cp_partner_center_usage."customerTenantId" IS 'Customer tenant (uuid)';
COMMENT ON COLUMN cp_partner_center_usage."customerName" IS 'Customer name (not loaded)';
COMMENT ON COLUMN cp_partner_center_usage."workloadCode" IS 'Workload code; the workload when not blank';
COMMENT ON COLUMN cp_partner_center_usage."workloadName" IS 'Workload name; the workload when the code is blank';
COMMENT ON COLUMN cp_partner_center_usage."serviceCode" IS 'Service code (not loaded)';
COMMENT ON COLUMN cp_partner_center_usage."serviceName" IS 'Service name (not loaded)';
COMMENT ON COLUMN cp_partner_center_usage.channel IS 'Channel (not loaded)';
COMMENT ON COLUMN cp_partner_center_usage."productId" IS 'Product; becomes the SKU';
COMMENT ON COLUMN cp_partner_center_usage."productName" IS 'Product name; a trial when it contains the word "trial"';
COMMENT ON COLUMN cp_partner_center_usage."licensesActive" IS 'Active users (whole number, >= 0)';
COMMENT ON COLUMN cp_partner_center_usage."licensesQualified" IS 'Qualified licenses (not loaded)';
COMMENT ON COLUMN cp_partner_center_usage."processedDateTime" IS 'When measured; its UTC date is measured_on (no offset: UTC)';

CREATE TABLE cp_partner_center_reject (
    LIKE cp_partner_center_usage,
    reason text NOT NULL
);
COMMENT ON TABLE cp_partner_center_reject IS
  'Staged Partner Center rows that could not be loaded, as staged, with the reason';
-- Every name qualified; the schema goes in as an argument of format().
DO $$
DECLARE
    s constant text := '@extschema@';
    c name;
BEGIN
    FOR c IN SELECT a.attname FROM pg_catalog.pg_attribute a
             WHERE a.attrelid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_usage'::pg_catalog.regclass
               AND a.attnum OPERATOR(pg_catalog.>) 0
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.cp_partner_center_reject.%I IS %L',
                                  s, c, 'As staged');
    END LOOP;
END
$$;
COMMENT ON COLUMN cp_partner_center_reject.reason IS
  'missing field, bad tenant, bad number, negative or bad date';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_usage', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_reject', '');
REVOKE ALL ON cp_partner_center_usage, cp_partner_center_reject FROM PUBLIC;

-- The UTC date of a timestamp written in text (no offset: UTC); NULL if it
-- is not one.  Called once per distinct value of a report.
CREATE FUNCTION cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT SET timezone = 'UTC'
AS $$
BEGIN
    RETURN (value::timestamptz AT TIME ZONE 'UTC')::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_utc_date(text) IS
  'UTC date of a timestamp in text (no offset: UTC), NULL if it is not a valid timestamp';

CREATE FUNCTION cp_load_partner_center_usage()
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE sql
AS $$
WITH staged AS (
    DELETE FROM @extschema@.cp_partner_center_usage RETURNING *
),
days AS (
    SELECT v, @extschema@.cp_utc_date(v) AS day
    FROM (SELECT DISTINCT "processedDateTime" AS v FROM staged) s
),
checked AS (
    SELECT s.*, d.day,
           pg_catalog.btrim(s."customerTenantId") AS tenant,
           coalesce(nullif(pg_catalog.btrim(s."workloadCode"), ''),
                    pg_catalog.btrim(s."workloadName")) AS workload,
           pg_catalog.btrim(s."licensesActive") AS n,
           CASE
               WHEN coalesce(pg_catalog.btrim(s."customerTenantId"), '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(nullif(pg_catalog.btrim(s."workloadCode"), ''),
                             pg_catalog.btrim(s."workloadName"), '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(pg_catalog.btrim(s."productId"), '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(pg_catalog.btrim(s."licensesActive"), '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(pg_catalog.btrim(s."processedDateTime"), '') OPERATOR(pg_catalog.=) '' THEN 'missing field'
               WHEN pg_catalog.btrim(s."customerTenantId") OPERATOR(pg_catalog.!~*)
                    '^(\{([0-9a-f]{4}-?){7}[0-9a-f]{4}\}|([0-9a-f]{4}-?){7}[0-9a-f]{4})$' THEN 'bad tenant'
               WHEN pg_catalog.btrim(s."licensesActive") OPERATOR(pg_catalog.!~) '^[+-]?[0-9]+(\.0*)?$' THEN 'bad number'
               WHEN pg_catalog.btrim(s."licensesActive")::numeric OPERATOR(pg_catalog.<) 0 THEN 'negative'
               WHEN pg_catalog.btrim(s."licensesActive")::numeric OPERATOR(pg_catalog.>) 2147483647 THEN 'bad number'
               WHEN d.day IS NULL THEN 'bad date'
           END AS reason
    FROM staged s LEFT JOIN days d ON d.v OPERATOR(pg_catalog.=) s."processedDateTime"
),
loaded AS (
    INSERT INTO @extschema@.cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
    SELECT tenant::uuid, workload, pg_catalog.btrim("productId"),
           coalesce("productName" OPERATOR(pg_catalog.~*) '(^|[^[:alnum:]])trial([^[:alnum:]]|$)', false),
           n::numeric::integer, day
    FROM checked WHERE reason IS NULL
    RETURNING 1
),
rejected AS (
    INSERT INTO @extschema@.cp_partner_center_reject
    SELECT "customerTenantId", "customerName", "workloadCode", "workloadName", "serviceCode",
           "serviceName", channel, "productId", "productName", "licensesActive",
           "licensesQualified", "processedDateTime", reason
    FROM checked WHERE reason IS NOT NULL
    RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM loaded), (SELECT pg_catalog.count(*) FROM rejected)
$$;
COMMENT ON FUNCTION cp_load_partner_center_usage() IS
  'Moves every staged Partner Center row into cp_usage or, with a reason, into cp_partner_center_reject; returns the counts';
