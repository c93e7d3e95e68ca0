CREATE FUNCTION cp_flag(partner_ids bigint[], as_of date DEFAULT current_date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
BEGIN
    PERFORM @extschema@.cp_require_date(as_of, 'as_of'::text);
    IF partner_ids IS NOT NULL AND cardinality(partner_ids) = 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner
    WHERE partner_ids IS NULL OR partner_id = ANY (partner_ids)
    ORDER BY partner_id FOR NO KEY UPDATE;

    WITH ev AS (
        SELECT * FROM @extschema@.cp_evaluate_for_flags(as_of,
                 @extschema@.cp_configured_usage_window(), partner_ids)
    ),
    -- partners that no longer exist but were last seen above none
    gone AS (
        SELECT DISTINCT h.partner_id
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id = ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id = h.partner_id)
    ),
    now_levels AS (
        SELECT partner_id, level, active_entitlements, qualified_individuals,
               true AS present
        FROM ev
        UNION ALL
        SELECT partner_id, 'none', 0, 0, false FROM gone
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.level,
                        (SELECT h.new_level FROM @extschema@.cp_level_change h
                         WHERE h.partner_id = n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'none') AS old_level
        FROM now_levels n
        LEFT JOIN @extschema@.cp_partner_level pl USING (partner_id)
    ),
    logged AS (
        INSERT INTO @extschema@.cp_level_change
            (partner_id, old_level, new_level, active_entitlements,
             qualified_individuals, changed_at)
        SELECT partner_id, old_level, level, active_entitlements,
               qualified_individuals, now()
        FROM compared
        WHERE level <> old_level
        ORDER BY partner_id
        RETURNING change_id, partner_id, old_level, new_level,
                  active_entitlements, qualified_individuals
    ),
    stored AS (
        INSERT INTO @extschema@.cp_partner_level AS pl
            (partner_id, level, active_entitlements, qualified_individuals, evaluated_at)
        SELECT partner_id, level, active_entitlements, qualified_individuals, now()
        FROM compared WHERE present
        ON CONFLICT (partner_id) DO UPDATE
        SET level = excluded.level,
            active_entitlements = excluded.active_entitlements,
            qualified_individuals = excluded.qualified_individuals,
            evaluated_at = excluded.evaluated_at
    )
    SELECT count(pg_notify('cp_level_change',
                 jsonb_build_object('change_id', change_id,
                                   'partner_id', partner_id,
                                   'old_level', old_level,
                                   'new_level', new_level,
                                   'active_entitlements', active_entitlements,
                                   'qualified_individuals', qualified_individuals)::text))
    INTO changes
    FROM (SELECT * FROM logged ORDER BY change_id) l;

    RETURN changes;
END
$$;
COMMENT ON FUNCTION cp_flag(bigint[], date) IS
  'Internal: re-evaluates partners (NULL: all) with the configured window, logs and notifies level changes, returns their number';
