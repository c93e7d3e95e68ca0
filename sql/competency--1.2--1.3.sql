/* sql/competency--1.2--1.3.sql: security (flagging no writer can steer, no user code run with the definer's rights, notifications that carry only a change id, loaders' own staged rows, bounded workload and SKU, pinned search paths); series that cannot end are refused */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.3'" to load this file. \quit

-------------------------------------------------------------------------------
-- Settings that no writer can steer (competency.flagging_window and
-- competency.flagging_time_zone are superuser-only), and the role whose
-- staged rows a session sees.
-------------------------------------------------------------------------------

DROP FUNCTION @extschema@.cp_configured_usage_window();

CREATE FUNCTION @extschema@.cp_flagging_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_flagging_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_flagging_window() IS
  'competency.flagging_window in days: the usage window flagging and cp_refresh_levels() evaluate with';

CREATE FUNCTION @extschema@.cp_flagging_date() RETURNS date
AS 'MODULE_PATHNAME', 'cp_flagging_date'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_flagging_date() IS
  'Today in competency.flagging_time_zone (at the start of the transaction): the date flagging and cp_refresh_levels() evaluate as of';

CREATE FUNCTION @extschema@.cp_staging_role() RETURNS name
AS 'MODULE_PATHNAME', 'cp_staging_role'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_staging_role() IS
  'The role whose staged Partner Center rows this session sees and loads: the current role, whatever security definer function runs';

-------------------------------------------------------------------------------
-- Evaluation: inlinable SQL functions, so every name is schema-qualified.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_partners(as_of date, window_days integer,
                                                           partner_ids bigint[])
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_entitlements(s.next_level, s.market)
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0) END,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(s.next_level)
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END
FROM (
    SELECT f.*, @extschema@.cp_next_level(f.level) AS next_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               @extschema@.cp_level(p.market, coalesce(e.n, 0), coalesce(q.n, 0)) AS level
        FROM @extschema@.cp_partner p
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_active_entitlements(u.tenant_id, u.workload, u.sku,
                                                      u.active_users, u.is_trial,
                                                      u.measured_on) AS n
            -- a tenant with several active associations joins its rows
            -- several times; the aggregate keeps the largest of equal
            -- measurements, so they count once
            FROM @extschema@.cp_association a
            JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
            WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)
              AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
              AND u.measured_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) window_days)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT pe.partner_id,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS n
            FROM @extschema@.cp_person pe
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

CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL::bigint[])
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_explain(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (tenant_id uuid, workload text, sku text, measured_on date,
               active_users integer, counted boolean, reason text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH tenants AS (
    SELECT a.tenant_id,
           pg_catalog.bool_or(a.valid_from OPERATOR(pg_catalog.<=) cp_explain.as_of
                              AND (a.valid_until IS NULL
                                   OR a.valid_until OPERATOR(pg_catalog.>) cp_explain.as_of)) AS active
    FROM @extschema@.cp_association a
    WHERE a.partner_id OPERATOR(pg_catalog.=) cp_explain.partner_id
      AND @extschema@.cp_require_date(cp_explain.as_of, 'as_of'::text)
    GROUP BY a.tenant_id
),
rows AS (
    SELECT u.tenant_id, u.workload, u.sku, u.measured_on, u.active_users,
           @extschema@.cp_workload(u.workload) AS canonical, u.ctid AS rid,
           CASE
               WHEN u.is_trial THEN 'trial'
               WHEN @extschema@.cp_workload(u.workload) IS NULL THEN 'ineligible_workload'
               WHEN NOT t.active THEN 'no_active_association'
               WHEN u.measured_on OPERATOR(pg_catalog.<=)
                    (cp_explain.as_of OPERATOR(pg_catalog.-) @extschema@.cp_usage_window()) THEN 'stale'
               WHEN u.measured_on OPERATOR(pg_catalog.>) cp_explain.as_of THEN 'future'
           END AS excluded
    FROM tenants t JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
),
-- the latest row per (tenant, workload, SKU); of equal dates the largest,
-- of equal rows the first found
latest AS (
    SELECT r.rid,
           pg_catalog.row_number() OVER (PARTITION BY r.tenant_id, r.canonical, r.sku
                                         ORDER BY r.measured_on DESC, r.active_users DESC, r.rid)
             OPERATOR(pg_catalog.=) 1 AS is_latest
    FROM rows r WHERE r.excluded IS NULL
),
-- each tenant's highest workload; a tie goes to the first canonical name
highest AS (
    SELECT DISTINCT ON (r.tenant_id) r.tenant_id, r.canonical
    FROM rows r JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid AND l.is_latest
    GROUP BY r.tenant_id, r.canonical
    ORDER BY r.tenant_id, pg_catalog.sum(r.active_users) DESC, r.canonical COLLATE pg_catalog."C"
)
SELECT r.tenant_id, r.workload, r.sku, r.measured_on, r.active_users,
       r.excluded IS NULL AND l.is_latest AND h.canonical OPERATOR(pg_catalog.=) r.canonical,
       coalesce(r.excluded,
                CASE WHEN NOT l.is_latest THEN 'superseded'
                     WHEN h.canonical OPERATOR(pg_catalog.<>) r.canonical THEN 'not_highest_workload' END)
FROM rows r
LEFT JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid
LEFT JOIN highest h ON h.tenant_id OPERATOR(pg_catalog.=) r.tenant_id
ORDER BY r.tenant_id, r.canonical COLLATE pg_catalog."C" NULLS LAST, r.workload COLLATE pg_catalog."C",
         r.sku COLLATE pg_catalog."C", r.measured_on DESC, r.active_users DESC, 6 DESC
$$;

-- The points of a series, refused at once when it cannot end.
CREATE FUNCTION @extschema@.cp_series_dates(start date, stop date, step interval)
RETURNS SETOF date
AS 'MODULE_PATHNAME', 'cp_series_dates'
LANGUAGE C STABLE PARALLEL SAFE ROWS 25;
COMMENT ON FUNCTION @extschema@.cp_series_dates(date, date, interval) IS
  'The dates of generate_series(start, stop, step) over timestamp with time zone; 22023 for a NULL or infinite bound, a step under one day, or a step that fails to reach a later date';

CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_series(start date, stop date,
                                                         step interval DEFAULT '1 month')
RETURNS TABLE (as_of date, partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT d.as_of, e.*
FROM @extschema@.cp_series_dates(start, stop, step) AS d(as_of)
CROSS JOIN LATERAL @extschema@.cp_evaluate(d.as_of) e
$$;

DROP FUNCTION @extschema@.cp_require_step(interval);

-------------------------------------------------------------------------------
-- Flagging.  Definer code: every name qualified, search_path pinned; it
-- evaluates as of cp_flagging_date() with cp_flagging_window(), which no
-- writer can set, and refuses to run while a trigger whose function a
-- non-superuser owns is on one of the extension's tables (such a function
-- would run with the definer's rights).
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cp_check_triggers() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    SELECT tg.tgname, tg.tgrelid::pg_catalog.regclass AS rel,
           tg.tgfoid::pg_catalog.regprocedure AS fn, r.rolname AS owner
    INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_trigger tg ON tg.tgrelid OPERATOR(pg_catalog.=) d.objid
    JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
    JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND NOT tg.tgisinternal
      AND NOT r.rolsuper
      -- the extension's own trigger functions
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend fd
                      WHERE fd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND fd.objid OPERATOR(pg_catalog.=) tg.tgfoid
                        AND fd.refobjid OPERATOR(pg_catalog.=) x.oid
                        AND fd.deptype OPERATOR(pg_catalog.=) 'e')
    ORDER BY tg.tgrelid, tg.tgname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('trigger %I on %s runs %s, a function of the non-superuser %I',
                                        t.tgname, t.rel, t.fn, t.owner),
            DETAIL = 'Competency''s tables are written with their owner''s rights (by flagging and by cascades); the trigger would run with a superuser''s.',
            HINT = 'Drop the trigger, or have a superuser own its function.';
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.cp_check_triggers() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_check_triggers() IS
  'Internal: raises 42501 if a trigger on one of the extension''s tables runs a function a non-superuser owns';

-- Only superusers create triggers on the extension's tables: cascades from
-- cp_partner and cp_person, and flagging, write them with their owner's
-- rights, so another role's trigger there would run with a superuser's.
CREATE FUNCTION @extschema@.cp_guard_triggers() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RETURN;
    END IF;
    FOR t IN
        SELECT tg.tgname, tg.tgrelid::pg_catalog.regclass AS rel
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        JOIN pg_catalog.pg_trigger tg ON tg.oid OPERATOR(pg_catalog.=) c.objid
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) tg.tgrelid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
          AND x.extname OPERATOR(pg_catalog.=) 'competency'
    LOOP
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('permission denied to create trigger %I on %s', t.tgname, t.rel),
            DETAIL = 'Only superusers create triggers on competency''s tables: they are written with their owner''s rights.';
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.cp_guard_triggers() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_guard_triggers() IS
  'Event trigger: refuses CREATE TRIGGER on the extension''s tables by roles other than superusers';
CREATE EVENT TRIGGER cp_guard_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER')
    EXECUTE FUNCTION @extschema@.cp_guard_triggers();
COMMENT ON EVENT TRIGGER cp_guard_triggers IS
  'Refuses CREATE TRIGGER on competency''s tables by roles other than superusers';

-- A database where another role already put a trigger on the extension's
-- tables is not updated until a superuser has looked at it.
SELECT @extschema@.cp_check_triggers();

CREATE OR REPLACE FUNCTION @extschema@.cp_tenant_bucket(tenant_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.uuid_hash(tenant_id) OPERATOR(pg_catalog.&) 1023 $$;

CREATE OR REPLACE FUNCTION @extschema@.cp_person_bucket(person_id bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT 1024 OPERATOR(pg_catalog.+) (pg_catalog.hashint8(person_id) OPERATOR(pg_catalog.&) 1023) $$;

CREATE OR REPLACE FUNCTION @extschema@.cp_lock_buckets(buckets integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.cp_check_triggers();
    IF pg_catalog.cardinality(buckets) OPERATOR(pg_catalog.>) 0 THEN
        PERFORM 1 FROM @extschema@.cp_flag_lock
        WHERE bucket OPERATOR(pg_catalog.=) ANY (buckets) ORDER BY bucket FOR NO KEY UPDATE;
        UPDATE @extschema@.cp_flag_lock SET bucket = bucket
        WHERE bucket OPERATOR(pg_catalog.=) ANY (buckets);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_for_flags(as_of date, window_days integer,
                                                            partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level @extschema@.competency_level,
               active_entitlements bigint, qualified_individuals integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT e.partner_id, e.level, e.active_entitlements, e.qualified_individuals
    FROM @extschema@.cp_evaluate_partners(as_of, window_days, partner_ids) e;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_flag(partner_ids bigint[],
                                              as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
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

    WITH ev AS (
        SELECT * FROM @extschema@.cp_evaluate_for_flags(as_of, @extschema@.cp_flagging_window(),
                                                        partner_ids)
    ),
    -- partners that no longer exist but were last seen above none
    gone AS (
        SELECT DISTINCT h.partner_id
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id OPERATOR(pg_catalog.=) h.partner_id)
    ),
    now_levels AS (
        SELECT ev.partner_id, ev.level, ev.active_entitlements, ev.qualified_individuals,
               true AS present
        FROM ev
        UNION ALL
        SELECT gone.partner_id, 'none'::@extschema@.competency_level, 0, 0, false FROM gone
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
    ),
    stored AS (
        INSERT INTO @extschema@.cp_partner_level AS pl
            (partner_id, level, active_entitlements, qualified_individuals, evaluated_at)
        SELECT c.partner_id, c.level, c.active_entitlements, c.qualified_individuals, pg_catalog.now()
        FROM compared c WHERE c.present
        ON CONFLICT (partner_id) DO UPDATE
        SET level = excluded.level,
            active_entitlements = excluded.active_entitlements,
            qualified_individuals = excluded.qualified_individuals,
            evaluated_at = excluded.evaluated_at
    )
    -- listeners get the change's number only and read it with their rights
    SELECT pg_catalog.count(pg_catalog.pg_notify('cp_level_change',
               pg_catalog.jsonb_build_object('change_id', l.change_id)::text))
    INTO changes
    FROM (SELECT logged.change_id FROM logged ORDER BY logged.change_id) l;

    RETURN changes;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_refresh_levels(as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::bigint[], as_of);
END
$$;
COMMENT ON FUNCTION @extschema@.cp_refresh_levels(date) IS
  'Re-evaluates every partner as of a date (default: cp_flagging_date(), today in competency.flagging_time_zone) with competency.flagging_window and flags changes, such as those caused by time passing; returns the number of changes';

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
              AND a.valid_from OPERATOR(pg_catalog.<=) today
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) today)
            UNION
            SELECT p.partner_id FROM @extschema@.cp_person p
            WHERE p.person_id OPERATOR(pg_catalog.=) ANY (persons));
    END IF;
    RETURN @extschema@.cp_flag(partners, today);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_flag_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text;
    tenants uuid[];
    persons bigint[];
    partners bigint[];
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    PERFORM @extschema@.cp_check_triggers();
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM @extschema@.cp_flag(NULL::bigint[]);
        RETURN NULL;
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        changed := 'new_rows';
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        changed := 'old_rows';
    ELSE
        changed := '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)';
    END IF;
    IF TG_ARGV[0] OPERATOR(pg_catalog.=) 'tenant_id' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT tenant_id FROM %s c)', changed)
        INTO tenants;
    ELSIF TG_ARGV[0] OPERATOR(pg_catalog.=) 'person_id' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT person_id FROM %s c)', changed)
        INTO persons;
    END IF;
    IF TG_ARGV[1] OPERATOR(pg_catalog.=) 'named' THEN
        EXECUTE pg_catalog.format('SELECT ARRAY(SELECT DISTINCT partner_id FROM %s c)', changed)
        INTO partners;
    END IF;
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'cp_partner' AND TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        -- a renumbered partner: the old number ends its history, the new
        -- one starts at none (the level row moved by ON UPDATE CASCADE goes)
        DELETE FROM @extschema@.cp_partner_level pl
        WHERE pl.partner_id OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT n.partner_id FROM new_rows n EXCEPT SELECT o.partner_id FROM old_rows o));
    END IF;
    PERFORM @extschema@.cp_flag_links(tenants, persons, partners);
    RETURN NULL;
