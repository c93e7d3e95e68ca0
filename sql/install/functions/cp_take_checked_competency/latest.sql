-- The caller's staged competency rows, taken (deleted) in file order, each
-- with its level and dates and the first reason that refuses it before
-- overlaps are looked at: missing field (name, level, start or end blank),
-- other competency, bad level, bad date (not a date, an end before the
-- start, or an end whose next day is out of range).
CREATE FUNCTION @extschema@.cp_take_checked_competency()
RETURNS TABLE (line bigint, "CompetencyName" text, "CompetencyLevel" text, "CompetencyStatus" text,
               "CompetencyStartDate" text, "CompetencyEndDate" text,
               level @extschema@.competency_level, started_on date, ends_on date, why text)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
WITH taken AS (
    SELECT s.*,
           pg_catalog.btrim(s."CompetencyName", E' \t\n\r\f\013') AS t_name,
           pg_catalog.btrim(s."CompetencyLevel", E' \t\n\r\f\013') AS t_level,
           @extschema@.cp_granted_level(s."CompetencyLevel") AS lvl,
           pg_catalog.btrim(s."CompetencyStartDate", E' \t\n\r\f\013') AS t_start,
           pg_catalog.btrim(s."CompetencyEndDate", E' \t\n\r\f\013') AS t_end
    FROM @extschema@.cp_take_staged_competency() s
),
dated AS (
    SELECT t.*, @extschema@.cp_utc_date(t.t_start) AS first_day, @extschema@.cp_utc_date(t.t_end) AS last_day
    FROM taken t
),
checked AS (
    SELECT d.*,
           CASE
               WHEN coalesce(d.t_name, '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(d.t_level, '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(d.t_start, '') OPERATOR(pg_catalog.=) ''
                 OR coalesce(d.t_end, '') OPERATOR(pg_catalog.=) '' THEN 'missing field'::pg_catalog.text
               WHEN NOT @extschema@.cp_is_cloud_productivity(d."CompetencyName") THEN 'other competency'
               WHEN d.lvl IS NULL THEN 'bad level'
               WHEN d.first_day IS NULL OR d.last_day IS NULL
                 OR d.last_day OPERATOR(pg_catalog.<) d.first_day
                 OR d.last_day OPERATOR(pg_catalog.>=) '5874897-12-31'::pg_catalog.date THEN 'bad date'
           END AS why
    FROM dated d
)
SELECT c.line, c."CompetencyName", c."CompetencyLevel", c."CompetencyStatus",
       c."CompetencyStartDate", c."CompetencyEndDate", c.lvl, c.first_day,
       CASE WHEN c.why IS NULL THEN c.last_day OPERATOR(pg_catalog.+) 1 END, c.why
FROM checked c
ORDER BY c.line
$$;
COMMENT ON FUNCTION @extschema@.cp_take_checked_competency() IS
  'Internal: takes the caller''s staged competency rows in file order, with their level, dates and the first reason (short of an overlap) that refuses each';
