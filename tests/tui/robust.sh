# tests/tui/robust.sh: resizing (80x24, 40x10, 1x1 and back) never crashes;
# a killed emulator shows as unreachable while keys are still answered;
# SIGTERM and SIGHUP restore the terminal and exit 0.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 14
tui_cluster

tui_start 100 30 "${TUI_ARGS[@]}"
tui_wait '^inconsistent +1 127' 50
ok $? "the console is up"

tui_resize 80 24
tui_wait '^\?Help qQuit ' 20 && tui_wait 'Inconsistent objects +1' 5
ok $? "80x24: the whole layout fits, q in the footer"
tui_resize 40 10
tui_wait 'terminal too small \(40x10, need' 20
ok $? "40x10: the terminal-too-small message"
tui_resize 1 1
sleep 0.5
kill -0 "$(tui_pid)" 2>/dev/null
ok $? "1x1: still running"
tui_resize 100 30
tui_wait 'Instances +3' 20 && tui_wait_not 'too small' 5
ok $? "back to 100x30: the console again"

# Kill the emulator: every instance becomes unreachable; keys still work.
emu_stop c
tui_wait '^unreachable +[0-9] 127' 100
ok $? "a killed emulator shows as unreachable"
tui_keys '?'
tui_wait '^▶ Help' 20
ok $? "keys are still answered (help opens)"
tui_keys Escape
tui_wait 'Instances +3' 20
ok $? "Esc leaves the help"
tui_wait 'connection refused|unreachable' 10
ok $? "the error is named"

# SIGTERM: exit 0, terminal restored.
kill -TERM "$(tui_pid)"
tui_exited 50
is "$TUI_EXIT" 0 "SIGTERM exits 0"
is "$(tui display -p -t t '#{alternate_on}')" 0 "SIGTERM: the terminal left the alternate screen"

# SIGHUP: the same.
tui kill-server 2>/dev/null
tui_start 80 24 -e "http://127.0.0.1:$RS_PORT" --probe-interval 500
tui_wait 'unreachable' 50
ok $? "one unreachable endpoint and no database"
kill -HUP "$(tui_pid)"
tui_exited 50
is "$TUI_EXIT" 0 "SIGHUP exits 0"
is "$(tui display -p -t t '#{alternate_on}')" 0 "SIGHUP: the terminal left the alternate screen"
