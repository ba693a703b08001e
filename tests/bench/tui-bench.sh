# tests/bench/tui-bench.sh: console performance figures (printed, not a
# pass/fail test): first frame after start, filter keystroke and scrolling
# latency with 20,000 inconsistent objects (key to doupdate, from
# HASYNC_UI_TRACE), its RSS, and idle CPU with 10 instances.
#   bash tests/bench/tui-bench.sh        (BENCH_OBJECTS=20000 BENCH_IDLE_S=60)
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
N=${BENCH_OBJECTS:-20000}
IDLE=${BENCH_IDLE_S:-60}

# median FILE KIND: median of the "KIND MS" lines in FILE.
median() {
	awk -v k="$2" '$1 == k { print $2 }' "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
	    else printf "%.2f ms (n=%d, max %.2f)\n", v[int((NR + 1) / 2)], NR, v[NR] }'
}

pg_test_db
emu_start big --instances 1 --poll-interval 500
A=$EMU_URL_big
echo "# seeding $N missing tables (each one an inconsistent object)"
python3 - "$N" >"$T/big.json" <<'PY'
import json, sys
n = int(sys.argv[1])
tables = [{"table": {"schema": "public", "name": "missing_%05d" % i}} for i in range(n)]
print(json.dumps({"type": "replace_metadata", "version": 2, "args": {
    "allow_inconsistent_metadata": True, "metadata": {"version": 3, "sources": [{
    "name": "default", "kind": "postgres", "tables": tables, "configuration": {
    "connection_info": {"database_url": {"from_env": "HASURA_GRAPHQL_DATABASE_URL"}}}}]}}}))
PY
curl -s --noproxy '*' --max-time 300 -H 'Content-Type: application/json' \
    --data-binary @"$T/big.json" "$A/v1/metadata" >/dev/null
TUI_ENV="HASYNC_UI_TRACE=$T/trace"
tui_start 100 30 -d "$DATABASE_URL" -e "$A" --probe-interval 5000 --timeout 60000
tui_wait "Inconsistent objects +$N" 600 || { echo "Bail out! objects never shown"; exit 1; }
echo "first frame after start:     $(awk '$1 == "frame" { print $2 " ms"; exit }' "$T/trace")"
: >"$T/trace"
tui_keys /
sleep 0.2
for c in m i s s i n g _ 0 1 2 BSpace BSpace BSpace BSpace 9 9 9; do
	tui_keys "$c"
	sleep 0.15
done
tui_keys Enter
sleep 0.2
echo "filter keystroke to screen:  median $(median "$T/trace" key)"
: >"$T/trace"
tui_keys Escape
sleep 0.3
: >"$T/trace"
for i in $(seq 30); do tui_keys j; sleep 0.05; done
for i in $(seq 10); do tui_keys NPage; sleep 0.05; done
tui_keys End; sleep 0.1; tui_keys Home; sleep 0.1
echo "scroll keystroke to screen:  median $(median "$T/trace" key)"
# Memory with the objects shown and scrolled: now and at the peak.
echo "console RSS with $N objects:  $(awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.1f MiB (peak %.1f MiB)", r / 1024, h / 1024 }' "/proc/$(tui_pid)/status")"
tui_keys q
tui_exited 50
emu_stop big
tui kill-server 2>/dev/null

# Idle CPU: 10 instances on a fresh, small catalog, nothing happening.
pg_test_db tui_bench_idle
seed_tables
emu_start ten --instances 10 --poll-interval 1000
seed_metadata "${EMU_URLS_ten[0]}" >/dev/null
args=(-d "$DATABASE_URL")
for u in "${EMU_URLS_ten[@]}"; do args+=(-e "$u"); done
TUI_ENV=""
tui_start 100 30 "${args[@]}"
tui_wait 'Instances +10' 100
sleep 3
pid=$(tui_pid)
tck=$(getconf CLK_TCK)
# The whole process, and the UI (main) thread alone: its tid is the pid.
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
u0=$(awk '{ print $14 + $15 }' "/proc/$pid/task/$pid/stat")
sleep "$IDLE"
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
u1=$(awk '{ print $14 + $15 }' "/proc/$pid/task/$pid/stat")
pct() { awk -v a="$1" -v b="$2" -v h="$tck" -v s="$IDLE" 'BEGIN { printf "%.2f%%", 100 * (b - a) / h / s }'; }
echo "idle CPU, 10 instances, $IDLE s: process $(pct "$t0" "$t1") of a core, UI thread $(pct "$u0" "$u1")"
tui_keys q
tui_exited 50
