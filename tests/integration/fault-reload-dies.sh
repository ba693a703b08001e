# tests/integration/fault-reload-dies.sh: a reload sent while its instance
# dies mid-request is reported as failed, is not retried faster than the
# backoff, and never has a second reload in flight beside it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 6
pg_test_db
seed_tables
PORT=$(free_port)
emu_start a --poll-interval 200
emu_start b --poll-interval 200
A=$EMU_URL_a B=$EMU_URL_b
seed_metadata "$A" "http://127.0.0.1:$PORT/graphql" >/dev/null
wait_until 30 ic_is "$B" 1
emu_fault "$A" '{"latency_ms":1500}' >/dev/null

# Time-stamp every --watch line as it arrives.
stamp() { while IFS= read -r l; do printf '%s %s\n' "$(date +%s%3N)" "$l"; done; }
"$HASYNC" --watch --auto-reload -e "$A" -e "$B" --probe-interval 500 --timeout 5000 \
    --poll-interval 100 2>"$T/w.err" > >(stamp >"$T/w.out") &
TEST_PIDS="$TEST_PIDS $!"	# hasync itself: stamp ends when it does
wait_until 100 grep -q '"event":"reload_sent"' "$T/w.out"
ok $? "auto-reload sent a reload"
like "$(grep '"event":"reload_sent"' "$T/w.out" | head -n 1)" "via $A" "through the first healthy instance"
emu_stop a		# dies while the reload waits on its latency
wait_until 80 grep -q '"event":"reload_result".*failed' "$T/w.out"
ok $? "the reload is reported as failed"
wait_until 60 sh -c "[ \$(grep -c '\"event\":\"reload_sent\"' '$T/w.out') -ge 2 ]"
t_fail=$(grep '"event":"reload_result".*failed' "$T/w.out" | head -n 1 | cut -d' ' -f1)
t_next=$(grep '"event":"reload_sent"' "$T/w.out" | sed -n 2p | cut -d' ' -f1)
ok $([ -n "$t_next" ] && [ $((t_next - t_fail)) -ge 900 ] && echo 0 || echo 1) \
    "the retry waited for the backoff ($((${t_next:-0} - ${t_fail:-0})) ms after the failure)"
like "$(grep '"event":"reload_sent"' "$T/w.out" | sed -n 2p)" "via $B" "and went to an instance that answers"
# Never two in flight: every reload_sent is followed by its result first.
seq=$(grep -oE '"event":"reload_(sent|result)"' "$T/w.out" | sed 's/.*reload_//; s/"//' | tr '\n' ' ')
unlike "$seq" 'sent sent' "no second reload while one is in flight ($seq)"
