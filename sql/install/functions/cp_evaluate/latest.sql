CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[])
$$;
