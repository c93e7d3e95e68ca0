CREATE FUNCTION cp_tenant_bucket(tenant_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.uuid_hash(tenant_id) OPERATOR(pg_catalog.&) 1023 $$;
COMMENT ON FUNCTION cp_tenant_bucket(uuid) IS 'Internal: the cp_flag_lock row of a tenant';
