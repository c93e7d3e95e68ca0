# A crash (immediate shutdown) in the middle of a bulk load, then restart:
# no statement is half-applied -- the load's rows are all gone, and so are
# the level changes it was about to flag -- and the stored levels equal a
# fresh evaluation.  Committed loads and their flags survive the crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "restart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION competency;
INSERT INTO cp_partner SELECT p, 'p' || p, 'developing' FROM generate_series(1, 50) p;
INSERT INTO cp_association SELECT 1 + t % 50, md5('t' || t)::uuid, 'delegated_admin', current_date - 100, NULL
FROM generate_series(1, 5000) t;
INSERT INTO cp_person SELECT p, p FROM generate_series(1, 50) p;
INSERT INTO cp_credential SELECT p, 'MCSA: Office 365', current_date - 100, NULL FROM generate_series(1, 50) p;
-- committed before the crash: every partner at silver
INSERT INTO cp_usage SELECT md5('t' || t)::uuid, 'EXO', 'E3', false, 15, current_date - 3
FROM generate_series(1, 5000) t;
});

my $invariants = q{
	SELECT (SELECT count(*) FROM cp_evaluate(current_date) e
	        LEFT JOIN cp_partner_level pl USING (partner_id)
	        WHERE coalesce(pl.level, 'none') <> e.level) = 0
	   AND (SELECT count(*) FROM (
	            SELECT old_level, lag(new_level, 1, 'none') OVER w AS previous
	            FROM cp_level_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s
	        WHERE old_level <> previous) = 0};
my $state = q{SELECT (SELECT count(*) FROM cp_usage) || ' rows, '
                  || (SELECT count(*) FROM cp_level_change) || ' changes, '
                  || (SELECT string_agg(level || ':' || n, ' ' ORDER BY level)
                      FROM (SELECT level, count(*) n FROM cp_partner_level GROUP BY level) s)};
my $before = $node->safe_psql('postgres', $state);
is($before, '5000 rows, 50 changes, silver:50', 'committed load flagged every partner');

# Crash during bulk loads that would make every partner gold, at several
# moments of the statement (inserting rows, then flagging in its triggers).
for my $delay_ms (300, 1500, 3000)
{
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', q{
			INSERT INTO cp_person SELECT 100 + p, p FROM generate_series(1, 50) p;
			INSERT INTO cp_credential SELECT 100 + p, 'MCSA: Office 365', current_date - 1, NULL FROM generate_series(1, 50) p;
			INSERT INTO cp_usage SELECT md5('t' || (1 + g % 5000))::uuid, 'SPO', 'E' || (g % 7), false, 40, current_date
			FROM generate_series(1, 1500000) g;} ],
		\$in, \$out, \$err);
	usleep($delay_ms * 1000);
	$node->stop('immediate');
	$h->finish;
	like($err, qr/terminat|closed|connection/i, "crash after ${delay_ms} ms hit the load while it ran");
	$node->start;
	is($node->safe_psql('postgres', $state), $before,
		"crash after ${delay_ms} ms: nothing of the load, its people or its flags remains");
	ok($node->safe_psql('postgres', $invariants) eq 't',
		"crash after ${delay_ms} ms: stored levels equal a fresh evaluation, changes chain");
}

# A load that commits is durable with its flags, crash or not.
$node->safe_psql('postgres', q{
	INSERT INTO cp_person SELECT 100 + p, p FROM generate_series(1, 50) p;
	INSERT INTO cp_credential SELECT 100 + p, 'MCSA: Office 365', current_date - 1, NULL FROM generate_series(1, 50) p;
	INSERT INTO cp_usage SELECT md5('t' || (1 + g % 5000))::uuid, 'SPO', 'E' || (g % 7), false, 40, current_date
	FROM generate_series(1, 50000) g});
my $after = $node->safe_psql('postgres', $state);
is($after, '55000 rows, 100 changes, gold:50', 'a committed load made every partner gold');
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', $state), $after, 'and survives an immediate shutdown');
ok($node->safe_psql('postgres', $invariants) eq 't', 'stored levels and chains still hold');

$node->stop;
done_testing();
