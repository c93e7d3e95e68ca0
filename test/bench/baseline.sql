-- For make bench with BASELINE (test/bench/bench.sh builds the library):
--   psql -v lib=/path/to/lib.so -f test/bench/baseline.sql
-- Schema bench_base: the aggregates of another revision's C, from the
-- library :'lib', declared as the installed ones are (every form of
-- cp_active_entitlements and cp_qualified_individuals, and of the internal
-- cp_usage_entitlements and cp_credential_individuals the evaluation calls;
-- signatures, SSPACE, volatility, strictness, parallel safety, as the
-- catalog has them); then the installed evaluation (cp_evaluate,
-- cp_evaluate_partners and the functions they inline), copied from the
-- catalog with those aggregates in place of the installed ones, and the
-- aggregate alone grouped by partner, as bench.agg_entitlements.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_base CASCADE;
CREATE SCHEMA bench_base;
SELECT set_config('bench.lib', :'lib', false);

-- copy_support(f): f, a C function, as bench_base.<same name> from the
-- library; false if the library has no such C function
CREATE FUNCTION pg_temp.copy_support(f regprocedure) RETURNS boolean
LANGUAGE plpgsql AS $f$
DECLARE
    p pg_proc;
BEGIN
    SELECT * INTO STRICT p FROM pg_proc WHERE oid = f;
    IF p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c') THEN
        RAISE EXCEPTION 'bench: % is not a C function', f;
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION bench_base.%I(%s) RETURNS %s LANGUAGE C %s %s PARALLEL %s AS %L, %L',
                   p.proname, pg_get_function_arguments(f), format_type(p.prorettype, NULL),
                   CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
                   CASE WHEN p.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END,
                   CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END,
                   current_setting('bench.lib'), p.prosrc);
    RETURN true;
EXCEPTION WHEN undefined_function THEN
    RETURN false;
END
$f$;

