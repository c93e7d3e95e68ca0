CREATE FUNCTION @extschema@.cp_required_entitlements(level @extschema@.competency_level,
                                                     market @extschema@.cp_market, rule_set text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'cp_required_entitlements_rule_set'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_required_entitlements(@extschema@.competency_level, @extschema@.cp_market, text) IS
  'Active entitlements a level requires in a market under a rule set (none: 0; NULL rule set 22023, unknown 42704, incomplete 55000)';
