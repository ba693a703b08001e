#!/bin/bash
# tests/integration/emu-faults.sh: the test faults of POST /emu/fault, a
# metadata-DB outage (healthz ERROR, listener error logged once, recovery),
# and SIGTERM with a hung request in flight.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

plan 25
pg_test_db
S=sekret
emu_start f --admin-secret "$S" --poll-interval 200
U=$EMU_URL_f
GET='{"type":"get_inconsistent_metadata","args":{}}'
code() { curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }

# --- the fault endpoint itself ---
is "$(emu_fault "$U" '{"latency_ms":300}')" \
    '{"error":"x-hasura-admin-secret/x-hasura-access-key required, but not found","path":"$","code":"access-denied"}' \
    "/emu/fault needs the secret"
is "$(emu_fault "$U" '{"nope":1}' "$S")" \
    '{"error":"unknown fault \"nope\"","path":"$","code":"parse-failed"}' "unknown fault refused"

# --- latency ---
# 1 s of latency, so that the undelayed /emu call's bound (700 ms) leaves
# room for curl's start on a busy machine and still tells them apart.
emu_fault "$U" '{"latency_ms":1000}' "$S" >/dev/null
t0=$(now_ms); emu_http GET "$U/healthz" >/dev/null; dt=$(( $(now_ms) - t0 ))
ok $([ "$dt" -ge 980 ]; echo $?) "latency_ms delays /healthz (${dt} ms)"
t0=$(now_ms); emu_http GET "$U/emu/stats" "" "$S" >/dev/null; dt=$(( $(now_ms) - t0 ))
ok $([ "$dt" -lt 700 ]; echo $?) "/emu endpoints are not delayed (${dt} ms)"

# --- healthz_error ---
emu_fault "$U" '{"healthz_error":true}' "$S" >/dev/null
is "$(emu_http GET "$U/healthz")" ERROR "healthz_error body"
is "$(emu_status)" 500 "healthz_error status"

# --- status ---
emu_fault "$U" '{"status":503}' "$S" >/dev/null
body=$(emu_meta "$U" "$GET" "$S")
is "$(emu_status)" 503 "status fault: HTTP status"
like "$body" '^\{"error":"[^"]+","path":"\$","code":"unexpected"\}$' "status fault: Hasura error body"
emu_fault "$U" '{"status":401}' "$S" >/dev/null
is "$(emu_meta "$U" "$GET" "$S")" \
    '{"error":"invalid x-hasura-admin-secret/x-hasura-access-key","path":"$","code":"access-denied"}' \
    "status 401 uses the access-denied body"

# --- malformed ---
emu_fault "$U" '{"malformed":true}' "$S" >/dev/null
body=$(emu_meta "$U" "$GET" "$S")
is "$(emu_status)" 200 "malformed: 200"
ok $(echo "$body" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; [ $? -ne 0 ]; echo $?) \
    "malformed: body is not valid JSON"

# --- close ---
emu_fault "$U" '{"close":true}' "$S" >/dev/null
curl -s --noproxy '*' --max-time 5 -H "X-Hasura-Admin-Secret: $S" -d "$GET" "$U/v1/metadata" >/dev/null
is "$?" 52 "close: curl sees an empty reply"

# --- body_mb ---
emu_fault "$U" '{"body_mb":3}' "$S" >/dev/null
curl -s --noproxy '*' --max-time 5 -H "X-Hasura-Admin-Secret: $S" -d "$GET" -o "$T/big.json" "$U/v1/metadata"
is "$(stat -c %s "$T/big.json")" $((3 * 1024 * 1024)) "body_mb: 3 MiB body"
ok $(python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/big.json"; echo $?) "body_mb: valid JSON"

# --- {} clears ---
emu_fault "$U" '{}' "$S" >/dev/null
is "$(emu_meta "$U" "$GET" "$S")" '{"is_consistent":true,"inconsistent_objects":[]}' "{} clears all faults"

# --- a huge request body is refused, not buffered ---
head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/huge.json"
st=$(curl -s --noproxy '*' --max-time 20 -o /dev/null -w '%{http_code}' -H "X-Hasura-Admin-Secret: $S" \
    --data-binary @"$T/huge.json" "$U/v1/metadata")
is "$st" 413 "request body over 64 MiB refused"
rm -f "$T/huge.json"

# --- metadata DB outage: healthz ERROR, one error log, recovery ---
outage() {
	q "ALTER DATABASE \"$PGDB\" ALLOW_CONNECTIONS $1" >/dev/null
	[ "$1" = false ] && q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE datname = '$PGDB' AND application_name = 'hasura-emu'" >/dev/null
}
PGDB=$PGDATABASE
export PGDATABASE=postgres
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres -c "$1"; }
outage false
sleep 1
is "$(emu_http GET "$U/healthz")" ERROR "DB down: healthz ERROR"
is "$(emu_status)" 500 "DB down: healthz 500"
is "$(emu_meta "$U" "$GET" "$S")" '{"is_consistent":true,"inconsistent_objects":[]}' \
    "DB down: cached answers still served"
n1=$(grep -c '"thread_type":"listener"' "$T/f.err")
sleep 0.8
n2=$(grep -c '"thread_type":"listener"' "$T/f.err")
ok $([ "$n1" -ge 1 ] && [ "$n1" -le 2 ] && [ "$n2" = "$n1" ]; echo $?) \
    "listener errors logged once per error, not on every poll ($n1, $n2)"
like "$(grep '"thread_type":"listener"' "$T/f.err" | tail -n 1)" \
    '^\{"detail":\{"info":\{"error":\{"type":"query_error","info":\{"internal":".*","path":"\$","error":"connection error","code":"postgres-error"\}\}\},"thread_type":"listener"\},"level":"error","timestamp":"[^"]+","type":"schema-sync"\}$' \
    "listener error log shape"
outage true
up() { [ "$(emu_http GET "$U/healthz")" = OK ]; }
wait_until 30 up
is "$(emu_http GET "$U/healthz")" OK "DB back: healthz OK again"
export PGDATABASE=$PGDB

# --- SIGTERM with a hung request in flight ---
emu_fault "$U" '{"hang":true}' "$S" >/dev/null
curl -s --noproxy '*' --max-time 10 "$U/healthz" >/dev/null &
cpid=$!
sleep 0.3
ok $(kill -0 $cpid 2>/dev/null; echo $?) "hung request is in flight"
t0=$(now_ms)
emu_stop f
dt=$(( $(now_ms) - t0 ))
is "$EMU_EXIT" 0 "SIGTERM with a hung request: exit 0"
ok $([ "$dt" -lt 1000 ]; echo $?) "SIGTERM exit within 1 s (${dt} ms)"
wait $cpid 2>/dev/null
done_testing
