# tests/integration/probe-schedule.sh: when the worker probes. Catalog news
# that arrives during a long probe round (one replica hangs) brings the
# next round forward to the grace after the change; it is not pushed back
# to a whole --probe-interval after the slow round ends.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 3
pg_test_db
seed_tables
emu_start c --instances 2 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" >/dev/null
wait_until 30 ic_is "$B" 0

probes() { emu_http GET "$A/emu/stats" | emu_json 'j["metadata_requests"].get("get_inconsistent_metadata", 0)'; }
more_than() { [ "$(probes)" -gt "$1" ]; }

# B hangs: every round lasts --timeout (3 s); rounds are 20 s apart.
emu_fault "$B" '{"hang":true}' >/dev/null
n0=$(probes)
"$HASYNC" --watch -d "$DATABASE_URL" -e "$A" -e "$B" --timeout 3000 \
    --probe-interval 20000 --poll-interval 200 >"$T/w.out" 2>&1 &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 30 more_than "$n0"
ok $? "the first round reached A"
# A version change 1 s into the round that lasts 3 s.
sleep 1
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
wait_until 50 grep -q '"event":"version"' "$T/w.out"
ok $? "the version change is reported while the round is still running"
# Next round: right after the slow one (3 s + the grace), not at 3 + 20 s.
t0=$(now_ms)
wait_until 60 more_than $((n0 + 1))
rc=$?
ok "$rc" "the news brought the next round forward ($(( $(now_ms) - t0 )) ms after the change was seen)"
kill -TERM "$W"; wait "$W" 2>/dev/null
emu_fault "$B" '{}' >/dev/null
