CREATE OR REPLACE FUNCTION @extschema@.cp_guard_triggers() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RETURN;
    END IF;
    FOR t IN
        SELECT tg.tgname, tg.tgrelid::pg_catalog.regclass AS rel
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        JOIN pg_catalog.pg_trigger tg ON tg.oid OPERATOR(pg_catalog.=) c.objid
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) tg.tgrelid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
          AND x.extname OPERATOR(pg_catalog.=) 'competency'
    LOOP
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('permission denied to create trigger %I on %s', t.tgname, t.rel),
            DETAIL = 'Only superusers create triggers on competency''s tables: they are written with their owner''s rights.';
    END LOOP;
    FOR t IN
        SELECT k.conname, k.conrelid::pg_catalog.regclass AS rel, k.confrelid::pg_catalog.regclass AS target
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        LEFT JOIN LATERAL pg_catalog.pg_partition_tree(c.objid) pt ON true
        JOIN pg_catalog.pg_constraint k ON k.conrelid OPERATOR(pg_catalog.=) coalesce(pt.relid, c.objid)
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) k.confrelid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
          AND k.contype OPERATOR(pg_catalog.=) 'f'
          AND x.extname OPERATOR(pg_catalog.=) 'competency'
    LOOP
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('permission denied to make foreign key %I on %s reference %s, a table of competency',
                                        t.conname, t.rel, t.target),
            DETAIL = 'PostgreSQL checks a referencing row with the rights of the referenced table''s owner, a superuser, casting the key: only superusers make such keys.';
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_guard_triggers() IS
  'Event trigger: refuses, to roles other than superusers, CREATE TRIGGER on the extension''s tables and any command that leaves on a table it touched a foreign key referencing one of them';
