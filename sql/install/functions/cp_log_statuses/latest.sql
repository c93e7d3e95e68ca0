-- The status changes of an evaluation, as cp_log_levels does levels: each
-- partner whose status differs from the one kept (else from its last
-- change, else not_held) gets a cp_status_change row and a notification of
-- its number; a partner gone ends at not_held.  Returns their number.
CREATE FUNCTION @extschema@.cp_log_statuses(evaluated @extschema@.cp_evaluation[], partner_ids bigint[])
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
WITH now_statuses AS (
    SELECT e.partner_id, e.status, e.held_level, e.level, e.projected_level
    FROM pg_catalog.unnest(evaluated) e
    UNION ALL
    SELECT DISTINCT h.partner_id, 'not_held'::pg_catalog.text, 'none'::@extschema@.competency_level,
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
                    'not_held'::pg_catalog.text) AS old_status
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
           pg_catalog.jsonb_build_object('change_id', l.change_id)::pg_catalog.text))::pg_catalog.int4
FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l
$$;
COMMENT ON FUNCTION @extschema@.cp_log_statuses(@extschema@.cp_evaluation[], bigint[]) IS
  'Internal: logs and notifies the status changes of an evaluation (and of partners gone); returns their number';
