/* sql/competency--1.4--1.5.sql: security, second round (no superuser through a foreign key or a planted same-name object, flagging's settings only as configured, loaders write memberships and rejects only through the imports, nothing executable by PUBLIC, a bound on a state's memory); the competency import in linear time; infinite dates refused by name */

\echo Use "ALTER EXTENSION competency UPDATE TO '1.5'" to load this file. \quit

-------------------------------------------------------------------------------
-- A schema others may create objects in is a schema where an object of the
-- same name as one of competency's can be put in its way.  Say so (this
-- does not refuse: restores, and databases that ordinary roles own, must
-- keep working).
-------------------------------------------------------------------------------

DO $$
DECLARE
    roles text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)
    INTO roles
    FROM pg_catalog.pg_roles r
    WHERE NOT r.rolsuper
      AND r.rolname OPERATOR(pg_catalog.<>) 'pg_database_owner'
      AND pg_catalog.has_schema_privilege(r.oid, '@extschema@'::pg_catalog.regnamespace, 'CREATE');
    IF roles IS NOT NULL THEN
        RAISE WARNING USING
            MESSAGE = pg_catalog.format('roles that are not superusers may create objects in schema %s, where competency is installed: %s',
                                        '@extschema@', roles),
            DETAIL = 'A function, operator or aggregate of the same name as one of competency''s, put there by one of them, could take its place in a query and run with the rights of whoever runs the query, a superuser included.',
            HINT = pg_catalog.format('REVOKE CREATE ON SCHEMA %s FROM those roles (or install competency into a schema of its own).',
                                     '@extschema@');
    END IF;
END
$$;

-------------------------------------------------------------------------------
-- Checks of arguments: an evaluation is as of a finite day (C:
-- cp_require_date now refuses infinity with 22023), and its usage window
-- starts at a date PostgreSQL has (22008, naming the argument).
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cp_window_start(as_of date, window_days integer, name text)
RETURNS date
AS 'MODULE_PATHNAME', 'cp_window_start'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_window_start(date, integer, text) IS
  'Internal: the last day before the usage window of as_of (a measurement is current when later than this and not later than as_of); 22023 for a NULL or infinite date or a window outside 1 to 366 days, 22008 naming the argument when the window starts before the earliest date';

-------------------------------------------------------------------------------
-- The aggregates the extension's own code calls: of exactly the types of
-- cp_usage's and cp_credential's columns, never polymorphic, so that no
-- object of the same name put in the schema matches a call better (one of
-- the very same types cannot be created beside them).  Same support
-- functions, same states, as cp_active_entitlements and
-- cp_qualified_individuals.
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text,
                                                        bigint, boolean, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_usage_entitlements_trans(internal, uuid, text, text, bigint, boolean, date) IS
  'Internal: cp_usage_entitlements transition (that of cp_active_entitlements, for uuid tenants)';

