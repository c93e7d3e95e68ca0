-- Nothing of the extension is executable by PUBLIC: views and defaults check
-- EXECUTE as the caller, so the README's roles are granted what each
-- reaches.  The last step of every version's script from 1.5 on (for the
-- functions it added).

DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) p.oid
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
          AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
        ORDER BY p.oid
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON ROUTINE %I.%I(%s) FROM PUBLIC',
                                  f.nspname, f.proname, f.args);
    END LOOP;
END
$$;
