#!/bin/bash
# tests/integration/emu-api.sh: hasura-emu endpoints, success and error
# shapes, admin-secret checks, and inconsistent objects after DROP TABLE
# (facts §3, §4, §5).
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

plan 53
pg_test_db
q "CREATE TABLE author (id int PRIMARY KEY, name text);
   CREATE TABLE article (id int PRIMARY KEY, title text,
     author_id int REFERENCES author(id));" >/dev/null

S=s3cret
emu_start a --admin-secret "$S" --poll-interval 300
U=$EMU_URL_a
ID=${EMU_IDS_a[0]}

# --- public endpoints (facts §4) ---
is "$(emu_http GET "$U/healthz")" "OK" "healthz OK without auth"
is "$(emu_status)" 200 "healthz 200"
is "$(emu_http GET "$U/hasura/healthz")" "OK" "/hasura/healthz alias"
is "$(emu_http GET "$U/v1/version")" '{"version":"v2.36.0","server_type":"ce"}' "version body"

# --- auth (facts §3.9) ---
is "$(emu_meta "$U" '{"type":"export_metadata","args":{}}')" \
    '{"error":"x-hasura-admin-secret/x-hasura-access-key required, but not found","path":"$","code":"access-denied"}' \
    "missing secret body"
is "$(emu_status)" 401 "missing secret 401"
is "$(emu_meta "$U" '{"type":"export_metadata","args":{}}' wrong)" \
    '{"error":"invalid x-hasura-admin-secret/x-hasura-access-key","path":"$","code":"access-denied"}' \
    "wrong secret body"
is "$(emu_status)" 401 "wrong secret 401"
st=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' \
    -H "x-hasura-access-key: $S" -d '{"type":"get_inconsistent_metadata","args":{}}' "$U/v1/metadata")
is "$st" 200 "X-Hasura-Access-Key alias, lower-case header"
body=$(curl -s --noproxy '*' --max-time 5 -H "X-Hasura-Admin-Secret: $S" -H 'X-Hasura-Role: user' \
    -d '{"type":"export_metadata","args":{}}' "$U/v1/metadata")
is "$body" '{"error":"restricted access : admin only","path":"$.args","code":"access-denied"}' \
    "non-admin role on metadata"
is "$(emu_http GET "$U/emu/stats")" \
    '{"error":"x-hasura-admin-secret/x-hasura-access-key required, but not found","path":"$","code":"access-denied"}' \
    "/emu/stats needs the secret"

# --- envelope errors (facts §3.8) ---
is "$(emu_meta "$U" '{"type":"frobnicate","args":{}}' "$S")" \
    '{"error":"unknown metadata command \"frobnicate\"","path":"$","code":"parse-failed"}' \
    "unknown command body"
is "$(emu_status)" 400 "unknown command 400"
body=$(emu_meta "$U" '{not json' "$S")
like "$body" '"code":"invalid-json"' "invalid JSON code"
is "$(emu_status)" 400 "invalid JSON 400"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":"x"}' "$S")
like "$body" '^\{"error":"[^"]+","path":"\$\.args","code":"parse-failed"\}$' "bad args: parse-failed at \$.args"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":{"reload_sources":["nope"]}}' "$S")
is "$body" '{"error":"Source with name \"nope\" not found in metadata","path":"$.args","code":"not-exists"}' \
    "unknown source name"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":{"reload_remote_schemas":["rs"]}}' "$S")
like "$body" 'Remote schema with name \\"rs\\" not found in metadata","path":"\$\.args","code":"not-exists"' \
    "unknown remote schema name"
is "$(emu_http GET "$U/v1/nothing")" '{"error":"resource does not exist","path":"$","code":"not-found"}' \
    "unknown route body"
is "$(emu_status)" 404 "unknown route 404"

# --- export / reload (facts §3.2, §3.5, §1.2) ---
v0=$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")
body=$(emu_meta "$U" '{"type":"export_metadata","args":{}}' "$S")
like "$body" '^\{"version":3,"sources":\[\{"name":"default","kind":"postgres"' "export v1 is the metadata"
body=$(emu_meta "$U" '{"type":"export_metadata","version":2,"args":{}}' "$S")
is "$(echo "$body" | emu_json 'j["resource_version"]')" "$v0" "export v2 resource_version from DB"
is "$(q "SELECT version FROM hdb_catalog.hdb_version")" 48 "catalog version 48"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":{}}' "$S")
is "$body" '{"is_consistent":true,"message":"success"}' "reload_metadata v2.4+ body"
is "$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")" "$((v0 + 1))" "reload bumps resource_version"
is "$(q "SELECT notification::text || ' ' || instance_id FROM hdb_catalog.hdb_schema_notifications")" \
    "{\"metadata\":true,\"remote_schemas\":[],\"sources\":[\"default\"],\"data_connectors\":[]} $ID" \
    "reload notification and writer id"

# --- replace_metadata (facts §3.6) ---
CFG='"configuration":{"connection_info":{"database_url":{"from_env":"HASURA_GRAPHQL_DATABASE_URL"},"isolation_level":"read-committed","use_prepared_statements":true}}'
AUTHOR='{"table":{"schema":"public","name":"author"},"array_relationships":[{"name":"articles","using":{"foreign_key_constraint_on":{"column":"author_id","table":{"schema":"public","name":"article"}}}}],"select_permissions":[{"role":"user","permission":{"columns":["id","name"],"filter":{}}}]}'
ARTICLE='{"table":{"schema":"public","name":"article"},"object_relationships":[{"name":"author","using":{"foreign_key_constraint_on":"author_id"}}]}'
MD="{\"version\":3,\"sources\":[{\"name\":\"default\",\"kind\":\"postgres\",\"tables\":[$AUTHOR,$ARTICLE],$CFG}]}"
body=$(emu_meta "$U" "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"metadata\":$MD}}" "$S")
is "$body" '{"is_consistent":true,"inconsistent_objects":[]}' "replace_metadata v2 consistent"
v1=$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")
is "$(q "SELECT notification::text FROM hdb_catalog.hdb_schema_notifications")" \
    '{"metadata":false,"remote_schemas":[],"sources":["default"],"data_connectors":[]}' \
    "replace notification: all sources, metadata false"
