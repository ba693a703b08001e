# tests/tui/readonly.sh: --readonly cannot send a modifying request, counted
# at the emulator.  A cluster with an inconsistent remote schema (something
# to reload and drop) is driven by every key that would modify in the
# console, by --batch --reload and by --watch --auto-reload, all with
# --readonly; afterwards every instance's /emu/stats must show zero
# modifying requests and only read-only command types.  A console without
# --readonly, last, shows that the counter does see a reload.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 26

SECRET=ro-test-secret-$$
export SECRET
pg_test_db
seed_tables
# Seed through a throwaway instance, so the cluster under test starts with
# no modifying request at all.
emu_start seed --admin-secret "$SECRET" --poll-interval 200
RS_PORT=$(free_port)
seed_metadata "$EMU_URL_seed" "http://127.0.0.1:$RS_PORT/graphql" >/dev/null
emu_stop seed
emu_start c --instances 3 --poll-interval 200 --admin-secret "$SECRET"
URLS=("${EMU_URLS_c[@]}")
A=${URLS[0]} B=${URLS[1]} C=${URLS[2]}
# (a function, so wait_until re-evaluates it on every try)
ic_is() { [ "$(ic_count "$1")" = "$2" ]; }
wait_until 50 ic_is "$C" 1
ok $? "the cluster is inconsistent (remote schema down)"
ARGS=(-d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --probe-interval 300)

# stats URL PYEXPR: evaluate PYEXPR on URL's /emu/stats (j).
stats() { emu_http GET "$1/emu/stats" "" "$SECRET" | emu_json "$2"; }
# modifying: modifying_requests of the three instances, space-separated.
modifying() {
	local u out=""
	for u in "${URLS[@]}"; do out="$out$(stats "$u" 'j["modifying_requests"]') "; done
	echo "${out% }"
}
# probes: get_inconsistent_metadata counts summed over the instances.
probes() {
	local u n=0
	for u in "${URLS[@]}"; do
		n=$((n + $(stats "$u" 'j["metadata_requests"].get("get_inconsistent_metadata", 0)')))
	done
	echo "$n"
}
# nonreadonly: the command types outside the read-only set, all instances.
nonreadonly() {
	local u
	for u in "${URLS[@]}"; do
		stats "$u" '" ".join(sorted(k for k in j["metadata_requests"]
		    if k not in ("get_inconsistent_metadata", "dump_internal_state",
		    "export_metadata", "get_catalog_state")))'
	done | tr -s '\n' ' ' | sed 's/^ *//; s/ *$//'
}
# more_probes N TENTHS: wait until the instances saw N more probes than now,
# so anything the keys caused has had time to reach them.
probes_at_least() { [ "$(probes)" -ge "$1" ]; }
more_probes() {
	local want=$(( $(probes) + $1 ))
	wait_until "$2" probes_at_least "$want" && return 0
	diag "probes: want $want, got $(probes)"
	return 1
}
is "$(modifying)" "0 0 0" "the cluster under test starts with no modifying request"

# --batch --reload --readonly, in the background while the console runs;
# it times itself (the console part may take longer than the batch).
(
	t0=$(now_ms)
	HASURA_GRAPHQL_ADMIN_SECRET=$SECRET \
	    "$HASYNC" --batch --readonly --reload --timeout 1000 "${ARGS[@]}" \
	    >"$T/batch.out" 2>"$T/batch.err"
	rc=$?
	echo $(( $(now_ms) - t0 )) >"$T/batch.ms"
	exit $rc
) &
BATCH=$!
TEST_PIDS="$TEST_PIDS $BATCH"

# ---- the console, read-only: every modifying key ----
TUI_ENV="HASURA_GRAPHQL_ADMIN_SECRET=$SECRET"
tui_start 100 30 --readonly "${ARGS[@]}"
tui_wait '^inconsistent +3 127' 50
ok $? "console: three instances, inconsistent"
unlike "$(tui_screen | tail -n 1)" 'rReload|RCluster|DDrop' "console: no r, R or D in the footer"
tui_keys r
tui_keys R
tui_keys y
tui_keys D
tui_keys y
tui_keys F5
tui_keys Down r Down r R y D y Enter
tui_wait '^Instance +#[0-9]' 20
ok $? "console: Enter on an instance shows its detail"
tui_keys r R y D y Escape
tui_wait_not '^Instance +#[0-9]' 20
# the objects pane, then the object's detail: r, R y, D y in each
tui_keys Tab
tui_wait '^▶ Inconsistent objects' 20
ok $? "console: Tab moves to the objects pane"
tui_keys r R y D y Enter
tui_wait '^Reason' 20
ok $? "console: Enter shows the object's detail"
tui_keys r R y D y Escape
tui_wait_not '^Reason' 20
tui_keys Tab Tab r D y R y BTab F5 r
more_probes 6 80
ok $? "console: still probing after the keys"
like "$(tui_screen)" 'Events' "console: still running"
unlike "$(tui_screen)" '\[y/N\]' "console: no question is open"
is "$(modifying)" "0 0 0" "console: zero modifying requests after r, R y, D y, Enter, Tab, F5"
is "$(nonreadonly)" "" "console: only read-only command types reached the instances"
tui_keys q
tui_exited 50
is "$TUI_EXIT" 0 "console: q exits 0"
tui kill-server 2>/dev/null

# ---- --batch --readonly --reload: refuses to reload, reports, exits 1 ----
wait "$BATCH"
rc=$?
ms=$(cat "$T/batch.ms")
is "$rc" 1 "batch --reload --readonly: exit 1 (inconsistent)"
is "$(tail -n 1 "$T/batch.out" | emu_json 'j["exit_code"]')" 1 "batch: summary exit_code 1"
unlike "$(cat "$T/batch.out")" '"(reload_sent|reload_result|drop_result)"' \
    "batch: no reload reported as sent"
is "$(modifying)" "0 0 0" "batch: zero modifying requests"
ok $([ "$ms" -lt 5000 ] && echo 0 || echo 1) "batch: --reload --readonly does not wait for a reload that is never sent (${ms} ms)"
like "$(cat "$T/batch.out")" 'read-only: reload not sent' "batch: says the reload was not sent"

# ---- --watch --auto-reload --readonly for 3 s ----
HASURA_GRAPHQL_ADMIN_SECRET=$SECRET "$HASYNC" --watch --auto-reload --readonly \
    "${ARGS[@]}" >"$T/watch.out" 2>"$T/watch.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q 'inconsistent' "$T/watch.out"
ok $? "watch: reports the inconsistency"
sleep 3
kill -0 "$W" 2>/dev/null
ok $? "watch: still running after 3 s"
kill -TERM "$W"
wait_until 50 sh -c "! kill -0 $W"
ok $? "watch: SIGTERM ends it"
is "$(modifying)" "0 0 0" "watch --auto-reload --readonly: zero modifying requests"
is "$(nonreadonly)" "" "watch: only read-only command types reached the instances"

# ---- control: without --readonly, r reaches an instance ----
tui_start 100 30 "${ARGS[@]}"
tui_wait '^inconsistent +1 127' 50
tui_keys r
some_modifying() { local m; m=$(modifying); [ $(( ${m// /+} )) -ge 1 ]; }
wait_until 50 some_modifying
ok $? "control: without --readonly, r is counted as a modifying request"
tui_keys q
tui_exited 50
is "$TUI_EXIT" 0 "control: q exits 0"