CREATE AGGREGATE @extschema@.cp_usage_entitlements(tenant uuid, workload text, sku text,
                                                   active_users bigint, is_trial boolean,
                                                   measured_on date) (
    SFUNC = @extschema@.cp_usage_entitlements_trans,
    STYPE = internal,
    SSPACE = 700,
    FINALFUNC = @extschema@.cp_entitlements_final,
    COMBINEFUNC = @extschema@.cp_entitlements_combine,
    SERIALFUNC = @extschema@.cp_entitlements_serialize,
    DESERIALFUNC = @extschema@.cp_entitlements_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_usage_entitlements(uuid, text, text, bigint, boolean, date) IS
  'Internal: cp_active_entitlements over cp_usage''s column types, for the extension''s own queries';

CREATE FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_credential_individuals_trans(internal, bigint, text) IS
  'Internal: cp_credential_individuals transition (that of cp_qualified_individuals, for bigint persons)';

CREATE AGGREGATE @extschema@.cp_credential_individuals(person bigint, credential text) (
    SFUNC = @extschema@.cp_credential_individuals_trans,
    STYPE = internal,
    SSPACE = 600,
    FINALFUNC = @extschema@.cp_individuals_final,
    COMBINEFUNC = @extschema@.cp_individuals_combine,
    SERIALFUNC = @extschema@.cp_individuals_serialize,
    DESERIALFUNC = @extschema@.cp_individuals_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cp_credential_individuals(bigint, text) IS
  'Internal: cp_qualified_individuals over cp_credential''s column types, for the extension''s own queries';

-------------------------------------------------------------------------------
-- Evaluation, with every call exactly typed.  Inlinable SQL functions (no
-- SET, no STRICT): every name is schema-qualified, types included.
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
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0::pg_catalog.int8) END,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(s.next_level)
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END
FROM (
    SELECT f.*, @extschema@.cp_next_level(f.level) AS next_level
    FROM (
        SELECT p.partner_id, p.market,
               coalesce(e.n, 0::pg_catalog.int8) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               @extschema@.cp_level(p.market, coalesce(e.n, 0::pg_catalog.int8), coalesce(q.n, 0)) AS level
        FROM @extschema@.cp_partner p
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku,
                                                     u.active_users::pg_catalog.int8, u.is_trial,
                                                     u.measured_on) AS n
            -- a tenant with several active associations joins its rows
            -- several times; the aggregate keeps the largest of equal
            -- measurements, so they count once
            FROM @extschema@.cp_association a
            JOIN @extschema@.cp_usage u ON u.tenant_id OPERATOR(pg_catalog.=) a.tenant_id
            WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
              AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)
              AND (partner_ids IS NULL OR a.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
              AND u.measured_on OPERATOR(pg_catalog.>)
                  @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT pe.partner_id,
                   @extschema@.cp_credential_individuals(c.person_id, c.credential) AS n
            FROM @extschema@.cp_person pe
            JOIN @extschema@.cp_credential c ON c.person_id OPERATOR(pg_catalog.=) pe.person_id
            WHERE c.earned_on OPERATOR(pg_catalog.<=) as_of
              AND (c.expires_on IS NULL OR as_of OPERATOR(pg_catalog.<) c.expires_on)
              AND (partner_ids IS NULL OR pe.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
            GROUP BY pe.partner_id
        ) q ON q.partner_id OPERATOR(pg_catalog.=) p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids))
          AND @extschema@.cp_require_date(as_of, 'as_of'::pg_catalog.text)
          AND @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text) IS NOT NULL
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
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[])
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
      AND @extschema@.cp_window_start(cp_explain.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text) IS NOT NULL
    GROUP BY a.tenant_id
),
rows AS (
    SELECT u.tenant_id, u.workload, u.sku, u.measured_on, u.active_users,
           @extschema@.cp_workload(u.workload) AS canonical, u.ctid AS rid,
           CASE
               WHEN u.is_trial THEN 'trial'::pg_catalog.text
               WHEN @extschema@.cp_workload(u.workload) IS NULL THEN 'ineligible_workload'
               WHEN NOT t.active THEN 'no_active_association'
               WHEN u.measured_on OPERATOR(pg_catalog.<=)
                    @extschema@.cp_window_start(cp_explain.as_of, @extschema@.cp_usage_window(),
                                                'as_of'::pg_catalog.text) THEN 'stale'
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
                CASE WHEN NOT l.is_latest THEN 'superseded'::pg_catalog.text
                     WHEN h.canonical OPERATOR(pg_catalog.<>) r.canonical THEN 'not_highest_workload' END)
FROM rows r
LEFT JOIN latest l ON l.rid OPERATOR(pg_catalog.=) r.rid
LEFT JOIN highest h ON h.tenant_id OPERATOR(pg_catalog.=) r.tenant_id
ORDER BY r.tenant_id, r.canonical COLLATE pg_catalog."C" NULLS LAST, r.workload COLLATE pg_catalog."C",
         r.sku COLLATE pg_catalog."C", r.measured_on DESC, r.active_users DESC, 6 DESC
$$;

-- The points are made and checked one at a time (cp_series_dates), so a
-- series that cannot end is refused when it gets there, and a cancel or a
-- statement_timeout stops it between points.  A start too early for its
-- usage window is refused by its name.
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
WHERE @extschema@.cp_window_start(start, @extschema@.cp_usage_window(), 'start'::pg_catalog.text) IS NOT NULL
$$;
COMMENT ON FUNCTION @extschema@.cp_series_dates(date, date, interval) IS
  'The dates of generate_series(start, stop, step) over timestamp with time zone; 22023 for a NULL or infinite bound or a step under one day, and, when the series gets there, for a step that fails to reach a later date';

