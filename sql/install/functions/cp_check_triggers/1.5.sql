CREATE OR REPLACE FUNCTION @extschema@.cp_check_triggers() RETURNS void
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

    SELECT k.conname, k.conrelid::pg_catalog.regclass AS rel,
           k.confrelid::pg_catalog.regclass AS target, r.rolname AS owner, r.rolsuper
    INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_constraint k ON k.confrelid OPERATOR(pg_catalog.=) d.objid
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid
    JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.relowner
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND k.contype OPERATOR(pg_catalog.=) 'f'
      -- not a key of the extension's own tables
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend od
                      WHERE od.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND od.objid OPERATOR(pg_catalog.=) k.conrelid
                        AND od.refobjid OPERATOR(pg_catalog.=) x.oid
                        AND od.deptype OPERATOR(pg_catalog.=) 'e')
      AND (NOT r.rolsuper
           OR EXISTS (SELECT 1
                      FROM ROWS FROM (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey)) AS u(fk, pk)
                      JOIN pg_catalog.pg_attribute fa
                        ON fa.attrelid OPERATOR(pg_catalog.=) k.conrelid AND fa.attnum OPERATOR(pg_catalog.=) u.fk
                      JOIN pg_catalog.pg_attribute pa
                        ON pa.attrelid OPERATOR(pg_catalog.=) k.confrelid AND pa.attnum OPERATOR(pg_catalog.=) u.pk
                      WHERE fa.atttypid OPERATOR(pg_catalog.<>) pa.atttypid
                        AND fa.atttypid OPERATOR(pg_catalog.>=) 16384::pg_catalog.oid))
    ORDER BY k.conrelid, k.conname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = CASE WHEN t.rolsuper
                           THEN pg_catalog.format('foreign key %I on %s references %s, a table of competency, through a column of a type that is not built in',
                                                  t.conname, t.rel, t.target)
                           ELSE pg_catalog.format('foreign key %I on %s references %s, a table of competency, and the non-superuser %I owns %s',
                                                  t.conname, t.rel, t.target, t.owner, t.rel) END,
            DETAIL = 'PostgreSQL checks a referencing row with the rights of the referenced table''s owner, a superuser, casting the key to the referenced type: a cast or a type of another role''s would run with those rights.',
            HINT = 'Drop the foreign key, or have a superuser own the table, its key columns of the referenced types.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_check_triggers() IS
  'Internal: raises 42501 if a trigger on one of the extension''s tables runs a function a non-superuser owns, or a foreign key referencing one is on a table a non-superuser owns or casts a type that is not built in';
