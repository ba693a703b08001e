# tests/integration/batch-watch.sh: --watch prints a version bump within one
# poll interval; the database stopped gives 3 in --batch, and --watch shows
# the loss, the reconnection and the forced refresh once it is back.
# Uses a private PostgreSQL server (it is stopped and started).
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
PG_PRIVATE_SERVER=1
plan 14
pg_test_db
seed_tables
emu_start c --poll-interval 200
A=$EMU_URL_c
seed_metadata "$A" >/dev/null

# Probing once a minute: within this test a probe round comes only from the
# start, a version change or a forced refresh.
"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" --poll-interval 200 --probe-interval 60000 \
    >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q '"event":"listen_started"' "$T/w.out"
ok $? "watch: listen started after connecting"
like "$(head -n 1 "$T/w.out")" '"event":"db_connected"' "watch: first line is the connection"
wait_until 50 grep -q '"event":"health"' "$T/w.out"
ok $? "watch: first probe reports health"

# A version bump reaches the output within one poll interval.
# Timed from the moment the bump is committed (the request has returned),
# looking every 20 ms without starting a process (a busy VM spends 10-20 ms
# on each): one poll interval (200 ms) plus the probe and some slack, far
# below the default poll (1 s) or the probe interval (60 s).
old=$(rv)
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
t0=$(now_ms)
rc=1
for i in $(seq 150); do
	[[ $(<"$T/w.out") == *"\"resource_version\":$((old + 1))"* ]] && { rc=0; break; }
	sleep 0.02
done
dt=$(( $(now_ms) - t0 ))
ok $rc "watch: version bump $old -> $((old + 1)) printed"
ok $([ "$dt" -le 500 ] && echo 0 || echo 1) "within one poll interval plus the probe (took $dt ms)"
line=$(grep "\"resource_version\":$((old + 1))" "$T/w.out" | head -n 1)
is "$(echo "$line" | emu_json '[j["event"], j["old_version"], j["instance_id"]]')" \
    "[\"version\",$old,\"${EMU_IDS_c[0]}\"]" "the line names old version and writer instance id"

# A host name is looked up off libpq (bounded, interruptible), every
# address kept: localhost is ::1 and 127.0.0.1, the server only on the
# latter.
"$HASYNC" --batch -d "postgres://postgres@localhost:$PGPORT/$PGDATABASE" -e "$A" >"$T/lh.out" 2>&1
is "$?" 0 "a database URL with a host name (localhost): --batch exits 0"
"$HASYNC" --batch -d "postgres://postgres@hasync-nowhere.invalid:$PGPORT/x" -e "$A" \
    --connect-timeout 2000 >"$T/nx.out" 2>&1
like "$?/$(cat "$T/nx.out")" '^3/.*(could not translate host name|cannot resolve host)' \
    "a name that does not resolve: exit 3, and says so"

# The database stopped: --batch says 3; --watch notices and comes back.
pg_sandbox_pause "$PGSB_DIR" immediate
"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" --connect-timeout 1000 >"$T/down.out" 2>&1
is "$?" 3 "database down: --batch exits 3"
like "$(cat "$T/down.out")" '"message":"Database unreachable."' "it says so"
wait_until 50 grep -q '"event":"db_lost"' "$T/w.out"
ok $? "watch: connection loss reported"
# get_inconsistent_metadata requests at the emulator: one per probe round.
probes() { emu_http GET "$A/emu/stats" | emu_json "j['metadata_requests'].get('get_inconsistent_metadata', 0)"; }
probed_since() { [ "$(probes)" -gt "$1" ]; }
n0=$(probes)
pg_sandbox_resume "$PGSB_DIR"
t0=$(now_ms)
wait_until 50 grep -q '"event":"db_restored"' "$T/w.out"
ok $? "watch: reconnected (in $(( $(now_ms) - t0 )) ms)"
n=$(grep -c '"event":"listen_started"' "$T/w.out")
wait_until 20 probed_since "$n0"
rc=$?
ok $([ "$n" = 2 ] && [ "$rc" = 0 ] && echo 0 || echo 1) \
    "watch: a forced refresh after the reconnection (listen started $n times, a probe round at once)"
kill -TERM "$W"; wait_exit "$W" 50
is "$WAIT_EXIT" 143 "watch exits 128+15 on SIGTERM"
