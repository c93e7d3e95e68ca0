CREATE OR REPLACE FUNCTION @extschema@.cp_flag_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text;
    tenants uuid[];
    persons bigint[];
    partners bigint[];
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    PERFORM @extschema@.cp_check_triggers();
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM @extschema@.cp_flag(NULL::bigint[]);
        RETURN NULL;
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        changed := 'new_rows';
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        changed := 'old_rows';
    ELSE
        changed := '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)';
    END IF;
    IF TG_ARGV[0] OPERATOR(pg_catalog.=) 'tenant_id' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT tenant_id FROM %s c)', changed)
        INTO tenants;
    ELSIF TG_ARGV[0] OPERATOR(pg_catalog.=) 'person_id' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT person_id FROM %s c)', changed)
        INTO persons;
    END IF;
    IF TG_ARGV[1] OPERATOR(pg_catalog.=) 'named' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT partner_id FROM %s c)', changed)
        INTO partners;
    END IF;
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'cp_partner' AND TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        -- a renumbered partner: the old number ends its history, the new
        -- one starts at none (the level row moved by ON UPDATE CASCADE goes)
        DELETE FROM @extschema@.cp_partner_level pl
        WHERE pl.partner_id OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT n.partner_id FROM new_rows n EXCEPT SELECT o.partner_id FROM old_rows o));
    END IF;
    PERFORM @extschema@.cp_flag_links(tenants, persons, partners);
    RETURN NULL;
END
$$;
