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
