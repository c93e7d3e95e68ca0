# pg_dump / pg_restore of a database using the extension: every row of every
# table and the change sequence come back exactly, pg_restore exits 0, and no
# level change is flagged -- even though the stored levels are deliberately
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
-- stale stored levels: flagging paused for a load, not refreshed yet
SET competency.flagging = off;
INSERT INTO cp_usage SELECT md5('t' || t)::uuid, 'ProPlus', 'E5', false, 2000, current_date
FROM generate_series(1, 400, 9) t;
DELETE FROM cp_credential WHERE person_id % 4 = 0;
});

my $sqlc = q{
SELECT 'partner', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner t
UNION ALL SELECT 'association', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_association t
UNION ALL SELECT 'usage', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_usage t
UNION ALL SELECT 'person', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_person t
UNION ALL SELECT 'credential', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_credential t
UNION ALL SELECT 'partner_level', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_partner_level t
UNION ALL SELECT 'level_change', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_level_change t
UNION ALL SELECT 'sequence', last_value, is_called::text FROM comp.cp_level_change_change_id_seq
};
my $before = $node->safe_psql('src', $sqlc);
my $stale = $node->safe_psql('src', q{
	SELECT count(*) FROM comp.cp_evaluate(current_date) e
	LEFT JOIN comp.cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> e.level});
ok($stale > 0, "stored levels are stale for $stale partners before the dump");
ok($node->safe_psql('src', 'SELECT count(*) FROM comp.cp_level_change') > 0, 'there is history');

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

# Flagging works again in the restored database, and catches up on refresh.
my $changes = $node->safe_psql('restore1', 'SELECT comp.cp_refresh_levels()');
is($changes, $stale, 'a refresh after the restore flags the stale partners');
is($node->safe_psql('restore1', q{
	SELECT count(*) FROM comp.cp_evaluate(current_date) e
	LEFT JOIN comp.cp_partner_level pl USING (partner_id)
	WHERE coalesce(pl.level, 'none') <> e.level}), '0', 'and then stored levels are current');
$node->safe_psql('restore1', q{
	INSERT INTO comp.cp_partner VALUES (999, 'new', 'developed');
	INSERT INTO comp.cp_association VALUES (999, md5('new')::uuid, 'delegated_admin', current_date - 1, NULL);
	INSERT INTO comp.cp_person VALUES (999, 999, 'new');
	INSERT INTO comp.cp_credential VALUES (999, 'MCSA: Office 365', current_date - 1, NULL);
	INSERT INTO comp.cp_usage VALUES (md5('new')::uuid, 'EXO', 'E3', false, 3000, current_date)});
is($node->safe_psql('restore1', q{
	SELECT string_agg(old_level || '->' || new_level, ',') FROM comp.cp_level_change WHERE partner_id = 999}),
	'none->silver', 'writes after the restore are flagged');

$node->stop;
done_testing();
