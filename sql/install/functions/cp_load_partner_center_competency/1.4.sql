CREATE FUNCTION @extschema@.cp_load_partner_center_competency(partner_id bigint)
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pid bigint := cp_load_partner_center_competency.partner_id;
    r record;
    why text;
    lvl @extschema@.competency_level;
    first_day date;
    last_day date;
    starts date[] := '{}';
    ends date[] := '{}';
    levels @extschema@.competency_level[] := '{}';
    n_rejected bigint := 0;
    blank constant text := E' \t\n\r\f\013';
BEGIN
    IF pid IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'partner_id must not be NULL';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                   WHERE p.partner_id OPERATOR(pg_catalog.=) pid) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = pg_catalog.format('partner %s does not exist', pid),
            DETAIL = 'Nothing was loaded; the staged rows stay.';
    END IF;
    FOR r IN SELECT * FROM @extschema@.cp_take_staged_competency() LOOP
        why := NULL;
        first_day := NULL;
        last_day := NULL;
        lvl := @extschema@.cp_granted_level(r."CompetencyLevel");
        IF coalesce(pg_catalog.btrim(r."CompetencyName", blank), '') OPERATOR(pg_catalog.=) ''
           OR coalesce(pg_catalog.btrim(r."CompetencyLevel", blank), '') OPERATOR(pg_catalog.=) ''
           OR coalesce(pg_catalog.btrim(r."CompetencyStartDate", blank), '') OPERATOR(pg_catalog.=) ''
           OR coalesce(pg_catalog.btrim(r."CompetencyEndDate", blank), '') OPERATOR(pg_catalog.=) '' THEN
            why := 'missing field';
        ELSIF NOT @extschema@.cp_is_cloud_productivity(r."CompetencyName") THEN
            why := 'other competency';
        ELSIF lvl IS NULL THEN
            why := 'bad level';
        ELSE
            first_day := @extschema@.cp_utc_date(pg_catalog.btrim(r."CompetencyStartDate", blank));
            last_day := @extschema@.cp_utc_date(pg_catalog.btrim(r."CompetencyEndDate", blank));
            IF first_day IS NULL OR last_day IS NULL
               OR last_day OPERATOR(pg_catalog.<) first_day
               OR last_day OPERATOR(pg_catalog.>=) '5874897-12-31'::date THEN
                why := 'bad date';
            ELSIF EXISTS (SELECT 1 FROM @extschema@.cp_membership m
                          WHERE m.partner_id OPERATOR(pg_catalog.=) pid
                            AND m.started_on OPERATOR(pg_catalog.<=) last_day
                            AND first_day OPERATOR(pg_catalog.<) m.ends_on)
               OR EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest(starts), pg_catalog.unnest(ends)) AS a(s, e)
                          WHERE a.s OPERATOR(pg_catalog.<=) last_day
                            AND first_day OPERATOR(pg_catalog.<) a.e) THEN
                why := 'overlap';
            END IF;
        END IF;
        IF why IS NULL THEN
            starts := starts OPERATOR(pg_catalog.||) first_day;
            ends := ends OPERATOR(pg_catalog.||) (last_day OPERATOR(pg_catalog.+) 1);
            levels := levels OPERATOR(pg_catalog.||) lvl;
        ELSE
            INSERT INTO @extschema@.cp_partner_center_competency_reject
                (partner_id, "CompetencyName", "CompetencyLevel", "CompetencyStatus",
                 "CompetencyStartDate", "CompetencyEndDate", reason, staged_by)
            VALUES (pid, r."CompetencyName", r."CompetencyLevel", r."CompetencyStatus",
                    r."CompetencyStartDate", r."CompetencyEndDate", why,
                    @extschema@.cp_staging_role());
            n_rejected := n_rejected OPERATOR(pg_catalog.+) 1;
        END IF;
    END LOOP;
    INSERT INTO @extschema@.cp_membership (partner_id, level, started_on, ends_on)
    SELECT pid, a.l, a.s, a.e FROM ROWS FROM (pg_catalog.unnest(levels), pg_catalog.unnest(starts), pg_catalog.unnest(ends)) AS a(l, s, e);
    loaded := pg_catalog.cardinality(starts);
    rejected := n_rejected;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_load_partner_center_competency(bigint) IS
  'Moves every competency report row the caller staged into cp_membership (Cloud Productivity, Silver or Gold; ends_on is the end date plus one) or, with a reason, into cp_partner_center_competency_reject; returns the counts';
