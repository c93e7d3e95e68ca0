CREATE FUNCTION @extschema@.cp_associated_on(partner_id bigint, tenant_id uuid, d date)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT EXISTS (SELECT 1 FROM @extschema@.cp_association a
               WHERE a.partner_id OPERATOR(pg_catalog.=) cp_associated_on.partner_id
                 AND a.tenant_id OPERATOR(pg_catalog.=) cp_associated_on.tenant_id
                 AND a.valid_from OPERATOR(pg_catalog.<=) cp_associated_on.d
                 AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) cp_associated_on.d))
$$;
COMMENT ON FUNCTION @extschema@.cp_associated_on(bigint, uuid, date) IS
  'Internal: whether any association row of the partner covers the tenant on a date';
