-------------------------------------------------------------------------------
-- A schema others may create objects in is a schema where an object of the
-- same name as one of competency's can be put in its way.  Say so (this
-- does not refuse: restores, and databases that ordinary roles own, must
-- keep working).  Every version's script from 1.5 on begins with it.
-------------------------------------------------------------------------------

DO $$
DECLARE
    roles text;
BEGIN
    -- once per CREATE or ALTER EXTENSION, which may run several scripts
    IF pg_catalog.current_setting('competency_install.schema_warned', true) OPERATOR(pg_catalog.=) 'on' THEN
        RETURN;
    END IF;
    PERFORM pg_catalog.set_config('competency_install.schema_warned', 'on', true);
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)
    INTO roles
    FROM pg_catalog.pg_roles r
    WHERE NOT r.rolsuper
      AND r.rolname OPERATOR(pg_catalog.<>) 'pg_database_owner'
      AND pg_catalog.has_schema_privilege(r.oid, '@extschema@'::pg_catalog.regnamespace, 'CREATE');
    IF roles IS NOT NULL THEN
        RAISE WARNING USING
            MESSAGE = pg_catalog.format('roles that are not superusers may create objects in schema %s, where competency is installed: %s',
                                        '@extschema@', roles),
            DETAIL = 'A function, operator or aggregate of the same name as one of competency''s, put there by one of them, could take its place in a query and run with the rights of whoever runs the query, a superuser included.',
            HINT = pg_catalog.format('REVOKE CREATE ON SCHEMA %s FROM those roles (or install competency into a schema of its own).',
                                     '@extschema@');
    END IF;
END
$$;

