CREATE OR REPLACE FUNCTION @extschema@.cp_load_partner_center_usage()
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
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
    SELECT s.v, @extschema@.cp_utc_date(s.v) AS day
    FROM (SELECT DISTINCT t.t_when AS v FROM trimmed t) s
),
checked AS (
    SELECT t.*, d.day,
           CASE
               WHEN t.t_tenant IS NULL OR t.t_workload IS NULL OR t.t_product IS NULL
                 OR t.t_n IS NULL OR t.t_when IS NULL THEN 'missing field'
               WHEN t.t_tenant OPERATOR(pg_catalog.!~*)
                    E'^(\\{([0-9a-f]{4}-?){7}[0-9a-f]{4}\\}|([0-9a-f]{4}-?){7}[0-9a-f]{4})$' THEN 'bad tenant'
               WHEN pg_catalog.octet_length(t.t_workload) OPERATOR(pg_catalog.>) 256
                 OR pg_catalog.octet_length(t.t_product) OPERATOR(pg_catalog.>) 256 THEN 'too long'
               WHEN t.t_n OPERATOR(pg_catalog.!~) E'^[+-]?[0-9]+(\\.0*)?$' THEN 'bad number'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.<) 0 THEN 'negative'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.>) 2147483647 THEN 'bad number'
               WHEN d.day IS NULL THEN 'bad date'
           END AS reason
    FROM trimmed t LEFT JOIN days d ON d.v OPERATOR(pg_catalog.=) t.t_when
),
loaded AS (
    INSERT INTO @extschema@.cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
    SELECT c.t_tenant::uuid, c.t_workload, c.t_product,
           coalesce(c."productName" OPERATOR(pg_catalog.~*) '(^|[^[:alnum:]])trial([^[:alnum:]]|$)', false),
           c.t_n::numeric::integer, c.day
    FROM checked c WHERE c.reason IS NULL
    RETURNING 1
),
rejected AS (
    INSERT INTO @extschema@.cp_partner_center_reject
        ("customerTenantId", "customerName", "workloadCode", "workloadName", "serviceCode",
         "serviceName", channel, "productId", "productName", "licensesActive",
         "licensesQualified", "processedDateTime", reason, staged_by)
    SELECT c."customerTenantId", c."customerName", c."workloadCode", c."workloadName", c."serviceCode",
           c."serviceName", c.channel, c."productId", c."productName", c."licensesActive",
           c."licensesQualified", c."processedDateTime", c.reason, @extschema@.cp_staging_role()
    FROM checked c WHERE c.reason IS NOT NULL
    RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM loaded), (SELECT pg_catalog.count(*) FROM rejected)
$$;
COMMENT ON FUNCTION @extschema@.cp_load_partner_center_usage() IS
  'Moves every row the caller staged in cp_partner_center_usage into cp_usage or, with a reason, into cp_partner_center_reject; returns the counts';
