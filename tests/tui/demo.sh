# tests/tui/demo.sh: the demo (tests/demo/demo-cluster.sh, README's
# ./demo.sh) at 80x24 through every tests/demo/poke.sh state: its banner
# waits for a key; initial, start-remote + r, drop-table + r, D, bump and
# heal each show what README says; q ends it, and nothing the demo or
# poke.sh started is left running. DEMO_CAPTURES=DIR keeps each screen.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 14
POKE="$top_srcdir/tests/demo/poke.sh"
cap() { [ -n "${DEMO_CAPTURES:-}" ] && mkdir -p "$DEMO_CAPTURES" && tui_screen >"$DEMO_CAPTURES/$1.txt"; return 0; }

tui new-session -d -s t -x 80 -y 24 \
    "HASYNC=$HASYNC EMU=$EMU bash $top_srcdir/tests/demo/demo-cluster.sh; echo \$? >$T/tui.exit; exec sleep 600" ||
    { echo "Bail out! cannot start tmux"; exit 1; }
tui set-option -t t status off >/dev/null
tui_wait 'Press any key to start the console' 300
ok $? "the banner asks for a key"
# It stays: 4 s later (the old banner left after 3) it is still there.
n=40; gone=""
while [ "$n" -gt 0 ]; do
	tui_screen | grep -q 'Press any key' || { gone=1; break; }
	sleep 0.1; n=$((n - 1))
done
is "$gone" "" "the banner stays until a key"
dir=$(cat /tmp/hasync-demo.current)
. "$dir/env"
tui_keys Space
tui_wait 'Instances +3' 50
ok $? "a key starts the console"
three() { [ "$(tui_verdicts 3 | grep -c "$1")" = 3 ]; }
wait_until 80 three inconsistent
ok $? "initial: three replicas report the remote schema that is down"
cap initial

"$POKE" start-remote >/dev/null
tui_keys r
tui_wait 'r #[0-9]: verified 3 instances' 100
ok $? "start-remote, r: the reload is verified"
stuck() { [ "$(tui_row_verdict 3)" = "$1" ]; }
wait_until 50 stuck behind
ok $? "replica 3 cannot follow the reload: behind (it is stuck)"
cap start-remote

"$POKE" drop-table >/dev/null
tui_keys r
tui_wait_not 'r #[0-9]: verified' 30
tui_wait 'r #[0-9]: verified 3 instances' 100 && tui_wait 'customer_order' 10
ok $? "drop-table, r: verified, and the missing table is listed"
cap drop-table
tui_keys D
tui_wait 'Drop them\?' 30
tui_keys y
tui_wait 'D: verified 3 instances' 100
ok $? "D drops it and is verified"

"$POKE" bump >/dev/null
wait_until 80 stuck behind
ok $? "bump: replica 3 is behind"
like "$(tui_screen)" '#3 behind by' "the verdict line names it"
cap bump

"$POKE" heal >/dev/null
wait_until 100 three ok
ok $? "heal: all three ok"
cap heal

remote=$(cat "$dir/poke-remote.pid" 2>/dev/null)
tui_keys q
tui_exited 100
is "$TUI_EXIT" 0 "q ends the demo"
wait_until 30 sh -c "! kill -0 ${remote:-0} 2>/dev/null"
ok $? "poke.sh's remote schema is gone"
left() { pgrep -f "$dir|127\.0\.0\.1:$DEMO_PGPORT/demo|--port $DEMO_RS_PORT" 2>/dev/null; }
wait_until 50 sh -c "! pgrep -f '$dir|127\.0\.0\.1:$DEMO_PGPORT/demo|--port $DEMO_RS_PORT' >/dev/null"
is "$(left | tr '\n' ' ')" "" "nothing of the demo is left running"
