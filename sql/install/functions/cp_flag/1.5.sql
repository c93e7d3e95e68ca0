CREATE OR REPLACE FUNCTION @extschema@.cp_flag(partner_ids bigint[],
                                              as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
    status_changes integer;
    ids bigint[];
    levels @extschema@.competency_level[];
    entitlements bigint[];
    individuals integer[];
    held @extschema@.competency_level[];
    ends date[];
    projected @extschema@.competency_level[];
    statuses text[];
BEGIN
    PERFORM @extschema@.cp_window_start(as_of, @extschema@.cp_flagging_window(), 'as_of'::pg_catalog.text);
    PERFORM @extschema@.cp_check_triggers();
    IF partner_ids IS NOT NULL AND pg_catalog.cardinality(partner_ids) OPERATOR(pg_catalog.=) 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner p
    WHERE partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids)
    ORDER BY p.partner_id FOR NO KEY UPDATE;

    SELECT pg_catalog.array_agg(e.partner_id), pg_catalog.array_agg(e.level),
           pg_catalog.array_agg(e.active_entitlements), pg_catalog.array_agg(e.qualified_individuals),
           pg_catalog.array_agg(e.held_level), pg_catalog.array_agg(e.ends_on),
           pg_catalog.array_agg(e.projected_level), pg_catalog.array_agg(e.status)
    INTO ids, levels, entitlements, individuals, held, ends, projected, statuses
    FROM @extschema@.cp_evaluate_for_flags(as_of, @extschema@.cp_flagging_window(), partner_ids) e;

    -- level changes; a partner gone (deleted or renumbered) ends at none
    WITH now_levels AS (
        SELECT n.partner_id, n.level, n.active_entitlements, n.qualified_individuals
        FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(levels), pg_catalog.unnest(entitlements), pg_catalog.unnest(individuals))
             AS n(partner_id, level, active_entitlements, qualified_individuals)
        UNION ALL
        SELECT DISTINCT h.partner_id, 'none'::@extschema@.competency_level, 0::bigint, 0
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
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
    )
    -- listeners get the change's number only and read it with their rights
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_level_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    -- status changes; a partner gone ends at not_held
    WITH now_statuses AS (
        SELECT n.partner_id, n.status, n.held_level, n.level, n.projected_level
        FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(statuses), pg_catalog.unnest(held), pg_catalog.unnest(levels), pg_catalog.unnest(projected))
             AS n(partner_id, status, held_level, level, projected_level)
        UNION ALL
        SELECT DISTINCT h.partner_id, 'not_held', 'none'::@extschema@.competency_level,
               'none'::@extschema@.competency_level, NULL::@extschema@.competency_level
        FROM @extschema@.cp_status_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.status,
                        (SELECT h.new_status FROM @extschema@.cp_status_change h
                         WHERE h.partner_id OPERATOR(pg_catalog.=) n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'not_held') AS old_status
        FROM now_statuses n
        LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) n.partner_id
    ),
    logged AS (
        INSERT INTO @extschema@.cp_status_change
            (partner_id, old_status, new_status, held_level, level, projected_level, changed_at)
        SELECT c.partner_id, c.old_status, c.status, c.held_level, c.level, c.projected_level,
               pg_catalog.now()
        FROM compared c
        WHERE c.status OPERATOR(pg_catalog.<>) c.old_status
        ORDER BY c.partner_id
        RETURNING change_id
    )
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_status_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO status_changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    -- every evaluated partner's level and status, as last seen
    INSERT INTO @extschema@.cp_partner_level AS pl
        (partner_id, level, active_entitlements, qualified_individuals, evaluated_at,
         held_level, ends_on, projected_level, status)
    SELECT n.partner_id, n.level, n.active_entitlements, n.qualified_individuals, pg_catalog.now(),
           n.held_level, n.ends_on, n.projected_level, n.status
    FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(levels), pg_catalog.unnest(entitlements), pg_catalog.unnest(individuals), pg_catalog.unnest(held), pg_catalog.unnest(ends), pg_catalog.unnest(projected), pg_catalog.unnest(statuses))
         AS n(partner_id, level, active_entitlements, qualified_individuals,
              held_level, ends_on, projected_level, status)
    ON CONFLICT (partner_id) DO UPDATE
    SET level = excluded.level,
        active_entitlements = excluded.active_entitlements,
        qualified_individuals = excluded.qualified_individuals,
        evaluated_at = excluded.evaluated_at,
        held_level = excluded.held_level,
        ends_on = excluded.ends_on,
        projected_level = excluded.projected_level,
        status = excluded.status;

    RETURN changes;
END
$$;
