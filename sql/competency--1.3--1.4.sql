/* sql/competency--1.3--1.4.sql: the membership lifecycle (SPEC section 7): granted levels, their status and risk, status changes flagged, the competency summary import */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.4'" to load this file. \quit

-------------------------------------------------------------------------------
-- Memberships: the levels Microsoft granted, for [started_on, ends_on).
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cp_grace_days() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_grace_days'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_grace_days() IS
  'competency.grace_days: days a level is still held after its membership year ends unrenewed';

CREATE FUNCTION @extschema@.cp_is_cloud_productivity(name text) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_is_cloud_productivity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_is_cloud_productivity(text) IS
  'Whether a competency name is a spelling of Cloud Productivity (compared as workload spellings are)';

CREATE FUNCTION @extschema@.cp_granted_level(level text) RETURNS @extschema@.competency_level
AS 'MODULE_PATHNAME', 'cp_granted_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_granted_level(text) IS
  'The level a spelling names (silver or gold, compared as workload spellings are); NULL otherwise';

CREATE TABLE @extschema@.cp_membership (
    partner_id bigint NOT NULL
               REFERENCES @extschema@.cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    level      @extschema@.competency_level NOT NULL
               CONSTRAINT cp_membership_level_check
               CHECK (level OPERATOR(pg_catalog.>) 'none'::@extschema@.competency_level),
    started_on date NOT NULL,
    ends_on    date NOT NULL,
    CONSTRAINT cp_membership_period_check CHECK (ends_on OPERATOR(pg_catalog.>) started_on),
    CONSTRAINT cp_membership_finite_check
        CHECK (pg_catalog.isfinite(started_on) AND pg_catalog.isfinite(ends_on)),
    -- no two rows of a partner overlap, also between concurrent
    -- transactions (int8range and daterange have GiST support in core)
    CONSTRAINT cp_membership_no_overlap EXCLUDE USING gist (
        pg_catalog.int8range(partner_id, partner_id, '[]') WITH OPERATOR(pg_catalog.&&),
        pg_catalog.daterange(started_on, ends_on) WITH OPERATOR(pg_catalog.&&))
);
CREATE INDEX cp_membership_partner_idx ON @extschema@.cp_membership (partner_id, ends_on);
COMMENT ON TABLE @extschema@.cp_membership IS
  'Levels granted to partners for a membership year [started_on, ends_on); a partner''s rows never overlap';
COMMENT ON COLUMN @extschema@.cp_membership.partner_id IS 'Partner';
COMMENT ON COLUMN @extschema@.cp_membership.level IS 'Level granted: silver or gold';
COMMENT ON COLUMN @extschema@.cp_membership.started_on IS 'First day the level is held';
COMMENT ON COLUMN @extschema@.cp_membership.ends_on IS 'First day it is no longer held (the renewal date, the anniversary); grace follows';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_membership', '');
REVOKE ALL ON @extschema@.cp_membership FROM PUBLIC;

-- Each partner's last known status, beside its last known level.
ALTER TABLE @extschema@.cp_partner_level
    ADD COLUMN held_level @extschema@.competency_level NOT NULL
        DEFAULT 'none'::@extschema@.competency_level,
    ADD COLUMN ends_on date,
    ADD COLUMN projected_level @extschema@.competency_level,
    ADD COLUMN status text NOT NULL DEFAULT 'not_held';
COMMENT ON TABLE @extschema@.cp_partner_level IS
  'Last known level and membership status of each partner, kept by flagging; a partner without a row is at none and not_held';
COMMENT ON COLUMN @extschema@.cp_partner_level.held_level IS 'Held level at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.ends_on IS 'Renewal date of the held level at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.projected_level IS 'Projected level at the renewal date at the last evaluation';
COMMENT ON COLUMN @extschema@.cp_partner_level.status IS 'Membership status at the last evaluation';

