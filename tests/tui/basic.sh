# tests/tui/basic.sh: the console against a real catalog and three emulated
# replicas: header and resource_version (live), instance rows with health
# words, the inconsistent remote schema, filter, detail, help, q.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 18
tui_cluster

tui_start 100 30 "${TUI_ARGS[@]}"
tui_wait "resource_version $(rv) " 50
ok $? "header shows the catalog's resource_version"
tui_wait 'catalog v2 [0-9]+' 5
ok $? "header shows the catalog kind and version"
tui_wait 'updated [0-9:]{8} \([0-9]+s ago\)' 30
ok $? "header shows when the data was updated"
tui_wait 'db ok' 10
ok $? "header shows the database connection"
# The catalog's metadata summed up, at the end of the third header line
# (wide enough for it beside the writer's id).
tui_resize 200 30
tui_wait '1 source, 2 tables, 1 remote schema' 10
ok $? "header counts the catalog's metadata: sources, tables, remote schemas"
tui_resize 100 30

# A reload bumps the catalog's resource_version: on screen within 2 s.
old=$(rv)
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
new=$(rv)
[ "$new" -gt "$old" ]
ok $? "reload_metadata bumped resource_version ($old -> $new)"
tui_wait "resource_version $new " 20
ok $? "the new resource_version is on screen within 2 s"

# Right after the change the replicas are syncing; then their verdict.
three_rows() { [ "$(tui_screen | grep -cE '^inconsistent +[0-9] 127\.0\.0\.1:[0-9]+ ')" = 3 ]; }
wait_until 50 three_rows
ok $? "three instance rows, each led by its verdict, the endpoint without its scheme"
scr=$(tui_screen)
like "$scr" 'Inconsistent objects +1' "the objects pane counts one object"
like "$scr" 'remote_schema +rs +Connection failure' \
    "the remote schema that is down is listed, by name and root cause"

# Filter: narrows to "0 of 1", then back to "1 of 1"; Esc clears.
tui_keys / x y z
tui_wait 'Inconsistent objects +0 of 1' 20
ok $? "a filter that matches nothing shows 0 of 1"
tui_keys BSpace BSpace BSpace r s Enter
tui_wait 'Inconsistent objects +1 of 1 +filter "rs"' 20
ok $? "a matching filter shows 1 of 1"

# Enter opens the detail view with the message.
tui_keys Enter
tui_wait 'Reason +Inconsistent object' 20
ok $? "Enter opens the detail view"
like "$(tui_screen)" 'Connection failure|Connection refused|connection refused' \
    "the detail view shows the message"
tui_keys Escape
tui_wait 'Instances +3' 20
ok $? "Esc goes back"
tui_keys Escape
tui_wait_not 'filter "rs"' 20
ok $? "Esc clears the filter"

# q quits with 0 and gives the terminal back.
tui_keys q
tui_exited 50
is "$TUI_EXIT" 0 "q exits 0"
is "$(tui display -p -t t '#{alternate_on}')" 0 "the terminal left the alternate screen"
