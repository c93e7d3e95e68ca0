# The settings from every level of configuration.  competency.usage_window
# (a session's evaluations) follows the server file, the database, the role
# and the session.  competency.flagging_window and
# competency.flagging_time_zone (what flagging evaluates with) follow only
# what a superuser configures: a loader can set neither with SET, with
# PGOPTIONS (also before the library is loaded, as a placeholder) nor with
# ALTER ROLE on itself.
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

$node->safe_psql('postgres', "CREATE ROLE analyst LOGIN; GRANT ALL ON SCHEMA public TO analyst");
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
like($stderr, qr/competency.flagging_window was set by this session before the competency library was loaded, and refused/,
	'and is told why');
$ENV{PGOPTIONS} = '-c competency.flagging_time_zone=Etc/GMT-14';
($rc, $stdout, $stderr) = $node->psql('postgres', "SELECT cp_flagging_date()",
	extra_params => [ '-U', 'loader' ]);
delete $ENV{PGOPTIONS};
like($stderr, qr/competency.flagging_time_zone was set by this session/,
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

$node->stop;
done_testing();
