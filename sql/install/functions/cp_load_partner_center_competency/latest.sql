-- A competency report in one pass: the rows without a reason
-- (cp_take_checked_competency) are inserted in file order in one statement
-- that skips any row overlapping a stored row or a row inserted before it
-- (the exclusion constraint, as ON CONFLICT DO NOTHING's arbiter), so a load
-- costs a sort and an index probe per row.  Of identical rows only the
-- first can be inserted; every other row goes to the reject table.
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
    WITH checked AS (
        SELECT * FROM @extschema@.cp_take_checked_competency()
    ),
    candidates AS (
        SELECT c.line, c.level, c.started_on, c.ends_on,
               c.line OPERATOR(pg_catalog.=) pg_catalog.min(c.line)
                 OVER (PARTITION BY c.level, c.started_on, c.ends_on) AS first_of_kind
        FROM checked c WHERE c.why IS NULL
    ),
    inserted AS (
        INSERT INTO @extschema@.cp_membership AS m (partner_id, level, started_on, ends_on)
        SELECT pid, c.level, c.started_on, c.ends_on FROM candidates c ORDER BY c.line
        ON CONFLICT DO NOTHING
        RETURNING m.level, m.started_on, m.ends_on
    ),
    refused AS (
        INSERT INTO @extschema@.cp_partner_center_competency_reject
            (partner_id, "CompetencyName", "CompetencyLevel", "CompetencyStatus",
             "CompetencyStartDate", "CompetencyEndDate", reason, staged_by)
        SELECT pid, c."CompetencyName", c."CompetencyLevel", c."CompetencyStatus",
               c."CompetencyStartDate", c."CompetencyEndDate", coalesce(c.why, 'overlap'),
               @extschema@.cp_staging_role()
        FROM checked c LEFT JOIN candidates k ON k.line OPERATOR(pg_catalog.=) c.line
        WHERE c.why IS NOT NULL
           OR NOT (k.first_of_kind AND EXISTS (
                       SELECT 1 FROM inserted i
                       WHERE i.level OPERATOR(pg_catalog.=) k.level
                         AND i.started_on OPERATOR(pg_catalog.=) k.started_on
                         AND i.ends_on OPERATOR(pg_catalog.=) k.ends_on))
        ORDER BY c.line
        RETURNING 1
    )
    SELECT (SELECT pg_catalog.count(*) FROM inserted), (SELECT pg_catalog.count(*) FROM refused)
    INTO loaded, rejected;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_load_partner_center_competency(bigint) IS
  'Moves every competency report row the caller staged into cp_membership (Cloud Productivity, Silver or Gold; ends_on is the end date plus one) or, with a reason, into cp_partner_center_competency_reject; returns the counts (runs with the extension''s rights)';
