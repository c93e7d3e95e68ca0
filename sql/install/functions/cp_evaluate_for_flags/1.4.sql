CREATE FUNCTION @extschema@.cp_evaluate_for_flags(as_of date, window_days integer, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level @extschema@.competency_level,
               active_entitlements bigint, qualified_individuals integer,
               held_level @extschema@.competency_level, ends_on date,
               projected_level @extschema@.competency_level, status text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT s.partner_id, s.level, s.active_entitlements, s.qualified_individuals,
           s.held_level, s.ends_on, s.projected_level, s.status
    FROM @extschema@.cp_status_partners(as_of, window_days, partner_ids) s;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]) IS
  'Internal: the levels, figures and statuses flagging compares with the stored ones';
