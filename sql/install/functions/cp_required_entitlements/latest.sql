CREATE FUNCTION cp_required_entitlements(level competency_level, market cp_market)
RETURNS bigint
AS 'MODULE_PATHNAME', 'cp_required_entitlements'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_required_entitlements(competency_level, cp_market) IS
  'Active entitlements a level requires in a market';
