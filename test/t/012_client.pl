# The README's Python listener ("### Listening for changes"), as written:
# the ```python block is read from README.md (not copied), written to a file
# and run with python3 in the background, its connection taken from
# PGHOST, PGPORT, PGDATABASE and PGUSER, as a LOGIN role in the README's
# reader role (the ```sql block of "## Roles and privileges", also read from
# README.md and run as the superuser; then CREATE ROLE dash LOGIN IN ROLE
# competency_reader).
#
# Proves:
# - the superuser's writes that flag one level change (a partner reaching
#   silver: partner, association, person, credential, then usage) and one
#   status change (a silver cp_membership row) reach the listener, which
#   prints "cp_level_change <id> <partner> none silver" and
#   "cp_status_change <id> <partner> <old> <new>", exactly the rows of
#   cp_level_change and cp_status_change, and nothing else (within 20 s);
# - a role that may not read cp_level_change (nosy: LOGIN, nothing granted)
#   gets the notifications too, whose payload is {"change_id": N} and
#   nothing more, but cannot read the rows: the same script, run as nosy,
#   stops at its first notification with "permission denied for table
#   cp_level_change", and so does nosy's own SELECT of the row.
#
# A few seconds.  Skips unless python3 with psycopg2 is installed (Debian:
# python3-psycopg2; test/deps.sh installs it).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run ();
use Time::HiRes ();

my $start_time = Time::HiRes::time();

plan skip_all => 'python3 with psycopg2 is not installed (Debian: python3-psycopg2; test/deps.sh installs it)'
  unless system("python3 -c 'import psycopg2' >/dev/null 2>&1") == 0;

###############################################################################
# The listener and the role model, from README.md
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

# The first fenced block of a language in a section.
sub block
{
	my ($heading, $lang) = @_;
	my ($code) = section(slurp('README.md'), $heading) =~ /^```\Q$lang\E\n(.*?)^```$/ms
	  or die "README.md: no ```$lang block under \"$heading\"";
	return $code;
}

my $python = block('### Listening for changes', 'python');
my $roles = block('## Roles and privileges', 'sql');
like($python, qr/LISTEN cp_level_change; LISTEN cp_status_change/, "the README's listener listens on both channels");
like($roles, qr/^CREATE ROLE competency_reader NOLOGIN;/m, "the README's role model creates competency_reader");

my $tmp = PostgreSQL::Test::Utils::tempdir();
my $script = "$tmp/listener.py";
open(my $fh, '>', $script) or die "$script: $!";
print $fh $python;
close $fh;

###############################################################################
# The node: competency in public of postgres, the role model, dash and nosy
###############################################################################

my $node = PostgreSQL::Test::Cluster->new('client');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION competency');
$node->safe_psql('postgres', $roles);
$node->safe_psql('postgres', q{
	CREATE ROLE dash LOGIN IN ROLE competency_reader;
	CREATE ROLE nosy LOGIN;
});
is($node->safe_psql('postgres', q{
	SELECT has_table_privilege('dash', 'cp_level_change', 'SELECT'), has_table_privilege('dash', 'cp_status_change', 'SELECT'),
	       has_table_privilege('nosy', 'cp_level_change', 'SELECT'), has_table_privilege('nosy', 'cp_status_change', 'SELECT')}),
	't|t|f|f', 'dash may read the change tables (as a reader), nosy may not');

# The script in the background as a role, output to files (named in
# pg_stat_activity by its application_name).
sub listener
{
	my ($role) = @_;
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGDATABASE} = 'postgres';
	local $ENV{PGUSER} = $role;
	local $ENV{PGAPPNAME} = 'readme-listener';
	return IPC::Run::start([ 'python3', $script ],
		'<', \undef, '>', "$tmp/$role.out", '2>', "$tmp/$role.err");
}

sub contents
{
	my ($path) = @_;
	return -e $path ? slurp($path) : '';
}

my %listener = map { $_ => listener($_) } qw(dash nosy);

# nosy's own session, listening in psql.
my $psql = $node->background_psql('postgres', extra_params => [ '-U', 'nosy' ]);
$psql->query_safe('LISTEN cp_level_change; LISTEN cp_status_change');

# Both scripts are listening before anything changes (at most 20 s).
my $listening = q{
	SELECT string_agg(usename, ' ' ORDER BY usename) FROM pg_stat_activity
	WHERE usename IN ('dash', 'nosy') AND state = 'idle' AND application_name = 'readme-listener'
	  AND query = 'LISTEN cp_level_change; LISTEN cp_status_change'};