CREATE TABLE @extschema@.cp_status_change (
    change_id       bigserial PRIMARY KEY,
    partner_id      bigint NOT NULL,
    old_status      text NOT NULL,
    new_status      text NOT NULL,
    held_level      @extschema@.competency_level NOT NULL,
    level           @extschema@.competency_level NOT NULL,
    projected_level @extschema@.competency_level,
    changed_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX cp_status_change_partner_idx ON @extschema@.cp_status_change (partner_id, change_id);
COMMENT ON TABLE @extschema@.cp_status_change IS
  'History of membership status changes; per partner, in change_id order, each old_status is the previous new_status';
COMMENT ON COLUMN @extschema@.cp_status_change.change_id IS 'Order of changes';
COMMENT ON COLUMN @extschema@.cp_status_change.partner_id IS 'Partner (no foreign key: history outlives the partner)';
COMMENT ON COLUMN @extschema@.cp_status_change.old_status IS 'Status before the change';
COMMENT ON COLUMN @extschema@.cp_status_change.new_status IS 'Status after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.held_level IS 'Held level after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.level IS 'Level after the change';
COMMENT ON COLUMN @extschema@.cp_status_change.projected_level IS 'Projected level at the renewal date after the change; NULL when no level is held';
COMMENT ON COLUMN @extschema@.cp_status_change.changed_at IS 'When the change was flagged';
COMMENT ON SEQUENCE @extschema@.cp_status_change_change_id_seq IS 'Numbers status changes in the order they were flagged';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_status_change', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_status_change_change_id_seq', '');
REVOKE ALL ON @extschema@.cp_status_change FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.cp_status_change_change_id_seq FROM PUBLIC;

-------------------------------------------------------------------------------
-- Status.  Inlinable SQL functions, so every name is schema-qualified.
-------------------------------------------------------------------------------

