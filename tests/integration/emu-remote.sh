#!/bin/bash
# tests/integration/emu-remote.sh: a remote schema down when the cache was
# built stays inconsistent until a reload that invalidates it (issue #4117
# pain, facts §7), the http_exception shape (facts §5.3(c)), replicas
# reloading it through the notification, and healing (facts §2.8).
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

plan 23
pg_test_db

# --- the --remote-schema server itself ---
remote_start probe
like "$REMOTE_URL_probe" '^http://127\.0\.0\.1:[0-9]+/graphql$' "remote server ready line"
body=$(curl -s --noproxy '*' --max-time 5 -d '{"query":"{ __schema { queryType { name } } }"}' "$REMOTE_URL_probe")
is "$(echo "$body" | emu_json 'j["data"]["__schema"]["queryType"]["name"]')" Query "introspection answer"
remote_stop probe
is "$EMU_EXIT" 0 "remote server exits 0 on SIGTERM"

PORT=$(free_port)
RS_URL="http://127.0.0.1:$PORT/graphql"
export EMU_TEST_RS_URL="http://127.0.0.1:$PORT/graphql"
CFG='"configuration":{"connection_info":{"database_url":{"from_env":"HASURA_GRAPHQL_DATABASE_URL"}}}'
MD="{\"version\":3,\"sources\":[{\"name\":\"default\",\"kind\":\"postgres\",\"tables\":[],$CFG}],\"remote_schemas\":[{\"name\":\"rs\",\"definition\":{\"url\":\"$RS_URL\",\"timeout_seconds\":5,\"forward_client_headers\":true}},{\"name\":\"envrs\",\"definition\":{\"url_from_env\":\"EMU_TEST_RS_URL\",\"timeout_seconds\":5}},{\"name\":\"unset\",\"definition\":{\"url_from_env\":\"EMU_TEST_NOT_SET\"}}]}"

emu_start r --instances 2 --poll-interval 300
A=${EMU_URLS_r[0]}
B=${EMU_URLS_r[1]}
body=$(emu_meta "$A" "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"allow_inconsistent_metadata\":true,\"metadata\":$MD}}")
is "$(echo "$body" | emu_json 'j["is_consistent"]')" false "remote schemas down: replace allowed"
rs() { echo "$1" | emu_json "[o for o in j[\"inconsistent_objects\"] if o[\"name\"]==\"remote_schema $2\"][0]$3"; }
is "$(rs "$body" rs '["type"]')" remote_schema "type remote_schema"
is "$(rs "$body" rs '["reason"]')" "Inconsistent object: HTTP exception occurred while sending the request to \"$RS_URL\"" \
    "url reason"
is "$(rs "$body" envrs '["reason"]')" 'Inconsistent object: HTTP exception occurred while sending the request to "EMU_TEST_RS_URL"' \
    "url_from_env reason names the variable"
is "$(rs "$body" rs '["message"]["type"]')" http_exception "message type http_exception"
is "$(rs "$body" rs '["message"]["request"]["port"]')" "$PORT" "message request port"
is "$(rs "$body" rs '["message"]["request"]["responseTimeout"]')" "ResponseTimeoutMicro 5000000" \
    "responseTimeout from timeout_seconds"
is "$(rs "$body" rs '["definition"]["permissions"]')" "[]" "definition gets permissions []"
is "$(rs "$body" unset '["reason"]')" "Inconsistent object: environment variable 'EMU_TEST_NOT_SET' not set" \
    "unset url_from_env reason"

# --- it comes back: still inconsistent until a reload that names it ---
remote_start up "$PORT"
count() { emu_meta "$1" '{"type":"get_inconsistent_metadata","args":{}}' | emu_json 'len(j["inconsistent_objects"])'; }
sleep 1
is "$(count "$A")" 3 "remote back up: A still inconsistent (no re-introspection)"
body=$(emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":false}}')
is "$(echo "$body" | emu_json 'len(j["inconsistent_objects"])')" 3 \
    "reload_metadata without remote schemas: still inconsistent"
body=$(emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":["rs"]}}')
is "$(echo "$body" | emu_json 'sorted(o["name"] for o in j["inconsistent_objects"])')" \
    '["remote_schema envrs","remote_schema unset"]' "reload naming rs heals only rs"
ver() { emu_meta "$1" '{"type":"dump_internal_state","args":{}}' | emu_json 'j["metadata_resource_version"]'; }
dbv=$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")
at() { [ "$(ver "$1")" = "$2" ]; }
wait_until 50 at "$B" "$dbv"
# B either applies both notifications (only rs re-introspected) or, if it
# polled after both, sees a gap and reloads everything (envrs heals too):
# both are Hasura's behaviour (facts §2.5). Either way rs is healed.
names() { emu_meta "$1" '{"type":"get_inconsistent_metadata","args":{}}' |
    emu_json 'sorted(o["name"] for o in j["inconsistent_objects"])'; }
like "$(names "$B")" '^\[("remote_schema envrs",)?"remote_schema unset"\]$' \
    "B re-introspected rs from the notification"
is "$(q "SELECT notification->>'remote_schemas' FROM hdb_catalog.hdb_schema_notifications")" '["rs"]' \
    "notification lists rs"
body=$(emu_meta "$A" '{"type":"reload_metadata","args":{}}')
is "$(echo "$body" | emu_json '[o["name"] for o in j["inconsistent_objects"]]')" '["remote_schema unset"]' \
    "default reload re-introspects all remote schemas"
stats=$(emu_http GET "$A/emu/stats")
is "$(echo "$stats" | emu_json 'j["last_reload_args"]')" '{}' "stats: last reload args"
emu_stop r
remote_stop up

# --- healing: each replica heals itself, no resource_version bump ---
emu_start h --poll-interval 300 --healing-interval 200 -v
H=$EMU_URL_h
emu_meta "$H" '{"type":"reload_metadata","args":{}}' >/dev/null
before=$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")
is "$(count "$H")" 3 "healing instance starts with 3 inconsistencies"
remote_start up2 "$PORT"
two() { [ "$(count "$H")" = 1 ]; }
t0=$(now_ms)
wait_until 60 two
diag "healed in $(( $(now_ms) - t0 )) ms"
is "$(count "$H")" 1 "healing made rs and envrs consistent"
is "$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")" "$before" "healing does not bump resource_version"
like "$(cat "$T/h.err")" 'remote schema rs is consistent again' "healing log line"
done_testing
