# tests/integration/pass-through.sh: what hasync prints of an instance's
# inconsistent objects are the bytes the instance sent: their order, their
# count (duplicates too), escapes and number spellings a JSON library would
# rewrite (\u00e9, 60.0, 1e2); an answer pretty-printed by a proxy still
# gives one line per record. A canned server sends the answers.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
plan 11
mkdir -p "$T/c"
printf 'WARN: inconsistent objects in schema' >"$T/c/healthz"
printf '{"version":"v2.36.0","server_type":"ce"}' >"$T/c/version.json"
canned_start srv "$T/c"
U=$CANNED_URL_srv

# Three objects: two share type and name; spellings a re-encoder changes.
LIST='[{"type":"remote_schema","name":"remote_schema b","reason":"Inconsistent object: caf\u00e9 \/ down","definition":{"timeout_seconds":60.0,"n":1e2}},{"name":"table a in source default","type":"table","reason":"r1","definition":{"name":"a"}},{"type":"remote_schema","name":"remote_schema b","reason":"second","definition":{}}]'
printf '{"is_consistent":false,"inconsistent_objects":%s}' "$LIST" >"$T/c/get_inconsistent_metadata.json"
printf '{"is_consistent":false,"message":"success","inconsistent_objects":%s}' "$LIST" >"$T/c/reload_metadata.json"

"$HASYNC" --batch -e "$U" >"$T/b.out" 2>&1
is "$?" 1 "inconsistent: exit 1"
line=$(grep '"Metadata is inconsistent."' "$T/b.out")
case $line in
*"\"inconsistent_objects\":$LIST,"*) pass "--batch: the objects are the bytes the instance sent" ;;
*) fail "--batch: the objects are the bytes the instance sent"; diag "$line" ;;
esac
is "$(tail -n 1 "$T/b.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["inconsistent_count"])')" 3 \
    "three in, three counted (duplicates kept)"

# Sentry's extra: the objects as sent, in order, duplicates kept (a JSON
# value, so compared as parsed values: the event is jansson's encoding).
mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
SP=$(awk '{print $2}' "$T/cap.out")
"$HASYNC" --batch -e "$U" --sentry-dsn "http://pubkey@127.0.0.1:$SP/7" >/dev/null 2>&1
is "$(ls "$T/sentry" | wc -l)" 1 "Sentry: one event"
is "$(sed '1,/^$/d' "$T/sentry/1.req" | sed -n 3p | python3 -c 'import json,sys; print(json.load(sys.stdin)["extra"]["inconsistent_objects"] == json.loads(sys.argv[1]))' "$LIST")" \
    True "Sentry: extra.inconsistent_objects are the objects sent, in order, duplicates kept"

"$HASYNC" reload --hasura-endpoint "$U" --reload-scope full >"$T/r.out" 2>&1
line=$(grep '"Metadata is inconsistent."' "$T/r.out")
case $line in
*"\"inconsistent_objects\":$LIST,"*) pass "reload: the reload answer's bytes, as sent" ;;
*) fail "reload: the reload answer's bytes, as sent"; diag "$line" ;;
esac

# A proxy that pretty-prints: still one JSON line per record, the objects
# equal to what was sent, only the whitespace between tokens gone.
python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), indent=2))' \
    "{\"is_consistent\":false,\"inconsistent_objects\":$LIST}" >"$T/c/get_inconsistent_metadata.json"
"$HASYNC" --batch -e "$U" >"$T/p.out" 2>&1
is "$?" 1 "pretty-printed answer: exit 1"
bad=0
while IFS= read -r l; do
	printf '%s' "$l" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null || bad=1
done <"$T/p.out"
is "$bad" 0 "every output line is one JSON record"
is "$(grep '"Metadata is inconsistent."' "$T/p.out" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["inconsistent_objects"]))')" \
    "$(printf '%s' "$LIST" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))')" \
    "and the objects are those sent, in their order"

# --format text: the three rows in the order sent.
printf '{"is_consistent":false,"inconsistent_objects":%s}' "$LIST" >"$T/c/get_inconsistent_metadata.json"
"$HASYNC" --batch --format text -e "$U" >"$T/t.out" 2>&1
is "$(grep -cE '^(remote_schema b|table a in source default) ' "$T/t.out")" 3 "text: three rows"
is "$(grep -oE '^(remote_schema b|table a)' "$T/t.out" | tr '\n' ,)" "remote_schema b,table a,remote_schema b," \
    "text: in the order sent"
