# Whatever table privileges a non-superuser holds, no role gains any right
# of the tables' owner, written as the attacks.
#
# The low-privilege role mallory holds GRANT ALL ON ALL TABLES IN SCHEMA of
# the extension (every table and view: SELECT, INSERT, UPDATE, DELETE,
# TRUNCATE, REFERENCES, TRIGGER), EXECUTE on what the README's reader and
# loader run, a schema of her own, and CREATE on the database; the tables
# she owns a superuser made and gave her (ALTER TABLE ... OWNER TO), as she
# may create none.  The extension is in public (where she may also create
# objects) in one database and in a schema of its own, comp, in another.
# Every attack tries ALTER ROLE ... SUPERUSER for the session's login in
# whatever code of the attacker's it gets run (the strike, as in
# 007_hijack.pl), which records who ran it; after each attack no role but
# the bootstrap superuser is a superuser, nothing of the attackers' ran with
# a superuser's rights (not even in a command that failed afterwards: the
# strike's notices are read too), and the attack got its refusal:
#
# - REFERENCES: PostgreSQL checks a referencing row with the rights of the
#   referenced table's owner, casting the key to the referenced type, so a
#   foreign key from a column of a role's enum with its implicit cast to
#   bigint (the audit's attack) would run the cast as a superuser, and a
#   key added to a table that already holds rows is checked during the
#   command itself.  So a role that may reference a table of the extension
#   (mallory; trudy, who holds REFERENCES on cp_partner only and has an
#   enum and cast of her own; peggy, through a role she is a member of)
#   creates and alters no table: CREATE TABLE, CREATE TEMP TABLE, ALTER
#   TABLE of a table she owns and CREATE SCHEMA are 42501 before they run,
#   naming the role and a table it may reference.  So is every way to make
#   a key (CREATE TABLE, ALTER TABLE ... ADD FOREIGN KEY, NOT VALID and
#   VALIDATE CONSTRAINT, a partitioned table, ATTACH PARTITION of a table
#   with a row to a parent with a key and a partition of it, CREATE SCHEMA
#   ... CREATE TABLE, a plain bigint key too), on tables a superuser gave
#   them holding a row, also after mallory revoked her own SELECT on them
#   (when the role may not read both tables PostgreSQL checks the rows as
#   the referenced table's owner): their casts never run.  oscar, who may
#   reference nothing, creates tables; a key a superuser makes on his (a
#   plain bigint) stops flagging (42501) and every role's CREATE and ALTER
#   TABLE (his ALTER COLUMN TYPE, which would rebuild and check the key,
#   too) until it is dropped, and his inserts run nothing of his as a
#   superuser.  Nor does his running a SECURITY DEFINER function of
#   mallory's that adds a key to her table.
# - TRIGGER: CREATE TRIGGER and CREATE CONSTRAINT TRIGGER on every table
#   and view of the extension are 42501.
# - INSERT, UPDATE, DELETE, TRUNCATE: she writes every data table so that
#   the extension's SECURITY DEFINER code runs (flagging, cascades from
#   cp_partner, TRUNCATE ... CASCADE, the imports), with decoys planted: in
#   her schema and, where she may, in the extension's, functions named like
#   every function the extension's code calls (other argument types) and
#   like the built-ins it calls, operators and aggregates, and temporary
#   views named like its tables and transition tables.  None runs as a
#   superuser.  The flag tables her grant lets her write do not make
#   flagging store wrong levels afterwards.
# - SELECT: her leaky function in a WHERE over the staging views shows no
#   other loader's staged rows.
# - PUBLIC and memory: a role with only CONNECT runs no function or
#   aggregate of the extension (none is executable by PUBLIC); a role allowed
#   the aggregate, with competency.max_state_memory set to 1MB for it by a
#   superuser, gets 54000 over 200,000 keys, and its backend's memory is
#   back afterwards.
#
# Then: CREATE EXTENSION and ALTER EXTENSION UPDATE (1.4 to 1.5) warn,
# naming them, when roles that are not superusers may create objects in the
# target schema (a database owned by such a role included), and not when
# only superusers can; and the competency import takes linear time (8,000
# rows at most 5 times 2,000) with the counts the rules give.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $start_time = Time::HiRes::time();

my $node = PostgreSQL::Test::Cluster->new('privileges');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE ROLE mallory LOGIN;  -- GRANT ALL on the extension's tables
	CREATE ROLE trudy LOGIN;    -- REFERENCES on cp_partner only
	CREATE ROLE oscar LOGIN;    -- no REFERENCES: his own tables
	CREATE ROLE referrers;      -- REFERENCES on a column of cp_person
	CREATE ROLE peggy LOGIN IN ROLE referrers;
	CREATE ROLE loader2 LOGIN;  -- the README's loader
	CREATE ROLE nobody LOGIN;   -- what PUBLIC has: CONNECT
	CREATE ROLE counter LOGIN;  -- EXECUTE on cp_active_entitlements
	CREATE ROLE alice LOGIN;    -- owns a database
	ALTER ROLE counter SET competency.max_state_memory = '1MB';
	GRANT pg_read_all_stats TO counter;
});

###############################################################################
# Helpers
###############################################################################

# The superuser, with search_path pg_catalog only: the decoys mallory plants
# in the extension's schema must not be what the test's own queries call.
sub su
{
	my ($db, $sql) = @_;
	return $node->safe_psql($db, "SET search_path = pg_catalog;\n$sql");
}

# psql as a role, errors with their SQLSTATE, not stopping at errors.
sub as_role
{
	my ($db, $role, $sql) = @_;
	my ($rc, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n$sql",
		on_error_stop => 0, extra_params => [ '-U', $role ]);
	return ($out, $err);
}

# The SQLSTATEs of the errors in a verbose stderr.
sub sqlstates
{
	my ($err) = @_;
	return join(' ', $err =~ /^(?:psql:[^:]*:\d+: )?ERROR:  ([0-9A-Z]{5}):/mg);
}

# After an attack: nothing of the attackers' ran with a superuser's rights
# (the log, and the strike's notices in $err: a command that failed later
# rolled its log back), no role but the bootstrap superuser is a superuser
# (undone if so, so that later attacks stand alone).
sub unharmed
{
	my ($db, $label, $err) = @_;
	my $fired = su($db, q{
		SELECT coalesce(string_agg(decoy || ' (as ' || by_role || ')', '; ' ORDER BY decoy), '')
		FROM mallory_s.mallory_fired WHERE as_super});
	$fired .= ' [notices: ' . join('; ', $err =~ /mallory_strike: (.* superuser: t)$/mg) . ']'
	  if defined $err && $err =~ /mallory_strike: .* superuser: t$/m;
	is($fired, '', "$label: nothing of the attackers' ran with a superuser's rights");
	my $supers = su('postgres', q{
		SELECT coalesce(string_agg(rolname, ', ' ORDER BY rolname), '')
		FROM pg_roles WHERE rolsuper AND oid <> 10});
	is($supers, '', "$label: no role but the bootstrap superuser is a superuser");
	su('postgres', join('', map { "ALTER ROLE $_ NOSUPERUSER;\n" } split /, /, $supers)) if $supers ne '';
	su($db, 'DELETE FROM mallory_s.mallory_fired WHERE as_super');
	return;
}

# The superuser runs $sql, then gives $role every table in ${role}_s: the
# roles that may reference the extension's tables may create none.
sub give
{
	my ($db, $role, $sql) = @_;
	su($db, $sql . qq{
SELECT format('ALTER TABLE %s OWNER TO %I', c.oid::regclass, '$role')
FROM pg_class c
WHERE c.relnamespace = '${role}_s'::regnamespace AND c.relkind IN ('r', 'p') AND c.relowner <> '$role'::regrole
\\gexec
});
	return;
}

# Each statement through mallory_s.attempt() (as $role): its label and
# 'ok' or the SQLSTATE and message of its error, one per line.
sub attempts
{
	my ($db, $role, $prefix, @statements) = @_;
	my $sql = $prefix;
	while (my ($label, $stmt) = splice(@statements, 0, 2))
	{
		$sql .= "SELECT \$l\$$label\$l\$, mallory_s.attempt(\$s\$$stmt\$s\$);\n";
	}
	my ($out, $err) = as_role($db, $role, $sql);
	my %got = map { split /\|/, $_, 2 } grep { /\|/ } split /\n/, $out;
	return (\%got, $err);
}

# Stored levels and statuses that differ from a fresh evaluation as of
# flagging's today (superuser); '' when they all agree.
sub disagreements
{
	my ($db, $s) = @_;
	return su($db, qq{
		SELECT coalesce(string_agg(e.partner_id || ': ' || coalesce(pl.level::text, 'none') || ' stored, '
		                           || e.level::text || ' evaluated', '; ' ORDER BY e.partner_id), '')
		FROM $s.cp_evaluate($s.cp_flagging_date()) e
		LEFT JOIN $s.cp_partner_level pl ON pl.partner_id = e.partner_id
		WHERE coalesce(pl.level::text, 'none') <> e.level::text}) . su($db, qq{
		SELECT coalesce(string_agg(m.partner_id || ': status ' || coalesce(pl.status, 'not_held') || ' stored, '
		                           || m.status || ' evaluated', '; ' ORDER BY m.partner_id), '')
		FROM $s.cp_membership_status($s.cp_flagging_date()) m
		LEFT JOIN $s.cp_partner_level pl ON pl.partner_id = m.partner_id
		WHERE coalesce(pl.status, 'not_held') <> m.status});
}

# The functions the README's reader role is granted (its role model, as
# sql/roles.sql has it): what readers call, then what those run.
my $reader_functions = q{
    cp_evaluate(date), cp_evaluate_partners(date, integer, bigint[]), cp_explain(bigint, date),
    cp_evaluate_series(date, date, interval), cp_membership_status(date), cp_explain_risk(bigint, date),
    cp_level(cp_market, bigint, integer), cp_next_level(competency_level),
    cp_required_entitlements(competency_level, cp_market), cp_required_individuals(competency_level),
    cp_workload(text), cp_credential(text), cp_is_cloud_productivity(text), cp_granted_level(text),
    cp_active_entitlements(anyelement, text, text, bigint, boolean, date),
    cp_qualified_individuals(anyelement, text),
    cp_usage_window(), cp_flagging_window(), cp_flagging_date(), cp_grace_days(),
    cp_rule_set_on(date), cp_evaluate(date, text), cp_level(cp_market, bigint, integer, text),
    cp_required_entitlements(competency_level, cp_market, text), cp_required_individuals(competency_level, text),
    cp_workload(text, text), cp_credential(text, text),
    cp_active_entitlements(anyelement, text, text, bigint, boolean, date, text),
    cp_qualified_individuals(anyelement, text, text),
    -- and what those run
    cp_partner_figures(date, integer, bigint[], boolean, text), cp_partner_usage(date, integer, bigint[], boolean, text),
    cp_next_targets(competency_level, cp_market, bigint, integer, text),
    cp_partner_credentials(date, bigint[], boolean, text), cp_held(date, bigint[]), cp_in_period(date, date, date),
    cp_series_dates(date, date, interval), cp_window_start(date, integer, text), cp_require_date(date, text),
    cp_usage_entitlements(uuid, text, text, bigint, boolean, date, text), cp_credential_individuals(bigint, text, text),
    cp_rule_kinds(text), cp_kind_counted(cp_association_kind, text), cp_rule_sets_dated(), cp_rule_sets_usable(),
    cp_associated_on(bigint, uuid, date, text), cp_qualified_on(bigint, date, date, text),
    cp_risk_tenants(bigint, date, date, text), cp_risk_persons(bigint, date, date, text)};
