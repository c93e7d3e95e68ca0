CREATE FUNCTION cp_flag_links(tenants uuid[], persons bigint[], partners bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    PERFORM @extschema@.cp_lock_buckets(ARRAY(
        SELECT @extschema@.cp_tenant_bucket(t) FROM unnest(tenants) t
        UNION SELECT @extschema@.cp_person_bucket(p) FROM unnest(persons) p));
    IF partners IS NULL THEN
        partners := ARRAY(
            SELECT a.partner_id FROM @extschema@.cp_association a
            WHERE a.tenant_id = ANY (tenants)
              AND a.valid_from <= current_date
              AND (a.valid_until IS NULL OR a.valid_until > current_date)
            UNION
            SELECT p.partner_id FROM @extschema@.cp_person p
            WHERE p.person_id = ANY (persons));
    END IF;
    RETURN @extschema@.cp_flag(partners);
END
$$;
COMMENT ON FUNCTION cp_flag_links(uuid[], bigint[], bigint[]) IS
  'Internal: serializes on the tenants and persons given, finds their partners today (unless given) and flags them';
