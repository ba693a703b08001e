# tests/lib/pg-hold.sh: keep one psql session open in the background, to hold
# a lock or an open transaction while hasync runs. Source after testlib.sh.
#   hold_start NAME           start psql on the test database, fed by a fifo
#   hold_sql NAME SQL         send SQL (one or more statements) to it
#   hold_wait NAME REGEX [T]  until its output matches (T tenths, default 50)
#   hold_stop NAME            end the session (its transaction rolls back)
# Its output is in $T/hold-NAME.out.

hold_start() {
	local name=$1 pid
	mkfifo "$T/hold-$name.in"
	psql -X -q -A -t -v ON_ERROR_STOP=1 <"$T/hold-$name.in" \
	    >"$T/hold-$name.out" 2>&1 &
	pid=$!
	TEST_PIDS="$TEST_PIDS $pid"
	eval "HOLD_PID_$name=$pid"
	# A writer keeps the fifo open between statements.
	eval "exec {HOLD_FD_$name}>\"\$T/hold-\$name.in\""
}

hold_sql() {
	local fd
	eval "fd=\$HOLD_FD_$1"
	printf '%s\n' "$2" >&"$fd"
}

hold_wait() { wait_until "${3:-50}" grep -Eq -- "$2" "$T/hold-$1.out"; }

hold_stop() {
	local fd pid
	eval "fd=\${HOLD_FD_$1:-} pid=\${HOLD_PID_$1:-}"
	[ -n "$fd" ] && eval "exec $fd>&-"
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	eval "HOLD_FD_$1= HOLD_PID_$1="
}
