# The settings from every level of configuration.  competency.usage_window
# (a session's evaluations) follows the server file, the database, the role
# and the session.  competency.flagging_window,
# competency.flagging_time_zone and competency.grace_days (what flagging
# evaluates with) follow only what a superuser configures, or a role granted
# SET on them: a loader can set none with SET, with PGOPTIONS (also before
# the library is loaded, as a placeholder, and also to the built-in default
# when the server or the database configures another value) nor with ALTER
# ROLE on itself.  Flagging refuses to run in a session where a role that
# may not set one of them set it before the library was loaded, whatever the
# value, naming the setting and the role.  With competency in
# shared_preload_libraries the settings exist from the start: SHOW works in a
# fresh session and PostgreSQL itself refuses a loader's PGOPTIONS at
# connection.  competency.max_state_memory (256MB by default) is
# superuser-only too.
#
# Since version 1.5 EXECUTE is revoked from PUBLIC on every function: each
# role here gets the grants of the README's role model (sql/roles.sql) and
# EXECUTE on the few setting functions it calls.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->append_conf('postgresql.conf',
	"competency.usage_window = '14d'\ncompetency.flagging_window = '14d'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION competency');

is($node->safe_psql('postgres', 'SELECT cp_usage_window(), cp_flagging_window()'),
	'14|14', 'server file sets both windows');
is($node->safe_psql('postgres',
		"SET competency.usage_window = '35d'; SELECT cp_usage_window(), cp_flagging_window()"),
	'35|14', 'a session SET changes the session window, not flagging\'s');

$node->safe_psql('postgres', "ALTER DATABASE postgres SET competency.usage_window = '21d'");
is($node->safe_psql('postgres', 'SELECT cp_usage_window()'),
	'21', 'database default overrides the server file');

$node->safe_psql('postgres', q{
	CREATE ROLE analyst LOGIN;
	GRANT ALL ON SCHEMA public TO analyst;
	GRANT EXECUTE ON FUNCTION cp_usage_window() TO analyst;
});
$node->safe_psql('postgres', "ALTER ROLE analyst SET competency.usage_window = '7d'");
is($node->safe_psql('postgres', 'SELECT cp_usage_window()', extra_params => [ '-U', 'analyst' ]),
	'7', 'role default overrides the database');

is($node->safe_psql('postgres', "SHOW competency.usage_window"), '21d', 'shown in days');
is($node->safe_psql('postgres', "SELECT cp_flagging_window(); SHOW competency.flagging_time_zone"),
	"14\nUTC", 'flagging\'s time zone is UTC by default');
is($node->safe_psql('postgres',
		"SELECT cp_flagging_date() = (now() AT TIME ZONE 'UTC')::date"),
	't', 'and flagging\'s today is UTC\'s today');

# A bad value in the server file is refused with a warning; the default stays.
$node->append_conf('postgresql.conf', "competency.usage_window = '36h'\n");
$node->safe_psql('postgres', "ALTER DATABASE postgres RESET competency.usage_window");
$node->reload;
my ($out, $err) = ('', '');
$node->psql('postgres', 'SELECT cp_usage_window()', stdout => \$out, stderr => \$err);
is($out, '28', 'a window that is not whole days falls back to the default');
like($err, qr/whole number of days/, 'and says why');

# Values from the connection (PGOPTIONS) are a session's own.
$ENV{PGOPTIONS} = '-c competency.usage_window=10d';
is($node->safe_psql('postgres', 'SELECT cp_usage_window(), cp_flagging_window()'),
	'10|14', 'connection options set the session window');
delete $ENV{PGOPTIONS};

# A loader, with the README's grants, tries every way to steer flagging.
$node->safe_psql('postgres', q{
	CREATE ROLE loader LOGIN;
	GRANT INSERT ON cp_usage TO loader;
	GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage, cp_partner_center_competency TO loader;
	GRANT SELECT ON cp_partner_center_reject, cp_partner_center_competency_reject TO loader;
	GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint),
	                          cp_staging_role() TO loader;
	-- and the setting functions these tests call
	GRANT EXECUTE ON FUNCTION cp_flagging_date(), cp_usage_window() TO loader;
	INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
	INSERT INTO cp_association VALUES (1, '00000000-0000-0000-0000-000000000001', 'delegated_admin', '2020-01-01', NULL);
	INSERT INTO cp_person VALUES (1, 1, 'Ann');
	INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '2020-01-01', NULL);
});
my $stale = q{INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 2500, cp_flagging_date() - 100)};
my $ahead = q{INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'SPO', 'E3', false, 2600, cp_flagging_date() + 5)};