my $t0 = Time::HiRes::time();
my $who = '';
while (Time::HiRes::time() - $t0 < 20)
{
	$who = $node->safe_psql('postgres', $listening);
	last if $who eq 'dash nosy';
	Time::HiRes::sleep(0.2);
}
is($who, 'dash nosy', 'both scripts are listening');

###############################################################################
# Changes, as the superuser: one of level, then one of status
###############################################################################

$node->safe_psql('postgres', q{
	INSERT INTO cp_partner VALUES (1, 'Adatum', 'developed');
	INSERT INTO cp_association VALUES (1, '00000000-0000-0000-0000-000000000001', 'delegated_admin', '2020-01-01', NULL);
	INSERT INTO cp_person VALUES (11, 1, 'Ann');
	INSERT INTO cp_credential VALUES (11, 'MCSA: Office 365', '2020-01-01', NULL);
	-- 2,500 users today: silver in a developed market
	INSERT INTO cp_usage VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 2500, cp_flagging_date());
	-- silver granted for the year that started ten days ago
	INSERT INTO cp_membership VALUES (1, 'silver', cp_flagging_date() - 10, cp_flagging_date() + 355);
});
my $level_row = $node->safe_psql('postgres', q{
	SELECT string_agg('cp_level_change ' || change_id || ' ' || partner_id || ' ' || old_level || ' ' || new_level, E'\n')
	FROM cp_level_change});
my $status_row = $node->safe_psql('postgres', q{
	SELECT string_agg('cp_status_change ' || change_id || ' ' || partner_id || ' ' || old_status || ' ' || new_status, E'\n')
	FROM cp_status_change});
like($level_row, qr/^cp_level_change \d+ 1 none silver$/, "one level change was flagged: $level_row");
like($status_row, qr/^cp_status_change \d+ 1 not_held \w+$/, "one status change was flagged: $status_row");

# What the scripts print, or how they stop (at most 20 s).
$t0 = Time::HiRes::time();
my ($out, $nosy_err) = ('', '');
while (Time::HiRes::time() - $t0 < 20)
{
	$out = contents("$tmp/dash.out");
	$nosy_err = contents("$tmp/nosy.err");
	last if $out =~ /^cp_status_change /m && $nosy_err =~ /^\S*Error|^psycopg2\.\S+: /m;
	Time::HiRes::sleep(0.2);
}
note(sprintf('waited %.1f s for the scripts after the changes committed', Time::HiRes::time() - $t0));
note("nosy's script: " . ($nosy_err =~ /([^\n]+)\n*\z/ ? $1 : ''));
is($out, "$level_row\n$status_row\n",
	'the README\'s listener, as dash, printed the level change and the status change, as the tables have them');
is(contents("$tmp/dash.err"), '', 'and wrote no error');

# nosy's script got the level change's notification and failed to read the
# row; its traceback ends at the query of cp_level_change.
like($nosy_err, qr/permission denied for table cp_level_change/,
	'as nosy, the script is denied the cp_level_change row it was notified of');
like($nosy_err, qr/FROM cp_level_change/, 'at the query the level change\'s notification led to');
is(contents("$tmp/nosy.out"), '', 'and printed nothing');

# nosy's psql session: both notifications, the change ids only.
my ($level_id) = $level_row =~ /^cp_level_change (\d+)/;
my ($status_id) = $status_row =~ /^cp_status_change (\d+)/;
my $notes = $psql->query_safe('SELECT 1');
my @payloads = $notes =~ /^Asynchronous notification "(\w+)" with payload "(.*)" received from server process with PID \d+\.$/mg;
is(join(' ', @payloads), qq(cp_level_change {"change_id": $level_id} cp_status_change {"change_id": $status_id}),
	'nosy gets both notifications, each with the change id and nothing else');
my ($rc, $stdout, $stderr) = $node->psql('postgres',
	"SELECT * FROM cp_level_change WHERE change_id = $level_id", extra_params => [ '-U', 'nosy' ]);
like($stderr, qr/permission denied for table cp_level_change/, 'and may not read the row it names');
$psql->quit;

# The scripts end: nosy's on its own (the error), dash's killed.
$listener{dash}->kill_kill;
if ($nosy_err =~ /permission denied/)
{
	ok(!$listener{nosy}->finish, 'the script as nosy stopped with an error');
}
else
{
	$listener{nosy}->kill_kill;
	fail('the script as nosy stopped with an error');
}

$node->stop;
note(sprintf('runtime: %.1f s', Time::HiRes::time() - $start_time));
done_testing();
