CREATE FUNCTION @extschema@.cp_required_individuals(level @extschema@.competency_level,
                                                    rule_set text)
RETURNS integer
AS 'MODULE_PATHNAME', 'cp_required_individuals_rule_set'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_required_individuals(@extschema@.competency_level, text) IS
  'Qualified individuals a level requires under a rule set (none: 0; NULL rule set 22023, unknown 42704, incomplete 55000)';
