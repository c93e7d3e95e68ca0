# Sharding by partner over postgres_fdw: a coordinator and two shards, each
# with the extension.  The coordinator's partner-partitioned tables have
# foreign partitions (server option extensions 'competency'); with
# enable_partitionwise_aggregate, GROUP BY partner_id ships
# cp_active_entitlements and cp_qualified_individuals whole to each shard
# (asserted on the Remote SQL), they run there under the remote session's
# search_path = pg_catalog, and every result -- grouped by the partition key
# or not -- equals a single-node run over the very same rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The rows, pre-joined: (partner, tenant) pairs from associations, several of
# them across shards for one tenant and some delivered twice, times each
# tenant's usage (workload spellings, an ineligible workload, SKUs, trials,
# dates in and out of the window, duplicate measurements).  Literal dates:
# current_date is not shipped to the remote side.
my $usage_rows = q{
WITH assoc AS (
	SELECT 1 + t % 40 AS partner_id, t FROM generate_series(1, 300) t
	UNION ALL	-- the same tenant with a partner on the other shard
	SELECT 1 + (t * 7 + 13) % 40, t FROM generate_series(1, 300) t WHERE t % 3 = 0
	UNION ALL	-- a second association with the same partner: duplicated rows
	SELECT 1 + t % 40, t FROM generate_series(1, 300) t WHERE t % 10 = 0
), usage AS (
	SELECT t, md5('t' || t)::uuid AS tenant_id,
	       (ARRAY['EXO', 'Exchange Online', 'SPO', 'SharePoint', 'SfB', 'Yammer',
	              'ProPlus', 'Teams'])[1 + (t * 3 + k) % 8] AS workload,
	       (ARRAY['E1', 'E3', 'E5'])[1 + (t + k) % 3] AS sku,
	       (t * k) % 13 = 0 AS is_trial,
	       (t * 37 + k * 101) % 900 AS active_users,
	       date '2026-06-20' - (t * k * 5) % 50 AS measured_on
	FROM generate_series(1, 300) t, generate_series(1, 12) k, generate_series(1, 1 + k % 2) dup
)
SELECT a.partner_id, u.tenant_id, u.workload, u.sku, u.is_trial, u.active_users, u.measured_on
FROM assoc a JOIN usage u USING (t)
};
# People belong to one partner; credentials in several spellings, unknown ones, duplicates.
my $credential_rows = q{
SELECT 1 + n % 40 AS partner_id, n AS person_id,
       (ARRAY['70-346', '70-347', 'MCSA: Office 365', 'exam 70-346', 'MS-100',
              'mcsa_office_365', '70-347'])[1 + (n * k + n / 7) % 7] AS credential
FROM generate_series(1, 240) n, generate_series(1, 3) k
};
my $usage_cols = 'partner_id bigint, tenant_id uuid, workload text, sku text, '
  . 'is_trial boolean, active_users integer, measured_on date';
my $credential_cols = 'partner_id bigint, person_id bigint, credential text';

# Shard 1 holds partners 1..20, shard 2 partners 21..40.
my @shards;
for my $i (1, 2)
{
	my $shard = PostgreSQL::Test::Cluster->new("shard$i");
	$shard->init;
	$shard->append_conf('postgresql.conf', "log_statement = 'all'\n");
	$shard->start;
	my $range = $i == 1 ? 'partner_id <= 20' : 'partner_id > 20';
	$shard->safe_psql('postgres', qq{
		CREATE EXTENSION competency;
		CREATE TABLE usage_shard ($usage_cols);
		INSERT INTO usage_shard SELECT * FROM ($usage_rows) r WHERE $range;
		CREATE TABLE credential_shard ($credential_cols);
		INSERT INTO credential_shard SELECT * FROM ($credential_rows) r WHERE $range;
		ANALYZE usage_shard, credential_shard;
	});
	push @shards, $shard;
}

my $coord = PostgreSQL::Test::Cluster->new('coordinator');
$coord->init;
$coord->append_conf('postgresql.conf', "enable_partitionwise_aggregate = on\n");
$coord->start;
$coord->safe_psql('postgres', qq{
	CREATE EXTENSION competency;
	CREATE EXTENSION postgres_fdw;
	CREATE TABLE usage_sharded ($usage_cols) PARTITION BY RANGE (partner_id);
	CREATE TABLE credential_sharded ($credential_cols) PARTITION BY RANGE (partner_id);
	-- the single node: the very same rows in plain tables
	CREATE TABLE usage_local AS $usage_rows;
	CREATE TABLE credential_local AS $credential_rows;
	ANALYZE usage_local, credential_local;
});
for my $i (1, 2)
{
	my $shard = $shards[ $i - 1 ];
	my ($host, $port) = ($shard->host, $shard->port);
	my $bounds = 'FOR VALUES ' . ($i == 1 ? 'FROM (MINVALUE) TO (21)' : 'FROM (21) TO (MAXVALUE)');
	$coord->safe_psql('postgres', qq{
		CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw
			OPTIONS (host '$host', port '$port', dbname 'postgres', extensions 'competency');
		CREATE USER MAPPING FOR CURRENT_USER SERVER shard$i;
		CREATE FOREIGN TABLE usage_p$i PARTITION OF usage_sharded $bounds
			SERVER shard$i OPTIONS (table_name 'usage_shard');
		CREATE FOREIGN TABLE credential_p$i PARTITION OF credential_sharded $bounds
			SERVER shard$i OPTIONS (table_name 'credential_shard');
		ANALYZE usage_p$i, credential_p$i;
	});
}

