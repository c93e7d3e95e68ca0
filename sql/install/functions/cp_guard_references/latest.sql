CREATE FUNCTION @extschema@.cp_guard_references() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RETURN;
    END IF;
    SELECT c.oid::pg_catalog.regclass AS rel INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::pg_catalog."char"[])
      AND pg_catalog.has_any_column_privilege(c.oid, 'REFERENCES')
    ORDER BY c.relname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('role %I may reference %s, a table of competency, so it may not create or alter tables',
                                        CURRENT_USER, t.rel),
            DETAIL = 'PostgreSQL checks a new foreign key''s rows with the rights of the referenced table''s owner, a superuser, casting the key with a cast the role may have made.',
            HINT = pg_catalog.format('REVOKE REFERENCES ON %s FROM %I (GRANT ALL gives it).', t.rel, CURRENT_USER);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_guard_references() IS
  'Event trigger: before CREATE TABLE, ALTER TABLE or CREATE SCHEMA by a role other than a superuser, refuses a role that may reference one of the extension''s tables';
