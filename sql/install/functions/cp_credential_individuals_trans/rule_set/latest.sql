CREATE FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text, text) IS
  'Internal: cp_credential_individuals transition under a named rule set (that of cp_qualified_individuals, for bigint persons)';
