CREATE OR REPLACE FUNCTION @extschema@.cp_flag(partner_ids bigint[],
                                              as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
BEGIN
    PERFORM @extschema@.cp_require_date(as_of, 'as_of'::text);
    PERFORM @extschema@.cp_check_triggers();
    IF partner_ids IS NOT NULL AND pg_catalog.cardinality(partner_ids) OPERATOR(pg_catalog.=) 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner p
    WHERE partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids)
    ORDER BY p.partner_id FOR NO KEY UPDATE;

    WITH ev AS (
        SELECT * FROM @extschema@.cp_evaluate_for_flags(as_of, @extschema@.cp_flagging_window(),
                                                        partner_ids)
    ),
    -- partners that no longer exist but were last seen above none
    gone AS (
        SELECT DISTINCT h.partner_id
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
    ),
    now_levels AS (
        SELECT ev.partner_id, ev.level, ev.active_entitlements, ev.qualified_individuals,
               true AS present
        FROM ev
        UNION ALL
        SELECT gone.partner_id, 'none'::@extschema@.competency_level, 0, 0, false FROM gone
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.level,
                        (SELECT h.new_level FROM @extschema@.cp_level_change h
                         WHERE h.partner_id OPERATOR(pg_catalog.=) n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'none') AS old_level
        FROM now_levels n
        LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) n.partner_id
    ),
    logged AS (
        INSERT INTO @extschema@.cp_level_change
            (partner_id, old_level, new_level, active_entitlements,
             qualified_individuals, changed_at)
        SELECT c.partner_id, c.old_level, c.level, c.active_entitlements,
               c.qualified_individuals, pg_catalog.now()
        FROM compared c
        WHERE c.level OPERATOR(pg_catalog.<>) c.old_level
        ORDER BY c.partner_id
        RETURNING change_id
    ),
    stored AS (
        INSERT INTO @extschema@.cp_partner_level AS pl
            (partner_id, level, active_entitlements, qualified_individuals, evaluated_at)
        SELECT c.partner_id, c.level, c.active_entitlements, c.qualified_individuals, pg_catalog.now()
        FROM compared c WHERE c.present
        ON CONFLICT (partner_id) DO UPDATE
        SET level = excluded.level,
            active_entitlements = excluded.active_entitlements,
            qualified_individuals = excluded.qualified_individuals,
            evaluated_at = excluded.evaluated_at
    )
    -- listeners get the change's number only and read it with their rights
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_level_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    RETURN changes;
END
$$;
