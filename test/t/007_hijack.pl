# Hijacking the install and upgrade scripts.  While
# CREATE EXTENSION competency SCHEMA s or ALTER EXTENSION competency UPDATE
# runs a script, search_path is "s, pg_temp": pg_catalog is searched first,
# but a function or operator in s that matches a call better than
# pg_catalog's (exact argument types where pg_catalog's needs a cast, a
# non-variadic or non-polymorphic version) wins, and runs with the rights of
# the superuser running the script.
#
# The low-privilege role mallory, with CREATE on the target schema, plants
# such decoys of the built-ins the scripts use (and of some they may come to
# use); each one does what the real one does and also tries ALTER ROLE mallory
# SUPERUSER, recording that it was called.  The superuser then installs the
# default version, and separately installs the oldest and updates to every
# next version in turn (read from the catalog, so versions added later are
# covered), in a schema of its own and in public, with the decoys planted
# again before each step.  After each step mallory is not a superuser and
# the extension works.
#
# After each step the superuser also uses the extension as someone working in
# that schema would: with search_path = s (pg_catalog implicitly first), and
# then with s before pg_catalog, a search_path under which any unqualified
# name wins -- the inlinable SQL functions and the view, whose bodies are
# parsed with the caller's search_path, must have every name qualified, and
# the functions that pin their search_path must not care.  A second set of
# decoys, with the very signatures of pg_catalog's operators and aggregates,
# catches that.  Decoys that need the extension's types are planted as soon
# as a step has made them, before the extension is used.
#
# A third set, own-name decoys, has the very names of the extension's own
# functions and aggregates, with argument types that a call not exactly
# typed matches better than the extension's own: an untyped NULL prefers a
# string type to an array, an integer column an integer parameter to a
# bigint one, and any concrete type beats anyelement.  1.5 types every call
# in the extension's scripts, views and bodies exactly, and calls aggregates
# of its own of exactly its columns' types (cp_usage_entitlements,
# cp_credential_individuals), so none of them may run.  They are planted
# before each step with the others (those whose types exist); the step must
# run none of them and bind nothing it makes to one (the view
# cp_partner_status must be bound to the extension's cp_status_partners,
# with NULL::bigint[]).  Versions before 1.5 are known to call some of them
# at run time (the bug 1.5 fixes): before such a version is used mallory
# drops them; from 1.5 on they stay planted while it is used.  At the
# newest version mallory cannot create an aggregate of the very signature
# of the extension's internal ones beside them (42723); and, in a database
# of its own, one planted before the update to 1.5 makes that update fail
# rather than win, and the update succeeds once it is gone.
#
# Every decoy is first shown to be reachable: mallory calls each unqualified
# (where her own ALTER ROLE fails), and each must record the call.  Nothing
# the extension made may depend on any of mallory's functions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $start_time = time;

my $node = PostgreSQL::Test::Cluster->new('hijack');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');

my @versions = split /\n/, $node->safe_psql('postgres', q{
	SELECT version FROM pg_available_extension_versions WHERE name = 'competency'
	ORDER BY pg_catalog.string_to_array(version, '.')::int[]});
my $default = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'competency'});
ok(@versions >= 1, "versions available: @versions; default $default");

###############################################################################
# The decoys.  @S@ stands for the target schema.  kind 'better': a better
# match than pg_catalog's for an unqualified call, so it wins even with
# pg_catalog first; kind 'exact': pg_catalog's own signature, so it wins only
# where the schema comes before pg_catalog; kind 'own': one of the
# extension's own names, winning where a call of it is not exactly typed.
# needs: a type, or a list of them, that must exist (the extension's) before
# the decoy can be planted.  probe: an unqualified call that reaches the
# decoy.  drop: how mallory takes it away again.
###############################################################################

my @decoys;
my $opno = 0;
my $aggno = 0;

# The version that calls every function of its own exactly typed; before it
# the own-name decoys are known to win at run time.
my $fixed = '1.5';

