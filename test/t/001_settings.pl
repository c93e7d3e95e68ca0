# competency.usage_window from every level of configuration: the server file,
# the database, the role, the session.  cp_configured_usage_window() (what
# flagging uses) follows the configured value and ignores a session's SET.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->append_conf('postgresql.conf', "competency.usage_window = '14d'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION competency');

is($node->safe_psql('postgres', 'SELECT cp_usage_window(), cp_configured_usage_window()'),
	'14|14', 'server file sets the window');
is($node->safe_psql('postgres',
		"SET competency.usage_window = '35d'; SELECT cp_usage_window(), cp_configured_usage_window()"),
	'35|14', 'a session SET changes the session window, not the configured one');

$node->safe_psql('postgres', "ALTER DATABASE postgres SET competency.usage_window = '21d'");
is($node->safe_psql('postgres', 'SELECT cp_usage_window(), cp_configured_usage_window()'),
	'21|21', 'database default overrides the server file');

$node->safe_psql('postgres', "CREATE ROLE analyst LOGIN; GRANT ALL ON SCHEMA public TO analyst");
$node->safe_psql('postgres', "ALTER ROLE analyst SET competency.usage_window = '7d'");
is($node->psql_ok_output('postgres', 'analyst'), '7|7', 'role default overrides the database');

is($node->safe_psql('postgres', "SHOW competency.usage_window"), '21d', 'shown in days');

# A bad value in the server file is refused with a warning; the default stays.
$node->append_conf('postgresql.conf', "competency.usage_window = '36h'\n");
$node->safe_psql('postgres', "ALTER DATABASE postgres RESET competency.usage_window");
$node->reload;
my ($out, $err) = ('', '');
$node->psql('postgres', 'SELECT cp_usage_window()', stdout => \$out, stderr => \$err);
is($out, '28', 'a window that is not whole days falls back to the default');
like($err, qr/whole number of days/, 'and says why');

# Values from the connection (PGOPTIONS) are configuration too.
$ENV{PGOPTIONS} = '-c competency.usage_window=10d';
is($node->safe_psql('postgres', 'SELECT cp_usage_window(), cp_configured_usage_window()'),
	'10|10', 'connection options count as configuration');
delete $ENV{PGOPTIONS};

$node->stop;
done_testing();

package PostgreSQL::Test::Cluster;

# Output of the window query run as another role.
sub psql_ok_output
{
	my ($self, $db, $role) = @_;
	return $self->safe_psql($db,
		'SELECT cp_usage_window(), cp_configured_usage_window()',
		extra_params => [ '-U', $role ]);
}
