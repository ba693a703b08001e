# tests/integration/serve-reload.sh: POST /reload_metadata of hasync serve
# and hasync server against the emulator. The status codes are
# hasura-metadata-reloader's server mode's (its handler.go: 200 with the
# reload answer when consistent, 500 otherwise: inconsistent, or Hasura
# unreachable); hasync's 500 is JSON naming the error and the objects.
# Twenty requests at once cause one reload (counted at the emulator);
# --readonly sends none (403); hasync server takes the reloader's flags,
# environment and PORT and any method, and warns once that it is open.
# With HMR=/path/to/hasura-metadata-reloader the same three cases are run
# through it too and the codes compared.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/serve.sh"
plan 31

pg_test_db
seed_tables
remote_start rs
RS_PORT=${REMOTE_URL_rs##*:}
RS_PORT=${RS_PORT%%/*}
emu_start c --instances 2 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" "$REMOTE_URL_rs" >/dev/null
wait_until 30 ic_is "$B" 0
REFUSED="http://127.0.0.1:$(free_port)"
OPTS=(--poll-interval 200 --probe-interval 500 --timeout 1500)

# reloads: reload_metadata requests both replicas received so far.
reloads() {
	local u n=0 k
	for u in "$A" "$B"; do
		k=$(emu_http GET "$u/emu/stats" | emu_json 'j["metadata_requests"].get("reload_metadata", 0)')
		n=$((n + k))
	done
	echo "$n"
}

serve_start s -d "$DATABASE_URL" -e "$A" -e "$B" "${OPTS[@]}" ||
    { echo "Bail out! serve did not start"; exit 1; }
U=$SERVE_URL
wait_until 50 bash -c "curl -s --noproxy '*' $U/readyz | grep -q '^ready'"

# ---- consistent: 200, Hasura's answer ----
before=$(reloads)
hget "$U/reload_metadata" -X POST >"$T/ok.json"
is "$(hstatus)" 200 "consistent: 200 (as the reloader)"
is "$(hheader Content-Type)" "application/json" "application/json"
is "$(emu_json 'j["is_consistent"]' <"$T/ok.json")" true "Hasura's reload answer: is_consistent true"
is "$(reloads)" $((before + 1)) "one reload_metadata was sent"
C_OK=$(hstatus)

# ---- twenty at once: one reload, the same answer for all ----
before=$(reloads)
# One curl, twenty connections opened at once: twenty processes took
# longer to start than a reload takes on a slow machine, so that the last
# ones came after it and rightly caused a second one.
curl -s --noproxy '*' --max-time 20 -Z --parallel-immediate --parallel-max 20 \
    -X POST -o "$T/c#1.json" -w '%{http_code}\n' \
    "$U/reload_metadata?n=[1-20]" >"$T/c.codes"
is "$(sort "$T/c.codes" | uniq -c | awk '{print $1, $2}')" "20 200" "20 concurrent requests: all 200"
is "$(reloads)" $((before + 1)) "and one reload_metadata was sent for all of them"
is "$(cat "$T"/c*.json | sort -u | wc -l)" 1 "the same answer for all"
like "$(grep '"requests":20' "$T/s.out")" 'answered 200' "the log says 20 requests were answered at once"

# ---- inconsistent: 500, JSON with the error and the objects ----
remote_stop rs
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":true}}' >/dev/null
wait_until 30 ic_is "$B" 1
hget "$U/reload_metadata" -X POST >"$T/bad.json"
is "$(hstatus)" 500 "inconsistent: 500 (as the reloader)"
C_INCONS=$(hstatus)
is "$(hheader Content-Type)" "application/json" "a JSON body"
is "$(emu_json 'j["error"]' <"$T/bad.json")" "metadata is inconsistent" "error: the reloader's words"
is "$(emu_json '[o["type"] for o in j["inconsistent_objects"]]' <"$T/bad.json")" '["remote_schema"]' \
    "the objects, as the replica sent them"
is "$(emu_json '[r["verdict"] for r in j["replicas"]]' <"$T/bad.json")" '["inconsistent","inconsistent"]' \
    "each replica's verdict"
is "$(emu_json 'j["is_consistent"]' <"$T/bad.json")" false "is_consistent false"

# ---- it comes back: 200 again ----
remote_start rs "$RS_PORT"
hget "$U/reload_metadata" -X POST >/dev/null
is "$(hstatus)" 200 "the remote schema back: the reload makes it consistent, 200"
hget "$U/metrics" >"$T/m"
like "$(grep '^hasync_reloads_total{scope="auto",result="consistent"}' "$T/m")" ' [3-9]$' \
    "hasync_reloads_total counts the consistent reloads"
like "$(grep '^hasync_reloads_total{scope="auto",result="inconsistent"}' "$T/m")" ' [1-9]$' \
    "and the inconsistent one"
like "$(grep '^hasync_reload_duration_seconds_count' "$T/m")" ' [4-9]$' "the duration histogram counts them"
serve_stop

# ---- unreachable: 500 ----
serve_start u -e "$REFUSED" "${OPTS[@]}"
hget "$SERVE_URL/reload_metadata" -X POST >"$T/unr.json"
is "$(hstatus)" 500 "unreachable: 500 (as the reloader)"
C_UNR=$(hstatus)
is "$(emu_json 'j["error"]' <"$T/unr.json")" "reload failed" "error: reload failed"
like "$(emu_json 'j["message"]' <"$T/unr.json")" 'no reachable instance|failed' "the message says why"
serve_stop

# ---- --readonly: 403, nothing sent ----
serve_start r -e "$A" --readonly "${OPTS[@]}"
before=$(reloads)
hget "$SERVE_URL/reload_metadata" -X POST >/dev/null
is "$(hstatus)" 403 "--readonly: 403"
is "$(reloads)" "$before" "--readonly: no reload_metadata sent"
serve_stop

# ---- hasync server: the reloader's flags, env, PORT; any method ----
PORT=$(free_port)
PORT=$PORT serve_start srv server --hasura-endpoint "$A" "${OPTS[@]}"
like "$(head -n 1 "$T/srv.out")" "\"listen\":\"(\\[::\\]|0\\.0\\.0\\.0):$PORT\"" "hasync server: every interface at \$PORT"
is "$(grep -c 'answer anyone' "$T/srv.err")" 1 "it warns once that the reload is open to anyone"
hget "http://127.0.0.1:$PORT/reload_metadata" >/dev/null
is "$(hstatus)" 200 "GET /reload_metadata reloads, as the reloader (curl's default method)"
hget "http://127.0.0.1:$PORT/reload_metadata" -X POST >/dev/null
is "$(hstatus)" 200 "POST too"
serve_stop
HASURA_ENDPOINT=$A PORT=$PORT serve_start srv2 server "${OPTS[@]}"
hget "http://127.0.0.1:$PORT/reload_metadata" -X POST >/dev/null
is "$(hstatus)" 200 "hasync server from the environment (HASURA_ENDPOINT, PORT)"
serve_stop

# ---- hasync server reads SENTRY_* from the environment, as the reloader ----
mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
SP=$(awk '{print $2}' "$T/cap.out")
PORT=$(free_port)
SENTRY_DSN="http://pk@127.0.0.1:$SP/5" SENTRY_ENVIRONMENT=prod-eu PORT=$PORT \
    serve_start srv3 server --hasura-endpoint "$REFUSED" "${OPTS[@]}"
hget "http://127.0.0.1:$PORT/reload_metadata" -X POST >/dev/null
is "$(hstatus)" 500 "hasync server, Hasura unreachable: 500"
wait_until 50 test -s "$T/sentry/1.req"
is "$(sed '1,/^$/d' "$T/sentry/1.req" 2>/dev/null | sed -n 3p | emu_json '[j["environment"], j["extra"]["endpoint"]]')" \
    "[\"prod-eu\",\"$REFUSED\"]" "SENTRY_DSN and SENTRY_ENVIRONMENT from the environment: the event arrives, naming the endpoint"
serve_stop

# ---- the reloader itself, when given ----
if [ -n "${HMR:-}" ] && [ -x "$HMR" ]; then
	hmr() {	# hmr ENDPOINT: the status of its POST /reload_metadata
		local p pid
		p=$(free_port)
		PORT=$p "$HMR" server --hasura-endpoint "$1" >"$T/hmr.out" 2>&1 &
		pid=$!
		wait_until 50 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p"
		hget "http://127.0.0.1:$p/reload_metadata" -X POST >/dev/null
		kill "$pid"; wait "$pid" 2>/dev/null
		hstatus
	}
	ok_codes="$(hmr "$A")"
	remote_stop rs
	emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":true}}' >/dev/null
	is "$ok_codes $(hmr "$A") $(hmr "$REFUSED")" "$C_OK $C_INCONS $C_UNR" \
	    "hasura-metadata-reloader answers the same codes ($C_OK $C_INCONS $C_UNR)"
else
	skip "HMR not set: hasura-metadata-reloader not compared (codes from its handler.go: 200 500 500)"
fi
