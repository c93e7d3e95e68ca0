-- test/fuzz/cases.sql: the cases of the state replay, built at test time
-- on the server under test (after replay.sql), so that every OID in them
-- (key types, collations) is that server's.  Good states come from rows,
-- through the extension's own transition and serialize functions; bad
-- ones are good ones with one field broken (replay.put32 and friends aim at
-- a field by name: see replay.layout).  Each case is one test; see
-- README.md for what is checked.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET search_path = replay, :"ext", pg_catalog;

CREATE DOMAIN replay.dom AS int4;
CREATE COLLATION replay.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- cp_active_entitlements rows (k, w, s, n, t, d) for two tenants k1 and k2:
-- k1 has Exchange 10 + 20 (SKU-A, SKU-B; an older SKU-A row is replaced)
-- and SharePoint 15, so 30; k2 Exchange 7 and Yammer 3, so 7; trial and
-- ineligible rows are skipped.  37 in all.
CREATE FUNCTION replay.ent_rows(k1 text, k2 text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT format($q$
    SELECT * FROM (VALUES
        (%1$s, 'Exchange Online', 'SKU-A', 10, false, date '2024-03-01'),
        (%1$s, 'EXO', 'SKU-B', 20, false, date '2024-03-01'),
        (%1$s, 'SharePoint', 'SKU-A', 15, false, date '2024-03-02'),
        (%1$s, 'EXO', 'SKU-A', 8, false, date '2024-02-01'),
        (%2$s, 'EXO', 'SKU-A', 7, false, date '2024-03-03'),
        (%2$s, 'Yammer', 'SKU-C', 3, false, date '2024-03-03'),
        (%2$s, 'Teams', 'SKU-A', 99, false, date '2024-03-03'),
        (%2$s, 'EXO', 'SKU-A', 50, true, date '2024-03-04')) v$q$, k1, k2)
$$;

-- cp_qualified_individuals rows (k, c) for four persons: k1 both exams,
-- k2 the certification, k3 one exam, k4 nothing the rules know.  2 qualify.
CREATE FUNCTION replay.ind_rows(k1 text, k2 text, k3 text, k4 text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT format($q$
    SELECT * FROM (VALUES (%1$s, '70-346'), (%1$s, 'Exam 70-347'), (%2$s, 'MCSA: Office 365'),
                          (%3$s, '70-346'), (%3$s, '70-346'), (%4$s, 'AZ-900')) v$q$, k1, k2, k3, k4)
$$;

-------------------------------------------------------------------------------
-- Good states: each must be accepted, keep its final (what the extension's
-- own aggregate gives over the rows) through a round trip, and keep it when
-- combined with itself or an empty state.
-------------------------------------------------------------------------------

SELECT replay.good('good-ent-int4', 'ent', replay.ent_rows('1', '2'));
SELECT replay.good('good-ent-int8', 'ent', replay.ent_rows('10000000000', '-1::int8'));
SELECT replay.good('good-ent-uuid', 'ent',
    replay.ent_rows($$'6f2c1b8e-0d4a-4e59-9a34-2b7d1c0e5f11'::uuid$$, $$'00000000-0000-0000-0000-000000000000'::uuid$$));
SELECT replay.good('good-ent-text', 'ent', replay.ent_rows($$'contoso'$$, $$'日本 Ltd.'$$));
SELECT replay.good('good-ent-text-c', 'ent', replay.ent_rows($$'contoso' COLLATE "C"$$, $$'Contoso' COLLATE "C"$$));
SELECT replay.good('good-ent-text-posix', 'ent', replay.ent_rows($$'contoso' COLLATE "POSIX"$$, $$'fabrikam' COLLATE "POSIX"$$));
-- under the case-insensitive collation, Contoso and CONTOSO are one tenant
SELECT replay.good('good-ent-text-ci', 'ent',
    replay.ent_rows($$'Contoso' COLLATE replay.ci$$, $$'fabrikam' COLLATE replay.ci$$)
    || $$ UNION ALL SELECT 'CONTOSO' COLLATE replay.ci, 'Yammer', 'SKU-D', 40, false, date '2024-03-05'$$);
-- 2 and 2.00 are one tenant
SELECT replay.good('good-ent-numeric', 'ent',
    replay.ent_rows('2::numeric', '1e20::numeric')
    || $$ UNION ALL SELECT 2.00, 'Yammer', 'SKU-D', 40, false, date '2024-03-05'$$);
-- keys of a domain over int4 travel as int4
SELECT replay.good('good-ent-domain', 'ent', replay.ent_rows('1::replay.dom', '2::replay.dom'));
-- 97 tenants of 40 (workload, SKU) slots each
SELECT replay.good('good-ent-many', 'ent', $$
    SELECT g % 97, (ARRAY['EXO', 'SPO', 'SfB', 'YAM', 'ProPlus'])[1 + g % 5], 'SKU-' || g % 40,
           g % 1000, g % 17 = 0, date '2024-01-01' + g % 30
    FROM generate_series(1, 20000) g$$);
SELECT replay.good('good-ent-infinite-dates', 'ent', $$
    SELECT * FROM (VALUES (1, 'EXO', 'SKU-A', 5, false, date 'infinity'),
                          (1, 'EXO', 'SKU-A', 9, false, date '-infinity'),
                          (2, 'SPO', 'SKU-A', 4, false, date '-infinity')) v$$);
-- the final overflows bigint: 22003 from the final, never from deserialize
SELECT replay.good('good-ent-final-overflows', 'ent', $$
    SELECT g, 'EXO', 'SKU-A', 4611686018427387904, false, date '2024-03-01'
    FROM generate_series(1, 3) g$$);
SELECT replay.good('good-ent-zero-users', 'ent', replay.ent_rows('1', '2') || ' UNION ALL SELECT 3, $$EXO$$, $$SKU-A$$, 0, false, date $$2024-03-01$$');
-- a key and a SKU longer than a short varlena header holds
SELECT replay.good('good-ent-long-key', 'ent', replay.ent_rows($$repeat('k', 3000)$$, $$repeat('sku', 100)$$));
-- reproducer: an empty SKU string interned first by the reading call site
-- (the reader once copied it from a NULL pointer)
SELECT replay.good('good-ent-empty-sku-first', 'ent', $$
    SELECT * FROM (VALUES (1, 'EXO', '', 5, false, date '2024-03-01'),
                          (2, 'EXO', '', 6, false, date '2024-03-01')) v$$);
-- keys of a type without binary send/receive travel in their text form
-- (fails until the extension does so)
SELECT replay.good('good-ent-aclitem', 'ent',
    replay.ent_rows($$'postgres=r/postgres'::aclitem$$, $$'postgres=w/postgres'::aclitem$$));
-- a state's bytes must not depend on the client's encoding: a parallel
-- query serializes every group of text keys (fails while keys go through
-- textsend, which converts to the client encoding)
CREATE FUNCTION replay.state_in_latin1() RETURNS bytea
LANGUAGE sql SET client_encoding = 'LATIN1' SET search_path FROM CURRENT AS $$
    SELECT replay.state_entitlements(k, 'EXO', 'SKU-A', 1, false, date '2024-03-01')
    FROM (VALUES ('日本'), ('été')) v(k)
$$;
SELECT replay.add('good-ent-text-client-latin1', 'ent', 'good', 'SELECT replay.state_in_latin1()');
-- two states from another call site merged
SELECT replay.good('good-ent-int4-other', 'ent', replay.ent_rows('2', '3'));
SELECT replay.add('good-ent-merged', 'ent', 'good',
    $$SELECT (replay.reserialize('ent', ARRAY[replay.input('good-ent-int4'), replay.input('good-ent-int4-other')])).bytes$$);

SELECT replay.good('good-ind-int4', 'ind', replay.ind_rows('1', '2', '3', '4'));
SELECT replay.good('good-ind-int8', 'ind', replay.ind_rows('10000000000', '-1::int8', '0::int8', '4::int8'));
SELECT replay.good('good-ind-uuid', 'ind',
    replay.ind_rows($$'6f2c1b8e-0d4a-4e59-9a34-2b7d1c0e5f11'::uuid$$, $$'00000000-0000-0000-0000-000000000000'::uuid$$,
                    $$'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid$$, $$'6f2c1b8e-0d4a-4e59-9a34-2b7d1c0e5f12'::uuid$$));
SELECT replay.good('good-ind-text', 'ind', replay.ind_rows($$'Ann'$$, $$'ann'$$, $$'Åsa'$$, $$''$$));
SELECT replay.good('good-ind-text-c', 'ind', replay.ind_rows($$'Ann' COLLATE "C"$$, $$'ann'$$, $$'Bo'$$, $$'Cy'$$));
-- under the case-insensitive collation, Ann and ANN are one person
SELECT replay.good('good-ind-text-ci', 'ind',
    replay.ind_rows($$'Ann' COLLATE replay.ci$$, $$'Bo'$$, $$'Cy'$$, $$'Di'$$)
    || $$ UNION ALL SELECT 'ANN' COLLATE replay.ci, '70-347' UNION ALL SELECT 'cy', '70-347'$$);
SELECT replay.good('good-ind-numeric', 'ind', replay.ind_rows('2::numeric', '2.00', '-0.5', '1e-20'));
SELECT replay.good('good-ind-domain', 'ind', replay.ind_rows('1::replay.dom', '2::replay.dom', '3::replay.dom', '4::replay.dom'));
SELECT replay.good('good-ind-many', 'ind', $$
    SELECT g % 3000, (ARRAY['70-346', '70-347', 'MCSA: Office 365', 'other'])[1 + g % 4]
    FROM generate_series(1, 10000) g$$);
SELECT replay.good('good-ind-long-key', 'ind', replay.ind_rows($$repeat('p', 3000)$$, $$'x'$$, $$'y'$$, $$'z'$$));
SELECT replay.good('good-ind-aclitem', 'ind',
    replay.ind_rows($$'postgres=r/postgres'::aclitem$$, $$'postgres=w/postgres'::aclitem$$,
                    $$'postgres=a/postgres'::aclitem$$, $$'postgres=d/postgres'::aclitem$$));

-------------------------------------------------------------------------------
-- Bad states: deserialize must refuse each with 22P03, the SQLSTATE of a
-- malformed state, unless said otherwise.
-------------------------------------------------------------------------------

-- truncated before, and inside, every field (the reader checks counts
-- against the bytes left first, so a cut in the first tenant or person
-- meets that check, and a cut in the last one the field's own)
SELECT replay.add(format('bad-%s-trunc-%s-%s', c.agg, w.at, l.field), c.agg, '22P03',
                  format('SELECT replay.cut(replay.input(%L), %L, %L, %s)', c.name, c.agg, l.field, w.inside))
FROM (VALUES ('good-ent-int4', 'ent'), ('good-ind-int4', 'ind')) c(name, agg),
     replay.layout(replay.input(c.name), c.agg) l,
     LATERAL (VALUES ('before', 0), ('inside', l.len / 2)) w(at, inside)
WHERE w.at = 'before' OR l.len > 1;
SELECT replay.add('bad-ent-trunc-last-byte', 'ent', '22P03',
    $$SELECT substr(x, 1, length(x) - 1) FROM replay.input('good-ent-int4') x$$);
SELECT replay.add('bad-ind-trunc-last-byte', 'ind', '22P03',
    $$SELECT substr(x, 1, length(x) - 1) FROM replay.input('good-ind-int4') x$$);
SELECT replay.add('bad-ent-trunc-inside-text-key', 'ent', '22P03',
    $$SELECT replay.cut(replay.input('good-ent-text'), 'ent', 'tenant[0].key', 2)$$);
SELECT replay.add('bad-ent-trunc-inside-uuid-key', 'ent', '22P03',
    $$SELECT replay.cut(replay.input('good-ent-uuid'), 'ent', 'tenant[0].key', 8)$$);
SELECT replay.add('bad-ind-trunc-inside-text-key', 'ind', '22P03',
    $$SELECT replay.cut(replay.input('good-ind-text'), 'ind', 'person[0].key', 2)$$);
SELECT replay.add('bad-ent-empty', 'ent', '22P03', $$SELECT ''::bytea$$);
SELECT replay.add('bad-ind-empty', 'ind', '22P03', $$SELECT ''::bytea$$);

-- The fields common to both formats, in both.  Key types: none, one that
-- does not exist, a domain (states name base types), a type that cannot be
-- hashed, bigint with 4-byte keys, an array type whose receive function
-- wants more bytes than the key has, a type whose receive function refuses
-- every value.  Collations: one that does not exist,
-- one on a type that takes none, none on text.
SELECT replay.add(format('bad-%s-%s', a.agg, b.what), a.agg, '22P03',
                  format('SELECT replay.%s(replay.input(%L), %L, %L, %s)', b.fn, 'good-' || a.agg || '-' || b.base, a.agg, b.field, b.v))
FROM (VALUES ('ent'), ('ind')) a(agg),
     (VALUES ('version-0', 'put8', 'int4', 'version', '0'),
             ('version-3', 'put8', 'int4', 'version', '3'),
             ('version-255', 'put8', 'int4', 'version', '255'),
             ('keytype-0', 'put32', 'int4', 'keytype', '0'),
             ('keytype-unknown', 'put32', 'int4', 'keytype', '999999'),
             ('keytype-negative', 'put32', 'int4', 'keytype', '-1'),
             ('keytype-domain', 'put32', 'int4', 'keytype', $$'replay.dom'::regtype::oid::bigint$$),
             ('keytype-not-hashable', 'put32', 'int4', 'keytype', $$'point'::regtype::oid::bigint$$),
             ('keytype-int8-4-byte-keys', 'put32', 'int4', 'keytype', $$'int8'::regtype::oid::bigint$$),
             ('keytype-int4-array', 'put32', 'int4', 'keytype', $$'int4[]'::regtype::oid::bigint$$),
             ('keytype-refuses-binary-input', 'put32', 'text', 'keytype', $$'pg_node_tree'::regtype::oid::bigint$$),
             ('collation-unknown', 'put32', 'text', 'collation', '999999'),
             ('collation-on-int4', 'put32', 'int4', 'collation', $$'default'::regcollation::oid::bigint$$),
             ('ci-collation-on-int4', 'put32', 'int4', 'collation', $$'replay.ci'::regcollation::oid::bigint$$),
             ('text-without-collation', 'put32', 'text', 'collation', '0')) b(what, fn, base, field, v);

-- the other aggregate's version: cp_active_entitlements writes version 2
-- (tenants in order), and reads no version 1 state
SELECT replay.add('bad-ent-version-1', 'ent', '22P03',
                  $$SELECT replay.put8(replay.input('good-ent-int4'), 'ent', 'version', 1)$$);
SELECT replay.add('bad-ind-version-2', 'ind', '22P03',
                  $$SELECT replay.put8(replay.input('good-ind-int4'), 'ind', 'version', 2)$$);

-- a text key whose bytes are not valid UTF-8 (the key type's receive
-- function refuses it; the state is malformed all the same)
SELECT replay.add(format('bad-%s-text-key-invalid-utf8', a.agg), a.agg, '22P03',
                  format($$SELECT replay.put(x, %L, %L, '\xff') FROM replay.input(%L) x$$,
                         a.agg, a.p || '[0].key', 'good-' || a.agg || '-text'))
FROM (VALUES ('ent', 'tenant'), ('ind', 'person')) a(agg, p);

-- keys of the wrong length for their type, or lengths that do not fit
SELECT replay.add(format('bad-%s-%s', a.agg, b.what), a.agg, '22P03',
                  format('SELECT replay.put32(replay.input(%L), %L, %L, %s)',
                         'good-' || a.agg || '-' || b.base, a.agg,
                         CASE a.agg WHEN 'ent' THEN 'tenant[0].keylen' ELSE 'person[0].keylen' END, b.v))
FROM (VALUES ('ent'), ('ind')) a(agg),
     (VALUES ('int4-key-0-bytes', 'int4', '0'),
             ('int4-key-3-bytes', 'int4', '3'),
             ('int4-key-5-bytes', 'int4', '5'),
             ('int4-key-8-bytes', 'int4', '8'),
             ('int8-key-4-bytes', 'int8', '4'),
             ('int8-key-7-bytes', 'int8', '7'),
             ('uuid-key-15-bytes', 'uuid', '15'),
             ('uuid-key-17-bytes', 'uuid', '17'),
             ('key-length-negative', 'int4', '-1'),
             ('key-length-int32-min', 'int4', '-2147483648'),
             -- reproducer: INT32_MAX once overflowed the reader's pre-count
             ('key-length-int32-max', 'int4', '2147483647'),
             ('text-key-length-past-end', 'text', '1000')) b(what, base, v);

-- counts: negative, huge, one more or one less than the state holds, none
SELECT replay.add(format('bad-%s-%s-%s', a.agg, a.field, b.what), a.agg, '22P03',
                  format('SELECT replay.put32(x, %L, %L, %s) FROM replay.input(%L) x', a.agg, a.field,
                         replace(b.v, 'OLD', format('replay.i32(x, (replay.pos(x, %L, %L)).off)', a.agg, a.field)),
                         'good-' || a.agg || '-int4'))
FROM (VALUES ('ent', 'nskus'), ('ent', 'ntenants'), ('ent', 'tenant[0].nslots'), ('ind', 'npersons')) a(agg, field),
     (VALUES ('negative', '-1'),
             ('int32-min', '-2147483648'),
             ('int32-max', '2147483647'),
             ('one-too-many', 'OLD + 1'),
             ('one-too-few', 'OLD - 1'),
             ('zero', '0')) b(what, v);

-- entitlements: SKU strings
SELECT replay.add('bad-ent-sku-length-negative', 'ent', '22P03',
    $$SELECT replay.put32(replay.input('good-ent-int4'), 'ent', 'sku[0].len', -1)$$);
SELECT replay.add('bad-ent-sku-length-int32-max', 'ent', '22P03',
    $$SELECT replay.put32(replay.input('good-ent-int4'), 'ent', 'sku[0].len', 2147483647)$$);
SELECT replay.add('bad-ent-sku-length-past-end', 'ent', '22P03',
    $$SELECT replay.put32(x, 'ent', 'sku[2].len', length(x) - (replay.pos(x, 'ent', 'sku[2]')).off + 1)
      FROM replay.input('good-ent-int4') x$$);
SELECT replay.add('bad-ent-sku-string-twice', 'ent', '22P03',
    $$SELECT replay.put(x, 'ent', 'sku[1]', replay.get(x, 'ent', 'sku[0]')) FROM replay.input('good-ent-int4') x$$);
SELECT replay.add('bad-ent-empty-sku-string-twice', 'ent', '22P03',
    $$SELECT replay.put32(replay.ins(x, 'ent', 'ntenants', '\x00000000'), 'ent', 'nskus', 2)
      FROM replay.input('good-ent-empty-sku-first') x$$);

-- entitlements: a measurement's fields
SELECT replay.add(format('bad-ent-%s', b.what), 'ent', '22P03',
                  format('SELECT replay.%s(replay.input(%L), %L, %L, %s)', b.fn, 'good-ent-int4', 'ent',
                         'tenant[0].slot[1].' || b.field, b.v))
FROM (VALUES ('sku-number-negative', 'put32', 'sku', '-1'),
             ('sku-number-equals-nskus', 'put32', 'sku', '3'),
             ('sku-number-int32-max', 'put32', 'sku', '2147483647'),
             ('workload-5', 'put8', 'workload', '5'),
             ('workload-255', 'put8', 'workload', '255'),
             ('date-before-range', 'put32', 'date', '-2451546'),
             ('date-after-range', 'put32', 'date', '2145031949'),
             ('date-int32-max-minus-1', 'put32', 'date', '2147483646'),
             ('date-int32-min-plus-1', 'put32', 'date', '-2147483647'),
             ('count-negative', 'put64', 'count', '-1'),
             ('count-int64-min', 'put64', 'count', '-9223372036854775808')) b(what, fn, field, v);

-- entitlements: repeats a real state never holds
SELECT replay.add('bad-ent-workload-sku-twice', 'ent', '22P03', $$
    SELECT replay.put(x, 'ent', 'tenant[0].slot[1].workload', replay.get(x, 'ent', 'tenant[0].slot[0].workload')
                                                              || replay.get(x, 'ent', 'tenant[0].slot[0].sku'))
    FROM replay.input('good-ent-int4') x$$);
-- past 16 slots the reader looks for repeats another way
SELECT replay.add('bad-ent-workload-sku-twice-of-40', 'ent', '22P03', $$
    SELECT replay.put(x, 'ent', 'tenant[0].slot[30].workload', replay.get(x, 'ent', 'tenant[0].slot[3].workload')
                                                               || replay.get(x, 'ent', 'tenant[0].slot[3].sku'))
    FROM replay.input('good-ent-many') x$$);

-- a key twice: the same bytes, or bytes that differ but are equal under the
-- key type's equality (case under the nondeterministic collation, scale of
-- a numeric); FIRST stands for the first key's bytes
CREATE FUNCTION replay.second_key(x bytea, agg text, key bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT replay.put32(replay.swap(x, agg, p || '[1].key', key), agg, p || '[1].keylen', length(key))
    FROM (SELECT CASE agg WHEN 'ent' THEN 'tenant' ELSE 'person' END) v(p)
$$;
CREATE FUNCTION replay.other_case(k bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(CASE WHEN upper(t) <> t THEN upper(t) ELSE lower(t) END, 'UTF8')
    FROM convert_from(k, 'UTF8') t
$$;
-- numeric's send format: ndigits, weight, sign, dscale (int16 each), digits
CREATE FUNCTION replay.more_scale(k bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT overlay(k PLACING int2send((get_byte(k, 6) * 256 + get_byte(k, 7) + 2)::int2) FROM 7)
$$;
SELECT replay.add(format('bad-%s-%s-%s-twice', a.agg, a.p, b.what), a.agg, '22P03',
                  format('SELECT replay.second_key(x, %L, %s) FROM replay.input(%L) x', a.agg,
                         replace(b.key, 'FIRST', format('replay.get(x, %L, %L)', a.agg, a.p || '[0].key')),
                         'good-' || a.agg || '-' || b.base))
FROM (VALUES ('ent', 'tenant'), ('ind', 'person')) a(agg, p),
     (VALUES ('int4', 'int4', 'FIRST'),
             ('int8', 'int8', 'FIRST'),
             ('uuid', 'uuid', 'FIRST'),
             ('text', 'text', 'FIRST'),
             ('text-equal-in-ci', 'text-ci', 'replay.other_case(FIRST)'),
             ('numeric-equal', 'numeric', 'replay.more_scale(FIRST)')) b(what, base, key);

-- individuals: credential bits none, or beyond the three the rules know
SELECT replay.add(format('bad-ind-credentials-%s', v), 'ind', '22P03',
                  format($$SELECT replay.put8(replay.input('good-ind-int4'), 'ind', 'person[0].creds', %s)$$, v))
FROM unnest(ARRAY[0, 8, 9, 128, 255]) v;

-- trailing bytes; one aggregate's state handed to the other's reader
SELECT replay.add('bad-ent-trailing-byte', 'ent', '22P03', $$SELECT replay.input('good-ent-int4') || '\x00'::bytea$$);
SELECT replay.add('bad-ind-trailing-byte', 'ind', '22P03', $$SELECT replay.input('good-ind-int4') || '\x00'::bytea$$);
SELECT replay.add('bad-ent-two-states', 'ent', '22P03', $$SELECT x || x FROM replay.input('good-ent-int4') x$$);
SELECT replay.add('bad-ind-two-states', 'ind', '22P03', $$SELECT x || x FROM replay.input('good-ind-int4') x$$);
SELECT replay.add('bad-ent-individuals-state', 'ent', '22P03', $$SELECT replay.input('good-ind-int4')$$);
SELECT replay.add('bad-ent-individuals-text-state', 'ent', '22P03', $$SELECT replay.input('good-ind-text')$$);
SELECT replay.add('bad-ind-entitlements-state', 'ind', '22P03', $$SELECT replay.input('good-ent-int4')$$);
SELECT replay.add('bad-ind-entitlements-text-state', 'ind', '22P03', $$SELECT replay.input('good-ent-text')$$);

-- Combining states whose keys differ in type: 42804 (datatype mismatch);
-- or in collation: 42P21 (collation mismatch).  Each state alone is good.
SELECT replay.add_many('bad-ent-combine-int4-int8', 'ent', '42804',
    $$SELECT ARRAY[replay.input('good-ent-int4'), replay.input('good-ent-int8')]$$);
SELECT replay.add_many('bad-ent-combine-uuid-text', 'ent', '42804',
    $$SELECT ARRAY[replay.input('good-ent-uuid'), replay.input('good-ent-text')]$$);
SELECT replay.add_many('bad-ind-combine-int4-int8', 'ind', '42804',
    $$SELECT ARRAY[replay.input('good-ind-int4'), replay.input('good-ind-int8')]$$);
SELECT replay.add_many('bad-ent-combine-collations-default-c', 'ent', '42P21',
    $$SELECT ARRAY[replay.input('good-ent-text'), replay.input('good-ent-text-c')]$$);
SELECT replay.add_many('bad-ind-combine-collations-c-ci', 'ind', '42P21',
    $$SELECT ARRAY[replay.input('good-ind-text-c'), replay.input('good-ind-text-ci')]$$);

-------------------------------------------------------------------------------
-- The forms with rule_set: states that carry their rule set's name (and
-- the problem of a set that cannot be evaluated), workloads by the set's
-- index and credentials as 64-bit masks.  Two drafts of the test's own
-- (never in force: no evaluation or flagging follows their writes;
-- replay.sh deletes them): replay-wide, the built-in set's workloads and
-- paths, 40 more workloads (their indexes past what 3 bits hold) and 5
-- more paths of 2 credentials each; replay-incomplete, without thresholds
-- or paths.  No set is named replay-nope.
-------------------------------------------------------------------------------

DELETE FROM cp_rule_set WHERE rule_set IN ('replay-wide', 'replay-incomplete');
INSERT INTO cp_rule_set (rule_set, effective_from, description)
VALUES ('replay-wide', NULL, 'test/fuzz: the built-in rules and more'),
       ('replay-incomplete', NULL, 'test/fuzz: incomplete');
INSERT INTO cp_rule_threshold (rule_set, level, market, min_entitlements, min_individuals)
SELECT 'replay-wide', l::competency_level, m::cp_market, e, i
FROM (VALUES ('silver', 'developed', 2000, 1), ('silver', 'developing', 1000, 1),
             ('gold', 'developed', 4000, 2), ('gold', 'developing', 4000, 2)) v(l, m, e, i);
INSERT INTO cp_rule_workload (rule_set, workload, spelling)
SELECT 'replay-wide', w, s
FROM (VALUES ('exchange_online', 'Exchange Online'), ('exchange_online', 'Exchange'), ('exchange_online', 'EXO'),
             ('sharepoint_online', 'SharePoint Online'), ('sharepoint_online', 'SharePoint'), ('sharepoint_online', 'SPO'),
             ('skype_for_business', 'Skype for Business'), ('skype_for_business', 'Skype for Business Online'),
             ('skype_for_business', 'SfB'), ('yammer', 'Yammer'), ('yammer', 'YAM'), ('proplus', 'ProPlus'),
             ('proplus', 'Office 365 ProPlus')) v(w, s)
UNION ALL
SELECT 'replay-wide', 'extra_' || g, s || g FROM generate_series(1, 40) g, unnest(ARRAY['Extra ', 'XW']) s;
INSERT INTO cp_rule_credential (rule_set, path, credential)
VALUES ('replay-wide', 1, '70-346'), ('replay-wide', 1, '70-347'), ('replay-wide', 2, 'MCSA: Office 365');
INSERT INTO cp_rule_credential (rule_set, path, credential)
SELECT 'replay-wide', p, 'EX-' || p || '-' || s FROM generate_series(3, 7) p, unnest(ARRAY['a', 'b']) s;
INSERT INTO cp_rule_association (rule_set, kind)
SELECT 'replay-wide', k FROM unnest(enum_range(NULL::cp_association_kind)) k;
INSERT INTO cp_rule_workload (rule_set, workload, spelling) VALUES ('replay-incomplete', 'a', 'A');

-- ent_rows with the rule set rs, and rows of replay-wide's workloads: k1
-- also has extra_7 60 and extra_33 5, so 60; k2 extra_40 1, so 7.  67 under
-- replay-wide, 37 under 2017-07.
CREATE FUNCTION replay.ent_rows_rs(k1 text, k2 text, rs text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT format($q$
    SELECT q.*, %3$L::text FROM (%4$s UNION ALL SELECT * FROM (VALUES
        (%1$s, 'Extra 7', 'SKU-A', 60, false, date '2024-03-01'),
        (%1$s, 'XW33', 'SKU-E', 5, false, date '2024-03-01'),
        (%2$s, 'xw 40', 'SKU-A', 1, false, date '2024-03-02')) e) q$q$, k1, k2, rs, replay.ent_rows(k1, k2))
$$;

-- ind_rows with the rule set rs, and credentials of replay-wide's paths:
-- k3 also holds EX-7-a (one of its path's two), k4 both of EX-3's.  3
-- qualify under replay-wide, 2 under 2017-07.
CREATE FUNCTION replay.ind_rows_rs(k1 text, k2 text, k3 text, k4 text, rs text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT format($q$
    SELECT q.*, %5$L::text FROM (%6$s UNION ALL SELECT * FROM (VALUES
        (%3$s, 'EX-7-a'), (%4$s, 'ex 3 a'), (%4$s, 'Exam EX-3-b')) e) q$q$,
    k1, k2, k3, k4, rs, replay.ind_rows(k1, k2, k3, k4))
$$;

-- Good states of the forms with rule_set.
SELECT replay.good('good-ent-rs-builtin', 'ent', replay.ent_rows_rs('1', '2', '2017-07'), true);
SELECT replay.good('good-ent-rs-wide', 'ent', replay.ent_rows_rs('1', '2', 'replay-wide'), true);
SELECT replay.good('good-ent-rs-wide-text', 'ent', replay.ent_rows_rs($$'contoso'$$, $$'日本 Ltd.'$$, 'replay-wide'), true);
SELECT replay.good('good-ent-rs-wide-uuid', 'ent',
    replay.ent_rows_rs($$'6f2c1b8e-0d4a-4e59-9a34-2b7d1c0e5f11'::uuid$$, $$'00000000-0000-0000-0000-000000000000'::uuid$$,
                       'replay-wide'), true);
-- rows without a rule set are skipped
SELECT replay.good('good-ent-rs-null-rows', 'ent',
    replay.ent_rows_rs('1', '2', 'replay-wide')
    || $$ UNION ALL SELECT 3, 'EXO', 'SKU-A', 1000, false, date '2024-03-01', NULL$$, true);
-- 23 tenants over every one of replay-wide's 45 workloads
SELECT replay.good('good-ent-rs-many-workloads', 'ent', $$
    SELECT g % 23, (ARRAY['Extra ', 'XW'])[1 + g % 2] || (1 + g % 40), 'SKU-' || g % 7, g % 100, false,
           date '2024-01-01' + g % 20, 'replay-wide'
    FROM generate_series(1, 3000) g
    UNION ALL SELECT g, 'EXO', 'SKU-A', g, false, date '2024-01-01', 'replay-wide' FROM generate_series(1, 23) g$$, true);
-- the state of a set that cannot be evaluated carries its problem, which
-- its final raises (rows skipped for another reason name the set too)
SELECT replay.good('good-ent-rs-unknown', 'ent', replay.ent_rows_rs('1', '2', 'replay-nope'), true);
SELECT replay.good('good-ent-rs-incomplete', 'ent', $$
    SELECT 1, NULL::text, 'SKU-A', 1, false, date '2024-03-01', 'replay-incomplete'$$, true);

SELECT replay.good('good-ind-rs-builtin', 'ind', replay.ind_rows_rs('1', '2', '3', '4', '2017-07'), true);
SELECT replay.good('good-ind-rs-wide', 'ind', replay.ind_rows_rs('1', '2', '3', '4', 'replay-wide'), true);
SELECT replay.good('good-ind-rs-wide-text', 'ind', replay.ind_rows_rs($$'Ann'$$, $$'ann'$$, $$'Åsa'$$, $$''$$, 'replay-wide'), true);
SELECT replay.good('good-ind-rs-null-rows', 'ind',
    replay.ind_rows_rs('1', '2', '3', '4', 'replay-wide') || $$ UNION ALL SELECT 5, 'MCSA: Office 365', NULL$$, true);
-- 500 persons over replay-wide's 13 credentials (bits past a byte)
SELECT replay.good('good-ind-rs-many', 'ind', $$
    SELECT g % 500, (ARRAY['70-346', '70-347', 'MCSA: Office 365'] || ARRAY(SELECT 'EX-' || p || '-' || s
                                FROM generate_series(3, 7) p, unnest(ARRAY['a', 'b']) s))[1 + g % 13], 'replay-wide'
    FROM generate_series(1, 4000) g$$, true);
SELECT replay.good('good-ind-rs-unknown', 'ind', replay.ind_rows_rs('1', '2', '3', '4', 'replay-nope'), true);
SELECT replay.good('good-ind-rs-incomplete', 'ind', $$SELECT NULL::int, 'x', 'replay-incomplete'$$, true);

-- good as they are, though no rows made them: the highest workload index a
-- state may carry, and a credential mask of the 64th bit alone
SELECT replay.add('good-ent-rs-workload-63', 'ent', 'good',
    $$SELECT replay.put8(replay.input('good-ent-rs-wide'), 'ent', 'tenant[0].slot[1].workload', 63)$$);
SELECT replay.add('good-ind-rs-credential-bit-63', 'ind', 'good',
    $$SELECT replay.put64(replay.input('good-ind-rs-wide'), 'ind', 'person[0].creds', -9223372036854775808)$$);

-- Bad states of the forms with rule_set, 22P03 unless said otherwise:
-- truncated before and inside every field
SELECT replay.add(format('bad-%s-rs-%strunc-%s-%s', c.agg, c.tag, w.at, l.field), c.agg, '22P03',
                  format('SELECT replay.cut(replay.input(%L), %L, %L, %s)', c.name, c.agg, l.field, w.inside))
FROM (VALUES ('good-ent-rs-wide', 'ent', ''), ('good-ind-rs-wide', 'ind', ''),
             ('good-ent-rs-unknown', 'ent', 'problem-'), ('good-ind-rs-unknown', 'ind', 'problem-')) c(name, agg, tag),
     replay.layout(replay.input(c.name), c.agg) l,
     LATERAL (VALUES ('before', 0), ('inside', l.len / 2)) w(at, inside)
WHERE (w.at = 'before' OR l.len > 1) AND (c.tag = '' OR l.field !~ '^(tenant|person|sku)');

-- a state of one form read as the other, or as the other aggregate's
SELECT replay.add(format('bad-%s-%s', a.agg, b.what), a.agg, '22P03',
                  format('SELECT replay.put8(replay.input(%L), %L, %L, %s)',
                         replace(b.base, 'AGG', a.agg), a.agg, 'version',
                         replace(replace(b.v, 'OWN', a.own), 'OTHER', a.other)))
FROM (VALUES ('ent', '2', '1'), ('ind', '1', '2')) a(agg, own, other),
     (VALUES ('rs-as-plain', 'good-AGG-rs-wide', 'OWN'),
             ('plain-as-rs', 'good-AGG-int4', 'OWN + 128'),
             ('rs-version-of-other-aggregate', 'good-AGG-rs-wide', 'OTHER + 128'),
             ('rs-version-255', 'good-AGG-rs-wide', '255')) b(what, base, v);

-- the rule set's fields: its name's length, its bytes, the problem, its message
SELECT replay.add(format('bad-%s-rs-%s', a.agg, b.what), a.agg, '22P03',
                  format('SELECT replay.%s(x, %L, %L, %s) FROM replay.input(%L) x', b.fn, a.agg, b.field,
                         replace(b.v, 'OLD', format('replay.i32(x, (replay.pos(x, %L, %L)).off)', a.agg, b.field)),
                         replace(b.base, 'AGG', a.agg)))
FROM (VALUES ('ent'), ('ind')) a(agg),
     (VALUES ('name-length-negative', 'put32', 'rule_set.len', '-1', 'good-AGG-rs-wide'),
             ('name-length-int32-min', 'put32', 'rule_set.len', '-2147483648', 'good-AGG-rs-wide'),
             ('name-length-int32-max', 'put32', 'rule_set.len', '2147483647', 'good-AGG-rs-wide'),
             ('name-length-past-end', 'put32', 'rule_set.len', 'length(x) - 12', 'good-AGG-rs-wide'),
             ('name-invalid-utf8', 'put', 'rule_set', $$'\xff'::bytea$$, 'good-AGG-rs-wide'),
             ('name-zero-byte', 'put', 'rule_set', $$'\x00'::bytea$$, 'good-AGG-rs-wide'),
             ('problem-4', 'put8', 'problem', '4', 'good-AGG-rs-unknown'),
             ('problem-255', 'put8', 'problem', '255', 'good-AGG-rs-unknown'),
             ('message-length-negative', 'put32', 'message.len', '-1', 'good-AGG-rs-unknown'),
             ('message-length-past-end', 'put32', 'message.len', 'OLD + 1', 'good-AGG-rs-unknown'),
             ('message-invalid-utf8', 'put', 'message', $$'\xff'::bytea$$, 'good-AGG-rs-unknown')) b(what, fn, field, v, base);
-- a set that cannot be evaluated, with measurements or persons
SELECT replay.add(format('bad-%s-rs-problem-with-%s', a.agg, a.what), a.agg, '22P03',
    format($$SELECT replay.put8(replay.ins(x, %L, %L, int4send(3) || 'abc'::bytea), %L, 'problem', 2)
             FROM replay.input(%L) x$$, a.agg, a.count, a.agg, 'good-' || a.agg || '-rs-wide'))
FROM (VALUES ('ent', 'nskus', 'measurements'), ('ind', 'npersons', 'persons')) a(agg, count, what);
-- a workload past the limit; a person with no credential
SELECT replay.add(format('bad-ent-rs-workload-%s', v), 'ent', '22P03',
                  format($$SELECT replay.put8(replay.input('good-ent-rs-wide'), 'ent', 'tenant[0].slot[1].workload', %s)$$, v))
FROM unnest(ARRAY[64, 128, 255]) v;
SELECT replay.add('bad-ind-rs-credentials-0', 'ind', '22P03',
    $$SELECT replay.put64(replay.input('good-ind-rs-wide'), 'ind', 'person[0].creds', 0)$$);
SELECT replay.add('bad-ind-rs-credentials-past-end', 'ind', '22P03',
    $$SELECT substr(x, 1, length(x) - 4) FROM replay.input('good-ind-rs-wide') x$$);

-- Combining states of the two forms, or of two rule sets: 22023.  Each
-- state alone is good, and their keys are of one type.
SELECT replay.add_many(format('bad-%s-combine-%s', a.agg, b.what), a.agg, '22023',
                       format('SELECT ARRAY[replay.input(%L), replay.input(%L)]',
                              replace(b.l, 'AGG', a.agg), replace(b.r, 'AGG', a.agg)))
FROM (VALUES ('ent'), ('ind')) a(agg),
     (VALUES ('rs-and-plain', 'good-AGG-rs-wide', 'good-AGG-int4'),
             ('plain-and-rs', 'good-AGG-int4', 'good-AGG-rs-wide'),
             ('two-rule-sets', 'good-AGG-rs-builtin', 'good-AGG-rs-wide'),
             ('problem-and-other-rule-set', 'good-AGG-rs-unknown', 'good-AGG-rs-wide')) b(what, l, r);
