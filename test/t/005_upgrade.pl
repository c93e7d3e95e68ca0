# Upgrades: install the oldest version, put data in, walk ALTER EXTENSION
# competency UPDATE to the newest, and compare the catalog -- functions (with
# their argument defaults), aggregates, tables, columns (defaults, collations,
# column privileges), sequences, constraints (exclusion constraints
# included), indexes, triggers and event triggers (with their enabled
# state), views, rules, policies, types, comments, privileges and the
# extension's initial privileges, dump registration -- with a fresh install;
# likewise from every other older version.  The data survive the upgrade and
# the new version's functions and flagging work on them.  A role's
# privileges granted before an upgrade survive a dump and restore of the
# upgraded database.
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
SELECT 'function ' || p.oid::regprocedure || '(' || pg_get_function_arguments(p.oid) || ') -> '
       || pg_get_function_result(p.oid)
       || ' | ' || p.prokind::text || p.provolatile::text || p.proparallel::text || p.proisstrict::text
       || p.prosecdef::text || p.proleakproof::text || ' | ' || coalesce(array_to_string(p.proconfig, ','), '')
       || ' | ' || md5(p.prosrc) || ' | ' || coalesce(p.probin, '') || ' | '
       || coalesce(p.proacl::text, '<default acl>') || ' | ' || p.procost || ' ' || p.prorows
       || ' | ' || (SELECT l.lanname FROM pg_language l WHERE l.oid = p.prolang)
       || ' | ' || pg_get_userbyid(p.proowner)
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn || ' ' || a.aggfinalfn
       || ' ' || a.aggcombinefn || ' ' || a.aggserialfn || ' ' || a.aggdeserialfn || ' '
       || a.aggtranstype::regtype || ' ' || a.aggtransspace || ' ' || a.aggfinalmodify::text
       || ' ' || a.aggkind::text || ' ' || coalesce(a.agginitval, '<no initval>')
FROM pg_aggregate a JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
UNION ALL
SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text
       || ' | ' || coalesce(c.relacl::text, '<default acl>')
       || ' | ' || coalesce(array_to_string(c.reloptions, ','), '<no options>')
       || ' | rls ' || c.relrowsecurity::text || c.relforcerowsecurity::text
       || ' | ' || pg_get_userbyid(c.relowner)
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
       || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' generated ' || a.attgenerated::text ELSE '' END
       || coalesce(' collate ' || nullif(a.attcollation, 0)::regcollation::text, '')
       || coalesce(' acl ' || a.attacl::text, '')
       || ' | ' || coalesce(col_description(c.oid, a.attnum), '<no comment>')
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
WHERE c.relkind IN ('r', 'v', 'p')
UNION ALL
SELECT 'sequence ' || c.relname || ' ' || s.seqtypid::regtype || ' ' || s.seqstart || ' ' || s.seqincrement
       || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle::text
       || coalesce(' owned by ' || (SELECT oc.relname || '.' || oa.attname
                                    FROM pg_depend od
                                    JOIN pg_class oc ON oc.oid = od.refobjid
                                    JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid
                                    WHERE od.classid = 'pg_class'::regclass AND od.objid = c.oid
                                      AND od.refclassid = 'pg_class'::regclass AND od.deptype = 'a'), '')
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
JOIN pg_sequence s ON s.seqrelid = c.oid
UNION ALL
SELECT 'constraint ' || c.relname || ' ' || k.conname || ' ' || k.contype::text || ' '
       || pg_get_constraintdef(k.oid) || coalesce(' | ' || obj_description(k.oid, 'pg_constraint'), '')
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid) || coalesce(' | ' || obj_description(i.indexrelid, 'pg_class'), '')
FROM pg_index i JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = i.indrelid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' | enabled ' || t.tgenabled::text
       || coalesce(' | ' || obj_description(t.oid, 'pg_trigger'), '')
FROM pg_trigger t JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid
WHERE NOT t.tgisinternal
UNION ALL
SELECT 'event trigger ' || e.evtname || ' on ' || e.evtevent || ' tags ' || coalesce(e.evttags::text, '<any>')
       || ' executes ' || e.evtfoid::regprocedure || ' | enabled ' || e.evtenabled::text
       || ' | ' || pg_get_userbyid(e.evtowner)
