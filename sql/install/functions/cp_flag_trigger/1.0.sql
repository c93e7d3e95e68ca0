CREATE FUNCTION cp_flag_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text := CASE TG_OP
                        WHEN 'INSERT' THEN 'new_rows'
                        WHEN 'DELETE' THEN 'old_rows'
                        ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)'
                    END;
    tenants uuid[];
    persons bigint[];
    partners bigint[];
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM @extschema@.cp_flag(NULL::bigint[]);
        RETURN NULL;
    END IF;
    IF TG_ARGV[0] = 'tenant_id' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT tenant_id FROM %s c)', changed) INTO tenants;
    ELSIF TG_ARGV[0] = 'person_id' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT person_id FROM %s c)', changed) INTO persons;
    END IF;
    IF TG_ARGV[1] = 'named' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT partner_id FROM %s c)', changed) INTO partners;
    END IF;
    IF TG_TABLE_NAME = 'cp_partner' AND TG_OP = 'UPDATE' THEN
        -- a renumbered partner: the old number ends its history, the new
        -- one starts at none (the level row moved by ON UPDATE CASCADE goes)
        DELETE FROM @extschema@.cp_partner_level
        WHERE partner_id IN (SELECT partner_id FROM new_rows
                             EXCEPT SELECT partner_id FROM old_rows);
    END IF;
    PERFORM @extschema@.cp_flag_links(tenants, persons, partners);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_flag_trigger() IS
  'Trigger: flags level changes after writes to cp_partner, cp_association, cp_usage, cp_person and cp_credential';
