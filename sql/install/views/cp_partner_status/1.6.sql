CREATE OR REPLACE VIEW @extschema@.cp_partner_status AS
SELECT f.partner_id, p.name, f.market, f.active_entitlements, f.qualified_individuals,
       f.level, f.next_level, f.entitlements_short, f.individuals_short,
       f.held_level, f.ends_on, f.status, f.projected_level
FROM @extschema@.cp_partner_figures(CURRENT_DATE, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[], true) f
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) f.partner_id;
COMMENT ON VIEW @extschema@.cp_partner_status IS
  'Every partner''s level and membership status today, with its name and what is still missing for the next level (for BI dashboards)';
COMMENT ON COLUMN @extschema@.cp_partner_status.partner_id IS 'Partner';
COMMENT ON COLUMN @extschema@.cp_partner_status.name IS 'Partner name';
COMMENT ON COLUMN @extschema@.cp_partner_status.market IS 'Market the partner is evaluated in';
COMMENT ON COLUMN @extschema@.cp_partner_status.active_entitlements IS 'Active entitlements today';
COMMENT ON COLUMN @extschema@.cp_partner_status.qualified_individuals IS 'Qualified individuals today';
COMMENT ON COLUMN @extschema@.cp_partner_status.level IS 'Level today';
COMMENT ON COLUMN @extschema@.cp_partner_status.next_level IS 'The next level up; NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status.entitlements_short IS 'Active entitlements still needed for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status.individuals_short IS 'Qualified individuals still needed for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN @extschema@.cp_partner_status.held_level IS 'Level held today (with grace); none if none';
COMMENT ON COLUMN @extschema@.cp_partner_status.ends_on IS 'Renewal date of the held level; NULL if none is held';
COMMENT ON COLUMN @extschema@.cp_partner_status.status IS 'not_held, in_grace, at_risk, upgrade_available or secure';
COMMENT ON COLUMN @extschema@.cp_partner_status.projected_level IS 'Level projected at the renewal date; NULL if none is held';
