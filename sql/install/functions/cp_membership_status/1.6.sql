CREATE OR REPLACE FUNCTION @extschema@.cp_membership_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level, ends_on date,
               level @extschema@.competency_level, projected_level @extschema@.competency_level,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.partner_id, f.held_level, f.ends_on, f.level, f.projected_level, f.status,
       f.entitlements_margin, f.individuals_margin, f.projected_entitlements, f.projected_individuals
FROM @extschema@.cp_partner_figures(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[], true) f
$$;
COMMENT ON FUNCTION @extschema@.cp_membership_status(date) IS
  'Every partner''s held level, renewal date, level, projected level at the renewal date, status (not_held, in_grace, at_risk, upgrade_available, secure), margins over the held level''s requirements and projected figures, as of a date';