FROM pg_event_trigger e JOIN members m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid
UNION ALL
SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
WHERE c.relkind IN ('v', 'm')
UNION ALL
SELECT 'rule ' || r.rulename || ' on ' || c.relname || ' ' || pg_get_ruledef(r.oid)
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
WHERE r.rulename <> '_RETURN'
UNION ALL
SELECT 'policy ' || c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive::text
       || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
UNION ALL
SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' | ' || coalesce(t.typacl::text, '<default acl>')
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT 'initial privileges ' || pg_describe_object(ip.classoid, ip.objoid, ip.objsubid) || ' '
       || ip.privtype::text || ' ' || ip.initprivs::text
FROM pg_init_privs ip JOIN members m ON m.classid = ip.classoid AND m.objid = ip.objoid
UNION ALL
SELECT 'dumped ' || string_agg(c.relname || coalesce(' where ' || cond, ''), ', ' ORDER BY c.relname)
FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS u(cfg, cond)
JOIN pg_class c ON c.oid = u.cfg
WHERE x.extname = 'competency'
UNION ALL
SELECT 'extension ' || x.extname || ' ' || x.extversion || ' ' || x.extrelocatable::text || ' '
       || x.extnamespace::regnamespace::text || ' | ' || pg_get_userbyid(x.extowner)
FROM pg_extension x WHERE x.extname = 'competency'
ORDER BY 1
};
my $walked = $node->safe_psql('walked', $catalog);
my $fresh = $node->safe_psql('fresh', $catalog);
my $lines = () = $fresh =~ /\n/g;
ok($lines > 150, "the catalog description is substantial ($lines lines)");
is($walked, $fresh, "the catalog after walking $oldest -> $default equals a fresh install");
unlike($fresh, qr/<no comment>/, 'every member and column has a comment');

# The comparison covers 1.4's objects: the membership table and its
# exclusion constraint, the status history and its sequence, the staging
# view and its trigger, the event trigger, the new functions, and the new
# tables' dump registration.
for my $case (
	[ 'cp_membership', qr/^relation cp_membership r p \| \{[^}]*\} \|/m ],
	[ 'its exclusion constraint',
	  qr/^constraint cp_membership cp_membership_no_overlap x EXCLUDE USING gist \(int8range\(partner_id, partner_id, '\[\]'::text\) WITH &&, daterange\(started_on, ends_on\) WITH &&\)$/m ],
	[ 'its columns', qr/^column cp_membership\.ends_on date not null \|/m ],
	[ 'its flagging triggers', qr/^trigger CREATE TRIGGER cp_flag_insert AFTER INSERT ON comp\.cp_membership .*\| enabled O$/m ],
	[ 'cp_status_change', qr/^relation cp_status_change r p /m ],
	[ 'its column defaults',
	  qr/^column cp_status_change\.change_id bigint not null default nextval\('comp\.cp_status_change_change_id_seq'::regclass\) \|.*^column cp_status_change\.changed_at timestamp with time zone not null default now\(\) \|/ms ],
	[ 'its sequence', qr/^sequence cp_status_change_change_id_seq bigint 1 1 1 9223372036854775807 1 false owned by cp_status_change\.change_id$/m ],
	[ "cp_partner_level's status columns", qr/^column cp_partner_level\.status text not null default 'not_held'::text collate "default" \|/m ],
	[ 'the staging view', qr/^relation cp_partner_center_competency v p \| [^|]* \| security_barrier=true \|/m ],
	[ "the staging view's definition", qr/^view cp_partner_center_competency  SELECT/m ],
	[ "the staging view's trigger",
	  qr/^trigger CREATE TRIGGER cp_stage_competency_row INSTEAD OF INSERT ON comp\.cp_partner_center_competency FOR EACH ROW/m ],
	[ 'the event trigger',
	  qr/^event trigger cp_guard_triggers on ddl_command_end tags \{"CREATE TRIGGER","CREATE TABLE","ALTER TABLE","CREATE SCHEMA"\} executes comp\.cp_guard_triggers\(\) \| enabled O/m ],
	[ 'the new functions, with their argument defaults',
	  qr/^function comp\.cp_explain_risk\(bigint,date\)\(partner_id bigint, as_of date DEFAULT CURRENT_DATE\).*^function comp\.cp_load_partner_center_competency\(bigint\).*^function comp\.cp_membership_status\(date\)\(as_of date DEFAULT CURRENT_DATE\).*^function comp\.cp_partner_figures\(date,integer,bigint\[\],boolean,text\).*^function comp\.cp_refresh_levels\(date\)\(as_of date DEFAULT comp\.cp_flagging_date\(\)\)/ms ],
	[ 'initial privileges', qr/^initial privileges table comp\.cp_membership e \{/m ],
	[ "1.5's internal aggregates",
	  qr/^aggregate comp\.cp_credential_individuals\(bigint,text\) .*^aggregate comp\.cp_usage_entitlements\(uuid,text,text,bigint,boolean,date\) /ms ],
	[ 'row-level security on the reject tables',
	  qr/^relation cp_partner_center_reject r p \| [^|]* \| [^|]* \| rls truefalse \|/m ],
	[ 'their policies',
	  qr/^policy cp_partner_center_competency_reject cp_reject_delete d true true .*^policy cp_partner_center_reject cp_reject_read r true \(\(staged_by = comp\.cp_staging_role\(\)\) OR has_table_privilege/ms ],
	[ "1.7's kept view", qr/^relation cp_partner_status_kept v p \| /m ],
	[ "cp_partner_level's as_of", qr/^column cp_partner_level\.as_of date \|/m ],
	[ 'functions closed to PUBLIC', qr/^function comp\.cp_evaluate\(date\)\(as_of date DEFAULT CURRENT_DATE\) .* \| \{[^}]*\} \|/m ],
	[ "1.8's association kind, last", qr/^enum cp_association_kind delegated_admin,transacting_partner,digital_partner_of_record,fast_track$/m ],
	[ "1.8's rule tables' completeness check",
	  qr/^constraint cp_rule_workload cp_rule_set_complete t TRIGGER DEFERRABLE INITIALLY DEFERRED$/m ],
	[ "1.8's rule tables, dumped without the built-in set",
	  qr/\bcp_rule_set where WHERE rule_set OPERATOR\(pg_catalog\.<>\) '2017-07'/m ],
	[ "the rule set of kept levels", qr/^column cp_partner_level\.rule_set text not null default '2017-07'::text/m ],
	[ "1.8's what-if overloads", qr/^function comp\.cp_evaluate\(date,text\)\(as_of date, rule_set text\)/m ],
	[ "the new tables' dump registration",
	  qr/^dumped .*\bcp_membership where , .*\bcp_partner_center_competency_reject where , cp_partner_center_competency_staged where , cp_partner_center_competency_staged_line_seq where , .*\bcp_status_change where , cp_status_change_change_id_seq where\b/m ])
{
	my ($what, $re) = @$case;
	like($fresh, $re, "the catalog comparison covers $what");
}