-- The level each partner holds as of a date: the row that covers it, else
-- the latest that ended within the grace period; and the date its figures
-- are projected to (the renewal date; in grace, the date itself).
CREATE FUNCTION @extschema@.cp_held(as_of date, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level,
               ends_on date, in_grace boolean, projected_on date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT DISTINCT ON (m.partner_id)
       m.partner_id, m.level, m.ends_on,
       m.ends_on OPERATOR(pg_catalog.<=) as_of,
       CASE WHEN m.ends_on OPERATOR(pg_catalog.<=) as_of THEN as_of ELSE m.ends_on END
FROM @extschema@.cp_membership m
WHERE m.started_on OPERATOR(pg_catalog.<=) as_of
  AND (as_of OPERATOR(pg_catalog.-) m.ends_on) OPERATOR(pg_catalog.<) @extschema@.cp_grace_days()
  AND (partner_ids IS NULL OR m.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
ORDER BY m.partner_id, m.ends_on DESC
$$;
COMMENT ON FUNCTION @extschema@.cp_held(date, bigint[]) IS
  'Internal: each partner''s held level as of a date (covering row, else the latest in grace), its renewal date, and the date its figures are projected to';

-- Every column of cp_evaluate and of cp_membership_status in one pass over
-- the usage rows: each aggregate runs twice, over the associations and
-- credentials of as_of and over those of the projection date (FILTER).
CREATE FUNCTION @extschema@.cp_status_partners(as_of date, window_days integer,
                                              partner_ids bigint[])
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer,
               held_level @extschema@.competency_level, ends_on date,
               projected_level @extschema@.competency_level, status text,
               entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, @extschema@.cp_next_level(s.level),
       CASE WHEN @extschema@.cp_next_level(s.level) IS NOT NULL THEN
           greatest(@extschema@.cp_required_entitlements(@extschema@.cp_next_level(s.level), s.market)
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0) END,
       CASE WHEN @extschema@.cp_next_level(s.level) IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(@extschema@.cp_next_level(s.level))
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END,
       s.held_level, s.ends_on, s.projected_level,
       CASE WHEN s.held_level OPERATOR(pg_catalog.=) 'none'::@extschema@.competency_level THEN 'not_held'
            WHEN s.in_grace THEN 'in_grace'
            WHEN s.level OPERATOR(pg_catalog.<) s.held_level
              OR s.projected_level OPERATOR(pg_catalog.<) s.held_level THEN 'at_risk'
            WHEN s.level OPERATOR(pg_catalog.>) s.held_level THEN 'upgrade_available'
            ELSE 'secure' END,
       CASE WHEN s.held THEN s.active_entitlements OPERATOR(pg_catalog.-)
                             @extschema@.cp_required_entitlements(s.held_level, s.market) END,
       CASE WHEN s.held THEN s.qualified_individuals OPERATOR(pg_catalog.-)
                             @extschema@.cp_required_individuals(s.held_level) END,
       CASE WHEN s.held THEN s.projected_entitlements END,
       CASE WHEN s.held THEN s.projected_individuals END
FROM (
    SELECT f.*,
           @extschema@.cp_level(f.market, f.active_entitlements, f.qualified_individuals) AS level,
           CASE WHEN f.held THEN @extschema@.cp_level(f.market, f.projected_entitlements,
                                                       f.projected_individuals) END AS projected_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               coalesce(e.pn, 0) AS projected_entitlements,
               coalesce(q.pn, 0) AS projected_individuals,
               h.partner_id IS NOT NULL AS held,
               coalesce(h.held_level, 'none') AS held_level,
               h.ends_on, coalesce(h.in_grace, false) AS in_grace
        FROM @extschema@.cp_partner p
        LEFT JOIN @extschema@.cp_held(as_of, partner_ids) h
               ON h.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial, u.measured_on)
                     FILTER (WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
                               AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)) AS n,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial, u.measured_on)
                     FILTER (WHERE a.valid_from OPERATOR(pg_catalog.<=) ah.projected_on
                               AND (a.valid_until IS NULL
                                    OR a.valid_until OPERATOR(pg_catalog.>) ah.projected_on)) AS pn
            FROM @extschema@.cp_association a
            LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ah
                   ON ah.partner_id OPERATOR(pg_catalog.=) a.partner_id
            JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
            WHERE ((a.valid_from OPERATOR(pg_catalog.<=) as_of
                    AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of))
                   OR (a.valid_from OPERATOR(pg_catalog.<=) ah.projected_on
                       AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) ah.projected_on)))
              AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
              AND u.measured_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) window_days)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            -- a credential valid on the projection date (not before as_of)
            -- is valid on as_of: the projection's are a subset
            SELECT pe.partner_id,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS n,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential)
                     FILTER (WHERE c.expires_on IS NULL
                                OR ch.projected_on OPERATOR(pg_catalog.<) c.expires_on) AS pn
            FROM @extschema@.cp_person pe
            LEFT JOIN @extschema@.cp_held(as_of, partner_ids) ch
                   ON ch.partner_id OPERATOR(pg_catalog.=) pe.partner_id
            JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
            WHERE c.earned_on OPERATOR(pg_catalog.<=) as_of
              AND (c.expires_on IS NULL OR as_of OPERATOR(pg_catalog.<) c.expires_on)
              AND (partner_ids IS NULL OR pe.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
            GROUP BY pe.partner_id
        ) q ON q.partner_id OPERATOR(pg_catalog.=) p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND @extschema@.cp_require_date(as_of, 'as_of'::text)
          AND @extschema@.cp_require_window(window_days)
    ) f
) s
$$;
COMMENT ON FUNCTION @extschema@.cp_status_partners(date, integer, bigint[]) IS
  'Internal: cp_evaluate''s and cp_membership_status''s columns with an explicit usage window (days), for the given partners (NULL: all)';

CREATE FUNCTION @extschema@.cp_membership_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level, ends_on date,
               level @extschema@.competency_level, projected_level @extschema@.competency_level,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.held_level, s.ends_on, s.level, s.projected_level, s.status,
       s.entitlements_margin, s.individuals_margin, s.projected_entitlements, s.projected_individuals
FROM @extschema@.cp_status_partners(as_of, @extschema@.cp_usage_window(), NULL::bigint[]) s
$$;
COMMENT ON FUNCTION @extschema@.cp_membership_status(date) IS
  'Every partner''s held level, renewal date, level, projected level at the renewal date, status (not_held, in_grace, at_risk, upgrade_available, secure), margins over the held level''s requirements and projected figures, as of a date';

