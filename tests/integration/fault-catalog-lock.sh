# tests/integration/fault-catalog-lock.sh: a session holds LOCK TABLE
# hdb_catalog.hdb_metadata IN ACCESS EXCLUSIVE MODE in an open transaction
# (what an idle-in-transaction migration does). Every catalog query, PREPARE
# included, is bounded by --timeout: --batch exits 3 within about twice the
# timeout saying "catalog query timed out (lock?)", not "Database
# unreachable"; --watch reports it and exits at once on SIGTERM; once the
# lock is gone a run exits 0. Prints the times measured.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/pg-hold.sh"
plan 11
pg_test_db
seed_tables
emu_start c --poll-interval 200
A=$EMU_URL_c
seed_metadata "$A" >/dev/null
wait_until 30 ic_is "$A" 0

"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" --timeout 2000 >"$T/pre.out" 2>&1
is "$?" 0 "before the lock: --batch exits 0"

hold_start lock
hold_sql lock "BEGIN; LOCK TABLE hdb_catalog.hdb_metadata IN ACCESS EXCLUSIVE MODE; SELECT 'locked';"
hold_wait lock '^locked$'
ok $? "a session holds hdb_metadata in ACCESS EXCLUSIVE mode"

# --watch first, so that it is connected when the batch run starts.
"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" --timeout 1000 --poll-interval 200 \
    >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"

t0=$(now_ms)
timeout -k 1 30 "$HASYNC" --batch -d "$DATABASE_URL" -e "$A" --timeout 2000 >"$T/b.out" 2>&1
rc=$?
dt=$(( $(now_ms) - t0 ))
diag "--batch --timeout 2000 under the lock: exit $rc after $dt ms"
is "$rc" 3 "locked: --batch exits 3"
ok $([ "$dt" -le 5500 ] && echo 0 || echo 1) "within twice --timeout and slack ($dt ms, limit 5500)"
db=$(grep '"database"' "$T/b.out")
like "$db" 'catalog query timed out \(lock\?\)' "the database line says: catalog query timed out (lock?)"
unlike "$(cat "$T/b.out")" 'Database unreachable' "and not: Database unreachable"

wait_until 60 grep -q 'catalog query timed out (lock?)' "$T/w.out"
ok $? "--watch: an event says catalog query timed out (lock?)"
kill -TERM "$W"; wait_exit "$W" 300

# SIGTERM while a query of ours waits for the lock (default --timeout, 10 s).
"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" >"$T/w2.out" 2>"$T/w2.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
waiting() { [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hasync' AND datname = current_database() AND wait_event_type = 'Lock'")" -ge 1 ]; }
wait_until 50 waiting || diag "hasync's query was not seen waiting for the lock"
sleep 0.3
t0=$(now_ms)
kill -TERM "$W"
wait_exit "$W" 100
rc=$WAIT_EXIT
dt=$(( $(now_ms) - t0 ))
diag "--watch under the lock: exit $rc $dt ms after SIGTERM"
is "$rc" 143 "--watch exits 128+15 on SIGTERM while its query waits for the lock"
ok $([ "$dt" -lt 1000 ] && echo 0 || echo 1) "within 1 s ($dt ms)"

# No backend of ours is left waiting for the lock.
left() { [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hasync' AND datname = current_database()")" = 0 ]; }
wait_until 30 left
rc=$?
ok $rc "no hasync session is left behind on the server"
[ "$rc" = 0 ] || diag "$(q "SELECT pid, state, wait_event_type, backend_start, left(query, 60) FROM pg_stat_activity WHERE application_name = 'hasync' AND datname = current_database()")"

hold_sql lock "COMMIT; SELECT 'released';"
hold_wait lock '^released$'
hold_stop lock
"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" --timeout 2000 >"$T/post.out" 2>&1
rc=$?
is "$rc" 0 "lock released: --batch exits 0"
[ "$rc" = 0 ] || diag "$(cat "$T/post.out")"
