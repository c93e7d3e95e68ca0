/* sql/competency--1.1--1.2.sql: the Partner Center import reads dates the same in every session; cp_evaluate_series steps as generate_series over dates does */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.2'" to load this file. \quit

-- The UTC date of a timestamp written in text (no offset: UTC); NULL if it
-- is not one.  Called once per distinct value of a report.  Numeric dates
-- are read month first whatever the session's DateStyle, and PostgreSQL's
-- special words (now, today, tomorrow, yesterday, epoch, infinity, allballs)
-- name no time a report was processed: they are not dates here.  A
-- fraction of a second finer than microseconds (.NET writes seven digits)
-- is cut, not rounded, so that 23:59:59.9999999 stays on its day.
CREATE OR REPLACE FUNCTION cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT SET timezone = 'UTC' SET datestyle = 'ISO, MDY'
AS $$
DECLARE
    t timestamptz;
BEGIN
    IF value OPERATOR(pg_catalog.~*) E'\\m(now|today|tomorrow|yesterday|epoch|infinity|allballs)\\M' THEN
        RETURN NULL;
    END IF;
    -- digits of a second beyond microseconds are dropped, not rounded: a
    -- time just before midnight stays on its day
    t := pg_catalog.regexp_replace(value, E'(:[0-9]{2}[.,][0-9]{6})[0-9]+', E'\\1')::timestamptz;
    IF NOT pg_catalog.isfinite(t) THEN
        RETURN NULL;
    END IF;
    RETURN (t AT TIME ZONE 'UTC')::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_utc_date(text) IS
  'UTC date of a timestamp in text (no offset: UTC; numeric dates month first), NULL if it is not a valid, finite timestamp';

-- Fields are trimmed of ASCII whitespace (space, tab, line feed, carriage
-- return, form feed, vertical tab): a field of only whitespace is blank.
CREATE OR REPLACE FUNCTION cp_load_partner_center_usage()
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE sql
AS $$
WITH staged AS (
    DELETE FROM @extschema@.cp_partner_center_usage RETURNING *
),
trimmed AS (
    SELECT s.*,
           nullif(pg_catalog.btrim(s."customerTenantId", E' \t\n\r\f\013'), '') AS t_tenant,
           coalesce(nullif(pg_catalog.btrim(s."workloadCode", E' \t\n\r\f\013'), ''),
                    nullif(pg_catalog.btrim(s."workloadName", E' \t\n\r\f\013'), '')) AS t_workload,
           nullif(pg_catalog.btrim(s."productId", E' \t\n\r\f\013'), '') AS t_product,
           nullif(pg_catalog.btrim(s."licensesActive", E' \t\n\r\f\013'), '') AS t_n,
           nullif(pg_catalog.btrim(s."processedDateTime", E' \t\n\r\f\013'), '') AS t_when
    FROM staged s
),
days AS (
    SELECT v, @extschema@.cp_utc_date(v) AS day
    FROM (SELECT DISTINCT t_when AS v FROM trimmed) s
),
checked AS (
    SELECT t.*, d.day,
           CASE
               WHEN t.t_tenant IS NULL OR t.t_workload IS NULL OR t.t_product IS NULL
                 OR t.t_n IS NULL OR t.t_when IS NULL THEN 'missing field'
               WHEN t.t_tenant OPERATOR(pg_catalog.!~*)
                    E'^(\\{([0-9a-f]{4}-?){7}[0-9a-f]{4}\\}|([0-9a-f]{4}-?){7}[0-9a-f]{4})$' THEN 'bad tenant'
               WHEN t.t_n OPERATOR(pg_catalog.!~) E'^[+-]?[0-9]+(\\.0*)?$' THEN 'bad number'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.<) 0 THEN 'negative'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.>) 2147483647 THEN 'bad number'
               WHEN d.day IS NULL THEN 'bad date'
           END AS reason
    FROM trimmed t LEFT JOIN days d ON d.v OPERATOR(pg_catalog.=) t.t_when
),
loaded AS (
    INSERT INTO @extschema@.cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
    SELECT t_tenant::uuid, t_workload, t_product,
           coalesce("productName" OPERATOR(pg_catalog.~*) '(^|[^[:alnum:]])trial([^[:alnum:]]|$)', false),
           t_n::numeric::integer, day
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

-- The points are those of generate_series(start, stop, step) over dates, as
-- PostgreSQL resolves it: timestamp with time zone, in the session's time
-- zone (the same days as before for steps of whole days, months and years;
-- a step with hours in it now crosses a daylight-saving change as that
-- generate_series does).
CREATE OR REPLACE FUNCTION cp_evaluate_series(start date, stop date, step interval DEFAULT '1 month')
RETURNS TABLE (as_of date, partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT d.as_of, e.*
FROM (SELECT g::date AS as_of
      FROM pg_catalog.generate_series(start::timestamptz, stop::timestamptz, step) g
      WHERE @extschema@.cp_require_date(start, 'start'::text)
        AND @extschema@.cp_require_date(stop, 'stop'::text)
        AND @extschema@.cp_require_step(step)) d
CROSS JOIN LATERAL @extschema@.cp_evaluate(d.as_of) e
$$;
