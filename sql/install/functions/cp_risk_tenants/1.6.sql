-- The tenants whose association state (the union of all the partner's
-- association rows, any kind) differs between as_of and e: whether it is
-- associated now, the first date in (as_of, e] from which its state is e's
-- through e, and its figure from the usage rows current as of as_of.
CREATE FUNCTION @extschema@.cp_risk_tenants(partner_id bigint, as_of date, e date)
RETURNS TABLE (tenant_id uuid, now_on boolean, effective_on date, entitlements bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH moved AS (
    SELECT a.tenant_id,
           pg_catalog.bool_or(@extschema@.cp_in_period(a.valid_from, a.valid_until, cp_risk_tenants.as_of)) AS now_on
    FROM @extschema@.cp_association a
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_risk_tenants.partner_id
    GROUP BY a.tenant_id
    HAVING pg_catalog.bool_or(@extschema@.cp_in_period(a.valid_from, a.valid_until, cp_risk_tenants.as_of))
           OPERATOR(pg_catalog.<>)
           pg_catalog.bool_or(@extschema@.cp_in_period(a.valid_from, a.valid_until, cp_risk_tenants.e))
),
figures AS (
    SELECT u.tenant_id,
           @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku, u.active_users::pg_catalog.int8,
                                             u.is_trial, u.measured_on) AS f
    FROM @extschema@.cp_usage u
    WHERE u.tenant_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.tenant_id FROM moved m))
      AND u.measured_on OPERATOR(pg_catalog.>)
          @extschema@.cp_window_start(cp_risk_tenants.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text)
      AND u.measured_on OPERATOR(pg_catalog.<=) cp_risk_tenants.as_of
    GROUP BY u.tenant_id
)
-- the last day in (as_of, e] on which the tenant's state changes
SELECT m.tenant_id, m.now_on,
       (SELECT pg_catalog.max(d.d)
        FROM (SELECT a.valid_from AS d FROM @extschema@.cp_association a
              WHERE a.partner_id OPERATOR(pg_catalog.=) cp_risk_tenants.partner_id
                AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id
              UNION
              SELECT a.valid_until FROM @extschema@.cp_association a
              WHERE a.partner_id OPERATOR(pg_catalog.=) cp_risk_tenants.partner_id
                AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id) d
        WHERE d.d OPERATOR(pg_catalog.>) cp_risk_tenants.as_of
          AND d.d OPERATOR(pg_catalog.<=) cp_risk_tenants.e
          AND @extschema@.cp_associated_on(cp_risk_tenants.partner_id, m.tenant_id, d.d)
              OPERATOR(pg_catalog.<>)
              @extschema@.cp_associated_on(cp_risk_tenants.partner_id, m.tenant_id,
                                           d.d OPERATOR(pg_catalog.-) 1)),
       coalesce(f.f, 0::pg_catalog.int8)
FROM moved m LEFT JOIN figures f ON f.tenant_id OPERATOR(pg_catalog.=) m.tenant_id
$$;
COMMENT ON FUNCTION @extschema@.cp_risk_tenants(bigint, date, date) IS
  'Internal: the tenants whose association with the partner differs between two dates, with the date the change holds from and the tenant''s figure';
