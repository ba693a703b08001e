# tests/integration/fault-matrix.sh: every batch mode against every fault,
# from outside: the exit code, a wall-time bound computed from the options,
# the healthy replica beside the faulty one still reported ok, and (JSON
# modes) every line on stdout and stderr a JSON line.
#
# Modes: --batch alone and beside a healthy replica, --batch --reload
# beside, --batch --reload --wait W beside, hasync reload with the old
# tool's flags and with its environment, --watch (first line, SIGTERM).
# Faults: refused, accepts-and-hangs, 401, HTTP 500, malformed JSON,
# /healthz ERROR, body over --max-body-mb; then signals mid-pass.
# The last lines (diag) are the matrix with the measured times.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
plan 64
pg_test_db
seed_tables
SECRET=matrix-Secret-7
emu_start c --instances 2 --poll-interval 200 --admin-secret "$SECRET"
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" >/dev/null
wait_until 30 ic_is "$B" 0
export HASURA_GRAPHQL_ADMIN_SECRET=$SECRET

TO=1500			# --timeout, ms
POLL=200		# --poll-interval, ms (as the emulator's)
W=2			# --wait, s
SLACK=800		# process start and scheduling; a sanitized build is
# several times slower to start and run: the bounds still catch what they
# are for (a wait of a whole timeout or of 37 s), with more room.
QUICK=1000		# to exit on a signal
if ldd "$HASYNC" 2>/dev/null | grep -Eq 'lib(asan|tsan|ubsan)'; then
	SLACK=2500 QUICK=2500
fi
GRACE=$((2 * POLL))	# replicas' sync time before a reload is verified
OPTS=(--timeout "$TO" --poll-interval "$POLL" --max-body-mb 1)
REFUSED="http://127.0.0.1:$(free_port)"
MATRIX=""

# Bounds, ms. A fault that answers at once costs nothing; a hung instance
# costs one --timeout per probe round it is in.
bound() {	# bound MODE FAULT
	local hang=0
	[ "$2" = hang ] && hang=1
	case $1 in
	batch|batch-beside|reload-flags|reload-env) echo $((hang * TO + SLACK)) ;;
	reload-beside) echo $((hang * 2 * TO + GRACE + SLACK)) ;;	# round, reload, verifying round
	wait-beside) echo $((W * 1000 + TO + SLACK)) ;;		# the last retry is cut at W + timeout
	esac
}

# json_lines FILE...: every non-empty line parses as a JSON object.
json_lines() {
	python3 -c 'import json,sys
for f in sys.argv[1:]:
    for line in open(f, encoding="utf-8", errors="replace"):
        if line.strip() and not isinstance(json.loads(line), dict):
            sys.exit(1)' "$@" 2>/dev/null
}

# cell NAME WANT_RC BOUND_MS BESIDE CMD...: run, then check the exit code,
# the time, that the healthy replica A is still "ok" (BESIDE=1), and that
# the output is JSON lines.
cell() {
	local name=$1 want=$2 bound=$3 beside=$4 t0 rc dt why=""
	shift 4
	t0=$(now_ms)
	"$@" >"$T/cell.out" 2>"$T/cell.err" </dev/null
	rc=$? dt=$(( $(now_ms) - t0 ))
	[ "$rc" = "$want" ] || why="$why exit $rc, want $want;"
	[ "$dt" -le "$bound" ] || why="$why took $dt ms, bound $bound;"
	json_lines "$T/cell.out" "$T/cell.err" || why="$why output is not JSON lines;"
	if [ "$beside" = 1 ] && [ "$(tail -n 1 "$T/cell.out" | emu_json 'j["instances"][0]["health"]' 2>/dev/null)" != ok ]; then
		why="$why the healthy replica is not reported ok;"
	fi
	if [ -z "$why" ]; then
		pass "$name: exit $rc in $dt ms (bound $bound)"
	else
		fail "$name:$why"
		diag "stdout: $(tail -n 3 "$T/cell.out")"
		diag "stderr: $(head -n 3 "$T/cell.err")"
	fi
	MATRIX="$MATRIX$(printf '%-24s exit %3s %6s ms (bound %s)' "$name" "$rc" "$dt" "$bound")
"
}

# fault_on NAME: make B (or the refused URL) faulty; X is the faulty URL.
fault_on() {
	X=$B
	case $1 in
	none)		emu_fault "$B" '{}' "$SECRET" ;;
	refused)	emu_fault "$B" '{}' "$SECRET"; X=$REFUSED ;;
	hang)		emu_fault "$B" '{"hang":true}' "$SECRET" ;;
	401)		emu_fault "$B" '{"status":401}' "$SECRET" ;;
	500)		emu_fault "$B" '{"status":500}' "$SECRET" ;;
	malformed)	emu_fault "$B" '{"malformed":true}' "$SECRET" ;;
	healthz)	emu_fault "$B" '{"healthz_error":true}' "$SECRET" ;;
	overlimit)	emu_fault "$B" '{"body_mb":2}' "$SECRET" ;;
	esac >/dev/null
}

