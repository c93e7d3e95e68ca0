# pg_dump / pg_restore of a database using the extension: every row of every
# table (memberships, level and status history, staged report rows and their
# rejects, cp_partner_level's level, status and rule_set columns, the users'
# rule sets) and the sequences come back exactly, pg_restore exits 0, and no
# level or status change is flagged -- even though the stored levels and
# statuses are deliberately stale, so that a re-evaluation during the restore
# would change them, and the rule sets restored include one in force.  The
# built-in rule set 2017-07 is the extension's: none of its rows is in a
# dump, and a restored database holds exactly one copy of them.  Restoring
# the rule sets alone (data only, into a fresh install) works for a role
# that may pause flagging; a role that may not is checked as any writer of
# the rule tables, so a dated set restored one table at a time is refused
# as incomplete (23514), which is what the README's advice to restore as a
# role allowed to pause flagging avoids.
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
-- rule sets: FY-now, in force since a month ago (Teams eligible, Silver at
-- 1,800 in developed markets, a third path, FastTrack counted), whose
-- commit re-evaluates every partner under it; FY-future, dated next year;
-- what-if, a draft still incomplete (Gold only, developed markets only)
BEGIN;
INSERT INTO cp_rule_set VALUES
    ('FY-now', current_date - 30, 'in force: Teams in, Silver at 1,800, FastTrack counted'),
    ('FY-future', current_date + 400, 'next year: Gold at 4,500'),
    ('what-if', NULL, 'a draft: Gold at 6,000 and three persons');
INSERT INTO cp_rule_threshold VALUES
    ('FY-now', 'silver', 'developed', 1800, 1), ('FY-now', 'silver', 'developing', 1000, 1),
    ('FY-now', 'gold', 'developed', 4000, 2), ('FY-now', 'gold', 'developing', 3500, 2),
    ('what-if', 'gold', 'developed', 6000, 3);
INSERT INTO cp_rule_threshold
SELECT 'FY-future', level, market, CASE WHEN level = 'gold' THEN 4500 ELSE min_entitlements END, min_individuals
FROM cp_rule_threshold WHERE rule_set = 'FY-now';
INSERT INTO cp_rule_workload SELECT s, workload, spelling FROM cp_rule_workload, unnest(ARRAY['FY-now', 'FY-future']) s
WHERE rule_set = '2017-07';
INSERT INTO cp_rule_workload VALUES ('FY-now', 'teams', 'Microsoft Teams'), ('FY-now', 'teams', 'Teams'),
    ('FY-future', 'teams', 'Teams'), ('what-if', 'exchange_online', 'EXO'), ('what-if', 'Yammer', 'yammer network');
INSERT INTO cp_rule_credential SELECT s, path, credential FROM cp_rule_credential, unnest(ARRAY['FY-now', 'FY-future']) s
WHERE rule_set = '2017-07';
INSERT INTO cp_rule_credential VALUES ('FY-now', 3, 'MS-100'), ('FY-now', 3, 'MS-101'), ('what-if', 1, 'MS-900');
INSERT INTO cp_rule_association VALUES
    ('FY-now', 'delegated_admin'), ('FY-now', 'transacting_partner'), ('FY-now', 'digital_partner_of_record'),
    ('FY-now', 'fast_track'), ('FY-future', 'delegated_admin'), ('what-if', 'fast_track');
COMMIT;
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
UNION ALL SELECT 'rule_set', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_rule_set t
UNION ALL SELECT 'rule_threshold', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_rule_threshold t
UNION ALL SELECT 'rule_workload', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_rule_workload t
UNION ALL SELECT 'rule_credential', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_rule_credential t
UNION ALL SELECT 'rule_association', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM comp.cp_rule_association t
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
# The rule sets: FY-now in force, every kept level evaluated under it, and
# history under both sets.
my $rules_sql = q{
	SELECT comp.cp_rule_set_on(current_date) || ' ' || comp.cp_rule_set_on(current_date + 400) || ' | '
	       || (SELECT string_agg(DISTINCT rule_set, ',') FROM comp.cp_partner_level) || ' | '
	       || (SELECT string_agg(DISTINCT rule_set, ',') FROM comp.cp_level_change)};
is($node->safe_psql('src', $rules_sql), 'FY-now FY-future | FY-now | 2017-07,FY-now',
	'FY-now is in force, the kept levels were evaluated under it, history records both sets');
