# tests/integration/batch-reload.sh: --reload and --wait: a reload always
# happens (scope auto: the broken remote schemas and every source, so a
# table dropped behind Hasura's back is found); targeted names only what is
# broken; full sends {}; hasync reload takes hasura-metadata-reloader's
# names; the audit log; Sentry gets one event per inconsistent run,
# delivered before exit, without the secret.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 34
pg_test_db
seed_tables
SECRET=reload-Secret-42
PORT=$(free_port)
RS="http://127.0.0.1:$PORT/graphql"
emu_start c --instances 2 --poll-interval 200 --admin-secret "$SECRET"
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" "$RS" >/dev/null
wait_until 30 ic_is "$B" 1
export HASURA_GRAPHQL_ADMIN_SECRET=$SECRET

# Consistent-looking cluster but a remote schema down: --reload with no
# --wait reloads once, stays inconsistent.
"$HASYNC" --batch --reload -d "$DATABASE_URL" -e "$A" -e "$B" --audit-log "$T/audit.log" >"$T/r1.out" 2>&1
is "$?" 1 "remote schema still down: --reload exits 1"
stats=$(emu_http GET "$A/emu/stats" "" "$SECRET")
is "$(echo "$stats" | emu_json 'j["last_reload_args"]')" \
    '{"reload_remote_schemas":["rs"],"reload_sources":true,"recreate_event_triggers":false}' \
    "auto: the broken remote schema by name, every source, args explicit"
statsB=$(emu_http GET "$B/emu/stats" "" "$SECRET")
is "$(echo "$stats" | emu_json 'j["metadata_requests"].get("reload_metadata",0)')$(echo "$statsB" | emu_json 'j["metadata_requests"].get("reload_metadata",0)')" \
    10 "exactly one reload, sent to one instance"
a=$(cat "$T/audit.log")
is "$(echo "$a" | emu_json '[j["message"], j["action"], j["target"], j["ok"], j["is_consistent"]]')" \
    "[\"audit\",\"reload_metadata\",\"$A\",true,false]" "audit line: action, target, result"
is "$(echo "$a" | emu_json 'j["args"]["reload_remote_schemas"]')" '["rs"]' "audit line: args"
like "$(echo "$a" | emu_json 'j["user"]')" '.' "audit line: who"

# The remote schema comes up a little later: --wait 30 retries until consistent.
( sleep 1.5; "$EMU" --remote-schema --port "$PORT" >"$T/rs.out" 2>&1 & echo $! >"$T/rs.pid"; wait ) &
TEST_PIDS="$TEST_PIDS $!"
t0=$(now_ms)
"$HASYNC" reload --hasura-endpoint "$A" --wait 30 -d "$DATABASE_URL" >"$T/r2.out" 2>&1
rc=$?
TEST_PIDS="$TEST_PIDS $(cat "$T/rs.pid" 2>/dev/null)"
is "$rc" 0 "hasync reload --wait 30 exits 0 once the remote schema is back"
diag "consistent after $(( $(now_ms) - t0 )) ms"
stats=$(emu_http GET "$A/emu/stats" "" "$SECRET")
is "$(echo "$stats" | emu_json 'j["last_reload_args"]["reload_remote_schemas"]')" '["rs"]' \
    "every retry named only rs"
is "$(tail -n 1 "$T/r2.out" | emu_json 'j["exit_code"]')" 0 "summary exit_code 0"
# The summary is the state after the last reload and its verification:
# the instance it healed is ok, with nothing inconsistent, its latency and
# its server version (issue 9: it used to keep the first probe's "warn").
is "$(tail -n 1 "$T/r2.out" | emu_json '[(i["health"], i["inconsistent_count"], i["latency_ms"] is not None, bool(i.get("version"))) for i in j["instances"]]')" \
    '[["ok",0,true,true]]' "summary after the healing reload: ok, 0 objects, latency and version"
wait_until 30 ic_is "$B" 0; ok $? "the other replica healed through the catalog notification"

# Nothing inconsistent: auto still reloads (once, the sources); targeted
# sends nothing.
mods() { echo $(( $(emu_http GET "$A/emu/stats" "" "$SECRET" | emu_json 'j["modifying_requests"]') + \
    $(emu_http GET "$B/emu/stats" "" "$SECRET" | emu_json 'j["modifying_requests"]') )); }
before=$(mods)
"$HASYNC" --batch --reload -e "$A" -e "$B" >"$T/r3.out" 2>&1
is "$?" 0 "consistent: --reload exits 0"
is "$(mods)" $((before + 1)) "consistent: auto sends exactly one reload"
before=$(mods)
"$HASYNC" --batch --reload --reload-scope targeted -e "$A" -e "$B" >"$T/r3t.out" 2>&1
is "$?" 0 "consistent, targeted: exits 0"
is "$(mods)" "$before" "consistent, targeted: nothing sent"