for f in none refused hang 401 500 malformed healthz overlimit; do
	fault_on "$f"
	want=3
	[ "$f" = none ] && want=0
	cell "$f batch" $want "$(bound batch "$f")" 0 \
	    "$HASYNC" --batch "${OPTS[@]}" -e "$X"
	cell "$f batch+ok" $want "$(bound batch-beside "$f")" 1 \
	    "$HASYNC" --batch "${OPTS[@]}" -e "$A" -e "$X"
	cell "$f reload+ok" $want "$(bound reload-beside "$f")" 1 \
	    "$HASYNC" --batch --reload "${OPTS[@]}" -e "$A" -e "$X"
	if [ "$f" = none ]; then
		# Consistent at once: no retry, no wait.
		cell "$f wait+ok" 0 "$(bound reload-beside "$f")" 1 \
		    "$HASYNC" --batch --reload --wait "$W" "${OPTS[@]}" -e "$A" -e "$X"
	else
		cell "$f wait+ok" $want "$(bound wait-beside "$f")" 1 \
		    "$HASYNC" --batch --reload --wait "$W" "${OPTS[@]}" -e "$A" -e "$X"
	fi
	cell "$f reload-flags" $want "$(bound reload-flags "$f")" 0 \
	    "$HASYNC" reload --hasura-endpoint "$X" --hasura-admin-secret "$SECRET" "${OPTS[@]}"
	cell "$f reload-env" $want "$(bound reload-env "$f")" 0 \
	    env HASURA_ENDPOINT="$X" HASURA_ADMIN_SECRET="$SECRET" HASURA_GRAPHQL_ADMIN_SECRET= \
	    "$HASYNC" reload "${OPTS[@]}"
done

# The exit code for each fault is the same from every mode; /healthz ERROR
# and the over-limit body are named.
fault_on healthz
"$HASYNC" --batch "${OPTS[@]}" -e "$B" >"$T/hz.out" 2>&1
like "$(grep '"/healthz reports an error."' "$T/hz.out")" "\"instance\":\"$B\".*\"reason\":\"ERROR\"" \
    "/healthz ERROR: a line names the instance and what /healthz said"
fault_on overlimit
"$HASYNC" --batch "${OPTS[@]}" -e "$B" >"$T/ol.out" 2>&1
like "$(tail -n 1 "$T/ol.out" | emu_json 'j["instances"][0]["error"]')" 'larger than 1 MiB' \
    "over the limit: refused, and says so"

# --watch: its first line comes at once, whatever the fault; SIGTERM ends
# it within a second with 128+15 and a last summary marked interrupted.
for f in none refused hang 401 500 malformed healthz overlimit; do
	fault_on "$f"
	t0=$(now_ms)
	rm -f "$T/w.out" "$T/w.err"
	"$HASYNC" --watch "${OPTS[@]}" -e "$A" -e "$X" >"$T/w.out" 2>"$T/w.err" &
	wp=$!
	wait_until 50 test -s "$T/w.out"
	first=$(( $(now_ms) - t0 ))
	t1=$(now_ms)
	kill -TERM "$wp"
	wait "$wp"
	rc=$? dt=$(( $(now_ms) - t1 ))
	if [ "$first" -le "$SLACK" ] && [ "$rc" = 143 ] && [ "$dt" -le "$QUICK" ] &&
	    tail -n 1 "$T/w.out" | grep -q '"interrupted":true' && json_lines "$T/w.out" "$T/w.err"; then
		pass "$f watch+ok: first line in $first ms, SIGTERM: exit $rc in $dt ms"
	else
		fail "$f watch+ok: first line in $first ms, SIGTERM: exit $rc in $dt ms"
		diag "$(tail -n 2 "$T/w.out")"
	fi
	MATRIX="$MATRIX$(printf '%-24s exit %3s %6s ms after SIGTERM (first line %s ms)' "$f watch+ok" "$rc" "$dt" "$first")
"
done

# Signals mid-pass: a CronJob killed by its deadline is not a success. The
# pass ends at once with what it knows, marked interrupted, exit 128+sig.
fault_on hang
sig_cell() {	# sig_cell NAME SIGNAL WANT CMD...
	local name=$1 sig=$2 want=$3 p t1 rc dt
	shift 3
	"$@" >"$T/sig.out" 2>"$T/sig.err" </dev/null &
	p=$!
	sleep 0.5
	t1=$(now_ms)
	kill -"$sig" "$p"
	wait "$p"
	rc=$? dt=$(( $(now_ms) - t1 ))
	if [ "$rc" = "$want" ] && [ "$dt" -le "$QUICK" ] &&
	    tail -n 1 "$T/sig.out" | grep -q "\"interrupted\":true,\"signal\":\"SIG$sig\""; then
		pass "$name: SIG$sig mid-pass: exit $rc in $dt ms, summary marked interrupted"
	else
		fail "$name: SIG$sig mid-pass: exit $rc in $dt ms"
		diag "$(tail -n 2 "$T/sig.out")"
	fi
	MATRIX="$MATRIX$(printf '%-24s exit %3s %6s ms after the signal' "SIG$sig $name" "$rc" "$dt")
"
}
sig_cell "batch" TERM 143 "$HASYNC" --batch "${OPTS[@]}" -e "$A" -e "$B"
sig_cell "reload+ok" TERM 143 "$HASYNC" --batch --reload "${OPTS[@]}" -e "$A" -e "$B"
sig_cell "reload-flags" TERM 143 "$HASYNC" reload --hasura-endpoint "$B" "${OPTS[@]}"
sig_cell "batch" INT 130 "$HASYNC" --batch "${OPTS[@]}" -e "$A" -e "$B"
# In the --wait backoff, between two attempts (B refused: each attempt is
# over at once, so 0.5 s in is inside the first 1 s pause).
fault_on refused
sig_cell "wait+ok" TERM 143 "$HASYNC" --batch --reload --wait 10 "${OPTS[@]}" -e "$A" -e "$X"
fault_on none

# --format text: the same verdict, and the last line says why.
fault_on 500
"$HASYNC" --batch --format text "${OPTS[@]}" -e "$A" -e "$X" >"$T/text.out" 2>&1
is "$?" 3 "--format text: same exit code (3)"
fault_on none

diag "mode x fault matrix (exit code, wall time):"
printf '%s' "$MATRIX" | while IFS= read -r line; do diag "  $line"; done
