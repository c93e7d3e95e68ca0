#!/bin/bash
# Runs the pg_regress and isolation suites, and the replay of the aggregates'
# serialized-state cases (test/fuzz/replay.sh), against a throwaway
# PostgreSQL server started under valgrind memcheck, then scans the
# per-process logs.
#
# Exits non-zero when a reported error involves the extension (a frame of
# competency.so or of one of its source files, in the error's own stack or in
# the stack that allocated / created the memory), or when a server process
# died without valgrind's summary (a crash), or when a regression or
# isolation test or a replayed case fails; VALGRIND_ALLOW_DIFFS=1 only
# reports test failures
# (should a timing-dependent output ever differ: statements run 10-50x slower).
# VALGRIND_STRICT=1 also fails on unsuppressed errors that name no frame of
# the extension (none are expected with postgres.supp).
#
# Never touches an existing cluster: initdb into a fresh temp dir (as the
# postgres user when run as root), a free port, a socket dir of its own.
# Environment: PG_CONFIG, MAKE, VALGRIND_KEEP=1 (keep the data directory),
# VALGRIND_EXTRA (more valgrind options, e.g. --gen-suppressions=all),
# VALGRIND_SUPP (another suppressions file, or "none" to see every report),
# VALGRIND_SCHEDULE=regress|isolation|replay|all (default all).
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
here=$top/test/valgrind
PG_CONFIG=${PG_CONFIG:-pg_config}
MAKE=${MAKE:-make}
schedule=${VALGRIND_SCHEDULE:-all}
started=$(date +%s)

bindir=$("$PG_CONFIG" --bindir) || { echo "valgrind: $PG_CONFIG not found" >&2; exit 1; }
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
pkglibdir=$("$PG_CONFIG" --pkglibdir)

# --- what this needs beyond `make deps`: valgrind and the server itself ---
missing=""
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
if [ ! -x "$bindir/postgres" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	missing="$missing postgresql-$major"
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "make valgrind needs these packages:$missing" >&2
		echo "Install them as root with:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	echo "Installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ echo "valgrind: apt-get install$missing failed" >&2; exit 1; }
fi
if [ ! -f "$pkglibdir/competency.so" ]; then
	echo "valgrind: $pkglibdir/competency.so is not installed (make install)" >&2
	exit 1
fi

# --- a throwaway cluster ---
work=$(mktemp -d /tmp/competency-valgrind.XXXXXX)
chmod 755 "$work"
logs=$work/logs
sock=$work/sock
data=$work/data
mkdir "$logs" "$sock"
if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$work"
	as_pg() { runuser -u postgres -- "$@"; }
	superuser=postgres
else
	as_pg() { "$@"; }
	superuser=$(id -un)
fi

port_in_use() {	# a TCP listener on the port, or somebody's socket lock in /tmp
	local hex
	hex=$(printf '%04X' "$1")
	[ -e "/tmp/.s.PGSQL.$1" ] && return 0
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v h=":$hex" '$2 ~ h"$" && $4 == "0A" { found = 1 } END { exit !found }'
}
port=""
for _ in $(seq 1 200); do
	p=$((20000 + (RANDOM * 32768 + RANDOM + $$) % 40000))
	if ! port_in_use "$p"; then port=$p; break; fi
done
[ -n "$port" ] || { echo "valgrind: no free port found" >&2; exit 1; }

locale=C
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && locale=C.UTF-8
echo "valgrind: cluster in $work (port $port, socket dir $sock)"
if ! as_pg "$bindir/initdb" -D "$data" -U "$superuser" -A trust -E UTF8 \
	--locale="$locale" --no-sync >"$work/initdb.log" 2>&1; then
	cat "$work/initdb.log" >&2
	echo "valgrind: initdb failed" >&2
	exit 1
fi
cat >>"$data/postgresql.conf" <<EOF

