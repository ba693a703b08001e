#!/bin/bash
# tests/integration/emu-sync.sh: schema sync between two hasura-emu
# instances (facts §2.4-2.6): convergence time, invalidations carried by the
# notification, a paused replica staying behind and catching up, the gap
# case, pre-v2.4 reload body and --poll-interval 0.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

plan 22
pg_test_db
q "CREATE TABLE t1 (id int PRIMARY KEY, v text);
   CREATE TABLE t2 (id int PRIMARY KEY, w text);" >/dev/null

POLL=500
emu_start s --instances 2 --poll-interval $POLL -v
A=${EMU_URLS_s[0]}
B=${EMU_URLS_s[1]}
isnt_same=1; [ "${EMU_IDS_s[0]}" != "${EMU_IDS_s[1]}" ] && isnt_same=0
ok $isnt_same "two instances, two instance ids"

CFG='"configuration":{"connection_info":{"database_url":{"from_env":"HASURA_GRAPHQL_DATABASE_URL"}}}'
md() {	# md TABLE...: replace_metadata v2 args tracking these tables
	local t list=""
	for t in "$@"; do list="$list${list:+,}{\"table\":{\"schema\":\"public\",\"name\":\"$t\"}}"; done
	echo "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"allow_inconsistent_metadata\":true,\"metadata\":{\"version\":3,\"sources\":[{\"name\":\"default\",\"kind\":\"postgres\",\"tables\":[$list],$CFG}]}}}"
}
ver() { emu_meta "$1" '{"type":"dump_internal_state","args":{}}' | emu_json 'j["metadata_resource_version"]'; }
dbver() { q "SELECT resource_version FROM hdb_catalog.hdb_metadata"; }
gql() { emu_http POST "$1/v1/graphql" '{"query":"query { __schema { types { name } } }"}'; }
at_version() { [ "$(ver "$1")" = "$2" ]; }
incons() { emu_meta "$1" '{"type":"get_inconsistent_metadata","args":{}}' | emu_json 'j["is_consistent"]'; }

# --- a change on A reaches B within one poll interval + rebuild ---
# Timed by the emulator's own log clock, from A's commit (its "Inserted
# schema cache sync notification at resource version:N") to B's "Schema
# cache updated with resource version: N": what the test's own processes
# cost (curl, python, psql: 450 ms idle, over 2 s on a busy CI machine) is
# not B's convergence.
sync_ms() {	# sync_ms N: ms from A's commit of version N to B's rebuild
	python3 - "$T/s.err" "$1" "${EMU_IDS_s[0]}" "${EMU_IDS_s[1]}" <<'PY'
import json, sys, datetime
path, n, a, b = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def ts(j):
    return datetime.datetime.strptime(j["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
commit = done = None
for line in open(path):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    info = j.get("detail", {}).get("info")
    who = j.get("emu_instance")
    if who == a and info == "Inserted schema cache sync notification at resource version:" + n:
        commit = ts(j)
    if who == b and info == "Schema cache updated with resource version: " + n and commit is not None:
        done = ts(j)
        break
print("none" if commit is None or done is None else round((done - commit) * 1000))
PY
}
emu_meta "$A" "$(md t1)" >/dev/null
target=$(dbver)
wait_until 50 at_version "$B" "$target"
synced() { [ "$(sync_ms "$1")" != none ]; }	# B's log line follows its version
wait_until 20 synced "$target"
elapsed=$(sync_ms "$target")
diag "B converged to resource_version $target ${elapsed} ms after A's commit (poll interval ${POLL} ms)"
ok $([ "$elapsed" != none ] && [ "$elapsed" -le $((POLL + 500)) ]; echo $?) \
    "B converged within poll interval + rebuild"
is "$(gql "$B")" "$(gql "$A")" "A and B answer introspection identically"
like "$(gql "$B")" '"name":"t1"' "B's schema has t1"
is "$(q "SELECT instance_id FROM hdb_catalog.hdb_schema_notifications")" "${EMU_IDS_s[0]}" \
    "notification written by A"
stats=$(emu_http GET "$B/emu/stats")
is "$(echo "$stats" | emu_json 'j["modifying_requests"]')" 0 "B served no modifying request"
like "$(cat "$T/s.err")" '"detail":\{"info":"Received metadata resource version: [0-9]+, different from the current engine resource version: [0-9]+\. Trying to update the schema cache\.","thread_type":"processor"\},"level":"info","timestamp":"[0-9T:.+-]+","type":"schema-sync"' \
    "processor log line shape"
like "$(cat "$T/s.err")" 'Fetched metadata notifications and received some notifications\. Updating the schema cache\.' \
    "B rebuilt from a notification"

# --- invalidations travel: DROP TABLE + reload with sources on A ---
q "DROP TABLE t1" >/dev/null
is "$(incons "$B")" true "B consistent before any reload (stale source info)"
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_sources":["default"]}}' >/dev/null
target=$(dbver)
wait_until 50 at_version "$B" "$target"
wait_until 20 synced "$target"
elapsed=$(sync_ms "$target")
diag "B converged to resource_version $target ${elapsed} ms after A's reload"
ok $([ "$elapsed" != none ] && [ "$elapsed" -le $((POLL + 500)) ]; echo $?) \
    "B converged after a reload within poll interval + rebuild"
is "$(incons "$B")" false "B re-introspected the source from the notification"
like "$(emu_meta "$B" '{"type":"get_inconsistent_metadata","args":{}}')" \
    '"name":"table t1 in source default"' "B reports table t1"

# --- a paused replica stays behind and catches up ---
q "CREATE TABLE t1 (id int PRIMARY KEY, v text)" >/dev/null
emu_fault "$B" '{"sync_paused":true}' >/dev/null
old=$(ver "$B")
emu_meta "$A" "$(md t1 t2)" >/dev/null
target=$(dbver)
sleep $(( (POLL * 3) / 1000 + 1 ))
is "$(ver "$B")" "$old" "paused B keeps its old resource_version"
is "$(emu_http GET "$B/healthz")" "WARN: inconsistent objects in schema" "paused B serves its old cache"
unlike "$(gql "$B")" '"name":"t2"' "paused B's schema lacks t2"
t0=$(now_ms)
emu_fault "$B" '{}' >/dev/null
wait_until 50 at_version "$B" "$target"
diag "resumed B caught up in $(( $(now_ms) - t0 )) ms"
is "$(ver "$B")" "$target" "resumed B caught up"
is "$(gql "$B")" "$(gql "$A")" "resumed B answers like A"

# --- a gap (several writes while paused) rebuilds everything ---
emu_fault "$B" '{"sync_paused":true}' >/dev/null
emu_meta "$A" "$(md t2)" >/dev/null
emu_meta "$A" "$(md t1)" >/dev/null
target=$(dbver)
emu_fault "$B" '{}' >/dev/null
wait_until 50 at_version "$B" "$target"
is "$(gql "$B")" "$(gql "$A")" "after a gap B matches A"

# --- pre-v2.4 reload body and disabled sync ---
emu_start old --server-version v2.3.0 --poll-interval 0
is "$(emu_meta "$EMU_URL_old" '{"type":"reload_metadata","args":{}}')" '{"message":"success"}' \
    "pre-v2.4 reload_metadata body"
is "$(emu_http GET "$EMU_URL_old/v1/version")" '{"version":"v2.3.0","server_type":"ce"}' "old version"
v=$(ver "$EMU_URL_old")
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
sleep 1
is "$(ver "$EMU_URL_old")" "$v" "--poll-interval 0: no sync"
emu_stop s
is "$EMU_EXIT" 0 "SIGTERM exits 0"
done_testing
