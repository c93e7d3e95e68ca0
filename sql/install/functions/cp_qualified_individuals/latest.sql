CREATE AGGREGATE cp_qualified_individuals(person anyelement, credential text) (
    SFUNC = cp_individuals_trans,
    STYPE = internal,
    SSPACE = 600,
    FINALFUNC = cp_individuals_final,
    COMBINEFUNC = cp_individuals_combine,
    SERIALFUNC = cp_individuals_serialize,
    DESERIALFUNC = cp_individuals_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cp_qualified_individuals(anyelement, text) IS
  'Distinct persons holding both 70-346 and 70-347, or MCSA: Office 365, among the rows given';
