#!/bin/bash
# make bench: cp_evaluate against the plain-SQL formulation of the rules, the
# floor (the same join, merely counted) and, with BASELINE, the same query
# with the aggregates of another revision; cp_evaluate and the aggregate
# against the previous version's code (PREVIOUS) and under a large rule set;
# then the aggregates as running windows, memory per key, levels over time,
# the cost of flagging on a bulk load and growth with the data.  Contenders are timed in interleaved rounds;
# test/bench/README.md describes the method and the options.  Runs against
# the cluster in PGHOST/PGPORT (make bench starts a throwaway one with
# pg_virtualenv).  Prints Markdown.
#
#   RUNS=11          interleaved rounds after a warm-up round
#   SCALES="1 2 4"   data scales of the growth table
#   WORK_MEM=64MB    the second setting the tables are timed with
#   LOAD_RUNS=5      bulk loads timed each way
#   QUICK=1          RUNS=5 and scale 1 only: no growth, no bulk load
#   BASELINE=<rev>   also time the aggregates of a git revision (or of a
#                    directory holding a src/ tree), built here, side by side
#   WINDOW_SIZES="4000 16000 32000", WINDOW_TIMEOUT=60 (seconds)
#   SQL_BASELINE=<version>  also time the evaluation's SQL as that version
#                    shipped it (its snapshots in sql/install), side by side
#   PREVIOUS=<rev>   the previous version's code (C and SQL), built here, timed
#                    against this version's (default: main, when it is another
#                    version than the installed one; PREVIOUS= for none)
set -eu
# a baseline or previous directory named relative to the caller's directory
if [ -n "${BASELINE:-}" ] && [ -d "$BASELINE/src" ]; then
	BASELINE=$(cd "$BASELINE" && pwd)
fi
if [ -n "${PREVIOUS:-}" ] && [ -d "$PREVIOUS/src" ]; then
	PREVIOUS=$(cd "$PREVIOUS" && pwd)
fi
cd "$(dirname "$0")/../.."
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RUNS=${RUNS:-5}
	SCALES=1
else
	RUNS=${RUNS:-11}
	SCALES=${SCALES:-"1 2 4"}
fi
LOAD_RUNS=${LOAD_RUNS:-5}
BASELINE=${BASELINE:-}
WINDOW_SIZES=${WINDOW_SIZES-"4000 16000 32000"}
WINDOW_TIMEOUT=${WINDOW_TIMEOUT:-60}
PG_CONFIG=${PG_CONFIG:-pg_config}
D=$(date +%F)                  # data are dated around today, as flagging evaluates today
PSQL="psql -X -q -v ON_ERROR_STOP=1"

q() { $PSQL -At -c "$1"; }

