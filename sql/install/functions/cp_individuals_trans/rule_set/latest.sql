CREATE FUNCTION @extschema@.cp_individuals_trans(internal, anyelement, text, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_individuals_trans(internal, anyelement, text, text) IS
  'cp_qualified_individuals transition under a named rule set: collects each person''s credentials of the set';