-- Internal helpers of cp_explain_risk.
CREATE FUNCTION @extschema@.cp_associated_on(partner_id bigint, tenant_id uuid, d date)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT EXISTS (SELECT 1 FROM @extschema@.cp_association a
               WHERE a.partner_id OPERATOR(pg_catalog.=) cp_associated_on.partner_id
                 AND a.tenant_id OPERATOR(pg_catalog.=) cp_associated_on.tenant_id
                 AND a.valid_from OPERATOR(pg_catalog.<=) cp_associated_on.d
                 AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) cp_associated_on.d))
$$;
COMMENT ON FUNCTION @extschema@.cp_associated_on(bigint, uuid, date) IS
  'Internal: whether any association row of the partner covers the tenant on a date';

CREATE FUNCTION @extschema@.cp_qualified_on(person_id bigint, earned_by date, d date)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT @extschema@.cp_qualified_individuals(c.person_id, c.credential) OPERATOR(pg_catalog.>) 0
FROM @extschema@.cp_credential c
WHERE c.person_id OPERATOR(pg_catalog.=) cp_qualified_on.person_id
  AND c.earned_on OPERATOR(pg_catalog.<=) cp_qualified_on.earned_by
  AND (c.expires_on IS NULL OR cp_qualified_on.d OPERATOR(pg_catalog.<) c.expires_on)
$$;
COMMENT ON FUNCTION @extschema@.cp_qualified_on(bigint, date, date) IS
  'Internal: whether a person qualifies on a date with the credentials earned by another';

