CREATE FUNCTION @extschema@.cp_credential(spelling text, rule_set text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_credential_rule_set'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_credential(text, text) IS
  'Canonical name, under a rule set, of the credential a spelling names (a leading word exam ignored); NULL if the set does not name it (NULL rule set 22023, unknown 42704, incomplete 55000)';
