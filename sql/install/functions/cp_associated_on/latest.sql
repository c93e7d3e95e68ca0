CREATE FUNCTION @extschema@.cp_associated_on(partner_id bigint, tenant_id uuid, d date, rule_set text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT EXISTS (SELECT 1 FROM @extschema@.cp_association a
               WHERE a.partner_id OPERATOR(pg_catalog.=) cp_associated_on.partner_id
                 AND a.tenant_id OPERATOR(pg_catalog.=) cp_associated_on.tenant_id
                 AND @extschema@.cp_kind_counted(a.kind, cp_associated_on.rule_set)
                 AND @extschema@.cp_in_period(a.valid_from, a.valid_until, cp_associated_on.d))
$$;
COMMENT ON FUNCTION @extschema@.cp_associated_on(bigint, uuid, date, text) IS
  'Internal: whether an association row of the partner of a kind a rule set counts covers the tenant on a date';
