CREATE FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text) IS
  'Internal: cp_credential_individuals transition (that of cp_qualified_individuals, for bigint persons)';
