CREATE FUNCTION @extschema@.cp_level(market @extschema@.cp_market, active_entitlements bigint,
                                     qualified_individuals integer, rule_set text)
RETURNS @extschema@.competency_level
AS 'MODULE_PATHNAME', 'cp_level_rule_set'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_level(@extschema@.cp_market, bigint, integer, text) IS
  'Competency level attained with these figures in this market under a rule set: the highest level both of whose requirements are met (NULL rule set 22023, unknown 42704, incomplete 55000)';
