-- Before each statement that writes a rule table: the transaction has rule
-- writes to flag at commit, and (at its first) which sets were dated
-- before any of them.  Kept in the backend, not in a setting a session
-- could change.  With the extension's rights (the dated sets are read).
CREATE FUNCTION @extschema@.cp_rule_note_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.cp_rule_write_begin(ARRAY(SELECT s.rule_set FROM @extschema@.cp_rule_set s
                                                  WHERE s.effective_from IS NOT NULL));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_note_write() IS
  'Trigger: notes that a statement writes the rule tables, and the sets dated before the transaction''s first rule write';
