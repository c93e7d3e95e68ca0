CREATE FUNCTION @extschema@.cp_membership_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level, ends_on date,
               level @extschema@.competency_level, projected_level @extschema@.competency_level,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.held_level, s.ends_on, s.level, s.projected_level, s.status,
       s.entitlements_margin, s.individuals_margin, s.projected_entitlements, s.projected_individuals
FROM @extschema@.cp_status_partners(as_of, @extschema@.cp_usage_window(), NULL::bigint[]) s
$$;
COMMENT ON FUNCTION @extschema@.cp_membership_status(date) IS
  'Every partner''s held level, renewal date, level, projected level at the renewal date, status (not_held, in_grace, at_risk, upgrade_available, secure), margins over the held level''s requirements and projected figures, as of a date';
