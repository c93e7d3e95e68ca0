CREATE FUNCTION @extschema@.cp_held(as_of date, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level,
               ends_on date, in_grace boolean, projected_on date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT DISTINCT ON (m.partner_id)
       m.partner_id, m.level, m.ends_on,
       m.ends_on OPERATOR(pg_catalog.<=) as_of,
       CASE WHEN m.ends_on OPERATOR(pg_catalog.<=) as_of THEN as_of ELSE m.ends_on END
FROM @extschema@.cp_membership m
WHERE m.started_on OPERATOR(pg_catalog.<=) as_of
  AND (as_of OPERATOR(pg_catalog.-) m.ends_on) OPERATOR(pg_catalog.<) @extschema@.cp_grace_days()
  AND (partner_ids IS NULL OR m.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
ORDER BY m.partner_id, m.ends_on DESC
$$;
COMMENT ON FUNCTION @extschema@.cp_held(date, bigint[]) IS
  'Internal: each partner''s held level as of a date (covering row, else the latest in grace), its renewal date, and the date its figures are projected to';
