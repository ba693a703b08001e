# tests/integration/serve.sh: hasync serve from outside, on a real
# PostgreSQL and two emulated replicas. /healthz, /, /metrics (bearer token,
# Prometheus text format checked by promtool), /readyz and /readyz/REPLICA
# (503 within --ready-max-behind + one probe interval after a replica is
# stuck, and not before --ready-max-behind; 200 again once it heals), bad
# input (malformed HTTP, huge headers, unknown paths and methods, wrong
# tokens: 4xx, no crash), SIGTERM (143 in under a second), the admin
# secret in no answer or line, and the start-up errors (a public address
# without a token, a port in use: exit 2, one line).
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/serve.sh"
plan 60

SECRET="SeRvE-sEcReT-$$-q8Zk"
export SECRET
pg_test_db
seed_tables
emu_start c --instances 2 --poll-interval 200 --admin-secret "$SECRET"
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" >/dev/null
wait_until 30 ic_is "$B" 0
export HASURA_GRAPHQL_ADMIN_SECRET=$SECRET

PROBE=500		# --probe-interval, ms
MAXB=1500		# --ready-max-behind, ms
SLACK=1000		# scheduling, sanitizers
printf 'tok-%s-Xy7\n' "$$" >"$T/token"
TOKEN=$(cat "$T/token")
serve_start s -d "$DATABASE_URL" -e "hasura-a=$A" -e "$B" --poll-interval 200 \
    --probe-interval "$PROBE" --timeout 1500 --metrics-token-file "$T/token" \
    --ready-max-behind "$MAXB" || { echo "Bail out! serve did not start"; exit 1; }
U=$SERVE_URL
like "$(head -n 1 "$T/s.out")" '^\{"level":"info","listen":"127\.0\.0\.1:[0-9]+","token":true,.*"message":"hasync serve on http://' \
    "the first line is a JSON line naming the address"
# Wait until both replicas were probed.
ready_all() { [ "$(hget "$U/readyz")" != "" ] && [ "$(hstatus)" = 200 ]; }
wait_until 50 ready_all
ok $? "/readyz: 200 once both replicas answered"
like "$(cat "$T/body")" '^ready: all 2 replicas$' "/readyz says so in one line"

# ---- /healthz, / ----
is "$(hget "$U/healthz")" "ok" "/healthz: ok"
is "$(hstatus)" 200 "/healthz: 200"
# Keep-alive: a scraper's next request reuses its connection.
is "$(curl -sv --noproxy '*' --max-time 10 "$U/healthz" "$U/healthz" 2>&1 | grep -c 'Re-using existing connection')" 1 \
    "a second request reuses the connection (keep-alive)"
like "$(hget "$U/")" '/metrics' "/ lists what is served"

# ---- /metrics and its token ----
hget "$U/metrics" >/dev/null
is "$(hstatus)" 401 "/metrics without the token: 401"
like "$(hheader WWW-Authenticate)" '^Bearer' "401 names the Bearer scheme"
like "$(cat "$T/body")" '^\{"error":".*","code":"unauthorized"\}$' "401 is a JSON error"
hget "$U/metrics" -H "Authorization: Bearer wrong" >/dev/null
is "$(hstatus)" 401 "/metrics with a wrong token: 401"
hget "$U/metrics" -H "Authorization: Bearer $TOKEN" >"$T/m1"
is "$(hstatus)" 200 "/metrics with the token: 200"
is "$(hheader Content-Type)" "text/plain; version=0.0.4; charset=utf-8" "Prometheus text format 0.0.4"
if have_promtool; then
	promtool_check "$T/m1"; ok $? "promtool check metrics: clean"
else
	skip "promtool not installed (Debian package prometheus)"
fi
# Gzipped when asked, as Prometheus does: the same text.
curl -s --noproxy '*' -H "Authorization: Bearer $TOKEN" -H 'Accept-Encoding: gzip' \
    -D "$T/gzh" -o "$T/m1.gz" "$U/metrics"
