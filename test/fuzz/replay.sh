#!/bin/bash
# The serialized-state readers of competency's aggregates, inside a real
# server: against the cluster PGHOST/PGPORT/PGUSER/PGDATABASE point at
# (superuser; the competency extension installed there).
#
#   replay.sh                 every case of cases.sql, one test each; prints
#                             one line per failing case, then exactly
#                             "replay: N passed, M failed"
#   replay.sh --fuzz          mutations of the cases' inputs for FUZZ_TIME
#                             seconds (default 60), deterministic given
#                             FUZZ_SEED (default 1); failing inputs saved in
#                             FUZZ_WORK (default test/fuzz/work);
#                             FUZZ_EXPECTED=22P03,... replaces the SQLSTATEs
#                             a rejection may end with
#   replay.sh FILE.b64...     judge inputs the fuzzer saved
#
# REPLAY_VERBOSE=1: the replay also prints what each case ends with (the
# error's message and detail, or the final).
# Builds test/fuzz/replay.c into a temporary directory the server can read
# (PG_CONFIG, CC), creates the schema "replay" (replay.sql, cases.sql) and
# two draft rule sets (replay-wide, replay-incomplete), and drops them at
# the end (REPLAY_KEEP=1 keeps them and the library).  The server
# reads nothing from the checkout: psql hands it every file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_WORK=${FUZZ_WORK:-$here/work}
FUZZ_EXPECTED=${FUZZ_EXPECTED:-}
export PGCLIENTENCODING=UTF8
export PGOPTIONS="-c client_min_messages=error"   # (a key type's input may warn)
PSQL="psql -X -q -At -v ON_ERROR_STOP=1"

mode=replay
if [ "${1:-}" = --fuzz ]; then
	mode=fuzz
	shift
elif [ $# -gt 0 ]; then
	mode=files
fi

# --- the test library, where the server can read it ---
lib_dir=$(mktemp -d /tmp/competency-replay.XXXXXX)
chmod 755 "$lib_dir"
cleanup() {
	if [ "${REPLAY_KEEP:-0}" != 1 ]; then
		$PSQL -c 'DROP SCHEMA IF EXISTS replay CASCADE' >/dev/null 2>&1 || true
		# the drafts cases.sql made (replay-wide, replay-incomplete)
		[ -n "${ext:-}" ] && $PSQL -c "DELETE FROM $ext.cp_rule_set WHERE rule_set IN ('replay-wide', 'replay-incomplete')" >/dev/null 2>&1
		rm -rf "$lib_dir"
	fi
}
trap cleanup EXIT
${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror -I "$("$PG_CONFIG" --includedir-server)" \
	-o "$lib_dir/replay.so" "$here/replay.c"
chmod 644 "$lib_dir/replay.so"

# waits up to a minute for the server to take connections again
wait_server() {
	local _
	for _ in $(seq 1 60); do
		$PSQL -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "replay: the server does not come back" >&2
	exit 1
}

# --- the helpers and the cases ---
$PSQL -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS competency'
ext=$($PSQL -c "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'competency'")
$PSQL -v lib="$lib_dir/replay.so" -v ext="$ext" -f "$here/replay.sql" >/dev/null
$PSQL -v ext="$ext" -f "$here/cases.sql" >/dev/null

# The server log, if the server keeps one where pg_current_logfile finds
# it: its size now, and later the lines since that show a crashed process.
logfile=$($PSQL -c 'SELECT pg_current_logfile()' 2>/dev/null || true)
logsize=0
[ -n "$logfile" ] && logsize=$($PSQL -c "SELECT (pg_stat_file('$logfile')).size")
crash_lines() {
	[ -n "$logfile" ] || return 0
	$PSQL -c "SELECT l FROM regexp_split_to_table(pg_read_file('$logfile', $logsize,
	              (pg_stat_file('$logfile')).size - $logsize), E'\n') l
	          WHERE l ~ 'terminated by signal|terminated by exception|was terminated'" 2>/dev/null || true
}