-------------------------------------------------------------------------------
-- Status, with every call exactly typed.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.cp_status_partners(as_of date, window_days integer,
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
                    OPERATOR(pg_catalog.-) s.active_entitlements, 0::pg_catalog.int8) END,
       CASE WHEN @extschema@.cp_next_level(s.level) IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(@extschema@.cp_next_level(s.level))
                    OPERATOR(pg_catalog.-) s.qualified_individuals, 0) END,
       s.held_level, s.ends_on, s.projected_level,
       CASE WHEN s.held_level OPERATOR(pg_catalog.=) 'none'::@extschema@.competency_level
                 THEN 'not_held'::pg_catalog.text
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
               coalesce(e.n, 0::pg_catalog.int8) AS active_entitlements,
               coalesce(q.n, 0) AS qualified_individuals,
               coalesce(e.pn, 0::pg_catalog.int8) AS projected_entitlements,
               coalesce(q.pn, 0) AS projected_individuals,
               h.partner_id IS NOT NULL AS held,
               coalesce(h.held_level, 'none'::@extschema@.competency_level) AS held_level,
               h.ends_on, coalesce(h.in_grace, false) AS in_grace
        FROM @extschema@.cp_partner p
        LEFT JOIN @extschema@.cp_held(as_of, partner_ids) h
               ON h.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            SELECT a.partner_id,
                   @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku,
                                                     u.active_users::pg_catalog.int8, u.is_trial,
                                                     u.measured_on)
                     FILTER (WHERE a.valid_from OPERATOR(pg_catalog.<=) as_of
                               AND (a.valid_until IS NULL OR a.valid_until OPERATOR(pg_catalog.>) as_of)) AS n,
                   @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku,
                                                     u.active_users::pg_catalog.int8, u.is_trial,
                                                     u.measured_on)
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
              AND u.measured_on OPERATOR(pg_catalog.>)
                  @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text)
              AND u.measured_on OPERATOR(pg_catalog.<=) as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id OPERATOR(pg_catalog.=) p.partner_id
        LEFT JOIN (
            -- a credential valid on the projection date (not before as_of)
            -- is valid on as_of: the projection's are a subset
            SELECT pe.partner_id,
                   @extschema@.cp_credential_individuals(c.person_id, c.credential) AS n,
                   @extschema@.cp_credential_individuals(c.person_id, c.credential)
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
          AND @extschema@.cp_require_date(as_of, 'as_of'::pg_catalog.text)
          AND @extschema@.cp_window_start(as_of, window_days, 'as_of'::pg_catalog.text) IS NOT NULL
    ) f
) s
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_membership_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (partner_id bigint, held_level @extschema@.competency_level, ends_on date,
               level @extschema@.competency_level, projected_level @extschema@.competency_level,
               status text, entitlements_margin bigint, individuals_margin integer,
               projected_entitlements bigint, projected_individuals integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT s.partner_id, s.held_level, s.ends_on, s.level, s.projected_level, s.status,
       s.entitlements_margin, s.individuals_margin, s.projected_entitlements, s.projected_individuals
FROM @extschema@.cp_status_partners(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[]) s
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_qualified_on(person_id bigint, earned_by date, d date)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT @extschema@.cp_credential_individuals(c.person_id, c.credential) OPERATOR(pg_catalog.>) 0
FROM @extschema@.cp_credential c
WHERE c.person_id OPERATOR(pg_catalog.=) cp_qualified_on.person_id
  AND c.earned_on OPERATOR(pg_catalog.<=) cp_qualified_on.earned_by
  AND (c.expires_on IS NULL OR cp_qualified_on.d OPERATOR(pg_catalog.<) c.expires_on)
$$;

CREATE OR REPLACE FUNCTION @extschema@.cp_explain_risk(partner_id bigint, as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (kind text, subject text, effective_on date,
               entitlements_change bigint, individuals_change integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH held AS (
    SELECT h.projected_on AS e
    FROM @extschema@.cp_held(cp_explain_risk.as_of, ARRAY[cp_explain_risk.partner_id]) h
    WHERE @extschema@.cp_window_start(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text) IS NOT NULL
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
           @extschema@.cp_usage_entitlements(u.tenant_id, u.workload, u.sku,
                                             u.active_users::pg_catalog.int8, u.is_trial,
                                             u.measured_on) AS f
    FROM @extschema@.cp_usage u
    WHERE u.tenant_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT m.tenant_id FROM moved m))
      AND u.measured_on OPERATOR(pg_catalog.>)
          @extschema@.cp_window_start(cp_explain_risk.as_of, @extschema@.cp_usage_window(),
                                      'as_of'::pg_catalog.text)
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
           @extschema@.cp_credential_individuals(c.person_id, c.credential) AS now_q,
           @extschema@.cp_credential_individuals(c.person_id, c.credential)
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
           t.tenant_id::pg_catalog.text AS subject, t.effective_on,
           CASE WHEN t.now_on THEN OPERATOR(pg_catalog.-) coalesce(f.f, 0::pg_catalog.int8)
                ELSE coalesce(f.f, 0::pg_catalog.int8) END AS entitlements_change,
           0 AS individuals_change
    FROM tenant_moves t LEFT JOIN figures f ON f.tenant_id OPERATOR(pg_catalog.=) t.tenant_id
    UNION ALL
    SELECT 'credential_expires', p.person_id::pg_catalog.text, p.effective_on, 0, -1
    FROM person_moves p
) r
ORDER BY r.effective_on, r.kind COLLATE pg_catalog."C", r.subject COLLATE pg_catalog."C"
$$;

-- The dashboard view, bound to the extension's own functions.
CREATE OR REPLACE VIEW @extschema@.cp_partner_status AS
SELECT s.partner_id, p.name, s.market, s.active_entitlements, s.qualified_individuals,
       s.level, s.next_level, s.entitlements_short, s.individuals_short,
       s.held_level, s.ends_on, s.status, s.projected_level
FROM @extschema@.cp_status_partners(CURRENT_DATE, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[]) s
JOIN @extschema@.cp_partner p ON p.partner_id OPERATOR(pg_catalog.=) s.partner_id;

-------------------------------------------------------------------------------
-- Nothing of another role's runs with the rights of the extension's owner.
-- Beside triggers, PostgreSQL runs a foreign key's check of a referencing
-- row as the owner of the referenced table, a superuser here, and the check
-- casts the key to the referenced column's type: a cast a role made for a
-- type of its own would run with a superuser's rights.  So only superusers
-- create triggers on the extension's tables or foreign keys that reference
-- them, and flagging refuses to run while a foreign key that references
-- one is on a table a non-superuser owns, or casts a column of a type that
-- is not built in.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.cp_check_triggers() RETURNS void
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

    SELECT k.conname, k.conrelid::pg_catalog.regclass AS rel,
           k.confrelid::pg_catalog.regclass AS target, r.rolname AS owner, r.rolsuper
    INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_constraint k ON k.confrelid OPERATOR(pg_catalog.=) d.objid
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid
    JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.relowner
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND k.contype OPERATOR(pg_catalog.=) 'f'
      -- not a key of the extension's own tables
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend od
                      WHERE od.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND od.objid OPERATOR(pg_catalog.=) k.conrelid
                        AND od.refobjid OPERATOR(pg_catalog.=) x.oid
                        AND od.deptype OPERATOR(pg_catalog.=) 'e')
      AND (NOT r.rolsuper
           OR EXISTS (SELECT 1
                      FROM ROWS FROM (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey)) AS u(fk, pk)
                      JOIN pg_catalog.pg_attribute fa
                        ON fa.attrelid OPERATOR(pg_catalog.=) k.conrelid AND fa.attnum OPERATOR(pg_catalog.=) u.fk
                      JOIN pg_catalog.pg_attribute pa
                        ON pa.attrelid OPERATOR(pg_catalog.=) k.confrelid AND pa.attnum OPERATOR(pg_catalog.=) u.pk
                      WHERE fa.atttypid OPERATOR(pg_catalog.<>) pa.atttypid
                        AND fa.atttypid OPERATOR(pg_catalog.>=) 16384::pg_catalog.oid))
    ORDER BY k.conrelid, k.conname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = CASE WHEN t.rolsuper
                           THEN pg_catalog.format('foreign key %I on %s references %s, a table of competency, through a column of a type that is not built in',
                                                  t.conname, t.rel, t.target)
                           ELSE pg_catalog.format('foreign key %I on %s references %s, a table of competency, and the non-superuser %I owns %s',
                                                  t.conname, t.rel, t.target, t.owner, t.rel) END,
            DETAIL = 'PostgreSQL checks a referencing row with the rights of the referenced table''s owner, a superuser, casting the key to the referenced type: a cast or a type of another role''s would run with those rights.',
            HINT = 'Drop the foreign key, or have a superuser own the table, its key columns of the referenced types.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_check_triggers() IS
  'Internal: raises 42501 if a trigger on one of the extension''s tables runs a function a non-superuser owns, or a foreign key referencing one is on a table a non-superuser owns or casts a type that is not built in';

