#!/bin/sh
# make bench: test/bench/bench.sh on a throwaway cluster.  The report goes to
# stdout and to test/bench/last-run.md.  Options (QUICK, BASELINE, ...) pass
# through the environment: see test/bench/README.md.
# a baseline or previous directory named relative to the caller's directory
if [ -n "${BASELINE:-}" ] && [ -d "$BASELINE/src" ]; then
	BASELINE=$(cd "$BASELINE" && pwd)
	export BASELINE
fi
if [ -n "${PREVIOUS:-}" ] && [ -d "$PREVIOUS/src" ]; then
	PREVIOUS=$(cd "$PREVIOUS" && pwd)
	export PREVIOUS
fi
cd "$(dirname "$0")/../.."
out=$(mktemp)
pg_virtualenv -t -v 15 -o shared_buffers=2GB -o max_wal_size=8GB \
	bash test/bench/bench.sh >"$out" 2>&1
rc=$?
grep -v " UTC \[[0-9]*\] \|^Creating new PostgreSQL cluster\|^Dropping cluster" "$out" | tee test/bench/last-run.md
rm -f "$out"
exit $rc