# The built-in set's rows, per table (1, 4, 13, 3 and 3 of them), and the
# users' rows.
my $rule_counts_sql = q{
	SELECT string_agg(n || ' ' || builtin || ' ' || users, ', ' ORDER BY n) FROM (
	    SELECT 'cp_rule_set' n, count(*) FILTER (WHERE rule_set = '2017-07') builtin,
	           count(*) FILTER (WHERE rule_set <> '2017-07') users FROM comp.cp_rule_set
	    UNION ALL SELECT 'cp_rule_threshold', count(*) FILTER (WHERE rule_set = '2017-07'),
	           count(*) FILTER (WHERE rule_set <> '2017-07') FROM comp.cp_rule_threshold
	    UNION ALL SELECT 'cp_rule_workload', count(*) FILTER (WHERE rule_set = '2017-07'),
	           count(*) FILTER (WHERE rule_set <> '2017-07') FROM comp.cp_rule_workload
	    UNION ALL SELECT 'cp_rule_credential', count(*) FILTER (WHERE rule_set = '2017-07'),
	           count(*) FILTER (WHERE rule_set <> '2017-07') FROM comp.cp_rule_credential
	    UNION ALL SELECT 'cp_rule_association', count(*) FILTER (WHERE rule_set = '2017-07'),
	           count(*) FILTER (WHERE rule_set <> '2017-07') FROM comp.cp_rule_association) c};
my $rule_counts = $node->safe_psql('src', $rule_counts_sql);
is($rule_counts, 'cp_rule_association 3 6, cp_rule_credential 3 9, cp_rule_set 1 3, cp_rule_threshold 4 9, '
	  . 'cp_rule_workload 13 31', 'the rule tables hold the built-in rows and the users\' sets');
my $evaluation_sql = q{
	SELECT md5(string_agg(e::text, ',' ORDER BY e.partner_id)) FROM comp.cp_evaluate(current_date) e
	UNION ALL SELECT md5(string_agg(e::text, ',' ORDER BY e.partner_id)) FROM comp.cp_evaluate(current_date + 400) e
	UNION ALL SELECT md5(string_agg(e::text, ',' ORDER BY e.partner_id)) FROM comp.cp_evaluate(current_date, '2017-07') e};
my $evaluation = $node->safe_psql('src', $evaluation_sql);

my $dump = $node->basedir . '/src.dump';
my $plain = $node->basedir . '/src.sql';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', $plain ], 'pg_dump plain');

