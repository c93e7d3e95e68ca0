CREATE FUNCTION @extschema@.cp_workload(spelling text, rule_set text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_workload_rule_set'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_workload(text, text) IS
  'Canonical name, under a rule set, of the workload a spelling names; NULL if the set does not name it (NULL rule set 22023, unknown 42704, incomplete 55000)';