# rounds <setting> <sql>...: one session; the setting SET first (if any), a
# warm-up round, then $RUNS rounds of every query in turn, in the order
# given in even rounds and in the reverse order in odd ones (so that no
# query always runs before another).  Prints one line per round: the
# milliseconds of each query in the order given, as \timing in psql sees them.
rounds() {
	local set="$1" i j
	shift
	local -a qs=("$@")
	{
		if [ -n "$set" ]; then echo "SET $set;"; fi
		echo '\timing on'
		for i in $(seq 0 "$RUNS"); do
			for j in $(seq 0 $(($# - 1))); do
				[ $((i % 2)) = 1 ] && j=$(($# - 1 - j))
				echo "${qs[$j]};"
			done
		done
	} | $PSQL -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n +$(($# + 1)) | paste -d ' ' $(printf -- '- %.0s' "$@") |
		awk 'NR % 2 == 0 {print; next} {for (j = NF; j > 1; j--) printf "%s ", $j; print $1}'
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
BEVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM bench_base.evaluate('$D')"
PLAIN="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM bench.sql_evaluate('$D', 28)"
FLOOR="SELECT count(*), sum(n) FROM bench.floor('$D', 28)"
AGG="SELECT count(*), sum(n) FROM bench.agg_entitlements('$D', 28)"
BAGG="SELECT count(*), sum(n) FROM bench_base.agg_entitlements('$D', 28)"
SQLAGG="SELECT count(*), sum(n) FROM bench.sql_entitlements('$D', 28)"
NOOP="SELECT count(*), sum(n) FROM bench.noop_agg('$D', 28)"
# with a baseline, its query is timed right after the current one, in the
# same rounds: ${B:+...} adds it only then
B=${BASELINE:+1}

# An aggregate with cp_active_entitlements' arguments that does nothing
# (test/bench/noop.c): what any aggregate of this signature costs.  Built
# into a temporary directory and loaded from there; never installed.
NOOP_DIR=$(mktemp -d /tmp/competency-bench.XXXXXX)
chmod 755 "$NOOP_DIR"
trap 'rm -rf "$NOOP_DIR"' EXIT
${CC:-cc} -O2 -fPIC -shared -Wall -I "$($PG_CONFIG --includedir-server)" \
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
	       SSPACE = $(q "SELECT aggtransspace FROM pg_aggregate WHERE aggfnoid = 'cp_active_entitlements(anyelement, text, text, bigint, boolean, date)'::regprocedure"),
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

# build_lib <what> <rev or directory> <dir>: the C of a git revision (or
# of a directory holding a src/ tree) built into <dir>/lib.so, with its
# sql/install/functions and competency.control beside it in <dir> (when it
# has them); sets LIB_LABEL; <what> names it in errors.  Every C file, the
# module entry competency.c included (functions the others call live
# there), but with its _PG_init renamed so that the server never runs it:
# the library defines no settings, which would clash with the loaded
# extension's (its functions that read one see the built-in default).  The
# same compiler flags as PGXS's, plus -Bsymbolic: the library's calls to
# its own functions, and its own variables, must never bind to the
# installed competency.so's of the same names.
LIB_LABEL=""
build_lib() {
	local what=$1 from=$2 dir=$3 rev
	mkdir -p "$dir/src" "$dir/sql/install"
	if [ -d "$from/src" ]; then
		cp "$from"/src/*.[ch] "$dir/src/"
		[ -d "$from/sql/install/functions" ] && cp -r "$from/sql/install/functions" "$dir/sql/install/"
		[ -f "$from/competency.control" ] && cp "$from/competency.control" "$dir/"
		LIB_LABEL="the directory \`$from\`"
		if git -C "$from" rev-parse --git-dir >/dev/null 2>&1; then
			LIB_LABEL="$LIB_LABEL (a checkout at $(git -C "$from" describe --always --dirty))"
		fi
	elif rev=$(git rev-parse --verify -q "$from^{commit}"); then
		git archive "$rev" src | tar -x -C "$dir"
		git archive "$rev" sql/install/functions competency.control 2>/dev/null | tar -x -C "$dir" 2>/dev/null || true
		LIB_LABEL="\`$from\` = $(git log -1 --format='%h of %cs (%s)' "$rev")"
	else
		echo "$what is neither a git revision nor a directory holding src/" >&2
		exit 1
	fi
	# shellcheck disable=SC2046	# pg_config's flags are meant to be split
	if ! ${CC:-gcc} $($PG_CONFIG --cflags) $($PG_CONFIG --cflags_sl) -fPIC -O2 \
		$($PG_CONFIG --cppflags) -I "$($PG_CONFIG --includedir-server)" \
		-I "$($PG_CONFIG --pkgincludedir)/internal" -D_PG_init=bench_unused_PG_init \
		-shared -Wl,-Bsymbolic $($PG_CONFIG --ldflags) \
		-o "$dir/lib.so" "$dir"/src/*.c >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		echo "$what: its src/ does not build" >&2
		exit 1
	fi
	chmod -R a+rX "$dir"
}

# BASELINE: another revision's aggregates, from its library (build_lib);
# test/bench/baseline.sql creates schema bench_base from it.
BASE_LABEL=""
build_baseline() {
	build_lib "BASELINE=$BASELINE" "$BASELINE" "$NOOP_DIR/base"
	BASE_LABEL=$LIB_LABEL
	$PSQL -v lib="$NOOP_DIR/base/lib.so" -f test/bench/baseline.sql >/dev/null
}

generate() {
	$PSQL -v scale="$1" -v as_of="$D" -f test/gen_data.sql >/dev/null
	$PSQL -f test/bench/plain.sql >/dev/null 2>&1
	make_noop
}

q "CREATE EXTENSION IF NOT EXISTS competency" >/dev/null
[ -n "$BASELINE" ] && build_baseline
THIS_VERSION=$(q "SELECT extversion FROM pg_extension WHERE extname = 'competency'")
# control_version: the default_version of the competency.control on stdin
control_version() { sed -n "s/^default_version *= *'\(.*\)'.*/\1/p"; }
# PREVIOUS, unset: the previous version's code, the newest commit of this
# checkout's first-parent history that changed competency.control to
# another version than the installed one (on main, the merge that shipped
# the previous version); none without history
if [ -z "${PREVIOUS+set}" ]; then
	PREVIOUS=""
	for c in $(git log --first-parent --format=%H -- competency.control 2>/dev/null); do
		if [ "$(git show "$c:competency.control" 2>/dev/null | control_version)" != "$THIS_VERSION" ]; then
			PREVIOUS=$c
			break
		fi
	done
fi
echo "## Benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$QUICK" = 1 ] && echo ' (QUICK)')"
echo
echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB;"
echo "$(q 'SELECT version()' | cut -d, -f1); settings: default but shared_buffers = $(q 'SHOW shared_buffers'),"
echo "max_parallel_workers_per_gather = $(q 'SHOW max_parallel_workers_per_gather'), work_mem = $(q 'SHOW work_mem'). Contenders in $RUNS interleaved"
echo "rounds after a warm-up round, in one session, as \\timing in psql sees them."
if [ -n "$BASELINE" ]; then
	echo
	echo "Current: the installed extension, version $(q "SELECT extversion FROM pg_extension WHERE extname = 'competency'") (make bench installs this checkout's:"
	echo "$(git log -1 --format='%h of %cs' 2>/dev/null)$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' with uncommitted changes to src/ or sql/'))."
	echo "Baseline: the aggregates of $BASE_LABEL, built by the"
	echo "benchmark into schema \`bench_base\` and timed in the same rounds, beside the current ones;"
	echo "current / baseline under 1 means the current code is faster."
	bv=$(control_version 2>/dev/null <"$NOOP_DIR/base/competency.control" || true)
	if [ -n "$bv" ] && [ "$bv" != "$THIS_VERSION" ]; then
		echo "The baseline is version $bv's C under this version's SQL and declarations: arguments its C does not know"
		echo "(a rule set, say) it never reads. \`PREVIOUS\` times a previous version's code, C and SQL, as it was."
	fi
fi
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

# differing <query a> <query b>: rows of one not in the other, both ways
differing() {
	q "SELECT count(*) FROM (($1 EXCEPT ALL $2) UNION ALL ($2 EXCEPT ALL $1)) x"
}
# plan_shape <query>: "yes"/"NO" for 2 workers planned, and for partial aggregation
plan_shape() {
	local plan
	plan=$(q "EXPLAIN (COSTS OFF) $1")
	echo "$plan" | grep -q "Workers Planned: 2" && printf yes || printf NO
	printf ', partial aggregation in the workers: '
	echo "$plan" | grep -q "Partial HashAggregate\|Partial GroupAggregate" && echo yes || echo NO
}
echo "### Same answers"
echo
diffs=$(differing "SELECT * FROM cp_evaluate('$D')" "SELECT * FROM bench.sql_evaluate('$D', 28)")
aggdiffs=$(differing "SELECT * FROM bench.agg_entitlements('$D', 28)" "SELECT * FROM bench.sql_entitlements('$D', 28)")
serialdiffs=$(q "CREATE TEMP TABLE par AS SELECT * FROM cp_evaluate('$D');
                 SET max_parallel_workers_per_gather = 0;
                 SELECT count(*) FROM ((SELECT * FROM par EXCEPT ALL SELECT * FROM cp_evaluate('$D'))
                                       UNION ALL (SELECT * FROM cp_evaluate('$D') EXCEPT ALL SELECT * FROM par)) x")
echo "- cp_evaluate vs the plain-SQL formulation: $diffs differing rows"
echo "- cp_active_entitlements grouped by partner vs its SQL equivalent: $aggdiffs differing rows"
echo "- default settings plan cp_evaluate with 2 workers: $(plan_shape "SELECT * FROM cp_evaluate('$D')"); parallel vs serial: $serialdiffs differing rows"
basediffs=0; baseaggdiffs=0
if [ -n "$BASELINE" ]; then
	basediffs=$(differing "SELECT * FROM cp_evaluate('$D')" "SELECT * FROM bench_base.evaluate('$D')")
	baseaggdiffs=$(differing "SELECT * FROM bench.agg_entitlements('$D', 28)" "SELECT * FROM bench_base.agg_entitlements('$D', 28)")
	echo "- cp_evaluate vs the same query with the baseline's aggregates: $basediffs differing rows"
	echo "- cp_active_entitlements grouped by partner vs the baseline's: $baseaggdiffs differing rows"
	echo "- default settings plan the baseline's query with 2 workers: $(plan_shape "SELECT * FROM bench_base.evaluate('$D')")"
fi
echo
if [ "$diffs" != 0 ] || [ "$aggdiffs" != 0 ] || [ "$serialdiffs" != 0 ] || [ "$basediffs" != 0 ] || [ "$baseaggdiffs" != 0 ]; then
	echo "ANSWERS DIFFER: timings are meaningless" >&2
	exit 1
fi

echo "### Time (scale 1)"
echo
echo "Medians of $RUNS interleaved rounds; ratios are medians of the per-round ratios (range over the rounds in brackets)."
echo
W=${WORK_MEM:-64MB}
# the columns of a round: the current query first, then the baseline's if any
c2=$((B + 2)); c3=$((B + 3)); c4=$((B + 4))
time_table() {	# time_table <setting>
	local r
	r=$(rounds "$1" "$EVAL" ${B:+"$BEVAL"} "$PLAIN" "$FLOOR")
	echo "| query | median ms | ratio |"
	echo "|---|---:|---|"
	echo "| \`cp_evaluate(D)\` | $(echo "$r" | col_median 1) | |"
	if [ -n "$B" ]; then
		echo "| the same query with the baseline's aggregates | $(echo "$r" | col_median 2) | current / baseline **$(echo "$r" | ratio_stats 1 2)**; the baseline takes **$(echo "$r" | ratio_stats 2 "$c3")x** the floor |"
	fi
	echo "| plain-SQL formulation | $(echo "$r" | col_median "$c2") | cp_evaluate is **$(echo "$r" | ratio_stats "$c2" 1)x faster** |"
	echo "| floor: the same join, \`count(*)\` per partner | $(echo "$r" | col_median "$c3") | cp_evaluate takes **$(echo "$r" | ratio_stats 1 "$c3")x** the floor |"
	echo
}
time_table ""
r=$(rounds "" "$AGG" ${B:+"$BAGG"} "$SQLAGG" "$FLOOR" "$NOOP")
echo "The aggregate alone, grouped by partner over the same join, and an aggregate with the same"
echo "arguments that does nothing (\`test/bench/noop.c\`: what the executor's calls cost any aggregate of this signature):"
echo
echo "| query | median ms | ratio |"
echo "|---|---:|---|"
echo "| \`cp_active_entitlements\` grouped by partner | $(echo "$r" | col_median 1) | **$(echo "$r" | ratio_stats 1 "$c3")x** the floor |"
if [ -n "$B" ]; then
	echo "| the baseline's \`cp_active_entitlements\` | $(echo "$r" | col_median 2) | current / baseline **$(echo "$r" | ratio_stats 1 2)**; the baseline takes **$(echo "$r" | ratio_stats 2 "$c3")x** the floor |"
fi
echo "| the same in SQL (window functions) | $(echo "$r" | col_median "$c2") | the aggregate is **$(echo "$r" | ratio_stats "$c2" 1)x faster** |"
echo "| an aggregate of the same arguments doing nothing | $(echo "$r" | col_median "$c4") | **$(echo "$r" | ratio_stats "$c4" "$c3")x** the floor |"
echo
echo "With \`work_mem = '$W'\`:"
echo
time_table "work_mem = '$W'"

# cp_membership_status: the same rules at as_of and at each held level's
# renewal date, in one pass (issue 15: at most 2x cp_evaluate).  Its level
# must be cp_evaluate's, partner by partner.
STATUS="SELECT count(*), count(held_level), count(level), count(projected_level), sum(entitlements_margin), sum(projected_entitlements), sum(projected_individuals), count(DISTINCT status) FROM cp_membership_status('$D')"
echo "### Membership status (scale 1)"
echo
leveldiffs=$(differing "SELECT partner_id, level FROM cp_membership_status('$D')" "SELECT partner_id, level FROM cp_evaluate('$D')")
if [ "$leveldiffs" != 0 ]; then
	echo "ANSWERS DIFFER: cp_membership_status's level is not cp_evaluate's for $leveldiffs partners" >&2
	exit 1
fi
echo "Statuses: $(q "SELECT string_agg(status || ': ' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) n FROM cp_membership_status('$D') GROUP BY 1) s") ($(q "SELECT count(*) FROM cp_membership") memberships; its level is cp_evaluate's for every partner)."
echo
r=$(rounds "" "$STATUS" "$EVAL")
echo "| query | median ms | ratio |"
echo "|---|---:|---|"
echo "| \`cp_membership_status(D)\` | $(echo "$r" | col_median 1) | **$(echo "$r" | ratio_stats 1 2)x** the time of cp_evaluate |"
echo "| \`cp_evaluate(D)\` | $(echo "$r" | col_median 2) | |"
echo

# Dashboards: cp_partner_status evaluates every partner live; the kept view
# reads what flagging kept.  Both sent whole to psql, as a dashboard reads
# them, after a refresh as of D (so the kept rows hold for the same day).
echo "### Dashboards (scale 1)"
echo
q "SELECT cp_refresh_levels('$D')" >/dev/null
kept_rows=$(q "SELECT count(*) FROM cp_partner_status_kept WHERE as_of = '$D'")
r=$(rounds "" "SELECT * FROM cp_partner_status" "SELECT * FROM cp_partner_status_kept")
echo "Both views, every row sent to psql; $kept_rows of $(q "SELECT count(*) FROM cp_partner") partners kept as of D by \`cp_refresh_levels(D)\`."
echo
echo "| view | median ms | ratio |"
echo "|---|---:|---|"
echo "| \`cp_partner_status\` (evaluates live) | $(echo "$r" | col_median 1) | |"
echo "| \`cp_partner_status_kept\` (reads kept rows) | $(echo "$r" | col_median 2) | **$(echo "$r" | ratio_stats 1 2)x faster** |"
echo

# SQL_BASELINE=<version>: the evaluation's SQL as that version shipped it
# (its snapshots under sql/install: cp_evaluate_partners, and the status
# function cp_status_partners), loaded into the schema bench_prev over this
# version's aggregates, timed beside this version's in the same rounds.
if [ -n "${SQL_BASELINE:-}" ]; then
	echo "### The evaluation's SQL against $SQL_BASELINE's (scale 1)"
	echo
	q "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_prev CASCADE; CREATE SCHEMA bench_prev" >/dev/null
	ext=$(q "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'competency'")
	for f in cp_status_partners cp_evaluate_partners; do
		# its form in that version: the latest snapshot of a version up to
		# it (<version>.sql is the form that version introduced), else the
		# current one
		src=sql/install/functions/$f/latest.sql
		for v in $(ls "sql/install/functions/$f" | sed -n 's/^\([0-9][0-9.]*\)\.sql$/\1/p' | sort -V); do
			[ "$(printf '%s\n' "$v" "$SQL_BASELINE" | sort -V | tail -1)" = "$SQL_BASELINE" ] &&
				src=sql/install/functions/$f/$v.sql
		done
		sed -e '/^COMMENT ON/,$d' -e "s/@extschema@\.cp_status_partners(/bench_prev.cp_status_partners(/g" \
		    -e "s/FUNCTION @extschema@\./FUNCTION bench_prev./" -e "s/@extschema@/$ext/g" "$src"
	done | $PSQL -q >/dev/null
	PEVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM bench_prev.cp_evaluate_partners('$D', 28, NULL)"
	PSTATUS="SELECT count(*), count(held_level), count(level), count(projected_level), sum(entitlements_margin), sum(projected_entitlements), sum(projected_individuals), count(DISTINCT status) FROM bench_prev.cp_status_partners('$D', 28, NULL)"
	for pair in "cp_evaluate_partners('$D', 28, NULL)|bench_prev.cp_evaluate_partners('$D', 28, NULL)" \
	            "cp_membership_status('$D')|bench_prev.cp_status_partners('$D', 28, NULL)"; do
		a=${pair%%|*} b=${pair#*|}
		cols="partner_id, level"
		case "$a" in cp_membership*) cols="partner_id, held_level, ends_on, level, projected_level, status, entitlements_margin, individuals_margin, projected_entitlements, projected_individuals" ;; esac
		n=$(differing "SELECT $cols FROM $a" "SELECT $cols FROM $b")
		if [ "$n" != 0 ]; then echo "ANSWERS DIFFER: $a and $b, $n rows" >&2; exit 1; fi
	done
	r=$(rounds "" "$EVAL" "$PEVAL" "$STATUS" "$PSTATUS")
	echo "Same answers (0 differing rows each)."
	echo
	echo "| query | median ms | this version / $SQL_BASELINE |"
	echo "|---|---:|---|"
	echo "| \`cp_evaluate(D)\` | $(echo "$r" | col_median 1) | **$(echo "$r" | ratio_stats 1 2)** |"
	echo "| $SQL_BASELINE's \`cp_evaluate_partners(D, 28, NULL)\` | $(echo "$r" | col_median 2) | |"
	echo "| \`cp_membership_status(D)\` | $(echo "$r" | col_median 3) | **$(echo "$r" | ratio_stats 3 4)** |"
	echo "| $SQL_BASELINE's \`cp_status_partners(D, 28, NULL)\` | $(echo "$r" | col_median 4) | |"
	echo
fi

# PREVIOUS=<rev>: the previous version's code, C and SQL, against this
# version's, on the same data in the same rounds.  Its C is built as
# BASELINE's is (build_lib); its evaluation's functions (PREV_FUNCS, those
# its files have) are created from its own files
# (sql/install/functions/<f>/latest.sql of that revision) in schema
# bench_previous, over its library, every call among them made to
# bench_previous's.  Whatever else they call is the installed extension's,
# and the report names it: the functions that read the session's settings,
# which only the loaded extension defines, and the C functions that find
# their enum types in their own schema (cp_level and the thresholds).
PREV_FUNCS="cp_window_start cp_require_date cp_in_period
	cp_entitlements_final cp_entitlements_combine cp_entitlements_serialize cp_entitlements_deserialize
	cp_entitlements_trans cp_active_entitlements cp_usage_entitlements_trans cp_usage_entitlements
	cp_individuals_final cp_individuals_combine cp_individuals_serialize cp_individuals_deserialize
	cp_credential_individuals_trans cp_credential_individuals
	cp_held cp_next_targets cp_partner_usage cp_partner_credentials cp_partner_figures
	cp_evaluate_partners cp_evaluate"
if [ -n "$PREVIOUS" ]; then
	pdir=$NOOP_DIR/previous
	build_lib "PREVIOUS=$PREVIOUS" "$PREVIOUS" "$pdir"
	prev_label=$LIB_LABEL
	pv=$(control_version 2>/dev/null <"$pdir/competency.control" || true)
	pv=${pv:-previous}
	ext=$(q "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'competency'")
	loaded=""; files=""
	for f in $PREV_FUNCS; do
		[ -f "$pdir/sql/install/functions/$f/latest.sql" ] || continue
		loaded="$loaded $f"
		# and its other forms (<f>/rule_set/latest.sql, ...), if any
		for file in "$pdir/sql/install/functions/$f/latest.sql" "$pdir/sql/install/functions/$f"/*/latest.sql; do
			[ -f "$file" ] && files="$files $file"
		done
	done
	case " $loaded " in
	*" cp_evaluate "*" cp_active_entitlements "* | *" cp_active_entitlements "*" cp_evaluate "*) ;;
	*)
		echo "PREVIOUS=$PREVIOUS has no sql/install/functions/{cp_evaluate,cp_active_entitlements}/latest.sql" >&2
		exit 1 ;;
	esac
	names=$(echo $loaded | sed 's/ /\\|/g')
	{
		echo "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_previous CASCADE; CREATE SCHEMA bench_previous;"
		echo "SET search_path = bench_previous, $ext;"	# for the files that name nothing with @extschema@
		for file in $files; do
			sed -e '/^COMMENT ON/,$d' -e "s|MODULE_PATHNAME|$pdir/lib.so|" \
			    -e "s/@extschema@\.\($names\)\b/bench_previous.\1/g" -e "s/@extschema@/$ext/g" "$file"
		done
		echo "CREATE FUNCTION bench_previous.agg_entitlements(d date, win integer)
		      RETURNS TABLE (partner_id bigint, n bigint)
		      LANGUAGE sql STABLE PARALLEL SAFE AS \$f\$
		      SELECT a.partner_id,
		             bench_previous.cp_active_entitlements(u.tenant_id, u.workload, u.sku, u.active_users,
		                                                   u.is_trial, u.measured_on)
		      FROM public.cp_association a JOIN public.cp_usage u ON u.tenant_id = a.tenant_id
		      WHERE a.valid_from <= d AND (a.valid_until IS NULL OR a.valid_until > d)
		        AND u.measured_on > d - win AND u.measured_on <= d
		      GROUP BY a.partner_id \$f\$;"
	} | $PSQL >/dev/null
	# every C function from the previous library, every aggregate's support
	# functions bench_previous's; then what the SQL functions call outside it
	stray=$(q "SELECT (SELECT count(*) FROM pg_proc
	                   WHERE pronamespace = 'bench_previous'::regnamespace
	                     AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	                     AND probin IS DISTINCT FROM '$pdir/lib.so')
	                + (SELECT count(*) FROM pg_aggregate g JOIN pg_proc a ON a.oid = g.aggfnoid
	                   CROSS JOIN unnest(ARRAY[g.aggtransfn, g.aggfinalfn, g.aggcombinefn,
	                                           g.aggserialfn, g.aggdeserialfn]::oid[]) f(oid)
	                   JOIN pg_proc p ON p.oid = f.oid
	                   WHERE a.pronamespace = 'bench_previous'::regnamespace
	                     AND p.pronamespace <> a.pronamespace)")
	if [ "$stray" != 0 ]; then
		echo "PREVIOUS=$PREVIOUS: $stray functions of bench_previous are not the previous library's" >&2
		exit 1
	fi
	outside=$(q "SELECT string_agg(DISTINCT m[1], ' ' ORDER BY m[1])
	             FROM pg_proc p, regexp_matches(p.prosrc, '(?<!bench_previous\.)\m(cp_\w+)\(', 'g') m
	             WHERE p.pronamespace = 'bench_previous'::regnamespace
	               AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')")
	settings=""; enums=""; others=""; redeclared=""
	for f in $outside; do
		cmp -s "$pdir/sql/install/functions/$f/latest.sql" "sql/install/functions/$f/latest.sql" ||
			redeclared="$redeclared, \`$f\`"
		case $f in
		cp_usage_window | cp_grace_days) settings="$settings, \`$f\`" ;;
		cp_level | cp_required_entitlements | cp_required_individuals | cp_next_level) enums="$enums, \`$f\`" ;;
		*) others="$others, \`$f\`" ;;
		esac
	done
	PEVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM bench_previous.cp_evaluate('$D')"
	PAGG="SELECT count(*), sum(n) FROM bench_previous.agg_entitlements('$D', 28)"
	pdiffs=$(differing "SELECT * FROM cp_evaluate('$D')" "SELECT * FROM bench_previous.cp_evaluate('$D')")
	paggdiffs=$(differing "SELECT * FROM bench.agg_entitlements('$D', 28)" "SELECT * FROM bench_previous.agg_entitlements('$D', 28)")
	if [ "$pdiffs" != 0 ] || [ "$paggdiffs" != 0 ]; then
		echo "ANSWERS DIFFER: cp_evaluate and $pv's, $pdiffs rows; the aggregates, $paggdiffs rows" >&2
		exit 1
	fi
	echo "### Against the previous version's code (scale 1)"
	echo
	echo "This version ($THIS_VERSION, installed) against $pv's code: $prev_label."
	echo "Its C built by the benchmark (as for \`BASELINE\`: every C file, its module entry's \`_PG_init\` never run),"
	echo "and its evaluation's SQL, from its own files (\`sql/install/functions/*/latest.sql\`), in schema \`bench_previous\`:"
	echo "$(echo $loaded | sed 's/\([a-z_][a-z_]*\)/`\1`/g; s/ /, /g')."
	echo "The same data, in one session, in the same rounds. From the installed extension, as $pv's SQL calls them:"
	[ -n "$settings" ] && echo "${settings#, } (they read the session's settings, which only the loaded extension defines);"
	[ -n "$enums" ] && echo "${enums#, } (C functions that find their enum types in their own schema);"
	[ -n "$others" ] && echo "${others#, };"
	if [ -n "$redeclared" ]; then
		echo "of these, declared otherwise in this version's files than in $pv's: ${redeclared#, }."
	elif [ -n "$outside" ]; then
		echo "each declared in this version's files as in $pv's."
	fi
	echo "Same answers first (0 differing rows each); default settings plan $pv's \`cp_evaluate\` with 2 workers: $(plan_shape "SELECT * FROM bench_previous.cp_evaluate('$D')")."
	echo
	r=$(rounds "" "$EVAL" "$PEVAL" "$AGG" "$PAGG")
	echo "| query | median ms | ratio |"
	echo "|---|---:|---|"
	echo "| \`cp_evaluate(D)\` | $(echo "$r" | col_median 1) | $THIS_VERSION / $pv **$(echo "$r" | ratio_stats 1 2)** |"
	echo "| $pv's \`cp_evaluate(D)\` | $(echo "$r" | col_median 2) | |"
	echo "| the aggregate alone: \`cp_active_entitlements\` grouped by partner | $(echo "$r" | col_median 3) | $THIS_VERSION / $pv **$(echo "$r" | ratio_stats 3 4)** |"
	echo "| $pv's \`cp_active_entitlements\` grouped by partner | $(echo "$r" | col_median 4) | |"
	echo
fi

# A large rule set: a draft holding the built-in set's rules and many more
# names, which the data never use, made through the rule tables (as
# superuser), evaluated against the built-in set named, in the same rounds
# (the target: at most 1.10x).  Answers checked equal first; the set is
# deleted afterwards.
BIG="bench big set"
q "DELETE FROM cp_rule_set WHERE rule_set = '$BIG';
   INSERT INTO cp_rule_set VALUES
       ('$BIG', NULL, 'make bench: the rules of 2017-07 with 27 more workloads and 6 more paths the data never name');
   INSERT INTO cp_rule_threshold
   SELECT '$BIG', level, market, min_entitlements, min_individuals FROM cp_rule_threshold WHERE rule_set = '2017-07';
   INSERT INTO cp_rule_association SELECT '$BIG', kind FROM cp_rule_association WHERE rule_set = '2017-07';
   INSERT INTO cp_rule_workload SELECT '$BIG', workload, spelling FROM cp_rule_workload WHERE rule_set = '2017-07';
   INSERT INTO cp_rule_workload
   SELECT '$BIG', 'absent_workload_' || w, s
   FROM (SELECT lpad(g::text, 2, '0') FROM generate_series(1, 27) g) n(w),
        LATERAL (VALUES ('Absent Workload ' || w), ('Absent Workload ' || w || ' Online'), ('AW' || w)) x(s);
   INSERT INTO cp_rule_credential SELECT '$BIG', path, credential FROM cp_rule_credential WHERE rule_set = '2017-07';
   INSERT INTO cp_rule_credential
   SELECT '$BIG', (SELECT max(path) FROM cp_rule_credential WHERE rule_set = '2017-07') + p,
          'Absent Credential ' || p || '-' || c
   FROM generate_series(1, 6) p, generate_series(1, 3) c" >/dev/null
# set_shape <set>: how many workloads, spellings, paths and credentials it has
set_shape() {
	q "SELECT count(DISTINCT workload) || ' workloads, ' || count(*) || ' spellings, '
	          || (SELECT count(DISTINCT path) || ' paths, ' || count(DISTINCT credential) || ' credentials'
	              FROM cp_rule_credential WHERE rule_set = '$1')
	   FROM cp_rule_workload WHERE rule_set = '$1'"
}
# the names it adds to 2017-07's, folded as the rules compare them, that the data use
bigused=$(q "WITH added_w AS (SELECT cp_fold(spelling) f FROM cp_rule_workload WHERE rule_set = '$BIG'
                                AND workload NOT IN (SELECT workload FROM cp_rule_workload WHERE rule_set = '2017-07')
                              UNION SELECT cp_fold(workload) FROM cp_rule_workload WHERE rule_set = '$BIG'
                                AND workload NOT IN (SELECT workload FROM cp_rule_workload WHERE rule_set = '2017-07')),
                  added_c AS (SELECT cp_fold(credential) f FROM cp_rule_credential WHERE rule_set = '$BIG'
                                AND credential NOT IN (SELECT credential FROM cp_rule_credential WHERE rule_set = '2017-07'))
             SELECT (SELECT count(*) FROM (SELECT DISTINCT workload FROM cp_usage) u WHERE cp_fold(u.workload) IN (SELECT f FROM added_w))
                  + (SELECT count(*) FROM (SELECT DISTINCT credential FROM cp_credential) c
                     WHERE regexp_replace(cp_fold(c.credential), '^exam', '') IN (SELECT regexp_replace(f, '^exam', '') FROM added_c))")
SEVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM cp_evaluate('$D', '$BIG')"
S0EVAL="SELECT count(*), sum(active_entitlements), sum(qualified_individuals), count(level), count(next_level), sum(entitlements_short), sum(individuals_short) FROM cp_evaluate('$D', '2017-07')"
SAGG="SELECT count(*), sum(n) FROM bench.agg_entitlements_under('$D', 28, '$BIG')"
S0AGG="SELECT count(*), sum(n) FROM bench.agg_entitlements_under('$D', 28, '2017-07')"
sdiffs=$(differing "SELECT * FROM cp_evaluate('$D', '$BIG')" "SELECT * FROM cp_evaluate('$D', '2017-07')")
saggdiffs=$(differing "SELECT * FROM bench.agg_entitlements_under('$D', 28, '$BIG')" "SELECT * FROM bench.agg_entitlements_under('$D', 28, '2017-07')")
if [ "$bigused" != 0 ] || [ "$sdiffs" != 0 ] || [ "$saggdiffs" != 0 ]; then
	echo "ANSWERS DIFFER under '$BIG' and '2017-07': cp_evaluate $sdiffs rows, the aggregate $saggdiffs rows ($bigused added names in the data)" >&2
	exit 1
fi
echo "### A large rule set (scale 1)"
echo
echo "A draft set, \`$BIG\`, written through the rule tables: the built-in set 2017-07's workloads and spellings,"
echo "credential paths, thresholds and association kinds, and 27 more workloads of 3 spellings each and 6 more paths"
echo "of 3 credentials each, under names the data never use: $(set_shape "$BIG") (2017-07: $(set_shape 2017-07))."
echo "Timed against the built-in set named, in the same rounds;"
echo "same answers first (0 differing rows each)."
echo
r=$(rounds "" "$SEVAL" "$S0EVAL" "$SAGG" "$S0AGG")
echo "| query | median ms | ratio |"
echo "|---|---:|---|"
echo "| \`cp_evaluate(D, '$BIG')\` | $(echo "$r" | col_median 1) | $BIG / 2017-07 **$(echo "$r" | ratio_stats 1 2)** (the target: at most 1.10) |"
echo "| \`cp_evaluate(D, '2017-07')\` | $(echo "$r" | col_median 2) | |"
echo "| the aggregate alone: \`cp_active_entitlements(..., '$BIG')\` grouped by partner | $(echo "$r" | col_median 3) | $BIG / 2017-07 **$(echo "$r" | ratio_stats 3 4)** |"
echo "| \`cp_active_entitlements(..., '2017-07')\` grouped by partner | $(echo "$r" | col_median 4) | |"
echo
q "DELETE FROM cp_rule_set WHERE rule_set = '$BIG'" >/dev/null

if [ "$QUICK" != 1 ]; then
	echo "### Levels over time (scale 1)"
	echo
	t_series=$(median_ms "SELECT count(*), sum(active_entitlements), count(level) FROM cp_evaluate_series('$D'::date - 730, '$D', '1 month')")
	points=$(q "SELECT count(DISTINCT as_of) FROM cp_evaluate_series('$D'::date - 730, '$D', '1 month')")
	echo "\`cp_evaluate_series(D - 2 years, D, '1 month')\`: $points points, $t_series ms ($(awk -v a="$t_series" -v n="$points" 'BEGIN {printf "%.0f", a / n}') ms a point)."
	echo
fi

echo "### Memory"
echo
# mem_row <label> <aggregate call on key t> <aggregate(argument types)>: a
# table row from the hash aggregation's peak memory over 100,000 groups of
# one key each, and over 100 groups of 1,000 keys each, less count(t)'s
mem_row() {
	local call=${2//\'/\'\'} m e1 e1000
	m=$(q "SET max_parallel_workers_per_gather = 0; SET work_mem = '1GB';
	       CREATE TEMP TABLE k AS SELECT g, md5(g::text)::uuid AS t FROM generate_series(1, 100000) g;
	       CREATE FUNCTION pg_temp.mem(sql text) RETURNS bigint LANGUAGE plpgsql AS \$f\$
	       DECLARE p json; BEGIN
	           EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || sql INTO p;
	           RETURN (p->0->'Plan'->>'Peak Memory Usage')::bigint * 1024;
	       END \$f\$;
	       SELECT pg_temp.mem('SELECT g, $call FROM k GROUP BY g')
	            - pg_temp.mem('SELECT g, count(t) FROM k GROUP BY g'),
	              pg_temp.mem('SELECT g % 100, $call FROM k GROUP BY 1')
	            - pg_temp.mem('SELECT g % 100, count(t) FROM k GROUP BY 1')" | tail -1)
	IFS='|' read -r e1 e1000 <<<"$m"
	echo "| $1 | $((e1 / 100000)) B | $(( (e1000 - 100 * e1 / 100000) / 100000 )) B | $(q "SELECT aggtransspace FROM pg_aggregate WHERE aggfnoid = '$3'::regprocedure") |"
}
echo "| aggregate | a state with one key | each further key (uuid; one measurement) | SSPACE |"
echo "|---|---:|---:|---:|"
ENT="cp_active_entitlements(t, 'EXO', 'E3', 1, false, current_date)"
QI="cp_qualified_individuals(t, 'MCSA: Office 365')"
# the forms without a rule set (the built-in rules)
ENT_ARGS="(anyelement, text, text, bigint, boolean, date)"
QI_ARGS="(anyelement, text)"
mem_row cp_active_entitlements "$ENT" "cp_active_entitlements$ENT_ARGS"
[ -n "$B" ] && mem_row "the baseline's cp_active_entitlements" "bench_base.$ENT" "bench_base.cp_active_entitlements$ENT_ARGS"
mem_row cp_qualified_individuals "$QI" "cp_qualified_individuals$QI_ARGS"
[ -n "$B" ] && mem_row "the baseline's cp_qualified_individuals" "bench_base.$QI" "bench_base.cp_qualified_individuals$QI_ARGS"
echo

# The aggregates as running windows over N rows (40 keys), where each row's
# value is the aggregate of the rows so far, next to array_agg (whose
# running window copies the array so far at every row) and to the same
# aggregates over the same rows without a window (one group).
# wsql <name> <N>: the query of a contender over N rows
wsql() {
	local s="" n=$2
	case $1 in *_base) s=bench_base. ;; esac
	case $1 in
	ent_w*) echo "SELECT max(e) FROM (SELECT ${s}cp_active_entitlements(i % 40, 'EXO', 'E' || (i % 3), 10, false, current_date) OVER (ORDER BY i) e FROM generate_series(1, $n) i) x" ;;
	qi_w*) echo "SELECT max(e) FROM (SELECT ${s}cp_qualified_individuals(i % 40, 'MCSA: Office 365') OVER (ORDER BY i) e FROM generate_series(1, $n) i) x" ;;
	arr_w) echo "SELECT max(cardinality(e)) FROM (SELECT array_agg(i) OVER (ORDER BY i) e FROM generate_series(1, $n) i) x" ;;
	ent*) echo "SELECT ${s}cp_active_entitlements(i % 40, 'EXO', 'E' || (i % 3), 10, false, current_date) FROM generate_series(1, $n) i" ;;
	qi*) echo "SELECT ${s}cp_qualified_individuals(i % 40, 'MCSA: Office 365') FROM generate_series(1, $n) i" ;;
	esac
}
WNAMES="ent_w ${B:+ent_w_base} qi_w ${B:+qi_w_base} arr_w ent ${B:+ent_base} qi ${B:+qi_base}"
# wrun <name> <N>: the contender over N rows in a session of its own, after
# the same query over 1,000 rows, under statement_timeout = WINDOW_TIMEOUT.
# Sets WMS (milliseconds, or "timeout") and WVAL (its answer).  A session
# of its own: a backend's first run of such a query at a new size takes a
# third longer than the next (its memory grows), so in one session the
# contender that runs first would be handicapped.
wrun() {
	local out code
	out=$({
		echo "SET statement_timeout = '${WINDOW_TIMEOUT}s';"
		echo "$(wsql "$1" 1000);"
		echo '\timing on'
		echo "$(wsql "$1" "$2");"
		echo '\if :ERROR'
		echo '\echo @! :SQLSTATE'
		echo '\endif'
	} | $PSQL -At -v ON_ERROR_STOP=0 2>"$NOOP_DIR/wrun.err")
	code=$(echo "$out" | sed -n 's/^@! //p')
	if [ "$code" = 57014 ]; then
		WMS=timeout; WVAL=""
	elif [ -n "$code" ]; then
		cat "$NOOP_DIR/wrun.err" >&2
		echo "running windows: $1 over $2 rows failed ($code)" >&2
		exit 1
	else
		WMS=$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
		WVAL=$(echo "$out" | sed -n 2p)
	fi
}
declare -A WT WV WREPS
# window_session <N>: up to 3 interleaved rounds over N rows (the order
# reversed in the second), each contender run WREPS[name] times (0: not at
# all).  Sets WT[name,N] (median ms, or "timeout") and WV[name,N] (its answer).
window_session() {
	local n=$1 name r names
	declare -A times=()
	for r in 1 2 3; do
		names=$WNAMES
		[ "$r" = 2 ] && names=$(echo $WNAMES | tr ' ' '\n' | tac | tr '\n' ' ')
		for name in $names; do
			[ "${WREPS[$name]}" -ge "$r" ] || continue
			wrun "$name" "$n"
			if [ "$WMS" = timeout ]; then
				WT[$name,$n]=timeout; WREPS[$name]=0
			else
				times[$name]="${times[$name]:-} $WMS"; WV[$name,$n]=$WVAL
			fi
		done
	done
	for name in $WNAMES; do
		if [ -n "${times[$name]:-}" ] && [ "${WT[$name,$n]:-}" != timeout ]; then
			WT[$name,$n]=$(echo ${times[$name]} | tr ' ' '\n' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
		fi
	done
}
# thousands <n>: n with thousands separated by commas
thousands() { echo "$1" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
# wrow <name> <label>: a row of the running windows' table
wrow() {
	local n t
	printf '| %s |' "$2"
	for n in $WINDOW_SIZES; do
		t=${WT[$1,$n]}
		[ "$t" = timeout ] && t="> $WINDOW_TIMEOUT s"
		printf ' %s |' "$t"
	done
	if [ "$first" = "$last" ]; then
		echo
	elif [ "${WT[$1,$first]}" = timeout ]; then
		printf ' |\n'
	elif [ "${WT[$1,$last]}" = timeout ]; then
		printf ' > %s |\n' "$(ratio $((WINDOW_TIMEOUT * 1000)) "${WT[$1,$first]}")"
	else
		printf ' %s |\n' "$(ratio "${WT[$1,$last]}" "${WT[$1,$first]}")"
	fi
}
# running_windows: the section.  A probe over 1,000 rows; then at each size
# a contender runs 3 times if its time at the size before, grown as the
# square of the rows, stays under a second, once if not, and not at all once
# it has timed out.
running_windows() {
	local name n ms prev wdiffer
	echo "### Running windows"
	echo
	for name in $WNAMES; do WREPS[$name]=1; done
	window_session 1000
	prev=1000
	for n in $WINDOW_SIZES; do
		for name in $WNAMES; do
			ms=${WT[$name,$prev]:-timeout}
			if [ "$ms" = timeout ]; then
				WREPS[$name]=0; WT[$name,$n]=timeout
			else
				WREPS[$name]=$(awk -v t="$ms" -v g="$n" -v p="$prev" 'BEGIN {print (t * (g / p) ^ 2 < 1000) ? 3 : 1}')
			fi
		done
		window_session "$n"
		prev=$n
	done
	wdiffer=""
	for n in $WINDOW_SIZES; do
		for name in ${B:+ent_w qi_w ent qi}; do
			if [ "${WT[$name,$n]}" != timeout ] && [ "${WT[${name}_base,$n]}" != timeout ] &&
				[ "${WV[$name,$n]}" != "${WV[${name}_base,$n]}" ]; then
				wdiffer="$wdiffer $name over $n rows: ${WV[$name,$n]} vs the baseline's ${WV[${name}_base,$n]};"
			fi
		done
	done
	first=${WINDOW_SIZES%% *}; last=${WINDOW_SIZES##* }
	echo "Milliseconds, median of 3 runs where a run takes under a second, else one run; each run in a session of its own"
	echo "after the same query over 1,000 rows; \`statement_timeout\` ${WINDOW_TIMEOUT} s."
	if [ "$first" != "$last" ]; then
		echo "A cost linear in the rows grows $(awk -v a="$last" -v b="$first" 'BEGIN {printf "%g", a / b}')x from $(thousands "$first") to $(thousands "$last") rows, a quadratic one $(awk -v a="$last" -v b="$first" 'BEGIN {printf "%g", (a / b) ^ 2}')x."
	fi
	echo
	printf '| over N rows of 40 keys |'
	for n in $WINDOW_SIZES; do printf ' %s |' "$(thousands "$n")"; done
	[ "$first" != "$last" ] && printf ' %s / %s |' "$(thousands "$last")" "$(thousands "$first")"
	printf '\n|---|'
	for n in $WINDOW_SIZES; do printf -- '---:|'; done
	[ "$first" != "$last" ] && printf -- '---:|'
	echo
	wrow ent_w "\`cp_active_entitlements(i % 40, 'EXO', 'E' \|\| (i % 3), 10, false, current_date) OVER (ORDER BY i)\`"
	if [ -n "$B" ]; then wrow ent_w_base "the same, the baseline's"; fi
	wrow qi_w "\`cp_qualified_individuals(i % 40, 'MCSA: Office 365') OVER (ORDER BY i)\`"
	if [ -n "$B" ]; then wrow qi_w_base "the same, the baseline's"; fi
	wrow arr_w "\`array_agg(i) OVER (ORDER BY i)\` (\`max(cardinality(...))\`)"
	wrow ent "\`cp_active_entitlements(...)\` over the same rows, no window"
	if [ -n "$B" ]; then wrow ent_base "the same, the baseline's"; fi
	wrow qi "\`cp_qualified_individuals(...)\` over the same rows, no window"
	if [ -n "$B" ]; then wrow qi_base "the same, the baseline's"; fi
	echo
	if [ -n "$wdiffer" ]; then
		echo "ANSWERS DIFFER in the running windows:$wdiffer" >&2
		exit 1
	fi
	if [ -n "$B" ]; then
		echo "The baseline's answers are the current ones wherever both finished."
		echo
	fi
}
if [ -n "$WINDOW_SIZES" ]; then
	running_windows
fi

if [ "$QUICK" != 1 ]; then
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
	schanges=$(q "SELECT count(*) FROM cp_status_change")
	echo "Loading $load_rows usage rows in one \`INSERT ... SELECT\` (median of $LOAD_RUNS): $t_on ms with flagging,"
	echo "$t_off ms with \`ALTER TABLE cp_usage DISABLE TRIGGER USER\`: **$(ratio "$t_on" "$t_off")x**. ($changes level changes and"
	echo "$schanges status changes flagged over the runs, with $(q "SELECT count(*) FROM cp_membership") memberships held.)"
	echo
	q "DROP TABLE bench.load" >/dev/null
fi

if [ "$QUICK" != 1 ]; then
	echo "### Growth"
	echo
	printf '| scale | usage rows | cp_evaluate ms | floor ms | plain SQL ms | cp_evaluate / floor | cp_evaluate / scale 1 | floor / scale 1 |'
	[ -n "$B" ] && printf ' baseline ms | current / baseline |'
	echo " with work_mem = '$W': cp_evaluate ms | floor ms | cp_evaluate / floor |"
	printf '|---:|---:|---:|---:|---:|---:|---:|---:|'
	[ -n "$B" ] && printf -- '---:|---:|'
	echo '---:|---:|---:|'
	base=""; basef=""
	for s in $SCALES; do
		[ "$s" != 1 ] && generate "$s"
		r=$(rounds "" "$EVAL" ${B:+"$BEVAL"} "$FLOOR" "$PLAIN")
		rw=$(rounds "work_mem = '$W'" "$EVAL" "$FLOOR")
		te=$(echo "$r" | col_median 1); tf=$(echo "$r" | col_median "$c2"); tp=$(echo "$r" | col_median "$c3")
		[ -z "$base" ] && base=$te && basef=$tf
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$s" "$(q 'SELECT count(*) FROM cp_usage')" "$te" "$tf" "$tp" \
			"$(echo "$r" | ratio_stats 1 "$c2")" "$(ratio "$te" "$base")" "$(ratio "$tf" "$basef")"
		[ -n "$B" ] && printf ' %s | %s |' "$(echo "$r" | col_median 2)" "$(echo "$r" | ratio_stats 1 2)"
		echo " $(echo "$rw" | col_median 1) | $(echo "$rw" | col_median 2) | $(echo "$rw" | ratio_stats 1 2) |"
	done
	echo
fi
