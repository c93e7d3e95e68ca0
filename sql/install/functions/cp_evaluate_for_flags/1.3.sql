CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_for_flags(as_of date, window_days integer,
                                                            partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level @extschema@.competency_level,
               active_entitlements bigint, qualified_individuals integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT e.partner_id, e.level, e.active_entitlements, e.qualified_individuals
    FROM @extschema@.cp_evaluate_partners(as_of, window_days, partner_ids) e;
END
$$;