-- support(f, role): bench_base's copy of f, or an error naming the role
CREATE FUNCTION pg_temp.support(f regproc, role text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
    IF NOT pg_temp.copy_support(f::oid::regprocedure) THEN
        RAISE EXCEPTION 'bench: the baseline library has no C function % (the % of the installed aggregate)',
                        (SELECT prosrc FROM pg_proc WHERE oid = f), role;
    END IF;
    RETURN format('bench_base.%I', (SELECT proname FROM pg_proc WHERE oid = f));
END
$f$;

DO $$
DECLARE
    ext oid := (SELECT extnamespace FROM pg_extension WHERE extname = 'competency');
    a record;
    opts text;
    modify text;
BEGIN
    FOR a IN
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.proparallel, g.*
        FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid
        WHERE p.pronamespace = ext
          AND p.proname IN ('cp_active_entitlements', 'cp_qualified_individuals',
                            'cp_usage_entitlements', 'cp_credential_individuals')
    LOOP
        IF a.aggkind <> 'n' THEN
            RAISE EXCEPTION 'bench: % is not an ordinary aggregate', a.proname;
        END IF;
        opts := format('SFUNC = %s, STYPE = %s', pg_temp.support(a.aggtransfn, 'transition function'),
                       format_type(a.aggtranstype, NULL));
        IF a.aggtransspace <> 0 THEN
            opts := opts || format(', SSPACE = %s', a.aggtransspace);
        END IF;
        IF a.aggfinalfn <> 0 THEN
            modify := CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END;
            opts := opts || format(', FINALFUNC = %s, FINALFUNC_MODIFY = %s',
                                   pg_temp.support(a.aggfinalfn, 'final function'), modify);
            IF a.aggfinalextra THEN
                opts := opts || ', FINALFUNC_EXTRA';
            END IF;
        END IF;
        IF a.aggcombinefn <> 0 THEN
            opts := opts || format(', COMBINEFUNC = %s', pg_temp.support(a.aggcombinefn, 'combine function'));
        END IF;
        IF a.aggserialfn <> 0 THEN
            opts := opts || format(', SERIALFUNC = %s', pg_temp.support(a.aggserialfn, 'serialize function'));
        END IF;
        IF a.aggdeserialfn <> 0 THEN
            opts := opts || format(', DESERIALFUNC = %s', pg_temp.support(a.aggdeserialfn, 'deserialize function'));
        END IF;
        IF a.agginitval IS NOT NULL THEN
            opts := opts || format(', INITCOND = %L', a.agginitval);
        END IF;
        -- moving-aggregate mode (running windows) when the baseline has it too
        IF a.aggmtransfn <> 0 THEN
            IF pg_temp.copy_support(a.aggmtransfn::oid::regprocedure)
               AND pg_temp.copy_support(a.aggminvtransfn::oid::regprocedure)
               AND (a.aggmfinalfn = 0 OR pg_temp.copy_support(a.aggmfinalfn::oid::regprocedure)) THEN
                opts := opts || format(', MSFUNC = bench_base.%I, MINVFUNC = bench_base.%I, MSTYPE = %s',
                                       (SELECT proname FROM pg_proc WHERE oid = a.aggmtransfn),
                                       (SELECT proname FROM pg_proc WHERE oid = a.aggminvtransfn),
                                       format_type(a.aggmtranstype, NULL));
                IF a.aggmtransspace <> 0 THEN
                    opts := opts || format(', MSSPACE = %s', a.aggmtransspace);
                END IF;
                IF a.aggmfinalfn <> 0 THEN
                    opts := opts || format(', MFINALFUNC = bench_base.%I, MFINALFUNC_MODIFY = %s',
                                           (SELECT proname FROM pg_proc WHERE oid = a.aggmfinalfn),
                                           CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY'
                                                WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END);
                    IF a.aggmfinalextra THEN
                        opts := opts || ', MFINALFUNC_EXTRA';
                    END IF;
                END IF;
                IF a.aggminitval IS NOT NULL THEN
                    opts := opts || format(', MINITCOND = %L', a.aggminitval);
                END IF;
            ELSE
                RAISE WARNING 'bench: the baseline library lacks the moving-aggregate functions of %; its running windows go without them',
                              a.proname;
            END IF;
        END IF;
        opts := opts || format(', PARALLEL = %s',
                               CASE a.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END);
        EXECUTE format('CREATE AGGREGATE bench_base.%I(%s) (%s)', a.proname, a.args, opts);
    END LOOP;
    IF (SELECT count(DISTINCT proname) FROM pg_proc
        WHERE pronamespace = 'bench_base'::regnamespace AND prokind = 'a'
          AND proname IN ('cp_active_entitlements', 'cp_qualified_individuals')) <> 2 THEN
        RAISE EXCEPTION 'bench: the installed extension has not both aggregates';
    END IF;
END
$$;

-- occurrences(s, sub): how many times sub occurs in s
CREATE FUNCTION pg_temp.occurrences(s text, sub text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $f$
SELECT (length(s) - length(replace(s, sub, ''))) / length(sub)
$f$;

-- The installed evaluation: cp_evaluate(date) and cp_evaluate_partners,
-- renamed bench_base.evaluate and bench_base.evaluate_partners, and the
-- functions they inline (cp_partner_figures, cp_partner_usage,
-- cp_partner_credentials, whichever the installed version has), under
-- their own names in bench_base; every call of one of them, or of one of
-- the aggregates above, made to bench_base's
DO $$
DECLARE
    ext text := (SELECT quote_ident(n.nspname) FROM pg_extension e
                 JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'competency');
    chain text[] := ARRAY['cp_partner_figures', 'cp_partner_usage', 'cp_partner_credentials'];
    aggs text[] := ARRAY['cp_active_entitlements', 'cp_qualified_individuals',
                         'cp_usage_entitlements', 'cp_credential_individuals'];
    f regprocedure;
    fn text;
    def text;
    body text;
BEGIN
    FOR f IN
        SELECT p.oid FROM pg_proc p
        WHERE p.pronamespace = ext::regnamespace
          AND (p.proname = ANY (chain)
               OR p.oid IN ((ext || '.cp_evaluate(date)')::regprocedure,
                            (ext || '.cp_evaluate_partners(date, integer, bigint[])')::regprocedure))
        ORDER BY array_position(ARRAY['cp_partner_usage', 'cp_partner_credentials', 'cp_partner_figures',
                                      'cp_evaluate_partners', 'cp_evaluate'], p.proname::text)  -- callees first
    LOOP
        def := pg_get_functiondef(f);
        def := replace(def, ext || '.cp_evaluate_partners(', 'bench_base.evaluate_partners(');
        def := replace(def, ext || '.cp_evaluate(', 'bench_base.evaluate(');
        FOREACH fn IN ARRAY chain || aggs LOOP
            def := replace(def, ext || '.' || fn || '(', 'bench_base.' || fn || '(');
        END LOOP;
        EXECUTE def;
    END LOOP;
    -- every call of the aggregates now the baseline's, some made, and
    -- evaluate calls evaluate_partners
    body := (SELECT string_agg(prosrc, ' ') FROM pg_proc
             WHERE pronamespace = 'bench_base'::regnamespace AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql'));
    FOREACH fn IN ARRAY aggs LOOP
        IF pg_temp.occurrences(body, fn || '(') <> pg_temp.occurrences(body, 'bench_base.' || fn || '(') THEN
            RAISE EXCEPTION 'bench: the evaluation could not be copied with the baseline''s %', fn;
        END IF;
    END LOOP;
    IF body NOT SIMILAR TO '%bench_base.(cp_active_entitlements|cp_usage_entitlements)\(%'
       OR body NOT SIMILAR TO '%bench_base.(cp_qualified_individuals|cp_credential_individuals)\(%'
       OR (SELECT prosrc FROM pg_proc WHERE oid = 'bench_base.evaluate'::regproc)
          NOT LIKE '%bench_base.evaluate_partners(%' THEN
        RAISE EXCEPTION 'bench: the evaluation could not be copied with the baseline''s aggregates';
    END IF;
END
$$;

CREATE FUNCTION bench_base.agg_entitlements(d date, win integer)
RETURNS TABLE (partner_id bigint, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT a.partner_id,
       bench_base.cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
                                         u.is_trial, u.measured_on)
FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
  AND u.measured_on > d - win AND u.measured_on <= d
GROUP BY a.partner_id
$$;
