# tests/soak/soak.sh: `make soak` (SOAK_SECONDS, default 1800): hasync --watch
# --auto-reload for a long time while the cluster changes and fails around
# it: version bumps, a remote schema going up and down, hung and malformed
# instances, PostgreSQL restarts. RSS and open file descriptors must stay
# flat: printed at the start (after a warm-up) and at the end.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
PG_PRIVATE_SERVER=1
SOAK_SECONDS=${SOAK_SECONDS:-1800}
plan 5
pg_test_db
seed_tables
PORT=$(free_port)
emu_start c --instances 3 --poll-interval 300
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
seed_metadata "$A" "http://127.0.0.1:$PORT/graphql" >/dev/null

"$HASYNC" --watch --auto-reload -d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" \
    --poll-interval 200 --probe-interval 500 --timeout 1500 >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
rss() { awk '/^VmRSS/{print $2}' "/proc/$W/status"; }
fds() { ls "/proc/$W/fd" | wc -l; }

step() {	# one change or fault, in turn
	case $(( $1 % 8 )) in
	0) emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":false}}' >/dev/null ;;
	1) remote_start rs "$PORT" ;;
	2) emu_fault "$B" '{"hang":true}' >/dev/null ;;
	3) emu_fault "$B" '{}' >/dev/null; remote_stop rs ;;
	4) emu_fault "$C" '{"malformed":true}' >/dev/null ;;
	5) emu_fault "$C" '{}' >/dev/null ;;
	6) [ $(( $1 % 24 )) = 6 ] && pg_sandbox_restart "$PGSB_DIR" fast ;;
	7) q "UPDATE hdb_catalog.hdb_metadata SET resource_version = resource_version + 1" >/dev/null 2>&1 ;;
	esac
}

i=0
warm=$(( SOAK_SECONDS / 10 )); [ "$warm" -gt 60 ] && warm=60; [ "$warm" -lt 5 ] && warm=5
end=$(( $(date +%s) + SOAK_SECONDS ))
t_warm=$(( $(date +%s) + warm ))
while [ "$(date +%s)" -lt "$t_warm" ]; do step $i; i=$((i + 1)); sleep 2; done
rss0=$(rss) fd0=$(fds) lines0=$(wc -l <"$T/w.out")
diag "after ${warm}s warm-up: RSS ${rss0} kB, ${fd0} fds"
while [ "$(date +%s)" -lt "$end" ]; do step $i; i=$((i + 1)); sleep 2; done
emu_fault "$B" '{}' >/dev/null; emu_fault "$C" '{}' >/dev/null; remote_stop rs
sleep 3
rss1=$(rss) fd1=$(fds) lines1=$(wc -l <"$T/w.out")
diag "after ${SOAK_SECONDS}s: RSS ${rss1} kB, ${fd1} fds, $((lines1 - lines0)) events, $i changes and faults"
kill -0 "$W" 2>/dev/null; ok $? "hasync --watch survived $i changes and faults"
ok $([ "$rss1" -le $(( rss0 + rss0 / 10 + 2048 )) ] && echo 0 || echo 1) \
    "RSS flat: ${rss0} kB -> ${rss1} kB"
ok $([ "$fd1" -le $(( fd0 + 2 )) ] && echo 0 || echo 1) "file descriptors flat: ${fd0} -> ${fd1}"
ok $([ "$lines1" -gt "$lines0" ] && echo 0 || echo 1) "it kept reporting events"
kill -TERM "$W"; wait "$W"
is "$?" 0 "exits 0 on SIGTERM"
