/* competency--1.0.sql: the Cloud Productivity competency (MSP option) */

\echo Use "CREATE EXTENSION competency" to load this file. \quit

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------

CREATE TYPE cp_market AS ENUM ('developed', 'developing');
COMMENT ON TYPE cp_market IS
  'Partner market: developed ("mature") or developing ("emerging"); sets the Silver performance threshold';

CREATE TYPE competency_level AS ENUM ('none', 'silver', 'gold');
COMMENT ON TYPE competency_level IS
  'Cloud Productivity competency level, ordered none < silver < gold';

CREATE TYPE cp_association_kind AS ENUM
  ('delegated_admin', 'transacting_partner', 'digital_partner_of_record');
COMMENT ON TYPE cp_association_kind IS
  'How a partner is associated with a customer tenant: Office 365 Delegated Administrator, Transacting Partner or Digital Partner of Record';

-------------------------------------------------------------------------------
-- Tables.  Usage, associations and credentials are taken as delivered:
-- duplicate and conflicting rows are legal, the rules decide what counts.
-------------------------------------------------------------------------------

CREATE TABLE cp_partner (
    partner_id bigint PRIMARY KEY,
    name       text NOT NULL,
    market     cp_market NOT NULL
);
COMMENT ON TABLE cp_partner IS 'Partner organisations evaluated for the competency';
COMMENT ON COLUMN cp_partner.partner_id IS 'Partner identifier';
COMMENT ON COLUMN cp_partner.name IS 'Partner name';
COMMENT ON COLUMN cp_partner.market IS 'Market the partner is evaluated in';

CREATE TABLE cp_association (
    partner_id  bigint NOT NULL
                REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    tenant_id   uuid NOT NULL,
    kind        cp_association_kind NOT NULL,
    valid_from  date NOT NULL,
    valid_until date,
    CONSTRAINT cp_association_period_check
                CHECK (valid_until OPERATOR(pg_catalog.>) valid_from)
);
CREATE INDEX cp_association_partner_idx ON cp_association (partner_id);
CREATE INDEX cp_association_tenant_idx ON cp_association (tenant_id);
COMMENT ON TABLE cp_association IS
  'Partner-customer associations; active on D when valid_from <= D < valid_until (NULL: open)';
COMMENT ON COLUMN cp_association.partner_id IS 'Associated partner';
COMMENT ON COLUMN cp_association.tenant_id IS 'Customer (Office 365 tenant)';
COMMENT ON COLUMN cp_association.kind IS 'Kind of association';
COMMENT ON COLUMN cp_association.valid_from IS 'First day the association is active';
COMMENT ON COLUMN cp_association.valid_until IS 'First day the association is no longer active; NULL if open';

CREATE TABLE cp_usage (
    tenant_id    uuid NOT NULL,
    workload     text NOT NULL,
    sku          text NOT NULL,
    is_trial     boolean NOT NULL,
    active_users integer NOT NULL CONSTRAINT cp_usage_active_users_check
                 CHECK (active_users OPERATOR(pg_catalog.>=) 0),
    measured_on  date NOT NULL
);
CREATE INDEX cp_usage_tenant_idx ON cp_usage (tenant_id, measured_on);
CREATE INDEX cp_usage_measured_idx ON cp_usage (measured_on);
COMMENT ON TABLE cp_usage IS
  'Usage measurements: active users of a tenant in a workload and SKU over the rolling window ending on measured_on';
COMMENT ON COLUMN cp_usage.tenant_id IS 'Customer (Office 365 tenant)';
COMMENT ON COLUMN cp_usage.workload IS 'Workload as delivered; compared by canonical name (EXO = Exchange Online)';
COMMENT ON COLUMN cp_usage.sku IS 'SKU as delivered; compared byte for byte';
COMMENT ON COLUMN cp_usage.is_trial IS 'Trial SKU; never counted';
COMMENT ON COLUMN cp_usage.active_users IS 'Active users measured';
COMMENT ON COLUMN cp_usage.measured_on IS 'Date measured';

CREATE TABLE cp_person (
    person_id  bigint PRIMARY KEY,
    partner_id bigint NOT NULL
               REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    name       text
);
CREATE INDEX cp_person_partner_idx ON cp_person (partner_id);
COMMENT ON TABLE cp_person IS 'Individuals associated with a partner (one partner at a time)';
COMMENT ON COLUMN cp_person.person_id IS 'Person identifier';
COMMENT ON COLUMN cp_person.partner_id IS 'Partner the person belongs to';
COMMENT ON COLUMN cp_person.name IS 'Person name';

