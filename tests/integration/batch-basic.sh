# tests/integration/batch-basic.sh: hasync --batch against a real PostgreSQL
# catalog and emulated replicas: a consistent cluster, a table dropped
# outside Hasura, the JSON-lines shape, --format text, one broken instance.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 31
pg_test_db
seed_tables
emu_start c --instances 2 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" >/dev/null
wait_until 30 ic_is "$B" 0

"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" -e "$B" >"$T/ok.out" 2>"$T/ok.err"
is "$?" 0 "consistent cluster exits 0"
is "$(wc -l <"$T/ok.err")" 0 "nothing on stderr"
last=$(tail -n 1 "$T/ok.out")
is "$(echo "$last" | emu_json 'j["message"]')" summary "last line is the summary"
is "$(echo "$last" | emu_json 'j["resource_version"]')" "$(rv)" "summary carries the catalog resource_version"
is "$(echo "$last" | emu_json '[i["endpoint"] for i in j["instances"]]')" "[\"$A\",\"$B\"]" \
    "summary lists both instances"
is "$(echo "$last" | emu_json 'sorted(j["instances"][0].keys())')" \
    '["endpoint","error","health","in_memory_version","inconsistent_count","is_consistent","latency_ms","reason","version"]' \
    "instance fields"
bad=0
while read -r line; do
	echo "$line" | emu_json '[j["level"], j["time"], j["message"]]' >/dev/null || bad=1
	echo "$line" | grep -Eq '"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})"' || bad=1
done <"$T/ok.out"
is "$bad" 0 "every line is JSON with level, RFC 3339 time, message"
like "$(sed -n 2p "$T/ok.out")" '^\{"level":"info","is_consistent":true,"instance":"[^"]+","time":"[^"]+","message":"Metadata is consistent."\}$' \
    "consistent line in hasura-metadata-reloader's shape"

# A table dropped outside Hasura shows once a reload with sources ran.
q "DROP TABLE article" >/dev/null
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_sources":true}}' >/dev/null
wait_until 30 ic_is "$B" 2
"$HASYNC" --batch -d "$DATABASE_URL" -e "$A" -e "$B" >"$T/bad.out" 2>&1
is "$?" 1 "table dropped outside Hasura exits 1"
err=$(grep '"error":"metadata is inconsistent"' "$T/bad.out" | head -n 1)
is "$(echo "$err" | emu_json 'j["message"]')" "Metadata is inconsistent." "error line message"
is "$(echo "$err" | emu_json 'sorted(o["name"] for o in j["inconsistent_objects"])')" \
    '["array_relation articles in table author in source default","table article in source default"]' \
    "both objects, with Hasura's names"
is "$(echo "$err" | emu_json '[o["reason"] for o in j["inconsistent_objects"] if o["type"]=="table"][0]')" \
    'Inconsistent object: no such table/view exists in source: "article"' "reason exactly as Hasura returned it"
sent=$(emu_meta "$A" '{"type":"get_inconsistent_metadata","args":{}}' | emu_json 'j["inconsistent_objects"]')
is "$(echo "$err" | emu_json 'j["inconsistent_objects"]')" "$sent" \
    "objects passed through: every field, in the order the instance sent them"
is "$(grep -c '"error":"metadata is inconsistent"' "$T/bad.out")" 2 "one error line per inconsistent instance"
is "$(tail -n 1 "$T/bad.out" | emu_json 'j["exit_code"]')" 1 "summary exit_code 1"

"$HASYNC" --batch --format text -d "$DATABASE_URL" -e "$A" -e "$B" >"$T/text.out" 2>&1
is "$?" 1 "--format text: same exit code"
like "$(cat "$T/text.out")" 'NAME +TYPE +REASON' "text table header"
like "$(cat "$T/text.out")" 'table article in source default +table +Inconsistent object: no such table' "text row"
like "$(cat "$T/text.out")" "2 inconsistent objects from $A and 1 other:" "text: one list, naming who sent it"
is "$(grep -oE '^(table|array_relation) [a-z]+' "$T/text.out" | tr '\n' ,)" \
    "$(echo "$sent" | emu_json '",".join(o["type"] + " " + o["name"].split()[1] for o in j)')," \
    "text: rows in the order the instance sent them"
unlike "$(cat "$T/text.out")" $'\e' "no escape sequences in text output"
# The text face has the console's words: a row per instance with its
# verdict and in-memory version, a verdict line, and a last line that
# explains the exit code; a reload pass adds what it sent and what came of it.
like "$(cat "$T/text.out")" '# +INSTANCE +HEALTH +LATENCY +VERSION +IN-MEM +WHY' "text: instance table header"
like "$(grep -E '^1 ' "$T/text.out")" "^1 +[^ ]+ +inconsistent +[0-9]+ms +[^ ]+ +$(rv) " \
    "text: the row says inconsistent, its latency and its in-memory version"
is "$(grep -c '^verdict: .*inconsistent' "$T/text.out")" 1 "text: one verdict line naming the problem"
is "$(tail -n 1 "$T/text.out")" "exit 1: metadata is inconsistent" "text: the last line explains the exit code"
"$HASYNC" --batch --reload --format text -e "$A" >"$T/textr.out" 2>&1
is "$?" 1 "--format text --reload: still inconsistent, 1"
like "$(grep '^reload: ' "$T/textr.out")" 'reload_metadata|verified|inconsistent' "text: a reload line says what was sent and what came of it"

# Two instances, one broken: both in the summary.
port=$(free_port)
"$HASYNC" --batch -e "$A" -e "http://127.0.0.1:$port" --timeout 2000 >"$T/two.out" 2>&1
is "$?" 3 "an unreachable instance exits 3"
sum=$(tail -n 1 "$T/two.out")
is "$(echo "$sum" | emu_json '[i["health"] for i in j["instances"]]')" '["inconsistent","unreachable"]' \
    "summary: both instances, each with its health"
is "$(echo "$sum" | emu_json 'j["instances"][1]["error"]')" "connection refused" "the reason is named"
is "$(echo "$sum" | emu_json 'j["resource_version"]')" "$(rv)" "no database: resource_version from export_metadata"
