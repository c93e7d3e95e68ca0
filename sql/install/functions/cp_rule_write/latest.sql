-- After each statement that writes a rule table: the sets it wrote, before
-- and after, are locked (their cp_rule_set rows, then their cp_flag_lock
-- rows, each in order; the latter touched, so that under REPEATABLE READ or
-- SERIALIZABLE a transaction that could have missed a concurrent write of
-- the set fails with 40001), then their spellings checked as they now
-- stand, seeing what a concurrent writer of the same set committed.  Runs
-- with the extension's rights.
CREATE FUNCTION @extschema@.cp_rule_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text := CASE TG_OP WHEN 'INSERT' THEN 'new_rows' WHEN 'DELETE' THEN 'old_rows'
                               ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)' END;
    sets text[];
BEGIN
    EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT c.rule_set FROM %s c)', changed) INTO sets;
    PERFORM 1 FROM @extschema@.cp_rule_set s WHERE s.rule_set OPERATOR(pg_catalog.=) ANY (sets)
    ORDER BY s.rule_set COLLATE pg_catalog."C" FOR NO KEY UPDATE;
    PERFORM @extschema@.cp_lock_buckets(ARRAY(SELECT DISTINCT @extschema@.cp_rule_bucket(s)
                                              FROM pg_catalog.unnest(sets) s));
    IF TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN
        PERFORM @extschema@.cp_check_rule_spellings(sets);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_write() IS
  'Trigger: locks the rule sets a statement wrote and checks their spellings as they stand';
