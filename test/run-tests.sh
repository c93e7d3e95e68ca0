#!/bin/sh
# Runs every suite of competency against throwaway clusters, never a running
# one: pg_regress (and isolation tests) on a pg_virtualenv cluster, the
# replay of the serialized-state cases, then the TAP tests, whose
# PostgreSQL::Test::Cluster nodes need a user initdb accepts.
# Ends with one line "N passed, N failed" (also written to $SUMMARY_FILE).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
work=$(mktemp -d /tmp/competency-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
passed=0
failed=0

count() {	# count <file> <regex>
	grep -cE "$2" "$1" 2>/dev/null || true
}

# pg_regress and isolation: one line per test, "... ok" or "... FAILED"
pg_virtualenv -t -v 15 make -s installcheck >"$work/regress.out" 2>&1
rc=$?
p=$(count "$work/regress.out" '\.\.\. ok')
f=$(count "$work/regress.out" '\.\.\. (FAILED|failed)')
grep -v " UTC \[[0-9]*\] " "$work/regress.out"
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
for d in regression.diffs output_iso/regression.diffs; do
	[ -s "$d" ] && head -200 "$d"
done
echo "pg_regress: $p passed, $f failed"
passed=$((passed + p)); failed=$((failed + f))

# The serialized-state readers of the aggregates, inside a real server:
# one test per case of test/fuzz/cases.sql (test/fuzz/replay.sh), on a
# pg_virtualenv cluster whose log the replay reads for crashed processes.
pg_virtualenv -t -v 15 -o logging_collector=on bash test/fuzz/replay.sh >"$work/fuzz.out" 2>&1
rc=$?
grep -E "^FAIL|^replay: [^0-9]" "$work/fuzz.out" | head -40
line=$(grep -E "^replay: [0-9]+ passed, [0-9]+ failed$" "$work/fuzz.out" | tail -1)
p=$(echo "$line" | sed -n 's/^replay: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
[ -z "$p" ] && p=0
[ -z "$f" ] && f=0
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; grep -v " UTC \[[0-9]*\] " "$work/fuzz.out" | tail -20; fi
echo "fuzz-replay: $p passed, $f failed"
passed=$((passed + p)); failed=$((failed + f))

# TAP: each ok / not ok line is a test; a script that dies counts as failed
if [ "$(id -u)" -eq 0 ]; then
	mkdir "$work/tree"
	tar --exclude=.git --exclude=tmp_check --exclude=results --exclude=test/fuzz/work -cf - . | tar -C "$work/tree" -xf -
	chown -R postgres "$work/tree"
	runuser -u postgres -- make -C "$work/tree" -s tap PROVE_FLAGS=-v >"$work/tap.out" 2>&1
	rc=$?
	tapdir="$work/tree"
else
	make -s tap PROVE_FLAGS=-v >"$work/tap.out" 2>&1
	rc=$?
	tapdir="$top"
fi
cat "$work/tap.out"
p=$(count "$work/tap.out" '^[[:space:]]*ok [0-9]')
f=$(count "$work/tap.out" '^[[:space:]]*not ok [0-9]')
d=$(count "$work/tap.out" 'Dubious|No plan found|Bad plan|Parse errors')
f=$((f + d))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
if [ "$f" -ne 0 ]; then
	# The failing scripts only (prove's summary names them): their nodes'
	# server logs, then the end of each script's own log, which holds the
	# message of a script that died, last, next to the summary line.
	bad=$(sed -n 's|^\(test/t/[^ ]*\)\.pl  *(Wstat:.*|\1|p' "$work/tap.out" | sort -u)
	[ -z "$bad" ] && bad=$(ls "$tapdir"/test/t/*.pl | sed 's|.*/\(test/t/[^/]*\)\.pl$|\1|')
	for t in $bad; do
		n=$(basename "$t")
		for l in "$tapdir"/tmp_check/log/"$n"_*.log; do
			[ -f "$l" ] && { echo "=== $l"; tail -30 "$l"; }
		done
	done
	for t in $bad; do
		l="$tapdir/tmp_check/log/regress_log_$(basename "$t")"
		[ -f "$l" ] && { echo "=== $l"; tail -25 "$l"; }
	done
fi
echo "TAP: $p passed, $f failed"
passed=$((passed + p)); failed=$((failed + f))

summary="$passed passed, $failed failed"
[ -n "${SUMMARY_FILE:-}" ] && echo "$summary" >"$SUMMARY_FILE"
echo "$summary"
[ "$failed" -eq 0 ]
