# tests/integration/batch-faults.sh: --batch when things fail: a wrong
# secret (with and without --reload), a hung instance, malformed JSON,
# /healthz ERROR, a stuck replica, a pre-v2.4 reload answer, an answer that
# says inconsistent but lists nothing; the secret never appears in any
# output. (tests/integration/fault-matrix.sh runs every mode x fault.)
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 24
pg_test_db
seed_tables
SECRET=faults-Secret-99
emu_start c --instances 3 --poll-interval 200 --admin-secret "$SECRET"
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
seed_metadata "$A" >/dev/null
export HASURA_GRAPHQL_ADMIN_SECRET=$SECRET
wait_until 30 ic_is "$C" 0

# Wrong secret: 3, said plainly, the secret not printed.
HASURA_GRAPHQL_ADMIN_SECRET=not-the-secret "$HASYNC" --batch -e "$A" >"$T/auth.out" 2>&1
is "$?" 3 "wrong secret exits 3"
like "$(cat "$T/auth.out")" "admin secret rejected by $A" "says the secret was rejected, and by whom"
is "$(tail -n 1 "$T/auth.out" | emu_json 'j["instances"][0]["health"]')" auth "health: auth"
unlike "$(cat "$T/auth.out")" "not-the-secret" "the wrong secret is not printed either"
t0=$(now_ms)
HASURA_GRAPHQL_ADMIN_SECRET=not-the-secret "$HASYNC" --batch --reload --timeout 1000 --connect-timeout 500 \
    -e "$A" -e "$B" >"$T/authr.out" 2>&1
rc=$? dt=$(( $(now_ms) - t0 ))
is "$rc" 3 "wrong secret with --reload exits 3"
ok $([ "$dt" -lt 1000 ] && echo 0 || echo 1) "at once: no reload to wait for ($dt ms)"
like "$(cat "$T/authr.out")" 'reload not sent: no reachable instance' "says why no reload was sent"

# A hung instance with --timeout 1000: 3 within 2 s.
emu_fault "$B" '{"hang":true}' "$SECRET" >/dev/null
t0=$(now_ms)
"$HASYNC" --batch -e "$A" -e "$B" --timeout 1000 >"$T/hang.out" 2>&1
rc=$? dt=$(( $(now_ms) - t0 ))
is "$rc" 3 "hung instance exits 3"
ok $([ "$dt" -lt 2000 ] && echo 0 || echo 1) "within 2 s (took $dt ms)"
like "$(tail -n 1 "$T/hang.out" | emu_json 'j["instances"][1]["error"]')" '^timed out after 1[0-9]{3} ms$' \
    "reason: timed out"
emu_fault "$B" '{}' "$SECRET" >/dev/null

# Malformed JSON: 3 with a clear line.
emu_fault "$B" '{"malformed":true}' "$SECRET" >/dev/null
"$HASYNC" --batch -e "$A" -e "$B" >"$T/mal.out" 2>&1
is "$?" 3 "malformed JSON exits 3"
like "$(tail -n 1 "$T/mal.out" | emu_json 'j["instances"][1]["error"]')" \
    "^malformed JSON in get_inconsistent_metadata answer .* from $B$" "a clear line names the problem and the instance"
is "$(tail -n 1 "$T/mal.out" | emu_json 'j["instances"][0]["health"]')" ok "the healthy one is still ok"
emu_fault "$B" '{}' "$SECRET" >/dev/null

# /healthz ERROR on one instance (its metadata storage check failed): 3,
# named, the other one still ok.
emu_fault "$B" '{"healthz_error":true}' "$SECRET" >/dev/null
"$HASYNC" --batch -e "$A" -e "$B" >"$T/hz.out" 2>&1
is "$?" 3 "/healthz ERROR exits 3"
is "$(tail -n 1 "$T/hz.out" | emu_json '[i["health"] for i in j["instances"]]')" '["ok","error"]' \
    "health: ok beside error"
emu_fault "$B" '{}' "$SECRET" >/dev/null

# A stuck replica: 4. Wait for the condition, not for time: the others
# have the new version in memory, C does not.
mem() { emu_meta "$1" '{"type":"dump_internal_state","args":{}}' "$SECRET" | emu_json 'j["metadata_resource_version"]'; }
emu_fault "$C" '{"sync_paused":true}' "$SECRET" >/dev/null
emu_meta "$A" '{"type":"reload_metadata","args":{}}' "$SECRET" >/dev/null
caught_up() { [ "$(mem "$1")" = "$(rv)" ]; }
wait_until 30 caught_up "$A" && wait_until 30 caught_up "$B" && ! caught_up "$C"
ok $? "the healthy replicas caught up; C stays at $(mem "$C") while the catalog is at $(rv)"
"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --poll-interval 100 >"$T/stuck.out" 2>&1
is "$?" 4 "a replica behind the catalog exits 4"
line=$(grep '"instance is behind the catalog"' "$T/stuck.out")
is "$(echo "$line" | emu_json '[j["instance"], j["resource_version"] - j["in_memory_version"]]')" \
    "[\"$C\",1]" "names the stale replica and how far behind"
emu_fault "$C" '{}' "$SECRET" >/dev/null
wait_until 30 sh -c "\"$HASYNC\" --batch -d \"$DATABASE_URL\" -e \"$C\" >/dev/null 2>&1"
ok $? "caught up once resumed: exits 0 again"

# A pre-v2.4 server answers reload with a bare "success": not trusted.
PORT=$(free_port)
emu_start old --server-version v2.3.0 --poll-interval 200 --admin-secret "$SECRET"
O=$EMU_URL_old
seed_metadata "$O" "http://127.0.0.1:$PORT/graphql" >/dev/null
"$HASYNC" --batch --reload -e "$O" >"$T/old.out" 2>&1
is "$?" 1 "pre-v2.4 'success' is not taken for consistent"
like "$(cat "$T/old.out")" 'still inconsistent \(confirmed; pre-v2.4 answer not trusted\)' \
    "the answer was confirmed with get_inconsistent_metadata"

unlike "$(cat "$T"/*.out)" "$SECRET" "the secret appears in no output"

# An answer that says inconsistent and lists nothing is still inconsistent:
# the flag is Hasura's verdict (a canned server; the emulator never says it).
mkdir -p "$T/canned"
printf 'OK' >"$T/canned/healthz"
printf '{"version":"v2.36.0","server_type":"ce"}' >"$T/canned/version.json"
printf '{"is_consistent":false,"inconsistent_objects":[]}' >"$T/canned/get_inconsistent_metadata.json"
canned_start cs "$T/canned"
CS=$CANNED_URL_cs
"$HASYNC" --batch -e "$CS" >"$T/empty.out" 2>&1
is "$?" 1 "is_consistent false with no objects: exit 1"
is "$(tail -n 1 "$T/empty.out" | emu_json 'j["instances"][0]["is_consistent"]')" false "and is_consistent false"
