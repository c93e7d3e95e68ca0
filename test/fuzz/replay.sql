-- test/fuzz/replay.sql: what the state replay (cases.sql) and the fuzzer
-- need, in a schema "replay" made anew.  Run by test/fuzz/replay.sh with
-- the psql variables lib (the library built from test/fuzz/replay.c) and
-- ext (the schema of the competency extension).
--
-- The aggregates below hand bytea values to the extension's real
-- deserialize and combine functions (replay_trans in replay.c), and finish
-- with its real final or serialize function; state_* build real states
-- from rows with its real transition and serialize functions.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS replay CASCADE;
CREATE SCHEMA replay;
-- every function below resolves names with this path (SET ... FROM CURRENT)
SET search_path = replay, :"ext", pg_catalog;

-------------------------------------------------------------------------------
-- Aggregates
-------------------------------------------------------------------------------

CREATE FUNCTION replay.replay_trans(internal, bytea, int4, regprocedure, regprocedure)
RETURNS internal LANGUAGE C AS :'lib', 'replay_trans';

-- (state, site, deserialize, combine): each row deserialized at site 0 or 1
CREATE AGGREGATE replay.replay_entitlements(bytea, int4, regprocedure, regprocedure) (
    SFUNC = replay.replay_trans, STYPE = internal, FINALFUNC = cp_entitlements_final);
CREATE AGGREGATE replay.reserialize_entitlements(bytea, int4, regprocedure, regprocedure) (
    SFUNC = replay.replay_trans, STYPE = internal, FINALFUNC = cp_entitlements_serialize);
CREATE AGGREGATE replay.replay_individuals(bytea, int4, regprocedure, regprocedure) (
    SFUNC = replay.replay_trans, STYPE = internal, FINALFUNC = cp_individuals_final);
CREATE AGGREGATE replay.reserialize_individuals(bytea, int4, regprocedure, regprocedure) (
    SFUNC = replay.replay_trans, STYPE = internal, FINALFUNC = cp_individuals_serialize);

-- the serialized state of rows, as a parallel worker would send it (the
-- forms without and with rule_set)
CREATE AGGREGATE replay.state_entitlements(anyelement, text, text, bigint, boolean, date) (
    SFUNC = cp_entitlements_trans, STYPE = internal, FINALFUNC = cp_entitlements_serialize);
CREATE AGGREGATE replay.state_individuals(anyelement, text) (
    SFUNC = cp_individuals_trans, STYPE = internal, FINALFUNC = cp_individuals_serialize);
CREATE AGGREGATE replay.state_entitlements(anyelement, text, text, bigint, boolean, date, text) (
    SFUNC = cp_entitlements_trans, STYPE = internal, FINALFUNC = cp_entitlements_serialize);
CREATE AGGREGATE replay.state_individuals(anyelement, text, text) (
    SFUNC = cp_individuals_trans, STYPE = internal, FINALFUNC = cp_individuals_serialize);