-- What moves the figures between as_of and the projection date.
CREATE FUNCTION @extschema@.cp_explain_risk(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (kind text, subject text, effective_on date,
               entitlements_change bigint, individuals_change integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH held AS (
    SELECT h.projected_on AS e
    FROM @extschema@.cp_held(cp_explain_risk.as_of, ARRAY[cp_explain_risk.partner_id]) h
    WHERE @extschema@.cp_require_date(cp_explain_risk.as_of, 'as_of'::text)
),
-- a tenant is associated on a date when any association row covers it
tenants AS (
    SELECT a.tenant_id, held.e,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
                              AND (a.valid_until IS NULL
                                   OR a.valid_until OPERATOR(pg_catalog.>) cp_explain_risk.as_of)) AS now_on,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) held.e
                              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) held.e)) AS then_on
    FROM held, @extschema@.cp_association a
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
    GROUP BY a.tenant_id, held.e
),
moved AS (
    SELECT t.* FROM tenants t WHERE t.now_on OPERATOR(pg_catalog.<>) t.then_on
),
-- each such tenant's figure, from the usage rows current as of as_of
figures AS (
    SELECT u.tenant_id,
           @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                              u.active_users, u.is_trial, u.measured_on) AS f
    FROM @extschema@.cp_usage u
    WHERE u.tenant_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.tenant_id FROM moved m))
      AND u.measured_on OPERATOR(pg_catalog.>)
          (cp_explain_risk.as_of OPERATOR(pg_catalog.-) @extschema@.cp_usage_window())
      AND u.measured_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
    GROUP BY u.tenant_id
),
-- the last day in (as_of, E] on which the tenant's state changes: from it
-- to E the state is E's
tenant_moves AS (
    SELECT m.tenant_id, m.now_on,
           (SELECT pg_catalog.max(d.d)
            FROM (SELECT a.valid_from AS d FROM @extschema@.cp_association a
                  WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
                    AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id
                  UNION
                  SELECT a.valid_until FROM @extschema@.cp_association a
                  WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
                    AND a.tenant_id OPERATOR(pg_catalog.=) m.tenant_id) d
            WHERE d.d OPERATOR(pg_catalog.>) cp_explain_risk.as_of
              AND d.d OPERATOR(pg_catalog.<=) m.e
              AND @extschema@.cp_associated_on(cp_explain_risk.partner_id, m.tenant_id, d.d)
                  OPERATOR(pg_catalog.<>)
                  @extschema@.cp_associated_on(cp_explain_risk.partner_id, m.tenant_id,
                                               d.d OPERATOR(pg_catalog.-) 1)) AS effective_on
    FROM moved m
),
-- persons qualified as of as_of, and not on E, with the credentials they
-- had earned by as_of: qualification only ends, so the first expiry date
-- after which they no longer qualify is when the change holds from
persons AS (
    SELECT pe.person_id, held.e,
           @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS now_q,
           @extschema@.cp_qualified_individuals(c.person_id, c.credential)
             FILTER (WHERE c.expires_on IS NULL OR held.e OPERATOR(pg_catalog.<) c.expires_on) AS then_q
    FROM held, @extschema@.cp_person pe
    JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
    WHERE pe.partner_id OPERATOR(pg_catalog.=) cp_explain_risk.partner_id
      AND c.earned_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
      AND (c.expires_on IS NULL OR cp_explain_risk.as_of OPERATOR(pg_catalog.<) c.expires_on)
    GROUP BY pe.person_id, held.e
),
person_moves AS (
    SELECT p.person_id,
           (SELECT pg_catalog.min(x.expires_on)
            FROM @extschema@.cp_credential x
            WHERE x.person_id OPERATOR(pg_catalog.=) p.person_id
              AND x.earned_on OPERATOR(pg_catalog.<=) cp_explain_risk.as_of
              AND x.expires_on OPERATOR(pg_catalog.>) cp_explain_risk.as_of
              AND x.expires_on OPERATOR(pg_catalog.<=) p.e
              AND NOT @extschema@.cp_qualified_on(p.person_id, cp_explain_risk.as_of, x.expires_on)) AS effective_on
    FROM persons p
    WHERE p.now_q OPERATOR(pg_catalog.>) 0 AND p.then_q OPERATOR(pg_catalog.=) 0
)
SELECT r.kind, r.subject, r.effective_on, r.entitlements_change, r.individuals_change
FROM (
    SELECT CASE WHEN t.now_on THEN 'association_ends' ELSE 'association_starts' END AS kind,
           t.tenant_id::text AS subject, t.effective_on,
           CASE WHEN t.now_on THEN OPERATOR(pg_catalog.-) coalesce(f.f, 0) ELSE coalesce(f.f, 0) END
             AS entitlements_change,
           0 AS individuals_change
    FROM tenant_moves t LEFT JOIN figures f ON f.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
    UNION ALL
    SELECT 'credential_expires', p.person_id::text, p.effective_on, 0, -1
    FROM person_moves p
) r
ORDER BY r.effective_on, r.kind COLLATE pg_catalog."C", r.subject COLLATE pg_catalog."C"
$$;
COMMENT ON FUNCTION @extschema@.cp_explain_risk(bigint, date) IS
  'What moves a partner''s figures between a date and its renewal date: associations that end or start and persons who stop qualifying, with the date each holds from and its change';

-- The dashboard view gains the membership columns (one pass, as above).
CREATE OR REPLACE VIEW @extschema@.cp_partner_status AS
SELECT s.partner_id, p.name, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level, s.entitlements_short, s.individuals_short,
       s.held_level, s.ends_on, s.status, s.projected_level
FROM @extschema@.cp_status_partners(CURRENT_DATE, @extschema@.cp_usage_window(), NULL::bigint[]) s
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_id;
COMMENT ON VIEW @extschema@.cp_partner_status IS
  'Every partner''s level and membership status today, with its name and what is still missing for the next level (for BI dashboards)';
COMMENT ON COLUMN @extschema@.cp_partner_status.held_level IS 'Level held today (with grace); none if none';
COMMENT ON COLUMN @extschema@.cp_partner_status.ends_on IS 'Renewal date of the held level; NULL if none is held';
COMMENT ON COLUMN @extschema@.cp_partner_status.status IS 'not_held, in_grace, at_risk, upgrade_available or secure';
COMMENT ON COLUMN @extschema@.cp_partner_status.projected_level IS 'Level projected at the renewal date; NULL if none is held';

-------------------------------------------------------------------------------
-- Flagging of status changes, with level changes and in the same way.
-------------------------------------------------------------------------------