-- The guards run as the role that runs the command (current_user: that of
-- a SECURITY DEFINER function that runs it, too), and call nothing of the
-- extension's (that role need not be able to).  At the end of a command:
-- only superusers create triggers on the extension's tables, and no command
-- of another role leaves on a table it touched a foreign key referencing
-- one of them.
CREATE OR REPLACE FUNCTION @extschema@.cp_guard_triggers() RETURNS event_trigger
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
    FOR t IN
        SELECT k.conname, k.conrelid::pg_catalog.regclass AS rel, k.confrelid::pg_catalog.regclass AS target
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        LEFT JOIN LATERAL pg_catalog.pg_partition_tree(c.objid) pt ON true
        JOIN pg_catalog.pg_constraint k ON k.conrelid OPERATOR(pg_catalog.=) coalesce(pt.relid, c.objid)
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) k.confrelid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
          AND k.contype OPERATOR(pg_catalog.=) 'f'
          AND x.extname OPERATOR(pg_catalog.=) 'competency'
    LOOP
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('permission denied to make foreign key %I on %s reference %s, a table of competency',
                                        t.conname, t.rel, t.target),
            DETAIL = 'PostgreSQL checks a referencing row with the rights of the referenced table''s owner, a superuser, casting the key: only superusers make such keys.';
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_guard_triggers() IS
  'Event trigger: refuses, to roles other than superusers, CREATE TRIGGER on the extension''s tables and any command that leaves on a table it touched a foreign key referencing one of them';