my @rule_tables = qw(cp_rule_set cp_rule_threshold cp_rule_workload cp_rule_credential cp_rule_association);

my $T1 = '00000000-0000-0000-0000-000000000001';
my $T2 = '00000000-0000-0000-0000-000000000002';
my $T10 = '00000000-0000-0000-0000-000000000010';
my $T11 = '00000000-0000-0000-0000-000000000011';

###############################################################################
# A database with the extension in schema $s, the roles' grants, some data,
# and mallory's tools: the strike, its log (a table the superuser gives
# her), attempt(), a trigger function, her enum with an implicit cast to
# bigint, a leaky function; trudy's and oscar's enums and casts, the audit's.
###############################################################################

sub setup_run
{
	my ($db, $s, $create_in_ext) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, ($s ne 'public' ? "CREATE SCHEMA $s;\n" : '') . qq{
CREATE EXTENSION competency SCHEMA $s;
SET search_path = $s, pg_catalog;
GRANT USAGE ON SCHEMA $s TO mallory, trudy, oscar, loader2, nobody, counter;
GRANT CREATE ON DATABASE $db TO mallory;
GRANT ALL ON ALL TABLES IN SCHEMA $s TO mallory;
GRANT REFERENCES ON cp_partner TO trudy;
GRANT REFERENCES (person_id) ON cp_person TO referrers;
CREATE SCHEMA mallory_s AUTHORIZATION mallory;
CREATE SCHEMA trudy_s AUTHORIZATION trudy;
CREATE SCHEMA oscar_s AUTHORIZATION oscar;
GRANT USAGE ON SCHEMA mallory_s TO PUBLIC;
-- the strike's log: hers, made by the superuser (she may create no table)
CREATE TABLE mallory_s.mallory_fired (
    decoy    text NOT NULL,
    by_role  name NOT NULL,
    as_super boolean NOT NULL
);
ALTER TABLE mallory_s.mallory_fired OWNER TO mallory;
GRANT SELECT, INSERT ON mallory_s.mallory_fired TO PUBLIC;
-- mallory runs what the README's reader and loader run (sql/roles.sql)
GRANT EXECUTE ON FUNCTION $reader_functions,
    cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint), cp_staging_role()
    TO mallory;
-- loader2: the README's loader
GRANT INSERT ON cp_usage TO loader2;
GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage, cp_partner_center_competency TO loader2;
GRANT SELECT ON cp_partner_center_reject, cp_partner_center_competency_reject TO loader2;
GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint),
                          cp_staging_role() TO loader2;
-- counter: the aggregate alone
GRANT EXECUTE ON FUNCTION cp_active_entitlements(anyelement, text, text, bigint, boolean, date) TO counter;
-- Contoso gold, Fabrikam silver (developing), Contoso's membership silver
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing');
INSERT INTO cp_association VALUES (1, '$T1', 'delegated_admin', current_date - 30, NULL),
                                  (2, '$T2', 'transacting_partner', current_date - 30, NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann'), (2, 1, 'Bo'), (3, 2, 'Cy');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', current_date - 30, NULL),
                                 (2, '70-346', current_date - 30, NULL), (2, '70-347', current_date - 30, NULL),
                                 (3, 'MCSA: Office 365', current_date - 30, NULL);
INSERT INTO cp_usage VALUES ('$T1', 'EXO', 'E3', false, 4500, current_date - 1),
                            ('$T2', 'SPO', 'E1', false, 1200, current_date - 1);
