# tests/tui/truth-readonly.sh (issue 11, truth item 6), at 80x24: with
# --readonly the title says READ-ONLY, and r, R and D each say on the
# status line that they are off, rather than doing nothing silently; no
# question opens and no modifying request reaches an instance.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 7
tui_cluster
modifying() {
	local u n=0
	for u in "$A" "$B" "$C"; do
		n=$((n + $(emu_http GET "$u/emu/stats" | emu_json 'j["modifying_requests"]')))
	done
	echo "$n"
}
before=$(modifying)
tui_start 80 24 --readonly "${TUI_ARGS[@]}"
tui_wait 'inconsistent' 80
like "$(tui_screen | head -n 1)" 'READ-ONLY' "the title says READ-ONLY"
for k in R r D; do
	tui_keys "$k"
	tui_wait "read-only \\(--readonly\\): $k \\(.*nothing was sent" 20
	ok $? "$k says it is off (read-only), nothing sent"
	tui_keys C-l	# (no key of ours: the next one must say it anew)
done
unlike "$(tui_screen)" '\[y/N\]' "no question opened"
is "$(modifying)" "$before" "no modifying request reached an instance"
tui_keys q
tui_exited 50
is "$TUI_EXIT" 0 "q exits 0"
