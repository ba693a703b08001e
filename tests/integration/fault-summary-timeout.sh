# tests/integration/fault-summary-timeout.sh: the metadata summary made slow
# while the poll stays fast. The metadata is large enough to live in its
# TOAST table, and a session holds REINDEX of that TOAST table's index in
# an open transaction: reading resource_version is instant, reading the
# metadata waits for the lock. Every version bump makes hasync read the
# summary, which times out. hasync must cancel it and keep its connection:
# no "database connection lost", no reconnection, no forced refresh, and
# every bump still reported. Prints the reconnections seen over the window
# (SUMMARY_WINDOW seconds, default 10).
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/pg-hold.sh"
WINDOW=${SUMMARY_WINDOW:-10}
plan 7
pg_test_db
seed_tables
emu_start c --poll-interval 200
A=$EMU_URL_c
seed_metadata "$A" >/dev/null
# 16 kB of random hex: compressed, still far above the TOAST threshold.
q "UPDATE hdb_catalog.hdb_metadata SET metadata = (metadata::jsonb ||
   jsonb_build_object('x_pad', (SELECT string_agg(md5(random()::text), '')
   FROM generate_series(1, 500))))::json" >/dev/null
toast_index=$(q "SELECT i.indexrelid::regclass FROM pg_class c JOIN pg_index i
   ON i.indrelid = c.reltoastrelid WHERE c.oid = 'hdb_catalog.hdb_metadata'::regclass")
like "$toast_index" '^pg_toast\.' "the metadata lives in a TOAST table ($toast_index)"

"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" --timeout 1000 --poll-interval 100 \
    --probe-interval 5000 >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q '"event":"listen_started"' "$T/w.out"
before=$(wc -l <"$T/w.out")

hold_start lock
hold_sql lock "BEGIN; REINDEX INDEX $toast_index; SELECT 'locked';"
hold_wait lock '^locked$'
ok $? "a session holds the TOAST index of hdb_metadata"

bumps=0 missing=""
end=$(( $(date +%s) + WINDOW ))
while [ "$(date +%s)" -lt "$end" ]; do
	new=$(q "UPDATE hdb_catalog.hdb_metadata SET resource_version = resource_version + 1 RETURNING resource_version")
	bumps=$((bumps + 1))
	# The poll is not held up for long by a summary that times out.
	wait_until 40 grep -q "\"resource_version\":$new," "$T/w.out" || missing="$missing $new"
	sleep 0.5
done
after() { tail -n +"$((before + 1))" "$T/w.out"; }
timeouts=$(after | grep -c 'metadata summary timed out')
lost=$(after | grep -c '"event":"db_lost"')
restored=$(after | grep -c '"event":"db_restored"')
refresh=$(after | grep -c '"event":"listen_started"')
diag "over ${WINDOW} s and $bumps bumps: $restored reconnections, $lost losses, $refresh forced refreshes"
ok $([ "$timeouts" -ge 1 ] && echo 0 || echo 1) "the summary did time out (reported $timeouts time(s): once per streak)"
is "$lost" 0 "the connection is never lost"
is "$restored" 0 "no reconnection"
is "$refresh" 0 "no forced refresh"
is "$missing" "" "every one of $bumps version bumps was reported"
hold_stop lock
kill -TERM "$W"; wait_exit "$W" 50
