CREATE AGGREGATE @extschema@.cp_credential_individuals(person bigint, credential text,
                                                       rule_set text) (
    SFUNC = @extschema@.cp_credential_individuals_trans,
    STYPE = internal,
    SSPACE = 600,
    FINALFUNC = @extschema@.cp_individuals_final,
    COMBINEFUNC = @extschema@.cp_individuals_combine,
    SERIALFUNC = @extschema@.cp_individuals_serialize,
    DESERIALFUNC = @extschema@.cp_individuals_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_credential_individuals(bigint, text, text) IS
  'Internal: cp_qualified_individuals under a named rule set over cp_credential''s column types, for the extension''s own queries';