# The rows each dump holds of the rule tables, read from its data (COPY
# blocks; INSERT statements, were there any): none of 2017-07, every row of
# the users' sets.
sub dumped_rule_rows
{
	my ($script) = @_;
	my (%rows, $table);
	for my $line (split /\n/, $script)
	{
		if (defined $table)
		{
			if ($line eq '\\.') { undef $table; next; }
			my ($set) = split /\t/, $line;
			$rows{$table}{ $set eq '2017-07' ? 'builtin' : 'users' }++;
		}
		elsif ($line =~ /^COPY comp\.(cp_rule_\w+) .* FROM stdin;$/)
		{
			$table = $1;
			$rows{$table}{users} //= 0;
		}
		elsif ($line =~ /^INSERT INTO comp\.(cp_rule_\w+) VALUES \('([^']*)'/)
		{
			$rows{$1}{ $2 eq '2017-07' ? 'builtin' : 'users' }++;
		}
	}
	return join(', ', map { "$_ " . ($rows{$_}{builtin} // 0) . ' ' . $rows{$_}{users} } sort keys %rows);
}
my $custom_script = $node->basedir . '/src.dump.sql';
$node->command_ok([ 'pg_restore', '-f', $custom_script, $dump ], 'the custom dump as a script');
(my $dumped_counts = $rule_counts) =~ s/ \d+ (\d+)(,|$)/ 0 $1$2/g;
is(dumped_rule_rows(slurp_file($plain)), $dumped_counts,
	'the plain dump holds every row of the users\' sets, and no row of 2017-07');
is(dumped_rule_rows(slurp_file($custom_script)), $dumped_counts,
	'so does the custom dump');
unlike(slurp_file($plain), qr/^2017-07\t(?:\S*\t)*(?:Cloud Productivity competency|70-34[67]|MCSA: Office 365|delegated_admin|Exchange Online)/m,
	'no line of the dump\'s data is a row of the built-in set');

# Each restore: its command exits 0 (else its stderr is shown, and the
# checks of that database are skipped).
my %restored;
sub restore_ok
{
	my ($db, $cmd, $label) = @_;
	my ($stdout, $stderr) = ('', '');
	my $ok = IPC::Run::run($cmd, '>', \$stdout, '2>', \$stderr);
	ok($ok, $label) or diag("$db: $stderr");
	$restored{$db} = $ok;
	return $ok;
}

# In one transaction or not.  PostgreSQL 15 refuses a value an enum gained
# in the same transaction: fast_track, which 1.8's update adds, so rows of
# that kind cannot be loaded in the transaction that runs CREATE EXTENSION.
# The README's way: the definitions first (committed), then the data in one
# transaction.
$node->safe_psql('postgres', 'CREATE DATABASE restore1');
restore_ok('restore1', [ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restore1'), $dump ],
	'pg_restore --exit-on-error exits 0');
$node->safe_psql('postgres', 'CREATE DATABASE restore3');
restore_ok('restore3', [ 'pg_restore', '--exit-on-error', '--section=pre-data', '-d', $node->connstr('restore3'), $dump ],
		'pg_restore --section=pre-data exits 0')
	and restore_ok('restore3', [ 'pg_restore', '--exit-on-error', '--single-transaction', '--section=data',
			'--section=post-data', '-d', $node->connstr('restore3'), $dump ],
		'then pg_restore --single-transaction of the data exits 0');
{
	$node->safe_psql('postgres', 'CREATE DATABASE restore_one');
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ 'pg_restore', '--exit-on-error', '--single-transaction', '-d', $node->connstr('restore_one'), $dump ],
		'>', \$stdout, '2>', \$stderr);
	like($stderr, qr/unsafe use of new value "fast_track"/,
		'all of it in one transaction: PostgreSQL refuses the enum value the update added (documented)');
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
	restore_ok('restore5', [ 'pg_restore', '--exit-on-error', '-j', '4', '-d', $node->connstr('restore5'), $dir ],
		'pg_restore -j 4 under session_replication_role = replica exits 0');
}

# The plain dump through psql, statement by statement (in one transaction
# it meets the enum value as above).
for my $case (['restore4', []])
{
	my ($db, $opts) = @$case;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	restore_ok($db, [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', @$opts, '-d', $node->connstr($db), '-f', $plain ],
		'plain dump restores through psql' . (@$opts ? " @$opts" : ''));
}

# Every row and the sequences are identical, and still stale after every
# restore: nothing was re-evaluated.  The rule sets came back: one copy of
# 2017-07's rows, the users' sets, the same sets in force and the same
# evaluations; the kept levels and history name the sets they were
# evaluated under.
for my $db (qw(restore1 restore3 restore4 restore5))
{
  SKIP:
	{
		skip "$db was not restored", ($db eq 'restore5' ? 6 : 5) unless $restored{$db};
		is($node->safe_psql($db, $sqlc), $before, "$db: every row and the sequence are identical");
		is($node->safe_psql($db, $stale_statuses_sql), $stale_statuses, "$db: the stale statuses are still stale");
		is($node->safe_psql($db, $rule_counts_sql), $rule_counts, "$db: one copy of 2017-07's rows, and the users' sets");
		is($node->safe_psql($db, $rules_sql), 'FY-now FY-future | FY-now | 2017-07,FY-now',
			"$db: the same sets in force; cp_partner_level.rule_set and cp_level_change.rule_set restored");
		is($node->safe_psql($db, $evaluation_sql), $evaluation, "$db: the evaluations are the source's");
		next if $db ne 'restore5';
		is($node->safe_psql('restore5', q{
			SELECT count(*) FROM comp.cp_association a LEFT JOIN comp.cp_partner p USING (partner_id)
			WHERE p.partner_id IS NULL}), '0', 'restore5: every association has its partner');
	}
}

# The restored sets are guarded and checked as before.
my ($rc, $out, $err) = $node->psql('restore1', q{
\set VERBOSITY verbose
UPDATE comp.cp_rule_set SET description = 'changed' WHERE rule_set = '2017-07';
INSERT INTO comp.cp_rule_workload VALUES ('2017-07', 'teams', 'Teams');
DELETE FROM comp.cp_rule_threshold WHERE rule_set = 'FY-now' AND level = 'gold';
SELECT count(*) FROM comp.cp_evaluate(current_date, 'what-if');
INSERT INTO comp.cp_rule_workload VALUES ('FY-now', 'sharepoint_online', 'TEAMS');
}, on_error_stop => 0);
# (TEAMS, sharepoint_online's, folds like teams's spelling Teams: a second
# spelling folding alike, and one of another workload, 23505 or 23514)
like(join(' ', $err =~ /^(?:psql:[^:]*:\d+: )?ERROR:  ([0-9A-Z]{5}):/mg), qr/^42501 42501 23514 55000 (23505|23514)$/,
	'restore1: 2017-07 is read-only (42501), FY-now must stay complete (23514), the draft is incomplete (55000), '
	  . 'spellings fold as before (23505 or 23514)');
like($err, qr/rule set "FY-now" is in force from \S+ but incomplete: it lacks thresholds for gold in developed markets/,
	'restore1: naming what FY-now would lack');

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

###############################################################################
# The rule sets alone, data only, into a fresh install holding one partner
# (none under 2017-07, Silver under FY-now, which counts its Teams usage),
# restored by rules_admin, who may pause flagging (GRANT SET ON PARAMETER,
# as the README's administrator), and by rules_editor, who holds the same
# grants on the rule tables but may not.  pg_restore loads each table in a
# transaction of its own unless --single-transaction: FY-now's cp_rule_set
# row commits before its thresholds.
###############################################################################
$node->safe_psql('postgres', q{
	CREATE ROLE rules_admin LOGIN;
	CREATE ROLE rules_editor LOGIN;
	GRANT SET ON PARAMETER competency.flagging TO rules_admin});
my @rule_tables = map { ('-t', $_) } qw(cp_rule_set cp_rule_threshold cp_rule_workload cp_rule_credential cp_rule_association);
my $history_sql = q{
	SELECT coalesce(string_agg(old_level || '->' || new_level || ' (' || rule_set || ')', ', ' ORDER BY change_id), '')
	FROM comp.cp_level_change};
my $n_db = 5;
for my $case ([ 'rules_admin', [] ], [ 'rules_editor', [] ], [ 'rules_editor', ['--single-transaction'] ])
{
	my ($role, $opts) = @$case;
	my $db = 'restore' . ++$n_db;
	my $label = "$db, the rule tables restored by $role" . (@$opts ? " (@$opts)" : '');
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{
		CREATE SCHEMA comp;
		CREATE EXTENSION competency SCHEMA comp;
		GRANT USAGE ON SCHEMA comp TO $role;
		GRANT SELECT, INSERT, UPDATE, DELETE ON comp.cp_rule_set, comp.cp_rule_threshold, comp.cp_rule_workload,
		      comp.cp_rule_credential, comp.cp_rule_association TO $role;
		INSERT INTO comp.cp_partner VALUES (1, 'Contoso', 'developed');
		INSERT INTO comp.cp_association VALUES (1, md5('c')::uuid, 'delegated_admin', current_date - 60, NULL);
		INSERT INTO comp.cp_person VALUES (1, 1, 'Ann');
		INSERT INTO comp.cp_credential VALUES (1, 'MCSA: Office 365', current_date - 60, NULL);
		INSERT INTO comp.cp_usage VALUES (md5('c')::uuid, 'Teams', 'E3', false, 1900, current_date - 1)});
	my ($stdout, $stderr) = ('', '');
	my $ok = IPC::Run::run([ 'pg_restore', '--data-only', '-n', 'comp', @rule_tables, @$opts,
		'-d', $node->connstr($db) . " user=$role", $dump ], '>', \$stdout, '2>', \$stderr);
	note("$label: pg_restore " . ($ok ? 'exits 0' : 'fails') . ($stderr ne '' ? ":\n$stderr" : ''));
	my $counts = $node->safe_psql($db, $rule_counts_sql);
	my $history = $node->safe_psql($db, $history_sql);
	is($node->safe_psql($db, q{
		SELECT count(*) FROM comp.cp_rule_set s
		WHERE s.effective_from IS NOT NULL AND comp.cp_rule_set_missing(s.rule_set) IS NOT NULL}), '0',
		"$label: no incomplete dated set is left");
	if ($role eq 'rules_admin')
	{
		# recognised as a restore: nothing is checked or flagged
		ok($ok, "$label: pg_restore exits 0");
		is($counts, $rule_counts, "$label: the users' sets, and one copy of 2017-07's rows");
		is($history, '', "$label: nothing is flagged");
		is($node->safe_psql($db, 'SELECT comp.cp_refresh_levels()'), '1', "$label: a refresh catches up");
		is($node->safe_psql($db, $history_sql), 'none->silver (FY-now)', "$label: under FY-now");
	}
	elsif (!@$opts)
	{
		# checked as any writer: FY-now's row commits alone, incomplete
		ok(!$ok, "$label: pg_restore fails");
		like($stderr, qr/rule set "FY-(?:now|future)" is in force from \S+ but incomplete: it lacks thresholds/,
			"$label: a dated set restored without its rows is refused as incomplete (23514)");
		like($stderr, qr/violates foreign key constraint/,
			"$label: the other tables' rows then have no set (23503)");
		is($counts, 'cp_rule_association 3 0, cp_rule_credential 3 0, cp_rule_set 1 0, cp_rule_threshold 4 0, '
			  . 'cp_rule_workload 13 0', "$label: nothing of the users' sets is restored");
		is($history, '', "$label: nothing is flagged");
	}
	else
	{
		# in one transaction the sets are complete at commit, which then
		# re-evaluates every partner under the set in force
		ok($ok, "$label: pg_restore exits 0");
		is($counts, $rule_counts, "$label: the users' sets, and one copy of 2017-07's rows");
		is($history, 'none->silver (FY-now)', "$label: the commit re-evaluates every partner, under FY-now");
	}
}

$node->stop;
done_testing();