END
$$;

-------------------------------------------------------------------------------
-- Partner Center import.  Each loader sees and loads only the rows it
-- staged: the staging table becomes a view of the caller's rows, over a
-- table that records who staged each; COPY and INSERT go through the view
-- (an INSTEAD OF trigger), so the twelve report columns stay the only ones a
-- loader writes and `\copy cp_partner_center_usage FROM ...` works as before.
-------------------------------------------------------------------------------

ALTER TABLE @extschema@.cp_partner_center_usage RENAME TO cp_partner_center_staged;
ALTER TABLE @extschema@.cp_partner_center_staged
    ADD COLUMN staged_by name NOT NULL DEFAULT CURRENT_USER;
COMMENT ON TABLE @extschema@.cp_partner_center_staged IS
  'Internal: Partner Center rows staged through cp_partner_center_usage, with the role that staged each';
COMMENT ON COLUMN @extschema@.cp_partner_center_staged.staged_by IS
  'Role that staged the row (cp_staging_role()); only it sees and loads the row';

CREATE VIEW @extschema@.cp_partner_center_usage WITH (security_barrier) AS
SELECT s."customerTenantId", s."customerName", s."workloadCode", s."workloadName",
       s."serviceCode", s."serviceName", s.channel, s."productId", s."productName",
       s."licensesActive", s."licensesQualified", s."processedDateTime"
