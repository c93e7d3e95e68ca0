-- The level each partner holds as of a date: the row that covers it, else
-- the latest that ended within the grace period; the date its figures are
-- projected to (the renewal date; in grace, the date itself); and the rule
-- set in force on that date, with the association kinds it counts.  One
-- row per partner (DISTINCT ON), so a caller that uses none of it drops
-- the join.
CREATE FUNCTION @extschema@.cp_held(as_of date, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level,
               ends_on date, in_grace boolean, projected_on date,
               projected_rule_set text, projected_kinds @extschema@.cp_association_kind[])
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH dated AS MATERIALIZED (
    SELECT d.effective_from, d.rule_set, d.kinds FROM @extschema@.cp_rule_sets_dated() d
)
SELECT DISTINCT ON (h.partner_id) h.partner_id, h.level, h.ends_on, h.in_grace, h.projected_on,
       (SELECT d.rule_set FROM dated d WHERE d.effective_from OPERATOR(pg_catalog.<=) h.projected_on
        ORDER BY d.effective_from DESC LIMIT 1),
       (SELECT d.kinds FROM dated d WHERE d.effective_from OPERATOR(pg_catalog.<=) h.projected_on
        ORDER BY d.effective_from DESC LIMIT 1)
FROM (
    SELECT m.partner_id, m.level, m.ends_on,
           m.ends_on OPERATOR(pg_catalog.<=) as_of AS in_grace,
           CASE WHEN m.ends_on OPERATOR(pg_catalog.<=) as_of THEN as_of ELSE m.ends_on END AS projected_on
    FROM @extschema@.cp_membership m
    WHERE m.started_on OPERATOR(pg_catalog.<=) as_of
      AND (as_of OPERATOR(pg_catalog.-) m.ends_on) OPERATOR(pg_catalog.<) @extschema@.cp_grace_days()
      AND (partner_ids IS NULL OR m.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
) h
ORDER BY h.partner_id, h.ends_on DESC
$$;
COMMENT ON FUNCTION @extschema@.cp_held(date, bigint[]) IS
  'Internal: each partner''s held level as of a date (covering row, else the latest in grace), its renewal date, the date its figures are projected to, and the rule set in force then with the kinds it counts';
