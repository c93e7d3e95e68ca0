CREATE FUNCTION cp_level(market cp_market, active_entitlements bigint,
                         qualified_individuals integer)
RETURNS competency_level
AS 'MODULE_PATHNAME', 'cp_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_level(cp_market, bigint, integer) IS
  'Competency level attained with these figures in this market';
