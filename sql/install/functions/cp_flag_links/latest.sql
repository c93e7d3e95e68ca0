CREATE OR REPLACE FUNCTION @extschema@.cp_flag_links(tenants uuid[], persons bigint[], partners bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    today date := @extschema@.cp_flagging_date();
BEGIN
    PERFORM @extschema@.cp_lock_buckets(ARRAY(
        SELECT @extschema@.cp_tenant_bucket(t) FROM pg_catalog.unnest(tenants) t
        UNION SELECT @extschema@.cp_person_bucket(p) FROM pg_catalog.unnest(persons) p));
    IF partners IS NULL THEN
        partners := ARRAY(
            SELECT a.partner_id FROM @extschema@.cp_association a
            WHERE a.tenant_id OPERATOR(pg_catalog.=) ANY (tenants)
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) today)
            UNION
            SELECT p.partner_id FROM @extschema@.cp_person p
            WHERE p.person_id OPERATOR(pg_catalog.=) ANY (persons));
    END IF;
    RETURN @extschema@.cp_flag(partners, today);
END
$$;
