# tests/tui/truth-reload.sh (issue 11, truth item 3), at 80x24: after r, R
# and D, no row contradicts the status line. Every screen is read while the
# engine works: when the status line says an instance answered
# "consistent" or "dropped", every row is ok or syncing; when it says
# "still inconsistent", no row is ok; when the verification says all 3 are
# consistent and in sync, every row is ok; and no row ever says that
# replicas which all got the same reload "disagree".
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 9
tui_cluster
tui_start 80 24 "${TUI_ARGS[@]}"
three_inconsistent() { [ "$(tui_verdicts 3 | grep -c inconsistent)" = 3 ]; }
wait_until 80 three_inconsistent
ok $? "three rows, inconsistent (the remote schema is down)"

# check_until DONE_REGEX TENTHS: read the screen until the status line
# matches DONE_REGEX; every screen read must agree with itself. Sets BAD.
check_until() {
	local done=$1 n=$2 scr st v
	BAD=""
	while [ "$n" -gt 0 ]; do
		scr=$(tui_screen)
		st=$(tui_status "$scr")
		v=$(tui_verdicts 3 "$scr" | tr '\n' ' ')
		case "$v" in *disagrees*) BAD="rows '$v' with '$st'"; return 1 ;; esac
		if printf '%s' "$st" | grep -qE 'verified 3 instances: 3 consistent'; then
			[ "$v" = "ok ok ok " ] || { BAD="rows '$v' with '$st'"; return 1; }
		elif printf '%s' "$st" | grep -qE ': consistent \(|: dropped \('; then
			printf '%s' "$v" | grep -qE 'inconsistent|behind|error|unreachable' &&
			    { BAD="rows '$v' with '$st'"; return 1; }
		elif printf '%s' "$st" | grep -qE 'still inconsistent'; then
			printf '%s' "$v" | grep -qE '(^| )ok ' &&
			    { BAD="rows '$v' with '$st'"; return 1; }
		fi
		printf '%s' "$st" | grep -qE -- "$done" && return 0
		sleep 0.03
		n=$((n - 1))
	done
	BAD="timeout waiting for /$done/; last status '$st', rows '$v'"
	return 1
}

# r: the remote schema is back; the reload makes every replica consistent.
remote_start rs "$RS_PORT"
tui_keys r
check_until 'verified 3 instances: 3 consistent' 300
is "$BAD" "" "r: rows agree with the status line until the reload is verified"
like "$(tui_status)" 'verified 3 instances: 3 consistent' "r: verified, all consistent"
is "$(tui_verdicts 3 | tr '\n' ' ')" "ok ok ok " "r: every row ok"

# R: a table dropped behind Hasura's back; the full reload finds it.
q "DROP TABLE article CASCADE" >/dev/null
tui_keys R
tui_wait 'Reload the cluster\? \[y/N\]' 30
tui_keys y
tui_wait_not '\[y/N\]' 30
check_until 'verified 3 instances: .*3 inconsistent' 300
is "$BAD" "" "R: rows agree with the status line until the reload is verified"
like "$(tui_status)" 'verified 3 instances: .*3 inconsistent' "R: verified, all inconsistent"

# D: drop what is inconsistent; every replica is consistent again.
tui_keys D
tui_wait 'Drop them\?' 30
tui_keys y
tui_wait_not '\[y/N\]' 30
check_until 'verified 3 instances: 3 consistent' 300
is "$BAD" "" "D: rows agree with the status line until the drop is verified"
like "$(tui_status)" 'verified 3 instances: 3 consistent' "D: verified, all consistent"
is "$(tui_verdicts 3 | tr '\n' ' ')" "ok ok ok " "D: every row ok"
tui_keys q
tui_exited 50
