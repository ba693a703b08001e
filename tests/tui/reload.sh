# tests/tui/reload.sh: r reloads exactly the selected instance once and the
# result shows; R and D ask first and default to No; --readonly removes r,
# R and D from the keys, the footer and the help.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 18
tui_cluster
URLS=("$A" "$B" "$C")

# reloads: reload_metadata counts of the three instances, space-separated.
reloads() {
	local u out=""
	for u in "${URLS[@]}"; do out="$out$(stat_count "$u" reload_metadata) "; done
	echo "$out"
}
drops() {
	local u out=""
	for u in "${URLS[@]}"; do out="$out$(stat_count "$u" drop_inconsistent_metadata) "; done
	echo "$out"
}

tui_start 100 30 "${TUI_ARGS[@]}"
tui_wait '^inconsistent +1 127' 50
ok $? "instances are up, inconsistent (remote schema down)"
like "$(tui_screen | tail -n 1)" 'rReload RCluster DDrop' "the footer offers r, R and D"
row=$(tui_screen | grep -E '^[a-z]+ +[0-9] 127' | head -n 1 | awk '{print $2}')
sel=${URLS[$((row - 1))]}
before=$(reloads)
tui_keys r
tui_wait "^r #$row: verified 3 instances" 100
ok $? "the status line says how the reload ended"
after=$(reloads)
set -- $before; b=("$@"); set -- $after; a=("$@")
is "$((a[row - 1] - b[row - 1]))" 1 "exactly one reload_metadata reached the selected instance"
others=0
for i in 0 1 2; do
	[ "$i" -eq $((row - 1)) ] && continue
	others=$((others + a[i] - b[i]))
done
is "$others" 0 "no reload reached the other instances"
like "$(tui_screen)" 'Events +[0-9]+' "the console stays live"

# R asks; n sends nothing.
before=$(reloads)
tui_keys R
tui_wait 'Reload the cluster\? \[y/N\]' 20
ok $? "R asks y/N"
tui_keys n
tui_wait_not 'Reload the cluster\? \[y/N\]' 20
ok $? "n closes the question"
sleep 1
is "$(reloads)" "$before" "R then n sends no reload"

# D names what it drops; anything but y keeps it.
before=$(drops)
tui_keys D
tui_wait 'This removes 1 inconsistent object' 20
ok $? "D names the count"
like "$(tui_screen)" '- remote_schema rs ' "D names the object"
tui_keys Enter
tui_wait_not 'Drop them\?' 20
ok $? "Enter (not y) closes the question"
sleep 0.5
is "$(drops)" "$before" "nothing was dropped"
tui_keys q
tui_exited 50
is "$TUI_EXIT" 0 "q exits 0"

# --readonly: no r, R or D anywhere.
tui kill-server 2>/dev/null
before=$(reloads)
tui_start 100 30 --readonly "${TUI_ARGS[@]}"
tui_wait '^inconsistent +1 127' 50
scr=$(tui_screen)
unlike "$(printf '%s\n' "$scr" | tail -n 1)" 'rReload|RCluster|DDrop' \
    "--readonly: the footer has no r, R or D"
tui_keys r R D y
sleep 1
is "$(reloads)" "$before" "--readonly: r, R, D send nothing"
tui_keys '?'
tui_wait 'Help' 20
scr=$(tui_screen)
unlike "$scr" '^(r|R|D) +' "--readonly: the help has no r, R or D"
like "$scr" '^q F10 +quit' "the help lists the keys"
tui_keys q q
