# tests/integration/secret-scan.sh: the admin secret never leaves hasync
# except in the X-Hasura-Admin-Secret header.  A distinctive secret is given
# by the environment, --admin-secret-file, --admin-secret and a --config
# file; a representative set of runs (batch, --format text, --reload
# against an inconsistent cluster reporting to a local Sentry stand-in,
# --watch --auto-reload with --audit-log, the console, a wrong secret) is
# scanned: stdout, stderr, the audit log, every captured Sentry request and
# the console's screens must not hold the secret or any 8-character piece
# of it.  /proc/PID/cmdline of a running --admin-secret (and
# --admin-secret=) must not either.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
HAVE_TMUX=0
command -v tmux >/dev/null 2>&1 && HAVE_TMUX=1
[ "$HAVE_TMUX" = 1 ] && . "$top_srcdir/tests/tui/lib.sh"
plan 34

SECRET="Zq7sEcReT-$$-xK2vP9mWb4"
WRONG="WrOnGsEcR-$$-tY6nH3jLq8"
export SECRET		# for seed_metadata/ic_count
S=$T/scan
mkdir -p "$S" "$T/sentry"

# pieces FILE: every 8-character window of both secrets, one a line.
for s in "$SECRET" "$WRONG"; do
	i=0
	while [ $((i + 8)) -le ${#s} ]; do
		printf '%s\n' "${s:i:8}"
		i=$((i + 1))
	done
done >"$T/pieces"
# leaks FILE...: print the files that hold a piece of a secret.
leaks() { grep -lF -f "$T/pieces" -- "$@" 2>/dev/null; }

pg_test_db
seed_tables
emu_start c --instances 2 --poll-interval 200 --admin-secret "$SECRET"
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
RS_PORT=$(free_port)
seed_metadata "$A" "http://127.0.0.1:$RS_PORT/graphql" >/dev/null
ic_is() { [ "$(ic_count "$1")" = "$2" ]; }	# re-evaluated on each try
wait_until 50 ic_is "$B" 1
ok $? "the cluster is inconsistent (remote schema down)"
ARGS=(-d "$DATABASE_URL" -e "$A" -e "$B")

python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/capture.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q '^ready ' "$T/capture.out"
DSN="http://scanpublickey@127.0.0.1:$(awk '{print $2; exit}' "$T/capture.out")/1"
printf '%s\n' "$SECRET" >"$T/secret"
chmod 600 "$T/secret"
printf 'admin-secret = %s\n' "$SECRET" >"$T/config"

# run NAME ARGS...: hasync with ARGS; output in $S/NAME.out/.err; RC.
run() {
	local name=$1
	shift
	"$HASYNC" "$@" >"$S/$name.out" 2>"$S/$name.err"
	RC=$?
}

# ---- batch, the secret from each source ----
HASURA_GRAPHQL_ADMIN_SECRET=$SECRET run env --batch "${ARGS[@]}"
is "$RC" 1 "env secret: batch pass sees the inconsistency (exit 1)"
run file --batch --format text --admin-secret-file "$T/secret" "${ARGS[@]}"
is "$RC" 1 "--admin-secret-file: --format text, exit 1"
like "$(cat "$S/file.out")" 'remote_schema rs' "--format text names the object"
run argv --batch --admin-secret "$SECRET" "${ARGS[@]}"
is "$RC" 1 "--admin-secret: exit 1"
like "$(cat "$S/argv.err")" '^\{"level":"warn",.*"message":"--admin-secret is visible' \
    "--admin-secret warns about ps, as a JSON line like all batch output"
run conf --batch --config "$T/config" "${ARGS[@]}"
is "$RC" 1 "secret from a --config file: exit 1"

# ---- --reload, Sentry and the audit log ----
SENTRY_DSN=$DSN run reload --batch --reload --admin-secret "$SECRET" \
    --audit-log "$T/audit.log" "${ARGS[@]}"
is "$RC" 1 "--reload: still inconsistent (exit 1)"
like "$(cat "$S/reload.out")" 'Sentry event delivered' "the Sentry event was delivered"
is "$(grep -c 'reload_metadata' "$T/audit.log")" 1 "the audit log has the reload"
HASURA_GRAPHQL_ADMIN_SECRET=$SECRET SENTRY_DSN=$DSN run reload-text --batch \
    --reload --format text --audit-log "$T/audit.log" "${ARGS[@]}"
is "$RC" 1 "--reload --format text: exit 1"

# ---- a wrong secret ----
SENTRY_DSN=$DSN run wrong --batch --admin-secret "$WRONG" "${ARGS[@]}"
is "$RC" 3 "a wrong secret: exit 3"
like "$(cat "$S/wrong.out")" 'admin secret rejected' "and says the secret was rejected"
HASURA_GRAPHQL_ADMIN_SECRET=$WRONG run wrong-text --batch --format text "${ARGS[@]}"
is "$RC" 3 "a wrong secret, --format text: exit 3"
run nosecret --batch "${ARGS[@]}"
is "$RC" 3 "no secret: exit 3"
ls "$T"/sentry/*.req >/dev/null 2>&1
ok $? "Sentry requests were captured"
is "$(ls "$T"/sentry/*.req 2>/dev/null | wc -l)" 3 "three Sentry events (two reloads, one wrong secret)"

# ---- --watch --auto-reload for 2 s; its command line ----
"$HASYNC" --watch --auto-reload --probe-interval 300 --admin-secret "$SECRET" \
    --audit-log "$T/audit.log" "${ARGS[@]}" >"$S/watch.out" 2>"$S/watch.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q 'reload' "$S/watch.out"
ok $? "watch: it reloads"
tr '\0' ' ' <"/proc/$W/cmdline" >"$S/cmdline"
like "$(cat "$S/cmdline")" '--watch .*--admin-secret' "cmdline of the running --watch was read"
is "$(leaks "$S/cmdline")" "" "/proc/PID/cmdline does not hold the secret (wiped after parsing)"
sleep 2
kill -TERM "$W"
wait "$W"
is "$?" 143 "watch: SIGTERM ends it with 128+15"
ok "$([ "$(grep -c reload_metadata "$T/audit.log")" -ge 3 ] && echo 0 || echo 1)" \
    "watch: its reloads are in the audit log"

# ---- the console ----
if [ "$HAVE_TMUX" = 1 ]; then
	TUI_ENV="HASURA_GRAPHQL_ADMIN_SECRET=$SECRET"
	tui_start 120 40 --probe-interval 300 --audit-log "$T/audit.log" "${ARGS[@]}"
	tui_wait '^inconsistent +2 127' 50
	ok $? "console (env secret): inconsistent instances shown"
	tui_screen >"$S/screen-main"
	tui_keys r
	tui_wait 'reload_metadata via' 50
	ok $? "console: r reloads, the result shows"
	tui_screen >"$S/screen-reload"
	tui_keys Tab Enter
	tui_wait 'remote_schema +rs|Name +rs' 20
	tui_screen >"$S/screen-detail"
	tui_keys Escape '?'
	tui_wait 'Help' 20
	tui_screen >"$S/screen-help"
	tui_keys q q
	tui_exited 50
	tui kill-server 2>/dev/null
	TUI_ENV=""
	tui_start 120 40 --probe-interval 300 "--admin-secret=$WRONG" "${ARGS[@]}"
	tui_wait 'rejected' 50
	ok $? "console (wrong secret by --admin-secret=): says it was rejected"
	tr '\0' ' ' <"/proc/$(tui_pid)/cmdline" >"$S/cmdline-console"
	like "$(cat "$S/cmdline-console")" '--admin-secret=' "the console's cmdline was read"
	is "$(leaks "$S/cmdline-console")" "" "the console's cmdline does not hold --admin-secret=S"
	tui_screen >"$S/screen-wrong"
	tui_keys Tab Enter
	sleep 0.3
	tui_screen >"$S/screen-wrong2"
	tui_keys q q
	tui_exited 50
	tui kill-server 2>/dev/null
	cat "$T/tui.err" >"$S/tui.err"
	leaks "$T/tui-run.sh" >/dev/null
	ok $? "control: the scan finds the secret where it is (the tmux run script)"
else
	for i in 1 2 3 4 5 6; do skip "tmux is not installed"; done
fi

# ---- the scan ----
ok "$([ -s "$T/audit.log" ] && echo 0 || echo 1)" "the audit log is not empty"
is "$(leaks "$T/audit.log")" "" "the audit log does not hold the secret"
is "$(leaks "$T"/sentry/*.req)" "" "no Sentry request holds the secret"
is "$(leaks "$S"/*.out "$S"/*.err)" "" "no stdout or stderr holds the secret"
if [ "$HAVE_TMUX" = 1 ]; then
	is "$(leaks "$S"/screen-*)" "" "no console screen holds the secret"
else
	skip "tmux is not installed"
fi
n=$(cat "$S"/*.out "$S"/*.err "$T"/sentry/*.req "$T/audit.log" | wc -c)
ok "$([ "$n" -gt 10000 ] && echo 0 || echo 1)" "the scan covered $n bytes"
