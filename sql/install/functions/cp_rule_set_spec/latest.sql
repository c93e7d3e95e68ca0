-- A rule set as the C functions read it (cp_rule_spec): its workloads, the
-- spellings and canonical names that name each, its credentials and paths,
-- its thresholds; or the problem that keeps it from being evaluated (no
-- such set: 42704; incomplete: 55000).  With the extension's rights: a
-- caller needs no grant on the rule tables to evaluate.
CREATE FUNCTION @extschema@.cp_rule_set_spec(rule_set text) RETURNS @extschema@.cp_rule_spec
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text := cp_rule_set_spec.rule_set;
    r @extschema@.cp_rule_spec;
    missing text;
BEGIN
    IF name IS NULL THEN
        r.problem := 'rule_set must not be NULL';
        r.sqlstate := '22023';
        RETURN r;
    ELSIF NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_set s WHERE s.rule_set OPERATOR(pg_catalog.=) name) THEN
        r.problem := pg_catalog.format('rule set "%s" does not exist', name);
        r.sqlstate := '42704';
        RETURN r;
    END IF;
    missing := @extschema@.cp_rule_set_missing(name);
    IF missing IS NOT NULL THEN
        r.problem := pg_catalog.format('rule set "%s" is incomplete: it lacks %s', name, missing);
        r.sqlstate := '55000';
        RETURN r;
    END IF;
    r.workloads := ARRAY(SELECT DISTINCT w.workload COLLATE pg_catalog."C" FROM @extschema@.cp_rule_workload w
                         WHERE w.rule_set OPERATOR(pg_catalog.=) name ORDER BY 1);
    SELECT pg_catalog.array_agg(n.spelling ORDER BY n.spelling),
           pg_catalog.array_agg(pg_catalog.array_position(r.workloads, n.workload) ORDER BY n.spelling)
    INTO r.spellings, r.spelling_workloads
    FROM (SELECT w.spelling, w.workload FROM @extschema@.cp_rule_workload w
          WHERE w.rule_set OPERATOR(pg_catalog.=) name
          UNION
          SELECT w.workload, w.workload FROM @extschema@.cp_rule_workload w
          WHERE w.rule_set OPERATOR(pg_catalog.=) name) n;
    r.credentials := ARRAY(SELECT DISTINCT c.credential COLLATE pg_catalog."C" FROM @extschema@.cp_rule_credential c
                           WHERE c.rule_set OPERATOR(pg_catalog.=) name ORDER BY 1);
    SELECT pg_catalog.array_agg(c.path ORDER BY c.path, c.credential),
           pg_catalog.array_agg(pg_catalog.array_position(r.credentials, c.credential) ORDER BY c.path, c.credential)
    INTO r.paths, r.path_credentials
    FROM @extschema@.cp_rule_credential c WHERE c.rule_set OPERATOR(pg_catalog.=) name;
    SELECT pg_catalog.array_agg(t.min_entitlements ORDER BY t.level, t.market),
           pg_catalog.array_agg(t.min_individuals ORDER BY t.level, t.market)
    INTO r.min_entitlements, r.min_individuals
    FROM @extschema@.cp_rule_threshold t WHERE t.rule_set OPERATOR(pg_catalog.=) name;
    RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_set_spec(text) IS
  'Internal: a rule set as the C functions read it, or the problem (42704 no such set, 55000 incomplete) that keeps it from being evaluated; runs with the extension''s rights';