body=$(emu_http POST "$U/v1/graphql" '{"query":"{ __schema { queryType { name } } }"}' "$S")
like "$body" '"name":"author"' "graphql introspection has author"
like "$body" '"name":"article"' "graphql introspection has article"
body=$(emu_meta "$U" "{\"type\":\"replace_metadata\",\"resource_version\":$((v1 - 1)),\"args\":$MD}" "$S")
is "$body" "{\"error\":\"metadata resource version referenced ($((v1 - 1))) did not match current version\",\"path\":\"\$\",\"code\":\"conflict\"}" \
    "stale resource_version: exact 409 body"
is "$(emu_status)" 409 "stale resource_version: 409"
body=$(emu_meta "$U" "{\"type\":\"replace_metadata\",\"resource_version\":$v1,\"args\":$MD}" "$S")
is "$body" '{"message":"success"}' "replace v1 with current resource_version"

# --- DROP TABLE outside Hasura (facts §5.3(a), issue #8245) ---
q "DROP TABLE article" >/dev/null
body=$(emu_meta "$U" '{"type":"get_inconsistent_metadata","args":{}}' "$S")
is "$body" '{"is_consistent":true,"inconsistent_objects":[]}' "cache stale until a reload"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":{"reload_sources":false}}' "$S")
is "$(echo "$body" | emu_json 'j["is_consistent"]')" true "reload without sources keeps old source info"
body=$(emu_meta "$U" '{"type":"reload_metadata","args":{"reload_sources":true}}' "$S")
is "$(echo "$body" | emu_json 'j["is_consistent"]')" false "reload with sources: inconsistent"
is "$(echo "$body" | emu_json '[o["name"] for o in j["inconsistent_objects"]][0]')" \
    "table article in source default" "table name format"
is "$(echo "$body" | emu_json 'j["inconsistent_objects"][0]["reason"]')" \
    'Inconsistent object: no such table/view exists in source: "article"' "table reason"
is "$(echo "$body" | emu_json 'j["inconsistent_objects"][0]["definition"]')" \
    '{"schema":"public","name":"article"}' "table definition"
is "$(echo "$body" | emu_json '[o for o in j["inconsistent_objects"] if o["type"]=="array_relation"][0]["name"]')" \
    "array_relation articles in table author in source default" "array_relation name"
is "$(echo "$body" | emu_json '[o for o in j["inconsistent_objects"] if o["type"]=="array_relation"][0]["reason"]')" \
    'Inconsistent object: in table "author": in relationship "articles": table "article" does not exist in source: default' \
    "array_relation reason"
is "$(emu_http GET "$U/healthz")" "WARN: inconsistent objects in schema" "healthz WARN"
is "$(emu_http GET "$U/healthz?strict=true")" "ERROR: inconsistent objects in schema" "healthz strict body"
is "$(emu_status)" 500 "healthz strict 500"
body=$(emu_http POST "$U/v1/query" '{"type":"get_inconsistent_metadata","args":{}}' "$S")
# Not object_relation author, declared on the dropped table itself (Hasura's
# tests-py inconsistent_objects/expectation.yaml; tests/emu/conformance).
is "$(echo "$body" | emu_json 'sorted(o["type"] for o in j["inconsistent_objects"])')" \
    '["array_relation","table"]' "legacy /v1/query: table and the relationship pointing at it"
body=$(emu_meta "$U" "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"metadata\":$MD}}" "$S")
like "$body" '^\{"error":"cannot continue due to inconsistent metadata","path":"\$\.args","code":"unexpected","internal":\[' \
    "replace with inconsistency refused"
body=$(emu_meta "$U" '{"type":"drop_inconsistent_metadata","args":{}}' "$S")
is "$body" '{"message":"success"}' "drop_inconsistent_metadata"
body=$(emu_meta "$U" '{"type":"get_inconsistent_metadata","args":{}}' "$S")
is "$body" '{"is_consistent":true,"inconsistent_objects":[]}' "consistent after drop"
body=$(emu_meta "$U" '{"type":"export_metadata","args":{}}' "$S")
is "$(echo "$body" | emu_json '[t["table"]["name"] for t in j["sources"][0]["tables"]]')" '["author"]' \
    "drop kept author, dropped article"

# --- clear / dump / stats ---
body=$(emu_meta "$U" '{"type":"clear_metadata","args":{}}' "$S")
is "$body" '{"message":"success"}' "clear_metadata"
body=$(emu_meta "$U" '{"type":"export_metadata","args":{}}' "$S")
is "$(echo "$body" | emu_json '[s["name"] + ":" + str(len(s["tables"])) for s in j["sources"]]')" \
    '["default:0"]' "clear keeps an empty default source"
body=$(emu_meta "$U" '{"type":"dump_internal_state","args":{}}' "$S")
is "$(echo "$body" | emu_json 'j["metadata_resource_version"]')" \
    "$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")" "dump_internal_state version"
body=$(emu_http GET "$U/emu/stats" "" "$S")
is "$(echo "$body" | emu_json 'j["metadata_requests"]["reload_metadata"]')" 6 "stats count reloads (errors too)"
done_testing
