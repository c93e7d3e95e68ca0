CREATE VIEW cp_partner_status AS
SELECT e.partner_id, p.name, e.market, e.active_entitlements, e.qualified_individuals,
       e.level, e.next_level, e.entitlements_short, e.individuals_short
FROM @extschema@.cp_evaluate(current_date) e
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) e.partner_id;
COMMENT ON VIEW cp_partner_status IS
  'Every partner''s level today, with its name and what is still missing for the next level (for BI dashboards)';
COMMENT ON COLUMN cp_partner_status.partner_id IS 'Partner';
COMMENT ON COLUMN cp_partner_status.name IS 'Partner name';
COMMENT ON COLUMN cp_partner_status.market IS 'Market the partner is evaluated in';
COMMENT ON COLUMN cp_partner_status.active_entitlements IS 'Active entitlements today';
COMMENT ON COLUMN cp_partner_status.qualified_individuals IS 'Qualified individuals today';
COMMENT ON COLUMN cp_partner_status.level IS 'Level today';
COMMENT ON COLUMN cp_partner_status.next_level IS 'The next level up; NULL at gold';
COMMENT ON COLUMN cp_partner_status.entitlements_short IS 'Active entitlements still needed for next_level (0 if met); NULL at gold';
COMMENT ON COLUMN cp_partner_status.individuals_short IS 'Qualified individuals still needed for next_level (0 if met); NULL at gold';
