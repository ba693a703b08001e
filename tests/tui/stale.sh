# tests/tui/stale.sh: data older than 3 probe intervals is marked STALE (the
# last good data stays on screen) and the mark goes once fresh data comes;
# p shows PAUSED and resumes; a lost database shows the reconnection.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
PG_PRIVATE_SERVER=1
plan 9
pg_test_db
seed_tables
emu_start c --poll-interval 300
A=$EMU_URL_c
seed_metadata "$A" >/dev/null
tui_start 100 30 -d "$DATABASE_URL" -e "$A" --probe-interval 300 --timeout 4000
tui_wait 'updated [0-9:]+' 50; ok $? "fresh data"
tui_wait_not 'STALE' 20; ok $? "not stale while rounds complete"
emu_fault "$A" '{"hang":true}' >/dev/null
tui_wait 'STALE' 50; ok $? "STALE once a round takes longer than 3 probe intervals"
scr=$(tui_screen)
like "$scr" "^stale +1 ${A#http://} .*last known: ok" "the row says stale, and the last known verdict stays on screen"
unlike "$scr" '^ok ' "no row reads ok while stale"
emu_fault "$A" '{}' >/dev/null
tui_wait_not 'STALE' 80; ok $? "the mark goes with fresh data"
tui_keys p
tui_wait 'PAUSED' 30; ok $? "p: PAUSED shown"
tui_keys p
tui_wait_not 'PAUSED' 30; ok $? "p again: resumed"
pg_sandbox_pause "$PGSB_DIR" fast
tui_wait 'db LOST.*retrying every 0.5s \(attempt [0-9]+\)' 50; ok $? "database lost: the error and the retries shown"
pg_sandbox_resume "$PGSB_DIR"
tui_keys q
tui_exited 50