INSERT INTO cp_membership VALUES (1, 'silver', current_date - 100, current_date + 265);
} . ($create_in_ext ? "GRANT CREATE ON SCHEMA $s TO mallory;\n" : ''));

	$node->safe_psql($db, q{
-- The attack: whoever runs it tries to make the attacker (the session's
-- login: mallory, trudy, oscar) a superuser, and records the try.
CREATE FUNCTION mallory_s.mallory_strike(d text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $strike$
DECLARE
    won boolean := true;
BEGIN
    IF EXISTS (SELECT FROM mallory_s.mallory_fired f
               WHERE f.decoy OPERATOR(pg_catalog.=) d
                 AND f.by_role OPERATOR(pg_catalog.=) current_user) THEN
        RETURN true;
    END IF;
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', session_user);
    EXCEPTION WHEN OTHERS THEN
        won := false;
    END;
    RAISE NOTICE 'mallory_strike: % ran as %, superuser: %', d, current_user, won;
    INSERT INTO mallory_s.mallory_fired VALUES (d, current_user, won);
    RETURN true;
END
$strike$;
-- 'ok', or the SQLSTATE and message of the statement's error
CREATE FUNCTION mallory_s.attempt(sql text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$f$;
CREATE FUNCTION mallory_s.mallory_trigger() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM mallory_s.mallory_strike('trigger on ' || TG_TABLE_NAME);
    RETURN NULL;
END
$f$;
-- the audit's attack: a cast of her own that a foreign key check would use
CREATE TYPE mallory_s.evil AS ENUM ('1', '2');
CREATE FUNCTION mallory_s.evil_to_bigint(e mallory_s.evil) RETURNS bigint
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM mallory_s.mallory_strike('cast mallory_s.evil to bigint');
    RETURN e::text::bigint;
END
$f$;
CREATE CAST (mallory_s.evil AS bigint) WITH FUNCTION mallory_s.evil_to_bigint(mallory_s.evil) AS IMPLICIT;
-- a leaky function: prints whatever it is given
CREATE FUNCTION mallory_s.leak(VARIADIC v text[]) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $f$
BEGIN
    RAISE NOTICE 'leaked: %', v;
    RETURN true;
END
$f$;
}, extra_params => [ '-U', 'mallory' ]);

	# The audit's attack, trudy's and oscar's own: an enum, and a cast to
	# bigint, implicit, that strikes.
	for my $r ('trudy', 'oscar')
	{
		$node->safe_psql($db, qq{
CREATE TYPE ${r}_s.evil AS ENUM ('1', '2');
CREATE FUNCTION ${r}_s.evil_to_bigint(e ${r}_s.evil) RETURNS bigint
LANGUAGE plpgsql AS \$f\$
BEGIN
    PERFORM mallory_s.mallory_strike('cast ${r}_s.evil to bigint');
    RETURN e::text::bigint;
END
\$f\$;
CREATE CAST (${r}_s.evil AS bigint) WITH FUNCTION ${r}_s.evil_to_bigint(${r}_s.evil) AS IMPLICIT;
}, extra_params => [ '-U', $r ]);
	}
	return;
}

###############################################################################
# The decoys.  @S@ stands for the extension's schema.  Each one tries the
# strike and returns nothing useful; none must ever run as a superuser.
###############################################################################

# Built-ins the extension's code calls, in versions that match its calls
# better (concrete types where pg_catalog's are polymorphic or variadic) or
# exactly (pg_catalog's very signature: found only where a schema comes
# before pg_catalog in search_path).
my @builtin_functions = (
	# name, argument types, result
	[ 'format', 'text,text', 'text' ],
	[ 'format', 'text,text,text', 'text' ],
	[ 'format', 'text,name', 'text' ],
	[ 'concat', 'text,text', 'text' ],
	[ 'jsonb_build_object', 'text,bigint', 'jsonb' ],
	[ 'pg_notify', 'text,text', 'void' ],
	[ 'unnest', 'bigint[]', 'SETOF bigint' ],
	[ 'unnest', 'integer[]', 'SETOF integer' ],
	[ 'unnest', 'uuid[]', 'SETOF uuid' ],
	[ 'unnest', 'text[]', 'SETOF text' ],
	[ 'unnest', 'date[]', 'SETOF date' ],
	[ 'unnest', '@S@.competency_level[]', 'SETOF @S@.competency_level' ],
	[ 'cardinality', 'bigint[]', 'integer' ],
	[ 'cardinality', 'integer[]', 'integer' ],
	[ 'cardinality', 'uuid[]', 'integer' ],
	[ 'btrim', 'text,text', 'text' ],
	[ 'now', '', 'timestamp with time zone' ],
	[ 'has_table_privilege', 'oid,text', 'boolean' ],
	[ 'int8range', 'bigint,bigint,text', 'int8range' ],
	[ 'daterange', 'date,date', 'daterange' ],
	[ 'octet_length', 'text', 'integer' ],
	[ 'isfinite', 'date', 'boolean' ]);
my @builtin_operators = (
	# operator, left, right, result
	(map { [ $_, '@S@.competency_level', '@S@.competency_level', 'boolean' ] } qw(= <> < > <= >=)),
	[ '=', '@S@.cp_market', '@S@.cp_market', 'boolean' ],
	[ '=', '@S@.cp_association_kind', '@S@.cp_association_kind', 'boolean' ],
	[ '&&', 'daterange', 'daterange', 'boolean' ],
	[ '&&', 'int8range', 'int8range', 'boolean' ],
	[ '=', 'oid', 'regclass', 'boolean' ],
	(map { [ $_, 'bigint', 'bigint', 'boolean' ] } qw(= <>)),
	(map { [ $_, 'date', 'date', 'boolean' ] } qw(= < <= > >=)),
	[ '=', 'uuid', 'uuid', 'boolean' ],
	[ '=', 'text', 'text', 'boolean' ],
	[ '<>', 'text', 'text', 'boolean' ],
	[ '=', 'name', 'name', 'boolean' ],
	[ '=', 'name', 'text', 'boolean' ],
	[ '~*', 'text', 'text', 'boolean' ],
	[ '!~', 'text', 'text', 'boolean' ],
	[ '!~*', 'text', 'text', 'boolean' ],
	[ '+', 'date', 'integer', 'date' ],
	[ '-', 'date', 'integer', 'date' ],
	[ '-', 'bigint', 'bigint', 'bigint' ]);
my @builtin_aggregates = (
	# name, argument type, state (and result) type
	[ 'count', 'bigint', 'bigint' ],
	[ 'array_agg', 'bigint', 'bigint[]' ],
	[ 'array_agg', 'text', 'text[]' ],
	[ 'array_agg', 'date', 'date[]' ],
	[ 'array_agg', '@S@.competency_level', '@S@.competency_level[]' ],
	[ 'min', 'bigint', 'bigint' ],
	[ 'bool_or', 'boolean', 'boolean' ],
	[ 'sum', 'integer', 'bigint' ]);

# The decoys for schema $in: the built-ins above, and, for every function of
# the extension its own code calls ($s.name(...) in a body, read from the
# catalog), the same name with other argument types: all text (what a
# literal would match), and concrete types where the real one is
# polymorphic.  Returns (SQL, [label, probe]...).
sub decoys
{
	my ($db, $s, $in) = @_;
	my ($sql, @probes) = ('');
	my $n = 0;
	my $fn = sub {
		my ($name, $args, $result) = @_;
		my @types = grep { $_ ne '' } split /,/, $args;
		my $label = "$in.$name(" . join(',', @types) . ')';
		my $setof = $result =~ /^(SETOF |TABLE\()/;
		my $ret = $setof || $result eq 'void' ? 'RETURN;' : 'RETURN NULL;';
		$sql .= qq{
CREATE FUNCTION $in.$name(@{[ join(', ', @types) ]}) RETURNS $result
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM mallory_s.mallory_strike('$label');
    $ret
END
\$decoy\$;};
		my $call = "$in.$name(" . join(', ', map { "NULL::$_" } @types) . ')';
		push @probes, [ $label, $setof ? "SELECT count(*) FROM $call" : "SELECT $call" ];
	};
	for my $f (@builtin_functions)
	{
		$fn->(map { s/\@S\@/$s/gr } @$f);
	}
	for my $o (@builtin_operators)
	{
		my ($op, $l, $r, $result) = map { s/\@S\@/$s/gr } @$o;
		my $f = 'mallory_op_' . ++$n;
		my $label = "$in.operator $op($l,$r)";
		$sql .= qq{
CREATE FUNCTION $in.$f(l $l, r $r) RETURNS $result
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM mallory_s.mallory_strike('$label');
    RETURN NULL;
END
\$decoy\$;
CREATE OPERATOR $in.$op (LEFTARG = $l, RIGHTARG = $r, FUNCTION = $in.$f);};
		push @probes, [ $label, "SELECT NULL::$l OPERATOR($in.$op) NULL::$r" ];
	}
	for my $a (@builtin_aggregates)
	{
		my ($name, $arg, $stype) = map { s/\@S\@/$s/gr } @$a;
		my $f = 'mallory_agg_' . ++$n;
		my $label = "$in.aggregate $name($arg)";
		$sql .= qq{
CREATE FUNCTION $in.$f(acc $stype, v $arg) RETURNS $stype
LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM mallory_s.mallory_strike('$label');
    RETURN acc;
END
\$decoy\$;
CREATE AGGREGATE $in.$name($arg) (SFUNC = $in.$f, STYPE = $stype);};
		push @probes, [ $label, "SELECT $in.$name(x) FROM (VALUES (NULL::$arg)) v(x)" ];
	}
	my @called = split /\n/, su($db, qq{
		WITH calls AS (
		    SELECT DISTINCT m[1] AS callee
		    FROM pg_proc p, regexp_matches(p.prosrc, '\\m$s\\.(cp_\\w+)\\s*\\(', 'g') m
		    WHERE p.pronamespace = '$s'::regnamespace)
		SELECT p.proname || '|' || array_to_string(ARRAY(
		           SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)
		           ORDER BY i), ',') || '|' || pg_get_function_result(p.oid)
		FROM calls c JOIN pg_proc p ON p.proname = c.callee AND p.pronamespace = '$s'::regnamespace
		WHERE p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
		  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
		ORDER BY 1});
	my %seen;
	for my $c (@called)
	{
		my ($name, $args, $result) = split /\|/, $c;
		my @types = grep { $_ ne '' } split /,/, $args;
		next unless @types;
		my @variants;
		push @variants, [ map { 'text' } @types ] if grep { $_ ne 'text' } @types;
		push @variants, [ map { /^any/ ? 'bigint' : $_ } @types ] if grep { /^any/ } @types;
		for my $v (@variants)
		{
			my $args2 = join(',', @$v);
			$fn->($name, $args2, $result) unless $seen{"$name($args2)"}++;
		}
	}
	return ($sql, @probes);
}

# The temporary views mallory's write sessions start with: named like the
# extension's tables and views and like the transition tables its trigger
# function reads (new_rows, old_rows); pg_temp comes first for relations in
# her own session, last in the extension's pinned search_path.
sub temp_decoys
{
	my ($db, $s) = @_;
	my @rels = split /\n/, su($db, qq{
		SELECT c.relname FROM pg_class c
		JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
		JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
		WHERE c.relkind IN ('r', 'p', 'v') ORDER BY 1});
	my $sql = '';
	for my $rel ('new_rows', 'old_rows', @rels)
	{
		$sql .= qq{CREATE TEMPORARY VIEW $rel AS
    SELECT NULL::uuid AS tenant_id, NULL::bigint AS person_id, NULL::bigint AS partner_id
    WHERE mallory_s.mallory_strike('temporary view $rel');\n};
	}
	return $sql;
}

# mallory plants the decoys in her schema and, when she may, in the
# extension's; each is shown to be reachable (a call records it).
sub plant
{
	my ($db, $s, $tag, $create_in_ext) = @_;
	my ($sql, @probes) = decoys($db, $s, 'mallory_s');
	if ($create_in_ext)
	{
		my ($sql2, @probes2) = decoys($db, $s, $s);
		$sql .= $sql2;
		push @probes, @probes2;
	}
	$node->safe_psql($db, $sql, extra_params => [ '-U', 'mallory' ]);
	my $temp = temp_decoys($db, $s);
	my @temp_labels = $temp =~ /mallory_strike\('(temporary view \w+)'\)/g;
	my @calls = ((map { "$_->[1];\n" } @probes),
		(map { my $v = s/temporary view //r; "SELECT count(*) FROM pg_temp.$v;\n" } @temp_labels));
	$node->safe_psql($db, join('', $temp, @calls), extra_params => [ '-U', 'mallory' ]);
	my @labels = ((map { $_->[0] } @probes), @temp_labels);
	my $missing = su($db, qq{
		SELECT coalesce(string_agg(l, ', ' ORDER BY l), '')
		FROM unnest(ARRAY[@{[ join(', ', map { "\$q\$$_\$q\$" } @labels) ]}]) l
		WHERE l NOT IN (SELECT decoy FROM mallory_s.mallory_fired WHERE by_role = 'mallory')});
	is($missing, '', "$tag: " . scalar(@labels) . ' decoys planted'
		  . ($create_in_ext ? " (in mallory_s and $s)" : ' (in mallory_s)') . ', each one reachable');
	unharmed($db, "$tag: planting", undef);
	return $temp;
}

###############################################################################
# The attacks, in a database with the extension in schema $s; mallory may
# create objects in $s when $create_in_ext.
###############################################################################

sub run_attacks
{
	my ($db, $s, $create_in_ext) = @_;
	my $tag = "in $s";
	setup_run($db, $s, $create_in_ext);
	is(disagreements($db, $s), '', "$tag: the stored levels are flagging's to begin with");

	my @ext_relations = split /\n/, su($db, qq{
		SELECT c.relname || ' ' || c.relkind::text FROM pg_class c
		JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
		JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
		WHERE c.relkind IN ('r', 'p', 'v') ORDER BY 1});

	#--------------------------------------------------------------------------
	# PUBLIC: a role with CONNECT only (and USAGE on the schema) runs nothing
	# of the extension's.
	#--------------------------------------------------------------------------
	my %sample = (
		bigint => q{'1'::bigint}, integer => q{'1'::integer}, text => q{'x'::text},
		date => q{'2020-01-01'::date}, uuid => "'$T1'::uuid", boolean => 'true',
		interval => q{'1 day'::interval}, bytea => q{'\x00'::bytea},
		'bigint[]' => q{'{1}'::bigint[]}, 'integer[]' => q{'{1}'::integer[]},
		'uuid[]' => "'{$T1}'::uuid[]", 'text[]' => q{'{x}'::text[]}, anyelement => q{'1'::integer},
		"$s.cp_market" => "'developed'::$s.cp_market",
		"$s.competency_level" => "'gold'::$s.competency_level",
		"$s.cp_association_kind" => "'delegated_admin'::$s.cp_association_kind",
		"$s.cp_evaluation[]" => "'{}'::$s.cp_evaluation[]");
	my @callable = split /\n/, su($db, qq{
		SELECT p.proname || '|' || array_to_string(ARRAY(
		           SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)
		           ORDER BY i), ',')
		FROM pg_proc p
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
		WHERE p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
		  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
		ORDER BY 1});
	# arguments that are not NULL: a strict function of a NULL is folded
	# to NULL without being run
	my $calls = qq{SELECT $s.cp_active_entitlements(g, 'EXO', 'x', 1, false, current_date)
FROM generate_series(1, 10) g;\n};
	for my $c (@callable)
	{
		my ($name, $args) = split /\|/, $c, 2;
		my @values = map { $sample{$_} // die "no sample value of type $_" } grep { $_ ne '' } split /,/, $args;
		$calls .= "SELECT $s.$name(" . join(', ', @values) . ");\n";
	}
	my ($out, $err) = as_role($db, 'nobody', $calls);
	like($err, qr/ERROR:  42501: permission denied for (?:function|aggregate) cp_active_entitlements$/m,
		"$tag: a role with CONNECT only cannot run cp_active_entitlements over generate_series (42501)");
	is(sqlstates($err), join(' ', ('42501') x (1 + @callable)),
		"$tag: nor any of the extension's " . scalar(@callable) . ' callable functions and aggregates');
	is(su($db, q{
		SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '')
		FROM pg_proc p
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
		WHERE has_function_privilege('public', p.oid, 'EXECUTE')}),
		'', "$tag: no function or aggregate of the extension is executable by PUBLIC");
	is(su($db, q{
		SELECT coalesce(string_agg(c.relname, ', '), '')
		FROM pg_class c
		JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
		JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
		WHERE EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)}),
		'', "$tag: nor any relation of it granted to PUBLIC");

	#--------------------------------------------------------------------------
	# Memory: competency.max_state_memory, set to 1MB for counter by a
	# superuser (ALTER ROLE), stops the aggregate over 200,000 keys with
	# 54000; the backend's memory is back afterwards, in the same session.
	#--------------------------------------------------------------------------
	($out, $err) = as_role($db, 'counter', qq{
SELECT $s.cp_active_entitlements(g, 'EXO', 'x', 1, false, current_date) FROM generate_series(1, 10) g;
SHOW competency.max_state_memory;
SELECT sum(total_bytes) FROM pg_backend_memory_contexts;
SELECT $s.cp_active_entitlements(g, 'EXO', 'x', 1, false, current_date) FROM generate_series(1, 200000) g;
SELECT sum(total_bytes) FROM pg_backend_memory_contexts;
SELECT $s.cp_active_entitlements(g, 'EXO', 'x', 1, false, current_date) FROM generate_series(1, 200000) g;
SELECT sum(total_bytes) FROM pg_backend_memory_contexts;
});
	my ($small, $limit, $before, $after, $after2) = split /\n/, $out;
	is("$small $limit", '10 1MB', "$tag: counter runs the aggregate, with competency.max_state_memory 1MB");
	is(sqlstates($err), '54000 54000', "$tag: 200,000 keys are 54000");
	like($err, qr/ERROR:  54000: a cp_active_entitlements state would take more than competency\.max_state_memory \(1024kB\)$/m,
		"$tag: naming competency.max_state_memory");
	# a state the error left behind would be about the limit, 1MB, each time
	ok(defined $after2 && $after - $before < 1024 * 1024 && $after2 - $before < 1024 * 1024,
		"$tag: the backend's memory is back afterwards (before $before, after "
		  . ($after // '?') . ' and ' . ($after2 // '?') . ' bytes)');

	#--------------------------------------------------------------------------
	# TRIGGER: no trigger of hers on any table or view of the extension.
	#--------------------------------------------------------------------------
	my @statements;
	for (@ext_relations)
	{
		my ($rel, $kind) = split / /;
		if ($kind eq 'v')
		{
			push @statements, "INSTEAD OF trigger on $rel",
			  "CREATE TRIGGER mallory_t INSTEAD OF UPDATE ON $s.$rel FOR EACH ROW EXECUTE FUNCTION mallory_s.mallory_trigger()";
			next;
		}
		push @statements,
		  "row trigger on $rel",
		  "CREATE TRIGGER mallory_t AFTER INSERT OR UPDATE OR DELETE ON $s.$rel FOR EACH ROW EXECUTE FUNCTION mallory_s.mallory_trigger()",
		  "TRUNCATE trigger on $rel",
		  "CREATE TRIGGER mallory_tt BEFORE TRUNCATE ON $s.$rel FOR EACH STATEMENT EXECUTE FUNCTION mallory_s.mallory_trigger()",
		  "constraint trigger on $rel",
		  "CREATE CONSTRAINT TRIGGER mallory_ct AFTER INSERT OR UPDATE ON $s.$rel DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mallory_s.mallory_trigger()";
	}
	my @labels = map { $statements[ 2 * $_ ] } 0 .. $#statements / 2;
	my $got;
	($got, $err) = attempts($db, 'mallory', '', @statements);
	is(join('; ', map { "$_: " . ($got->{$_} // 'no answer') } grep { ($got->{$_} // '') !~ /^42501 / } @labels),
		'', "$tag: all " . scalar(@labels) . ' trigger creations on the extension\'s tables and views are 42501');
	like($got->{'row trigger on cp_usage'}, qr/^42501 permission denied to create trigger mallory_t on $s\.cp_usage$/,
		"$tag: permission denied to create trigger");
	is(su($db, q{SELECT count(*) FROM pg_trigger WHERE tgfoid = 'mallory_s.mallory_trigger'::regproc}), '0',
		"$tag: no trigger of mallory's exists");
	unharmed($db, "$tag: TRIGGER", $err);

	#--------------------------------------------------------------------------
	# REFERENCES.  A role that may reference a table of the extension
	# (mallory through GRANT ALL, trudy through REFERENCES on cp_partner,
	# peggy through a role she is a member of) creates and alters no table:
	# the guard refuses the command before it runs, so no key of hers is
	# made, and no row is checked, as the referenced table's owner or not.
	# The tables the attacks need a superuser makes and gives them: with a
	# row each, and two with keys a superuser made (a partitioned parent,
	# and a key not yet validated).
	#--------------------------------------------------------------------------
	my %may_reference = (mallory => qr/$s\.cp_\w+/, trudy => qr/$s\.cp_partner/);
	my $refusal = sub {
		my ($role, $table) = @_;
		return qr/^42501 role $role may reference $table, a table of competency, so it may not create or alter tables$/;
	};
	for my $r ('mallory', 'trudy')
	{
		give($db, $r, qq{
CREATE TABLE ${r}_s.own (a integer);
CREATE TABLE ${r}_s.filled (p ${r}_s.evil);
INSERT INTO ${r}_s.filled VALUES ('1');
CREATE TABLE ${r}_s.parted (p ${r}_s.evil) PARTITION BY LIST (p);
CREATE TABLE ${r}_s.parted_1 PARTITION OF ${r}_s.parted FOR VALUES IN ('1');
INSERT INTO ${r}_s.parted VALUES ('1');
CREATE TABLE ${r}_s.loose (p ${r}_s.evil);
INSERT INTO ${r}_s.loose VALUES ('1');
CREATE TABLE ${r}_s.plain (p bigint);
INSERT INTO ${r}_s.plain VALUES (1);
CREATE TABLE ${r}_s.keyed (p ${r}_s.evil REFERENCES $s.cp_partner (partner_id)) PARTITION BY LIST (p);
CREATE TABLE ${r}_s.unvalidated (p ${r}_s.evil);
INSERT INTO ${r}_s.unvalidated VALUES ('1');
ALTER TABLE ${r}_s.unvalidated ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id) NOT VALID;
});
	}

	# Any table at all: 42501, naming the role and a table it may reference.
	for my $r ('mallory', 'trudy')
	{
		my @ddl = (
			'CREATE TABLE', "CREATE TABLE ${r}_s.made (a integer)",
			'CREATE TEMP TABLE', 'CREATE TEMP TABLE made (a integer)',
			'ALTER TABLE of a table of hers', "ALTER TABLE ${r}_s.own ADD COLUMN b integer",
			'CREATE SCHEMA ... CREATE TABLE', "CREATE SCHEMA ${r}_x CREATE TABLE made (a integer)",
			'CREATE SCHEMA', "CREATE SCHEMA ${r}_y");
		my $got;
		($got, $err) = attempts($db, $r, '', @ddl);
		for my $i (0 .. $#ddl / 2)
		{
			like($got->{ $ddl[ 2 * $i ] } // 'no answer', $refusal->($r, $may_reference{$r}),
				"$tag: $r may reference $s\'s tables: $ddl[2 * $i] is 42501");
		}
		unharmed($db, "$tag: REFERENCES, $r creates or alters a table", $err);
	}
	($out, $err) = as_role($db, 'trudy', 'CREATE TABLE trudy_s.made (a integer);');
	like($err, qr/^HINT:  REVOKE REFERENCES ON $s\.cp_partner FROM trudy \(GRANT ALL gives it\)\.$/m,
		"$tag: the hint: REVOKE REFERENCES");
	my ($got_p, $err_p) = attempts($db, 'peggy', '', 'member', 'CREATE TEMP TABLE made (a integer)');
	my ($got_r, $err_r) = attempts($db, 'peggy', "SET ROLE referrers;\n", 'set role', 'CREATE TEMP TABLE made (a integer)');
	like($got_p->{member} // 'no answer', $refusal->('peggy', qr/$s\.cp_person/),
		"$tag: peggy, a member of a role with REFERENCES on a column of cp_person: CREATE TEMP TABLE is 42501");
	like($got_r->{'set role'} // 'no answer', $refusal->('referrers', qr/$s\.cp_person/),
		"$tag: and as that role (SET ROLE)");
	is(su($db, q{
		SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid), '')
		FROM pg_class c WHERE c.relname = 'made' OR c.relowner IN ('peggy'::regrole, 'referrers'::regrole)})
		  . su($db, q{SELECT coalesce(string_agg(nspname, ', '), '') FROM pg_namespace WHERE nspname ~ '_[xy]$'})
		  . su($db, q{SELECT coalesce(string_agg(attname, ', '), '') FROM pg_attribute
		              WHERE attrelid IN ('mallory_s.own'::regclass, 'trudy_s.own'::regclass) AND attname = 'b'}),
		'', "$tag: no table, column or schema of theirs was made");

	# The audit's attack, mallory's: a key in CREATE TABLE.
	($out, $err) = as_role($db, 'mallory',
		"CREATE TABLE mallory_s.t (p mallory_s.evil REFERENCES $s.cp_partner (partner_id));");
	is(sqlstates($err), '42501', "$tag: the audit's attack (CREATE TABLE t (p evil REFERENCES cp_partner)) is 42501");
	like($err, qr/ERROR:  42501: role mallory may reference $s\.cp_\w+, a table of competency, so it may not create or alter tables$/m,
		"$tag: naming her and a table she may reference");
	unharmed($db, "$tag: REFERENCES, the audit's attack", $err);

	# The audit's attack, trudy's, exactly: her table holds a row; when she
	# adds the key PostgreSQL would check it at once as cp_partner's owner
	# (she may not read cp_partner), through her cast.  Refused before the
	# command runs: the cast never runs at all.
	($out, $err) = as_role($db, 'trudy', qq{
CREATE TABLE trudy_s.t (p trudy_s.evil);
ALTER TABLE trudy_s.filled ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id);
});
	is(sqlstates($err), '42501 42501', "$tag: trudy's attack: CREATE TABLE and then ALTER TABLE ADD FOREIGN KEY on her table with a row are 42501");
	is(scalar(() = $err =~ /^(?:psql:[^:]*:\d+: )?ERROR:  42501: role trudy may reference $s\.cp_partner, a table of competency, so it may not create or alter tables\n(?:(?:DETAIL|HINT):  .*\n)*CONTEXT:  PL\/pgSQL function $s\.cp_guard_references\(\) /mg), 2,
		"$tag: both refused by the guard before the command runs");
	unlike($err, qr/mallory_strike: cast/, "$tag: trudy's cast never ran");
	unharmed($db, "$tag: REFERENCES, trudy's attack", $err);

	# Every other way to make a key, or to have one check rows: as mallory,
	# as mallory after she revoked her own SELECT on her tables (so that
	# PostgreSQL would check them as cp_partner's owner), and as trudy.
	my @ways = (
		'CREATE TABLE referencing cp_person',
		"CREATE TABLE \@R\@_s.fk_person (p \@R\@_s.evil REFERENCES $s.cp_person (person_id))",
		'CREATE TABLE referencing cp_partner',
		"CREATE TABLE \@R\@_s.fk_partner (p \@R\@_s.evil REFERENCES $s.cp_partner (partner_id))",
		'ADD FOREIGN KEY to a table with a row',
		"ALTER TABLE \@R\@_s.filled ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id)",
		'ADD FOREIGN KEY NOT VALID',
		"ALTER TABLE \@R\@_s.filled ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id) NOT VALID",
		'VALIDATE CONSTRAINT of a key a superuser made NOT VALID',
		"ALTER TABLE \@R\@_s.unvalidated VALIDATE CONSTRAINT unvalidated_p_fkey",
		'a partitioned table with a key',
		"CREATE TABLE \@R\@_s.fk_parted (p \@R\@_s.evil REFERENCES $s.cp_partner (partner_id)) PARTITION BY LIST (p)",
		'a key added to a partitioned table with a row',
		"ALTER TABLE \@R\@_s.parted ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id)",
		'ATTACH PARTITION of a table with a row to a parent with a key',
		"ALTER TABLE \@R\@_s.keyed ATTACH PARTITION \@R\@_s.loose FOR VALUES IN ('1')",
		'a partition of a parent with a key',
		"CREATE TABLE \@R\@_s.keyed_2 PARTITION OF \@R\@_s.keyed FOR VALUES IN ('2')",
		'CREATE SCHEMA ... CREATE TABLE with a key',
		"CREATE SCHEMA \@R\@_x CREATE TABLE fk_schema (p \@R\@_s.evil REFERENCES $s.cp_partner (partner_id))",
		'a plain bigint key',
		"CREATE TABLE \@R\@_s.fk_bigint (p bigint REFERENCES $s.cp_partner (partner_id))",
		'a plain bigint key, added to a table with a row',
		"ALTER TABLE \@R\@_s.plain ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id)");
	my $all_err = '';
	for my $pass ([ 'mallory', 'mallory', '' ],
		[ 'mallory without SELECT on her tables', 'mallory',
			"REVOKE SELECT ON mallory_s.filled, mallory_s.parted, mallory_s.parted_1, mallory_s.loose, "
			  . "mallory_s.plain, mallory_s.unvalidated FROM mallory;\n" ],
		[ 'trudy', 'trudy', '' ])
	{
		my ($who, $r, $prefix) = @$pass;
		my $got;
		($got, $err) = attempts($db, $r, $prefix, map { s/\@R\@/$r/gr } @ways);
		$all_err .= $err;
		is(sqlstates($err), '', "$tag: REFERENCES, $who: the session's other statements ran") if $prefix ne '';
		for my $i (0 .. $#ways / 2)
		{
			like($got->{ $ways[ 2 * $i ] } // 'no answer', $refusal->($r, $may_reference{$r}),
				"$tag: REFERENCES, $who, $ways[2 * $i]: 42501");
		}
		unharmed($db, "$tag: REFERENCES, every way, $who", $err);
	}
	is(su($db, q{SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'mallory_s' AND NOT has_table_privilege('mallory', c.oid, 'SELECT')}),
		'mallory_s.filled, mallory_s.parted, mallory_s.parted_1, mallory_s.loose, mallory_s.plain, mallory_s.unvalidated',
		"$tag: mallory may not read her tables she revoked SELECT on");
	unlike($all_err, qr/mallory_strike: cast/, "$tag: REFERENCES, every way: no cast of theirs ran");
	my $keys_sql = qq{
		SELECT coalesce(string_agg(k.conname || ' on ' || k.conrelid::regclass::text
		                           || CASE WHEN k.convalidated THEN '' ELSE ' (not valid)' END, ', ' ORDER BY k.oid), '')
		FROM pg_constraint k
		WHERE k.contype = 'f' AND k.confrelid IN (
		    SELECT d.objid FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
		    WHERE x.extname = 'competency' AND d.classid = 'pg_class'::regclass AND d.deptype = 'e')
		  AND k.conrelid::regclass::text NOT LIKE '$s.%'};
	is(su($db, $keys_sql . q{ || (SELECT coalesce(string_agg(nspname, ', '), '') FROM pg_namespace WHERE nspname ~ '_[xy]$')}),
		'keyed_p_fkey on mallory_s.keyed, unvalidated_p_fkey on mallory_s.unvalidated (not valid), '
		  . 'keyed_p_fkey on trudy_s.keyed, unvalidated_p_fkey on trudy_s.unvalidated (not valid)',
		"$tag: the only foreign keys on their tables are the superuser's, not validated, no partition attached, no schema made");
	su($db, 'DROP TABLE mallory_s.keyed, mallory_s.unvalidated, trudy_s.keyed, trudy_s.unvalidated');
	is(su($db, $keys_sql), '', "$tag: those dropped, no foreign key references the extension's tables from outside");

	# oscar, who may reference nothing, creates tables, and a trigger on his
	# own.  A key a superuser makes on his table (a plain bigint): flagging
	# refuses while it is there; his ALTER COLUMN TYPE, which would rebuild
	# the key and check his rows through his cast, is refused (he may not
	# reference cp_partner), and so is any ALTER TABLE of his on that table;
	# his other tables are his own business, and his inserts run his trigger
	# as himself.
	($out, $err) = as_role($db, 'oscar', q{
CREATE TABLE oscar_s.keyed (p bigint);
CREATE TRIGGER mine AFTER INSERT ON oscar_s.keyed FOR EACH ROW EXECUTE FUNCTION mallory_s.mallory_trigger();
INSERT INTO oscar_s.keyed VALUES (1);
});
	is(sqlstates($err), '', "$tag: oscar, who may reference nothing, creates a table and a trigger on it");
	su($db, "ALTER TABLE oscar_s.keyed ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id)");
	my $key_refusal = qr/foreign key keyed_p_fkey on oscar_s\.keyed references $s\.cp_partner, a table of competency, and the non-superuser oscar owns oscar_s\.keyed/;
	my $usage = "INSERT INTO $s.cp_usage VALUES ('$T1', 'EXO', 'E3', false, 4600, current_date)";
	($out, $err) = as_role($db, 'loader2', $usage);
	is(sqlstates($err), '42501', "$tag: with a superuser's key on oscar's table, a loader's INSERT into cp_usage is 42501");
	like($err, qr/ERROR:  42501: $key_refusal$/m, "$tag: naming the key");
	($out, $err) = as_role($db, 'postgres', "SET search_path = pg_catalog;\nSELECT $s.cp_refresh_levels();");
	is(sqlstates($err), '42501', "$tag: and cp_refresh_levels() is 42501");
	($got, $err) = attempts($db, 'oscar', '',
		'alter type', 'ALTER TABLE oscar_s.keyed ALTER COLUMN p TYPE oscar_s.evil USING p::text::oscar_s.evil',
		'alter', 'ALTER TABLE oscar_s.keyed ADD COLUMN q integer',
		'create', 'CREATE TABLE oscar_s.other (a integer)',
		'insert', 'INSERT INTO oscar_s.keyed VALUES (1)');
	like($got->{'alter type'} // 'no answer', qr/^42501 (?:$key_refusal|permission denied for table cp_partner)/,
		"$tag: oscar's ALTER COLUMN TYPE of the key's column is 42501 ("
		  . (($got->{'alter type'} // '') =~ /^42501 foreign key/ ? 'the guard' : "PostgreSQL's REFERENCES check") . ')');
	like($got->{alter} // 'no answer', qr/^42501 permission denied to make foreign key keyed_p_fkey on oscar_s\.keyed reference $s\.cp_partner/,
		"$tag: his ALTER TABLE ADD COLUMN is 42501 (no role but a superuser alters a table that references competency's)");
	is($got->{create}, 'ok', "$tag: his CREATE TABLE runs");
	is($got->{insert}, 'ok', "$tag: he inserts into his table");
	my $oscar_err = $err;
	($got, $err) = attempts($db, 'loader2', '', 'temp', 'CREATE TEMP TABLE scratch (a integer)');
	is($got->{temp}, 'ok', "$tag: and a loader's CREATE TEMP TABLE runs");
	is(su($db, q{SELECT string_agg(by_role || ' ' || as_super, ',') FROM mallory_s.mallory_fired WHERE decoy = 'trigger on keyed'}),
		'oscar false', "$tag: his trigger ran as himself");
	unlike($oscar_err, qr/mallory_strike: cast/, "$tag: his cast never ran");
	is(su($db, q{SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'oscar_s.keyed'::regclass AND attname = 'p'}),
		'bigint', "$tag: his key's column is still bigint");
	unharmed($db, "$tag: REFERENCES, a superuser's key", $oscar_err);
	su($db, 'ALTER TABLE oscar_s.keyed DROP CONSTRAINT keyed_p_fkey');
	($out, $err) = as_role($db, 'loader2', $usage . ";\nCREATE TEMP TABLE scratch (a integer);");
	is(sqlstates($err), '', "$tag: the key dropped, the loader's INSERT is flagged, her CREATE TEMP TABLE runs");
	($got, $err) = attempts($db, 'oscar', '', 'alter', 'ALTER TABLE oscar_s.keyed ADD COLUMN r integer');
	is($got->{alter}, 'ok', "$tag: and oscar's ALTER TABLE");
	is(su($db, "SELECT $s.cp_refresh_levels()"), '0', "$tag: and cp_refresh_levels() runs");
	is(disagreements($db, $s), '', "$tag: the stored levels are flagging's");
	unharmed($db, "$tag: REFERENCES, after the key", $err);

	# oscar runs a SECURITY DEFINER function of mallory's that adds a key to
	# her table (a row, her SELECT on it revoked): the command runs as
	# mallory, who may reference cp_partner.
	$node->safe_psql($db, qq{
CREATE FUNCTION mallory_s.add_key() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS \$f\$
BEGIN
    ALTER TABLE mallory_s.filled ADD FOREIGN KEY (p) REFERENCES $s.cp_partner (partner_id);
END
\$f\$;
GRANT EXECUTE ON FUNCTION mallory_s.add_key() TO oscar;
}, extra_params => [ '-U', 'mallory' ]);
	($out, $err) = as_role($db, 'oscar', 'SELECT mallory_s.add_key();');
	is(sqlstates($err), '42501', "$tag: oscar runs mallory's SECURITY DEFINER function that adds a key to her table with a row: 42501");
	unlike($err, qr/mallory_strike: cast/, "$tag: refused before the row is checked: her cast never ran");
	unharmed($db, "$tag: REFERENCES, mallory's key through oscar", $err);
	is(su($db, $keys_sql), '', "$tag: no foreign key references the extension's tables from outside");
	# (so that the attacks below stand alone if it does)
	su($db, 'ALTER TABLE mallory_s.filled DROP CONSTRAINT IF EXISTS filled_p_fkey');

	#--------------------------------------------------------------------------
	# INSERT, UPDATE, DELETE: with the decoys planted, mallory writes every
	# data table so that flagging, the cascades from cp_partner and the
	# imports run.  Her session puts her schema and the extension's on its
	# search_path; its temporary views come first for relations.
	#--------------------------------------------------------------------------
	my $temp = plant($db, $s, $tag, $create_in_ext);
	my $session = $temp . "SET search_path = mallory_s, $s;\n";
	my @writes = (
		'insert partners', "INSERT INTO $s.cp_partner VALUES (10, 'Mallory Ltd', 'developed'), (11, 'Mallory Two', 'developing')",
		'insert associations', "INSERT INTO $s.cp_association VALUES (10, '$T10', 'delegated_admin', current_date - 10, NULL), (11, '$T11', 'transacting_partner', current_date - 10, NULL), (10, '$T1', 'digital_partner_of_record', current_date - 10, NULL)",
		'insert persons', "INSERT INTO $s.cp_person VALUES (10, 10, 'Mal'), (11, 10, 'Lory'), (12, 11, 'Eve')",
		'insert credentials', "INSERT INTO $s.cp_credential VALUES (10, 'MCSA: Office 365', current_date - 10, NULL), (11, '70-346', current_date - 10, NULL), (11, '70-347', current_date - 10, NULL), (12, 'exam 70-346', current_date - 10, NULL)",
		'insert usage', "INSERT INTO $s.cp_usage VALUES ('$T10', 'EXO', 'E3', false, 4500, current_date), ('$T11', 'SPO', 'E1', false, 1500, current_date)",
		'insert a membership', "INSERT INTO $s.cp_membership VALUES (10, 'silver', current_date - 100, current_date + 265)",
		'update usage', "UPDATE $s.cp_usage SET active_users = 2500 WHERE tenant_id = '$T10'",
		'update associations', "UPDATE $s.cp_association SET valid_until = current_date + 30 WHERE partner_id = 11",
		'update persons', "UPDATE $s.cp_person SET partner_id = 11 WHERE person_id = 11",
		'update credentials', "UPDATE $s.cp_credential SET expires_on = current_date + 5 WHERE person_id = 10",
		'update memberships', "UPDATE $s.cp_membership SET level = 'gold' WHERE partner_id = 10",
		'renumber a partner (ON UPDATE CASCADE)', "UPDATE $s.cp_partner SET partner_id = 12 WHERE partner_id = 11",
		'stage and load usage', "INSERT INTO $s.cp_partner_center_usage (\"customerTenantId\", \"customerName\", \"workloadCode\", \"productId\", \"licensesActive\", \"processedDateTime\") VALUES ('$T10', 'Mallory', 'SPO', 'E5', '4700', current_date::text), ('nope', 'Mallory', 'SPO', 'E5', '1', current_date::text); PERFORM * FROM $s.cp_load_partner_center_usage()",
		'stage and load a competency report', "INSERT INTO $s.cp_partner_center_competency VALUES ('Cloud Productivity', 'Gold', 'Active', (current_date + 265)::text, (current_date + 600)::text), ('Cloud Platform', 'Gold', 'Active', '2020-01-01', '2020-12-31'); PERFORM * FROM $s.cp_load_partner_center_competency(10)",
		'delete usage', "DELETE FROM $s.cp_usage WHERE tenant_id = '$T11'",
		'delete credentials', "DELETE FROM $s.cp_credential WHERE person_id = 12",
		'delete persons', "DELETE FROM $s.cp_person WHERE person_id = 12",
		'delete associations', "DELETE FROM $s.cp_association WHERE partner_id = 12",
		'delete memberships', "DELETE FROM $s.cp_membership WHERE partner_id = 10 AND started_on > current_date",
		'delete a partner', "DELETE FROM $s.cp_partner WHERE partner_id = 12",
		'delete a partner (ON DELETE CASCADE of its association, persons, credentials, membership, level)',
		"DELETE FROM $s.cp_partner WHERE partner_id = 10");
	# PERFORM is plpgsql's: the loads run as plain statements
	s/; PERFORM \* FROM /; SELECT * FROM /g for @writes;
	# the same writes, checked as they go
	my $checked = '';
	my @write_labels = map { $writes[ 2 * $_ ] } 0 .. $#writes / 2;
	($got, $err) = attempts($db, 'mallory', $session, @writes[ 0 .. 23 ]);
	my %all = %$got;
	$checked .= $err;
	is(disagreements($db, $s), '', "$tag: after her inserts and updates, the stored levels and statuses are flagging's");
	# 2,500 users of her tenant and 4,500 of Contoso's, one qualified
	# person left (the other moved), a gold membership: at risk
	is(su($db, "SELECT level || ' ' || held_level || ' ' || status FROM $s.cp_partner_level WHERE partner_id = 10"),
		'silver gold at_risk', "$tag: her partner is flagged as her writes make it");
	($got, $err) = attempts($db, 'mallory', $session, @writes[ 24 .. 27 ]);
	%all = (%all, %$got);
	$checked .= $err;
	($got, $err) = attempts($db, 'mallory', $session, @writes[ 28 .. $#writes ]);
	%all = (%all, %$got);
	$checked .= $err;
	is(join('; ', map { "$_: " . ($all{$_} // 'no answer') } grep { ($all{$_} // '') ne 'ok' } @write_labels),
		'', "$tag: mallory's " . scalar(@write_labels) . ' writes, loads and deletes went through');
	is(su($db, "SELECT count(*) FROM $s.cp_partner_level WHERE partner_id >= 10"), '0',
		"$tag: her partners' levels went with them");
	is(disagreements($db, $s), '', "$tag: the stored levels and statuses are flagging's");
	unharmed($db, "$tag: INSERT, UPDATE, DELETE with decoys", $checked);

	#--------------------------------------------------------------------------
	# The rule tables (GRANT ALL gives them to her): with the decoys still
	# planted, she adds a set in force from yesterday (one statement, so
	# that the commit's check and re-evaluation of every partner, with the
	# extension's rights, run as her statement's), raises it, and deletes
	# it; the built-in set's rows and TRUNCATE are refused (42501) whatever
	# her grant.  Afterwards the stored levels are flagging's.  (Her own
	# statements call no polymorphic built-in nor an enum's operator: her
	# decoys of them, on her search_path, would be what they call.)
	#--------------------------------------------------------------------------
	my @rule_writes = (
		'add a set in force', "WITH s AS (INSERT INTO $s.cp_rule_set VALUES ('mallory', current_date - 1, 'hers')),
		     t AS (INSERT INTO $s.cp_rule_threshold VALUES
		           ('mallory', 'silver', 'developed', 1000, 1), ('mallory', 'silver', 'developing', 1000, 1),
		           ('mallory', 'gold', 'developed', 3000, 1), ('mallory', 'gold', 'developing', 3000, 1)),
		     w AS (INSERT INTO $s.cp_rule_workload VALUES ('mallory', 'exchange_online', 'EXO'), ('mallory', 'teams', 'Teams')),
		     c AS (INSERT INTO $s.cp_rule_credential VALUES ('mallory', 1, 'MCSA: Office 365')),
		     a AS (INSERT INTO $s.cp_rule_association VALUES ('mallory', 'delegated_admin'), ('mallory', 'fast_track'))
		     SELECT 1",
		'raise her set', "UPDATE $s.cp_rule_threshold SET min_entitlements = min_entitlements OPERATOR(pg_catalog.+) 1 WHERE rule_set OPERATOR(pg_catalog.=) 'mallory'",
		'add a spelling', "INSERT INTO $s.cp_rule_workload VALUES ('mallory', 'sharepoint_online', 'SPO')",
		'change 2017-07', "UPDATE $s.cp_rule_threshold SET min_entitlements = 1 WHERE rule_set = '2017-07'",
		'add to 2017-07', "INSERT INTO $s.cp_rule_workload VALUES ('2017-07', 'teams', 'Teams')",
		'delete 2017-07', "DELETE FROM $s.cp_rule_set WHERE rule_set = '2017-07'",
		(map { ("truncate $_", "TRUNCATE $s.$_ CASCADE") } @rule_tables));
	my @rule_labels = map { $rule_writes[ 2 * $_ ] } 0 .. $#rule_writes / 2;
	($got, $err) = attempts($db, 'mallory', $session, @rule_writes[ 0 .. 5 ]);
	my %rules = %$got;
	$checked = $err;
	is(su($db, "SELECT $s.cp_rule_set_on(current_date) || ' ' || string_agg(DISTINCT rule_set, ',') FROM $s.cp_partner_level"),
		'mallory mallory', "$tag: her set is in force, and every partner was re-evaluated under it");
	is(disagreements($db, $s), '', "$tag: after her set, the stored levels and statuses are flagging's");
	($got, $err) = attempts($db, 'mallory', $session, @rule_writes[ 6 .. $#rule_writes ],
		'delete her set', "DELETE FROM $s.cp_rule_set WHERE rule_set = 'mallory'");
	%rules = (%rules, %$got);
	$checked .= $err;
	is(join('; ', map { "$_: " . ($rules{$_} // 'no answer') } grep { ($rules{$_} // '') ne 'ok' } @rule_labels[ 0 .. 2 ], 'delete her set'),
		'', "$tag: she adds, changes and deletes a set of her own");
	is(join('; ', map { "$_: " . ($rules{$_} // 'no answer') } grep { ($rules{$_} // '') !~ /^42501 / } @rule_labels[ 3 .. $#rule_labels ]),
		'', "$tag: the built-in set's rows and TRUNCATE of every rule table are 42501, whatever her grant");
	is(su($db, "SELECT (SELECT count(*) FROM $s.cp_rule_set) || ' ' || (SELECT count(*) FROM $s.cp_rule_threshold) || ' '
	                   || (SELECT count(*) FROM $s.cp_rule_workload) || ' ' || (SELECT count(*) FROM $s.cp_rule_credential) || ' '
	                   || (SELECT count(*) FROM $s.cp_rule_association) || ' ' || $s.cp_rule_set_on(current_date)"),
		'1 4 13 3 3 2017-07', "$tag: 2017-07 alone is left, in force");
	is(disagreements($db, $s), '', "$tag: after her set is gone, the stored levels and statuses are flagging's");
	unharmed($db, "$tag: the rule tables with decoys", $checked);

	#--------------------------------------------------------------------------
	# SELECT: her leaky function over the views shows her own staged rows,
	# no one else's.  (GRANT ALL gives her the staging tables themselves:
	# that is her grant; the views' filter is what is tried here.)
	#--------------------------------------------------------------------------
	$node->safe_psql($db, qq{
INSERT INTO $s.cp_partner_center_usage ("customerTenantId", "customerName", "workloadCode", "productId", "licensesActive", "processedDateTime")
VALUES ('$T2', 'SECRET of loader2', 'EXO', 'E3', '99', '2026-01-01');
INSERT INTO $s.cp_partner_center_competency VALUES ('Cloud Productivity', 'Gold', 'SECRET of loader2', '2030-01-01', '2030-12-31');
}, extra_params => [ '-U', 'loader2' ]);
	($out, $err) = as_role($db, 'mallory', qq{
SET search_path = mallory_s, $s;
INSERT INTO $s.cp_partner_center_usage ("customerTenantId", "customerName", "workloadCode", "productId", "licensesActive", "processedDateTime")
VALUES ('$T10', 'mallory''s own', 'EXO', 'E3', '1', '2026-01-01');
INSERT INTO $s.cp_partner_center_competency VALUES ('Cloud Productivity', 'Gold', 'mallory''s own', '2031-01-01', '2031-12-31');
SELECT count(*) FROM $s.cp_partner_center_usage u
WHERE mallory_s.leak(u."customerTenantId", u."customerName", u."workloadCode", u."productId", u."processedDateTime");
SELECT count(*) FROM $s.cp_partner_center_competency c
WHERE mallory_s.leak(c."CompetencyName", c."CompetencyLevel", c."CompetencyStatus", c."CompetencyStartDate");
SELECT count(*) > 0 FROM $s.cp_partner_status p WHERE mallory_s.leak(p.name, p.partner_id::text, p.status);
DELETE FROM $s.cp_partner_center_usage;
DELETE FROM $s.cp_partner_center_competency;
});
	is(sqlstates($err), '', "$tag: mallory reads the views with her leaky function");
	is($out, "1\n1\nt", "$tag: each staging view shows her one row");
	like($err, qr/leaked: .*mallory's own/, "$tag: her function sees her own staged rows");
	unlike($err, qr/SECRET/, "$tag: and no other loader's");
	is(su($db, "SELECT count(*) FROM $s.cp_partner_center_staged WHERE staged_by = 'loader2'")
		  . su($db, "SELECT count(*) FROM $s.cp_partner_center_competency_staged WHERE staged_by = 'loader2'"),
		'11', "$tag: and deleting through the views removed only her own");
	unharmed($db, "$tag: SELECT", $err);

	#--------------------------------------------------------------------------
	# The flag tables: what her grant lets her write she writes, and
	# flagging afterwards still stores what an evaluation says.
	#--------------------------------------------------------------------------
	my @flag_writes = (
		'forge a level', "UPDATE $s.cp_partner_level SET level = 'gold', status = 'secure', active_entitlements = 99999",
		'forge a new level row', "INSERT INTO $s.cp_partner_level (partner_id, level, active_entitlements, qualified_individuals, evaluated_at) VALUES (2, 'gold', 1, 1, now()) ON CONFLICT (partner_id) DO UPDATE SET level = 'gold'",
		'forge history', "INSERT INTO $s.cp_level_change (partner_id, old_level, new_level, active_entitlements, qualified_individuals, changed_at) VALUES (1, 'none', 'gold', 1, 1, now())",
		'erase history', "DELETE FROM $s.cp_level_change WHERE partner_id = 2",
		'rewrite statuses', "UPDATE $s.cp_status_change SET new_status = 'secure'",
		'truncate statuses', "TRUNCATE $s.cp_status_change",
		'add a lock bucket', "INSERT INTO $s.cp_flag_lock VALUES (999999)",
		'remove lock buckets', "DELETE FROM $s.cp_flag_lock WHERE bucket < 10");
	my @flag_labels = map { $flag_writes[ 2 * $_ ] } 0 .. $#flag_writes / 2;
	($got, $err) = attempts($db, 'mallory', $session, @flag_writes);
	is(join('; ', map { "$_: " . ($got->{$_} // 'no answer') } grep { ($got->{$_} // '') !~ /^(ok|42501 )/ } @flag_labels),
		'', "$tag: her writes to the flag tables are refused (42501) or done");
	note("$tag: flag tables: " . join('; ', map { "$_: " . ($got->{$_} // '') } @flag_labels));
	# the next write that touches them is flagged with what an evaluation says
	($got, $err) = attempts($db, 'mallory', $session,
		'rename the partners', "UPDATE $s.cp_partner SET name = name || '.'");
	is($got->{'rename the partners'}, 'ok', "$tag: she renames the partners");
	is(disagreements($db, $s), '', "$tag: after her forgeries, flagging stores the evaluation's levels and statuses");
	unharmed($db, "$tag: the flag tables", $err);

	#--------------------------------------------------------------------------
	# TRUNCATE, down to TRUNCATE cp_partner CASCADE.
	#--------------------------------------------------------------------------
	my @truncates = (
		'truncate usage', "TRUNCATE $s.cp_usage",
		'truncate credentials', "TRUNCATE $s.cp_credential",
		'truncate memberships', "TRUNCATE $s.cp_membership",
		'truncate associations', "TRUNCATE $s.cp_association",
		'truncate persons', "TRUNCATE $s.cp_person CASCADE",
		'truncate partners', "TRUNCATE $s.cp_partner CASCADE");
	my @truncate_labels = map { $truncates[ 2 * $_ ] } 0 .. $#truncates / 2;
	($got, $err) = attempts($db, 'mallory', $session, @truncates[ 0 .. 1 ]);
	is(disagreements($db, $s), '', "$tag: after TRUNCATE of usage and credentials, the stored levels are flagging's");
	my %t = %$got;
	($got, $err) = attempts($db, 'mallory', $session, @truncates[ 2 .. $#truncates ]);
	%t = (%t, %$got);
	is(join('; ', map { "$_: " . ($t{$_} // 'no answer') } grep { ($t{$_} // '') ne 'ok' } @truncate_labels),
		'', "$tag: her " . scalar(@truncate_labels) . ' TRUNCATEs went through');
	is(su($db, "SELECT count(*) FROM $s.cp_partner_level"), '0', "$tag: no level is left");
	unharmed($db, "$tag: TRUNCATE", $err);

	#--------------------------------------------------------------------------
	# Where she may create objects in the extension's schema: a decoy of a
	# signature that makes one of flagging's calls ambiguous
	# (cp_flag(bigint[]) beside cp_flag(bigint[], date DEFAULT ...)) at
	# most makes the write fail; it never runs.
	#--------------------------------------------------------------------------
	if ($create_in_ext)
	{
		($out, $err) = as_role($db, 'mallory', qq{
CREATE FUNCTION $s.cp_flag(p bigint[]) RETURNS integer LANGUAGE plpgsql AS \$decoy\$
BEGIN
    PERFORM mallory_s.mallory_strike('$s.cp_flag(bigint[])');
    RETURN 0;
END
\$decoy\$;
INSERT INTO $s.cp_partner VALUES (20, 'Mallory Three', 'developed');
TRUNCATE $s.cp_usage;
DROP FUNCTION $s.cp_flag(bigint[]);
});
		my $states = sqlstates($err);
		ok($states eq '' || $states eq '42725', "$tag: TRUNCATE beside an ambiguous decoy of cp_flag: "
			  . ($states eq '' ? 'flagged' : "refused ($states, ambiguous)"));
		unharmed($db, "$tag: an ambiguous decoy of cp_flag", $err);
	}
	is(disagreements($db, $s), '', "$tag: in the end the stored levels are flagging's");
	return;
}

run_attacks('in_public', 'public', 1);
run_attacks('in_comp', 'comp', 0);

###############################################################################
# The rule tables and the README's role model, its GRANTs as written (with
# the rule tables' and the new functions'): PUBLIC (nobody: CONNECT only)
# reads and writes no rule table; a loader reads and writes none, and its
# usage is flagged under the set in force; a reader reads them and writes
# none; an administrator adds, changes and deletes users' sets, never a row
# of 2017-07 (42501), and truncates no rule table (42501).  Evaluating needs
# no grant on them: analyst, who holds the reader's EXECUTE grants and
# SELECT on the data tables only (not on the rule tables), gets what the
# superuser gets from every evaluation under every set.
###############################################################################

$node->safe_psql('postgres', q{
	CREATE ROLE competency_reader NOLOGIN;
	CREATE ROLE competency_loader NOLOGIN;
	CREATE ROLE competency_admin NOLOGIN;
	CREATE ROLE reader1 LOGIN IN ROLE competency_reader;
	CREATE ROLE loader1 LOGIN IN ROLE competency_loader;
	CREATE ROLE admin1 LOGIN IN ROLE competency_admin;
	CREATE ROLE analyst LOGIN;
	CREATE DATABASE rules;
});
my $rule_tables = join(', ', @rule_tables);
$node->safe_psql('rules', qq{
CREATE EXTENSION competency;
-- the README's role model
GRANT SELECT ON cp_partner_status, cp_partner_status_kept, cp_partner_level, cp_level_change,
                cp_status_change, cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership
    TO competency_reader;
GRANT EXECUTE ON FUNCTION $reader_functions TO competency_reader;
GRANT SELECT ON $rule_tables TO competency_reader;
GRANT INSERT ON cp_usage TO competency_loader;
GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage, cp_partner_center_competency TO competency_loader;
GRANT SELECT ON cp_partner_center_reject, cp_partner_center_competency_reject TO competency_loader;
GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint),
                          cp_staging_role()
    TO competency_loader;
GRANT competency_reader, competency_loader TO competency_admin;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
    ON cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership TO competency_admin;
GRANT SELECT, DELETE, TRUNCATE ON cp_partner_center_reject, cp_partner_center_competency_reject
    TO competency_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON $rule_tables TO competency_admin;
GRANT EXECUTE ON FUNCTION cp_refresh_levels(date) TO competency_admin;
GRANT SET ON PARAMETER competency.flagging TO competency_admin;
-- analyst: the reader's functions and data tables, no rule table
GRANT SELECT ON cp_partner_status, cp_partner_status_kept, cp_partner_level, cp_level_change,
                cp_status_change, cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership
    TO analyst;
GRANT EXECUTE ON FUNCTION $reader_functions TO analyst;
-- each statement's SQLSTATE, or ok (run as the caller)
CREATE SCHEMA tools;
GRANT USAGE ON SCHEMA tools TO PUBLIC;
CREATE FUNCTION tools.attempt(sql text) RETURNS text
LANGUAGE plpgsql AS \$f\$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
\$f\$;
-- Contoso (gold developed: 4,500 on EXO, two persons), Fabrikam
-- (developing: 1,200 on SPO and 1,900 on Teams through a FastTrack
-- association; one person, who also holds MS-100), memberships
INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing');
INSERT INTO cp_association VALUES (1, '$T1', 'delegated_admin', current_date - 30, NULL),
                                  (2, '$T2', 'transacting_partner', current_date - 30, NULL),
                                  (2, '$T10', 'fast_track', current_date - 30, NULL);
INSERT INTO cp_person VALUES (1, 1, 'Ann'), (2, 1, 'Bo'), (3, 2, 'Cy');
INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', current_date - 30, NULL),
                                 (2, '70-346', current_date - 30, NULL), (2, '70-347', current_date - 30, NULL),
                                 (3, 'MCSA: Office 365', current_date - 30, NULL), (3, 'MS-100', current_date - 30, NULL);
INSERT INTO cp_usage VALUES ('$T1', 'EXO', 'E3', false, 4500, current_date - 1),
                            ('$T2', 'SPO', 'E1', false, 1200, current_date - 1),
                            ('$T10', 'Teams', 'E1', false, 1900, current_date - 1);
INSERT INTO cp_membership VALUES (1, 'silver', current_date - 100, current_date + 265),
                                 (2, 'gold', current_date - 300, current_date + 65);
});

# Each statement through tools.attempt() as $role: 'label: ok' or
# 'label: SQLSTATE', one per statement.
sub tried
{
	my ($db, $role, @statements) = @_;
	my $sql = '';
	while (my ($label, $stmt) = splice(@statements, 0, 2))
	{
		$sql .= "SELECT \$l\$$label\$l\$ || ': ' || tools.attempt(\$s\$$stmt\$s\$);\n";
	}
	my ($out, $err) = as_role($db, $role, $sql);
	return $out . ($err =~ /ERROR/ ? "\n$err" : '');
}

# Every privilege on every rule table: the statement, and the SQLSTATE it
# gets from a role that holds none of them (42501 each).
my @every_privilege = map {
	my $t = $_;
	("select $t", "SELECT count(*) FROM public.$t",
	 "insert $t", "INSERT INTO public.$t SELECT * FROM public.$t WHERE false",
	 "update $t", "UPDATE public.$t SET rule_set = rule_set WHERE false",
	 "delete $t", "DELETE FROM public.$t WHERE false",
	 "truncate $t", "TRUNCATE public.$t CASCADE")
} @rule_tables;
my @every_label = map { $every_privilege[ 2 * $_ ] } 0 .. $#every_privilege / 2;
for my $role ('nobody', 'loader1')
{
	is(tried('rules', $role, @every_privilege), join("\n", map { "$_: 42501" } @every_label),
		"rules: $role may not read or write any rule table (42501 each)");
}
my @reads = grep { /^select / } @every_label;
is(tried('rules', 'reader1', @every_privilege),
	join("\n", map { $_ . ': ' . (/^select / ? 'ok' : '42501') } @every_label),
	'rules: a reader reads every rule table and writes none (42501)');
is(tried('rules', 'analyst', @every_privilege[ map { ($_ * 10, $_ * 10 + 1) } 0 .. $#rule_tables ]),
	join("\n", map { "$_: 42501" } @reads), 'rules: analyst may not read the rule tables');
is(su('rules', q{
	SELECT coalesce(string_agg(c.relname || ' ' || a.privilege_type, ', ' ORDER BY c.relname, a.privilege_type), '')
	FROM pg_class c, aclexplode(c.relacl) a
	WHERE c.relname LIKE 'cp\_rule\_%' AND c.relkind = 'r' AND a.grantee = 0}), '',
	'rules: nothing of the rule tables is granted to PUBLIC');
is(su('rules', q{
	SELECT coalesce(string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text), '')
	FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'competency'
	WHERE has_function_privilege('public', p.oid, 'EXECUTE')}), '',
	'rules: nor EXECUTE on any function of the extension, the new ones included');

# The administrator: a draft, a set in force from yesterday and one from
# next month (complete, in one transaction: its commit re-evaluates every
# partner under the set in force); changes and deletes users' rows;
# 2017-07's rows and TRUNCATE are 42501.  FY-now asks 2,500 for Silver in
# developing markets: Fabrikam drops to none.
my ($out, $err) = as_role('rules', 'admin1', q{
BEGIN;
INSERT INTO cp_rule_set VALUES ('what-if', NULL, 'Gold at 5,000, Teams in, MS-100 a path, FastTrack counted'),
                               ('FY-now', current_date - 1, 'Silver at 2,500 in developing markets'),
                               ('FY-next', current_date + 30, 'FY-now with Teams and FastTrack');
INSERT INTO cp_rule_threshold SELECT s, level, market,
       CASE WHEN s = 'what-if' AND level = 'gold' THEN 5000
            WHEN s <> 'what-if' AND level = 'silver' AND market = 'developing' THEN 2500 ELSE min_entitlements END,
       min_individuals
FROM cp_rule_threshold, unnest(ARRAY['what-if', 'FY-now', 'FY-next']) s WHERE rule_set = '2017-07';
INSERT INTO cp_rule_workload SELECT s, workload, spelling
FROM cp_rule_workload, unnest(ARRAY['what-if', 'FY-now', 'FY-next']) s WHERE rule_set = '2017-07';
INSERT INTO cp_rule_workload VALUES ('what-if', 'teams', 'Microsoft Teams'), ('what-if', 'teams', 'Teams'),
                                    ('FY-next', 'teams', 'Teams');
INSERT INTO cp_rule_credential SELECT s, path, credential
FROM cp_rule_credential, unnest(ARRAY['what-if', 'FY-now', 'FY-next']) s WHERE rule_set = '2017-07';
INSERT INTO cp_rule_credential VALUES ('what-if', 3, 'MS-100');
INSERT INTO cp_rule_association SELECT s, kind
FROM cp_rule_association, unnest(ARRAY['what-if', 'FY-now', 'FY-next']) s WHERE rule_set = '2017-07';
INSERT INTO cp_rule_association VALUES ('what-if', 'fast_track'), ('FY-next', 'fast_track');
COMMIT;
INSERT INTO cp_rule_set VALUES ('scratch', NULL, 'to be deleted');
INSERT INTO cp_rule_workload VALUES ('scratch', 'exchange_online', 'EXO');
UPDATE cp_rule_workload SET spelling = 'Exchange Online' WHERE rule_set = 'scratch';
UPDATE cp_rule_set SET description = 'Silver at 2,500 in developing markets, from yesterday' WHERE rule_set = 'FY-now';
DELETE FROM cp_rule_set WHERE rule_set = 'scratch';
});
is(sqlstates($err), '', 'rules: the administrator adds, changes and deletes users\' sets');
is(su('rules', q{
	SELECT public.cp_rule_set_on(current_date) || ' | '
	       || string_agg(partner_id || ' ' || level || ' ' || rule_set, ', ' ORDER BY partner_id)
	       || ' | ' || (SELECT string_agg(rule_set, ',' ORDER BY rule_set COLLATE "C") FROM public.cp_rule_set)
	FROM public.cp_partner_level}),
	'FY-now | 1 gold FY-now, 2 none FY-now | 2017-07,FY-next,FY-now,what-if',
	'rules: FY-now is in force, every partner re-evaluated under it; scratch is gone');
is(tried('rules', 'admin1',
		'insert into 2017-07', q{INSERT INTO cp_rule_workload VALUES ('2017-07', 'teams', 'Teams')},
		'update 2017-07', q{UPDATE cp_rule_threshold SET min_entitlements = 1 WHERE rule_set = '2017-07'},
		'no-op update of 2017-07', q{UPDATE cp_rule_set SET description = description WHERE rule_set = '2017-07'},
		'rename 2017-07', q{UPDATE cp_rule_set SET rule_set = '2017-07b' WHERE rule_set = '2017-07'},
		'delete from 2017-07', q{DELETE FROM cp_rule_association WHERE rule_set = '2017-07'},
		'delete the set 2017-07', q{DELETE FROM cp_rule_set WHERE rule_set = '2017-07'},
		(map { ("truncate $_", "TRUNCATE public.$_") } @rule_tables)),
	join("\n", map { "$_: 42501" } 'insert into 2017-07', 'update 2017-07', 'no-op update of 2017-07', 'rename 2017-07',
	                'delete from 2017-07', 'delete the set 2017-07', map { "truncate $_" } @rule_tables),
	'rules: the administrator changes no row of 2017-07 and truncates no rule table (42501)');

# A loader's usage is flagged under the set in force, which it may not read:
# 2,700 in SPO lift Fabrikam to Silver under FY-now.
($out, $err) = as_role('rules', 'loader1', qq{
INSERT INTO cp_usage VALUES ('$T2', 'SPO', 'E3', false, 1500, current_date);
});
is(sqlstates($err), '', 'rules: the loader loads usage');
is(su('rules', q{
	SELECT string_agg(old_level || '->' || new_level || ' ' || rule_set, ', ' ORDER BY change_id)
	FROM public.cp_level_change WHERE partner_id = 2}),
	'none->silver 2017-07, silver->none FY-now, none->silver FY-now',
	'rules: and it is flagged under FY-now');

# Every evaluation under every set (in force on a date, or named), the
# views, the scalar forms and the aggregates: as the superuser, as analyst
# (no grant on the rule tables) and as the README's reader.
my $battery = q{
SELECT cp_rule_set_on(current_date), cp_rule_set_on(current_date - 2), cp_rule_set_on(current_date + 40),
       cp_rule_set_on('infinity');
SELECT e::text FROM cp_evaluate(current_date, 'what-if') e ORDER BY 1;
SELECT e::text FROM cp_evaluate(current_date, 'FY-next') e ORDER BY 1;
SELECT e::text FROM cp_evaluate(current_date, '2017-07') e ORDER BY 1;
SELECT e::text FROM cp_evaluate(current_date) e ORDER BY 1;
SELECT e::text FROM cp_evaluate(current_date + 40) e ORDER BY 1;
SELECT e::text FROM cp_evaluate_partners(current_date, 30, NULL) e ORDER BY 1;
SELECT e::text FROM cp_evaluate_series(current_date - 3, current_date + 60, '7 days') e ORDER BY 1;
SELECT e::text FROM cp_explain(2, current_date) e ORDER BY 1;
SELECT e::text FROM cp_explain(2, current_date + 40) e ORDER BY 1;
SELECT e::text FROM cp_explain_risk(1, current_date) e ORDER BY 1;
SELECT e::text FROM cp_explain_risk(2, current_date) e ORDER BY 1;
SELECT e::text FROM cp_membership_status(current_date) e ORDER BY 1;
SELECT p.partner_id, p.level, p.rule_set FROM cp_partner_status p ORDER BY 1;
SELECT p.partner_id, p.level, p.rule_set FROM cp_partner_status_kept p ORDER BY 1;
SELECT cp_level('developing', 1500, 1, 'what-if'), cp_level('developing', 1500, 1),
       cp_required_entitlements('gold', 'developed', 'what-if'), cp_required_individuals('gold', 'FY-now'),
       cp_workload('microsoft teams', 'what-if'), cp_workload('Teams'), cp_credential('exam MS-100', 'what-if');
SELECT cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on, 'what-if'),
       cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on, 'FY-now')
FROM cp_usage;
SELECT cp_qualified_individuals(person_id, credential, 'what-if'), cp_qualified_individuals(person_id, credential, 'FY-next')
FROM cp_credential;
};
my $want = $node->safe_psql('rules', $battery);
like($want, qr/^FY-now\|2017-07\|FY-next\|FY-next$/m, 'rules: the sets in force, as the superuser sees them');
like($want, qr/rules_change/, 'rules: the battery explains a rules_change');
for my $role ('analyst', 'reader1')
{
	($out, $err) = as_role('rules', $role, $battery);
	is(sqlstates($err), '', "rules: $role evaluates under every set"
		  . ($role eq 'analyst' ? ', with no grant on the rule tables' : ''));
	is($out, $want, "rules: $role gets what the superuser gets");
}

###############################################################################
# The install warning: CREATE EXTENSION and ALTER EXTENSION UPDATE (1.4 to
# 1.5) into a schema where roles that are not superusers may create objects
# warn, naming them, and succeed; where only superusers may, they do not
# warn.
###############################################################################

my $warning = qr/^(?:psql:[^:]*:\d+: )?WARNING:  roles that are not superusers may create objects in schema (\S+), where competency is installed: (.*)$/m;
my $n_db = 0;
for my $case (
	# label, database owner, schema (made by the superuser), who may create there, roles named
	[ 'a schema where mallory and trudy may create', undef, 'open', 'mallory, trudy', 'mallory, trudy' ],
	[ 'public of a database alice owns', 'alice', 'public', undef, 'alice' ],
	[ 'a schema only superusers may create in', undef, 'closed', undef, undef ],
	[ 'public of a database a superuser owns', undef, 'public', undef, undef ])
{
	my ($label, $owner, $schema, $creators, $named) = @$case;
	for my $how ('CREATE EXTENSION', 'ALTER EXTENSION UPDATE')
	{
		my $db = 'install_' . ++$n_db;
		$node->safe_psql('postgres', "CREATE DATABASE $db" . (defined $owner ? " OWNER $owner" : ''));
		$node->safe_psql($db, "CREATE SCHEMA $schema") if $schema ne 'public';
		$node->safe_psql($db, "CREATE EXTENSION competency VERSION '1.4' SCHEMA $schema")
		  if $how ne 'CREATE EXTENSION';
		my $sql = defined $creators ? "GRANT CREATE ON SCHEMA $schema TO $creators;\n" : '';
		$sql .= $how eq 'CREATE EXTENSION'
		  ? "CREATE EXTENSION competency SCHEMA $schema;\n"
		  : "ALTER EXTENSION competency UPDATE TO '1.5';\n";
		my ($rc, $out, $err) = $node->psql($db, $sql);
		is($rc, 0, "$how, $label: succeeds");
		my $want = $how eq 'CREATE EXTENSION'
		  ? $node->safe_psql('postgres', q{SELECT default_version FROM pg_available_extensions WHERE name = 'competency'})
		  : '1.5';
		is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'competency'}), $want,
			"$how, $label: at $want");
		if (defined $named)
		{
			my ($in, $roles) = $err =~ $warning;
			is(($in // 'no warning') . ': ' . ($roles // ''), "$schema: $named", "$how, $label: warns, naming $named");
		}
		else
		{
			unlike($err, qr/roles that are not superusers/, "$how, $label: no warning");
		}
	}
}

###############################################################################
# The competency import is linear: a load of 8,000 report rows takes at most
# 5 times one of 2,000 (the best of three rounds each, each load into an
# emptied cp_membership), with the counts the rules give: every third row
# overlaps the row before it (rejected), and ten more overlap memberships
# stored before the load (rejected too).
###############################################################################

$node->safe_psql('postgres', 'CREATE DATABASE import');
$node->safe_psql('import', q{
CREATE EXTENSION competency;
INSERT INTO cp_partner SELECT p, 'p' || p, 'developed' FROM generate_series(1, 7) p;
CREATE SCHEMA tools;
-- row i of a report of n rows: nine days from 1800-01-01 + 10 i, five
-- days earlier for every third row (which overlaps the row before it)
CREATE FUNCTION tools.report_start(i integer) RETURNS date LANGUAGE sql IMMUTABLE
RETURN DATE '1800-01-01' + i * 10 - CASE WHEN i % 3 = 0 THEN 5 ELSE 0 END;
CREATE FUNCTION tools.stage(n integer) RETURNS void LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO cp_partner_center_competency
    SELECT 'Cloud Productivity', CASE WHEN i % 2 = 0 THEN 'Gold' ELSE 'Silver' END, 'Active',
           to_char(tools.report_start(i), 'YYYY-MM-DD'), to_char(tools.report_start(i) + 8, 'YYYY-MM-DD')
    FROM generate_series(1, n) i ORDER BY i;
END;
-- memberships stored before a load, on the days of rows 1, 4, ..., 28
CREATE FUNCTION tools.store(p bigint) RETURNS void LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO cp_membership
    SELECT p, 'gold', tools.report_start(i), tools.report_start(i) + 9 FROM generate_series(1, 28, 3) i;
END;
-- a warm-up load
SELECT tools.stage(100);
SELECT * FROM cp_load_partner_center_competency(7);
});
my %best;
my $session = $node->background_psql('import');
my $partner = 0;
for my $round (1 .. 3)
{
	for my $n (2000, 8000)
	{
		$partner++;
		$session->query_safe("TRUNCATE cp_membership, cp_partner_center_competency_reject;\n"
			  . "SELECT tools.store($partner); SELECT tools.stage($n)");
		my $t0 = Time::HiRes::time();
		my $counts = $session->query_safe("SELECT loaded || ' ' || rejected FROM cp_load_partner_center_competency($partner)");
		my $took = Time::HiRes::time() - $t0;
		$best{$n} = $took if !defined $best{$n} || $took < $best{$n};
		my $rejected = int($n / 3) + 10;
		is($counts, ($n - $rejected) . " $rejected", "import, round $round, $n rows: loaded and rejected as the rules say");
		is($session->query_safe(qq{
			SELECT (SELECT count(*) FROM cp_membership WHERE partner_id = $partner) || ' '
			       || (SELECT count(*) FROM cp_partner_center_competency_reject WHERE partner_id = $partner AND reason = 'overlap') || ' '
			       || (SELECT count(*) FROM cp_partner_center_competency_reject r WHERE partner_id = $partner
			             AND (r.reason <> 'overlap'
			                  OR NOT ((r."CompetencyStartDate"::date - DATE '1800-01-01') % 10 = 5
			                          OR r."CompetencyStartDate"::date IN (SELECT started_on FROM cp_membership m
			                                                               WHERE m.partner_id = $partner)))) || ' '
			       || (SELECT count(*) FROM cp_partner_center_competency)}),
			($n - $rejected + 10) . " $rejected 0 0",
			"import, round $round, $n rows: the rejected rows are the overlapping ones, each 'overlap'; nothing left staged");
		note(sprintf('import, round %d: %d rows in %.3f s', $round, $n, $took));
	}
}
$session->quit;
ok($best{8000} <= 5 * $best{2000},
	sprintf('the import is linear: 8,000 rows in %.3f s, 2,000 in %.3f s (%.2fx)',
		$best{8000}, $best{2000}, $best{8000} / $best{2000}));

note(sprintf('runtime: %.1f s', Time::HiRes::time() - $start_time));
$node->stop;
done_testing();