CREATE TABLE cp_credential (
    person_id  bigint NOT NULL
               REFERENCES cp_person ON DELETE CASCADE ON UPDATE CASCADE,
    credential text NOT NULL,
    earned_on  date NOT NULL,
    expires_on date
);
CREATE INDEX cp_credential_person_idx ON cp_credential (person_id);
COMMENT ON TABLE cp_credential IS
  'Exams and certifications; counted on D when earned_on <= D and (expires_on IS NULL or D < expires_on)';
COMMENT ON COLUMN cp_credential.person_id IS 'Holder';
COMMENT ON COLUMN cp_credential.credential IS 'Exam or certification as delivered (70-346, 70-347, MCSA: Office 365, ...)';
COMMENT ON COLUMN cp_credential.earned_on IS 'Date earned';
COMMENT ON COLUMN cp_credential.expires_on IS 'Date it stops counting; NULL if it does not expire';

CREATE TABLE cp_partner_level (
    partner_id            bigint PRIMARY KEY
                          REFERENCES cp_partner ON DELETE CASCADE ON UPDATE CASCADE,
    level                 competency_level NOT NULL,
    active_entitlements   bigint NOT NULL,
    qualified_individuals integer NOT NULL,
    evaluated_at          timestamptz NOT NULL
);
COMMENT ON TABLE cp_partner_level IS
  'Last known level of each partner, kept by flagging; a partner without a row is at none';
COMMENT ON COLUMN cp_partner_level.partner_id IS 'Partner';
COMMENT ON COLUMN cp_partner_level.level IS 'Level at the last evaluation';
COMMENT ON COLUMN cp_partner_level.active_entitlements IS 'Active entitlements at the last evaluation';
COMMENT ON COLUMN cp_partner_level.qualified_individuals IS 'Qualified individuals at the last evaluation';
COMMENT ON COLUMN cp_partner_level.evaluated_at IS 'When the row was last written';

CREATE TABLE cp_level_change (
    change_id             bigserial PRIMARY KEY,
    partner_id            bigint NOT NULL,
    old_level             competency_level NOT NULL,
    new_level             competency_level NOT NULL,
    active_entitlements   bigint NOT NULL,
    qualified_individuals integer NOT NULL,
    changed_at            timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX cp_level_change_partner_idx ON cp_level_change (partner_id, change_id);
COMMENT ON TABLE cp_level_change IS
  'History of level changes; per partner, in change_id order, each old_level is the previous new_level';
COMMENT ON COLUMN cp_level_change.change_id IS 'Order of changes';
COMMENT ON COLUMN cp_level_change.partner_id IS 'Partner (no foreign key: history outlives the partner)';
COMMENT ON COLUMN cp_level_change.old_level IS 'Level before the change';
COMMENT ON COLUMN cp_level_change.new_level IS 'Level after the change';
COMMENT ON COLUMN cp_level_change.active_entitlements IS 'Active entitlements after the change';
COMMENT ON COLUMN cp_level_change.qualified_individuals IS 'Qualified individuals after the change';
COMMENT ON COLUMN cp_level_change.changed_at IS 'When the change was flagged';
COMMENT ON SEQUENCE cp_level_change_change_id_seq IS 'Numbers level changes in the order they were flagged';

-- Users' rows survive pg_dump; the tables hold partner and personal data.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_association', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_usage', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_person', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_credential', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_partner_level', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_level_change', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cp_level_change_change_id_seq', '');

REVOKE ALL ON cp_partner, cp_association, cp_usage, cp_person, cp_credential,
              cp_partner_level, cp_level_change FROM PUBLIC;
REVOKE ALL ON SEQUENCE cp_level_change_change_id_seq FROM PUBLIC;

-------------------------------------------------------------------------------
-- Settings and argument checks
-------------------------------------------------------------------------------

CREATE FUNCTION cp_usage_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_usage_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_usage_window() IS
  'The session''s competency.usage_window, in days';

CREATE FUNCTION cp_configured_usage_window() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_configured_usage_window'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_configured_usage_window() IS
  'competency.usage_window as configured for the server, database or role (its reset value), in days; flagging uses it';

CREATE FUNCTION cp_require_date(value date, name text) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_date'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_date(date, text) IS
  'True for a date; raises 22023 naming the argument for NULL';

