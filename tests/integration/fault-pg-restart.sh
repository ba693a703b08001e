# tests/integration/fault-pg-restart.sh: PostgreSQL restarted 20 times in a
# row under --watch (stop fast / immediate, start): hasync never exits,
# reconnects within 1 s of the server being back each time, forces a
# refresh each time (a probe round at once, though probing is once a
# minute and every other restart has no version change to probe for), and
# sees every version bump made between restarts. Prints the worst
# reconnect time. Uses a private server.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
PG_PRIVATE_SERVER=1
RESTARTS=${RESTARTS:-20}
plan 6
pg_test_db
seed_tables
emu_start c --poll-interval 200
A=$EMU_URL_c
seed_metadata "$A" >/dev/null

"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" --poll-interval 100 --probe-interval 60000 \
    >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q '"event":"listen_started"' "$T/w.out"

restored() { [ "$(grep -c '"event":"db_restored"' "$T/w.out")" -ge "$1" ]; }
# get_inconsistent_metadata requests at the emulator: one per probe round.
probes() { emu_http GET "$A/emu/stats" | emu_json "j['metadata_requests'].get('get_inconsistent_metadata', 0)"; }
probed_since() { [ "$(probes)" -gt "$1" ]; }
worst=0 missing="" slow=0 unprobed=""
for i in $(seq 1 "$RESTARTS"); do
	mode=fast; [ $((i % 2)) = 0 ] && mode=immediate
	n0=$(probes)
	pg_sandbox_pause "$PGSB_DIR" "$mode"
	pg_sandbox_resume "$PGSB_DIR" || { fail "restart $i: server did not come back"; break; }
	t0=$(now_ms)
	# A change made right away (odd restarts): before or after hasync is
	# back, it must be seen.
	new=""
	[ $((i % 2)) = 1 ] &&
	    new=$(q "UPDATE hdb_catalog.hdb_metadata SET resource_version = resource_version + 1 RETURNING resource_version")
	wait_until 30 restored "$i" || { slow=$((slow + 1)); continue; }
	dt=$(( $(now_ms) - t0 ))
	[ "$dt" -gt "$worst" ] && worst=$dt
	[ "$dt" -gt 1000 ] && slow=$((slow + 1))
	wait_until 20 probed_since "$n0" || unprobed="$unprobed $i"
	[ -z "$new" ] || wait_until 30 grep -q "\"resource_version\":$new," "$T/w.out" ||
	    missing="$missing $new"
done
kill -0 "$W" 2>/dev/null; ok $? "hasync --watch is still running after $RESTARTS restarts"
is "$(grep -c '"event":"db_restored"' "$T/w.out")" "$RESTARTS" "one reconnection per restart"
is "$slow" 0 "every reconnection within 1 s of the server being back (worst $worst ms)"
diag "worst reconnect time: $worst ms over $RESTARTS restarts"
is "$(grep -c '"event":"listen_started"' "$T/w.out")/$unprobed" "$((RESTARTS + 1))/" \
    "a forced refresh after each reconnection (listen started / restarts without a probe round)"
is "$missing" "" "every version bump made between restarts was reported"
kill -TERM "$W"; wait_exit "$W" 50
is "$WAIT_EXIT" 143 "and SIGTERM ends it with 128+15"
