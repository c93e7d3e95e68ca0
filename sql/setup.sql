-- Runs first: installs the extension and helpers the other tests share.
CREATE EXTENSION competency;

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

-- Empties every table of the extension.
CREATE FUNCTION regress.reset() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
             cp_partner_level, cp_level_change RESTART IDENTITY CASCADE;
$$;

-- A readable tenant id: regress.t(7) = '00000000-0000-0000-0000-000000000007'.
CREATE FUNCTION regress.t(n integer) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT lpad(to_hex(n), 32, '0')::uuid
$$;

SELECT extversion FROM pg_extension WHERE extname = 'competency';
