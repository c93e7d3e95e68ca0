CREATE FUNCTION @extschema@.cp_rule_flag_due() RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_rule_flag_due'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.cp_rule_flag_due() IS
  'Internal: true once after each run of rule writes of the transaction, so that they are flagged once';
