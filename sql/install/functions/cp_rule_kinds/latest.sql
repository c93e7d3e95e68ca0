-- The association kinds a rule set counts (2017-07's compiled: the three of
-- the seed, never fast_track).  A name that is NULL, unknown or incomplete
-- is refused as every what-if form refuses it (22023, 42704, 55000): the
-- evaluations check a set with it before they read any row.
CREATE FUNCTION @extschema@.cp_rule_kinds(rule_set text) RETURNS @extschema@.cp_association_kind[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec @extschema@.cp_rule_spec;
BEGIN
    IF rule_set OPERATOR(pg_catalog.=) '2017-07' THEN
        RETURN ARRAY['delegated_admin', 'transacting_partner',
                     'digital_partner_of_record']::@extschema@.cp_association_kind[];
    END IF;
    spec := @extschema@.cp_rule_set_spec(rule_set);
    IF spec.problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = spec.sqlstate, MESSAGE = spec.problem;
    END IF;
    RETURN ARRAY(SELECT a.kind FROM @extschema@.cp_rule_association a
                 WHERE a.rule_set OPERATOR(pg_catalog.=) cp_rule_kinds.rule_set ORDER BY 1);
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_kinds(text) IS
  'Internal: the association kinds a rule set counts (2017-07''s compiled); refuses a NULL (22023), unknown (42704) or incomplete (55000) set';
