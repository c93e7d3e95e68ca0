CREATE AGGREGATE @extschema@.cp_qualified_individuals(person anyelement, credential text,
                                                      rule_set text) (
    SFUNC = @extschema@.cp_individuals_trans,
    STYPE = internal,
    SSPACE = 600,
    FINALFUNC = @extschema@.cp_individuals_final,
    COMBINEFUNC = @extschema@.cp_individuals_combine,
    SERIALFUNC = @extschema@.cp_individuals_serialize,
    DESERIALFUNC = @extschema@.cp_individuals_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_qualified_individuals(anyelement, text, text) IS
  'Distinct persons holding every credential of at least one path of the rule set the rows name (rows without one skipped; two sets: 22023), among the rows given';