DROP EVENT TRIGGER cp_guard_triggers;
CREATE EVENT TRIGGER cp_guard_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION @extschema@.cp_guard_triggers();
COMMENT ON EVENT TRIGGER cp_guard_triggers IS
  'Refuses, to roles other than superusers, triggers on competency''s tables and foreign keys that reference them';

-- The end of a command is too late for one case: a foreign key added to a
-- table that has rows is checked while the command runs, and where the role
-- may not read both tables PostgreSQL checks row by row as the referenced
-- table's owner, running the role's cast.  Only a role with REFERENCES on
-- the referenced table makes (or rebuilds) such a key, so before any
-- command that can make one, a role other than a superuser that may
-- reference one of the extension's tables (GRANT ALL gives REFERENCES) is
-- refused.
CREATE FUNCTION @extschema@.cp_guard_references() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RETURN;
    END IF;
    SELECT c.oid::pg_catalog.regclass AS rel INTO t
    FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_depend d
      ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.=) x.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
    WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
      AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::pg_catalog."char"[])
      AND pg_catalog.has_any_column_privilege(c.oid, 'REFERENCES')
    ORDER BY c.relname
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('role %I may reference %s, a table of competency, so it may not create or alter tables',
                                        CURRENT_USER, t.rel),
            DETAIL = 'PostgreSQL checks a new foreign key''s rows with the rights of the referenced table''s owner, a superuser, casting the key with a cast the role may have made.',
            HINT = pg_catalog.format('REVOKE REFERENCES ON %s FROM %I (GRANT ALL gives it).', t.rel, CURRENT_USER);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_guard_references() IS
  'Event trigger: before CREATE TABLE, ALTER TABLE or CREATE SCHEMA by a role other than a superuser, refuses a role that may reference one of the extension''s tables';
