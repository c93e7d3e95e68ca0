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
