CREATE FUNCTION @extschema@.cp_rule_set_on(d date) RETURNS text
AS 'MODULE_PATHNAME', 'cp_rule_set_on'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_rule_set_on(date) IS
  'The name of the rule set in force on a date: the greatest effective_from not after it (drafts never); -infinity gives 2017-07, infinity the latest dated set; NULL 22023';