like "$(tr -d '\r' <"$T/gzh")" 'Content-Encoding: gzip' "/metrics gzipped when asked (Accept-Encoding: gzip)"
is "$(gzip -dc "$T/m1.gz" | grep -c '^# TYPE ')" "$(grep -c '^# TYPE ' "$T/m1")" "and it unzips to the same families"
like "$(cat "$T/m1")" 'hasync_replica_up\{replica="hasura-a"\} 1' "replica labelled by its -e name"
like "$(cat "$T/m1")" "hasync_replica_up\\{replica=\"$B\"\\} 1" "or by its endpoint"
is "$(sed -n 's/^hasync_catalog_resource_version //p' "$T/m1")" "$(rv)" "catalog resource_version = the catalog's"
like "$(cat "$T/m1")" 'hasync_catalog_up 1' "catalog up"
is "$(grep -c '^hasync_replica_health{replica="hasura-a",state=".*"} 1$' "$T/m1")" 1 "health is one-hot"
like "$(cat "$T/m1")" 'hasura_build_info\{replica="hasura-a",version="v2\.[0-9.]+"\} 1' "hasura_build_info"
like "$(cat "$T/m1")" 'hasura_metadata_consistency_status\{replica="hasura-a"\} 1' "consistency status"

# ---- a replica falls behind: /readyz/2 turns 503, not before the limit ----
emu_fault "$B" '{"sync_paused":true}' "$SECRET" >/dev/null
old=$(rv)
emu_meta "$A" '{"type":"reload_metadata","args":{}}' "$SECRET" >/dev/null
t0=$(now_ms)
wait_until 50 test "$(rv)" -gt "$old"
first_503=""
while [ $(( $(now_ms) - t0 )) -lt $((MAXB + PROBE + SLACK + 2000)) ]; do
	hget "$U/readyz/2" >/dev/null
	if [ "$(hstatus)" = 503 ]; then first_503=$(( $(now_ms) - t0 )); break; fi
	sleep 0.05
done
ok "$([ -n "$first_503" ] && [ "$first_503" -le $((MAXB + PROBE + SLACK)) ] && echo 0 || echo 1)" \
    "/readyz/2: 503 within --ready-max-behind + one probe interval (after ${first_503:-never} ms, bound $((MAXB + PROBE + SLACK)))"
ok "$([ -n "$first_503" ] && [ "$first_503" -ge $((MAXB - 100)) ] && echo 0 || echo 1)" \
    "and not before --ready-max-behind ($MAXB ms)"
like "$(cat "$T/body")" "^$B: not ready: behind by 1 resource_version for [0-9.]+ s \\(limit 1\\.5 s\\): serves $old, catalog at $((old + 1))\$" \
    "the reason, one line"
hget "$U/readyz/hasura-a" >/dev/null
is "$(hstatus)" 200 "/readyz/hasura-a (the writer): still 200"
hget "$U/readyz" >/dev/null
is "$(hstatus)" 503 "/readyz (all): 503"
like "$(cat "$T/body")" '^not ready: 1 of 2 replicas; ' "names how many"
hget "$U/metrics" -H "Authorization: Bearer $TOKEN" >"$T/m2"
like "$(cat "$T/m2")" "hasync_replica_versions_behind\\{replica=\"$B\"\\} 1" "metrics: versions_behind 1"
like "$(cat "$T/m2")" "hasync_replica_health\\{replica=\"$B\",state=\"behind\"\\} 1" "metrics: health behind"
if have_promtool; then
	promtool_check "$T/m2"; ok $? "promtool check metrics: clean while behind"
else
	skip "promtool not installed"
fi

# ---- it heals: 200 again ----
emu_fault "$B" '{}' "$SECRET" >/dev/null
t1=$(now_ms)
ready2() { hget "$U/readyz/2" >/dev/null; [ "$(hstatus)" = 200 ]; }
wait_until 60 ready2
ok $? "/readyz/2: 200 again after it heals ($(( $(now_ms) - t1 )) ms)"

