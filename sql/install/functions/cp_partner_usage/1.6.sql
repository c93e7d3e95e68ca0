-- Each partner's active entitlements as of as_of, from the usage rows
-- current as of as_of of the tenants it has an association active on as_of
-- (n) and, when project is true, on the date its figures are projected to
-- (pn).  A tenant with several associations joins its rows several times;
-- the aggregate keeps the largest of equal measurements, so they count
-- once.  With project false (a constant once inlined) the planner drops the
-- projection's join and aggregate.
CREATE FUNCTION @extschema@.cp_partner_usage(as_of date, window_days integer,
                                             partner_ids bigint[], project boolean)
RETURNS TABLE (partner_id bigint, n bigint, pn bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT a.partner_id,
       @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku, u.active_users::pg_catalog.int8,
                                         u.is_trial, u.measured_on)
         FILTER (WHERE NOT project OR @extschema@.cp_in_period(a.valid_from, a.valid_until, as_of)),
       @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku, u.active_users::pg_catalog.int8,
                                         u.is_trial, u.measured_on)
         FILTER (WHERE project AND @extschema@.cp_in_period(a.valid_from, a.valid_until, ah.projected_on))
FROM @extschema@.cp_association a
LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ah
       ON ah.partner_id OPERATOR(pg_catalog.=) a.partner_id AND project
JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
WHERE (@extschema@.cp_in_period(a.valid_from, a.valid_until, as_of)
       OR (project AND @extschema@.cp_in_period(a.valid_from, a.valid_until, ah.projected_on)))
  AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
  AND u.measured_on OPERATOR(pg_catalog.>)
      @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text)
  AND u.measured_on OPERATOR(pg_catalog.<=) as_of
GROUP BY a.partner_id
$$;
COMMENT ON FUNCTION @extschema@.cp_partner_usage(date, integer, bigint[], boolean) IS
  'Internal: each partner''s active entitlements as of a date, and (project) over the tenants associated on the date its figures are projected to';