# From every other older version too.
for my $v (@versions[1 .. $#versions - 1])
{
	(my $db = "from_$v") =~ s/\./_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{CREATE SCHEMA comp; CREATE EXTENSION competency SCHEMA comp VERSION '$v'});
	$node->safe_psql($db, 'ALTER EXTENSION competency UPDATE');
	is($node->safe_psql($db, $catalog), $fresh, "the catalog after walking $v -> $default equals a fresh install");
}

# The data survived, and the new version's functions work on them.
is($node->safe_psql('walked', q{SELECT level FROM comp.cp_evaluate()}), 'silver', 'data survive the upgrade');
is($node->safe_psql('walked', q{SELECT count(*) FILTER (WHERE counted) FROM comp.cp_explain(1)}), '1',
	'cp_explain works on data from before the upgrade');
is($node->safe_psql('walked', q{
	SELECT pl.status || ' ' || pl.held_level || ' ' || (pl.projected_level IS NULL) || ' ' || s.status
	FROM comp.cp_partner_level pl
	JOIN comp.cp_partner_figures(comp.cp_flagging_date(), comp.cp_flagging_window(), NULL, true,
	                           comp.cp_rule_set_on(comp.cp_flagging_date())) s USING (partner_id)}),
	'not_held none true not_held', 'a level stored before the upgrade has the status it evaluates to');
$node->safe_psql('walked', q{
	INSERT INTO comp.cp_membership VALUES (1, 'silver', comp.cp_flagging_date() - 100, comp.cp_flagging_date() + 265)});
$node->safe_psql('walked', q{
	INSERT INTO comp.cp_usage VALUES (md5('t1')::uuid, 'SPO', 'E5', false, 4500, current_date);
	INSERT INTO comp.cp_person VALUES (2, 1, 'Bo');
	INSERT INTO comp.cp_credential VALUES (2, '70-346', current_date, NULL), (2, '70-347', current_date, NULL)});
is($node->safe_psql('walked', q{SELECT string_agg(old_level || '->' || new_level, ',' ORDER BY change_id) FROM comp.cp_level_change}),
	'none->silver,silver->gold', 'flagging goes on across the upgrade');
is($node->safe_psql('walked', q{SELECT string_agg(old_status || '->' || new_status, ',' ORDER BY change_id) FROM comp.cp_status_change}),
	'not_held->secure,secure->upgrade_available', 'and flags status changes on data from before the upgrade');

# A database can go down to nothing and back.
$node->safe_psql('walked', 'DROP EXTENSION competency CASCADE');
$node->safe_psql('walked', 'CREATE EXTENSION competency SCHEMA comp');
is($node->safe_psql('walked', $catalog), $fresh, 'DROP EXTENSION CASCADE then CREATE EXTENSION gives a fresh install');

# The README's roles, granted before an upgrade: after it, a dump restored
# into a fresh install gives them the same privileges.  (A grant that an
# update script makes runs inside ALTER EXTENSION, so PostgreSQL records it
# among the extension's initial privileges, which pg_dump leaves out.)
$node->safe_psql('postgres', q{
	CREATE ROLE competency_reader NOLOGIN;
	CREATE ROLE competency_loader NOLOGIN;
	CREATE ROLE competency_admin NOLOGIN});
my $grants = q{
WITH members AS (
    SELECT d.classid, d.objid FROM pg_depend d
    JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
    WHERE d.deptype = 'e'
)
SELECT 'relation ' || c.relname || ' ' || r.rolname || ' ' || a.privilege_type
FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid,
     aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
WHERE r.rolname LIKE 'competency\_%'
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' ' || r.rolname || ' ' || a.privilege_type
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid,
     aclexplode(p.proacl) a JOIN pg_roles r ON r.oid = a.grantee
WHERE r.rolname LIKE 'competency\_%'
ORDER BY 1
};
for my $v (@versions[0 .. $#versions - 1])
{
	(my $db = "grants_$v") =~ s/\./_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{CREATE SCHEMA comp; CREATE EXTENSION competency SCHEMA comp VERSION '$v'});
	# the README's role model, as far as the version has the objects
	$node->safe_psql($db, q{
		SET search_path = comp;
		GRANT SELECT ON cp_partner_level, cp_level_change, cp_partner, cp_association, cp_usage,
		                cp_person, cp_credential TO competency_reader;
		GRANT INSERT ON cp_usage TO competency_loader;
		GRANT ALL ON ALL TABLES IN SCHEMA comp TO competency_admin;
		GRANT EXECUTE ON FUNCTION cp_refresh_levels(date) TO competency_admin;
		DO $$
		BEGIN
		    IF to_regclass('comp.cp_partner_center_usage') IS NOT NULL THEN
		        GRANT SELECT ON comp.cp_partner_status TO competency_reader;
		        GRANT SELECT, INSERT, DELETE ON comp.cp_partner_center_usage TO competency_loader;
		        GRANT INSERT ON comp.cp_partner_center_reject TO competency_loader;
		    END IF;
		END
		$$});
	$node->safe_psql($db, 'ALTER EXTENSION competency UPDATE');
	my $upgraded = $node->safe_psql($db, $grants);
	ok($upgraded =~ /competency_admin/ && $upgraded =~ /competency_reader/,
		"grants_$v: the roles hold privileges after the upgrade");
	my $plain = $node->basedir . "/$db.sql";
	$node->command_ok([ 'pg_dump', '-d', $node->connstr($db), '-f', $plain ], "grants_$v: pg_dump");
	$node->safe_psql('postgres', "CREATE DATABASE ${db}_restored");
	$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr("${db}_restored"),
	                    '-f', $plain ], "grants_$v: the dump restores");
	my %restored = map { $_ => 1 } split /\n/, $node->safe_psql("${db}_restored", $grants);
	my %before = map { $_ => 1 } split /\n/, $upgraded;
	is(join("\n", grep { !$restored{$_} } sort keys %before), '',
		"grants_$v: after upgrading from $v, a dump and restore lose no role's privilege");
	is(join("\n", grep { !$before{$_} } sort keys %restored), '',
		"grants_$v: and add none");
}

$node->stop;
done_testing();
