CREATE FUNCTION @extschema@.cp_rule_write_begin(dated_now text[]) RETURNS void
AS 'MODULE_PATHNAME', 'cp_rule_write_begin'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.cp_rule_write_begin(text[]) IS
  'Internal: a statement writes the rule tables (the transaction''s first keeps the sets dated before it)';