# --- replay: each case one test ---
if [ "$mode" = replay ]; then
	out=$(mktemp)
	passed=0
	failed=0
	if ! $PSQL -F ' ' -c "SELECT name, coalesce(replay.check(c), '') FROM replay.cases c ORDER BY name" >"$out" 2>&1; then
		# the server went away: case by case, so that each counts on its own
		echo "replay: the connection broke ($(tail -1 "$out")); replaying case by case"
		wait_server
		: >"$out"
		for name in $($PSQL -c 'SELECT name FROM replay.cases ORDER BY name'); do
			if ! r=$($PSQL -c "SELECT coalesce(replay.check(c), '') FROM replay.cases c WHERE name = '$name'" 2>&1); then
				r="the server crashed or the connection broke: $(echo "$r" | tail -1)"
				wait_server
			fi
			echo "$name $r" >>"$out"
		done
	fi
	if [ "${REPLAY_VERBOSE:-0}" = 1 ]; then
		$PSQL -F ' ' -c "SELECT name, coalesce(replay.outcome(agg, inputs), 'not built: ' || build_error)
		                 FROM replay.cases ORDER BY name"
	fi
	while read -r name problem; do
		if [ -z "$problem" ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL $name: $problem"
		fi
	done <"$out"
	rm -f "$out"
	crashes=$(crash_lines)
	if [ -n "$crashes" ]; then
		echo "FAIL server log: $crashes"
		failed=$((failed + 1))
	fi
	echo "replay: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

# --- judging saved inputs: FILE.b64 holds one base64 line; its name starts
# with the aggregate (ent-... or ind-...) ---
if [ "$mode" = files ]; then
	bad=0
	for f in "$@"; do
		agg=$(basename "$f" | cut -c1-3)
		case $agg in ent|ind) ;; *) echo "$f: the name must start with ent- or ind-" >&2; exit 2;; esac
		if ! r=$($PSQL -F ' ' -v b64="$(tr -d '\n' <"$f")" -v agg="$agg" -v expected="$FUZZ_EXPECTED" 2>&1 <<-'EOF'
			SET replay.expected = :'expected';
			SELECT j.verdict, j.detail,
			       CASE WHEN j.verdict = 'broken' OR (j.verdict = 'rejected' AND NOT j.detail = ANY (replay.expected_sqlstates()))
			            THEN 'FAILS' ELSE 'passes' END
			FROM replay.judge(:'agg', decode(:'b64', 'base64')) j;
			EOF
		); then
			r="crash or lost connection: $(echo "$r" | tail -1)"
			wait_server
		fi
		echo "$f: $r"
		case $r in *passes) ;; *) bad=$((bad + 1));; esac
	done
	[ "$bad" -eq 0 ]
	exit
fi

# --- fuzzing ---
mkdir -p "$FUZZ_WORK"
nseeds=$($PSQL -c 'SELECT replay.make_seeds()')
log=$FUZZ_WORK/last-run.log
: >"$log"
echo "fuzz: seed $FUZZ_SEED, $FUZZ_TIME s, $nseeds seeds; failing inputs go to $FUZZ_WORK (log: $log)"
declare -A seen=()
failures=0
distinct=0
saved=0
crashes=0
accepted=0
rejected=0
i=0
batch=50
start=$(date +%s)
deadline=$((start + FUZZ_TIME))

