# tests/tui/lib.sh: drive the console inside a private tmux server.
#
# Source after tests/lib/testlib.sh. Skips the whole test (TAP SKIP) when
# tmux is missing. Every wait polls the screen every 0.1 s up to a deadline.
#   tui_start COLS ROWS ARGS...  run "$HASYNC ARGS" in a COLSxROWS pane
#                                (TERM=screen-256color, LC_ALL=C.UTF-8);
#                                its exit status lands in $T/tui.exit, its
#                                stderr in $T/tui.err. Shell code in
#                                TUI_PRE runs in the pane before it (e.g. a
#                                ulimit), in TUI_AFTER after it exits (e.g.
#                                stty -a, on the pane's terminal)
#   tui_keys KEYS...             tmux send-keys
#   tui_screen                   the pane's text now
#   tui_wait REGEX [TENTHS]      until the screen matches (default 50 = 5 s);
#                                on timeout print the screen as diagnostics
#   tui_wait_not REGEX [TENTHS]  until the screen does not match
#   tui_exited [TENTHS]          until hasync has exited; TUI_EXIT = status
#   tui_resize COLS ROWS         resize the window
#   tui_pid                      hasync's process id
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"

TUI_SOCK=$T/tmux.sock
TUI_EXIT=""
tui() { LC_ALL=C.UTF-8 tmux -S "$TUI_SOCK" -f /dev/null "$@"; }

tui__cleanup() {
	local p n=20
	tui kill-server 2>/dev/null
	# The console must not outlive its test (a sanitizer's exit-time
	# leak check has been seen to hang on a vanished terminal): what is
	# still running 2 s after its terminal went is killed.
	p=$(tui_pid)
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null
		while [ "$n" -gt 0 ] && kill -0 "$p" 2>/dev/null; do
			sleep 0.1
			n=$((n - 1))
		done
		kill -KILL "$p" 2>/dev/null
	fi
	testlib_cleanup
}
trap 'tui__cleanup' EXIT

tui_start() {
	local cols=$1 rows=$2 a
	shift 2
	{
		echo 'echo $$ >"$T/tui.pid"'
		echo "${TUI_PRE:-}"
		printf 'exec env TERM=screen-256color LC_ALL=C.UTF-8 %s ' \
		    "${TUI_ENV:-}"
		printf '%q ' "$HASYNC" "$@"
		echo '2>"$T/tui.err"'
	} >"$T/tui-run.sh"
	rm -f "$T/tui.exit" "$T/tui.pid"
	# A server just told to kill-server may still hold the socket: retry.
	for a in 1 2 3 4 5; do
		tui new-session -d -s t -x "$cols" -y "$rows" \
		    "T=$T bash $T/tui-run.sh; echo \$? >$T/tui.exit; ${TUI_AFTER:-:}; exec sleep 600" \
		    2>"$T/tmux.err" && break
		[ "$a" = 5 ] && { echo "# $(cat "$T/tmux.err")"; echo "Bail out! cannot start tmux"; exit 1; }
		sleep 0.2
	done
	tui set-option -t t status off >/dev/null
	tui resize-window -t t -x "$cols" -y "$rows" 2>/dev/null
	wait_until 50 test -s "$T/tui.pid"
}

tui_keys() { tui send-keys -t t "$@"; }
tui_screen() { tui capture-pane -p -t t; }
tui_pid() { cat "$T/tui.pid" 2>/dev/null; }

tui_wait() {
	local n=${2:-50}
	while [ "$n" -gt 0 ]; do
		tui_screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	diag "timeout waiting for /$1/; screen:"
	diag "$(tui_screen)"
	return 1
}

tui_wait_not() {
	local n=${2:-50}
	while [ "$n" -gt 0 ]; do
		tui_screen | grep -Eq -- "$1" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	diag "timeout waiting for /$1/ to go; screen:"
	diag "$(tui_screen)"
	return 1
}

tui_exited() {
	if wait_until "${1:-50}" test -s "$T/tui.exit"; then
		TUI_EXIT=$(cat "$T/tui.exit")
		return 0
	fi
	TUI_EXIT=""
	return 1
}

tui_resize() { tui resize-window -t t -x "$1" -y "$2"; }

# stat_count URL TYPE: how many TYPE requests URL's emulator instance got.
stat_count() {
	emu_http GET "$1/emu/stats" | emu_json "j['metadata_requests'].get('$2', 0)"
}

# tui_cluster: a database, three emulated instances and seeded metadata with
# a remote schema that is down: A B C, RS_PORT, and the hasync arguments in
# TUI_ARGS.
tui_cluster() {
	pg_test_db
	seed_tables
	emu_start c --instances 3 --poll-interval 200
	A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
	RS_PORT=$(free_port)
	seed_metadata "$A" "http://127.0.0.1:$RS_PORT/graphql" >/dev/null
	wait_until 50 ic_is "$C" 1
	TUI_ARGS=(-d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --probe-interval 500)
}

# The 80x24 truth tests (tests/tui/truth-*.sh) read the screen through these,
# in a way that does not depend on the column order, so that they can be run
# against an older hasync as well (HASYNC=...) and show what it got wrong.
#   tui_status [SCREEN]          the status line (the one above the keys)
#   tui_verdicts N [SCREEN]      the first verdict word of each of the N
#                                instance rows (lines 6..5+N), one a line
#   tui_row_verdict N [SCREEN]   the verdict word on the row of instance #N
TUI_WORDS='ok|syncing|inconsistent|disagrees|behind|unreachable|auth|error|stale|unknown|warn'
tui_status() { printf '%s\n' "${1:-$(tui_screen)}" | tail -n 2 | head -n 1; }
tui_verdicts() {
	printf '%s\n' "${2:-$(tui_screen)}" | sed -n "6,$((5 + $1))p" |
	    awk -v w="^($TUI_WORDS)\$" '{ for (i = 1; i <= NF; i++) if ($i ~ w) { print $i; break } }'
}
tui_row_verdict() {
	# A row names its instance by its number before the endpoint (this
	# hasync: "behind  3 127.0.0.1:..."; older: " 3 http://...  ok").
	printf '%s\n' "${2:-$(tui_screen)}" | sed -n '6,20p' |
	    awk -v n="$1" -v w="^($TUI_WORDS)\$" '{
		num = ""; word = ""
		for (i = 1; i <= NF; i++) {
			if (num == "" && $i ~ /^[0-9]+$/ && i < NF && $(i + 1) ~ /[0-9]:[0-9]/) num = $i
			if (word == "" && $i ~ w) word = $i
		}
		if (num == n && word != "") { print word; exit }
	    }'
}