is($coord->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM usage_sharded) = (SELECT count(*) FROM usage_local),
	       (SELECT count(*) FROM credential_sharded) = (SELECT count(*) FROM credential_local),
	       (SELECT count(DISTINCT tenant_id) FROM usage_local
	        WHERE tenant_id IN (SELECT tenant_id FROM usage_local WHERE partner_id <= 20)
	          AND tenant_id IN (SELECT tenant_id FROM usage_local WHERE partner_id > 20)) > 0}),
	't|t|t', 'the shards hold every row once, and some tenants are on both shards');

my $window = q{measured_on > '2026-05-18' AND measured_on <= '2026-06-15'};
# aggregate => [table prefix, query]; _TABLE becomes _sharded or _local
my %grouped = (
	cp_active_entitlements => [ 'usage', qq{
		SELECT partner_id, cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
		FROM usage_TABLE WHERE $window GROUP BY partner_id} ],
	cp_qualified_individuals => [ 'credential', q{
		SELECT partner_id, cp_qualified_individuals(person_id, credential)
		FROM credential_TABLE GROUP BY partner_id} ]);

for my $agg (sort keys %grouped)
{
	my ($prefix, $query) = @{ $grouped{$agg} };
	(my $sharded = $query) =~ s/_TABLE/_sharded/;
	(my $local = $query) =~ s/_TABLE/_local/;

	my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $sharded");
	my %remote = $plan =~ /^\s*Relations: Aggregate on \(public\.(\w+) \w+\)\n\s*Remote SQL: (.*)$/mg;
	is(join(',', sort keys %remote), "${prefix}_p1,${prefix}_p2",
		"$agg: each foreign partition is an aggregate pushed to its shard")
	  or diag($plan);
	for my $part (sort keys %remote)
	{
		like($remote{$part}, qr/^SELECT partner_id, public\.$agg\(.* FROM public\.${prefix}_shard\b.* GROUP BY 1$/,
			"$agg shipped whole for $part: $remote{$part}");
	}
	is(scalar(() = $plan =~ /Remote SQL:/g), 2, "$agg: no other remote query");
	unlike($plan, qr/^\s*(?:->\s+)?(?:Partial |Finalize )?(?:Hash|Group|Mixed)?Aggregate\b/m,
		"$agg: no aggregation on the coordinator")
	  or diag($plan);
	like($plan, qr/^\s*Append\b/m, "$agg: the coordinator only appends");

	my $got = join "\n", sort { $a <=> $b } split /\n/, $coord->safe_psql('postgres', $sharded);
	my $want = join "\n", sort { $a <=> $b } split /\n/, $coord->safe_psql('postgres', $local);
	is($got, $want, "$agg by partner: sharded equals single node");
	my @rows = split /\n/, $got;
	is(scalar(@rows), 40, "$agg: a row for every partner");
	ok($coord->safe_psql('postgres', "SELECT count(*) FROM ($local) s WHERE $agg > 0") > 20,
		"$agg: most partners have a figure");
}

# Tenants on both shards: adding up each shard's own figure would count them twice.
my $shard_sum = 0;
$shard_sum += $_->safe_psql('postgres', qq{
	SELECT cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
	FROM usage_shard WHERE $window}) for @shards;
my $total = $coord->safe_psql('postgres', qq{
	SELECT cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
	FROM usage_sharded WHERE $window});
ok($total > 0 && $total < $shard_sum, "overall $total, not the shards' sum $shard_sum");

# Not grouped by the partition key: the coordinator combines rows or partial
# states itself.
my @ungrouped = (
	qq{SELECT cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
	   FROM usage_TABLE WHERE $window},
	qq{SELECT partner_id % 3, cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
	   FROM usage_TABLE WHERE $window GROUP BY 1 ORDER BY 1},
	q{SELECT workload, cp_active_entitlements(tenant_id, workload, sku, active_users, is_trial, measured_on)
	  FROM usage_TABLE WHERE measured_on <= '2026-06-15' GROUP BY 1 ORDER BY 1},
	q{SELECT cp_qualified_individuals(person_id, credential) FROM credential_TABLE},
	q{SELECT partner_id % 3, cp_qualified_individuals(person_id, credential)
	  FROM credential_TABLE GROUP BY 1 ORDER BY 1});
for my $q (@ungrouped)
{
	(my $sharded = $q) =~ s/_TABLE/_sharded/;
	(my $local = $q) =~ s/_TABLE/_local/;
	(my $name = $sharded) =~ s/\s+/ /g;
	is($coord->safe_psql('postgres', $sharded), $coord->safe_psql('postgres', $local),
		"not by partner, equals single node: $name");
}

# The shards ran the aggregates in postgres_fdw's remote session, whose
# search_path is pg_catalog.
for my $i (1, 2)
{
	my $log = slurp_file($shards[ $i - 1 ]->logfile);
	my %pg_catalog = map { $_ => 1 }
	  $log =~ /\[(\d+)\] postgres_fdw LOG:  statement: SET search_path = pg_catalog$/mg;
	for my $agg (sort keys %grouped)
	{
		my @pids = $log =~ /\[(\d+)\] postgres_fdw LOG:  execute \S+: DECLARE \w+ CURSOR FOR\n\tSELECT partner_id, public\.$agg\(/mg;
		ok(@pids && !grep({ !$pg_catalog{$_} } @pids),
			"shard$i ran $agg in sessions with search_path = pg_catalog");
	}
	unlike($log, qr/\bERROR:/, "shard$i: no errors");
}

$coord->stop;
$_->stop for @shards;
done_testing();
