-- Before each statement that writes a rule table: one more rule write in
-- this transaction (a transaction-local setting, so a rolled-back savepoint
-- takes its count back).  The commit-time trigger flags once per count.
CREATE FUNCTION @extschema@.cp_rule_count_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.set_config('cp_rules.writes',
        (coalesce(nullif(pg_catalog.current_setting('cp_rules.writes', true), ''), '0')::pg_catalog.int8
         OPERATOR(pg_catalog.+) 1)::pg_catalog.text, true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_count_write() IS
  'Trigger: counts the statements that write the rule tables in a transaction';
