#!/bin/sh
# make demo: the sample data on a throwaway cluster, then every level.
# KEEP=1: on a cluster that stays, 15/competency_demo (pg_createcluster, as
# root; it belongs to postgres), in its database competency_demo; at the end
# it says how to connect and how to drop it.  The sample files are copied
# where the postgres user can read them (a clone may sit in a 0700 home).
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/test"
cp test/demo.sql test/*.csv "$work/test/"
chmod -R a+rX "$work"
out="$work/out"

if [ "${KEEP:-}" != 1 ]; then
	(cd "$work" && pg_virtualenv -t -v 15 sh -c 'psql -X -q -f test/demo.sql') >"$out" 2>&1
	rc=$?
	grep -v " UTC \[[0-9]*\] " "$out"
	exit $rc
fi

cluster=competency_demo
if ! pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "15/$cluster"; then
	pg_createcluster 15 "$cluster" --start >/dev/null || exit 1
else
	pg_ctlcluster 15 "$cluster" start 2>/dev/null
fi
port=$(pg_lsclusters -h | awk -v c="$cluster" '$1 == 15 && $2 == c {print $3}')
as_postgres() { (cd "$work" && runuser -u postgres -- "$@"); }
if as_postgres psql -X -q -p "$port" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$cluster'" | grep -q 1; then
	echo "The database $cluster in cluster 15/$cluster exists: drop it (or the cluster, below) for a fresh demo." >&2
	exit 1
fi
as_postgres createdb -p "$port" "$cluster" || exit 1
as_postgres psql -X -q -p "$port" -d "$cluster" -f test/demo.sql
rc=$?
cat <<EOF

The demo cluster stays: 15/$cluster, port $port, database $cluster.
  connect (as root):  su postgres -c "psql -p $port -d $cluster"
  load the demo into a database of your own instead:  psql -d mydb -f test/demo.sql
  drop it (as root):  pg_dropcluster --stop 15 $cluster
EOF
exit $rc