# PGOPTIONS on a fresh connection: the library is not loaded yet, so the
# values are placeholders until it is.  PostgreSQL then refuses them, but
# leaves the settings at their built-in defaults, not the server file's; so
# flagging refuses to run in that session.
$ENV{PGOPTIONS} = '-c competency.flagging_window=366d -c competency.flagging_time_zone=Etc/GMT-14';
my ($rc, $stdout, $stderr) = $node->psql('postgres', "$stale; $ahead",
	extra_params => [ '-U', 'loader' ]);
delete $ENV{PGOPTIONS};
isnt($rc, 0, 'a loader that set flagging\'s settings in PGOPTIONS cannot write');
like($stderr,
	qr/competency\.flagging_(?:window|time_zone) was set by role "loader" before the competency library was loaded, and refused/,
	'and is told why');
$ENV{PGOPTIONS} = '-c competency.flagging_time_zone=Etc/GMT-14';
($rc, $stdout, $stderr) = $node->psql('postgres', "SELECT cp_flagging_date()",
	extra_params => [ '-U', 'loader' ]);
delete $ENV{PGOPTIONS};
like($stderr, qr/competency\.flagging_time_zone was set by role "loader"/,
	'nor take flagging\'s date with a time zone of its own');
# A loader that sets nothing is flagged with the server file's window.
$node->safe_psql('postgres', "$stale; $ahead", extra_params => [ '-U', 'loader' ]);
is($node->safe_psql('postgres', 'SELECT count(*) FROM cp_level_change'), '0',
	'nothing was flagged on the loader\'s terms');
is($node->safe_psql('postgres', 'SELECT level, active_entitlements FROM cp_partner_level'),
	'none|0', 'the stored level is flagging\'s own');
is($node->safe_psql('postgres',
		"SELECT level FROM cp_evaluate_partners(cp_flagging_date(), 14, NULL)"),
	'none', 'as an evaluation with the configured settings says');
# A superuser's PGOPTIONS are configuration like any other.
$ENV{PGOPTIONS} = '-c competency.flagging_window=20d';
is($node->safe_psql('postgres', 'SELECT cp_flagging_window()'), '20',
	'a superuser may set flagging\'s window for its session');
delete $ENV{PGOPTIONS};

# ALTER ROLE on itself, before and after the library is loaded.
($rc, $stdout, $stderr) = $node->psql('postgres',
	"ALTER ROLE loader SET competency.flagging_window = '366d'",
	extra_params => [ '-U', 'loader' ]);
isnt($rc, 0, 'ALTER ROLE on itself before the library is loaded is refused');
($rc, $stdout, $stderr) = $node->psql('postgres',
	"SELECT cp_usage_window(); ALTER ROLE loader SET competency.flagging_time_zone = 'Etc/GMT-14'",
	extra_params => [ '-U', 'loader' ]);
isnt($rc, 0, 'ALTER ROLE on itself after the library is loaded is refused');
like($stderr, qr/permission denied to set parameter/, 'with permission denied');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'loader'"),
	'0', 'the loader has no settings of its own');

# What a superuser configures is what flagging uses.
$node->safe_psql('postgres', "ALTER ROLE loader SET competency.flagging_window = '366d'");
$node->safe_psql('postgres', $ahead =~ s/2600/2700/r, extra_params => [ '-U', 'loader' ]);
is($node->safe_psql('postgres', 'SELECT level FROM cp_partner_level'), 'silver',
	'a window a superuser set for the role is flagging\'s');

###############################################################################
# Version 1.5: a placeholder set before the library is loaded by a role that
# may not set it is refused whatever its value, the built-in default
# included (1.4 noticed only values that differed from the default, so a
# loader could undo what the server or the database configures by asking
# for the default).
###############################################################################

# A valid window in the server file again (the '36h' above warns in every
# session that loads the library); the loader starts over with no settings
# of its own and no usage.
$node->append_conf('postgresql.conf', "competency.usage_window = '14d'\n");
$node->reload;
$node->safe_psql('postgres', 'ALTER ROLE loader RESET ALL; TRUNCATE cp_usage');

# psql as a role, with PGOPTIONS (undef: none); errors with their SQLSTATE.
sub run_as
{
	my ($n, $role, $options, $sql) = @_;
	local $ENV{PGOPTIONS} = $options if defined $options;
	delete local $ENV{PGOPTIONS} unless defined $options;
	my ($rc, $stdout, $stderr) = $n->psql('postgres', "\\set VERBOSITY verbose\n$sql",
		extra_params => [ '-U', $role ]);
	return ($rc, $stdout, $stderr);
}

# Partners whose stored level or status differs from what flagging's own
# evaluation (the configured window, time zone and grace) says now.
my $disagree = q{
	SELECT count(*)
	FROM cp_partner_figures(cp_flagging_date(), cp_flagging_window(), NULL, true, cp_rule_set_on(cp_flagging_date())) s
	LEFT JOIN cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> s.level OR coalesce(pl.status, 'not_held') <> s.status};