# A table dropped behind Hasura's back: every cache still says consistent;
# only a reload of the source can see it (facts §3.2, §5). hasync reload
# finds it and names it, as hasura-metadata-reloader's reload_metadata {}
# does; --reload-scope targeted cannot (documented in hasync(1)).
q "DROP TABLE article CASCADE" >/dev/null
is "$(ic_count "$A")" 0 "dropped table: the instance's cache still says consistent"
"$HASYNC" --batch --reload --reload-scope targeted -e "$A" >"$T/d0.out" 2>&1
is "$?" 0 "dropped table, targeted: not seen (nothing to name)"
"$HASYNC" reload --hasura-endpoint "$A" >"$T/d1.out" 2>&1
is "$?" 1 "dropped table: hasync reload exits 1"
is "$(grep '"Metadata is inconsistent."' "$T/d1.out" | emu_json '[o["name"] for o in j["inconsistent_objects"]][0]')" \
    "table article in source default" "and names the dropped table first, as Hasura lists it"
seed_tables
emu_meta "$A" '{"type":"reload_metadata","args":{}}' "$SECRET" >/dev/null
wait_until 30 ic_is "$B" 0; ok $? "table recreated and reloaded: consistent again"

# The old tool's environment names.
HASURA_ENDPOINT=$A HASURA_ADMIN_SECRET=$SECRET HASURA_GRAPHQL_ADMIN_SECRET= "$HASYNC" reload >"$T/r4.out" 2>&1
is "$?" 0 "hasync reload with HASURA_ENDPOINT/HASURA_ADMIN_SECRET"

# --reload-scope full sends both true.
kill "$(cat "$T/rs.pid")" 2>/dev/null; sleep 0.2
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":true}}' "$SECRET" >/dev/null
ics() { emu_http GET "$A/emu/stats" "" "$SECRET" | emu_json 'j["metadata_requests"].get("get_inconsistent_metadata", 0)'; }
before=$(ics)
"$HASYNC" --batch --reload --reload-scope full -e "$A" >"$T/r5.out" 2>&1
is "$?" 1 "full reload, remote schema down: 1"
is "$(ics)" "$before" "full: one request where one suffices (no look before: the answer carries the objects)"
like "$(grep '"Metadata is inconsistent."' "$T/r5.out")" '"name":"remote_schema rs"' "and the objects come from the reload answer"
is "$(emu_http GET "$A/emu/stats" "" "$SECRET" | emu_json 'j["last_reload_args"]')" \
    '{}' "full: {}, the server's defaults, as hasura-metadata-reloader sends"

# Sentry: one event per inconsistent run, delivered before exit, no secret.
mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
SP=$(awk '{print $2}' "$T/cap.out")
"$HASYNC" reload --hasura-endpoint "$A" --sentry-dsn "http://pubkey@127.0.0.1:$SP/7" --sentry-env staging >"$T/s1.out" 2>&1
is "$?" 1 "inconsistent run with Sentry: 1"
is "$(ls "$T/sentry" | wc -l)" 1 "exactly one event delivered before exit"
req=$(cat "$T/sentry/1.req")
like "$(echo "$req" | head -n 1)" '^POST /api/7/envelope/$' "envelope endpoint"
like "$req" 'X-Sentry-Auth: Sentry sentry_version=7, sentry_client=hasync/[0-9.]+, sentry_key=pubkey' "auth header"
ev=$(echo "$req" | sed '1,/^$/d' | sed -n 3p)
is "$(echo "$ev" | emu_json '[j["level"], j["environment"], j["extra"]["endpoint"]]')" \
    "[\"error\",\"staging\",\"$A\"]" "event: level, environment, endpoint"
is "$(echo "$ev" | emu_json '[o["name"] for o in j["extra"]["inconsistent_objects"]]')" '["remote_schema rs"]' \
    "event carries the inconsistent objects"
is "$(echo "$ev" | emu_json 'j["fingerprint"]')" '["hasync","inconsistent","remote_schema rs"]' "fingerprint groups by problem and object"
unlike "$req$(cat "$T"/*.out)" "$SECRET" "the secret is in no event and no output"
"$HASYNC" reload --hasura-endpoint "$A" --sentry-dsn "http://pubkey@127.0.0.1:$SP/7" >/dev/null 2>&1
fp1=$(sed '1,/^$/d' "$T/sentry/1.req" | sed -n 3p | emu_json 'j["fingerprint"]')
fp2=$(sed '1,/^$/d' "$T/sentry/2.req" | sed -n 3p | emu_json 'j["fingerprint"]')
is "$fp2" "$fp1" "the same problem gets the same fingerprint"
