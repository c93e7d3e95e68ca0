-- cp_partner_status read from what flagging kept, not evaluated: the kept
-- figures, level and status of every partner, what the next level still
-- needs derived from them, and the date they hold for.  A partner never
-- evaluated shows figures 0, level none, status not_held, no date.
CREATE VIEW @extschema@.cp_partner_status_kept AS
SELECT p.partner_id, p.name, p.market, k.active_entitlements, k.qualified_individuals,
       k.level, t.next_level, t.entitlements_short, t.individuals_short,
       k.held_level, k.ends_on, k.status, k.projected_level, k.as_of, k.evaluated_at
FROM @extschema@.cp_partner p
LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) p.partner_id
CROSS JOIN LATERAL (
    SELECT coalesce(pl.active_entitlements, 0::pg_catalog.int8) AS active_entitlements,
           coalesce(pl.qualified_individuals, 0) AS qualified_individuals,
           coalesce(pl.level, 'none'::@extschema@.competency_level) AS level,
           coalesce(pl.held_level, 'none'::@extschema@.competency_level) AS held_level,
           pl.ends_on,
           coalesce(pl.status, 'not_held'::pg_catalog.text) AS status,
           pl.projected_level, pl.as_of, pl.evaluated_at
) k
CROSS JOIN LATERAL @extschema@.cp_next_targets(k.level, p.market, k.active_entitlements, k.qualified_individuals) t;
COMMENT ON VIEW @extschema@.cp_partner_status_kept IS
  'cp_partner_status as flagging last kept it, without evaluating (for dashboards that read often): every partner, figures 0 and not_held if never evaluated';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.partner_id IS 'Partner';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.name IS 'Partner name';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.market IS 'Market the partner is evaluated in';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.active_entitlements IS 'Active entitlements as kept (0 if never evaluated)';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.qualified_individuals IS 'Qualified individuals as kept (0 if never evaluated)';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.level IS 'Level as kept (none if never evaluated)';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.next_level IS 'The next level up; NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.entitlements_short IS 'Active entitlements the kept figures still miss for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.individuals_short IS 'Qualified individuals the kept figures still miss for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.held_level IS 'Held level as kept; none if none';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.ends_on IS 'Renewal date of the held level as kept; NULL if none is held';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.status IS 'Status as kept: not_held, in_grace, at_risk, upgrade_available or secure';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.projected_level IS 'Projected level as kept; NULL if none is held';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.as_of IS 'The date the kept evaluation holds for; NULL if never evaluated, or kept before version 1.7 and not evaluated since';
COMMENT ON COLUMN @extschema@.cp_partner_status_kept.evaluated_at IS 'When it was kept; NULL if never evaluated';
