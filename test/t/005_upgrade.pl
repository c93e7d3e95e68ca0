# Upgrades: install the oldest version, put data in, walk ALTER EXTENSION
# competency UPDATE to the newest, and compare the catalog -- functions,
# aggregates, tables, columns, constraints, indexes, triggers, views, types,
# comments, privileges, dump registration -- with a fresh install.  The data
# survive the upgrade and the new version's functions work on them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my @versions = split /\n/, $node->safe_psql('postgres', q{
	SELECT version FROM pg_available_extension_versions WHERE name = 'competency'
	ORDER BY string_to_array(version, '.')::int[]});
my $default = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'competency'});
my $oldest = $versions[0];
ok(@versions >= 2, "versions available: @versions; default $default");

$node->safe_psql('postgres', 'CREATE DATABASE walked');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('walked', qq{
	CREATE SCHEMA comp;
	CREATE EXTENSION competency SCHEMA comp VERSION '$oldest';
	SET search_path = comp;
	INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
	INSERT INTO cp_association VALUES (1, md5('t1')::uuid, 'delegated_admin', current_date - 10, NULL);
	INSERT INTO cp_person VALUES (1, 1, 'Ann');
	INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', current_date - 10, NULL);
	INSERT INTO cp_usage VALUES (md5('t1')::uuid, 'EXO', 'E3', false, 2500, current_date - 1);
});
is($node->safe_psql('walked', 'SELECT level FROM comp.cp_partner_level'), 'silver',
	"flagged under $oldest");

$node->safe_psql('walked', 'ALTER EXTENSION competency UPDATE');
is($node->safe_psql('walked', q{SELECT extversion FROM pg_extension WHERE extname = 'competency'}),
	$default, "ALTER EXTENSION UPDATE reaches $default");
$node->safe_psql('fresh', q{CREATE SCHEMA comp; CREATE EXTENSION competency SCHEMA comp});

# Everything about the extension's objects, by name (OIDs differ).
my $catalog = q{
WITH members AS (
    SELECT d.classid, d.objid FROM pg_depend d
    JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
    WHERE d.deptype = 'e'
)
SELECT 'member ' || pg_describe_object(classid, objid, 0) || ' | '
       || coalesce(obj_description(objid, classid::regclass::name), '<no comment>')
FROM members
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' -> ' || pg_get_function_result(p.oid)
       || ' | ' || p.prokind::text || p.provolatile::text || p.proparallel::text || p.proisstrict::text
       || p.prosecdef::text || ' | ' || coalesce(array_to_string(p.proconfig, ','), '')
       || ' | ' || md5(p.prosrc) || ' | ' || coalesce(p.probin, '') || ' | '
       || coalesce(p.proacl::text, '<default acl>') || ' | ' || p.procost || ' ' || p.prorows
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn || ' ' || a.aggfinalfn
       || ' ' || a.aggcombinefn || ' ' || a.aggserialfn || ' ' || a.aggdeserialfn || ' '
       || a.aggtranstype::regtype || ' ' || a.aggtransspace || ' ' || a.aggfinalmodify::text
FROM pg_aggregate a JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
UNION ALL
SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' | ' || coalesce(c.relacl::text, '<default acl>')
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
       || ' | ' || coalesce(col_description(c.oid, a.attnum), '<no comment>')
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
WHERE c.relkind IN ('r', 'v')
UNION ALL
SELECT 'constraint ' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = i.indrelid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid
WHERE NOT t.tgisinternal
UNION ALL
SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
WHERE c.relkind = 'v'
UNION ALL
SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
UNION ALL
SELECT 'dumped ' || string_agg(c.relname || coalesce(' where ' || cond, ''), ', ' ORDER BY c.relname)
FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS u(cfg, cond)
JOIN pg_class c ON c.oid = u.cfg
WHERE x.extname = 'competency'
ORDER BY 1
};
my $walked = $node->safe_psql('walked', $catalog);
my $fresh = $node->safe_psql('fresh', $catalog);
my $lines = () = $fresh =~ /\n/g;
ok($lines > 150, "the catalog description is substantial ($lines lines)");
is($walked, $fresh, "the catalog after walking $oldest -> $default equals a fresh install");
unlike($fresh, qr/<no comment>/, 'every member and column has a comment');

# The data survived, and the new version's functions work on them.
is($node->safe_psql('walked', q{SELECT level FROM comp.cp_evaluate()}), 'silver', 'data survive the upgrade');
is($node->safe_psql('walked', q{SELECT count(*) FILTER (WHERE counted) FROM comp.cp_explain(1)}), '1',
	'cp_explain works on data from before the upgrade');
$node->safe_psql('walked', q{
	INSERT INTO comp.cp_usage VALUES (md5('t1')::uuid, 'SPO', 'E5', false, 4500, current_date);
	INSERT INTO comp.cp_person VALUES (2, 1, 'Bo');
	INSERT INTO comp.cp_credential VALUES (2, '70-346', current_date, NULL), (2, '70-347', current_date, NULL)});
is($node->safe_psql('walked', q{SELECT string_agg(old_level || '->' || new_level, ',' ORDER BY change_id) FROM comp.cp_level_change}),
	'none->silver,silver->gold', 'flagging goes on across the upgrade');

# A database can go down to nothing and back.
$node->safe_psql('walked', 'DROP EXTENSION competency CASCADE');
$node->safe_psql('walked', 'CREATE EXTENSION competency SCHEMA comp');
is($node->safe_psql('walked', $catalog), $fresh, 'DROP EXTENSION CASCADE then CREATE EXTENSION gives a fresh install');

$node->stop;
done_testing();
