#!/bin/bash
# make bench: cp_evaluate against the plain-SQL formulation of the rules and
# against the floor (the same join, merely counted), in the same run, on the
# same tables.  Contenders are timed in interleaved rounds -- every round runs
# each of them once, in turn, in one session -- so that a machine whose speed
# drifts (a shared virtual machine) slows them alike; a ratio is the median of
# the per-round ratios, and its range over the rounds is given.  Also the
# aggregate alone, growth with the data, memory per key, levels over time,
# and the cost of flagging on a bulk load.  Runs against the cluster in
# PGHOST/PGPORT (make bench starts a throwaway one with pg_virtualenv).
# Prints Markdown.
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-11}
LOAD_RUNS=${LOAD_RUNS:-5}
SCALES=${SCALES:-"1 2 4"}
D=$(date +%F)                  # data are dated around today, as flagging evaluates today
PSQL="psql -X -q -v ON_ERROR_STOP=1"

q() { $PSQL -At -c "$1"; }

# rounds <setting> <sql>...: one session; the setting SET first (if any), a
# warm-up round, then $RUNS rounds of every query in turn.  Prints one line
# per round: the milliseconds of each query, as \timing in psql sees them.
rounds() {
	local set="$1" i sql
	shift
	{
		if [ -n "$set" ]; then echo "SET $set;"; fi
		echo '\timing on'
		for i in $(seq 0 "$RUNS"); do
			for sql in "$@"; do echo "$sql;"; done
		done
	} | $PSQL -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n +$(($# + 1)) | paste -d ' ' $(printf -- '- %.0s' "$@")
}
# median of column c (1-based) of the rounds on stdin
col_median() {
	awk -v c="$1" '{print $c}' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
# ratio_stats a b: of the rounds on stdin, the per-round ratios column a /
# column b: "median (min-max)"
ratio_stats() {
	awk -v a="$1" -v b="$2" '{printf "%.4f\n", $a / $b}' | sort -g |
		awk '{r[NR] = $1} END {printf "%.2f (%.2f-%.2f)", r[int((NR + 1) / 2)], r[1], r[NR]}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
# median_ms <sql> [<setting>]: the median of one query alone
median_ms() { rounds "${2:-}" "$1" | col_median 1; }

EVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM cp_evaluate('$D')"
PLAIN="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM bench.sql_evaluate('$D', 28)"
FLOOR="SELECT count(*), sum(n) FROM bench.floor('$D', 28)"
AGG="SELECT count(*), sum(n) FROM bench.agg_entitlements('$D', 28)"
SQLAGG="SELECT count(*), sum(n) FROM bench.sql_entitlements('$D', 28)"
NOOP="SELECT count(*), sum(n) FROM bench.noop_agg('$D', 28)"

# An aggregate with cp_active_entitlements' arguments that does nothing
# (test/bench/noop.c): what any aggregate of this signature costs.  Built
# into a temporary directory and loaded from there; never installed.
NOOP_DIR=$(mktemp -d /tmp/competency-bench.XXXXXX)
chmod 755 "$NOOP_DIR"
trap 'rm -rf "$NOOP_DIR"' EXIT
${CC:-cc} -O2 -fPIC -shared -Wall -I "$(pg_config --includedir-server)" \
	-o "$NOOP_DIR/noop.so" test/bench/noop.c
chmod 644 "$NOOP_DIR/noop.so"
make_noop() {
	q "CREATE FUNCTION bench.noop_trans(internal, anyelement, text, text, bigint, boolean, date) RETURNS internal
	   LANGUAGE C PARALLEL SAFE AS '$NOOP_DIR/noop.so', 'bench_noop_trans';
	   CREATE FUNCTION bench.noop_final(internal) RETURNS bigint
	   LANGUAGE C PARALLEL SAFE AS '$NOOP_DIR/noop.so', 'bench_noop_final';
	   CREATE FUNCTION bench.noop_combine(internal, internal) RETURNS internal
	   LANGUAGE C PARALLEL SAFE AS '$NOOP_DIR/noop.so', 'bench_noop_combine';
	   CREATE FUNCTION bench.noop_serialize(internal) RETURNS bytea
	   LANGUAGE C STRICT PARALLEL SAFE AS '$NOOP_DIR/noop.so', 'bench_noop_serialize';
	   CREATE FUNCTION bench.noop_deserialize(bytea, internal) RETURNS internal
	   LANGUAGE C STRICT PARALLEL SAFE AS '$NOOP_DIR/noop.so', 'bench_noop_deserialize';
	   CREATE AGGREGATE bench.noop_entitlements(anyelement, text, text, bigint, boolean, date) (
	       SFUNC = bench.noop_trans, STYPE = internal,
	       SSPACE = $(q "SELECT aggtransspace FROM pg_aggregate WHERE aggfnoid = 'cp_active_entitlements'::regproc"),
	       FINALFUNC = bench.noop_final, COMBINEFUNC = bench.noop_combine,
	       SERIALFUNC = bench.noop_serialize, DESERIALFUNC = bench.noop_deserialize, PARALLEL = SAFE);
	   CREATE FUNCTION bench.noop_agg(d date, win integer) RETURNS TABLE (partner_id bigint, n bigint)
	   LANGUAGE sql STABLE PARALLEL SAFE AS \$f\$
	   SELECT a.partner_id, bench.noop_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
	                                                u.is_trial, u.measured_on)
	   FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
	   WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
	     AND u.measured_on > d - win AND u.measured_on <= d
	   GROUP BY a.partner_id \$f\$" >/dev/null
}

generate() {
	$PSQL -v scale="$1" -v as_of="$D" -f test/gen_data.sql >/dev/null
	$PSQL -f test/bench/plain.sql >/dev/null 2>&1
	make_noop
}

q "CREATE EXTENSION IF NOT EXISTS competency" >/dev/null
echo "## Benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB;"
echo "$(q 'SELECT version()' | cut -d, -f1); settings: default but shared_buffers = $(q 'SHOW shared_buffers'),"
echo "max_parallel_workers_per_gather = $(q 'SHOW max_parallel_workers_per_gather'), work_mem = $(q 'SHOW work_mem'). Contenders in $RUNS interleaved"
echo "rounds after a warm-up round, in one session, as \\timing in psql sees them."
echo

generate 1
echo "### Data (scale 1)"
echo
echo "| partners | tenants | associations | usage rows | current usage rows joined | persons | credentials |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
q "SELECT '| ' || (SELECT count(*) FROM cp_partner) || ' | ' || (SELECT count(DISTINCT tenant_id) FROM cp_association)
   || ' | ' || (SELECT count(*) FROM cp_association) || ' | ' || (SELECT count(*) FROM cp_usage)
   || ' | ' || (SELECT sum(n) FROM bench.floor('$D', 28)) || ' | ' || (SELECT count(*) FROM cp_person)
   || ' | ' || (SELECT count(*) FROM cp_credential) || ' |'"
echo
echo "Levels: $(q "SELECT string_agg(level || ' ' || market || ': ' || n, ', ' ORDER BY level, market) FROM (SELECT level, market, count(*) n FROM cp_evaluate('$D') GROUP BY 1, 2) s")."
echo

echo "### Same answers"
echo
diffs=$(q "SELECT count(*) FROM ((SELECT * FROM cp_evaluate('$D') EXCEPT ALL SELECT * FROM bench.sql_evaluate('$D', 28))
            UNION ALL (SELECT * FROM bench.sql_evaluate('$D', 28) EXCEPT ALL SELECT * FROM cp_evaluate('$D'))) x")
aggdiffs=$(q "SELECT count(*) FROM ((SELECT * FROM bench.agg_entitlements('$D', 28) EXCEPT ALL SELECT * FROM bench.sql_entitlements('$D', 28))
            UNION ALL (SELECT * FROM bench.sql_entitlements('$D', 28) EXCEPT ALL SELECT * FROM bench.agg_entitlements('$D', 28))) x")
plan=$(q "EXPLAIN (COSTS OFF) SELECT * FROM cp_evaluate('$D')")
workers=$(echo "$plan" | grep -c "Workers Planned: 2" || true)
partial=$(echo "$plan" | grep -c "Partial HashAggregate\|Partial GroupAggregate" || true)
serialdiffs=$(q "CREATE TEMP TABLE par AS SELECT * FROM cp_evaluate('$D');
                 SET max_parallel_workers_per_gather = 0;
                 SELECT count(*) FROM ((SELECT * FROM par EXCEPT ALL SELECT * FROM cp_evaluate('$D'))
                                       UNION ALL (SELECT * FROM cp_evaluate('$D') EXCEPT ALL SELECT * FROM par)) x")
echo "- cp_evaluate vs the plain-SQL formulation: $diffs differing rows"
echo "- cp_active_entitlements grouped by partner vs its SQL equivalent: $aggdiffs differing rows"
echo "- default settings plan cp_evaluate with 2 workers: $([ "$workers" -gt 0 ] && echo yes || echo NO), partial aggregation in the workers: $([ "$partial" -gt 0 ] && echo yes || echo NO); parallel vs serial: $serialdiffs differing rows"
echo
if [ "$diffs" != 0 ] || [ "$aggdiffs" != 0 ] || [ "$serialdiffs" != 0 ]; then
	echo "ANSWERS DIFFER: timings are meaningless" >&2
	exit 1
fi

echo "### Time (scale 1)"
echo
echo "Medians of $RUNS interleaved rounds; ratios are medians of the per-round ratios (range over the rounds in brackets)."
echo
W=${WORK_MEM:-64MB}
time_table() {	# time_table <setting>
	local r t_eval t_plain t_floor
	r=$(rounds "$1" "$EVAL" "$PLAIN" "$FLOOR")
	t_eval=$(echo "$r" | col_median 1); t_plain=$(echo "$r" | col_median 2); t_floor=$(echo "$r" | col_median 3)
	echo "| query | median ms | ratio |"
	echo "|---|---:|---|"
	echo "| \`cp_evaluate(D)\` | $t_eval | |"
	echo "| plain-SQL formulation | $t_plain | cp_evaluate is **$(echo "$r" | ratio_stats 2 1)x faster** |"
	echo "| floor: the same join, \`count(*)\` per partner | $t_floor | cp_evaluate takes **$(echo "$r" | ratio_stats 1 3)x** the floor |"
	echo
}
time_table ""
r=$(rounds "" "$AGG" "$SQLAGG" "$FLOOR" "$NOOP")
echo "The aggregate alone, grouped by partner over the same join, and an aggregate with the same"
echo "arguments that does nothing (\`test/bench/noop.c\`: what the executor's calls cost any aggregate of this signature):"
echo
echo "| query | median ms | ratio |"
echo "|---|---:|---|"
echo "| \`cp_active_entitlements\` grouped by partner | $(echo "$r" | col_median 1) | **$(echo "$r" | ratio_stats 1 3)x** the floor |"
echo "| the same in SQL (window functions) | $(echo "$r" | col_median 2) | the aggregate is **$(echo "$r" | ratio_stats 2 1)x faster** |"
echo "| an aggregate of the same arguments doing nothing | $(echo "$r" | col_median 4) | **$(echo "$r" | ratio_stats 4 3)x** the floor |"
echo
echo "With \`work_mem = '$W'\`:"
echo
time_table "work_mem = '$W'"

echo "### Levels over time (scale 1)"
echo
t_series=$(median_ms "SELECT count(*), sum(active_entitlements), count(level) FROM cp_evaluate_series('$D'::date - 730, '$D', '1 month')")
points=$(q "SELECT count(DISTINCT as_of) FROM cp_evaluate_series('$D'::date - 730, '$D', '1 month')")
echo "\`cp_evaluate_series(D - 2 years, D, '1 month')\`: $points points, $t_series ms ($(awk -v a="$t_series" -v n="$points" 'BEGIN {printf "%.0f", a / n}') ms a point)."
echo

echo "### Memory"
echo
mem=$(q "SET max_parallel_workers_per_gather = 0; SET work_mem = '1GB';
         CREATE TEMP TABLE k AS SELECT g, md5(g::text)::uuid AS t FROM generate_series(1, 100000) g;
         CREATE FUNCTION pg_temp.mem(sql text) RETURNS bigint LANGUAGE plpgsql AS \$f\$
         DECLARE p json; BEGIN
             EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || sql INTO p;
             RETURN (p->0->'Plan'->>'Peak Memory Usage')::bigint * 1024;
         END \$f\$;
         SELECT pg_temp.mem('SELECT g, cp_active_entitlements(t, ''EXO'', ''E3'', 1, false, current_date) FROM k GROUP BY g')
              - pg_temp.mem('SELECT g, count(t) FROM k GROUP BY g'),
                pg_temp.mem('SELECT g % 100, cp_active_entitlements(t, ''EXO'', ''E3'', 1, false, current_date) FROM k GROUP BY 1')
              - pg_temp.mem('SELECT g % 100, count(t) FROM k GROUP BY 1'),
                pg_temp.mem('SELECT g, cp_qualified_individuals(t, ''MCSA: Office 365'') FROM k GROUP BY g')
              - pg_temp.mem('SELECT g, count(t) FROM k GROUP BY g'),
                pg_temp.mem('SELECT g % 100, cp_qualified_individuals(t, ''MCSA: Office 365'') FROM k GROUP BY 1')
              - pg_temp.mem('SELECT g % 100, count(t) FROM k GROUP BY 1'),
                (SELECT aggtransspace FROM pg_aggregate WHERE aggfnoid = 'cp_active_entitlements'::regproc),
                (SELECT aggtransspace FROM pg_aggregate WHERE aggfnoid = 'cp_qualified_individuals'::regproc)" | tail -1)
IFS='|' read -r e1 e1000 i1 i1000 sspace_e sspace_i <<<"$mem"
echo "| aggregate | a state with one key | each further key (uuid; one measurement) | SSPACE |"
echo "|---|---:|---:|---:|"
echo "| cp_active_entitlements | $((e1 / 100000)) B | $(( (e1000 - 100 * e1 / 100000) / 100000 )) B | $sspace_e |"
echo "| cp_qualified_individuals | $((i1 / 100000)) B | $(( (i1000 - 100 * i1 / 100000) / 100000 )) B | $sspace_i |"
echo

echo "### Flagging a bulk load (scale 1)"
echo
q "SET competency.flagging = off;
   CREATE TABLE bench.load AS
   SELECT tenant_id, workload, sku || '-L' AS sku, is_trial, active_users + 7 AS active_users, '$D'::date AS measured_on
   FROM cp_usage LIMIT 1000000;
   SELECT cp_refresh_levels()" >/dev/null
load_rows=$(q "SELECT count(*) FROM bench.load")
LOAD="INSERT INTO cp_usage SELECT * FROM bench.load"
UNLOAD="SET competency.flagging = off; DELETE FROM cp_usage WHERE sku LIKE '%-L'; SELECT cp_refresh_levels();"
unload() { q "$UNLOAD" >/dev/null; q "VACUUM cp_usage" >/dev/null; }
on=(); off=()
for i in $(seq 1 "$LOAD_RUNS"); do
	unload
	on+=("$(printf '\\timing on\n%s\n' "$LOAD" | $PSQL -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
	unload
	off+=("$(printf '\\timing on\nALTER TABLE cp_usage DISABLE TRIGGER USER;\n%s;\nALTER TABLE cp_usage ENABLE TRIGGER USER;\n' "$LOAD" \
		| $PSQL -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p)")
done
t_on=$(printf '%s\n' "${on[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
t_off=$(printf '%s\n' "${off[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
unload
changes=$(q "SELECT count(*) FROM cp_level_change")
echo "Loading $load_rows usage rows in one \`INSERT ... SELECT\` (median of $LOAD_RUNS): $t_on ms with flagging,"
echo "$t_off ms with \`ALTER TABLE cp_usage DISABLE TRIGGER USER\`: **$(ratio "$t_on" "$t_off")x**. ($changes level changes flagged over the runs.)"
echo
q "DROP TABLE bench.load" >/dev/null

echo "### Growth"
echo
echo "| scale | usage rows | cp_evaluate ms | floor ms | plain SQL ms | cp_evaluate / floor | cp_evaluate / scale 1 | floor / scale 1 | with work_mem = '$W': cp_evaluate ms | floor ms | cp_evaluate / floor |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
base=""; basef=""
for s in $SCALES; do
	[ "$s" != 1 ] && generate "$s"
	r=$(rounds "" "$EVAL" "$FLOOR" "$PLAIN")
	rw=$(rounds "work_mem = '$W'" "$EVAL" "$FLOOR")
	te=$(echo "$r" | col_median 1); tf=$(echo "$r" | col_median 2); tp=$(echo "$r" | col_median 3)
	[ -z "$base" ] && base=$te && basef=$tf
	echo "| $s | $(q 'SELECT count(*) FROM cp_usage') | $te | $tf | $tp | $(echo "$r" | ratio_stats 1 2) | $(ratio "$te" "$base") | $(ratio "$tf" "$basef") | $(echo "$rw" | col_median 1) | $(echo "$rw" | col_median 2) | $(echo "$rw" | ratio_stats 1 2) |"
done
echo