# save <i> <agg> <how> <problem> <kind>: logged; the first 3 inputs of each
# kind of problem are kept as <agg>-<seed>-<i>.b64, their bytes made again
# by replay.mutant
save() {
	local key=${5:-?}
	failures=$((failures + 1))
	if [ -z "${seen[$key]:-}" ]; then
		seen[$key]=0
		distinct=$((distinct + 1))
		echo "fuzz: FAIL input $1 ($3): $4"
	fi
	seen[$key]=$((seen[$key] + 1))
	echo "input $1 $2 ($3): $4" >>"$log"
	if [ "$2" != batch ] && [ "${seen[$key]}" -le 3 ]; then
		wait_server
		$PSQL -c "SELECT translate(encode(x, 'base64'), E'\n', '') FROM replay.mutant($FUZZ_SEED, $1)" \
			>"$FUZZ_WORK/$2-$FUZZ_SEED-$1.b64"
		saved=$((saved + 1))
	fi
}

# one_batch <first> <n>: runs the inputs, reads the failures and the tally
one_batch() {
	local out rc
	out=$($PSQL -F '|' -c "SET statement_timeout = '60s'" -c "SET replay.expected = '$FUZZ_EXPECTED'" \
		-c "SELECT tag, agg, how, problem, kind FROM replay.fuzz($FUZZ_SEED, $1, $2)" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -ne 0 ]; then
		last_error=$(echo "$out" | grep -v '^CONTEXT:\|^[[:space:]]' | tail -1)
		# an ERROR that is not a timeout is a bug of the fuzzer itself
		case $out in
		*"ERROR: "*) case $out in *"statement timeout"*) ;; *)
			echo "fuzz: the fuzzer failed: $out" >&2; exit 2;; esac;;
		esac
		return 1
	fi
	while IFS='|' read -r a b c d e; do
		if [ "$a" = tally ]; then
			accepted=$((accepted + b)); rejected=$((rejected + c))
		elif [ -n "$a" ]; then
			save "$a" "$b" "$c" "$d" "$e"
		fi
	done <<<"$out"
	return 0
}

# bisect <first> <n>: inputs that broke the session (a crash, a hang past
# statement_timeout, a lost connection), found by halves, each half in a
# session of its own
bisect() {
	local half r a b
	if [ "$2" -eq 1 ]; then
		if one_batch "$1" 1; then
			save "$1" batch "input $1" "the session broke, but not with this input alone: $last_error" "not alone"
			return
		fi
		crashes=$((crashes + 1))
		wait_server
		r=$($PSQL -F '|' -c "SELECT agg, how FROM replay.mutant($FUZZ_SEED, $1)")
		IFS='|' read -r a b <<<"$r"
		save "$1" "$a" "$b" "the session broke: $last_error" "$last_error"
		return
	fi
	half=$(($2 / 2))
	if ! one_batch "$1" "$half"; then
		wait_server
		bisect "$1" "$half"
	fi
	if ! one_batch $(($1 + half)) $(($2 - half)); then
		wait_server
		bisect $(($1 + half)) $(($2 - half))
	fi
}

while [ "$(date +%s)" -lt "$deadline" ]; do
	t0=$(date +%s%N)
	if ! one_batch "$i" "$batch"; then
		echo "fuzz: inputs $i..$((i + batch - 1)) broke the session ($last_error); looking for the input"
		wait_server
		bisect "$i" "$batch"
	fi
	i=$((i + batch))
	# batches of about two seconds
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$ms" -lt 1000 ] && [ "$batch" -lt 5000 ]; then
		batch=$((batch * 2))
	elif [ "$ms" -gt 4000 ] && [ "$batch" -gt 1 ]; then
		batch=$((batch / 2))
	fi
done
elapsed=$(($(date +%s) - start))
crashlog=$(crash_lines)
if [ -n "$crashlog" ]; then
	echo "fuzz: FAIL the server log shows crashed processes:"
	echo "$crashlog"
	failures=$((failures + 1))
fi
echo "fuzz: $i inputs in $elapsed s ($((i / (elapsed > 0 ? elapsed : 1))) inputs/s): $accepted accepted, $rejected rejected;" \
	"$failures failing ($distinct kinds, $crashes crashes or hangs), $saved saved in $FUZZ_WORK"
[ "$failures" -eq 0 ]