# ---- bad input: 4xx, no crash ----
hget "$U/nope" >/dev/null
is "$(hstatus)" 404 "unknown path: 404"
like "$(cat "$T/body")" '"code":"not-found"' "a JSON error"
hget "$U/readyz/unknown-replica" >/dev/null
is "$(hstatus)" 404 "unknown replica: 404"
hget "$U/metrics" -X DELETE -H "Authorization: Bearer $TOKEN" >/dev/null
is "$(hstatus) $(hheader Allow)" "405 GET, HEAD" "DELETE /metrics: 405 with Allow"
hget "$U/reload_metadata" >/dev/null
is "$(hstatus) $(hheader Allow)" "405 POST" "GET /reload_metadata: 405 (hasync serve takes POST)"
hget "$U/reload_metadata" -X POST -H "Authorization: Bearer nope" >/dev/null
is "$(hstatus)" 401 "POST /reload_metadata with a wrong token: 401, even from loopback"
head -c 100000 /dev/zero | tr '\0' 'x' >"$T/big"
hget "$U/healthz" -H "X-Big: $(cat "$T/big")" >/dev/null
ok "$([ "$(hstatus)" -ge 400 ] && [ "$(hstatus)" -lt 500 ] && echo 0 || echo 1)" "a 100 kB header: 4xx ($(hstatus))"
hget "$U/$(head -c 5000 "$T/big")" >/dev/null
ok "$([ "$(hstatus)" -ge 400 ] && [ "$(hstatus)" -lt 500 ] && echo 0 || echo 1)" "a 5 kB path: 4xx ($(hstatus))"
# Raw bytes: a garbage request line, a request without a version, binary.
port=${U##*:}
raw() {	# raw BYTES: send them, print the status line of the answer
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf "$1" >&3
	timeout 5 head -n 1 <&3 | tr -d '\r'
	exec 3>&- 3<&-
}
# A line that is no request at all: MHD closes the connection (or says 400).
got=$(raw 'GARBAGE\r\n\r\n')
re='^HTTP/1\.[01] 4[0-9][0-9]'
ok "$([ -z "$got" ] || [[ $got =~ $re ]]; echo $?)" \
    "a garbage request line: closed or 4xx (${got:-closed})"
like "$(raw 'GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n')" '^HTTP/1\.[01] 4[0-9][0-9]' "a malformed header: 4xx"
like "$(raw 'GET /\001\377 HTTP/1.1\r\nHost: x\r\n\r\n')" '^HTTP/1\.[01] 404' "control and non-UTF-8 bytes in the path: 404"
like "$(raw 'GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \377\000x\r\n\r\n')" '^HTTP/1\.[01] 4[0-9][0-9]' "a binary token: 4xx"
hget "$U/healthz" >/dev/null
is "$(hstatus)" 200 "after all that, /healthz still answers"
kill -0 "$SERVE_PID"
ok $? "and the process is alive"

# ---- the admin secret appears nowhere ----
for p in / /healthz /readyz /readyz/1 /readyz/2 /nope; do hget "$U$p"; done >"$T/answers"
hget "$U/metrics" -H "Authorization: Bearer $TOKEN" >>"$T/answers"
is "$(grep -c -F -e "$SECRET" -e "${SECRET:3:8}" "$T/answers" "$T/s.out" "$T/s.err" | awk -F: '{s+=$2} END{print s}')" 0 \
    "the admin secret is in no answer and no line"

# ---- SIGTERM: 143 at once, like --watch ----
serve_stop
is "$SERVE_EXIT" 143 "SIGTERM: exit 143"
ok "$([ "$SERVE_STOP_MS" -lt 1000 ] && echo 0 || echo 1)" "within a second ($SERVE_STOP_MS ms)"
like "$(tail -n 1 "$T/s.out")" '"interrupted":true,"signal":"SIGTERM"' "the last line is the summary, marked interrupted"
python3 -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f):
        assert isinstance(json.loads(l), dict)' "$T/s.out" "$T/s.err" 2>/dev/null
