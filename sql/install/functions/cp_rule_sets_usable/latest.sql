-- The rule sets that can be evaluated now (complete ones, drafts
-- included), for views that read a kept set's name.  With the extension's
-- rights.
CREATE FUNCTION @extschema@.cp_rule_sets_usable() RETURNS TABLE (rule_set text)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT s.rule_set FROM @extschema@.cp_rule_set s
WHERE @extschema@.cp_rule_set_missing(s.rule_set) IS NULL
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_sets_usable() IS
  'Internal: the rule sets that can be evaluated now (complete ones, drafts included); runs with the extension''s rights';