DROP FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]);
CREATE FUNCTION @extschema@.cp_evaluate_for_flags(as_of date, window_days integer, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level @extschema@.competency_level,
               active_entitlements bigint, qualified_individuals integer,
               held_level @extschema@.competency_level, ends_on date,
               projected_level @extschema@.competency_level, status text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT s.partner_id, s.level, s.active_entitlements, s.qualified_individuals,
           s.held_level, s.ends_on, s.projected_level, s.status
    FROM @extschema@.cp_status_partners(as_of, window_days, partner_ids) s;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_evaluate_for_flags(date, integer, bigint[]) IS
  'Internal: the levels, figures and statuses flagging compares with the stored ones';

-- Re-evaluate partners (NULL: every partner) as of a date with flagging's
-- window; log and notify each level change, then each status change (the
-- level's first); store both; return the number of level changes.
CREATE OR REPLACE FUNCTION @extschema@.cp_flag(partner_ids bigint[],
                                              as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
    status_changes integer;
    ids bigint[];
    levels @extschema@.competency_level[];
    entitlements bigint[];
    individuals integer[];
    held @extschema@.competency_level[];
    ends date[];
    projected @extschema@.competency_level[];
    statuses text[];
BEGIN
    PERFORM @extschema@.cp_require_date(as_of, 'as_of'::text);
    PERFORM @extschema@.cp_check_triggers();
    IF partner_ids IS NOT NULL AND pg_catalog.cardinality(partner_ids) OPERATOR(pg_catalog.=) 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner p
    WHERE partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids)
    ORDER BY p.partner_id FOR NO KEY UPDATE;

    SELECT pg_catalog.array_agg(e.partner_id), pg_catalog.array_agg(e.level),
           pg_catalog.array_agg(e.active_entitlements), pg_catalog.array_agg(e.qualified_individuals),
           pg_catalog.array_agg(e.held_level), pg_catalog.array_agg(e.ends_on),
           pg_catalog.array_agg(e.projected_level), pg_catalog.array_agg(e.status)
    INTO ids, levels, entitlements, individuals, held, ends, projected, statuses
    FROM @extschema@.cp_evaluate_for_flags(as_of, @extschema@.cp_flagging_window(), partner_ids) e;

    -- level changes; a partner gone (deleted or renumbered) ends at none
    WITH now_levels AS (
        SELECT n.partner_id, n.level, n.active_entitlements, n.qualified_individuals
        FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(levels), pg_catalog.unnest(entitlements), pg_catalog.unnest(individuals))
             AS n(partner_id, level, active_entitlements, qualified_individuals)
        UNION ALL
        SELECT DISTINCT h.partner_id, 'none'::@extschema@.competency_level, 0::bigint, 0
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.level,
                        (SELECT h.new_level FROM @extschema@.cp_level_change h
                         WHERE h.partner_id OPERATOR(pg_catalog.=) n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'none') AS old_level
        FROM now_levels n
        LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) n.partner_id
    ),
    logged AS (
        INSERT INTO @extschema@.cp_level_change
            (partner_id, old_level, new_level, active_entitlements,
             qualified_individuals, changed_at)
        SELECT c.partner_id, c.old_level, c.level, c.active_entitlements,
               c.qualified_individuals, pg_catalog.now()
        FROM compared c
        WHERE c.level OPERATOR(pg_catalog.<>) c.old_level
        ORDER BY c.partner_id
        RETURNING change_id
    )
    -- listeners get the change's number only and read it with their rights
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_level_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    -- status changes; a partner gone ends at not_held
    WITH now_statuses AS (
        SELECT n.partner_id, n.status, n.held_level, n.level, n.projected_level
        FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(statuses), pg_catalog.unnest(held), pg_catalog.unnest(levels), pg_catalog.unnest(projected))
             AS n(partner_id, status, held_level, level, projected_level)
        UNION ALL
        SELECT DISTINCT h.partner_id, 'not_held', 'none'::@extschema@.competency_level,
               'none'::@extschema@.competency_level, NULL::@extschema@.competency_level
        FROM @extschema@.cp_status_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.status,
                        (SELECT h.new_status FROM @extschema@.cp_status_change h
                         WHERE h.partner_id OPERATOR(pg_catalog.=) n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'not_held') AS old_status
        FROM now_statuses n
        LEFT JOIN @extschema@.cp_partner_level pl ON pl.partner_id OPERATOR(pg_catalog.=) n.partner_id
    ),
    logged AS (
        INSERT INTO @extschema@.cp_status_change
            (partner_id, old_status, new_status, held_level, level, projected_level, changed_at)
        SELECT c.partner_id, c.old_status, c.status, c.held_level, c.level, c.projected_level,
               pg_catalog.now()
        FROM compared c
        WHERE c.status OPERATOR(pg_catalog.<>) c.old_status
        ORDER BY c.partner_id
        RETURNING change_id
    )
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_status_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO status_changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    -- every evaluated partner's level and status, as last seen
    INSERT INTO @extschema@.cp_partner_level AS pl
        (partner_id, level, active_entitlements, qualified_individuals, evaluated_at,
         held_level, ends_on, projected_level, status)
    SELECT n.partner_id, n.level, n.active_entitlements, n.qualified_individuals, pg_catalog.now(),
           n.held_level, n.ends_on, n.projected_level, n.status
    FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(levels), pg_catalog.unnest(entitlements), pg_catalog.unnest(individuals), pg_catalog.unnest(held), pg_catalog.unnest(ends), pg_catalog.unnest(projected), pg_catalog.unnest(statuses))
         AS n(partner_id, level, active_entitlements, qualified_individuals,
              held_level, ends_on, projected_level, status)
    ON CONFLICT (partner_id) DO UPDATE
    SET level = excluded.level,
        active_entitlements = excluded.active_entitlements,
        qualified_individuals = excluded.qualified_individuals,
        evaluated_at = excluded.evaluated_at,
        held_level = excluded.held_level,
        ends_on = excluded.ends_on,
        projected_level = excluded.projected_level,
        status = excluded.status;

    RETURN changes;
