-- The level above a level, and what figures still miss for it in a market
-- (0 when met; all NULL above gold): the one statement of "next level" and
-- "shortfall", for the live evaluation and for the kept one.  Inlined.
CREATE FUNCTION @extschema@.cp_next_targets(level @extschema@.competency_level, market @extschema@.cp_market,
                                            active_entitlements bigint, qualified_individuals integer)
RETURNS TABLE (next_level @extschema@.competency_level, entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT t.n,
       CASE WHEN t.n IS NOT NULL THEN
           greatest(@extschema@.cp_required_entitlements(t.n, market)
                    OPERATOR(pg_catalog.-) active_entitlements, 0::pg_catalog.int8) END,
       CASE WHEN t.n IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(t.n)
                    OPERATOR(pg_catalog.-) qualified_individuals, 0) END
FROM (SELECT @extschema@.cp_next_level(level) AS n) t
$$;
COMMENT ON FUNCTION @extschema@.cp_next_targets(@extschema@.competency_level, @extschema@.cp_market, bigint, integer) IS
  'Internal: the level above a level and what the figures still miss for it in a market (0 if met; NULL above gold)';
