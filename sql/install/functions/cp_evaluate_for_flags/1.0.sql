CREATE FUNCTION cp_evaluate_for_flags(as_of date, window_days integer, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level competency_level,
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
COMMENT ON FUNCTION cp_evaluate_for_flags(date, integer, bigint[]) IS
  'Internal: the levels and figures flagging compares with the stored ones';
