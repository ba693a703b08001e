# tests/tui/hostile.sh: an object whose name and reason carry escape
# sequences (clear screen, OSC window title, BEL) is shown visibly escaped;
# the screen stays intact and the pane title is untouched.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 8
pg_test_db
seed_tables
emu_start c --instances 1 --poll-interval 200
A=${EMU_URL_c}
port=$(free_port)
esc='\u001b[2J\u001b]0;pwned\u0007'
emu_meta "$A" "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"allow_inconsistent_metadata\":true,\"metadata\":{\"version\":3,\"sources\":[],\"remote_schemas\":[{\"name\":\"evil${esc}name\",\"definition\":{\"url\":\"http://127.0.0.1:$port/g${esc}ql\",\"timeout_seconds\":2}}]}}}" >"$T/replace.out"
wait_until 50 ic_is "$A" 1
ok $? "the emulator reports the hostile remote schema"

tui set-option -g set-titles off 2>/dev/null
tui_start 100 30 -d "$DATABASE_URL" -e "$A" --probe-interval 500
tui_wait 'remote_schema +evil\\e\[2J\\e\]0' 50
ok $? "the name is shown escaped"
scr=$(tui_screen)
like "$scr" 'hasync .*updated' "the header is intact"
like "$scr" 'Inconsistent objects +1' "the objects pane is intact"
tui_keys Tab Enter
tui_wait 'Name +evil\\e\[2J\\e\]0;pwned\\x07name' 30
ok $? "the full name is shown escaped in the detail view"
like "$(tui_screen)" '/g\\e\[2J\\e\]0;pwned\\x07ql"' \
    "the reason is shown escaped in the detail view"
title=$(tui display -p -t t '#{pane_title}')
unlike "$title" pwned "the pane title was not changed"
tui_keys Escape q
tui_exited 50
is "$TUI_EXIT" 0 "q exits 0"
