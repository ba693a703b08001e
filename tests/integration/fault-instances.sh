# tests/integration/fault-instances.sh: instances killed, hung, slowed,
# answering malformed JSON, closing connections, answering 500, 401, or a
# 300 MB body: each is shown as the right health state with a clear reason,
# and one pass never takes longer than its timeouts allow; SIGTERM stops
# requests in flight at once.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 15
pg_test_db
seed_tables
emu_start c --instances 8 --poll-interval 300
U=("${EMU_URLS_c[@]}")
seed_metadata "${U[0]}" >/dev/null
wait_until 30 ic_is "${U[7]}" 0
emu_start dead
DEAD=$EMU_URL_dead
emu_stop dead

emu_fault "${U[1]}" '{"hang":true}' >/dev/null
emu_fault "${U[2]}" '{"latency_ms":300}' >/dev/null
emu_fault "${U[3]}" '{"malformed":true}' >/dev/null
emu_fault "${U[4]}" '{"close":true}' >/dev/null
emu_fault "${U[5]}" '{"status":500}' >/dev/null
emu_fault "${U[6]}" '{"status":401}' >/dev/null
emu_fault "${U[7]}" '{"body_mb":300}' >/dev/null

t0=$(now_ms)
"$HASYNC" --batch --timeout 1500 --connect-timeout 1000 -e "${U[0]}" -e "${U[1]}" -e "${U[2]}" \
    -e "${U[3]}" -e "${U[4]}" -e "${U[5]}" -e "${U[6]}" -e "${U[7]}" -e "$DEAD" >"$T/out" 2>&1
rc=$? dt=$(( $(now_ms) - t0 ))
is "$rc" 3 "faults exit 3"
ok $([ "$dt" -lt 2500 ] && echo 0 || echo 1) "one pass bounded by the timeouts ($dt ms with --timeout 1500)"
sum=$(tail -n 1 "$T/out")
inst() { echo "$sum" | emu_json "[j['instances'][$1]['health'], j['instances'][$1]['error']]"; }
is "$(inst 0)" '["ok",null]' "healthy: ok"
like "$(inst 1)" '^\["unreachable","timed out after 1[0-9]{3} ms"\]$' "hung: unreachable, timed out"
is "$(echo "$sum" | emu_json "[j['instances'][2]['health'], j['instances'][2]['latency_ms'] >= 300]")" \
    '["ok",true]' "slow but within the timeout: ok, latency shown"
like "$(inst 3)" '^\["error","malformed JSON in get_inconsistent_metadata answer' "malformed: error, says so"
like "$(inst 4)" '^\["unreachable","connection closed without a complete answer"\]$' "closed: unreachable, says so"
like "$(inst 5)" '^\["error","get_inconsistent_metadata: HTTP 500: ' "500: error with Hasura's error text"
like "$(inst 6)" '^\["auth","admin secret rejected by http' "401: auth refused"
like "$(inst 7)" '^\["error","answer larger than 64 MiB refused \(--max-body-mb\)"\]$' \
    "300 MB body: refused at the 64 MiB limit, not parsed"
like "$(inst 8)" '^\["unreachable","connection refused"\]$' "killed: unreachable, connection refused"

# The limit is configurable.
emu_fault "${U[7]}" '{"body_mb":2}' >/dev/null
"$HASYNC" --batch --max-body-mb 1 -e "${U[7]}" >"$T/small" 2>&1
like "$(tail -n 1 "$T/small" | emu_json 'j["instances"][0]["error"]')" 'larger than 1 MiB' "--max-body-mb 1 refuses 2 MiB"
"$HASYNC" --batch --max-body-mb 4 -e "${U[7]}" >"$T/big" 2>&1
unlike "$(tail -n 1 "$T/big" | emu_json 'j["instances"][0]["error"]')" 'larger than' "--max-body-mb 4 accepts 2 MiB"

# SIGTERM while a request hangs (default --timeout, 10 s): the requests in
# flight are abandoned at once.
"$HASYNC" --watch -e "${U[1]}" >"$T/hw.out" 2>&1 &
W=$!
TEST_PIDS="$TEST_PIDS $W"
sleep 1			# the first round's requests are hanging
t0=$(now_ms)
kill -TERM "$W"
wait_exit "$W" 100
dt=$(( $(now_ms) - t0 ))
is "$WAIT_EXIT" 143 "--watch with a request hanging: SIGTERM exits 128+15"
ok $([ "$dt" -lt 1000 ] && echo 0 || echo 1) "within 1 s ($dt ms)"
