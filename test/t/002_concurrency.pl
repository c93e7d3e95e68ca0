# Concurrent writers never lose or duplicate a level change.  Eight pgbench
# clients insert, update and delete usage around the thresholds, move
# associations, persons and credentials, for some seconds.  Afterwards the
# stored levels equal a fresh evaluation, every partner's changes chain from
# none to its current level, and no transaction died in a deadlock.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('concurrency');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 40\nlog_lock_waits = off\n");
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION competency;
-- 12 partners in both markets; each tenant belongs to one or two of them
INSERT INTO cp_partner SELECT p, 'p' || p, (ARRAY['developed', 'developing']::cp_market[])[1 + p % 2]
FROM generate_series(1, 12) p;
INSERT INTO cp_association
SELECT 1 + t % 12, lpad(to_hex(t), 32, '0')::uuid, 'delegated_admin', current_date - 30, NULL
FROM generate_series(1, 48) t;
INSERT INTO cp_association
SELECT 1 + (t * 5) % 12, lpad(to_hex(t), 32, '0')::uuid, 'transacting_partner', current_date - 30, NULL
FROM generate_series(1, 48, 3) t;
INSERT INTO cp_person SELECT n, 1 + n % 12, 'n' || n FROM generate_series(1, 36) n;
INSERT INTO cp_credential SELECT n, 'MCSA: Office 365', current_date - 5, NULL
FROM generate_series(1, 36, 2) n;
});

my $usage = $node->basedir . '/usage.sql';
open my $fh, '>', $usage or die;
print $fh <<'SQL';
\set t random(1, 48)
\set n random(100, 900)
\set op random(1, 10)
\if :op <= 5
INSERT INTO cp_usage VALUES (lpad(to_hex(:t), 32, '0')::uuid, (ARRAY['EXO', 'SPO', 'Yammer'])[1 + :n % 3], 'E' || (:n % 2), false, :n, current_date - :n % 5);
\elif :op <= 7
UPDATE cp_usage SET active_users = :n WHERE tenant_id = lpad(to_hex(:t), 32, '0')::uuid AND workload = 'EXO';
\else
DELETE FROM cp_usage WHERE tenant_id = lpad(to_hex(:t), 32, '0')::uuid;
\endif
SQL
close $fh;

my $links = $node->basedir . '/links.sql';
open $fh, '>', $links or die;
print $fh <<'SQL';
\set t random(1, 48)
\set p random(1, 12)
\set n random(1, 36)
\set op random(1, 6)
\if :op = 1
INSERT INTO cp_association VALUES (:p, lpad(to_hex(:t), 32, '0')::uuid, 'digital_partner_of_record', current_date - 1, NULL);
\elif :op = 2
DELETE FROM cp_association WHERE tenant_id = lpad(to_hex(:t), 32, '0')::uuid AND kind = 'digital_partner_of_record';
\elif :op = 3
UPDATE cp_person SET partner_id = :p WHERE person_id = :n;
\elif :op = 4
INSERT INTO cp_credential VALUES (:n, (ARRAY['70-346', '70-347', 'MCSA: Office 365'])[1 + :t % 3], current_date - 1, NULL);
\elif :op = 5
DELETE FROM cp_credential WHERE person_id = :n AND credential <> 'MCSA: Office 365';
\else
UPDATE cp_partner SET market = (ARRAY['developed', 'developing']::cp_market[])[1 + :t % 2] WHERE partner_id = :p;
\endif
SQL
close $fh;

my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[ 'pgbench', '-n', '-c', '8', '-j', '4', '-T', '12',
	  '-f', "$usage\@3", '-f', "$links\@1",
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pgbench ran without failed transactions') or diag($stderr);
my ($processed) = $stdout =~ /number of transactions actually processed: (\d+)/;
ok(defined $processed && $processed > 500, "many transactions ($processed)");
unlike($stderr, qr/deadlock detected/, 'no transaction died in a deadlock');
unlike($stderr . $stdout, qr/ERROR/, 'no errors at all');

is($node->safe_psql('postgres', q{
	SELECT count(*) FROM cp_evaluate(current_date) e
	LEFT JOIN cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> e.level}),
	'0', 'stored levels equal a fresh evaluation');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM (
	    SELECT old_level, lag(new_level, 1, 'none') OVER w AS previous
	    FROM cp_level_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s
	WHERE old_level <> previous}),
	'0', 'each partner\'s changes chain, starting at none');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM (
	    SELECT DISTINCT ON (partner_id) partner_id, new_level FROM cp_level_change
	    ORDER BY partner_id, change_id DESC) last
	JOIN cp_partner_level pl USING (partner_id)
	WHERE pl.level <> last.new_level}),
	'0', 'the last change of each partner is its stored level');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM cp_level_change WHERE old_level = new_level}),
	'0', 'no change row without a change');
my $changes = $node->safe_psql('postgres', 'SELECT count(*) FROM cp_level_change');
ok($changes > 20, "levels did change many times ($changes)");

$node->stop;
done_testing();
