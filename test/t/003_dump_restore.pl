# pg_dump / pg_restore of a database using the extension: every row of every
# table (memberships, level and status history, staged report rows and their
# rejects, cp_partner_level's level and status columns) and the sequences
# come back exactly, pg_restore exits 0, and no level or status change is
# flagged -- even though the stored levels and statuses are deliberately
# stale, so that a re-evaluation during the restore would change them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
CREATE DATABASE src;
});
$node->safe_psql('src', q{
CREATE SCHEMA comp;
CREATE EXTENSION competency SCHEMA comp;
SET search_path = comp;
INSERT INTO cp_partner SELECT p, 'partner ' || p, (ARRAY['developed', 'developing']::cp_market[])[1 + p % 2]
FROM generate_series(1, 40) p;
INSERT INTO cp_association
SELECT 1 + t % 40, md5('t' || t)::uuid, 'delegated_admin', current_date - 60,
       CASE WHEN t % 7 = 0 THEN current_date + 30 END
FROM generate_series(1, 400) t;
INSERT INTO cp_person SELECT n, 1 + n % 40, 'person ' || n FROM generate_series(1, 90) n;
INSERT INTO cp_credential SELECT n, (ARRAY['70-346', '70-347', 'MCSA: Office 365'])[1 + n % 3],
       current_date - 100, CASE WHEN n % 5 = 0 THEN current_date + 10 END
FROM generate_series(1, 90) n, generate_series(1, 2) k;
INSERT INTO cp_usage SELECT md5('t' || t)::uuid, (ARRAY['EXO', 'SPO', 'Teams'])[1 + t % 3], 'E3',
       t % 11 = 0, 100 + (t * 37) % 500, current_date - (t % 20)
FROM generate_series(1, 400) t, generate_series(1, 3) k;
-- memberships, flagged as they come: last year's, this year's (some
-- partners in grace instead), and a few recorded renewals
INSERT INTO cp_membership SELECT p, 'gold', current_date - 565, current_date - 200
FROM generate_series(1, 40) p WHERE p % 4 <> 0;
INSERT INTO cp_membership SELECT p, (ARRAY['silver', 'gold']::competency_level[])[1 + p % 2],
       current_date - 200, current_date + 100 + p
FROM generate_series(1, 40) p WHERE p % 4 <> 0;
INSERT INTO cp_membership SELECT p, 'silver', current_date - 375, current_date - 10
FROM generate_series(4, 40, 4) p;
INSERT INTO cp_membership SELECT p, 'gold', current_date + 100 + p, current_date + 465 + p
FROM generate_series(1, 40, 8) p;
-- Partner Center's competency report: a load with rejects, then rows staged
-- and not loaded yet; a usage report row staged too
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Gold', 'Active', to_char(current_date - 2000, 'YYYY-MM-DD'),
     to_char(current_date - 1636, 'YYYY-MM-DD')),
    ('Cloud Platform', 'Gold', 'Active', '2019-01-01', '2019-12-31'),
    ('Cloud Productivity', 'Platinum', '', '2019-01-01', '2019-12-31');
SELECT * FROM cp_load_partner_center_competency(1);
INSERT INTO cp_partner_center_competency VALUES
    ('Cloud Productivity', 'Silver', 'Expired', to_char(current_date - 3000, 'YYYY-MM-DD'),
     to_char(current_date - 2636, 'YYYY-MM-DD')),
    ('Cloud Productivity', 'Gold', NULL, 'not a date', '2019-12-31');
INSERT INTO cp_partner_center_usage VALUES
    (md5('t1'), 'Contoso', 'EXO', 'Exchange Online', 'O365', 'Office 365', 'Reseller',
     'E3', 'Office 365 E3', '120', '120', to_char(current_date, 'YYYY-MM-DD') || 'T08:00:00Z');
-- stale stored levels and statuses: flagging paused for a load, not
-- refreshed yet
SET competency.flagging = off;
INSERT INTO cp_usage SELECT md5('t' || t)::uuid, 'ProPlus', 'E5', false, 2000, current_date
FROM generate_series(1, 400, 9) t;
DELETE FROM cp_credential WHERE person_id % 4 = 0;
DELETE FROM cp_membership WHERE partner_id % 5 = 1 AND ends_on > current_date;
INSERT INTO cp_membership SELECT p, 'gold', current_date - 9, current_date + 356
FROM generate_series(8, 40, 8) p;
});