# <=> for version strings
sub vcmp
{
	my @a = split /\./, $_[0];
	my @b = split /\./, $_[1];
	while (@a || @b)
	{
		my $c = (shift(@a) // 0) <=> (shift(@b) // 0);
		return $c if $c;
	}
	return 0;
}

# A decoy function: name(args) returning ret, doing real (over $1, $2, ...).
sub decoy_function
{
	my (%d) = @_;
	my $label = "$d{name}($d{args})";
	my $body =
	    $d{returns} =~ /^(SETOF|TABLE) / ? "RETURN QUERY SELECT * FROM $d{real};"
	  : $d{returns} eq 'void'            ? "PERFORM $d{real};"
	  :                                    "RETURN $d{real};";
	my $guard = $d{guard} // '';
	push @decoys, {
		label => $label,
		sig => $label,
		kind => $d{kind} // 'better',
		needs => $d{needs},
		probe => $d{probe},
		drop => "DROP FUNCTION IF EXISTS \@S\@.$label;\n",
		sql => qq{
CREATE OR REPLACE FUNCTION \@S\@.$d{name}($d{args}) RETURNS $d{returns}
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM \@S\@.mallory_strike('$label');
    $guard
    $body
END
\$decoy\$;
} };
	return;
}

# A decoy operator left op right returning ret (boolean by default), doing
# what pg_catalog's op does after the implicit casts.
sub decoy_operator
{
	my (%d) = @_;
	my $label = "operator $d{op}($d{left},$d{right})" =~ s/\@S\@\.//gr;
	my $fn = 'mallory_op_' . ++$opno;
	my $ret = $d{returns} // 'boolean';
	push @decoys, {
		label => $label,
		kind => $d{kind} // 'better',
		needs => $d{needs},
		probe => $d{probe},
		sql => qq{
CREATE OR REPLACE FUNCTION \@S\@.$fn(l $d{left}, r $d{right}) RETURNS $ret
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM \@S\@.mallory_strike('$label');
    RETURN l OPERATOR(pg_catalog.$d{op}) r;
END
\$decoy\$;
DO \$plant\$
BEGIN
    CREATE OPERATOR \@S\@.$d{op} (LEFTARG = $d{left}, RIGHTARG = $d{right},
                                 FUNCTION = \@S\@.$fn);
EXCEPTION WHEN duplicate_function OR duplicate_object THEN
    NULL;
END
\$plant\$;
} };
	return;
}

# A decoy aggregate name(arg) with state type stype and a step doing real
# (over acc and v).
sub decoy_aggregate
{
	my (%d) = @_;
	my $label = "aggregate $d{name}($d{arg})";
	my $fn = "mallory_agg_$d{name}";
	push @decoys, {
		label => $label,
		kind => $d{kind} // 'exact',
		probe => $d{probe},
		sql => qq{
CREATE OR REPLACE FUNCTION \@S\@.$fn(acc $d{stype}, v $d{arg}) RETURNS $d{stype}
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM \@S\@.mallory_strike('$label');
    IF v IS NULL THEN
        RETURN acc;
    END IF;
    RETURN $d{real};
END
\$decoy\$;
DO \$plant\$
BEGIN
    CREATE AGGREGATE \@S\@.$d{name}($d{arg}) (SFUNC = \@S\@.$fn, STYPE = $d{stype});
EXCEPTION WHEN duplicate_function OR duplicate_object THEN
    NULL;
END
\$plant\$;
} };
	return;
}

# An aggregate name(args) of mallory's with state and result type stype,
# whose step records the call and keeps the state (NULL): the SQL that makes
# it (CREATE OR REPLACE, or a plain CREATE where it must not exist yet).
sub aggregate_sql
{
	my ($name, $args, $stype, $label, $create) = @_;
	my $fn = 'mallory_agg_' . ++$aggno;
	return qq{
CREATE OR REPLACE FUNCTION \@S\@.$fn(acc $stype, $args) RETURNS $stype
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM \@S\@.mallory_strike('$label');
    RETURN acc;
END
\$decoy\$;
$create \@S\@.$name($args) (SFUNC = \@S\@.$fn, STYPE = $stype);
};
}

# An own-name aggregate decoy: name(args), returning stype as the
# extension's does.
sub own_aggregate
{
	my (%d) = @_;
	my $sig = "$d{name}($d{args})";
	push @decoys, {
		label => "aggregate $sig",
		sig => $sig,
		kind => 'own',
		probe => $d{probe},
		drop => "DROP AGGREGATE IF EXISTS \@S\@.$sig;\n",
		sql => aggregate_sql($d{name}, $d{args}, $d{stype}, "aggregate $sig",
			'CREATE OR REPLACE AGGREGATE') };
	return;
}

# format(text, VARIADIC "any"): non-variadic versions, as the scripts' DO
# blocks call it (a literal, then text or name arguments).
decoy_function(name => 'format', args => 'text, text', returns => 'text',
	real => 'pg_catalog.format($1, $2)',
	probe => q{SELECT format('%s', 'a'::text)});
decoy_function(name => 'format', args => 'text, text, text', returns => 'text',
	real => 'pg_catalog.format($1, $2, $3)',
	probe => q{SELECT format('%s %s', 'a'::text, 'b'::text)});
decoy_function(name => 'format', args => 'text, text, text, text', returns => 'text',
	real => 'pg_catalog.format($1, $2, $3, $4)',
	probe => q{SELECT format('%s %L %L', 'a'::text, 'b'::text, 'c'::text)});
decoy_function(name => 'format', args => 'text, text, text, text, text', returns => 'text',
	real => 'pg_catalog.format($1, $2, $3, $4, $5)',
	probe => q{SELECT format('%s %s %s %s', 'a'::text, 'b'::text, 'c'::text, 'd'::text)});
decoy_function(name => 'format', args => 'text, name', returns => 'text',
	real => 'pg_catalog.format($1, $2)',
	probe => q{SELECT format('%I', 'a'::name)});
decoy_function(name => 'format', args => 'text, name, text', returns => 'text',
	real => 'pg_catalog.format($1, $2, $3)',
	probe => q{SELECT format('%I %L', 'a'::name, 'b')});
decoy_function(name => 'concat', args => 'text, text', returns => 'text',
	real => 'pg_catalog.concat($1, $2)',
	probe => q{SELECT concat('a'::text, 'b'::text)});
# jsonb_build_object(VARIADIC "any"): the notification payload's shapes
decoy_function(name => 'jsonb_build_object', args => 'text, bigint', returns => 'jsonb',
	real => 'pg_catalog.jsonb_build_object($1, $2)',
	probe => q{SELECT jsonb_build_object('change_id', 1::bigint)});
decoy_function(name => 'jsonb_build_object', args => 'text, bigint, text, bigint',
	returns => 'jsonb',
	real => 'pg_catalog.jsonb_build_object($1, $2, $3, $4)',
	probe => q{SELECT jsonb_build_object('change_id', 1::bigint, 'partner_id', 2::bigint)});
# pg_extension_config_dump(regclass, text): two literals prefer text.  Real
# only inside an extension script, so the probe's sentinel skips the call.
decoy_function(name => 'pg_extension_config_dump', args => 'text, text', returns => 'void',
	guard => q{IF $1 OPERATOR(pg_catalog.=) 'mallory probe' THEN RETURN; END IF;},
	real => 'pg_catalog.pg_extension_config_dump($1::pg_catalog.regclass, $2)',
	probe => q{SELECT pg_extension_config_dump('mallory probe', '')});
# generate_series over dates (pg_catalog's casts them to timestamptz)
decoy_function(name => 'generate_series', args => 'date, date, interval',
	returns => 'SETOF timestamp with time zone',
	real => 'pg_catalog.generate_series($1::timestamptz, $2::timestamptz, $3)',
	probe => q{SELECT generate_series(DATE '2020-01-01', DATE '2020-01-02', INTERVAL '1 day')});
# array functions on anyarray, in the concrete array types the scripts use
for my $t ('integer', 'bigint', 'uuid')
{
	my $elem = $t eq 'uuid' ? q{'00000000-0000-0000-0000-000000000001'::uuid} : "1::$t";
	decoy_function(name => 'cardinality', args => "$t\[]", returns => 'integer',
		real => 'pg_catalog.cardinality($1)',
		probe => "SELECT cardinality(ARRAY[$elem])");
	decoy_function(name => 'unnest', args => "$t\[]", returns => "SETOF $t",
		real => 'pg_catalog.unnest($1)',
		probe => "SELECT unnest(ARRAY[$elem])");
}
# operators whose pg_catalog version needs an implicit cast
decoy_operator(op => '=', left => 'oid', right => 'regclass',
	probe => q{SELECT 1 FROM pg_class WHERE oid = 'pg_class'::regclass});
decoy_operator(op => '=', left => 'regclass', right => 'oid',
	probe => q{SELECT 'pg_class'::regclass = 1259::oid});
decoy_operator(op => '=', left => 'regclass', right => 'regclass',
	probe => q{SELECT 'pg_class'::regclass = 'pg_class'::regclass});
decoy_operator(op => '=', left => 'oid', right => 'regtype',
	probe => q{SELECT 25::oid = 'text'::regtype});
decoy_operator(op => '=', left => 'oid', right => 'regprocedure',
	probe => q{SELECT 1::oid = 'now()'::regprocedure});
for my $op ('=', '<', '>', '<=', '>=')
{
	decoy_operator(op => $op, left => 'numeric', right => 'integer',
		probe => "SELECT '1'::numeric $op 0");
}
decoy_operator(op => '||', left => 'text', right => 'integer', returns => 'text',
	probe => q{SELECT 'a'::text || 1});
decoy_operator(op => '||', left => 'text', right => 'bigint', returns => 'text',
	probe => q{SELECT 'a'::text || 1::bigint});
# operators on the extension's enums (pg_catalog's take anyenum)
for my $op ('=', '<>', '<', '>', '<=', '>=')
{
	decoy_operator(op => $op, left => '@S@.competency_level',
		right => '@S@.competency_level', needs => 'competency_level',
		probe => "SELECT 'none'::competency_level $op 'gold'::competency_level");
}
decoy_operator(op => '=', left => '@S@.cp_market', right => '@S@.cp_market',
	needs => 'cp_market',
	probe => q{SELECT 'developed'::cp_market = 'developing'::cp_market});
decoy_operator(op => '=', left => '@S@.cp_association_kind',
	right => '@S@.cp_association_kind', needs => 'cp_association_kind',
	probe => q{SELECT 'delegated_admin'::cp_association_kind = 'delegated_admin'::cp_association_kind});

# pg_catalog's very signatures: the operators and aggregates of the bodies
# that are parsed with the caller's search_path (inlinable SQL functions).
for my $o (
	[ '=', 'bigint', 'bigint' ], [ '=', 'bigint', 'integer' ],
	[ '=', 'uuid', 'uuid' ], [ '=', 'text', 'text' ],
	[ '<>', 'text', 'text' ], [ '=', 'tid', 'tid' ],
	[ '<', 'date', 'date' ], [ '<=', 'date', 'date' ],
	[ '>', 'date', 'date' ], [ '>=', 'date', 'date' ],
	[ '-', 'date', 'integer', 'date' ], [ '-', 'bigint', 'bigint', 'bigint' ],
	[ '-', 'integer', 'integer', 'integer' ], [ '+', 'integer', 'integer', 'integer' ],
	[ '&', 'integer', 'integer', 'integer' ])
{
	my ($op, $l, $r, $ret) = @$o;
	my %val = (bigint => '1::bigint', integer => '1', uuid => q{'00000000-0000-0000-0000-000000000001'::uuid},
		text => q{'a'::text}, tid => q{'(0,1)'::tid}, date => q{DATE '2020-01-01'});
	decoy_operator(op => $op, left => $l, right => $r, returns => $ret, kind => 'exact',
		probe => "SELECT $val{$l} $op $val{$r}");
}
decoy_aggregate(name => 'sum', arg => 'integer', stype => 'bigint',
	real => 'coalesce(acc, 0::bigint) OPERATOR(pg_catalog.+) v',
	probe => q{SELECT sum(x) FROM (VALUES (1), (2)) v(x)});
decoy_aggregate(name => 'bool_or', arg => 'boolean', stype => 'boolean',
	real => 'coalesce(acc, false) OR v',
	probe => q{SELECT bool_or(x) FROM (VALUES (false), (true)) v(x)});

# The extension's own names.  A call would choose one of these over the
# extension's where it passes an untyped NULL for an array (an unknown
# prefers a string type), an argument of type varchar or name where the
# extension's takes text (an untyped literal still prefers text), a column
# of integer where the extension's takes bigint, or any concrete type where
# its aggregate takes anyelement.  The functions return the extension's row
# shape (so they need its types) with the real function's rows; called with
# the probe's sentinel (mallory may not run the real one) they return at
# once; the aggregates return NULL of the extension's result type.  The
# released scripts before 1.5 (since edited to cast) called
# cp_status_partners (in the view cp_partner_status of 1.4),
# cp_evaluate_partners and cp_flag with an untyped NULL and cp_require_date
# with a literal; the polymorphic aggregates, called over cp_usage's and
# cp_credential's columns by flagging's SECURITY DEFINER code, are what
# versions before 1.5 still lose at run time.  1.5's own aggregates take
# exactly those columns' types, so the decoys of those differ in a type.
my $sentinel = q{'mallory probe'};
my $eval_row = 'partner_id bigint, market @S@.cp_market, active_entitlements bigint, '
  . 'qualified_individuals integer, level @S@.competency_level, next_level @S@.competency_level, '
  . 'entitlements_short bigint, individuals_short integer';
my $status_row = "$eval_row, held_level \@S\@.competency_level, ends_on date, "
  . 'projected_level @S@.competency_level, status text, entitlements_margin bigint, '
  . 'individuals_margin integer, projected_entitlements bigint, projected_individuals integer';
for my $f ([ 'cp_status_partners', $status_row ], [ 'cp_evaluate_partners', $eval_row ])
{
	my ($name, $row) = @$f;
	decoy_function(kind => 'own', name => $name, args => 'date, integer, text',
		returns => "TABLE ($row)", needs => [ 'cp_market', 'competency_level' ],
		guard => "IF \$3 OPERATOR(pg_catalog.=) $sentinel THEN RETURN; END IF;",
		real => "\@S\@.$name(\$1, \$2, \$3::pg_catalog.int8[])",
		probe => "SELECT * FROM $name(DATE '2020-01-01', 28, ${sentinel}::text)");
}
# 1.6's one evaluation (1.8's under a rule set), called with NULL::bigint[]
# by the view, the status function and flagging
decoy_function(kind => 'own', name => 'cp_partner_figures', args => 'date, integer, text, boolean, text',
	returns => "TABLE ($status_row, evaluated_under text)", needs => [ 'cp_market', 'competency_level' ],
	guard => "IF \$3 OPERATOR(pg_catalog.=) $sentinel THEN RETURN; END IF;",
	real => "\@S\@.cp_partner_figures(\$1, \$2, \$3::pg_catalog.int8[], \$4, \$5)",
	probe => "SELECT * FROM cp_partner_figures(DATE '2020-01-01', 28, ${sentinel}::text, true, '2017-07')");
decoy_function(kind => 'own', name => 'cp_flag', args => 'text, date', returns => 'integer',
	guard => "IF \$1 OPERATOR(pg_catalog.=) $sentinel THEN RETURN NULL; END IF;",
	real => '@S@.cp_flag($1::pg_catalog.int8[], $2)',
	probe => "SELECT cp_flag(${sentinel}::text, DATE '2020-01-01')");
for my $t ('varchar', 'name')
{
	decoy_function(kind => 'own', name => 'cp_require_date', args => "date, $t",
		returns => 'boolean',
		guard => "IF \$2::pg_catalog.text OPERATOR(pg_catalog.=) $sentinel THEN RETURN NULL; END IF;",
		real => '@S@.cp_require_date($1, $2::pg_catalog.text)',
		probe => "SELECT cp_require_date(DATE '2020-01-01', ${sentinel}::$t)");
}
my $probe_tenant = q{'00000000-0000-0000-0000-000000000001'::uuid};
own_aggregate(name => 'cp_active_entitlements', args => 'uuid, text, text, integer, boolean, date',
	stype => 'bigint',
	probe => "SELECT cp_active_entitlements($probe_tenant, 'EXO', 'E3', 1, false, DATE '2020-01-01')");
own_aggregate(name => 'cp_qualified_individuals', args => 'bigint, text', stype => 'integer',
	probe => q{SELECT cp_qualified_individuals(1::bigint, 'MCSA: Office 365'::text)});
own_aggregate(name => 'cp_usage_entitlements', args => 'uuid, text, text, integer, boolean, date',
	stype => 'bigint',
	probe => "SELECT cp_usage_entitlements($probe_tenant, 'EXO', 'E3', 1, false, DATE '2020-01-01')");
own_aggregate(name => 'cp_credential_individuals', args => 'bigint, varchar', stype => 'integer',
	probe => q{SELECT cp_credential_individuals(1::bigint, 'MCSA: Office 365'::varchar)});
my @own = grep { $_->{kind} eq 'own' } @decoys;

# 1.5's own aggregates, whose very signature mallory must not be able to
# take: name => [ args, result ].
my %twin = (
	cp_usage_entitlements => [ 'uuid, text, text, bigint, boolean, date', 'bigint' ],
	cp_credential_individuals => [ 'bigint, text', 'integer' ]);
# mallory's aggregate of that signature (a plain CREATE)
sub twin_sql
{
	my ($name) = @_;
	my ($args, $stype) = @{ $twin{$name} };
	return aggregate_sql($name, $args, $stype, "twin $name($args)", 'CREATE AGGREGATE');
}

note scalar(@decoys) . ' decoys: ' . join('; ', map { "$_->{label} [$_->{kind}]" } @decoys);

###############################################################################
# Planting, probing, watching
###############################################################################

# The log the decoys write, and the attack itself; all mallory's.
my $strike = q{
CREATE TABLE IF NOT EXISTS @S@.mallory_fired (
    decoy    text NOT NULL,
    by_role  name NOT NULL,
    as_super boolean NOT NULL
);
GRANT SELECT, INSERT ON @S@.mallory_fired TO PUBLIC;
CREATE OR REPLACE FUNCTION @S@.mallory_strike(d text) RETURNS void
LANGUAGE plpgsql AS $strike$
DECLARE
    won boolean := true;
BEGIN
    IF EXISTS (SELECT FROM @S@.mallory_fired f
               WHERE f.decoy OPERATOR(pg_catalog.=) d
                 AND f.by_role OPERATOR(pg_catalog.=) current_user) THEN
        RETURN;
    END IF;
    BEGIN
        ALTER ROLE mallory SUPERUSER;
    EXCEPTION WHEN OTHERS THEN
        won := false;
    END;
    INSERT INTO @S@.mallory_fired VALUES (d, current_user, won);
END
$strike$;
};

sub in_schema
{
	my ($sql, $schema) = @_;
	$sql =~ s/\@S\@/$schema/g;
	return $sql;
}

# The decoys whose types exist in the schema.
sub plantable
{
	my ($db, $schema) = @_;
	my %have = map { $_ => 1 } split /\n/, $node->safe_psql($db, qq{
		SELECT t.typname FROM pg_catalog.pg_type t
		JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
		WHERE n.nspname = '$schema'});
	return grep {
		my $needs = $_->{needs} // [];
		!grep { !$have{$_} } ref $needs ? @$needs : ($needs)
	} @decoys;
}

# mallory (re)plants every decoy whose types exist, calls each one and checks
# that it recorded the call; returns the decoys planted.
sub plant
{
	my ($db, $schema, $label) = @_;
	my @planted = plantable($db, $schema);
	my $sql = in_schema(join('', $strike, map { $_->{sql} } @planted), $schema);
	$node->safe_psql($db, $sql, extra_params => [ '-U', 'mallory' ]);

	my $probes = '';
	for my $d (@planted)
	{
		my $path = $d->{kind} eq 'exact' ? "$schema, pg_catalog" : $schema;
		$probes .= "SET search_path = $path;\n$d->{probe};\n";
	}
	$probes .= "RESET search_path;\n";
	$node->safe_psql($db, $probes, extra_params => [ '-U', 'mallory' ]);
	my $missing = $node->safe_psql($db, qq{
		SELECT pg_catalog.string_agg(l, ', ' ORDER BY l)
		FROM pg_catalog.unnest(ARRAY[@{[ join(', ', map { "\$q\$$_->{label}\$q\$" } @planted) ]}]) l
		WHERE l NOT IN (SELECT decoy FROM $schema.mallory_fired WHERE by_role = 'mallory')});
	is($missing, '', "$label: all " . scalar(@planted) . ' decoys planted and reachable');
	is($node->safe_psql($db, "SELECT pg_catalog.count(*) FROM $schema.mallory_fired WHERE as_super"),
		'0', "$label: mallory cannot promote herself");
	$node->safe_psql($db, "DELETE FROM $schema.mallory_fired",
		extra_params => [ '-U', 'mallory' ]);
	return @planted;
}

# Before a version older than $fixed is used, mallory takes the own-name
# decoys away again (nothing may depend on them).
sub drop_own
{
	my ($db, $schema, $label) = @_;
	my ($ret, $out, $err) = $node->psql($db, in_schema(join('', map { $_->{drop} } @own), $schema),
		extra_params => [ '-U', 'mallory' ]);
	is($ret, 0, "$label: the own-name decoys dropped before use") or diag($err);
	return;
}

# How many of the own-name decoys are in the schema.
sub own_planted
{
	my ($db, $schema) = @_;
	return $node->safe_psql($db, qq{
		SELECT pg_catalog.count(*)
		FROM pg_catalog.unnest(ARRAY[@{[ join(', ', map { "\$q\$$schema.$_->{sig}\$q\$" } @own) ]}]) s
		WHERE pg_catalog.to_regprocedure(s) IS NOT NULL});
}

# Nothing but mallory's own functions, aggregates and operators depends on a
# function of hers: no view, default, policy, trigger or body the extension
# made is bound to a decoy.  And the view cp_partner_status, where it reads
# cp_status_partners, reads the extension's, called with NULL::bigint[].
sub nothing_bound
{
	my ($db, $schema, $label, @planted) = @_;
	my $bound = $node->safe_psql($db, q{
SET search_path = pg_catalog, pg_temp;
SELECT string_agg(b, E'\n' ORDER BY b) FROM (
    SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' -> '
           || d.refobjid::regprocedure::text AS b
    FROM pg_depend d
    JOIN pg_proc p ON p.oid = d.refobjid
    WHERE d.refclassid = 'pg_proc'::regclass
      AND p.proowner = 'mallory'::regrole
      AND NOT (d.classid = 'pg_proc'::regclass
               AND EXISTS (SELECT FROM pg_proc o WHERE o.oid = d.objid AND o.proowner = p.proowner))
      AND NOT (d.classid = 'pg_operator'::regclass
               AND EXISTS (SELECT FROM pg_operator o WHERE o.oid = d.objid AND o.oprowner = p.proowner))
) x});
	is($bound, '', "$label: nothing made is bound to a decoy");

	my $viewdef = $node->safe_psql($db,
		"SELECT pg_catalog.pg_get_viewdef(pg_catalog.to_regclass('$schema.cp_partner_status'))");
	return if $viewdef !~ /cp_status_partners/;
	like($viewdef, qr/cp_status_partners\(CURRENT_DATE, \S*cp_usage_window\(\), NULL::bigint\[\]\)/,
		"$label: cp_partner_status calls cp_status_partners with NULL::bigint[]");
	my $beside = grep { $_->{label} eq 'cp_status_partners(date, integer, text)' } @planted;
	is($node->safe_psql($db, qq{
SET search_path = pg_catalog, pg_temp;
SELECT string_agg(d.refobjid::regprocedure::text
                  || CASE WHEN EXISTS (SELECT FROM pg_depend e
                                       WHERE e.classid = 'pg_proc'::regclass AND e.objid = d.refobjid
                                         AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e')
                          THEN ' (competency)' ELSE ' (not competency)' END, ', ')
FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = '$schema.cp_partner_status'::regclass
  AND d.refclassid = 'pg_proc'::regclass
  AND d.refobjid IN (SELECT p.oid FROM pg_proc p WHERE p.proname = 'cp_status_partners')}),
		"$schema.cp_status_partners(date,integer,bigint[]) (competency)",
		"$label: cp_partner_status is bound to the extension's cp_status_partners"
		  . ($beside ? ', with the decoy cp_status_partners(date, integer, text) beside it' : ''));
	return;
}

# After the superuser did something: no decoy ran, mallory is no superuser.
# Reports (and undoes) what the decoys achieved, so later steps stand alone.
my %fired_in;
sub unharmed
{
	my ($db, $schema, $label) = @_;
	my $fired = $node->safe_psql($db, qq{
		SELECT pg_catalog.string_agg(decoy || ' (as ' || by_role || ')', E'\n' ORDER BY decoy)
		FROM $schema.mallory_fired});
	my $super = $node->safe_psql('postgres',
		q{SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'mallory'});
	diag("$label: decoys that ran:\n$fired") if $fired ne '';
	push @{ $fired_in{$_} }, $label for map { s/ \(as [^)]*\)$//r } split /\n/, $fired;
	is($fired, '', "$label: no decoy ran");
	is($super, 'f', "$label: mallory is not a superuser");
	$node->safe_psql('postgres', 'ALTER ROLE mallory NOSUPERUSER') if $super ne 'f';
	$node->safe_psql($db, "DELETE FROM $schema.mallory_fired");
	return;
}

# The superuser uses what the installed version has, with search_path = path:
# flagging (each kind of write, TRUNCATE included), cp_evaluate, cp_explain,
# the view, cp_evaluate_series, cp_membership_status and cp_explain_risk
# (over a membership whose end an association and a credential do not
# reach, so that every part of it runs), and with all, cp_refresh_levels
# and the usage and competency imports.  Under "schema, pg_catalog" only
# what must hold there: the inlinable SQL functions, the view, the functions
# that pin their search_path and the triggers.  Returns the output and what
# the version has.
sub use_extension
{
	my ($db, $schema, $path, $all) = @_;
	my %have = map { $_ => 1 } split /\n/, $node->safe_psql($db, qq{
		SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace = '$schema'::regnamespace
		UNION SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = '$schema'::regnamespace});
	my $uuid = '6f8f5771-5090-da26-3245-3988d9a1501b';
	my $tenant = "'$uuid'::uuid";
	my $tenant2 = q{'00000000-0000-0000-0000-0000000000a2'::uuid};
	my $sql = qq{
SET search_path = $path;
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing')
    ON CONFLICT DO NOTHING;
INSERT INTO cp_person VALUES (1, 1, 'Ann'), (2, 1, 'Bo') ON CONFLICT DO NOTHING;
INSERT INTO cp_association VALUES (1, $tenant, 'delegated_admin', DATE '2000-01-01', NULL),
                                  (1, $tenant, 'transacting_partner', DATE '2000-01-01', DATE '2999-01-01'),
                                  (1, $tenant2, 'delegated_admin', DATE '2000-01-01', DATE '2999-06-01');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', DATE '2000-01-01', NULL),
                                 (2, 'MCSA: Office 365', DATE '2000-01-01', DATE '2999-01-01');
TRUNCATE cp_usage;
INSERT INTO cp_usage VALUES ($tenant, 'EXO', 'E3', false, 4500, current_date),
                            ($tenant2, 'EXO', 'E3', false, 10, current_date);
SELECT 'level ' || level FROM cp_evaluate() WHERE partner_id OPERATOR(pg_catalog.=) 1;
SELECT 'short ' || entitlements_short::text || ' ' || individuals_short::text
FROM cp_evaluate() WHERE partner_id OPERATOR(pg_catalog.=) 2;
SELECT 'buckets ' || cp_tenant_bucket($tenant)::text || ' ' || cp_person_bucket(1)::text;
};
	$sql .= qq{INSERT INTO cp_membership VALUES (1, 'gold', DATE '2000-01-01', DATE '3000-01-01')
	           ON CONFLICT DO NOTHING;\n}
	  if $have{cp_membership};
	$sql .= qq{SELECT 'explain ' || pg_catalog.count(*)::text FROM cp_explain(1);\n}
	  if $have{cp_explain};
	$sql .= qq{SELECT 'membership ' || status FROM cp_membership_status(current_date)
	           WHERE partner_id OPERATOR(pg_catalog.=) 1;\n}
	  if $have{cp_membership_status};
	$sql .= qq{SELECT 'risk ' || pg_catalog.string_agg(kind, ' ' ORDER BY kind)
	           FROM cp_explain_risk(1::bigint, current_date);\n}
	  if $have{cp_explain_risk};
	$sql .= qq{SELECT 'status ' || level FROM cp_partner_status WHERE partner_id OPERATOR(pg_catalog.=) 1;\n}
	  if $have{cp_partner_status};
	$sql .= qq{SELECT 'series ' || level FROM cp_evaluate_series(current_date, current_date, '1 day')
	           WHERE partner_id OPERATOR(pg_catalog.=) 1;\n}
	  if $have{cp_evaluate_series};
	if ($all)
	{
		$sql .= qq{SELECT 'refresh ' || cp_refresh_levels()::text;\n};
		$sql .= qq{
INSERT INTO cp_partner_center_usage VALUES ('$uuid', 'Contoso', 'EXO', 'Exchange Online',
    '', '', '', 'E3', 'Office 365 E3', '100', '100', '2020-01-01T10:00:00');
INSERT INTO cp_partner_center_usage VALUES ('$uuid', 'Contoso', 'EXO', 'Exchange Online',
    '', '', '', 'E3', 'Office 365 E3', '-1', '100', '2020-01-01T10:00:00');
SELECT 'load ' || loaded::text || ' ' || rejected::text FROM cp_load_partner_center_usage();
} if $have{cp_load_partner_center_usage};
		# one that overlaps the membership, one of another competency
		$sql .= qq{
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Gold', 'Active', '2001-01-01T00:00:00Z', '2001-12-31T00:00:00Z'),
    ('Cloud Platform', 'Gold', 'Active', '2001-01-01T00:00:00Z', '2001-12-31T00:00:00Z');
SELECT 'competency ' || loaded::text || ' ' || rejected::text FROM cp_load_partner_center_competency(1::bigint);
} if $have{cp_load_partner_center_competency};
	}
	$sql .= qq{SELECT 'flagged ' || level FROM cp_partner_level WHERE partner_id OPERATOR(pg_catalog.=) 1;\n};
	my $out = $node->safe_psql($db, $sql);
	$out =~ s/^(explain|buckets|refresh) .*\n?//mg;
	return ($out, \%have);
}

###############################################################################
# The scenarios
###############################################################################

# A database where mallory may create in the schema (made if not public).
sub new_database
{
	my ($db, $schema) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE SCHEMA $schema") if $schema ne 'public';
	$node->safe_psql($db, "GRANT USAGE, CREATE ON SCHEMA $schema TO mallory");
	return;
}

sub extversion
{
	my ($db) = @_;
	return $node->safe_psql($db,
		q{SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'competency'});
}

# What cp_membership_status and cp_explain_risk say, where the version has
# them.
sub lifecycle_figures
{
	my ($out, $have, $label) = @_;
	like($out, qr/^membership (secure|at_risk|upgrade_available|in_grace)$/m,
		"$label: cp_membership_status") if $have->{cp_membership_status};
	like($out, qr/^risk association_ends credential_expires$/m, "$label: cp_explain_risk")
	  if $have->{cp_explain_risk};
	return;
}

# One step by the superuser, with fresh decoys before it; then the checks.
# The decoys whose types the step made are planted before the extension is
# used; the own-name ones are dropped first if the version is older than
# $fixed.
sub step
{
	my ($db, $schema, $label, $sql) = @_;
	my @planted = plant($db, $schema, $label);
	$node->safe_psql($db, $sql);
	unharmed($db, $schema, $label);
	nothing_bound($db, $schema, $label, @planted);
	is($node->safe_psql($db, "SELECT $schema.cp_level('developed', 4000, 2)"),
		'gold', "$label: the extension works");

	my $v = extversion($db);
	plant($db, $schema, "$label ($v), before use") if plantable($db, $schema) > @planted;
	if (vcmp($v, $fixed) < 0)
	{
		drop_own($db, $schema, "$label ($v)");
	}
	else
	{
		is(own_planted($db, $schema), scalar(@own),
			"$label ($v): all " . scalar(@own) . ' own-name decoys stay planted while it is used');
	}

	my ($out, $have) = use_extension($db, $schema, $schema, 1);
	like($out, qr/^level gold$/m, "$label ($v): used with search_path = $schema");
	like($out, qr/^short 1000 1$/m, "$label ($v): what a partner without data still needs");
	unlike($out, qr/^(status|series|flagged) (?!gold)/m, "$label ($v): every figure gold") or diag($out);
	lifecycle_figures($out, $have, "$label ($v), search_path = $schema");
	like($out, qr/^load 1 1$/m, "$label ($v): the usage import loads and rejects")
	  if $have->{cp_load_partner_center_usage};
	like($out, qr/^competency 0 2$/m, "$label ($v): the competency import rejects")
	  if $have->{cp_load_partner_center_competency};
	unharmed($db, $schema, "$label, used with search_path = $schema");

	($out, $have) = use_extension($db, $schema, "$schema, pg_catalog", 0);
	like($out, qr/^level gold$/m, "$label ($v): used with search_path = $schema, pg_catalog");
	lifecycle_figures($out, $have, "$label ($v), search_path = $schema, pg_catalog");
	unharmed($db, $schema, "$label, used with search_path = $schema, pg_catalog");
	return;
}

# At the newest version: mallory's aggregate of the very signature of one of
# the extension's own is refused (42723), and the extension's stays.
sub twins_refused
{
	my ($db, $schema, $label) = @_;
	for my $name (sort keys %twin)
	{
		my $sig = "$name($twin{$name}[0])";
		my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n" . in_schema(twin_sql($name), $schema),
			extra_params => [ '-U', 'mallory' ]);
		like($err, qr/ERROR:  42723: .*\Q$name\E/, "$label: mallory cannot create $sig beside the extension's (42723)");
		is($node->safe_psql($db, qq{
SET search_path = pg_catalog, pg_temp;
SELECT EXISTS (SELECT FROM pg_depend e
               WHERE e.classid = 'pg_proc'::regclass AND e.objid = to_regprocedure('$schema.$sig')
                 AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e')}),
			't', "$label: $sig is the extension's");
	}
	unharmed($db, $schema, "$label, after the attempts");
	return;
}

# In a database of its own: mallory's aggregate of the very signature of one
# of $fixed's own, planted before the update to $fixed, makes the update
# fail (42723) rather than take its place; once she drops it, the update
# succeeds.
sub twin_before_fix
{
	my ($schema) = @_;
	my ($i) = grep { $versions[$_] eq $fixed } 0 .. $#versions;
	if (!$i)
	{
		note("no version before $fixed to update from");
		return;
	}
	my $before = $versions[ $i - 1 ];
	my $db = 'twin_' . $schema;
	new_database($db, $schema);
	# the chain of update scripts (as the walk), not an install script of $before
	$node->safe_psql($db, "CREATE EXTENSION competency VERSION '$versions[0]' SCHEMA $schema");
	$node->safe_psql($db, "ALTER EXTENSION competency UPDATE TO '$before'") if $i > 1;
	$node->safe_psql($db, in_schema($strike, $schema), extra_params => [ '-U', 'mallory' ]);
	for my $name (sort keys %twin)
	{
		my $sig = "$name($twin{$name}[0])";
		my $label = "$schema: $sig planted at $before";
		$node->safe_psql($db, in_schema(twin_sql($name), $schema), extra_params => [ '-U', 'mallory' ]);
		my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\nALTER EXTENSION competency UPDATE TO '$fixed'");
		like($err, qr/ERROR:  42723: .*\Q$name\E/, "$label: the update to $fixed is refused (42723)");
		unharmed($db, $schema, "$label, the update tried");
		is(extversion($db), $before, "$label: still at $before");
		$node->safe_psql($db, in_schema("DROP AGGREGATE \@S\@.$sig;", $schema),
			extra_params => [ '-U', 'mallory' ]);
	}
	$node->safe_psql($db, "ALTER EXTENSION competency UPDATE TO '$fixed'");
	unharmed($db, $schema, "$schema: the update to $fixed once the twins are dropped");
	is(extversion($db), $fixed, "$schema: the update to $fixed succeeds once the twins are dropped");
	return;
}

for my $schema ('shared', 'public')
{
	# (a) the default version, fresh
	my $db = 'fresh_' . $schema;
	new_database($db, $schema);
	step($db, $schema, "$schema: CREATE EXTENSION ($default)",
		"CREATE EXTENSION competency SCHEMA $schema");

	# (b) the oldest, then every next version in turn
	$db = 'walk_' . $schema;
	new_database($db, $schema);
	step($db, $schema, "$schema: CREATE EXTENSION VERSION '$versions[0]'",
		"CREATE EXTENSION competency VERSION '$versions[0]' SCHEMA $schema");
	for my $i (1 .. $#versions)
	{
		my ($from, $to) = @versions[ $i - 1, $i ];
		is($node->safe_psql($db, qq{
			SELECT path IS NOT NULL FROM pg_catalog.pg_extension_update_paths('competency')
			WHERE source = '$from' AND target = '$to'}),
			't', "$schema: an update path $from -> $to");
		step($db, $schema, "$schema: ALTER EXTENSION UPDATE TO '$to'",
			"ALTER EXTENSION competency UPDATE TO '$to'");
	}
	is(extversion($db), $versions[-1], "$schema: the walk reached $versions[-1]");
	twins_refused($db, $schema, "$schema: at $versions[-1]") if vcmp($versions[-1], $fixed) >= 0;
	twins_refused("fresh_$schema", $schema, "$schema: fresh ($default)")
	  if $default eq $versions[-1] && vcmp($default, $fixed) >= 0;

	# (c) a twin of an aggregate of $fixed's, planted before the update to it
	twin_before_fix($schema);
}

diag('decoys that ran in some step: ' . join('; ', map { "$_ (" . scalar(@{ $fired_in{$_} }) . ')' } sort keys %fired_in))
  if %fired_in;
note('runtime: ' . (time - $start_time) . ' s');

$node->stop;
done_testing();
