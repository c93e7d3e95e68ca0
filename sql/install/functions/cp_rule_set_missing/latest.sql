-- What a rule set lacks to be complete, or NULL: thresholds for both levels
-- in both markets (a level's two rows with equal min_individuals), at least
-- one workload, one credential path and one association kind.
CREATE FUNCTION @extschema@.cp_rule_set_missing(rule_set text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT nullif(pg_catalog.concat_ws('; ',
    (SELECT pg_catalog.string_agg(pg_catalog.format('thresholds for %s in %s markets', l.level, m.market), '; '
                                  ORDER BY l.level, m.market)
     FROM pg_catalog.unnest(ARRAY['silver', 'gold']::@extschema@.competency_level[]) l(level),
          pg_catalog.unnest(ARRAY['developed', 'developing']::@extschema@.cp_market[]) m(market)
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_threshold t
                       WHERE t.rule_set OPERATOR(pg_catalog.=) cp_rule_set_missing.rule_set
                         AND t.level OPERATOR(pg_catalog.=) l.level AND t.market OPERATOR(pg_catalog.=) m.market)),
    (SELECT pg_catalog.string_agg(pg_catalog.format('the same min_individuals for %s in both markets', u.level), '; '
                                  ORDER BY u.level)
     FROM (SELECT t.level FROM @extschema@.cp_rule_threshold t
           WHERE t.rule_set OPERATOR(pg_catalog.=) cp_rule_set_missing.rule_set
           GROUP BY t.level HAVING pg_catalog.count(DISTINCT t.min_individuals) OPERATOR(pg_catalog.>) 1) u),
    CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_workload w
                          WHERE w.rule_set OPERATOR(pg_catalog.=) cp_rule_set_missing.rule_set)
         THEN 'a workload' END,
    CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_credential c
                          WHERE c.rule_set OPERATOR(pg_catalog.=) cp_rule_set_missing.rule_set)
         THEN 'a credential path' END,
    CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_association a
                          WHERE a.rule_set OPERATOR(pg_catalog.=) cp_rule_set_missing.rule_set)
         THEN 'an association kind' END), '')
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_set_missing(text) IS
  'Internal: what a rule set lacks to be complete (thresholds, equal min_individuals, a workload, a path, an association kind), or NULL';