my $sqlc = q{
SELECT 'partner', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner t
UNION ALL SELECT 'association', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_association t
UNION ALL SELECT 'usage', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_usage t
UNION ALL SELECT 'person', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_person t
UNION ALL SELECT 'credential', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_credential t
UNION ALL SELECT 'partner_level', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner_level t
UNION ALL SELECT 'level_change', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_level_change t
UNION ALL SELECT 'membership', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_membership t
UNION ALL SELECT 'status_change', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_status_change t
UNION ALL SELECT 'competency_staged', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner_center_competency_staged t
UNION ALL SELECT 'competency_reject', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner_center_competency_reject t
UNION ALL SELECT 'usage_staged', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner_center_staged t
UNION ALL SELECT 'sequence', last_value, is_called::text FROM comp.cp_level_change_change_id_seq
UNION ALL SELECT 'status_sequence', last_value, is_called::text FROM comp.cp_status_change_change_id_seq
UNION ALL SELECT 'competency_line', last_value, is_called::text FROM comp.cp_partner_center_competency_staged_line_seq
};
# Partners whose stored status (none stored: not_held) differs from a fresh
# evaluation as flagging would make it.
my $stale_statuses_sql = q{
	SELECT count(*) FROM comp.cp_partner_figures(comp.cp_flagging_date(), comp.cp_flagging_window(), NULL, true,
	                           comp.cp_rule_set_on(comp.cp_flagging_date())) s
	LEFT JOIN comp.cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.status, 'not_held') <> s.status};
my $before = $node->safe_psql('src', $sqlc);
my $stale = $node->safe_psql('src', q{
	SELECT count(*) FROM comp.cp_evaluate(current_date) e
	LEFT JOIN comp.cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> e.level});
ok($stale > 0, "stored levels are stale for $stale partners before the dump");
ok($node->safe_psql('src', 'SELECT count(*) FROM comp.cp_level_change') > 0, 'there is history');
my $stale_statuses = $node->safe_psql('src', $stale_statuses_sql);
ok($stale_statuses > 0, "stored statuses are stale for $stale_statuses partners before the dump");
is($node->safe_psql('src', q{
	SELECT count(*) > 10 AND count(DISTINCT new_status) >= 3 FROM comp.cp_status_change}), 't',
	'there is status history, to several statuses');
is($node->safe_psql('src', q{
	SELECT count(*) FILTER (WHERE status <> 'not_held') > 10
	       AND count(*) FILTER (WHERE held_level <> 'none' AND ends_on IS NOT NULL AND projected_level IS NOT NULL) > 10
	FROM comp.cp_partner_level}), 't', 'cp_partner_level holds statuses, renewal dates and projections');
is($node->safe_psql('src', q{
	SELECT (SELECT count(*) FROM comp.cp_partner_center_competency) || ' staged, '
	       || (SELECT count(*) FROM comp.cp_partner_center_competency_reject) || ' rejected, '
	       || (SELECT count(*) FROM comp.cp_partner_center_usage) || ' usage staged'}),
	'2 staged, 2 rejected, 1 usage staged', 'report rows staged and rejected');

my $dump = $node->basedir . '/src.dump';
my $plain = $node->basedir . '/src.sql';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', $plain ], 'pg_dump plain');

for my $case (['restore1', [ 'pg_restore', '--exit-on-error' ]],
              ['restore3', [ 'pg_restore', '--exit-on-error', '--single-transaction' ]])
{
	my ($db, $cmd) = @$case;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->command_ok([ @$cmd, '-d', $node->connstr($db), $dump ], "@$cmd exits 0");
	is($node->safe_psql($db, $sqlc), $before, "$db: every row and the sequence are identical");
}

