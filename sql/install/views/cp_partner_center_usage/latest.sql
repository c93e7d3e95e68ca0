CREATE VIEW @extschema@.cp_partner_center_usage WITH (security_barrier) AS
SELECT s."customerTenantId", s."customerName", s."workloadCode", s."workloadName",
       s."serviceCode", s."serviceName", s.channel, s."productId", s."productName",
       s."licensesActive", s."licensesQualified", s."processedDateTime"
FROM @extschema@.cp_partner_center_staged s
WHERE s.staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role();
COMMENT ON VIEW @extschema@.cp_partner_center_usage IS
  'Staging for Partner Center license-usage reports, columns in the report''s order, all text: \copy cp_partner_center_usage FROM ''report.csv'' (FORMAT csv, HEADER match), then cp_load_partner_center_usage(); each role sees only the rows it staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."customerTenantId" IS 'Customer tenant (uuid)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."customerName" IS 'Customer name (not loaded)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."workloadCode" IS 'Workload code; the workload when not blank';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."workloadName" IS 'Workload name; the workload when the code is blank';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."serviceCode" IS 'Service code (not loaded)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."serviceName" IS 'Service name (not loaded)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage.channel IS 'Channel (not loaded)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."productId" IS 'Product; becomes the SKU';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."productName" IS 'Product name; a trial when it contains the word "trial"';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."licensesActive" IS 'Active users (whole number, >= 0)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."licensesQualified" IS 'Qualified licenses (not loaded)';
COMMENT ON COLUMN @extschema@.cp_partner_center_usage."processedDateTime" IS 'When measured; its UTC date is measured_on (no offset: UTC)';
