-- The evaluation flagging compares with the kept one, run by RETURN QUERY so
-- that it may use a parallel plan (inside flagging's data-modifying
-- statements it could not).
CREATE FUNCTION @extschema@.cp_evaluate_for_flags(as_of date, window_days integer, partner_ids bigint[])
RETURNS SETOF @extschema@.cp_evaluation
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT f.partner_id, f.level, f.active_entitlements, f.qualified_individuals,
           f.held_level, f.ends_on, f.projected_level, f.status
    FROM @extschema@.cp_partner_figures(as_of, window_days, partner_ids, true) f;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]) IS
  'Internal: the levels, figures and statuses flagging compares with the kept ones';
