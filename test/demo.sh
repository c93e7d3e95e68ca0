#!/bin/sh
# make demo: a throwaway cluster with the sample data, then every level.
cd "$(dirname "$0")/.."
out=$(mktemp)
pg_virtualenv -t -v 15 sh -c 'psql -X -q -f test/demo.sql' >"$out" 2>&1
rc=$?
grep -v " UTC \[[0-9]*\] " "$out"
rm -f "$out"
exit $rc
