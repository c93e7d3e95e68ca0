-- Every dated rule set with the association kinds it counts (2017-07's
-- compiled), for finding the set in force on many dates in one query.
CREATE FUNCTION @extschema@.cp_rule_sets_dated()
RETURNS TABLE (effective_from date, rule_set text, kinds @extschema@.cp_association_kind[])
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT s.effective_from, s.rule_set,
       CASE WHEN s.rule_set OPERATOR(pg_catalog.=) '2017-07'
            THEN ARRAY['delegated_admin', 'transacting_partner',
                       'digital_partner_of_record']::@extschema@.cp_association_kind[]
            ELSE ARRAY(SELECT a.kind FROM @extschema@.cp_rule_association a
                       WHERE a.rule_set OPERATOR(pg_catalog.=) s.rule_set ORDER BY 1) END
FROM @extschema@.cp_rule_set s
WHERE s.effective_from IS NOT NULL
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_sets_dated() IS
  'Internal: every dated rule set, its effective_from and the association kinds it counts; runs with the extension''s rights';
