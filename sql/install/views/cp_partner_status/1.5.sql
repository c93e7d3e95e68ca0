CREATE OR REPLACE VIEW @extschema@.cp_partner_status AS
SELECT s.partner_id, p.name, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level, s.entitlements_short, s.individuals_short,
       s.held_level, s.ends_on, s.status, s.projected_level
FROM @extschema@.cp_status_partners(CURRENT_DATE, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[]) s
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_id;
