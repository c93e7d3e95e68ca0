CREATE FUNCTION cp_individuals_trans(internal, anyelement, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_individuals_trans(internal, anyelement, text) IS
  'cp_qualified_individuals transition: collects each person''s qualifying credentials';