CREATE FUNCTION cp_require_window(days integer) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_require_window'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_require_window(integer) IS
  'True for a usage window of 1 to 366 days; raises 22023 otherwise';

-------------------------------------------------------------------------------
-- Levels and thresholds
-------------------------------------------------------------------------------

CREATE FUNCTION cp_level(market cp_market, active_entitlements bigint,
                         qualified_individuals integer)
RETURNS competency_level
AS 'MODULE_PATHNAME', 'cp_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_level(cp_market, bigint, integer) IS
  'Competency level attained with these figures in this market';

CREATE FUNCTION cp_next_level(level competency_level)
RETURNS competency_level
AS 'MODULE_PATHNAME', 'cp_next_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_next_level(competency_level) IS
  'The level above; NULL above gold';

CREATE FUNCTION cp_required_entitlements(level competency_level, market cp_market)
RETURNS bigint
AS 'MODULE_PATHNAME', 'cp_required_entitlements'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_required_entitlements(competency_level, cp_market) IS
  'Active entitlements a level requires in a market';

CREATE FUNCTION cp_required_individuals(level competency_level)
RETURNS integer
AS 'MODULE_PATHNAME', 'cp_required_individuals'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_required_individuals(competency_level) IS
  'Qualified individuals a level requires';

-------------------------------------------------------------------------------
-- Aggregates
-------------------------------------------------------------------------------

