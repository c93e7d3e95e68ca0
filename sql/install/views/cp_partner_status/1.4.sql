CREATE OR REPLACE VIEW @extschema@.cp_partner_status AS
SELECT s.partner_id, p.name, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level, s.entitlements_short, s.individuals_short,
       s.held_level, s.ends_on, s.status, s.projected_level
FROM @extschema@.cp_status_partners(CURRENT_DATE, @extschema@.cp_usage_window(), NULL::bigint[]) s
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_id;
COMMENT ON VIEW @extschema@.cp_partner_status IS
  'Every partner''s level and membership status today, with its name and what is still missing for the next level (for BI dashboards)';
COMMENT ON COLUMN @extschema@.cp_partner_status.held_level IS 'Level held today (with grace); none if none';
COMMENT ON COLUMN @extschema@.cp_partner_status.ends_on IS 'Renewal date of the held level; NULL if none is held';
COMMENT ON COLUMN @extschema@.cp_partner_status.status IS 'not_held, in_grace, at_risk, upgrade_available or secure';
COMMENT ON COLUMN @extschema@.cp_partner_status.projected_level IS 'Level projected at the renewal date; NULL if none is held';
