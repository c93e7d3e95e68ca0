CREATE OR REPLACE FUNCTION @extschema@.cp_load_partner_center_competency(partner_id bigint)
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pid bigint := cp_load_partner_center_competency.partner_id;
BEGIN
    IF pid IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'partner_id must not be NULL';
    END IF;
    PERFORM @extschema@.cp_check_triggers();
    IF NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                   WHERE p.partner_id OPERATOR(pg_catalog.=) pid) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = pg_catalog.format('partner %s does not exist', pid),
            DETAIL = 'Nothing was loaded; the staged rows stay.';
    END IF;
    WITH taken AS (
        SELECT s.*,
               pg_catalog.btrim(s."CompetencyName", E' \t\n\r\f\013') AS t_name,
               pg_catalog.btrim(s."CompetencyLevel", E' \t\n\r\f\013') AS t_level,
               pg_catalog.btrim(s."CompetencyStartDate", E' \t\n\r\f\013') AS t_start,
               pg_catalog.btrim(s."CompetencyEndDate", E' \t\n\r\f\013') AS t_end
        FROM @extschema@.cp_take_staged_competency() s
    ),
    dated AS (
        SELECT t.*, @extschema@.cp_granted_level(t."CompetencyLevel") AS lvl,
               @extschema@.cp_utc_date(t.t_start) AS first_day,
               @extschema@.cp_utc_date(t.t_end) AS last_day
        FROM taken t
    ),
    checked AS (
        SELECT d.*,
               CASE
                   WHEN coalesce(d.t_name, '') OPERATOR(pg_catalog.=) ''
                     OR coalesce(d.t_level, '') OPERATOR(pg_catalog.=) ''
                     OR coalesce(d.t_start, '') OPERATOR(pg_catalog.=) ''
                     OR coalesce(d.t_end, '') OPERATOR(pg_catalog.=) '' THEN 'missing field'
                   WHEN NOT @extschema@.cp_is_cloud_productivity(d."CompetencyName") THEN 'other competency'
                   WHEN d.lvl IS NULL THEN 'bad level'
                   WHEN d.first_day IS NULL OR d.last_day IS NULL
                     OR d.last_day OPERATOR(pg_catalog.<) d.first_day
                     OR d.last_day OPERATOR(pg_catalog.>=) '5874897-12-31'::pg_catalog.date THEN 'bad date'
               END AS why
        FROM dated d
    ),
    candidates AS (
        SELECT c.line, c.lvl, c.first_day, c.last_day OPERATOR(pg_catalog.+) 1 AS ends_on,
               c.line OPERATOR(pg_catalog.=)
                 pg_catalog.min(c.line) OVER (PARTITION BY c.lvl, c.first_day, c.last_day) AS first_of_kind
        FROM checked c WHERE c.why IS NULL
    ),
    inserted AS (
        INSERT INTO @extschema@.cp_membership AS m (partner_id, level, started_on, ends_on)
        SELECT pid, c.lvl, c.first_day, c.ends_on FROM candidates c ORDER BY c.line
        ON CONFLICT DO NOTHING
        RETURNING m.level, m.started_on, m.ends_on
    ),
    outcome AS (
        SELECT c.line,
               coalesce(c.why,
                        CASE WHEN k.first_of_kind AND EXISTS (
                                  SELECT 1 FROM inserted i
                                  WHERE i.level OPERATOR(pg_catalog.=) k.lvl
                                    AND i.started_on OPERATOR(pg_catalog.=) k.first_day
                                    AND i.ends_on OPERATOR(pg_catalog.=) k.ends_on)
                             THEN NULL ELSE 'overlap' END) AS why,
               c."CompetencyName", c."CompetencyLevel", c."CompetencyStatus",
               c."CompetencyStartDate", c."CompetencyEndDate"
        FROM checked c LEFT JOIN candidates k ON k.line OPERATOR(pg_catalog.=) c.line
    ),
    refused AS (
        INSERT INTO @extschema@.cp_partner_center_competency_reject
            (partner_id, "CompetencyName", "CompetencyLevel", "CompetencyStatus",
             "CompetencyStartDate", "CompetencyEndDate", reason, staged_by)
        SELECT pid, o."CompetencyName", o."CompetencyLevel", o."CompetencyStatus",
               o."CompetencyStartDate", o."CompetencyEndDate", o.why, @extschema@.cp_staging_role()
        FROM outcome o WHERE o.why IS NOT NULL ORDER BY o.line
        RETURNING 1
    )
    SELECT (SELECT pg_catalog.count(*) FROM inserted), (SELECT pg_catalog.count(*) FROM refused)
    INTO loaded, rejected;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_load_partner_center_competency(bigint) IS
  'Moves every competency report row the caller staged into cp_membership (Cloud Productivity, Silver or Gold; ends_on is the end date plus one) or, with a reason, into cp_partner_center_competency_reject; returns the counts (runs with the extension''s rights)';
