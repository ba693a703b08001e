# tests/tui/truth-f5.sh (issue 11, truth item 5), at 80x24: F5 while
# paused probes every instance once, and the screen says so after the
# round, from the snapshot: "probed 3 instances at HH:MM:SS", with the
# header's "updated" at that time, and the instances saw the probes.
# Probing stays paused afterwards.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 6
pg_test_db
seed_tables
emu_start c --instances 3 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
seed_metadata "$A" >/dev/null
probes() { echo $(( $(stat_count "$A" get_inconsistent_metadata) + $(stat_count "$B" get_inconsistent_metadata) + $(stat_count "$C" get_inconsistent_metadata) )); }

tui_start 80 24 -d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --probe-interval 300
tui_wait 'all 3 replicas ok' 80
tui_keys p
tui_wait 'PAUSED' 30
ok $? "p: PAUSED"
# Let the last round settle, then note when it was and wait until the
# clock has moved past that second (so a new round shows a new time).
updated() { tui_screen | head -n 1 | grep -oE 'updated [0-9:]{8}' | cut -d' ' -f2; }
last=""
settled() { local u; u=$(updated); [ -n "$u" ] && [ "$u" = "$last" ] && [ "$(date +%H:%M:%S)" != "$u" ]; }
stable() { last=$(updated); wait_until 3 settled; }
wait_until 50 stable
old=$(updated)
p0=$(probes)
tui_keys F5
said=""
n=60
while [ "$n" -gt 0 ]; do
	st=$(tui_status)
	printf '%s' "$st" | grep -q 'probing every instance now' && said="$st"
	printf '%s' "$st" | grep -qE 'probed 3 instances at [0-9:]{8}' && break
	sleep 0.05
	n=$((n - 1))
done
like "$st" 'probed 3 instances at [0-9:]{8}; probing stays paused' "the status line says the round was done"
at=$(printf '%s' "$st" | grep -oE 'at [0-9:]{8}' | cut -d' ' -f2)
is "$(updated)" "$at" "the header's updated time is that round's"
ok $([ "$at" != "$old" ] && echo 0 || echo 1) "a new round ($old -> $at)"
ok $([ "$(probes)" -ge $((p0 + 3)) ] && echo 0 || echo 1) "every instance was probed ($p0 -> $(probes))"
is "$said" "" "the status line never said it probes before it did"
tui_keys q
tui_exited 50