END
$$;

-- A write can change a projection too: usage of a tenant whose association
-- starts after today (before a renewal date), so the partners of a tenant
-- are those of every association not over by today.
CREATE OR REPLACE FUNCTION @extschema@.cp_flag_links(tenants uuid[], persons bigint[], partners bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    today date := @extschema@.cp_flagging_date();
BEGIN
    PERFORM @extschema@.cp_lock_buckets(ARRAY(
        SELECT @extschema@.cp_tenant_bucket(t) FROM pg_catalog.unnest(tenants) t
        UNION SELECT @extschema@.cp_person_bucket(p) FROM pg_catalog.unnest(persons) p));
    IF partners IS NULL THEN
        partners := ARRAY(
            SELECT a.partner_id FROM @extschema@.cp_association a
            WHERE a.tenant_id OPERATOR(pg_catalog.=) ANY (tenants)
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) today)
            UNION
            SELECT p.partner_id FROM @extschema@.cp_person p
            WHERE p.person_id OPERATOR(pg_catalog.=) ANY (persons));
    END IF;
    RETURN @extschema@.cp_flag(partners, today);
END
$$;

DO $$
DECLARE
    op text;
BEGIN
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cp_flag_%1$s AFTER %2$s ON %3$s.cp_membership REFERENCING %4$s '
            'FOR EACH STATEMENT EXECUTE FUNCTION %3$s.cp_flag_trigger(%5$L, %6$L)',
            op, pg_catalog.upper(op), '@extschema@',
            CASE WHEN op OPERATOR(pg_catalog.=) 'insert' THEN 'NEW TABLE AS new_rows'
                 WHEN op OPERATOR(pg_catalog.=) 'delete' THEN 'OLD TABLE AS old_rows'
                 ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
            'none', 'named');
    END LOOP;
END
$$;
CREATE TRIGGER cp_flag_truncate AFTER TRUNCATE ON @extschema@.cp_membership
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.cp_flag_trigger('none', 'named');

