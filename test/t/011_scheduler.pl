# The README's scheduler recipe ("### Scheduling the refresh"), as written:
# its ```ini block is appended to postgresql.conf (with cron.database_name
# naming this test's database, the only change) and its ```sql block (all
# but the first line, a "-- not run:" comment) runs as a superuser in the
# database competency is in, in schema public.  Both are read from
# README.md, not copied, so the test follows the README.
#
# Proves, on a node with that configuration:
# - the job 'competency-refresh' exists, scheduled daily at 00:05;
# - moved to every minute (cron.alter_job), it runs in a background worker
#   and succeeds (cron.job_run_details), and the refresh it runs flags what
#   time passing and a paused bulk load left behind: a partner whose
#   measurements went stale since its level was stored falls from silver to
#   none, a partner loaded with flagging off rises from none to silver;
#   afterwards cp_partner_level equals a fresh cp_evaluate(cp_flagging_date())
#   with flagging's window.
# And the README's warning, on a second node with the same configuration
# but without the cron.use_background_workers line (pg_cron then connects
# back over libpq, to cron.host 'localhost'), listening on 127.0.0.1 with
# pg_hba.conf asking a password there (scram-sha-256, as Debian's default
# does for host connections): the same job fails with "connection failed";
# a job scheduled by a role that pg_hba.conf lets in without a password
# (trust), granted only EXECUTE on cp_refresh_levels(date) and
# cp_flagging_date() (and USAGE on schema cron, pg_cron's own requirement
# for scheduling), succeeds on that node in the same minute: the failure is
# the password, and those two grants are all the job's role needs.
#
# Both nodes wait for the same minute boundary: about one to two minutes.
# Skips unless pg_cron is installed (test/deps.sh installs
# postgresql-15-cron).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $start_time = Time::HiRes::time();

my $pkglibdir = `pg_config --pkglibdir`;
my $sharedir = `pg_config --sharedir`;
chomp($pkglibdir, $sharedir);
plan skip_all => 'pg_cron is not installed (Debian: postgresql-15-cron; test/deps.sh installs it)'
  unless -f "$pkglibdir/pg_cron.so" && -f "$sharedir/extension/pg_cron.control";

# No password file either: pg_cron's libpq connections (the second node's)
# would read the server user's ~/.pgpass.
$ENV{PGPASSFILE} = PostgreSQL::Test::Utils::tempdir() . '/no-pgpass';

###############################################################################
# The recipe, from README.md
###############################################################################

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!";
	local $/;
	my $text = <$fh>;
	close $fh;
	return $text;
}

