# tests/lib/serve.sh: drive `hasync serve` from shell tests. Source after
# tests/lib/testlib.sh and tests/lib/emu.sh.
#   serve_start NAME ARGS...   $HASYNC serve --listen 127.0.0.1:0 ARGS (or
#                              ARGS as they are if they start with
#                              "server"); waits (10 s) for its first line,
#                              which names the address; sets SERVE_URL
#                              (http://127.0.0.1:PORT) and SERVE_PID.
#                              Output in $T/NAME.out and $T/NAME.err.
#   serve_stop                 SIGTERM; SERVE_EXIT, SERVE_STOP_MS
#   hget URL [CURL ARGS...]    any request (GET unless -X); the body goes
#                              to stdout and $T/body, headers to $T/headers,
#                              the status to $T/status (read: hstatus)
#   hstatus                    the status of the last hget
#   hheader NAME               a header of the last answer (value only)
#   promtool_check FILE        `promtool check metrics` on FILE; 0 clean;
#                              prints promtool's complaints
#   have_promtool              true if promtool can run

serve_start() {
	local name=$1 i=0
	shift
	if [ "${1:-}" = server ]; then
		"$HASYNC" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	else
		"$HASYNC" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
	fi
	SERVE_PID=$!
	TEST_PIDS="$TEST_PIDS $SERVE_PID"
	while [ "$i" -lt 100 ]; do
		if grep -q '"listen":' "$T/$name.out" 2>/dev/null; then
			SERVE_URL="http://127.0.0.1:$(grep -m1 '"listen":' "$T/$name.out" |
			    sed 's/.*"listen":"[^"]*:\([0-9]*\)".*/\1/')"
			return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "# hasync serve did not start; stderr:"
	sed 's/^/#   /' "$T/$name.err" | head -n 20
	return 1
}

serve_stop() {
	local t0
	t0=$(now_ms)
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	SERVE_EXIT=$?
	SERVE_STOP_MS=$(( $(now_ms) - t0 ))
}

hget() {
	local url=$1 code
	shift
	code=$(curl -s --noproxy '*' --max-time 10 -o "$T/body" -D "$T/headers" \
	    -w '%{http_code}' "$@" "$url")
	echo "${code:-000}" >"$T/status"
	cat "$T/body" 2>/dev/null
}

hstatus() { cat "$T/status" 2>/dev/null || echo 000; }

hheader() {
	tr -d '\r' <"$T/headers" | awk -v n="$1" 'BEGIN{n=tolower(n)}
	    {i=index($0, ":"); if (i && tolower(substr($0, 1, i-1)) == n) {
	    print substr($0, i+2); exit}}'
}

have_promtool() { command -v promtool >/dev/null 2>&1; }

promtool_check() {
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1
	local rc=$?
	[ "$rc" = 0 ] || sed 's/^/# promtool: /' "$T/promtool.out" | head -n 10
	return "$rc"
}
