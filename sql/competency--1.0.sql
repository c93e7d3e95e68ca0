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
    CONSTRAINT cp_association_period_check CHECK (valid_until > valid_from)
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
                 CHECK (active_users >= 0),
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
    changed_at            timestamptz NOT NULL DEFAULT now()
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

-- Users' rows survive pg_dump; the tables hold partner and personal data.
SELECT pg_catalog.pg_extension_config_dump('cp_partner', '');
SELECT pg_catalog.pg_extension_config_dump('cp_association', '');
SELECT pg_catalog.pg_extension_config_dump('cp_usage', '');
SELECT pg_catalog.pg_extension_config_dump('cp_person', '');
SELECT pg_catalog.pg_extension_config_dump('cp_credential', '');
SELECT pg_catalog.pg_extension_config_dump('cp_partner_level', '');
SELECT pg_catalog.pg_extension_config_dump('cp_level_change', '');
SELECT pg_catalog.pg_extension_config_dump('cp_level_change_change_id_seq', '');

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

CREATE AGGREGATE cp_active_entitlements(tenant anyelement, workload text,
                                        sku text, active_users bigint,
                                        is_trial boolean, measured_on date) (
    SFUNC = cp_entitlements_trans,
    STYPE = internal,
    SSPACE = 1024,
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

CREATE AGGREGATE cp_qualified_individuals(person anyelement, credential text) (
    SFUNC = cp_individuals_trans,
    STYPE = internal,
    SSPACE = 256,
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
                    - s.active_entitlements, 0) END,
       CASE WHEN s.next_level IS NOT NULL THEN
           greatest(@extschema@.cp_required_individuals(s.next_level)
                    - s.qualified_individuals, 0) END
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
            FROM (SELECT DISTINCT x.partner_id, x.tenant_id
                  FROM @extschema@.cp_association x
                  WHERE x.valid_from <= as_of
                    AND (x.valid_until IS NULL OR x.valid_until > as_of)
                    AND (partner_ids IS NULL OR x.partner_id = ANY (partner_ids))) a
            JOIN @extschema@.cp_usage u ON u.tenant_id = a.tenant_id
            WHERE u.measured_on > as_of - window_days
              AND u.measured_on <= as_of
            GROUP BY a.partner_id
        ) e ON e.partner_id = p.partner_id
        LEFT JOIN (
            SELECT pe.partner_id,
                   @extschema@.cp_qualified_individuals(c.person_id, c.credential) AS n
            FROM @extschema@.cp_person pe
            JOIN @extschema@.cp_credential c ON c.person_id = pe.person_id
            WHERE c.earned_on <= as_of
              AND (c.expires_on IS NULL OR as_of < c.expires_on)
              AND (partner_ids IS NULL OR pe.partner_id = ANY (partner_ids))
            GROUP BY pe.partner_id
        ) q ON q.partner_id = p.partner_id
        WHERE (partner_ids IS NULL OR p.partner_id = ANY (partner_ids))
          AND @extschema@.cp_require_date(as_of, 'as_of')
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
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL)
$$;
COMMENT ON FUNCTION cp_evaluate(date) IS
  'Every partner''s figures and level as of a date, with what is still missing for the next level';
