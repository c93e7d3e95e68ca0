CREATE FUNCTION @extschema@.cp_rule_was_dated(rule_set text) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_rule_was_dated'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.cp_rule_was_dated(text) IS
  'Internal: whether a rule set was dated before the transaction''s first rule write';