CREATE FUNCTION cp_entitlements_trans(internal, anyelement, text, text,
                                      bigint, boolean, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_entitlements_final(internal) RETURNS bigint
AS 'MODULE_PATHNAME', 'cp_entitlements_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_entitlements_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_entitlements_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'cp_entitlements_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cp_entitlements_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_entitlements_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cp_entitlements_trans(internal, anyelement, text, text, bigint, boolean, date) IS
  'cp_active_entitlements transition: keeps the latest measurement per tenant, workload and SKU';
COMMENT ON FUNCTION cp_entitlements_final(internal) IS
  'cp_active_entitlements final: SKUs summed, highest workload per tenant, tenants summed';
COMMENT ON FUNCTION cp_entitlements_combine(internal, internal) IS
  'cp_active_entitlements combine: merges partial states';
COMMENT ON FUNCTION cp_entitlements_serialize(internal) IS
  'cp_active_entitlements serialize: versioned binary state, keys in their type''s send format';
COMMENT ON FUNCTION cp_entitlements_deserialize(bytea, internal) IS
  'cp_active_entitlements deserialize: validates every field of a serialized state';

CREATE AGGREGATE cp_active_entitlements(tenant anyelement, workload text,
                                        sku text, active_users bigint,
                                        is_trial boolean, measured_on date) (
    SFUNC = cp_entitlements_trans,
    STYPE = internal,
    SSPACE = 700,
    FINALFUNC = cp_entitlements_final,
    COMBINEFUNC = cp_entitlements_combine,
    SERIALFUNC = cp_entitlements_serialize,
    DESERIALFUNC = cp_entitlements_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cp_active_entitlements(anyelement, text, text, bigint, boolean, date) IS
  'Active entitlements of the rows given: latest measurement per (tenant, workload, SKU), duplicates by max, SKUs summed, highest workload per tenant, tenants summed; trials and ineligible workloads skipped';

CREATE FUNCTION cp_individuals_trans(internal, anyelement, text)
RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_individuals_final(internal) RETURNS integer
AS 'MODULE_PATHNAME', 'cp_individuals_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_individuals_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cp_individuals_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'cp_individuals_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cp_individuals_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'cp_individuals_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cp_individuals_trans(internal, anyelement, text) IS
  'cp_qualified_individuals transition: collects each person''s qualifying credentials';
COMMENT ON FUNCTION cp_individuals_final(internal) IS
  'cp_qualified_individuals final: counts persons who qualify by either path';
COMMENT ON FUNCTION cp_individuals_combine(internal, internal) IS
  'cp_qualified_individuals combine: merges partial states';
COMMENT ON FUNCTION cp_individuals_serialize(internal) IS
  'cp_qualified_individuals serialize: versioned binary state, keys in their type''s send format';
COMMENT ON FUNCTION cp_individuals_deserialize(bytea, internal) IS
  'cp_qualified_individuals deserialize: validates every field of a serialized state';

CREATE AGGREGATE cp_qualified_individuals(person anyelement, credential text) (
    SFUNC = cp_individuals_trans,
    STYPE = internal,
    SSPACE = 600,
    FINALFUNC = cp_individuals_final,
    COMBINEFUNC = cp_individuals_combine,
    SERIALFUNC = cp_individuals_serialize,
    DESERIALFUNC = cp_individuals_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cp_qualified_individuals(anyelement, text) IS
  'Distinct persons holding both 70-346 and 70-347, or MCSA: Office 365, among the rows given';

-------------------------------------------------------------------------------
-- Evaluation.  SQL functions without SET or STRICT, so the planner inlines
-- them into the caller's query (and may run them in parallel); every name is
-- schema-qualified instead.
-------------------------------------------------------------------------------

CREATE FUNCTION cp_evaluate_partners(as_of date, window_days integer,
                                     partner_ids bigint[])
RETURNS TABLE (partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
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
            -- measurements, so they count once (and the join stays a plain,
            -- parallel hash join)
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
COMMENT ON FUNCTION cp_evaluate_partners(date, integer, bigint[]) IS
  'cp_evaluate with an explicit usage window (days) for the given partners (NULL: all)';

CREATE FUNCTION cp_evaluate(as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL::bigint[])
$$;
COMMENT ON FUNCTION cp_evaluate(date) IS
  'Every partner''s figures and level as of a date, with what is still missing for the next level';

-------------------------------------------------------------------------------
-- Flagging level changes (SPEC section 4).
--
-- After each statement on a data table, a statement-level trigger finds the
-- partners the statement can affect and hands them to cp_flag(), which
-- re-evaluates them in one set-based pass, logs each change, keeps
-- cp_partner_level and notifies listeners.
--
-- Concurrency.  Two writers can each miss the other's rows: a usage row for
-- tenant X and a new association (A, X), or a credential for a person who is
-- moving to another partner.  So each trigger first locks what links its rows
-- to partners -- tenants and persons, hashed into the rows of cp_flag_lock,
-- in ascending order -- and only then, with a fresh snapshot, looks for the
-- partners affected.  It then locks those partners' cp_partner rows (FOR NO
-- KEY UPDATE, ascending) and evaluates them with a fresh snapshot.  Both lock
-- steps also write (the cp_flag_lock rows, every evaluated partner's
-- cp_partner_level row), so that under REPEATABLE READ or SERIALIZABLE a
-- transaction that could have missed a concurrent change fails with 40001
-- instead of storing a wrong level.
-------------------------------------------------------------------------------

CREATE TABLE cp_flag_lock (
    bucket integer PRIMARY KEY
);
INSERT INTO @extschema@.cp_flag_lock SELECT pg_catalog.generate_series(0, 2047);
REVOKE ALL ON cp_flag_lock FROM PUBLIC;
COMMENT ON TABLE cp_flag_lock IS
  'Internal: rows flagging locks and touches to serialize writers that share a tenant (buckets 0-1023) or a person (1024-2047)';
COMMENT ON COLUMN cp_flag_lock.bucket IS 'Hash bucket of a tenant or person';

CREATE FUNCTION cp_flagging_active() RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_flagging_active'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cp_flagging_active() IS
  'Whether triggers flag level changes now: false while competency.flagging is off or a dump is being restored';

CREATE FUNCTION cp_tenant_bucket(tenant_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.uuid_hash(tenant_id) OPERATOR(pg_catalog.&) 1023 $$;
COMMENT ON FUNCTION cp_tenant_bucket(uuid) IS 'Internal: the cp_flag_lock row of a tenant';

CREATE FUNCTION cp_person_bucket(person_id bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT 1024 OPERATOR(pg_catalog.+) (pg_catalog.hashint8(person_id) OPERATOR(pg_catalog.&) 1023) $$;
COMMENT ON FUNCTION cp_person_bucket(bigint) IS 'Internal: the cp_flag_lock row of a person';

-- Lock (in ascending order, waiting for concurrent flaggers) and touch buckets.
CREATE FUNCTION cp_lock_buckets(buckets integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF cardinality(buckets) > 0 THEN
        PERFORM 1 FROM @extschema@.cp_flag_lock
        WHERE bucket = ANY (buckets) ORDER BY bucket FOR NO KEY UPDATE;
        UPDATE @extschema@.cp_flag_lock SET bucket = bucket WHERE bucket = ANY (buckets);
    END IF;
END
$$;
COMMENT ON FUNCTION cp_lock_buckets(integer[]) IS
  'Internal: serializes flagging of writers that share a tenant or person';

-- The evaluation flagging compares with, run by RETURN QUERY so that it may
-- use a parallel plan (inside cp_flag's data-modifying statement it could not).
CREATE FUNCTION cp_evaluate_for_flags(as_of date, window_days integer, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, level competency_level,
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
COMMENT ON FUNCTION cp_evaluate_for_flags(date, integer, bigint[]) IS
  'Internal: the levels and figures flagging compares with the stored ones';

-- Re-evaluate partners (NULL: every partner) as of a date with the configured
-- window; log and notify each change; returns the number of changes.
CREATE FUNCTION cp_flag(partner_ids bigint[], as_of date DEFAULT current_date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    changes integer;
BEGIN
    PERFORM @extschema@.cp_require_date(as_of, 'as_of'::text);
    IF partner_ids IS NOT NULL AND cardinality(partner_ids) = 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner
    WHERE partner_ids IS NULL OR partner_id = ANY (partner_ids)
    ORDER BY partner_id FOR NO KEY UPDATE;

    WITH ev AS (
        SELECT * FROM @extschema@.cp_evaluate_for_flags(as_of,
                 @extschema@.cp_configured_usage_window(), partner_ids)
    ),
    -- partners that no longer exist but were last seen above none
    gone AS (
        SELECT DISTINCT h.partner_id
        FROM @extschema@.cp_level_change h
        WHERE (partner_ids IS NULL OR h.partner_id = ANY (partner_ids))
          AND NOT EXISTS (SELECT 1 FROM @extschema@.cp_partner p
                          WHERE p.partner_id = h.partner_id)
    ),
    now_levels AS (
        SELECT partner_id, level, active_entitlements, qualified_individuals,
               true AS present
        FROM ev
        UNION ALL
        SELECT partner_id, 'none', 0, 0, false FROM gone
    ),
    compared AS (
        SELECT n.*,
               coalesce(pl.level,
                        (SELECT h.new_level FROM @extschema@.cp_level_change h
                         WHERE h.partner_id = n.partner_id
                         ORDER BY h.change_id DESC LIMIT 1),
                        'none') AS old_level
        FROM now_levels n
        LEFT JOIN @extschema@.cp_partner_level pl USING (partner_id)
    ),
    logged AS (
        INSERT INTO @extschema@.cp_level_change
            (partner_id, old_level, new_level, active_entitlements,
             qualified_individuals, changed_at)
        SELECT partner_id, old_level, level, active_entitlements,
               qualified_individuals, now()
        FROM compared
        WHERE level <> old_level
        ORDER BY partner_id
        RETURNING change_id, partner_id, old_level, new_level,
                  active_entitlements, qualified_individuals
    ),
    stored AS (
        INSERT INTO @extschema@.cp_partner_level AS pl
            (partner_id, level, active_entitlements, qualified_individuals, evaluated_at)
        SELECT partner_id, level, active_entitlements, qualified_individuals, now()
        FROM compared WHERE present
        ON CONFLICT (partner_id) DO UPDATE
        SET level = excluded.level,
            active_entitlements = excluded.active_entitlements,
            qualified_individuals = excluded.qualified_individuals,
            evaluated_at = excluded.evaluated_at
    )
    SELECT count(pg_notify('cp_level_change',
                 jsonb_build_object('change_id', change_id,
                                   'partner_id', partner_id,
                                   'old_level', old_level,
                                   'new_level', new_level,
                                   'active_entitlements', active_entitlements,
                                   'qualified_individuals', qualified_individuals)::text))
    INTO changes
    FROM (SELECT * FROM logged ORDER BY change_id) l;

    RETURN changes;
END
$$;
COMMENT ON FUNCTION cp_flag(bigint[], date) IS
  'Internal: re-evaluates partners (NULL: all) with the configured window, logs and notifies level changes, returns their number';

CREATE FUNCTION cp_refresh_levels(as_of date DEFAULT current_date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.cp_flag(NULL::bigint[], as_of);
END
$$;
COMMENT ON FUNCTION cp_refresh_levels(date) IS
  'Re-evaluates every partner as of a date (default today) and flags changes, such as those caused by time passing; returns the number of changes';

-- Flag what changed links can affect: lock the buckets of the tenants and
-- persons (waiting for writers that share one), then, with a fresh snapshot,
-- find their partners -- unless the changed rows named them -- and flag.
CREATE FUNCTION cp_flag_links(tenants uuid[], persons bigint[], partners bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    PERFORM @extschema@.cp_lock_buckets(ARRAY(
        SELECT @extschema@.cp_tenant_bucket(t) FROM unnest(tenants) t
        UNION SELECT @extschema@.cp_person_bucket(p) FROM unnest(persons) p));
    IF partners IS NULL THEN
        partners := ARRAY(
            SELECT a.partner_id FROM @extschema@.cp_association a
            WHERE a.tenant_id = ANY (tenants)
              AND a.valid_from <= current_date
              AND (a.valid_until IS NULL OR a.valid_until > current_date)
            UNION
            SELECT p.partner_id FROM @extschema@.cp_person p
            WHERE p.person_id = ANY (persons));
    END IF;
    RETURN @extschema@.cp_flag(partners);
END
$$;
COMMENT ON FUNCTION cp_flag_links(uuid[], bigint[], bigint[]) IS
  'Internal: serializes on the tenants and persons given, finds their partners today (unless given) and flags them';

-- The trigger of every table, after each statement.  TG_ARGV[0] names the
-- rows' link column (tenant_id, person_id, or none); TG_ARGV[1] says whether
-- the rows name the partners they affect ('named': partner_id) or these are
-- found from the links ('linked').
CREATE FUNCTION cp_flag_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text := CASE TG_OP
                        WHEN 'INSERT' THEN 'new_rows'
                        WHEN 'DELETE' THEN 'old_rows'
                        ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)'
                    END;
    tenants uuid[];
    persons bigint[];
    partners bigint[];
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM @extschema@.cp_flag(NULL::bigint[]);
        RETURN NULL;
    END IF;
    IF TG_ARGV[0] = 'tenant_id' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT tenant_id FROM %s c)', changed) INTO tenants;
    ELSIF TG_ARGV[0] = 'person_id' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT person_id FROM %s c)', changed) INTO persons;
    END IF;
    IF TG_ARGV[1] = 'named' THEN
        EXECUTE format('SELECT ARRAY(SELECT DISTINCT partner_id FROM %s c)', changed) INTO partners;
    END IF;
    IF TG_TABLE_NAME = 'cp_partner' AND TG_OP = 'UPDATE' THEN
        -- a renumbered partner: the old number ends its history, the new
        -- one starts at none (the level row moved by ON UPDATE CASCADE goes)
        DELETE FROM @extschema@.cp_partner_level
        WHERE partner_id IN (SELECT partner_id FROM new_rows
                             EXCEPT SELECT partner_id FROM old_rows);
    END IF;
    PERFORM @extschema@.cp_flag_links(tenants, persons, partners);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cp_flag_trigger() IS
  'Trigger: flags level changes after writes to cp_partner, cp_association, cp_usage, cp_person and cp_credential';

-- The triggers, every name qualified (the script runs with search_path set to
-- the target schema, where others may have created functions and operators).
-- The schema goes in as an argument of format(), never into its pattern.
DO $$
DECLARE
    s constant text := '@extschema@';
    t text[];
BEGIN
    FOREACH t SLICE 1 IN ARRAY ARRAY[['partner', 'none', 'named'],
                                     ['association', 'tenant_id', 'named'],
                                     ['usage', 'tenant_id', 'linked'],
                                     ['person', 'person_id', 'named'],
                                     ['credential', 'person_id', 'linked']] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_insert AFTER INSERT ON %4$s.cp_%1$s
                        REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_update AFTER UPDATE ON %4$s.cp_%1$s
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_delete AFTER DELETE ON %4$s.cp_%1$s
                        REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
        EXECUTE pg_catalog.format('CREATE TRIGGER cp_flag_truncate AFTER TRUNCATE ON %4$s.cp_%1$s
                        FOR EACH STATEMENT EXECUTE FUNCTION %4$s.cp_flag_trigger(%2$L, %3$L)',
                       t[1], t[2], t[3], s);
    END LOOP;
END
$$;

-- Only roles granted these may write the flag tables through them.
REVOKE EXECUTE ON FUNCTION cp_lock_buckets(integer[]), cp_flag(bigint[], date),
    cp_evaluate_for_flags(date, integer, bigint[]),
    cp_refresh_levels(date), cp_flag_links(uuid[], bigint[], bigint[]), cp_flag_trigger()
    FROM PUBLIC;
