CREATE VIEW @extschema@.cp_partner_center_competency WITH (security_barrier) AS
SELECT s."CompetencyName", s."CompetencyLevel", s."CompetencyStatus",
       s."CompetencyStartDate", s."CompetencyEndDate"
FROM @extschema@.cp_partner_center_competency_staged s
WHERE s.staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role();
COMMENT ON VIEW @extschema@.cp_partner_center_competency IS
  'Staging for Partner Center''s competency summary and history report, its five columns, all text: \copy cp_partner_center_competency FROM ''report.csv'' (FORMAT csv, HEADER match), then cp_load_partner_center_competency(partner_id); each role sees only the rows it staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyName" IS 'Competency; Cloud Productivity loads';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyLevel" IS 'Silver or Gold';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyStatus" IS 'Not loaded';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyStartDate" IS 'First day held';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyEndDate" IS 'Last day held (ends_on is the day after)';
