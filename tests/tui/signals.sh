# tests/tui/signals.sh: the console's abnormal exits leave a usable
# terminal. Ctrl-\ (SIGQUIT) exits 128+3 with the tty modes restored
# (icanon, echo) and the alternate screen left, no core dump; fatal() on
# the worker thread (the worker runs out of memory reading a 1 GiB
# answer under a ulimit) restores the terminal without calling curses from
# that thread. stty -a runs on the pane's terminal after hasync exits.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 9
pg_test_db
emu_start c --instances 2 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}

# stty_ok: the pane's terminal is back in cooked mode with echo.
stty_ok() { grep -Eq '(^| )icanon( |$)' "$T/stty.out" && grep -Eq '(^| )echo( |$)' "$T/stty.out"; }

TUI_AFTER="stty -a >$T/stty.out 2>&1" tui_start 100 30 -e "$A" --probe-interval 500
tui_wait '^ok +1 ' 50
ok $? "the console is up"
tui_keys 'C-\'
tui_exited 50
is "$TUI_EXIT" 131 "Ctrl-\\ (SIGQUIT): exit 128+3"
wait_until 30 test -s "$T/stty.out"
stty_ok
ok $? "SIGQUIT: the tty is in icanon and echo mode again"
stty_ok || diag "$(cat "$T/stty.out")"
is "$(tui display -p -t t '#{alternate_on}')" 0 "SIGQUIT: the terminal left the alternate screen"
is "$(ls "$T"/core* 2>/dev/null | wc -l)" 0 "no core dump"

# fatal() on the worker thread: out of memory under a ulimit.
if ldd "$HASYNC" 2>/dev/null | grep -Eq 'lib(asan|tsan)'; then
	skip "fatal on the worker: exit 70 (sanitizers reserve too much address space for a ulimit)"
	skip "fatal on the worker: the message"
	skip "fatal on the worker: the tty"
	skip "fatal on the worker: the alternate screen"
else
	tui kill-server 2>/dev/null
	rm -f "$T/stty.out"
	# 1 GiB announced: its buffer can never fit under the ulimit. (300 MB
	# fitted whenever the threads had reserved less than 137 MB so far,
	# and then the console lived on, rightly, with the instance in error.)
	emu_fault "$B" '{"body_mb":1024}' >/dev/null
	TUI_PRE='ulimit -v 450000' TUI_AFTER="stty -a >$T/stty.out 2>&1" \
	    tui_start 100 30 -e "$B" --max-body-mb 4096 --probe-interval 500
	tui_exited 150
	is "$TUI_EXIT" 70 "fatal on the worker: exit 70"
	like "$(cat "$T/tui.err")" 'hasync: fatal: out of memory' "fatal on the worker: the message"
	wait_until 30 test -s "$T/stty.out"
	stty_ok
	ok $? "fatal on the worker: the tty is in icanon and echo mode again"
	stty_ok || diag "$(cat "$T/stty.out")"
	is "$(tui display -p -t t '#{alternate_on}')" 0 "fatal on the worker: the terminal left the alternate screen"
fi
