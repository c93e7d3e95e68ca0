CREATE FUNCTION @extschema@.cp_granted_level(level text) RETURNS @extschema@.competency_level
AS 'MODULE_PATHNAME', 'cp_granted_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_granted_level(text) IS
  'The level a spelling names (silver or gold, compared as workload spellings are); NULL otherwise';
