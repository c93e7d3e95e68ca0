-- Runs first: installs the extension, walking the upgrade chain from the
-- oldest version (so every test runs on an upgraded install; TAP test
-- 005_upgrade compares it with a fresh one), and the helpers the tests share.
SELECT version AS oldest FROM pg_available_extension_versions
WHERE name = 'competency' ORDER BY string_to_array(version, '.')::int[] LIMIT 1 \gset
CREATE EXTENSION competency VERSION :'oldest';
ALTER EXTENSION competency UPDATE;
SELECT extversion = default_version AS newest
FROM pg_extension JOIN pg_available_extensions ON name = extname
WHERE extname = 'competency';

-- pg_regress runs every session in time zone PST8PDT; flagging's "today"
-- (competency.flagging_time_zone, UTC by default) is the sessions' today
-- here, so that tests may write current_date (security.sql tests the
-- default).
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET competency.flagging_time_zone = 'PST8PDT';

CREATE SCHEMA regress;

-- SQLSTATE and message of a statement's error, or 'no error'.  The statement
-- runs in a subtransaction, so what it did is rolled back.
CREATE FUNCTION regress.error_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- true when EXPLAIN (VERBOSE, COSTS OFF) of the query has a line matching the
-- regular expression
CREATE FUNCTION regress.plan_has(query text, pattern text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ pattern THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$$;

-- Empties every table of the extension.
CREATE FUNCTION regress.reset() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership,
             cp_partner_level, cp_level_change, cp_status_change RESTART IDENTITY CASCADE;
$$;

-- A readable tenant id: regress.t(7) = '00000000-0000-0000-0000-000000000007'.
CREATE FUNCTION regress.t(n integer) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT lpad(to_hex(n), 32, '0')::uuid
$$;


-- For the differential tests: random helpers, and the plain-SQL reference
-- of the membership held on a date (the row covering as_of; else the row
-- with the latest ends_on such that ends_on <= as_of < ends_on + grace, in
-- grace; else none).  E: the covering row's ends_on; in grace, as_of.
CREATE FUNCTION regress.rnd(lo integer, hi integer) RETURNS integer
LANGUAGE sql VOLATILE AS $$
    SELECT lo + floor(random() * (hi - lo + 1))::integer
$$;
CREATE FUNCTION regress.pick(a anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS $$
    SELECT a[1 + floor(random() * cardinality(a))::integer]
$$;
CREATE FUNCTION regress.held_on(as_of date, grace integer)
RETURNS TABLE (partner_id bigint, held_level text, ends_on date, in_grace boolean, e date)
LANGUAGE sql STABLE AS $$
    SELECT p.partner_id,
           coalesce(c.level::text, g.level::text, 'none'),
           coalesce(c.ends_on, g.ends_on),
           c.partner_id IS NULL AND g.partner_id IS NOT NULL,
           CASE WHEN c.partner_id IS NOT NULL THEN c.ends_on
                WHEN g.partner_id IS NOT NULL THEN as_of END
    FROM cp_partner p
    LEFT JOIN cp_membership c
           ON c.partner_id = p.partner_id AND c.started_on <= as_of AND as_of < c.ends_on
    LEFT JOIN LATERAL (
        SELECT m.partner_id, m.level, m.ends_on FROM cp_membership m
        WHERE m.partner_id = p.partner_id
          AND m.ends_on <= as_of AND as_of < m.ends_on + grace
        ORDER BY m.ends_on DESC LIMIT 1) g ON true
$$;