# A measurement of 2,500 users (Contoso needs 2,000 for silver) made
# $days days before flagging's today, as a literal (so only the INSERT's
# flagging reads the settings).
sub usage_row
{
	my ($days, $n) = @_;
	my $day = $node->safe_psql('postgres', "SELECT cp_flagging_date() - $days");
	return qq{INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, $n, '$day')};
}

# The built-in default of each of flagging's settings, against a database
# that configures another value; then the level and status that value
# gives (the measurement is current with 35 days, not 28; the membership
# in grace with 30 days, not 10).
for my $case (
	[ 'competency.flagging_window', q{'35d'}, '28d', 'silver in_grace' ],
	[ 'competency.grace_days', '10', '30', 'none not_held' ],
	[ 'competency.flagging_time_zone', q{'Pacific/Kiritimati'}, 'UTC', 'none in_grace' ])
{
	my ($name, $configured, $default, $flagged) = @$case;
	$node->safe_psql('postgres', "ALTER DATABASE postgres SET $name = $configured");
	# a membership that ended 20 days ago: in grace with 30 days, not with 10
	$node->safe_psql('postgres', q{
		INSERT INTO cp_membership VALUES (1, 'silver', cp_flagging_date() - 385, cp_flagging_date() - 20)});
	my $row = usage_row(30, 2500);
	my $changes = $node->safe_psql('postgres', 'SELECT count(*) FROM cp_level_change');
	my $statuses = $node->safe_psql('postgres', 'SELECT count(*) FROM cp_status_change');
	my ($rc, $stdout, $stderr) = run_as($node, 'loader', "-c $name=$default", $row);
	isnt($rc, 0, "$name configured $configured: a loader's PGOPTIONS $default (the built-in default) cannot write");
	like($stderr,
		qr/ERROR:  42501: \Q$name\E was set by role "loader" before the competency library was loaded, and refused/,
		"$name: 42501, naming the setting and the role");
	like($stderr, qr/HINT:  Connect without setting \Q$name\E/, "$name: and saying how to fix it");
	is($node->safe_psql('postgres', q{
		SELECT (SELECT count(*) FROM cp_usage) || ' ' || (SELECT count(*) FROM cp_level_change)
		       || ' ' || (SELECT count(*) FROM cp_status_change)}),
		"0 $changes $statuses", "$name: nothing stored");
	is($node->safe_psql('postgres', $disagree), '0',
		"$name: the stored levels and statuses are what flagging's configured settings say");
	# the same row without PGOPTIONS is flagged with the database's value
	($rc, $stdout, $stderr) = run_as($node, 'loader', undef, $row);
	is($rc, 0, "$name: the loader without PGOPTIONS writes") or diag($stderr);
	is($node->safe_psql('postgres', $disagree), '0', "$name: and is flagged as configured");
	is($node->safe_psql('postgres', 'SELECT level || \' \' || status FROM cp_partner_level WHERE partner_id = 1'),
		$flagged, "$name: with the configured $configured");
	$node->safe_psql('postgres', "TRUNCATE cp_usage; DELETE FROM cp_membership; ALTER DATABASE postgres RESET $name");
}
# The time zone the database configures is flagging's.
$node->safe_psql('postgres',
	"ALTER DATABASE postgres SET competency.flagging_time_zone = 'Pacific/Kiritimati'");
is($node->safe_psql('postgres',
		"SELECT cp_flagging_date() = (now() AT TIME ZONE 'Pacific/Kiritimati')::date"),
	't', 'the database\'s time zone is flagging\'s');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET competency.flagging_time_zone');

# A session SET of a placeholder before the library is loaded, to the
# built-in default, is refused the same way.
$node->safe_psql('postgres', 'ALTER DATABASE postgres SET competency.grace_days = 10');
my ($rc2, $out2, $err2) = run_as($node, 'loader', undef,
	"SET competency.grace_days = 30;\n" . usage_row(1, 2500));
isnt($rc2, 0, 'a loader\'s SET before the library is loaded cannot write');
like($err2,
	qr/ERROR:  42501: competency\.grace_days was set by role "loader" before the competency library was loaded, and refused/,
	'and is told why');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cp_usage'), '0', 'nothing stored');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET competency.grace_days');

# A role granted SET on the setting may set it in PGOPTIONS: flagging uses
# its value (35 days where the server file says 14).
$node->safe_psql('postgres', 'GRANT SET ON PARAMETER competency.flagging_window TO loader');
($rc2, $out2, $err2) = run_as($node, 'loader', '-c competency.flagging_window=35d', usage_row(30, 2500));
is($rc2, 0, 'a loader granted SET on competency.flagging_window sets it in PGOPTIONS') or diag($err2);
is($node->safe_psql('postgres', 'SELECT level FROM cp_partner_level WHERE partner_id = 1'), 'silver',
	'and flagging uses its value');
