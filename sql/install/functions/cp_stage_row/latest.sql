CREATE FUNCTION @extschema@.cp_stage_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.cp_partner_center_staged
        ("customerTenantId", "customerName", "workloadCode", "workloadName", "serviceCode",
         "serviceName", channel, "productId", "productName", "licensesActive",
         "licensesQualified", "processedDateTime", staged_by)
    VALUES (NEW."customerTenantId", NEW."customerName", NEW."workloadCode", NEW."workloadName",
            NEW."serviceCode", NEW."serviceName", NEW.channel, NEW."productId", NEW."productName",
            NEW."licensesActive", NEW."licensesQualified", NEW."processedDateTime",
            @extschema@.cp_staging_role());
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_stage_row() IS
  'Trigger: stages a row written to cp_partner_center_usage as the caller''s';