-- The final of the states xs combined in order (row k deserialized at site
-- (k - 1) % 2), as text, or 'ERROR <SQLSTATE>'.  Packed: the bytea values
-- reach deserialize as they come out of a tuplestore (a 1-byte header when
-- short), else with a 4-byte header.  agg: 'ent' or 'ind'.  Raise: let
-- the error through.
CREATE FUNCTION replay.final(agg text, xs bytea[], packed boolean DEFAULT false,
                             raise boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v text;
    s text;
BEGIN
    IF agg = 'ent' AND packed THEN
        SELECT replay.replay_entitlements(x, (o - 1)::int % 2,
                   'cp_entitlements_deserialize(bytea,internal)', 'cp_entitlements_combine(internal,internal)')
        INTO v FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSIF agg = 'ent' THEN
        SELECT replay.replay_entitlements(x || ''::bytea, (o - 1)::int % 2,
                   'cp_entitlements_deserialize(bytea,internal)', 'cp_entitlements_combine(internal,internal)')
        INTO v FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSIF agg = 'ind' AND packed THEN
        SELECT replay.replay_individuals(x, (o - 1)::int % 2,
                   'cp_individuals_deserialize(bytea,internal)', 'cp_individuals_combine(internal,internal)')
        INTO v FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSIF agg = 'ind' THEN
        SELECT replay.replay_individuals(x || ''::bytea, (o - 1)::int % 2,
                   'cp_individuals_deserialize(bytea,internal)', 'cp_individuals_combine(internal,internal)')
        INTO v FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSE
        RAISE EXCEPTION 'replay.final: unknown aggregate %', agg;
    END IF;
    RETURN v;
EXCEPTION WHEN OTHERS THEN
    IF raise THEN
        RAISE;
    END IF;
    GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE;
    RETURN 'ERROR ' || s;
END $$;

-- What final(xs) ends with, in words: the error's SQLSTATE, message and
-- detail, or the value (for a reader of the cases, REPLAY_VERBOSE=1).
CREATE FUNCTION replay.outcome(agg text, xs bytea[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    m text;
    d text;
    s text;
BEGIN
    RETURN replay.final(agg, xs, false, true);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    RETURN format('ERROR %s: %s%s', s, m, coalesce(' (' || nullif(d, '') || ')', ''));
END $$;

-- The states xs combined in order, serialized again (bytes), or the
-- SQLSTATE of the error (err).
CREATE FUNCTION replay.reserialize(agg text, xs bytea[], OUT bytes bytea, OUT err text)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF agg = 'ent' THEN
        SELECT replay.reserialize_entitlements(x, (o - 1)::int % 2,
                   'cp_entitlements_deserialize(bytea,internal)', 'cp_entitlements_combine(internal,internal)')
        INTO bytes FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSIF agg = 'ind' THEN
        SELECT replay.reserialize_individuals(x, (o - 1)::int % 2,
                   'cp_individuals_deserialize(bytea,internal)', 'cp_individuals_combine(internal,internal)')
        INTO bytes FROM unnest(xs) WITH ORDINALITY u(x, o);
    ELSE
        RAISE EXCEPTION 'replay.reserialize: unknown aggregate %', agg;
    END IF;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS err = RETURNED_SQLSTATE;
END $$;

-------------------------------------------------------------------------------
-- The wire formats (src/entitlements.c, src/individuals.c, src/aggsite.c),
-- as fields: what the cases' byte surgery and the fuzzer's mutations aim at.
-------------------------------------------------------------------------------

-- The big-endian int32 at byte offset off (0-based) of x.
CREATE FUNCTION replay.i32(x bytea, off bigint) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ('x' || encode(substr(x, off::int + 1, 4), 'hex'))::bit(32)::int
$$;

-- v as an int32, wrapped around as two's complement.
CREATE FUNCTION replay.wrap32(v bigint) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ((v % 4294967296 + 4294967296 + 2147483648) % 4294967296 - 2147483648)::int
$$;

-- The fields of a state, in order: name, byte offset, length.  Names:
-- version, keytype, collation; in the forms with rule_set (the version's
-- high bit set) rule_set.len, rule_set, problem and, with a problem,
-- message.len, message; then for 'ent' nskus, sku[i].len, sku[i],
-- ntenants, tenant[i].keylen, tenant[i].key, tenant[i].nslots,
-- tenant[i].slot[j].workload, .sku, .date, .count; for 'ind' npersons,
-- person[i].keylen, person[i].key, person[i].creds (1 byte, or 8 with
-- rule_set).  Stops after the first field the bytes do not hold in full.
CREATE FUNCTION replay.layout(x bytea, agg text)
RETURNS TABLE (field text, off int, len int)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    n bigint := length(x);
    named boolean := length(x) > 0 AND get_byte(x, 0) >= 128;
    o bigint := 9;
    cnt bigint;                 -- a count, bounded by the bytes it could fill
    l bigint;
    m bigint;
    t text;
BEGIN
    field := 'version'; off := 0; len := 1; RETURN NEXT;
    field := 'keytype'; off := 1; len := 4; RETURN NEXT;
    field := 'collation'; off := 5; len := 4; RETURN NEXT;
    IF named THEN
        field := 'rule_set.len'; off := o; len := 4; RETURN NEXT;
        IF o + 4 > n THEN RETURN; END IF;
        l := replay.i32(x, o);
        o := o + 4;
        field := 'rule_set'; off := o; len := greatest(l, 0); RETURN NEXT;
        IF l < 0 OR o + l > n THEN RETURN; END IF;
        o := o + l;
        field := 'problem'; off := o; len := 1; RETURN NEXT;
        IF o + 1 > n THEN RETURN; END IF;
        o := o + 1;
        IF get_byte(x, o::int - 1) <> 0 THEN
            field := 'message.len'; off := o; len := 4; RETURN NEXT;
            IF o + 4 > n THEN RETURN; END IF;
            l := replay.i32(x, o);
            o := o + 4;
            field := 'message'; off := o; len := greatest(l, 0); RETURN NEXT;
            IF l < 0 OR o + l > n THEN RETURN; END IF;
            o := o + l;
        END IF;
    END IF;
    IF agg = 'ent' THEN
        field := 'nskus'; off := o; len := 4; RETURN NEXT;
        IF o + 4 > n THEN RETURN; END IF;
        cnt := greatest(least(replay.i32(x, o), n), 0);
        o := o + 4;
        FOR i IN 0 .. cnt - 1 LOOP
            field := format('sku[%s].len', i); off := o; len := 4; RETURN NEXT;
            IF o + 4 > n THEN RETURN; END IF;
            l := replay.i32(x, o);
            o := o + 4;
            field := format('sku[%s]', i); off := o; len := greatest(l, 0); RETURN NEXT;
            IF l < 0 OR o + l > n THEN RETURN; END IF;
            o := o + l;
        END LOOP;
        field := 'ntenants'; off := o; len := 4; RETURN NEXT;
        IF o + 4 > n THEN RETURN; END IF;
        cnt := greatest(least(replay.i32(x, o), n), 0);
        o := o + 4;
        FOR i IN 0 .. cnt - 1 LOOP
            t := format('tenant[%s]', i);
            field := t || '.keylen'; off := o; len := 4; RETURN NEXT;
            IF o + 4 > n THEN RETURN; END IF;
            l := replay.i32(x, o);
            o := o + 4;
            field := t || '.key'; off := o; len := greatest(l, 0); RETURN NEXT;
            IF l < 0 OR o + l > n THEN RETURN; END IF;
            o := o + l;
            field := t || '.nslots'; off := o; len := 4; RETURN NEXT;
            IF o + 4 > n THEN RETURN; END IF;
            m := greatest(least(replay.i32(x, o), n), 0);
            o := o + 4;
            FOR j IN 0 .. m - 1 LOOP
                field := format('%s.slot[%s].workload', t, j); off := o; len := 1; RETURN NEXT;
                field := format('%s.slot[%s].sku', t, j); off := o + 1; len := 4; RETURN NEXT;
                field := format('%s.slot[%s].date', t, j); off := o + 5; len := 4; RETURN NEXT;
                field := format('%s.slot[%s].count', t, j); off := o + 9; len := 8; RETURN NEXT;
                o := o + 17;
                IF o > n THEN RETURN; END IF;
            END LOOP;
        END LOOP;
    ELSE
        field := 'npersons'; off := o; len := 4; RETURN NEXT;
        IF o + 4 > n THEN RETURN; END IF;
        cnt := greatest(least(replay.i32(x, o), n), 0);
        o := o + 4;
        FOR i IN 0 .. cnt - 1 LOOP
            t := format('person[%s]', i);
            field := t || '.keylen'; off := o; len := 4; RETURN NEXT;
            IF o + 4 > n THEN RETURN; END IF;
            l := replay.i32(x, o);
            o := o + 4;
            field := t || '.key'; off := o; len := greatest(l, 0); RETURN NEXT;
            IF l < 0 OR o + l > n THEN RETURN; END IF;
            o := o + l;
            field := t || '.creds'; off := o; len := CASE WHEN named THEN 8 ELSE 1 END; RETURN NEXT;
            o := o + CASE WHEN named THEN 8 ELSE 1 END;
            IF o > n THEN RETURN; END IF;
        END LOOP;
    END IF;
END $$;

-- Where a field is (an error if the state has no such field).
CREATE FUNCTION replay.pos(x bytea, agg text, name text, OUT off int, OUT len int)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    SELECT l.off, l.len INTO off, len FROM replay.layout(x, agg) l WHERE l.field = name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'replay.pos: the state has no field %', name;
    END IF;
END $$;

-- A field's bytes.
CREATE FUNCTION replay.get(x bytea, agg text, name text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT substr(x, p.off + 1, p.len) FROM replay.pos(x, agg, name) p
$$;

-- x with bytes written over it from a field's first byte on (same length).
CREATE FUNCTION replay.put(x bytea, agg text, name text, bytes bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT overlay(x PLACING bytes FROM p.off + 1) FROM replay.pos(x, agg, name) p
$$;

-- x with a field's bytes replaced by bytes of any length.
CREATE FUNCTION replay.swap(x bytea, agg text, name text, bytes bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT overlay(x PLACING bytes FROM p.off + 1 FOR p.len) FROM replay.pos(x, agg, name) p
$$;

-- x with bytes inserted before a field.
CREATE FUNCTION replay.ins(x bytea, agg text, name text, bytes bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT overlay(x PLACING bytes FROM p.off + 1 FOR 0) FROM replay.pos(x, agg, name) p
$$;

CREATE FUNCTION replay.put8(x bytea, agg text, name text, v int) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT replay.put(x, agg, name, decode(lpad(to_hex(v & 255), 2, '0'), 'hex'))
$$;

CREATE FUNCTION replay.put32(x bytea, agg text, name text, v bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT replay.put(x, agg, name, int4send(v::int4))
$$;

CREATE FUNCTION replay.put64(x bytea, agg text, name text, v bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT replay.put(x, agg, name, int8send(v))
$$;

-- x cut before a field, or inside it after its first `inside` bytes.
CREATE FUNCTION replay.cut(x bytea, agg text, name text, inside int DEFAULT 0) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT substr(x, 1, p.off + inside) FROM replay.pos(x, agg, name) p
$$;

-- A state with x's key type and collation (and rule set) and nothing in it.
CREATE FUNCTION replay.empty(x bytea, agg text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT substr(x, 1, p.off) || CASE agg WHEN 'ent' THEN '\x0000000000000000'::bytea
                                           ELSE '\x00000000'::bytea END
    FROM replay.pos(x, agg, CASE agg WHEN 'ent' THEN 'nskus' ELSE 'npersons' END) p
$$;

-------------------------------------------------------------------------------
-- Judging one input
-------------------------------------------------------------------------------

-- The SQLSTATEs a rejected input may end with (README.md says why these):
-- 22P03 (a malformed state), 42804 (key types that do not match), 22003
-- (a value out of range), 54000 (a limit of the implementation), 22023 (an
-- invalid value).  The setting replay.expected (a comma-separated list)
-- replaces them: FUZZ_EXPECTED in replay.sh.
CREATE FUNCTION replay.expected_sqlstates() RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_to_array(nullif(current_setting('replay.expected', true), ''), ','),
                    ARRAY['22P03', '42804', '22003', '54000', '22023'])
$$;

-- What the aggregates make of the state x:
--   verdict 'rejected', detail the SQLSTATE: deserialize refused it;
--   verdict 'accepted', detail its final (a value, 'ERROR 22003', or the
--   error of a rule set that cannot be evaluated: 'ERROR 42704', 55000 or
--   54000, raised by the final function);
--   verdict 'broken', detail what went wrong: it was accepted, but the
--   final of its round trip, of it combined with itself (three times, at
--   both sites) or with an empty state (either side) differs, or
--   reserializing any of these gives a different size, or an error comes
--   where none may.
CREATE FUNCTION replay.judge(agg text, x bytea, OUT verdict text, OUT detail text)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    r2 record;
    e bytea;
    a text;
    b text;
BEGIN
    r := replay.reserialize(agg, ARRAY[x]);
    a := replay.final(agg, ARRAY[x]);
    IF r.err IS NOT NULL THEN
        verdict := 'rejected';
        detail := r.err;
        IF a IS DISTINCT FROM 'ERROR ' || r.err THEN
            verdict := 'broken';
            detail := format('serialize after deserialize fails with %s, final gives %s', r.err, a);
        END IF;
        RETURN;
    END IF;
    verdict := 'broken';
    IF r.bytes IS NULL THEN
        detail := 'accepted, but serialize gives NULL';
        RETURN;
    END IF;
    IF a LIKE 'ERROR %' AND a NOT IN ('ERROR 22003', 'ERROR 42704', 'ERROR 55000', 'ERROR 54000') THEN
        detail := 'accepted, but final fails with ' || a;
        RETURN;
    END IF;
    e := replay.empty(x, agg);
    FOR b, detail IN
        SELECT replay.final(agg, ARRAY[x], true), 'final with a short header'
        UNION ALL SELECT replay.final(agg, ARRAY[r.bytes]), 'final after a round trip'
        UNION ALL SELECT replay.final(agg, ARRAY[x, x, x], true), 'final of it combined with itself'
        UNION ALL SELECT replay.final(agg, ARRAY[e, x]), 'final of an empty state and it'
        UNION ALL SELECT replay.final(agg, ARRAY[x, e]), 'final of it and an empty state'
    LOOP
        IF b IS DISTINCT FROM a THEN
            detail := format('%s is %s, not %s', detail, b, a);
            RETURN;
        END IF;
    END LOOP;
    FOR r2 IN
        SELECT s.*, 'reserialized after a round trip' AS what FROM replay.reserialize(agg, ARRAY[r.bytes]) s
        UNION ALL SELECT s.*, 'reserialized combined with itself' FROM replay.reserialize(agg, ARRAY[x, x, x]) s
        UNION ALL SELECT s.*, 'reserialized with an empty state' FROM replay.reserialize(agg, ARRAY[e, x]) s
    LOOP
        IF r2.err IS NOT NULL OR length(r2.bytes) IS DISTINCT FROM length(r.bytes) THEN
            detail := format('%s: %s, not %s bytes', r2.what,
                             coalesce('ERROR ' || r2.err, length(r2.bytes) || ' bytes'), length(r.bytes));
            RETURN;
        END IF;
    END LOOP;
    verdict := 'accepted';
    detail := a;
END $$;

-------------------------------------------------------------------------------
-- Cases (cases.sql adds them; replay.sh checks them)
-------------------------------------------------------------------------------

-- expect: 'good' (accepted; want, if known, is its final: a value or
-- 'ERROR 22003'), or the SQLSTATE the final of inputs combined must fail
-- with.  inputs: usually one state.
CREATE TABLE replay.cases (
    name        text PRIMARY KEY,
    agg         text NOT NULL CHECK (agg IN ('ent', 'ind')),
    expect      text NOT NULL,
    inputs      bytea[],
    want        text,
    build_error text
);

-- A good case: the state of rows (a query with columns k, w, s, n, t, d for
-- 'ent', k, c for 'ind', and rs, the rule set, for the forms with rule_set),
-- and as its wanted final what the extension's own aggregate gives over the
-- same rows.
CREATE FUNCTION replay.good(name text, agg text, rows text, named boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    args text := CASE agg WHEN 'ent' THEN 'k, w, s, n, t, d' ELSE 'k, c' END
                 || CASE WHEN named THEN ', rs' ELSE '' END;
    st bytea;
    w text;
    err text;
BEGIN
    BEGIN
        EXECUTE format('SELECT replay.state_%s(%s) FROM (%s) r(%s)',
                       CASE agg WHEN 'ent' THEN 'entitlements' ELSE 'individuals' END,
                       args, rows, args) INTO st;
        IF st IS NULL THEN
            err := 'the rows give no state';
        END IF;
    EXCEPTION WHEN OTHERS THEN
        err := sqlstate || ': ' || sqlerrm;
    END;
    BEGIN
        EXECUTE format('SELECT %s(%s)::text FROM (%s) r(%s)',
                       CASE agg WHEN 'ent' THEN 'cp_active_entitlements' ELSE 'cp_qualified_individuals' END,
                       args, rows, args) INTO w;
    EXCEPTION WHEN OTHERS THEN
        w := 'ERROR ' || sqlstate;
    END;
    INSERT INTO replay.cases VALUES (name, agg, 'good', CASE WHEN err IS NULL THEN ARRAY[st] END, w, err);
END $$;

-- A case whose inputs a query builds (a bytea[]: states combined in order).
CREATE FUNCTION replay.add_many(name text, agg text, expect text, build text) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    xs bytea[];
    err text;
BEGIN
    BEGIN
        EXECUTE build INTO xs;
        IF xs IS NULL OR array_position(xs, NULL) IS NOT NULL THEN
            err := 'the query gives NULL';
        END IF;
    EXCEPTION WHEN OTHERS THEN
        err := sqlstate || ': ' || sqlerrm;
    END;
    INSERT INTO replay.cases VALUES (name, agg, expect, CASE WHEN err IS NULL THEN xs END, NULL, err);
END $$;

-- A case whose input a query builds (one bytea).
CREATE FUNCTION replay.add(name text, agg text, expect text, build text) RETURNS void
LANGUAGE sql AS $$
    SELECT replay.add_many(name, agg, expect, format('SELECT ARRAY[(%s)]', build))
$$;

-- The (first) input of a case added before.
CREATE FUNCTION replay.input(name text) RETURNS bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
    x bytea;
BEGIN
    SELECT c.inputs[1] INTO x FROM replay.cases c WHERE c.name = input.name;
    IF x IS NULL THEN
        RAISE EXCEPTION 'no input: case % is missing or was not built', name;
    END IF;
    RETURN x;
END $$;

-- NULL if the case passes, else why not.
CREATE FUNCTION replay.check(c replay.cases) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    j record;
    a text;
BEGIN
    IF c.build_error IS NOT NULL THEN
        RETURN 'could not build the input: ' || c.build_error;
    END IF;
    IF c.expect = 'good' THEN
        IF cardinality(c.inputs) <> 1 THEN
            RETURN 'a good case has one input';
        END IF;
        j := replay.judge(c.agg, c.inputs[1]);
        IF j.verdict <> 'accepted' THEN
            RETURN format('%s (%s)', j.verdict, j.detail);
        END IF;
        IF c.want IS NOT NULL AND j.detail <> c.want THEN
            RETURN format('final is %s; %s over the rows gives %s', j.detail,
                          CASE c.agg WHEN 'ent' THEN 'cp_active_entitlements' ELSE 'cp_qualified_individuals' END,
                          c.want);
        END IF;
        RETURN NULL;
    END IF;
    a := replay.final(c.agg, c.inputs);
    IF a IS DISTINCT FROM 'ERROR ' || c.expect THEN
        RETURN format('final gives %s, not ERROR %s', coalesce(a, 'NULL'), c.expect);
    END IF;
    IF cardinality(c.inputs) = 1 THEN
        j := replay.judge(c.agg, c.inputs[1]);
        IF j.verdict <> 'rejected' OR j.detail <> c.expect THEN
            RETURN format('%s (%s), not rejected with %s', j.verdict, j.detail, c.expect);
        END IF;
    END IF;
    RETURN NULL;
END $$;

-------------------------------------------------------------------------------
-- The fuzzer: mutations of the cases' inputs, deterministic given a seed
-------------------------------------------------------------------------------

-- The seeds: the input of every case that has one and passes (a failing
-- case is reported by the replay already), good ones first, with their
-- fields (as far as their own aggregate reads them).
CREATE TABLE replay.seeds (
    id          int PRIMARY KEY,
    name        text NOT NULL,
    agg         text NOT NULL,
    good        boolean NOT NULL,
    x           bytea NOT NULL,
    offs        int[] NOT NULL,         -- where each field starts
    lens        int[] NOT NULL
);

CREATE FUNCTION replay.make_seeds() RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE replay.seeds;
    INSERT INTO replay.seeds
    SELECT row_number() OVER (ORDER BY c.expect <> 'good', c.name) - 1, c.name, c.agg, c.expect = 'good',
           c.inputs[1],
           coalesce((SELECT array_agg(l.off ORDER BY l.off, l.field) FROM replay.layout(c.inputs[1], c.agg) l), '{}'),
           coalesce((SELECT array_agg(l.len ORDER BY l.off, l.field) FROM replay.layout(c.inputs[1], c.agg) l), '{}')
    FROM replay.cases c
    WHERE cardinality(c.inputs) = 1 AND replay.check(c) IS NULL;
    RETURN (SELECT count(*) FROM replay.seeds);
END $$;

-- The k-th pseudo-random number (0 .. 2^63 - 1) of input i under seed.
CREATE FUNCTION replay.rnd(seed bigint, i bigint, k int) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT hashint8extended(i * 4096 + k, seed) & 9223372036854775807
$$;

-- Input i of the fuzzer under seed: a seed with one to four mutations,
-- each aimed at a field of the seed or at any byte; usually handed to the
-- seed's own aggregate, one time in sixteen to the other.
CREATE FUNCTION replay.mutant(seed bigint, i bigint, OUT agg text, OUT x bytea, OUT how text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s replay.seeds;
    t replay.seeds;
    y bytea;
    nseeds int;
    ngood int;
    k int := 0;
    op int;
    n int;
    p int;
    q int;
    f int;
    v bigint;
    bounds bigint[] := ARRAY[0, -1, 1, 2147483647, -2147483648, 2147483646, 65535, 65536,
                             -2147483647, 16777216, 255, 256, 128];
BEGIN
    SELECT count(*), count(*) FILTER (WHERE good) INTO nseeds, ngood FROM replay.seeds;
    -- a good seed half the time, any seed the other half
    v := replay.rnd(seed, i, 0);
    SELECT * INTO s FROM replay.seeds
    WHERE id = CASE WHEN v % 2 = 0 AND ngood > 0 THEN (v / 2) % ngood ELSE (v / 2) % nseeds END;
    agg := s.agg;
    x := s.x;
    how := s.name;
    -- 1 mutation half the time, 2 a quarter, 3 or 4 an eighth each
    FOR m IN 1 .. (ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4])[1 + replay.rnd(seed, i, 1) % 16] LOOP
        k := 8 * m;
        n := length(x);
        op := (replay.rnd(seed, i, k) % 12)::int;
        -- a field of the seed (f), a byte (p), another position (q), a value (v)
        f := CASE WHEN cardinality(s.offs) > 0
                  THEN 1 + (replay.rnd(seed, i, k + 1) % cardinality(s.offs))::int END;
        p := CASE WHEN n > 0 THEN (replay.rnd(seed, i, k + 2) % n)::int ELSE 0 END;
        q := (replay.rnd(seed, i, k + 3) % (n + 1))::int;
        v := replay.rnd(seed, i, k + 4);
        IF f IS NOT NULL AND s.offs[f] < n AND op IN (2, 5, 7, 9, 10) THEN
            p := s.offs[f];
        END IF;
        IF op = 0 AND n > 0 THEN            -- flip a bit
            x := set_bit(x, p * 8 + (v % 8)::int, 1 - get_bit(x, p * 8 + (v % 8)::int));
            how := how || format(' flip(%s)', p);
        ELSIF op = 1 AND n > 0 THEN         -- any byte value
            x := set_byte(x, p, (v % 256)::int);
            how := how || format(' byte(%s)', p);
        ELSIF op IN (2, 3) AND n >= 4 THEN  -- a boundary int32, at a field or anywhere
            p := least(p, n - 4);
            v := CASE WHEN v % 4 = 0 THEN replay.i32(x, p) + (v / 4) % 3 - 1
                      WHEN v % 4 = 1 THEN n - p - 4 + (v / 4) % 3 - 1
                      ELSE bounds[1 + (v / 4) % cardinality(bounds)] END;
            x := overlay(x PLACING int4send(replay.wrap32(v)) FROM p + 1);
            how := how || format(' int32(%s,%s)', p, v);
        ELSIF op = 4 THEN                   -- insert up to 8 bytes
            y := substr(int8send(v), 1, 1 + (v % 8)::int);
            x := overlay(x PLACING y FROM q + 1 FOR 0);
            how := how || format(' insert(%s,%s)', q, length(y));
        ELSIF op = 5 AND n > 0 THEN         -- delete a field or up to 16 bytes
            y := substr(x, 1, p);
            x := y || substr(x, p + 1 + CASE WHEN f IS NOT NULL AND s.offs[f] = p AND s.lens[f] > 0
                                            THEN least(s.lens[f], n) ELSE 1 + (v % 16)::int END);
            how := how || format(' delete(%s)', p);
        ELSIF op = 6 THEN                   -- truncate
            x := substr(x, 1, q);
            how := how || format(' truncate(%s)', q);
        ELSIF op = 7 THEN                   -- splice: our head, another seed's tail
            SELECT * INTO t FROM replay.seeds WHERE id = v % nseeds;
            q := CASE WHEN cardinality(t.offs) > 0
                      THEN t.offs[1 + ((v / nseeds) % cardinality(t.offs))::int]
                      ELSE 0 END;
            x := substr(x, 1, p) || substr(t.x, q + 1);
            how := how || format(' splice(%s,%s,%s)', p, t.name, q);
        ELSIF op = 8 AND n > 0 THEN         -- a range repeated where it is
            y := substr(x, p + 1, 1 + (v % 32)::int);
            x := overlay(x PLACING y FROM p + 1 FOR 0);
            how := how || format(' repeat(%s,%s)', p, length(y));
        ELSIF op = 9 AND f IS NOT NULL AND n > 0 THEN   -- a field copied over another
            q := s.offs[1 + (v % cardinality(s.offs))::int];
            y := substr(x, p + 1, least(s.lens[f], n));
            IF q < n AND length(y) > 0 THEN
                x := overlay(x PLACING y FROM q + 1);
                how := how || format(' copy(%s,%s,%s)', p, q, length(y));
            END IF;
        ELSIF op = 10 AND n >= 8 THEN        -- a boundary int64 (counts)
            p := least(p, n - 8);
            x := overlay(x PLACING int8send((ARRAY[0, -1, 1, 9223372036854775807, -9223372036854775808,
                                                   4611686018427387904, 2147483648])[1 + (v % 7)::int])
                         FROM p + 1);
            how := how || format(' int64(%s)', p);
        ELSIF op = 11 AND n > 0 THEN        -- a small run of bytes set to one value
            y := decode(repeat(lpad(to_hex((v % 256)::int), 2, '0'), 1 + ((v / 256) % 8)::int), 'hex');
            x := overlay(x PLACING y FROM p + 1);
            how := how || format(' fill(%s,%s)', p, length(y));
        END IF;
    END LOOP;
    IF replay.rnd(seed, i, 2) % 16 = 0 THEN
        agg := CASE agg WHEN 'ent' THEN 'ind' ELSE 'ent' END;
        how := how || ' as ' || agg;
    END IF;
END $$;

-- Inputs first .. first + n - 1 under seed, each judged: a row for each
-- that fails (tag: its number, replay.mutant gives its bytes again; kind:
-- the problem with its numbers masked and its SQLSTATEs kept), then one row
-- tagged 'tally' (agg: how many were accepted, how: how many rejected).
CREATE FUNCTION replay.fuzz(seed bigint, first bigint, n int)
RETURNS TABLE (tag text, agg text, how text, problem text, kind text)
LANGUAGE plpgsql AS $$
DECLARE
    i bigint := first;
    m record;
    j record;
    nacc int := 0;
    nrej int := 0;
BEGIN
    WHILE i < first + n LOOP
        m := replay.mutant(seed, i);
        j := replay.judge(m.agg, m.x);
        problem := NULL;
        IF j.verdict = 'broken' THEN
            problem := j.detail;
        ELSIF j.verdict = 'rejected' AND NOT j.detail = ANY (replay.expected_sqlstates()) THEN
            problem := 'rejected with unexpected SQLSTATE ' || j.detail;
        END IF;
        IF j.verdict = 'accepted' THEN
            nacc := nacc + 1;
        ELSIF j.verdict = 'rejected' THEN
            nrej := nrej + 1;
        END IF;
        IF problem IS NOT NULL THEN
            tag := i::text;
            agg := m.agg;
            how := m.how;
            kind := regexp_replace(problem, '[0-9]+', 'N', 'g') || ' '
                || array_to_string(ARRAY(SELECT (regexp_matches(problem, '(?:SQLSTATE|ERROR) ([0-9A-Z]{5})', 'g'))[1]), ' ');
            RETURN NEXT;
        END IF;
        i := i + 1;
    END LOOP;
    tag := 'tally';
    agg := nacc::text;
    how := nrej::text;
    problem := NULL;
    kind := NULL;
    RETURN NEXT;
END $$;
