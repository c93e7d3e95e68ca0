-- The rule set in force on a date: the one with the greatest
-- effective_from not after it (drafts, without one, never).  -infinity
-- gives 2017-07, infinity the latest dated set.
CREATE FUNCTION @extschema@.cp_rule_set_on(d date) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF d IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'd must not be NULL';
    END IF;
    RETURN (SELECT s.rule_set FROM @extschema@.cp_rule_set s
            WHERE s.effective_from OPERATOR(pg_catalog.<=) d
            ORDER BY s.effective_from DESC LIMIT 1);
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_set_on(date) IS
  'The name of the rule set in force on a date: the greatest effective_from not after it (drafts never); -infinity gives 2017-07';
