# Concurrent writers never lose or duplicate a level or status change.
# Eight pgbench clients insert, update and delete usage around the
# thresholds, move associations, persons and credentials, and write
# memberships (current, in grace, ended, future) with associations and
# credentials that end or start before a renewal date, for some seconds.
# Afterwards the stored levels and statuses equal a fresh evaluation, every
# partner's level changes chain from none and its status changes from
# not_held to its current status, and no transaction died in a deadlock.
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

# Memberships: a partner's rows never overlap, so an insert that would is
# skipped (ON CONFLICT DO NOTHING works with the exclusion constraint, also
# against a concurrent insert); projections move with associations that
# start or end and credentials that expire before a renewal date.
my $member = $node->basedir . '/member.sql';
open $fh, '>', $member or die;
print $fh <<'SQL';
\set p random(1, 12)
\set t random(1, 48)
\set n random(1, 36)
\set s random(-420, 30)
\set len random(200, 400)
\set lv random(1, 2)
\set op random(1, 10)
\if :op <= 4
INSERT INTO cp_membership VALUES (:p, (ARRAY['silver', 'gold']::competency_level[])[:lv], cp_flagging_date() + :s, cp_flagging_date() + :s + :len) ON CONFLICT DO NOTHING;
\elif :op = 5
UPDATE cp_membership SET level = (ARRAY['silver', 'gold']::competency_level[])[:lv] WHERE partner_id = :p;
\elif :op = 6
DELETE FROM cp_membership WHERE partner_id = :p AND started_on > cp_flagging_date() + :s;
\elif :op = 7
INSERT INTO cp_association VALUES (:p, lpad(to_hex(:t), 32, '0')::uuid, 'digital_partner_of_record', cp_flagging_date() + :len % 60, NULL);
\elif :op = 8
INSERT INTO cp_association VALUES (:p, lpad(to_hex(:t), 32, '0')::uuid, 'digital_partner_of_record', cp_flagging_date() - 5, cp_flagging_date() + :len % 90);
\elif :op = 9
INSERT INTO cp_credential VALUES (:n, (ARRAY['70-346', '70-347'])[:lv], cp_flagging_date() - 3, cp_flagging_date() + :len % 120);
\else
UPDATE cp_credential SET expires_on = CASE WHEN expires_on IS NULL THEN cp_flagging_date() + :len % 150 END WHERE person_id = :n AND credential = 'MCSA: Office 365';
\endif
SQL
close $fh;

my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[ 'pgbench', '-n', '-c', '8', '-j', '4', '-T', '12',
	  '-f', "$usage\@3", '-f', "$links\@1", '-f', "$member\@2",
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

# Statuses, as flagging evaluates them: as of cp_flagging_date() with
# cp_flagging_window().
my $fresh = q{cp_partner_figures(cp_flagging_date(), cp_flagging_window(), NULL, true, cp_rule_set_on(cp_flagging_date()))};
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM $fresh s LEFT JOIN cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.status, 'not_held') <> s.status}),
	'0', 'stored statuses equal a fresh evaluation');
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM $fresh s LEFT JOIN cp_partner_level pl USING (partner_id)
	WHERE (pl.level, pl.held_level, pl.ends_on, pl.projected_level)
	      IS DISTINCT FROM (s.level, s.held_level, s.ends_on, s.projected_level)}),
	'0', 'so do the stored level, held level, renewal date and projected level');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM (
	    SELECT old_status, lag(new_status, 1, 'not_held') OVER w AS previous
	    FROM cp_status_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s
	WHERE old_status <> previous}),
	'0', 'each partner\'s status changes chain, starting at not_held');
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM $fresh s
	WHERE s.status <> coalesce((SELECT c.new_status FROM cp_status_change c
	                            WHERE c.partner_id = s.partner_id
	                            ORDER BY c.change_id DESC LIMIT 1), 'not_held')}),
	'0', 'the last status change of each partner (not_held without one) is its status');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM cp_status_change WHERE old_status = new_status}),
	'0', 'no status change row without a change');
my ($status_changes, $statuses, $memberships) = split /\|/, $node->safe_psql('postgres', q{
	SELECT count(*), count(DISTINCT new_status), (SELECT count(*) FROM cp_membership) FROM cp_status_change});
ok($status_changes > 20, "statuses did change many times ($status_changes)");
ok($statuses >= 4, "to many statuses ($statuses of 5)");
diag("memberships at the end: $memberships");

$node->stop;
done_testing();
