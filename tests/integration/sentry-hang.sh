# tests/integration/sentry-hang.sh: a Sentry host that accepts connections
# and never answers. Under --watch with one unreachable instance (so there
# is something to report), the events go out on the Sentry sender thread:
# the healthy instance stays ok round after round, the unreachable one is
# named with its own reason, and SIGTERM exits within 1 s, the pending
# event dropped with a line on stderr. A --batch pass's one report at exit
# waits for the hanging host no longer than --timeout. Prints the times.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 10
pg_test_db
seed_tables
mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" hang >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
DSN="http://key@127.0.0.1:$(awk '{print $2}' "$T/cap.out")/3"
emu_start a --poll-interval 200
A=$EMU_URL_a
seed_metadata "$A" >/dev/null
# Healthy but not instant: its requests are in flight when B's fail.
emu_fault "$A" '{"latency_ms":300}' >/dev/null
B="http://127.0.0.1:$(free_port)"	# nobody listens: connection refused

"$HASYNC" --watch --sentry-dsn "$DSN" -e "$A" -e "$B" --probe-interval 100 \
    --timeout 8000 >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q "\"instance\":\"$B\".*unknown -> unreachable" "$T/w.out"
ok $? "the unreachable instance is reported"
wait_until 50 test -s "$T/sentry/1.req"
ok $? "the Sentry host got the event (and hangs)"
wait_until 20 grep -q "\"instance\":\"$A\".*unknown -> ok" "$T/w.out"
ok $? "the healthy instance is seen ok within 2 s: its probes are not held up"
sleep 2.5		# probe rounds go on while the Sentry request hangs
a_events=$(grep "\"event\":\"health\",\"instance\":\"$A\"" "$T/w.out")
is "$a_events" "$(grep "\"instance\":\"$A\".*unknown -> ok" "$T/w.out")" \
    "and stays ok: its only health event is unknown -> ok"
unlike "$(grep "\"instance\":\"$B\"" "$T/w.out")" 'timed out' \
    "the unreachable instance keeps its own reason (not a timeout)"
t0=$(now_ms)
kill -TERM "$W"
wait_exit "$W" 100
dt=$(( $(now_ms) - t0 ))
diag "SIGTERM with a Sentry request hanging: exit $WAIT_EXIT after $dt ms"
is "$WAIT_EXIT" 143 "SIGTERM: exit 128+15"
ok $([ "$dt" -lt 1000 ] && echo 0 || echo 1) "within 1 s ($dt ms)"
like "$(cat "$T/w.err")" 'sentry: 1 event not delivered before exit' \
    "the dropped event is said on stderr"

# --batch reports once at exit, synchronously, but bounded by --timeout.
t0=$(now_ms)
timeout -k 1 30 "$HASYNC" --batch --sentry-dsn "$DSN" -e "$B" --timeout 1000 >"$T/b.out" 2>&1
rc=$?
dt=$(( $(now_ms) - t0 ))
diag "--batch --timeout 1000, its Sentry report hanging: exit $rc after $dt ms"
is "$rc" 3 "--batch with a hanging Sentry host: exit 3"
like "$(cat "$T/b.out")/$dt" 'sentry: event not delivered: .*/(1[0-9]{3}|[0-9]{3})$' \
    "the report gives up after --timeout and says so ($dt ms)"