is($node->safe_psql('postgres', 'SELECT level FROM cp_evaluate_partners(cp_flagging_date(), 35, ARRAY[1::bigint])'),
	'silver', 'as an evaluation with 35 days says');
$node->safe_psql('postgres', q{
	REVOKE SET ON PARAMETER competency.flagging_window FROM loader;
	TRUNCATE cp_usage;
});
is($node->safe_psql('postgres', 'SELECT level FROM cp_partner_level WHERE partner_id = 1'), 'none',
	'back to none');

# competency.max_state_memory: 256MB, superuser only.
is($node->safe_psql('postgres', 'SELECT cp_usage_window(); SHOW competency.max_state_memory',
		extra_params => [ '-U', 'analyst' ]),
	"7\n256MB", 'competency.max_state_memory is 256MB by default');
($rc2, $out2, $err2) = run_as($node, 'analyst', undef,
	"SELECT cp_usage_window();\nSET competency.max_state_memory = '1GB'");
like($err2, qr/ERROR:  42501: permission denied to set parameter "competency\.max_state_memory"/,
	'a non-superuser\'s SET of competency.max_state_memory is 42501');
($rc2, $out2, $err2) = run_as($node, 'analyst', '-c competency.max_state_memory=1MB',
	"SELECT cp_usage_window();\nSHOW competency.max_state_memory");
is($out2, "7\n256MB", 'a non-superuser\'s PGOPTIONS before the library is loaded leaves the default');
like($err2, qr/WARNING:  42501: permission denied to set parameter "competency\.max_state_memory"/,
	'and is refused with a warning');

###############################################################################
# With competency in shared_preload_libraries the settings exist in every
# session from the start: PostgreSQL refuses a loader's PGOPTIONS when it
# connects, and what a superuser configures is what flagging uses.
###############################################################################

my $pre = PostgreSQL::Test::Cluster->new('preloaded');
$pre->init;
$pre->append_conf('postgresql.conf', "shared_preload_libraries = 'competency'\n");
$pre->start;
$pre->safe_psql('postgres', q{
	CREATE EXTENSION competency;
	CREATE ROLE loader LOGIN;
	GRANT INSERT ON cp_usage TO loader;
	GRANT SELECT, INSERT, DELETE ON cp_partner_center_usage, cp_partner_center_competency TO loader;
	GRANT SELECT ON cp_partner_center_reject, cp_partner_center_competency_reject TO loader;
	GRANT EXECUTE ON FUNCTION cp_load_partner_center_usage(), cp_load_partner_center_competency(bigint),
	                          cp_staging_role() TO loader;
	INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed');
	INSERT INTO cp_association VALUES (1, '00000000-0000-0000-0000-000000000001', 'delegated_admin', '2020-01-01', NULL);
	INSERT INTO cp_person VALUES (1, 1, 'Ann');
	INSERT INTO cp_credential VALUES (1, 'MCSA: Office 365', '2020-01-01', NULL);
});
is($pre->safe_psql('postgres', 'SHOW competency.flagging_window; SHOW competency.max_state_memory',
		extra_params => [ '-U', 'loader' ]),
	"28d\n256MB", 'preloaded: SHOW works in a fresh session with no function called');
($rc2, $out2, $err2) = run_as($pre, 'loader', '-c competency.flagging_window=28d', 'SELECT 1');
isnt($rc2, 0, 'preloaded: a loader\'s PGOPTIONS for competency.flagging_window fails the connection');
like($err2, qr/permission denied to set parameter "competency\.flagging_window"/, 'with permission denied');
my $pre_day = $pre->safe_psql('postgres', 'SELECT cp_flagging_date() - 30');
my $pre_row = qq{INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 2500, '$pre_day')};
$pre->safe_psql('postgres', "ALTER DATABASE postgres SET competency.flagging_window = '35d'");
$pre->safe_psql('postgres', $pre_row, extra_params => [ '-U', 'loader' ]);
is($pre->safe_psql('postgres', 'SELECT level FROM cp_partner_level'), 'silver',
	'preloaded: the database\'s window (35 days) is flagging\'s');
$pre->safe_psql('postgres', "ALTER ROLE loader SET competency.flagging_window = '14d'");
$pre->safe_psql('postgres', $pre_row =~ s/2500/2600/r, extra_params => [ '-U', 'loader' ]);
is($pre->safe_psql('postgres', 'SELECT level FROM cp_partner_level'), 'none',
	'preloaded: a superuser\'s ALTER ROLE (14 days) is flagging\'s for that role');
$pre->stop;

$node->stop;
done_testing();
