-- Why each usage row of a partner's tenants counts or not, under the rule
-- set in force on as_of: its workloads, and the association kinds it
-- counts (a tenant associated only by a kind it does not count has no
-- active association).  Every tenant of any association row is listed.
CREATE OR REPLACE FUNCTION @extschema@.cp_explain(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (tenant_id uuid, workload text, sku text, measured_on date,
               active_users integer, counted boolean, reason text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH rules AS MATERIALIZED (
    SELECT @extschema@.cp_rule_set_on(coalesce(cp_explain.as_of, '-infinity'::pg_catalog.date)) AS rule_set
),
tenants AS (
    SELECT a.tenant_id,
           pg_catalog.bool_or(@extschema@.cp_in_period(a.valid_from, a.valid_until, cp_explain.as_of)
                              AND @extschema@.cp_kind_counted(a.kind, k.rule_set)) AS active
    FROM @extschema@.cp_association a CROSS JOIN rules k
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain.partner_id
      -- folded while planning: a NULL or infinite date is refused even
      -- when no row would be read
      AND @extschema@.cp_require_date(cp_explain.as_of, 'as_of'::pg_catalog.text)
      AND @extschema@.cp_window_start(cp_explain.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text) IS NOT NULL
    GROUP BY a.tenant_id
),
rows AS (
    SELECT u.tenant_id, u.workload, u.sku, u.measured_on, u.active_users,
           @extschema@.cp_workload(u.workload, k.rule_set) AS canonical, u.ctid AS rid,
           CASE
               WHEN u.is_trial THEN 'trial'::pg_catalog.text
               WHEN @extschema@.cp_workload(u.workload, k.rule_set) IS NULL THEN 'ineligible_workload'
               WHEN NOT t.active THEN 'no_active_association'
               WHEN u.measured_on OPERATOR(pg_catalog.<=)
                    @extschema@.cp_window_start(cp_explain.as_of, @extschema@.cp_usage_window(),
                                                'as_of'::pg_catalog.text) THEN 'stale'
               WHEN u.measured_on OPERATOR(pg_catalog.>) cp_explain.as_of THEN 'future'
           END AS excluded
    FROM tenants t JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
    CROSS JOIN rules k
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
                CASE WHEN NOT l.is_latest THEN 'superseded'::pg_catalog.text
                     WHEN h.canonical OPERATOR(pg_catalog.<>) r.canonical THEN 'not_highest_workload' END)
FROM rows r
LEFT JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid
LEFT JOIN highest h ON h.tenant_id OPERATOR(pg_catalog.=) r.tenant_id
ORDER BY r.tenant_id, r.canonical COLLATE pg_catalog."C" NULLS LAST, r.workload COLLATE pg_catalog."C",
         r.sku COLLATE pg_catalog."C", r.measured_on DESC, r.active_users DESC, 6 DESC
$$;
COMMENT ON FUNCTION @extschema@.cp_explain(bigint, date) IS
  'Every usage row of the tenants a partner has ever been associated with, whether it counts as of the date and, if not, why (trial, ineligible_workload, no_active_association, stale, future, superseded, not_highest_workload); counted rows sum to the partner''s active entitlements; under the rule set in force on the date';
