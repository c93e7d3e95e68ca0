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

