# tests/tui/truth-behind.sh (issue 11, truth items 1 and 2), at 80x24: a
# replica whose sync is stuck is not painted green after a metadata change.
# Its row reads "behind", in yellow, never "ok"; the header's verdict line
# names it; no event says it caught up and no verification calls it
# consistent and in sync while it is stuck, even after F5; once it syncs
# again, it is "caught up" and ok.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 13
pg_test_db
seed_tables
emu_start c --instances 3 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
seed_metadata "$A" >/dev/null
wait_until 50 ic_is "$C" 0
emu_fault "$C" '{"sync_paused":true}' >/dev/null

tui_start 80 24 -d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --probe-interval 300
tui_wait 'all 3 replicas ok at resource_version' 80
ok $? "before the change: the verdict line says all 3 replicas are ok"

# A metadata change through #1 (as tests/demo/poke.sh bump does).
emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":false,"reload_sources":false}}' >/dev/null
behind_shown() { [ "$(tui_row_verdict 3)" = behind ]; }
wait_until 80 behind_shown
ok $? "the stuck replica's row says behind"
scr=$(tui_screen)
like "$scr" '^behind +3 ' "the verdict leads the row"
like "$scr" '^ [0-9]+ problems?: #3 behind by [0-9]+' "the verdict line names #3 as behind"
# Colour: the word is drawn yellow (33), never green (32).
row=$(tui capture-pane -p -e -t t | grep -E 'behind.* 3 ' | head -n 1)
like "$row" $'\e\\[[0-9;]*33m[^\e]*behind' "behind is drawn in yellow"
unlike "$row" $'\e\\[[0-9;]*32m[^\e]*behind' "behind is not drawn in green"

# For a while (F5 and a second change included), every screen says the
# same: #3 behind (syncing is not enough: it is stuck), no "caught up", no
# verification that calls all three in sync.
notbehind="" caught="" insync=""
tui_keys F5
end=$(( $(now_ms) + 4000 )) bumped=""
while [ "$(now_ms)" -lt "$end" ]; do
	# Halfway, a second change: the catalog moves on while #3 is stuck.
	if [ -z "$bumped" ] && [ "$(now_ms)" -gt $((end - 2000)) ]; then
		emu_meta "$A" '{"type":"reload_metadata","args":{"reload_remote_schemas":false,"reload_sources":false}}' >/dev/null
		bumped=1
	fi
	scr=$(tui_screen)
	v=$(tui_row_verdict 3 "$scr")
	[ "$v" = behind ] || [ "$v" = syncing ] || notbehind="row #3 read '$v'"
	printf '%s\n' "$scr" | grep -qE 'caught up' && caught=$(printf '%s\n' "$scr" | grep -m1 'caught up')
	printf '%s\n' "$scr" | grep -qE '3 consistent and in sync|verified 3 instances: 3 consistent' &&
	    insync=$(printf '%s\n' "$scr" | grep -m1 -E '3 consistent')
	sleep 0.1
done
is "$notbehind" "" "item 1: while stuck, #3's row never reads ok (F5 and a second change included)"
is "$caught" "" "item 2: while stuck, no event says #3 caught up"
is "$insync" "" "while stuck, nothing says all 3 are consistent and in sync"
unlike "$(tui_screen)" '^ok +3 ' "the stuck replica is never ok"

# It syncs again: now, and only now, it caught up.
emu_fault "$C" '{}' >/dev/null
tui_wait '#3 caught up|caught up \(resource_version' 80
ok $? "once it syncs, the event says it caught up"
ok_shown() { [ "$(tui_row_verdict 3)" = ok ]; }
wait_until 50 ok_shown
ok $? "and its row says ok"
new=$(rv)
tui_wait "all 3 replicas ok at resource_version $new" 50
ok $? "the verdict line says all 3 are ok at the new version"
tui_keys q
tui_exited 50