# In parallel: jobs may load cp_association before cp_partner, which the
# foreign keys CREATE EXTENSION made refuse, so the README's way is a
# restore with session_replication_role = replica (no trigger fires: neither
# the foreign keys' nor flagging's).
my $dir = $node->basedir . '/src.dir';
$node->command_ok([ 'pg_dump', '-Fd', '-d', $node->connstr('src'), '-f', $dir ], 'pg_dump -Fd');
$node->safe_psql('postgres', 'CREATE DATABASE restore5');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '--exit-on-error', '-j', '4', '-d', $node->connstr('restore5'), $dir ],
		'pg_restore -j 4 under session_replication_role = replica exits 0');
}
is($node->safe_psql('restore5', $sqlc), $before, 'restore5: every row and the sequence are identical');
is($node->safe_psql('restore5', q{
	SELECT count(*) FROM comp.cp_association a LEFT JOIN comp.cp_partner p USING (partner_id)
	WHERE p.partner_id IS NULL}), '0', 'restore5: every association has its partner');

$node->safe_psql('postgres', 'CREATE DATABASE restore4');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restore4'), '-f', $plain ],
	'plain dump restores through psql');
is($node->safe_psql('restore4', $sqlc), $before, 'restore4: every row and the sequence are identical');

# Still stale after every restore: nothing was re-evaluated.
for my $db (qw(restore1 restore3 restore4 restore5))
{
	is($node->safe_psql($db, $stale_statuses_sql), $stale_statuses, "$db: the stale statuses are still stale");
}

# Flagging works again in the restored database, and catches up on refresh.
my $status_rows = $node->safe_psql('restore1', 'SELECT count(*) FROM comp.cp_status_change');
my $changes = $node->safe_psql('restore1', 'SELECT comp.cp_refresh_levels()');
is($changes, $stale, 'a refresh after the restore flags the stale partners');
is($node->safe_psql('restore1', q{
	SELECT count(*) FROM comp.cp_evaluate(current_date) e
	LEFT JOIN comp.cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> e.level}), '0', 'and then stored levels are current');
is($node->safe_psql('restore1', 'SELECT count(*) FROM comp.cp_status_change') - $status_rows, $stale_statuses,
	'the refresh flags one status change per stale status');
is($node->safe_psql('restore1', $stale_statuses_sql), '0', 'and then stored statuses are current');
is($node->safe_psql('restore1', q{
	SELECT count(*) FROM (
	    SELECT old_status, lag(new_status, 1, 'not_held') OVER w AS previous
	    FROM comp.cp_status_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s
	WHERE old_status <> previous}), '0', 'status changes still chain from not_held');
# the staged rows came back as this role's: they load
is($node->safe_psql('restore1', q{
	SELECT loaded || ' loaded, ' || rejected || ' rejected' FROM comp.cp_load_partner_center_competency(2)}),
	'1 loaded, 1 rejected', 'the restored staged competency rows load');
is($node->safe_psql('restore1', 'SELECT loaded FROM comp.cp_load_partner_center_usage()'), '1',
	'the restored staged usage row loads');
$node->safe_psql('restore1', q{
	INSERT INTO comp.cp_partner VALUES (999, 'new', 'developed');
	INSERT INTO comp.cp_association VALUES (999, md5('new')::uuid, 'delegated_admin', current_date - 1, NULL);
	INSERT INTO comp.cp_person VALUES (999, 999, 'new');
	INSERT INTO comp.cp_credential VALUES (999, 'MCSA: Office 365', current_date - 1, NULL);
	INSERT INTO comp.cp_usage VALUES (md5('new')::uuid, 'EXO', 'E3', false, 3000, current_date)});
is($node->safe_psql('restore1', q{
	SELECT string_agg(old_level || '->' || new_level, ',') FROM comp.cp_level_change WHERE partner_id = 999}),
	'none->silver', 'writes after the restore are flagged');
$node->safe_psql('restore1', q{
	INSERT INTO comp.cp_membership VALUES (999, 'gold', current_date - 10, current_date + 355)});
is($node->safe_psql('restore1', q{
	SELECT string_agg(old_status || '->' || new_status, ',') FROM comp.cp_status_change WHERE partner_id = 999}),
	'not_held->at_risk', 'memberships written after the restore are flagged');

$node->stop;
done_testing();
