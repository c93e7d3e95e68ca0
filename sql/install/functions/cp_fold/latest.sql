CREATE FUNCTION @extschema@.cp_fold(spelling text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_fold'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_fold(text) IS
  'Internal: a spelling folded as workloads and credentials are compared (ASCII letters to lower case; ASCII whitespace, _, - and : dropped)';
