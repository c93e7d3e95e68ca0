CREATE FUNCTION @extschema@.cp_kind_counted(kind @extschema@.cp_association_kind, rule_set text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_kind_counted'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SUPPORT @extschema@.cp_kind_counted_support;
COMMENT ON FUNCTION @extschema@.cp_kind_counted(@extschema@.cp_association_kind, text) IS
  'Internal: whether a rule set counts associations of a kind (2017-07: every kind but fast_track); unknown 42704, incomplete 55000; NULL for NULL';
