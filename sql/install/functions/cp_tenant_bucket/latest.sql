CREATE OR REPLACE FUNCTION @extschema@.cp_tenant_bucket(tenant_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.uuid_hash(tenant_id) OPERATOR(pg_catalog.&) 1023 $$;
