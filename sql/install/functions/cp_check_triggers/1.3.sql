CREATE FUNCTION @extschema@.cp_check_triggers() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    SELECT tg.tgname, tg.tgrelid::pg_catalog.regclass AS rel,
           tg.tgfoid::pg_catalog.regprocedure AS fn, r.rolname AS owner
    INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_trigger tg ON tg.tgrelid OPERATOR(pg_catalog.=) d.objid
    JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
    JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND NOT tg.tgisinternal
      AND NOT r.rolsuper
      -- the extension's own trigger functions
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend fd
                      WHERE fd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND fd.objid OPERATOR(pg_catalog.=) tg.tgfoid
                        AND fd.refobjid OPERATOR(pg_catalog.=) x.oid
                        AND fd.deptype OPERATOR(pg_catalog.=) 'e')
    ORDER BY tg.tgrelid, tg.tgname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('trigger %I on %s runs %s, a function of the non-superuser %I',
                                        t.tgname, t.rel, t.fn, t.owner),
            DETAIL = 'Competency''s tables are written with their owner''s rights (by flagging and by cascades); the trigger would run with a superuser''s.',
            HINT = 'Drop the trigger, or have a superuser own its function.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_check_triggers() IS
  'Internal: raises 42501 if a trigger on one of the extension''s tables runs a function a non-superuser owns';
