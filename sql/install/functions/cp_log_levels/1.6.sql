-- The level changes of an evaluation: each partner whose level differs from
-- the one kept (else from its last change, else none) gets a cp_level_change
-- row, and listeners its number only (they read it with their own rights).
-- A partner of partner_ids (NULL: any) that is gone, deleted or renumbered,
-- ends at none.  Returns the number of changes.
CREATE FUNCTION @extschema@.cp_log_levels(evaluated @extschema@.cp_evaluation[], partner_ids bigint[])
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
WITH now_levels AS (
    SELECT e.partner_id, e.level, e.active_entitlements, e.qualified_individuals
    FROM pg_catalog.unnest(evaluated) e
    UNION ALL
    SELECT DISTINCT h.partner_id, 'none'::@extschema@.competency_level, 0::pg_catalog.int8, 0
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
                    'none'::@extschema@.competency_level) AS old_level
    FROM now_levels n
    LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) n.partner_id
),
logged AS (
    INSERT INTO @extschema@.cp_level_change
        (partner_id, old_level, new_level, active_entitlements, qualified_individuals, changed_at)
    SELECT c.partner_id, c.old_level, c.level, c.active_entitlements, c.qualified_individuals,
           pg_catalog.now()
    FROM compared c
    WHERE c.level OPERATOR(pg_catalog.<>) c.old_level
    ORDER BY c.partner_id
    RETURNING change_id
)
SELECT pg_catalog.count(pg_catalog.pg_notify('cp_level_change',
           pg_catalog.jsonb_build_object('change_id', l.change_id)::pg_catalog.text))::pg_catalog.int4
FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l
$$;
COMMENT ON FUNCTION @extschema@.cp_log_levels(@extschema@.cp_evaluation[], bigint[]) IS
  'Internal: logs and notifies the level changes of an evaluation (and of partners gone); returns their number';
