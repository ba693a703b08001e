# tests/integration/sentry-watch.sh: in --watch (as in the console) Sentry
# hears about an instance going unreachable, about metadata still
# inconsistent after an automatic reload, and about the database going
# away; the same problem is reported once, not on every probe or reload.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
PG_PRIVATE_SERVER=1
plan 8
pg_test_db
seed_tables
mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
DSN="http://key@127.0.0.1:$(awk '{print $2}' "$T/cap.out")/3"
PORT=$(free_port)
emu_start a --poll-interval 200
emu_start b --poll-interval 200
A=$EMU_URL_a B=$EMU_URL_b
seed_metadata "$A" "http://127.0.0.1:$PORT/graphql" >/dev/null
wait_until 30 ic_is "$B" 1

"$HASYNC" --watch --auto-reload --sentry-dsn "$DSN" -d "$DATABASE_URL" -e "$A" -e "$B" \
    --probe-interval 300 --poll-interval 100 >"$T/w.out" 2>&1 &
W=$!
TEST_PIDS="$TEST_PIDS $W"
events() { grep -l "$1" "$T"/sentry/*.req 2>/dev/null | wc -l; }
has() { [ "$(events "$1")" -ge 1 ]; }
wait_until 100 has 'still inconsistent after reload'
ok $? "inconsistent after an automatic reload: reported"
emu_stop b
wait_until 50 has 'Hasura instance unreachable'
ok $? "an instance going unreachable: reported"
like "$(grep -h 'unreachable' "$T"/sentry/*.req | tail -n 1)" "$B" "the event names the instance"
# --auto-reload retries (backoff 1 s, 2 s, ...) and finds the same
# problem each time: at least two verified reloads, one event.
verified() { [ "$(grep -c '"message":"verified ' "$T/w.out")" -ge "$1" ]; }
wait_until 50 verified 3
ok $? "several automatic reloads found the metadata still inconsistent ($(grep -c '"message":"verified ' "$T/w.out"))"
sleep 1.5		# several probe rounds with the same problem
is "$(events 'Hasura instance unreachable')/$(events 'still inconsistent after reload')" 1/1 \
    "the same problem is reported once (unreachable/still inconsistent)"
pg_sandbox_pause "$PGSB_DIR" fast
wait_until 50 has 'Metadata database unreachable'
ok $? "the database going away: reported"
pg_sandbox_resume "$PGSB_DIR"
kill -0 "$W"; ok $? "--watch keeps running"
bad=0
for f in "$T"/sentry/*.req; do
	lvl=$(sed '1,/^$/d' "$f" | sed -n 3p | emu_json 'j["level"]' 2>/dev/null)
	[ "$lvl" = error ] || bad=$((bad + 1))
done
is "$bad" 0 "every event is a well-formed envelope at level error"