FROM @extschema@.cp_partner_center_staged s
WHERE s.staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role();

REVOKE ALL ON @extschema@.cp_partner_center_usage FROM PUBLIC;

-- Whoever could use the table may use the view; only the view's definer
-- code reaches the table itself.  Grants made by an extension script are
-- recorded as the extension's own (pg_init_privs), which pg_dump leaves
-- out: the view's initial privileges are set back to what the script
-- itself gave, so the copied grants stay the users' and survive a dump.
DO $$
DECLARE
    a record;
    view_acl pg_catalog.aclitem[];
BEGIN
    SELECT c.relacl INTO view_acl FROM pg_catalog.pg_class c
    WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_usage'::pg_catalog.regclass;
    FOR a IN
        SELECT CASE WHEN e.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                    ELSE pg_catalog.quote_ident(r.rolname) END AS grantee,
               e.privilege_type, e.is_grantable
        FROM pg_catalog.pg_class c,
             LATERAL pg_catalog.aclexplode(c.relacl) e
             LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) e.grantee
        WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_staged'::pg_catalog.regclass
          AND e.grantee OPERATOR(pg_catalog.<>) c.relowner
    LOOP
        IF a.privilege_type OPERATOR(pg_catalog.=) ANY (ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) THEN
            EXECUTE pg_catalog.format('GRANT %s ON @extschema@.cp_partner_center_usage TO %s%s',
                                      a.privilege_type, a.grantee,
                                      CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END IF;
        EXECUTE pg_catalog.format('REVOKE ALL ON @extschema@.cp_partner_center_staged FROM %s CASCADE',
                                  a.grantee);
    END LOOP;
    UPDATE pg_catalog.pg_init_privs SET initprivs = view_acl
    WHERE objoid OPERATOR(pg_catalog.=) '@extschema@.cp_partner_center_usage'::pg_catalog.regclass
      AND classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND objsubid OPERATOR(pg_catalog.=) 0
      AND view_acl IS NOT NULL;
END
$$;
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
REVOKE EXECUTE ON FUNCTION @extschema@.cp_stage_row() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.cp_stage_row() IS
  'Trigger: stages a row written to cp_partner_center_usage as the caller''s';
CREATE TRIGGER cp_stage_row INSTEAD OF INSERT ON @extschema@.cp_partner_center_usage
    FOR EACH ROW EXECUTE FUNCTION @extschema@.cp_stage_row();

ALTER TABLE @extschema@.cp_partner_center_reject ADD COLUMN staged_by name;
COMMENT ON COLUMN @extschema@.cp_partner_center_reject.staged_by IS
  'Role that staged and loaded the row';
COMMENT ON COLUMN @extschema@.cp_partner_center_reject.reason IS
  'missing field, bad tenant, too long, bad number, negative or bad date';

-- A workload or SKU of more than 256 bytes is no Partner Center value.
ALTER TABLE @extschema@.cp_usage
    ADD CONSTRAINT cp_usage_workload_length
        CHECK (pg_catalog.octet_length(workload) OPERATOR(pg_catalog.<=) 256),
    ADD CONSTRAINT cp_usage_sku_length
        CHECK (pg_catalog.octet_length(sku) OPERATOR(pg_catalog.<=) 256);

CREATE OR REPLACE FUNCTION @extschema@.cp_utc_date(value text) RETURNS date
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' SET datestyle = 'ISO, MDY'
AS $$
DECLARE
    t timestamptz;
BEGIN
    IF value OPERATOR(pg_catalog.~*) E'\\m(now|today|tomorrow|yesterday|epoch|infinity|allballs)\\M' THEN
        RETURN NULL;
    END IF;
    -- digits of a second beyond microseconds are dropped, not rounded: a
    -- time just before midnight stays on its day
    t := pg_catalog.regexp_replace(value, E'(:[0-9]{2}[.,][0-9]{6})[0-9]+', E'\\1')::timestamptz;
    IF NOT pg_catalog.isfinite(t) THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.timezone('UTC', t)::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;

-- Fields are trimmed of ASCII whitespace; a field of nothing else is blank.
-- The reasons, in the order they are checked: missing field, bad tenant,
-- too long (workload or SKU over 256 bytes), bad number, negative, bad
-- number (beyond integer), bad date.
CREATE OR REPLACE FUNCTION @extschema@.cp_load_partner_center_usage()
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
WITH staged AS (
    DELETE FROM @extschema@.cp_partner_center_usage RETURNING *
),
trimmed AS (
    SELECT s.*,
           nullif(pg_catalog.btrim(s."customerTenantId", E' \t\n\r\f\013'), '') AS t_tenant,
           coalesce(nullif(pg_catalog.btrim(s."workloadCode", E' \t\n\r\f\013'), ''),
                    nullif(pg_catalog.btrim(s."workloadName", E' \t\n\r\f\013'), '')) AS t_workload,
           nullif(pg_catalog.btrim(s."productId", E' \t\n\r\f\013'), '') AS t_product,
           nullif(pg_catalog.btrim(s."licensesActive", E' \t\n\r\f\013'), '') AS t_n,
           nullif(pg_catalog.btrim(s."processedDateTime", E' \t\n\r\f\013'), '') AS t_when
    FROM staged s
),
days AS (
    SELECT s.v, @extschema@.cp_utc_date(s.v) AS day
    FROM (SELECT DISTINCT t.t_when AS v FROM trimmed t) s
),
checked AS (
    SELECT t.*, d.day,
           CASE
               WHEN t.t_tenant IS NULL OR t.t_workload IS NULL OR t.t_product IS NULL
                 OR t.t_n IS NULL OR t.t_when IS NULL THEN 'missing field'
               WHEN t.t_tenant OPERATOR(pg_catalog.!~*)
                    E'^(\\{([0-9a-f]{4}-?){7}[0-9a-f]{4}\\}|([0-9a-f]{4}-?){7}[0-9a-f]{4})$' THEN 'bad tenant'
               WHEN pg_catalog.octet_length(t.t_workload) OPERATOR(pg_catalog.>) 256
                 OR pg_catalog.octet_length(t.t_product) OPERATOR(pg_catalog.>) 256 THEN 'too long'
               WHEN t.t_n OPERATOR(pg_catalog.!~) E'^[+-]?[0-9]+(\\.0*)?$' THEN 'bad number'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.<) 0 THEN 'negative'
               WHEN t.t_n::numeric OPERATOR(pg_catalog.>) 2147483647 THEN 'bad number'
               WHEN d.day IS NULL THEN 'bad date'
           END AS reason
    FROM trimmed t LEFT JOIN days d ON d.v OPERATOR(pg_catalog.=) t.t_when
),
loaded AS (
    INSERT INTO @extschema@.cp_usage (tenant_id, workload, sku, is_trial, active_users, measured_on)
    SELECT c.t_tenant::uuid, c.t_workload, c.t_product,
           coalesce(c."productName" OPERATOR(pg_catalog.~*) '(^|[^[:alnum:]])trial([^[:alnum:]]|$)', false),
           c.t_n::numeric::integer, c.day
    FROM checked c WHERE c.reason IS NULL
    RETURNING 1
),
rejected AS (
    INSERT INTO @extschema@.cp_partner_center_reject
        ("customerTenantId", "customerName", "workloadCode", "workloadName", "serviceCode",
         "serviceName", channel, "productId", "productName", "licensesActive",
         "licensesQualified", "processedDateTime", reason, staged_by)
    SELECT c."customerTenantId", c."customerName", c."workloadCode", c."workloadName", c."serviceCode",
           c."serviceName", c.channel, c."productId", c."productName", c."licensesActive",
           c."licensesQualified", c."processedDateTime", c.reason, @extschema@.cp_staging_role()
    FROM checked c WHERE c.reason IS NOT NULL
    RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM loaded), (SELECT pg_catalog.count(*) FROM rejected)
$$;
COMMENT ON FUNCTION @extschema@.cp_load_partner_center_usage() IS
  'Moves every row the caller staged in cp_partner_center_usage into cp_usage or, with a reason, into cp_partner_center_reject; returns the counts';
