CREATE OR REPLACE FUNCTION @extschema@.cp_membership_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level, ends_on date,
               level @extschema@.competency_level, projected_level @extschema@.competency_level,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.held_level, s.ends_on, s.level, s.projected_level, s.status,
       s.entitlements_margin, s.individuals_margin, s.projected_entitlements, s.projected_individuals
FROM @extschema@.cp_status_partners(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[]) s
$$;
