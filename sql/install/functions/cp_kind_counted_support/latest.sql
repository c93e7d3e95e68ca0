CREATE FUNCTION @extschema@.cp_kind_counted_support(internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_kind_counted_support'
LANGUAGE C STRICT;
COMMENT ON FUNCTION @extschema@.cp_kind_counted_support(internal) IS
  'Internal: the planner''s estimate of cp_kind_counted as a condition (every row: associations of a kind a set leaves out are the exception)';
