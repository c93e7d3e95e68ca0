CREATE OR REPLACE FUNCTION @extschema@.cp_person_bucket(person_id bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT 1024 OPERATOR(pg_catalog.+) (pg_catalog.hashint8(person_id) OPERATOR(pg_catalog.&) 1023) $$;