-------------------------------------------------------------------------------
-- Partner Center's competency summary and history report: staged by each
-- loader as its own rows, in file order, and loaded for one partner.
-------------------------------------------------------------------------------

CREATE TABLE @extschema@.cp_partner_center_competency_staged (
    line                  bigserial,
    "CompetencyName"      text,
    "CompetencyLevel"     text,
    "CompetencyStatus"    text,
    "CompetencyStartDate" text,
    "CompetencyEndDate"   text,
    staged_by             name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE @extschema@.cp_partner_center_competency_staged IS
  'Internal: competency report rows staged through cp_partner_center_competency, in file order, with the role that staged each';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged.line IS 'Order staged (file order)';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyName" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyLevel" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyStatus" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyStartDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged."CompetencyEndDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_staged.staged_by IS 'Role that staged the row';
COMMENT ON SEQUENCE @extschema@.cp_partner_center_competency_staged_line_seq IS 'Numbers staged competency rows in file order';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_staged', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_staged_line_seq', '');
REVOKE ALL ON @extschema@.cp_partner_center_competency_staged FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.cp_partner_center_competency_staged_line_seq FROM PUBLIC;

CREATE VIEW @extschema@.cp_partner_center_competency WITH (security_barrier) AS
SELECT s."CompetencyName", s."CompetencyLevel", s."CompetencyStatus",
       s."CompetencyStartDate", s."CompetencyEndDate"
FROM @extschema@.cp_partner_center_competency_staged s
WHERE s.staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role();
REVOKE ALL ON @extschema@.cp_partner_center_competency FROM PUBLIC;
COMMENT ON VIEW @extschema@.cp_partner_center_competency IS
  'Staging for Partner Center''s competency summary and history report, its five columns, all text: \copy cp_partner_center_competency FROM ''report.csv'' (FORMAT csv, HEADER match), then cp_load_partner_center_competency(partner_id); each role sees only the rows it staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyName" IS 'Competency; Cloud Productivity loads';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyLevel" IS 'Silver or Gold';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyStatus" IS 'Not loaded';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyStartDate" IS 'First day held';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency."CompetencyEndDate" IS 'Last day held (ends_on is the day after)';

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
REVOKE EXECUTE ON FUNCTION @extschema@.cp_stage_competency_row() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_stage_competency_row() IS
  'Trigger: stages a row written to cp_partner_center_competency as the caller''s';
CREATE TRIGGER cp_stage_competency_row INSTEAD OF INSERT ON @extschema@.cp_partner_center_competency
    FOR EACH ROW EXECUTE FUNCTION @extschema@.cp_stage_competency_row();

-- Takes (deletes and returns) the caller's staged rows, in file order.
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
REVOKE EXECUTE ON FUNCTION @extschema@.cp_take_staged_competency() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_take_staged_competency() IS
  'Internal: deletes and returns the caller''s staged competency rows, in file order';

CREATE TABLE @extschema@.cp_partner_center_competency_reject (
    partner_id            bigint,
    "CompetencyName"      text,
    "CompetencyLevel"     text,
    "CompetencyStatus"    text,
    "CompetencyStartDate" text,
    "CompetencyEndDate"   text,
    reason                text NOT NULL,
    staged_by             name
);
COMMENT ON TABLE @extschema@.cp_partner_center_competency_reject IS
  'Staged competency report rows that were not loaded, as staged, with the partner they were loaded for and the reason';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.partner_id IS 'Partner the report was loaded for';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyName" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyLevel" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyStatus" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyStartDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject."CompetencyEndDate" IS 'As staged';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.reason IS
  'missing field, other competency, bad level, bad date or overlap';
COMMENT ON COLUMN @extschema@.cp_partner_center_competency_reject.staged_by IS 'Role that staged and loaded the row';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_center_competency_reject', '');
REVOKE ALL ON @extschema@.cp_partner_center_competency_reject FROM PUBLIC;

-- Rows in file order: each is checked against the partner's stored rows and
-- the rows of this load accepted so far; the accepted ones are inserted in
-- one statement (so flagged once).
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
