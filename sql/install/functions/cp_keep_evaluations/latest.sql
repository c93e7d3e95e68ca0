-- Every evaluated partner's level and status, as last seen as of as_of
-- under rule_set:
-- written whether or not they changed, so that under REPEATABLE READ or
-- SERIALIZABLE a transaction that could have missed a concurrent change
-- fails with 40001.
CREATE FUNCTION @extschema@.cp_keep_evaluations(evaluated @extschema@.cp_evaluation[], as_of date,
                                                rule_set text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
INSERT INTO @extschema@.cp_partner_level AS pl
    (partner_id, level, active_entitlements, qualified_individuals, evaluated_at,
     held_level, ends_on, projected_level, status, as_of, rule_set)
SELECT e.partner_id, e.level, e.active_entitlements, e.qualified_individuals, pg_catalog.now(),
       e.held_level, e.ends_on, e.projected_level, e.status, cp_keep_evaluations.as_of,
       cp_keep_evaluations.rule_set
FROM pg_catalog.unnest(evaluated) e
ON CONFLICT (partner_id) DO UPDATE
SET level = excluded.level,
    active_entitlements = excluded.active_entitlements,
    qualified_individuals = excluded.qualified_individuals,
    evaluated_at = excluded.evaluated_at,
    held_level = excluded.held_level,
    ends_on = excluded.ends_on,
    projected_level = excluded.projected_level,
    status = excluded.status,
    as_of = excluded.as_of,
    rule_set = excluded.rule_set
$$;
COMMENT ON FUNCTION @extschema@.cp_keep_evaluations(@extschema@.cp_evaluation[], date, text) IS
  'Internal: keeps every evaluated partner''s level and status, the date they hold for and the rule set, in cp_partner_level';