ok $? "stdout and stderr are JSON lines"

# ---- start-up errors: exit 2, one line ----
t0=$(now_ms)
"$HASYNC" serve -e "$A" --listen 0.0.0.0:0 >"$T/e1.out" 2>"$T/e1.err"
rc=$?
is "$rc $(wc -l <"$T/e1.err")" "2 1" "a public --listen without a token or --listen-public: exit 2, one line"
like "$(cat "$T/e1.err")" 'not a loopback address.*--metrics-token-file.*--listen-public' "saying what to do"
busy=$(free_port)
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(30)' "$busy" &
TEST_PIDS="$TEST_PIDS $!"
wait_until 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$busy"
"$HASYNC" serve -e "$A" --listen "127.0.0.1:$busy" >"$T/e2.out" 2>"$T/e2.err"
is "$? $(wc -l <"$T/e2.err")" "2 1" "a port in use: exit 2, one line"
like "$(cat "$T/e2.err")" "cannot listen on 127\\.0\\.0\\.1:$busy: Address already in use" "naming the address and the cause"

# ---- the serve options from a config file; --ready-strict ----
# A table dropped behind Hasura and the sources reloaded: both replicas
# inconsistent, in sync. /readyz stays 200 (inconsistency alone does not
# make a replica unready) unless ready-strict is set, here by the file.
q "DROP TABLE article" >/dev/null
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_sources":true}}' "$SECRET" >/dev/null
wait_until 30 ic_is "$B" 1
CP=$(free_port)
cfg() {	# cfg EXTRA-LINE: a config file for serve on 127.0.0.1:$CP
	printf 'endpoint = %s\nendpoint = %s\nlisten = 127.0.0.1:%s\nprobe-interval = 300\ntimeout = 1500\n%s\n' \
	    "$A" "$B" "$CP" "$1" >"$T/serve.conf"
}
# An answer that names the inconsistency (a refused connection leaves no
# body: the last one must not count).
readyz_settled() {
	rm -f "$T/body"
	hget "http://127.0.0.1:$CP/readyz/1" >/dev/null
	[ "$(hstatus)" != 000 ] && grep -q 'inconsistent' "$T/body" 2>/dev/null
}
cfg '# not strict'
t0=$(now_ms)
"$HASYNC" serve -c "$T/serve.conf" >"$T/c1.out" 2>"$T/c1.err" &
SERVE_PID=$!; TEST_PIDS="$TEST_PIDS $SERVE_PID"
# Up to 30 s: a sanitized build starts and probes slowly on a busy machine.
wait_until 300 readyz_settled || { diag "not settled; stderr:"; diag "$(head -c 2000 "$T/c1.err")"; }
diag "serve from the config file: /readyz/1 settled after $(( $(now_ms) - t0 )) ms"
like "$(hstatus) $(cat "$T/body")" "^200 $A: ready: inconsistent" \
    "config file: serve listens where the file says; an inconsistent replica stays ready"
hget "http://127.0.0.1:$CP/readyz" >/dev/null
is "$(hstatus) $(cat "$T/body")" "200 ready: all 2 replicas" "and so does the whole set"
serve_stop
cfg 'ready-strict'
"$HASYNC" serve -c "$T/serve.conf" >"$T/c2.out" 2>"$T/c2.err" &
SERVE_PID=$!; TEST_PIDS="$TEST_PIDS $SERVE_PID"
wait_until 300 readyz_settled
is "$(hstatus)" 503 "ready-strict in the config file: inconsistent replicas are not ready"
like "$(cat "$T/body")" 'inconsistent object.*--ready-strict' "and the reason says so"
serve_stop
