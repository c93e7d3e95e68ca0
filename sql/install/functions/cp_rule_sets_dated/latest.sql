-- Every dated rule set, by effective_from ascending, as two arrays: what
-- cp_rule_set_on reads once per call site and snapshot.  With the
-- extension's rights.
CREATE FUNCTION @extschema@.cp_rule_sets_dated(OUT dates date[], OUT names text[])
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(pg_catalog.array_agg(s.effective_from ORDER BY s.effective_from), '{}'),
       coalesce(pg_catalog.array_agg(s.rule_set ORDER BY s.effective_from), '{}')
FROM @extschema@.cp_rule_set s
WHERE s.effective_from IS NOT NULL
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_sets_dated() IS
  'Internal: every dated rule set''s effective_from and name, in order; runs with the extension''s rights';
