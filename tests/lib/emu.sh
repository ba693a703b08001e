# tests/lib/emu.sh: drive tests/emu/hasura-emu from shell tests.
#
# Source it after tests/lib/testlib.sh (it uses $EMU, $T, TEST_PIDS and
# $DATABASE_URL from pg_test_db):
#   emu_start NAME ARGS...     start $EMU --database-url "$DATABASE_URL" ARGS;
#                              wait for every "ready" line (10 s), then set
#                              EMU_URLS_NAME (array), EMU_URL_NAME (first),
#                              EMU_IDS_NAME (array of instance ids), EMU_PID_NAME
#   emu_stop NAME              SIGTERM, wait (5 s); EMU_EXIT = exit status
#   remote_start NAME [PORT]   start the --remote-schema server;
#                              REMOTE_URL_NAME, REMOTE_PID_NAME
#   remote_stop NAME
#   canned_start NAME DIR      start tests/lib/canned-server.py on DIR;
#                              CANNED_URL_NAME
#   canned_tables NAME TABLE... canned_start on $T/NAME, a replica whose
#                              inconsistent objects are those missing tables
#   emu_meta URL JSON [SECRET] POST URL/v1/metadata; print the body
#   emu_fault URL JSON [SECRET] POST URL/emu/fault; print the body
#   emu_http METHOD URL [JSON] [SECRET] any request; print the body
#   emu_status                 HTTP status of the last request (works from
#                              $(...) too: it is kept in a file)
#   emu_json PYEXPR            read JSON on stdin, print eval of PYEXPR on it
#                              (variable j), e.g. emu_json 'j["version"]'
#   free_port                  print a free TCP port on 127.0.0.1
# Output goes to $T/NAME.out and $T/NAME.err.

EMU_STATUS=""

# emu__wait_ready FILE COUNT PID: wait up to 10 s for COUNT ready lines.
emu__wait_ready() {
	local file=$1 want=$2 pid=$3 i=0 n
	while [ "$i" -lt 100 ]; do
		n=$(grep -c '^ready ' "$file" 2>/dev/null)
		[ "${n:-0}" -ge "$want" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

emu__bail() {	# emu__bail NAME WHAT
	echo "# $2 '$1' did not become ready; its stderr:"
	sed 's/^/#   /' "$T/$1.err" 2>/dev/null | head -n 40
	echo "Bail out! $2 $1 did not start"
	exit 1
}

emu_start() {
	local name=$1 n=1 prev="" a pid
	shift
	for a in "$@"; do
		[ "$prev" = --instances ] && n=$a
		prev=$a
	done
	"$EMU" --database-url "$DATABASE_URL" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	TEST_PIDS="$TEST_PIDS $pid"
	eval "EMU_PID_$name=$pid"
	emu__wait_ready "$T/$name.out" "$n" "$pid" || emu__bail "$name" emu_start
	eval "EMU_URLS_$name=( \$(awk '/^ready /{print \$2}' \"\$T/\$name.out\") )"
	eval "EMU_IDS_$name=( \$(awk '/^ready /{print \$3}' \"\$T/\$name.out\") )"
	eval "EMU_URL_$name=\${EMU_URLS_$name[0]}"
}

# emu__kill PID: SIGTERM and wait up to 5 s; EMU_EXIT gets the status.
emu__kill() {
	local pid=$1 i=0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	EMU_EXIT=$?
}

emu_stop() {
	local pid
	eval "pid=\${EMU_PID_$1:-}"
	[ -n "$pid" ] && emu__kill "$pid"
}

remote_start() {
	local name=$1 port=${2:-0} pid
	"$EMU" --remote-schema --port "$port" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	TEST_PIDS="$TEST_PIDS $pid"
	eval "REMOTE_PID_$name=$pid"
	emu__wait_ready "$T/$name.out" 1 "$pid" || emu__bail "$name" remote_start
	eval "REMOTE_URL_$name=\$(awk '/^ready /{print \$2; exit}' \"\$T/\$name.out\")"
}

canned_start() {
	local name=$1 dir=$2 pid
	python3 "$top_srcdir/tests/lib/canned-server.py" "$dir" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	TEST_PIDS="$TEST_PIDS $pid"
	emu__wait_ready "$T/$name.out" 1 "$pid" || emu__bail "$name" canned_start
	eval "CANNED_URL_$name=http://127.0.0.1:\$(awk '/^ready /{print \$2; exit}' \"\$T/\$name.out\")"
}

canned_tables() {
	local n=$1 list="" o
	shift
	for o in "$@"; do
		list="$list${list:+,}$(printf '{"type":"table","name":"%s","reason":"r %s","definition":{"name":"%s"}}' "$o" "$o" "$o")"
	done
	mkdir -p "$T/$n"
	printf 'WARN: inconsistent objects in schema' >"$T/$n/healthz"
	printf '{"version":"v2.36.0","server_type":"ce"}' >"$T/$n/version.json"
	printf '{"is_consistent":false,"inconsistent_objects":[%s]}' "$list" \
	    >"$T/$n/get_inconsistent_metadata.json"
	canned_start "$n" "$T/$n"
}

remote_stop() {
	local pid
	eval "pid=\${REMOTE_PID_$1:-}"
	[ -n "$pid" ] && emu__kill "$pid"
}

emu_http() {	# emu_http METHOD URL [JSON] [SECRET]
	local method=$1 url=$2 data=${3:-} secret=${4:-} out tmp
	tmp=$(mktemp "$T/.emu_body.XXXXXX")
	local args=(-s --noproxy '*' --max-time 5 -X "$method" -o "$tmp"
	    -w '%{http_code}')
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	[ -n "$secret" ] && args+=(-H "X-Hasura-Admin-Secret: $secret")
	out=$(curl "${args[@]}" "$url")
	EMU_STATUS=${out:-000}
	echo "$EMU_STATUS" >"$T/.emu_status"
	cat "$tmp" 2>/dev/null
	rm -f "$tmp"
}

emu_meta() { emu_http POST "$1/v1/metadata" "$2" "${3:-}"; }
emu_fault() { emu_http POST "$1/emu/fault" "$2" "${3:-}"; }
emu_status() { cat "$T/.emu_status" 2>/dev/null || echo 000; }

emu_json() {
	python3 -c 'import json,sys
j = json.load(sys.stdin)
v = eval(sys.argv[1])
print(json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1"
}

free_port() {
	local p try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))	# below the ephemeral range
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