CREATE EVENT TRIGGER cp_guard_references ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION @extschema@.cp_guard_references();
COMMENT ON EVENT TRIGGER cp_guard_references IS
  'Refuses, before it runs, a command that can make a foreign key, to a role other than a superuser that may reference competency''s tables';

-------------------------------------------------------------------------------
-- Flagging, with every call exactly typed.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.cp_refresh_levels(as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::pg_catalog.int8[], as_of);
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
        PERFORM @extschema@.cp_flag(NULL::pg_catalog.int8[], @extschema@.cp_flagging_date());
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

-- A date that is no day, or whose window starts before the earliest date,
-- is refused before anything is locked.
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
    PERFORM @extschema@.cp_window_start(as_of, @extschema@.cp_flagging_window(), 'as_of'::pg_catalog.text);
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

-------------------------------------------------------------------------------
-- The imports, as the trust model has it: loaders report usage and
-- competency reports for any partner (that is their job), and write
-- memberships and reject rows only through these checked functions, which
-- run with the extension's rights (so a loader needs no privilege on
-- cp_membership, cp_partner or the reject tables).
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.cp_load_partner_center_usage()
RETURNS TABLE (loaded bigint, rejected bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT @extschema@.cp_check_triggers();
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
  'Moves every row the caller staged in cp_partner_center_usage into cp_usage or, with a reason, into cp_partner_center_reject; returns the counts (runs with the extension''s rights)';

-- The competency report in one pass: each row's reason (the first that
-- applies) is computed for all rows at once; the rows without one are
-- inserted in file order in one statement that skips any row overlapping a
-- stored row or a row inserted before it (the exclusion constraint, as
-- ON CONFLICT DO NOTHING's arbiter), so a load costs a sort and an index
-- probe per row.  Of identical rows only the first can be inserted.
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

-- Reject rows: a loader reads the rows it staged; a role that may delete
-- them (an administrator) reads all; only the imports above write them.
ALTER TABLE @extschema@.cp_partner_center_reject ENABLE ROW LEVEL SECURITY;
CREATE POLICY cp_reject_read ON @extschema@.cp_partner_center_reject FOR SELECT
    USING (staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role()
           OR pg_catalog.has_table_privilege('@extschema@.cp_partner_center_reject'::pg_catalog.regclass,
                                             'DELETE'));
CREATE POLICY cp_reject_delete ON @extschema@.cp_partner_center_reject FOR DELETE
    USING (true);
ALTER TABLE @extschema@.cp_partner_center_competency_reject ENABLE ROW LEVEL SECURITY;
CREATE POLICY cp_reject_read ON @extschema@.cp_partner_center_competency_reject FOR SELECT
    USING (staged_by OPERATOR(pg_catalog.=) @extschema@.cp_staging_role()
           OR pg_catalog.has_table_privilege('@extschema@.cp_partner_center_competency_reject'::pg_catalog.regclass,
                                             'DELETE'));
CREATE POLICY cp_reject_delete ON @extschema@.cp_partner_center_competency_reject FOR DELETE
    USING (true);
COMMENT ON TABLE @extschema@.cp_partner_center_reject IS
  'Staged Partner Center usage rows that could not be loaded, as staged, with the reason and the role that staged them; a role reads the rows it staged, a role that may delete them reads all';
COMMENT ON TABLE @extschema@.cp_partner_center_competency_reject IS
  'Staged competency report rows that were not loaded, as staged, with the partner they were loaded for, the reason and the role that staged them; a role reads the rows it staged, a role that may delete them reads all';

-------------------------------------------------------------------------------
-- Nothing is executable by PUBLIC: views and defaults check EXECUTE as the
-- caller, so the README's roles are granted what each reaches.
-------------------------------------------------------------------------------

DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
        JOIN pg_catalog.pg_depend d
          ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) p.oid
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE x.extname OPERATOR(pg_catalog.=) 'competency'
          AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
        ORDER BY p.oid
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON ROUTINE %I.%I(%s) FROM PUBLIC',
                                  f.nspname, f.proname, f.args);
    END LOOP;
END
$$;
