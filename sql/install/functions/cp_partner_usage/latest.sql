-- Each partner's active entitlements as of as_of under rule_set, from the
-- usage rows current as of as_of of the tenants it has an association
-- active on as_of of a kind the set counts (n) and, when project is true, under
-- the set in force on the date its figures are projected to, over the
-- tenants associated then by the kinds that set counts (pn).  A tenant
-- with several associations joins its rows several times; the aggregate
-- keeps the largest of equal measurements, so they count once.  With
-- project false (a constant once inlined) the planner drops the
-- projection's join and aggregate.  rule_set is evaluated per row (a
-- constant, or cp_rule_set_on of a date, cached): nothing joined, nothing
-- passed as a parameter, so that the plan is the one without rule sets.
CREATE FUNCTION @extschema@.cp_partner_usage(as_of date, window_days integer, partner_ids bigint[],
                                             project boolean, rule_set text)
RETURNS TABLE (partner_id bigint, n bigint, pn bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT a.partner_id,
       @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku, u.active_users::pg_catalog.int8,
                                         u.is_trial, u.measured_on, rule_set)
         FILTER (WHERE NOT project OR (@extschema@.cp_in_period(a.valid_from, a.valid_until, as_of)
                                        AND @extschema@.cp_kind_counted(a.kind, rule_set))),
       @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku, u.active_users::pg_catalog.int8,
                                         u.is_trial, u.measured_on, ah.projected_rule_set)
         FILTER (WHERE project AND @extschema@.cp_in_period(a.valid_from, a.valid_until, ah.projected_on)
                       AND @extschema@.cp_kind_counted(a.kind, ah.projected_rule_set))
FROM @extschema@.cp_association a
LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ah
       ON ah.partner_id OPERATOR(pg_catalog.=) a.partner_id AND project
JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
WHERE ((@extschema@.cp_in_period(a.valid_from, a.valid_until, as_of) AND @extschema@.cp_kind_counted(a.kind, rule_set))
       OR (project AND @extschema@.cp_in_period(a.valid_from, a.valid_until, ah.projected_on)
           AND @extschema@.cp_kind_counted(a.kind, ah.projected_rule_set)))
  AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
  AND u.measured_on OPERATOR(pg_catalog.>)
      @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text)
  AND u.measured_on OPERATOR(pg_catalog.<=) as_of
GROUP BY a.partner_id
$$;
COMMENT ON FUNCTION @extschema@.cp_partner_usage(date, integer, bigint[], boolean, text) IS
  'Internal: each partner''s active entitlements as of a date under a rule set (by the kinds of association it counts), and (project) over the tenants associated on the date its figures are projected to, under the set in force then';
