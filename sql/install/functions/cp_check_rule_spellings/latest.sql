-- A set's spellings, as they stand: no two workload rows whose spellings
-- fold alike (23505); no spelling or canonical name that folds like another
-- workload's (23514); credential names that fold alike are byte-identical
-- (23505); nothing folds to empty, nor a credential to "exam" alone (23514);
-- at most 64 workloads, 64 credentials and 64 paths (54000), the most the
-- aggregates evaluate.
CREATE FUNCTION @extschema@.cp_check_rule_spellings(sets text[]) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT w.rule_set, w.spelling, w.workload, @extschema@.cp_fold(w.spelling) AS fs,
               @extschema@.cp_fold(w.workload) AS fw
        FROM @extschema@.cp_rule_workload w WHERE w.rule_set OPERATOR(pg_catalog.=) ANY (sets)
    LOOP
        IF t.fs OPERATOR(pg_catalog.=) '' OR t.fw OPERATOR(pg_catalog.=) '' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = pg_catalog.format('rule set "%s": workload "%s" or its spelling "%s" folds to nothing',
                                            t.rule_set, t.workload, t.spelling);
        ELSIF (SELECT pg_catalog.count(*) FROM @extschema@.cp_rule_workload o
               WHERE o.rule_set OPERATOR(pg_catalog.=) t.rule_set
                 AND @extschema@.cp_fold(o.spelling) OPERATOR(pg_catalog.=) t.fs) OPERATOR(pg_catalog.>) 1 THEN
            RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                MESSAGE = pg_catalog.format('rule set "%s" has two workload rows whose spellings fold like "%s"',
                                            t.rule_set, t.spelling);
        ELSIF EXISTS (SELECT 1 FROM @extschema@.cp_rule_workload o
                      WHERE o.rule_set OPERATOR(pg_catalog.=) t.rule_set
                        AND o.workload OPERATOR(pg_catalog.<>) t.workload
                        AND (@extschema@.cp_fold(o.spelling) OPERATOR(pg_catalog.=) ANY (ARRAY[t.fs, t.fw])
                             OR @extschema@.cp_fold(o.workload) OPERATOR(pg_catalog.=) ANY (ARRAY[t.fs, t.fw]))) THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = pg_catalog.format('rule set "%s": "%s" (workload "%s") folds like a name or spelling of another workload',
                                            t.rule_set, t.spelling, t.workload);
        END IF;
    END LOOP;
    FOR t IN
        SELECT c.rule_set, c.credential, @extschema@.cp_fold(c.credential) AS fc
        FROM @extschema@.cp_rule_credential c WHERE c.rule_set OPERATOR(pg_catalog.=) ANY (sets)
    LOOP
        IF t.fc OPERATOR(pg_catalog.=) ANY (ARRAY['', 'exam']) THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = pg_catalog.format('rule set "%s": credential "%s" folds to nothing or to "exam" alone',
                                            t.rule_set, t.credential);
        ELSIF EXISTS (SELECT 1 FROM @extschema@.cp_rule_credential o
                      WHERE o.rule_set OPERATOR(pg_catalog.=) t.rule_set
                        AND o.credential OPERATOR(pg_catalog.<>) t.credential
                        AND @extschema@.cp_fold(o.credential) OPERATOR(pg_catalog.=) t.fc) THEN
            RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                MESSAGE = pg_catalog.format('rule set "%s" names credential "%s" in two spellings that fold alike',
                                            t.rule_set, t.credential);
        END IF;
    END LOOP;
    SELECT s.rule_set,
           (SELECT pg_catalog.count(DISTINCT w.workload) FROM @extschema@.cp_rule_workload w
            WHERE w.rule_set OPERATOR(pg_catalog.=) s.rule_set) AS workloads,
           (SELECT pg_catalog.count(DISTINCT c.credential) FROM @extschema@.cp_rule_credential c
            WHERE c.rule_set OPERATOR(pg_catalog.=) s.rule_set) AS credentials,
           (SELECT pg_catalog.count(DISTINCT c.path) FROM @extschema@.cp_rule_credential c
            WHERE c.rule_set OPERATOR(pg_catalog.=) s.rule_set) AS paths
    INTO t
    FROM pg_catalog.unnest(sets) s(rule_set)
    WHERE (SELECT pg_catalog.count(DISTINCT w.workload) FROM @extschema@.cp_rule_workload w
           WHERE w.rule_set OPERATOR(pg_catalog.=) s.rule_set) OPERATOR(pg_catalog.>) 64
       OR (SELECT pg_catalog.count(DISTINCT c.credential) FROM @extschema@.cp_rule_credential c
           WHERE c.rule_set OPERATOR(pg_catalog.=) s.rule_set) OPERATOR(pg_catalog.>) 64
       OR (SELECT pg_catalog.count(DISTINCT c.path) FROM @extschema@.cp_rule_credential c
           WHERE c.rule_set OPERATOR(pg_catalog.=) s.rule_set) OPERATOR(pg_catalog.>) 64
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'program_limit_exceeded',
            MESSAGE = pg_catalog.format('rule set "%s" has %s workloads, %s credentials and %s paths', t.rule_set,
                                        t.workloads, t.credentials, t.paths),
            DETAIL = 'A set holds at most 64 workloads, 64 distinct credentials and 64 paths.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_check_rule_spellings(text[]) IS
  'Internal: refuses spellings and credential names of rule sets that fold alike (23505, 23514), fold to nothing (23514), or pass the limits (54000)';