# make valgrind
port = $port
listen_addresses = ''
unix_socket_directories = '$sock'
jit = off
fsync = off
full_page_writes = off
autovacuum = off
max_parallel_workers_per_gather = 2
max_parallel_workers = 8
max_worker_processes = 8
log_line_prefix = '%m [%p] %q%a '
log_min_messages = warning
EOF

# --- the server under valgrind ---
supp=${VALGRIND_SUPP:-$here/postgres.supp}
# -s: each log ends with the suppressions it used (counted by scan.awk)
vgopts=(--tool=memcheck --trace-children=yes --track-origins=yes
	--read-var-info=yes --error-limit=no --num-callers=30 -s
	"--log-file=$logs/valgrind.%p.log")
[ "$supp" != none ] && vgopts+=("--suppressions=$supp")
# shellcheck disable=SC2206
extra=(${VALGRIND_EXTRA:-})
as_pg valgrind "${vgopts[@]}" "${extra[@]}" "$bindir/postgres" -D "$data" \
	>"$work/postgres.log" 2>&1 &
vgjob=$!

stop_server() {	# $1: fast or immediate
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$bindir/pg_ctl" -D "$data" -m "$1" -t 900 -w stop >>"$work/pg_ctl.log" 2>&1
	fi
	wait "$vgjob" 2>/dev/null
}
cleanup() {
	stop_server immediate
	if [ "${VALGRIND_KEEP:-0}" != 1 ]; then rm -rf "$data"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ready=0
for _ in $(seq 1 600); do
	if "$bindir/pg_isready" -q -h "$sock" -p "$port" -U "$superuser" -d postgres; then
		ready=1; break
	fi
	kill -0 "$vgjob" 2>/dev/null || break
	sleep 1
done
if [ "$ready" -ne 1 ]; then
	echo "valgrind: the server did not start; its log:" >&2
	cat "$work/postgres.log" >&2
	exit 1
fi
echo "valgrind: server up after $(( $(date +%s) - started ))s"

# --- the suites ---
export PGHOST=$sock PGPORT=$port PGUSER=$superuser PGDATABASE=postgres
# isolationtester gives up on a step after 2 * PGISOLATIONTIMEOUT seconds
export PGISOLATIONTIMEOUT=1800
unset PGSERVICE PGPASSWORD PGOPTIONS
# outputs under $work, not in the tree (which other runs may be using)
rrc=0
irc=0
prc=0
if [ "$schedule" = all ] || [ "$schedule" = regress ]; then
	t0=$(date +%s)
	"$MAKE" -s installcheck ISOLATION= EXTRA_REGRESS_OPTS="--outputdir=$work/regress" \
		>"$work/regress.out" 2>&1
	rrc=$?
	echo "valgrind: pg_regress finished in $(( $(date +%s) - t0 ))s (exit $rrc)"
	grep -E '^(ok|not ok|test |     |#)|\.\.\. ' "$work/regress.out" | grep -v " UTC \[[0-9]*\] "
fi
if [ "$schedule" = all ] || [ "$schedule" = isolation ]; then
	t0=$(date +%s)
	"$MAKE" -s installcheck REGRESS= EXTRA_REGRESS_OPTS="--outputdir=$work/isolation" \
		>"$work/isolation.out" 2>&1
	irc=$?
	echo "valgrind: isolation finished in $(( $(date +%s) - t0 ))s (exit $irc)"
	grep -E '^(ok|not ok|test |     |#)|\.\.\. ' "$work/isolation.out" | grep -v " UTC \[[0-9]*\] "
fi
if [ "$schedule" = all ] || [ "$schedule" = replay ]; then
	t0=$(date +%s)
	PG_CONFIG="$PG_CONFIG" bash test/fuzz/replay.sh >"$work/replay.out" 2>&1
	prc=$?
	echo "valgrind: state replay finished in $(( $(date +%s) - t0 ))s (exit $prc)"
	grep -E '^(FAIL|replay:)' "$work/replay.out"
fi

# --- stop cleanly, so that every process writes its error summary ---
t0=$(date +%s)
stop_server fast
trap - EXIT
if [ "${VALGRIND_KEEP:-0}" != 1 ]; then rm -rf "$data"; fi
echo "valgrind: server stopped in $(( $(date +%s) - t0 ))s"

tests_failed=0
for f in "$work/regress.out" "$work/isolation.out" "$work/replay.out"; do
	[ -f "$f" ] || continue
	n=$(grep -cE '^not ok|\.\.\. (FAILED|failed)|^FAIL ' "$f")
	tests_failed=$((tests_failed + n))
done
if [ "$tests_failed" -eq 0 ] && { [ "$rrc" -ne 0 ] || [ "$irc" -ne 0 ] || [ "$prc" -ne 0 ]; }; then
	tests_failed=1
	tail -30 "$work/regress.out" "$work/isolation.out" "$work/replay.out" 2>/dev/null
fi
for d in "$work/regress/regression.diffs" "$work/isolation/regression.diffs"; do
	if [ -s "$d" ]; then
		echo "valgrind: differences ($d):"
		head -150 "$d"
	fi
done

# --- the logs ---
# Frames of the extension: its object, or any of its source files.
srcs=$(cd src && ls ./*.c ./*.h 2>/dev/null | sed 's|^\./||; s/\./\\./' | paste -sd'|')
ours="competency\\.so|[( ](${srcs}):[0-9]+|: (cp_[a-z0-9_]+|[Kk]eytype[A-Za-z_]*|tenanthash_[a-z_]+|skuhash_[a-z_]+|personhash_[a-z_]+|arena_(init|alloc)|InternSku|AddMeasurement|LookupSpelling|MergeStates|FoldSpelling|state_get[a-z0-9]*) "
OURS=$ours awk -v report="$work/ours.txt" -v others="$work/others.txt" -f "$here/scan.awk" \
	"$logs"/valgrind.*.log >"$work/scan.txt"
grep -vE '^(summary|logs)( |$)' "$work/scan.txt"
read -r _ nproc nours nother nsupp nnosum nours_origin <<<"$(grep '^summary ' "$work/scan.txt")"

if [ -s "$work/others.txt" ]; then
	# an uninitialised value the extension returned is reported where the
	# server first uses it, with the origin at the malloc of a memory
	# context's block: such a report names no frame of ours, so read these
	echo "valgrind: unsuppressed errors naming no frame of the extension; they may still carry"
	echo "valgrind: its data (first 60 lines of $work/others.txt):"
	head -60 "$work/others.txt"
fi
if [ -s "$work/ours.txt" ]; then
	echo "valgrind: ERRORS INVOLVING THE EXTENSION (first 300 lines of $work/ours.txt):"
	head -300 "$work/ours.txt"
fi
errlogs=$(grep '^logs ' "$work/scan.txt" | cut -d' ' -f2-)
if [ -n "$errlogs" ]; then
	echo "valgrind: logs with errors:"
	for l in $errlogs; do echo "  $l"; done
fi
echo "valgrind: all logs in $logs; server log $work/postgres.log; took $(( $(date +%s) - started ))s"
echo "valgrind: details: $nours_origin of the $nours extension errors only in an allocation/origin stack;" \
	"$nsupp suppressed, $nother unsuppressed not ours; $nnosum processes without an error summary;" \
	"regression: $tests_failed failed"
echo "valgrind: $nproc processes, $nours errors in competency.so, $((nother + nsupp)) errors elsewhere (suppressed or not ours)"

rc=0
[ "$nours" -ne 0 ] && rc=1
[ "$nnosum" -ne 0 ] && rc=1
[ "${VALGRIND_ALLOW_DIFFS:-0}" != 1 ] && [ "$tests_failed" -ne 0 ] && rc=1
[ "${VALGRIND_STRICT:-0}" = 1 ] && [ "$nother" -ne 0 ] && rc=1
exit "$rc"
