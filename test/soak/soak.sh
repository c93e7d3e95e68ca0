#!/bin/bash
# make soak: 16 concurrent clients for $SOAK_SECONDS (default 180) mixing
# usage loads and deletes, people and credential changes, REPEATABLE READ
# writers, evaluations, explanations and refreshes.  Then: no error but
# clean serialization failures (retried), the invariants of flagging,
# and the backends' memory (their memory contexts, logged by
# pg_log_backend_memory_contexts early and late in the run) stays flat.
# Runs against the cluster in PG* (make soak starts one with pg_virtualenv).
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TOTAL=${SOAK_SECONDS:-180}
CLIENTS=${SOAK_CLIENTS:-16}
PSQL="psql -X -q -At -v ON_ERROR_STOP=1"
work=$(mktemp -d)

$PSQL <<'SQL'
CREATE EXTENSION IF NOT EXISTS competency;
TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
         cp_partner_level, cp_level_change RESTART IDENTITY CASCADE;
INSERT INTO cp_partner SELECT p, 'p' || p, (ARRAY['developed', 'developing']::cp_market[])[1 + p % 2]
FROM generate_series(1, 60) p;
INSERT INTO cp_association SELECT 1 + t % 60, md5('t' || t)::uuid, 'delegated_admin', current_date - 90, NULL
FROM generate_series(1, 3000) t;
INSERT INTO cp_association SELECT 1 + (t * 7) % 60, md5('t' || t)::uuid, 'transacting_partner', current_date - 90, NULL
FROM generate_series(1, 3000, 4) t;
INSERT INTO cp_person SELECT n, 1 + n % 60, 'n' || n FROM generate_series(1, 240) n;
INSERT INTO cp_credential SELECT n, 'MCSA: Office 365', current_date - 30, NULL FROM generate_series(1, 240, 3) n;
INSERT INTO cp_usage SELECT md5('t' || t)::uuid, 'EXO', 'E3', false, 20 + t % 30, current_date - t % 20
FROM generate_series(1, 3000) t;
SQL

cat >"$work/load.sql" <<'SQL'
\set t random(1, 3000)
\set n random(1, 60)
INSERT INTO cp_usage SELECT md5('t' || (:t + g) % 3000)::uuid, (ARRAY['EXO', 'SPO', 'Yammer', 'Teams'])[1 + g % 4], 'E' || g % 3, g % 17 = 0, :n + g, current_date - g % 25 FROM generate_series(1, 40) g;
SQL
cat >"$work/delete.sql" <<'SQL'
\set t random(1, 3000)
DELETE FROM cp_usage WHERE tenant_id = md5('t' || :t)::uuid AND measured_on < current_date - 5;
SQL
cat >"$work/people.sql" <<'SQL'
\set n random(1, 240)
\set p random(1, 60)
\set op random(1, 3)
\if :op = 1
UPDATE cp_person SET partner_id = :p WHERE person_id = :n;
\elif :op = 2
INSERT INTO cp_credential VALUES (:n, (ARRAY['70-346', '70-347', 'MCSA: Office 365'])[1 + :p % 3], current_date - 1, NULL);
\else
DELETE FROM cp_credential WHERE person_id = :n AND credential <> 'MCSA: Office 365';
\endif
SQL
cat >"$work/rr.sql" <<'SQL'
\set t random(1, 3000)
\set n random(1, 240)
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO cp_usage VALUES (md5('t' || :t)::uuid, 'SharePoint', 'E5', false, :n, current_date);
INSERT INTO cp_credential VALUES (:n, '70-346', current_date - 2, current_date + 10);
COMMIT;
SQL
cat >"$work/read.sql" <<'SQL'
\set p random(1, 60)
SELECT count(*), sum(active_entitlements) FROM cp_evaluate();
SELECT count(*) FILTER (WHERE counted) FROM cp_explain(:p);
SELECT count(*) FROM cp_partner_status WHERE level = 'gold';
SQL
cat >"$work/refresh.sql" <<'SQL'
SELECT cp_refresh_levels();
SQL

pgbench -n -c "$CLIENTS" -j 4 -T "$SECONDS_TOTAL" --max-tries=100 \
	-f "$work/load.sql@30" -f "$work/delete.sql@10" -f "$work/people.sql@10" \
	-f "$work/rr.sql@10" -f "$work/read.sql@10" -f "$work/refresh.sql@1" \
	>"$work/pgbench.out" 2>"$work/pgbench.err" &
bench=$!

# the backends' memory, early and late, from their own memory contexts
memory() {
	$PSQL -c "SELECT pid, pg_log_backend_memory_contexts(pid) FROM pg_stat_activity
	          WHERE application_name = 'pgbench' AND pid <> pg_backend_pid()" >"$work/pids.$1"
}
sleep $((SECONDS_TOTAL / 5)); memory early
sleep $((SECONDS_TOTAL * 7 / 10)); memory late
rc=0; wait $bench || rc=$?

logfile=$($PSQL -c "SELECT current_setting('data_directory') || '/' || pg_current_logfile()" 2>/dev/null || true)
echo "## Soak, $(date -u '+%Y-%m-%d %H:%M UTC'): $CLIENTS clients, $SECONDS_TOTAL s"
echo
grep -E "^(number of (transactions actually processed|failed transactions|transactions retried)|total number of retries|tps)" "$work/pgbench.out" | sed 's/^/    /'
errors=$(grep -c "ERROR\|FATAL\|aborted" "$work/pgbench.err" || true)
echo "    pgbench exit status $rc; client errors reported: $errors"
[ "$errors" -gt 0 ] && grep -v "serializ" "$work/pgbench.err" | head -5

inv=$($PSQL -c "SELECT (SELECT count(*) FROM cp_evaluate(current_date) e LEFT JOIN cp_partner_level pl USING (partner_id)
                        WHERE coalesce(pl.level, 'none') <> e.level) || ' stored levels differ from a fresh evaluation, '
                    || (SELECT count(*) FROM (SELECT old_level, lag(new_level, 1, 'none') OVER w AS prev FROM cp_level_change
                        WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s WHERE old_level <> prev)
                    || ' changes break a chain, ' || (SELECT count(*) FROM cp_level_change) || ' changes in all'")
echo "    invariants: $inv"

if [ -n "$logfile" ] && [ -f "$logfile" ]; then
	early=0; late=0; n=0
	for pid in $(cut -d'|' -f1 "$work/pids.early"); do
		totals=$(grep "^$pid .*Grand total: [0-9]* bytes" "$logfile" | sed 's/.*Grand total: \([0-9]*\) bytes.*/\1/')
		[ "$(echo "$totals" | wc -l)" -ge 2 ] || continue
		early=$((early + $(echo "$totals" | head -1))); late=$((late + $(echo "$totals" | tail -1))); n=$((n + 1))
	done
	echo "    backend memory contexts ($n backends): $((early / 1024)) kB early, $((late / 1024)) kB late"
fi
rm -rf "$work"
echo "$inv" | grep -q "^0 stored levels differ from a fresh evaluation, 0 changes break a chain" && [ "$rc" -eq 0 ] && [ "$errors" -eq 0 ]