# The section under a heading (the heading line exactly), up to the next
# heading of the same or a higher level; lines in fenced blocks are never
# headings.
sub section
{
	my ($text, $heading) = @_;
	my ($level) = $heading =~ /^(#+) /;
	my ($in, $fenced, @lines) = (0, 0);
	for my $line (split /\n/, $text)
	{
		if (!$fenced && $line =~ /^(#+) / && length($1) <= length($level))
		{
			last if $in;
			$in = 1 if $line eq $heading;
		}
		$fenced = !$fenced if $line =~ /^```/;
		push @lines, $line if $in;
	}
	die "README.md has no section \"$heading\"" unless @lines;
	return join("\n", @lines) . "\n";
}

my $readme = slurp('README.md');
my $section = section($readme, '### Scheduling the refresh');
my ($ini, $sql) = $section =~ /^```ini\n(.*?)^```\n.*?^```sql\n(.*?)^```$/ms
  or die 'README.md: no ```ini block followed by a ```sql block under "### Scheduling the refresh"';
my ($first, $schedule) = $sql =~ /\A([^\n]*)\n(.*)\z/s;
like($first, qr/^-- not run:/, "the README's SQL starts with its \"-- not run:\" comment");
like($ini, qr/^cron\.database_name\s*=\s*'[^']*'/m, 'the README sets cron.database_name');
like($schedule, qr/cron\.schedule\('competency-refresh'/, "the README schedules 'competency-refresh'");

# This test's database, in the README's cron.database_name; nothing else of
# the block changes.
my $db = 'refreshed';
(my $conf = $ini) =~ s/^(cron\.database_name\s*=\s*)'[^']*'/$1'$db'/m;

# A node with competency in $db (schema public), then the configuration and
# a restart, as the README says.
sub configured_node
{
	my ($name, $settings, $setup) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$setup->($node) if $setup;
	$node->start;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION competency');
	$node->append_conf('postgresql.conf', $settings);
	$node->restart;
	return $node;
}

# Reschedules the README's job every minute; returns its id.
sub every_minute
{
	my ($node) = @_;
	$node->safe_psql($db, q{
		SELECT cron.alter_job(jobid, schedule := '* * * * *') FROM cron.job WHERE jobname = 'competency-refresh'});
	return $node->safe_psql($db, q{SELECT jobid FROM cron.job WHERE jobname = 'competency-refresh'});
}

# The runs of a job: "status: message" each, in order.
sub runs
{
	my ($node, $jobid) = @_;
	return $node->safe_psql($db, qq{
		SELECT string_agg(status || ': ' || coalesce(return_message, ''), '; ' ORDER BY runid)
		FROM cron.job_run_details WHERE jobid = $jobid});
}

###############################################################################
# Node 'cron': the README's configuration as written
###############################################################################

my $node = configured_node('cron', $conf);
is($node->safe_psql($db, 'SHOW shared_preload_libraries; SHOW cron.database_name; SHOW cron.use_background_workers'),
	"pg_cron,competency\n$db\non", "the README's settings are in force ($db for cron.database_name)");

$node->safe_psql($db, $schedule);
is($node->safe_psql($db,
		q{SELECT schedule || ' | ' || command || ' | ' || username || ' | ' || database || ' | ' || active
		  FROM cron.job WHERE jobname = 'competency-refresh'}),
	"5 0 * * * | SELECT public.cp_refresh_levels() | " . $node->safe_psql($db, 'SELECT current_user') . " | $db | true",
	"the README's SQL schedules the refresh daily at 00:05, as the superuser, in $db");

# Two partners, each with a person holding MCSA: Office 365 and a tenant
# with 2,500 users of Exchange Online (silver in a developed market):
# - Wingtip's measurement is 40 days old: stale today, current 30 days ago.
#   A refresh as of 30 days ago stores silver, the level it had then, as
#   the refresh of that day would have; today it is stale.
# - Adatum's measurement is today's, loaded with flagging paused, as a bulk
#   load leaves it: its stored level is still none.
$node->safe_psql($db, q{
	INSERT INTO cp_partner VALUES (1, 'Adatum', 'developed'), (2, 'Wingtip', 'developed');
	INSERT INTO cp_association VALUES
	    (1, '00000000-0000-0000-0000-000000000001', 'delegated_admin', '2020-01-01', NULL),
	    (2, '00000000-0000-0000-0000-000000000002', 'delegated_admin', '2020-01-01', NULL);
	INSERT INTO cp_person VALUES (11, 1, 'Ann'), (21, 2, 'Bob');
	INSERT INTO cp_credential VALUES (11, 'MCSA: Office 365', '2020-01-01', NULL),
	                                 (21, 'MCSA: Office 365', '2020-01-01', NULL);
	INSERT INTO cp_usage VALUES
	    ('00000000-0000-0000-0000-000000000002', 'EXO', 'E3', false, 2500, cp_flagging_date() - 40);
	SELECT cp_refresh_levels(cp_flagging_date() - 30);
	SET competency.flagging = off;
	INSERT INTO cp_usage VALUES
	    ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 2500, cp_flagging_date());
});
my $window = $node->safe_psql($db, 'SELECT cp_flagging_window()');
my $stored = q{SELECT string_agg(p.partner_id || ' ' || coalesce(l.level, 'none') || ' '
	                                || coalesce(l.active_entitlements, 0) || ' ' || coalesce(l.qualified_individuals, 0),
	                                ', ' ORDER BY p.partner_id)
	           FROM cp_partner p LEFT JOIN cp_partner_level l USING (partner_id)};
my $fresh = qq{SET competency.usage_window = '${window}d';
	           SELECT string_agg(partner_id || ' ' || level || ' ' || active_entitlements || ' ' || qualified_individuals,
	                             ', ' ORDER BY partner_id)
	           FROM cp_evaluate(cp_flagging_date())};
is($node->safe_psql($db, $stored), '1 none 0 1, 2 silver 2500 1',
	'before the job: Adatum stored at none (its usage loaded with flagging off), Wingtip at silver (as of 30 days ago)');
is($node->safe_psql($db, $fresh), '1 silver 2500 1, 2 none 0 1',
	"while a fresh evaluation with flagging's window ($window days) says the opposite");
my $last_change = $node->safe_psql($db, 'SELECT coalesce(max(change_id), 0) FROM cp_level_change');

###############################################################################
# Node 'cron_libpq': the same, without cron.use_background_workers, on
# 127.0.0.1 with a password asked there
###############################################################################

my $libpq_conf = $conf =~ s/^cron\.use_background_workers\b[^\n]*\n//mr;
isnt($libpq_conf, $conf, 'the second configuration is the first without cron.use_background_workers');
my $libpq = configured_node('cron_libpq', $libpq_conf . "listen_addresses = '127.0.0.1'\n", sub {
	my ($n) = @_;
	# the harness' unix socket stays trusted; pg_cron's connection to
	# localhost needs a password except for refresher's
	open(my $hba, '>', $n->data_dir . '/pg_hba.conf') or die $!;
	print $hba "local all all trust\n",
	  "host all refresher 127.0.0.1/32 trust\n",
	  "host all all 127.0.0.1/32 scram-sha-256\n",
	  "host all all ::1/128 scram-sha-256\n";
	close $hba;
});
is($libpq->safe_psql($db, 'SHOW cron.use_background_workers; SHOW cron.host'), "off\nlocalhost",
	'without the line pg_cron connects back over libpq to localhost');
$libpq->safe_psql($db, $schedule);
$libpq->safe_psql($db, q{
	CREATE ROLE refresher LOGIN;
	GRANT USAGE ON SCHEMA cron TO refresher;
	GRANT EXECUTE ON FUNCTION cp_refresh_levels(date), cp_flagging_date() TO refresher;
});
my $refresher_job = $libpq->safe_psql($db,
	q{SELECT cron.schedule('refresher-refresh', '* * * * *', 'SELECT public.cp_refresh_levels()')},
	extra_params => [ '-U', 'refresher' ]);

###############################################################################
# Every minute, on both nodes; wait for the runs (at most 150 s)
###############################################################################

my $jobid = every_minute($node);
my $libpq_jobid = every_minute($libpq);
my $moved_at = Time::HiRes::time();
my ($done, $changes, $run, $libpq_run, $refresher_run) = (0, '', '', '', '');
my $changes_sql = qq{SELECT string_agg(partner_id || ' ' || old_level || ' ' || new_level, ', ' ORDER BY partner_id)
	                 FROM cp_level_change WHERE change_id > $last_change};
while (Time::HiRes::time() - $moved_at < 150)
{
	$run = runs($node, $jobid);
	$changes = $node->safe_psql($db, $changes_sql);
	$libpq_run = runs($libpq, $libpq_jobid);
	$refresher_run = runs($libpq, $refresher_job);
	$done = $run =~ /succeeded/ && $changes eq '1 none silver, 2 silver none'
	  && $libpq_run =~ /failed/ && $refresher_run =~ /succeeded/;
	last if $done;
	sleep 1;
}
note(sprintf('waited %.0f s for the runs', Time::HiRes::time() - $moved_at));
note("competency-refresh with background workers: $run");
note("competency-refresh over libpq: $libpq_run");
note("refresher-refresh over libpq: $refresher_run");

like($run, qr/^succeeded: /, 'the job ran in a background worker and succeeded');
is($changes, '1 none silver, 2 silver none',
	'and flagged Adatum none to silver (the paused load) and Wingtip silver to none (stale)');
is($node->safe_psql($db, $stored), $node->safe_psql($db, $fresh),
	"cp_partner_level equals cp_evaluate(cp_flagging_date()) with flagging's window");
is($node->safe_psql($db, $stored), '1 silver 2500 1, 2 none 0 1', 'which is Adatum at silver, Wingtip at none');

like($libpq_run, qr/^failed: connection failed\b/,
	'without cron.use_background_workers, and a password asked for the connection back, the job fails with "connection failed"');
like($refresher_run, qr/^succeeded: /,
	'a job of a role let in without a password succeeds there, with EXECUTE on cp_refresh_levels(date) and cp_flagging_date() only');

$node->stop;
$libpq->stop;
note(sprintf('runtime: %.1f s', Time::HiRes::time() - $start_time));
done_testing();
