# Hijacking the install and upgrade scripts (SPEC section 8).  While
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
# catches that.
#
# Every decoy is first shown to be reachable: mallory calls each unqualified
# (where her own ALTER ROLE fails), and each must record the call.
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
# where the schema comes before pg_catalog.  needs: a type that must exist
# (the extension's) before the decoy can be planted.  probe: an unqualified
# call that reaches the decoy.
###############################################################################

my @decoys;
my $opno = 0;

# A decoy function: name(args) returning ret, doing real (over $1, $2, ...).
sub decoy_function
{
	my (%d) = @_;
	my $label = "$d{name}($d{args})";
	my $body =
	    $d{returns} =~ /^SETOF / ? "RETURN QUERY SELECT * FROM $d{real};"
	  : $d{returns} eq 'void'    ? "PERFORM $d{real};"
	  :                            "RETURN $d{real};";
	my $guard = $d{guard} // '';
	push @decoys, {
		label => $label,
		kind => $d{kind} // 'better',
		needs => $d{needs},
		probe => $d{probe},
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

# mallory (re)plants every decoy whose types exist, calls each one and checks
# that it recorded the call; returns the number planted.
sub plant
{
	my ($db, $schema, $label) = @_;
	my %have = map { $_ => 1 } split /\n/, $node->safe_psql($db, qq{
		SELECT t.typname FROM pg_catalog.pg_type t
		JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
		WHERE n.nspname = '$schema'});
	my @planted = grep { !$_->{needs} || $have{ $_->{needs} } } @decoys;
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
	return scalar @planted;
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

# The superuser uses what the installed version has, with search_path = path.
# Under "schema, pg_catalog" only what must hold there: the inlinable SQL
# functions, the view, and the triggers (pinned search_path).
sub use_extension
{
	my ($db, $schema, $path, $all) = @_;
	my %have = map { $_ => 1 } split /\n/, $node->safe_psql($db, qq{
		SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace = '$schema'::regnamespace
		UNION SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = '$schema'::regnamespace});
	my $uuid = '6f8f5771-5090-da26-3245-3988d9a1501b';
	my $tenant = "'$uuid'::uuid";
	my $sql = qq{
SET search_path = $path;
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing')
    ON CONFLICT DO NOTHING;
INSERT INTO cp_person VALUES (1, 1, 'Ann'), (2, 1, 'Bo') ON CONFLICT DO NOTHING;
INSERT INTO cp_association VALUES (1, $tenant, 'delegated_admin', DATE '2000-01-01', NULL),
                                  (1, $tenant, 'transacting_partner', DATE '2000-01-01', DATE '2999-01-01');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', DATE '2000-01-01', NULL),
                                 (2, 'MCSA: Office 365', DATE '2000-01-01', DATE '2999-01-01');
INSERT INTO cp_usage VALUES ($tenant, 'EXO', 'E3', false, 4500, current_date);
SELECT 'level ' || level FROM cp_evaluate() WHERE partner_id OPERATOR(pg_catalog.=) 1;
SELECT 'short ' || entitlements_short::text || ' ' || individuals_short::text
FROM cp_evaluate() WHERE partner_id OPERATOR(pg_catalog.=) 2;
SELECT 'buckets ' || cp_tenant_bucket($tenant)::text || ' ' || cp_person_bucket(1)::text;
};
	$sql .= qq{SELECT 'explain ' || pg_catalog.count(*)::text FROM cp_explain(1);\n}
	  if $have{cp_explain};
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
	}
	$sql .= qq{SELECT 'flagged ' || level FROM cp_partner_level WHERE partner_id OPERATOR(pg_catalog.=) 1;\n};
	my $out = $node->safe_psql($db, $sql);
	$out =~ s/^(explain|buckets|refresh) .*\n?//mg;
	return $out;
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

# One step by the superuser, with fresh decoys before it; then the checks.
sub step
{
	my ($db, $schema, $label, $sql) = @_;
	plant($db, $schema, $label);
	$node->safe_psql($db, $sql);
	unharmed($db, $schema, $label);
	is($node->safe_psql($db, "SELECT $schema.cp_level('developed', 4000, 2)"),
		'gold', "$label: the extension works");

	my $v = $node->safe_psql($db, q{SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'competency'});
	my $out = use_extension($db, $schema, $schema, 1);
	like($out, qr/^level gold$/m, "$label ($v): used with search_path = $schema");
	like($out, qr/^short 1000 1$/m, "$label ($v): what a partner without data still needs");
	unlike($out, qr/^(status|series|flagged) (?!gold)/m, "$label ($v): every figure gold") or diag($out);
	like($out, qr/^load 1 1$/m, "$label ($v): the usage import loads and rejects")
	  if $out =~ /^load /m;
	unharmed($db, $schema, "$label, used with search_path = $schema");

	$out = use_extension($db, $schema, "$schema, pg_catalog", 0);
	like($out, qr/^level gold$/m, "$label ($v): used with search_path = $schema, pg_catalog");
	unharmed($db, $schema, "$label, used with search_path = $schema, pg_catalog");
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
	is($node->safe_psql($db, q{SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'competency'}),
		$versions[-1], "$schema: the walk reached $versions[-1]");
}

diag('decoys that ran in some step: ' . join('; ', map { "$_ (" . scalar(@{ $fired_in{$_} }) . ')' } sort keys %fired_in))
  if %fired_in;
note('runtime: ' . (time - $start_time) . ' s');

$node->stop;
done_testing();
