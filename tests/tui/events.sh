# tests/tui/events.sh (issue 11, "Detail for everything"), at 80x24: the
# events pane keeps the selected event when new ones arrive and counts them
# ("1 new (Home)"); Home follows the newest again; Enter shows an event in
# full, including what the 80-column row had to cut.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 8
tui_cluster
tui_start 80 24 "${TUI_ARGS[@]}"
tui_wait 'inconsistent object on all 3' 80
tui_wait 'listen started' 50
tui_keys Tab Tab
tui_wait '▶ Events' 30
ok $? "Tab Tab focuses the events pane"

# detail_text: the "Text" of the event detail on screen now, one line.
detail_text() { tui_screen | awk '/^Text / { sub(/^Text +/, ""); print; exit }'; }

tui_keys j Enter
tui_wait '▶ Event ' 30
before=$(detail_text)
like "$before" '.' "Enter opens the selected (second) event: $before"
tui_keys Escape
tui_wait '▶ Events' 30

v=$(rv)
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
tui_wait '1 new \(Home\)' 50
ok $? "a new event while scrolled is counted in the bar"
tui_keys Enter
tui_wait '▶ Event ' 30
is "$(detail_text)" "$before" "the selection stayed on the same event"
tui_keys Escape
tui_wait '▶ Events' 30

tui_keys Home
tui_wait_not 'new \(Home\)' 30
ok $? "Home follows the newest event again: no count"
row=$(tui_screen | grep -m1 "resource_version $v -> $((v + 1))")
like "$row" '…$' "the version change's row is cut at 80 columns: $row"
id=$(q "SELECT instance_id FROM hdb_catalog.hdb_schema_notifications LIMIT 1")
tui_keys Enter
tui_wait '▶ Event ' 30
# The detail may wrap the text; read it without line breaks and spaces.
full=$(tui_screen | tr -d '\n ')
case "$full" in
*"resource_version$v->$((v + 1))byinstance$id"*) pass "Enter shows it in full, instance id and all" ;;
*) fail "Enter shows it in full, instance id and all"; diag "want id $id; screen:"; diag "$(tui_screen)" ;;
esac
tui_keys q q
tui_exited 50
is "$TUI_EXIT" 0 "q quits"
