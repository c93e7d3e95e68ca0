/* competency--1.0--1.1.sql: for analysts and dashboards */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- For analysts and dashboards: explanations, the status view, series, imports
-------------------------------------------------------------------------------

#include "functions/cp_workload/latest.sql"
#include "functions/cp_credential/latest.sql"
#include "functions/cp_require_step/1.1.sql"
#include "functions/cp_explain/1.1.sql"
#include "views/cp_partner_status/1.1.sql"
REVOKE ALL ON cp_partner_status FROM PUBLIC;
#include "functions/cp_evaluate_series/1.1.sql"

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
#include "functions/cp_utc_date/1.1.sql"
#include "functions/cp_load_partner_center_usage/1.1.sql"
