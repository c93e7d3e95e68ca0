CREATE FUNCTION @extschema@.cp_stage_competency_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.cp_partner_center_competency_staged
        ("CompetencyName", "CompetencyLevel", "CompetencyStatus", "CompetencyStartDate",
         "CompetencyEndDate", staged_by)
    VALUES (NEW."CompetencyName", NEW."CompetencyLevel", NEW."CompetencyStatus",
            NEW."CompetencyStartDate", NEW."CompetencyEndDate", @extschema@.cp_staging_role());
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_stage_competency_row() IS
  'Trigger: stages a row written to cp_partner_center_competency as the caller''s';
