CREATE FUNCTION @extschema@.cp_take_staged_competency()
RETURNS TABLE (line bigint, "CompetencyName" text, "CompetencyLevel" text,
               "CompetencyStatus" text, "CompetencyStartDate" text, "CompetencyEndDate" text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
WITH taken AS (
    DELETE FROM @extschema@.cp_partner_center_competency_staged s
    WHERE s.staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role()
    RETURNING s.line, s."CompetencyName", s."CompetencyLevel", s."CompetencyStatus",
              s."CompetencyStartDate", s."CompetencyEndDate"
)
SELECT * FROM taken t ORDER BY t.line
$$;
COMMENT ON FUNCTION @extschema@.cp_take_staged_competency() IS
  'Internal: deletes and returns the caller''s staged competency rows, in file order';
