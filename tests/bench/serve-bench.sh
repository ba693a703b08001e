#!/usr/bin/env bash
# tests/bench/serve-bench.sh: hasync serve's /metrics under load. Prints
# figures; not part of make check (the targets of issue 14 are read from
# them, not asserted).
#   render   render time of one snapshot's body (the first scrape after each
#            snapshot), R replicas sharing N inconsistent objects
#   fleet    hasync serve watching R canned replicas (one canned server,
#            tests/lib/canned-server.py) that report N objects each: body
#            size (plain, gzip), scrape latency one at a time, RATE
#            scrapes/s for LOAD_S seconds (wrk), RSS over RSS_S seconds of
#            that load (extrapolated to 10 minutes)
#   probes   probe rounds while idle and while scraped at RATE/s, on a
#            fleet small enough that the canned server keeps up
#            (PROBE_REPLICAS x PROBE_OBJECTS, --probe-interval 1000)
#   bash tests/bench/serve-bench.sh [render|fleet|probes]...
# Environment: R (500), N (20000), RATE (1000), LOAD_S (30), RSS_S (120),
# PROBE_REPLICAS (50), PROBE_OBJECTS (2000), PROBE_S (30). Needs wrk
# (apt-get install wrk) for the load; without it those figures are skipped.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/serve.sh"
R=${R:-500} N=${N:-20000} RATE=${RATE:-1000} LOAD_S=${LOAD_S:-30} RSS_S=${RSS_S:-120}
PROBE_REPLICAS=${PROBE_REPLICAS:-50} PROBE_OBJECTS=${PROBE_OBJECTS:-2000} PROBE_S=${PROBE_S:-30}
ulimit -n "$(ulimit -Hn)" 2>/dev/null
HAVE_WRK=0
command -v wrk >/dev/null 2>&1 && HAVE_WRK=1

# wrk at a steady RATE/s: each of C connections waits so that together they
# send RATE a second (wrk's delay() hook).
cat >"$T/pace.lua" <<'EOF'
local rate = tonumber(os.getenv("RATE") or "1000")
local conns = tonumber(os.getenv("CONNS") or "20")
function delay() return 1000 * conns / rate * 0.97 end
EOF
# load URL SECONDS [WRK ARGS]: RATE/s for SECONDS; prints wrk's summary.
load() {
	local url=$1 s=$2
	shift 2
	RATE=$RATE CONNS=20 wrk -t2 -c20 -d"${s}s" --latency -s "$T/pace.lua" "$@" "$url" 2>&1
}
# wrk_line OUT: "N req/s, p50 X, p99 Y" from wrk's output.
wrk_line() {
	awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2}
	    /Socket errors/{err=$0} /Non-2xx/{n2=$0}
	    END{printf "%s req/s, latency p50 %s p99 %s%s%s", rps, p50, p99,
	    err ? "; " err : "", n2 ? "; " n2 : ""}' "$1"
}
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null; }

# canned DIR OBJECTS: answers with OBJECTS objects and a canned server for
# them; CANNED_URL.
canned() {
	python3 "$top_srcdir/tests/bench/gen-answers.py" "$1" "$2"
	if [ "${CANNED:-}" != py ] && [ -x "$top_builddir/tests/lib/canned-server" ]; then
		"$top_builddir/tests/lib/canned-server" "$1" >"$1/srv.out" 2>&1 &
	else
		python3 "$top_srcdir/tests/lib/canned-server.py" "$1" >"$1/srv.out" 2>&1 &
	fi
	TEST_PIDS="$TEST_PIDS $!"
	wait_until 100 grep -q '^ready ' "$1/srv.out"
	CANNED_URL="http://127.0.0.1:$(awk '{print $2; exit}' "$1/srv.out")"
}
# rounds URL: hasync_probe_rounds_total, or 0.
rounds() { curl -s --noproxy '*' "$1/metrics" | awk '/^hasync_probe_rounds_total/{print $2}'; }
at_least_rounds() { [ "$(rounds "$1")" -ge "$2" ] 2>/dev/null; }

render() {
	local b=$T/metrics-bench
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I"$top_builddir" -I"$top_srcdir/include" \
	    "$top_srcdir/tests/bench/metrics-bench.c" "$top_builddir/libserve.a" \
	    "$top_builddir/libcore.a" $(pkg-config --libs jansson zlib) -o "$b" || return 1
	"$b" "$R" "$N" 300
	"$b" "$R" 0 300
	"$b" 3 "$N" 300
}

fleet() {
	local d=$T/fleet args=() i u t0 rss0 rss1 peak=0 r
	mkdir -p "$d"
	canned "$d" "$N"
	for i in $(seq 1 "$R"); do args+=(-e "$CANNED_URL/r$i"); done
	# Rounds every 30 s: each moves R x 6 MB out of one Python process.
	t0=$(now_ms)
	serve_start fleet --probe-interval 30000 --timeout 120000 "${args[@]}" || return 1
	u=$SERVE_URL
	wait_until 1200 at_least_rounds "$u" 1
	echo "fleet: $R replicas x $N objects: first probe round done in $(( $(now_ms) - t0 )) ms"
	curl -s --noproxy '*' -o "$d/m.txt" "$u/metrics"
	curl -s --noproxy '*' -H 'Accept-Encoding: gzip' -o "$d/m.gz" "$u/metrics"
	printf '  /metrics body: %.2f MB plain, %.1f kB gzipped; promtool: %s\n' \
	    "$(echo "$(stat -c %s "$d/m.txt") / 1000000" | bc -l)" \
	    "$(echo "$(stat -c %s "$d/m.gz") / 1000" | bc -l)" \
	    "$(have_promtool && (promtool check metrics <"$d/m.txt" >/dev/null 2>&1 && echo clean || echo NOT clean) || echo 'not installed')"
	python3 - "$u/metrics" <<'EOF'
import http.client, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
for enc in ("identity", "gzip"):
    c = http.client.HTTPConnection(u.hostname, u.port)
    t = []
    for _ in range(300):
        t0 = time.perf_counter()
        c.request("GET", u.path, headers={"Accept-Encoding": enc})
        r = c.getresponse(); r.read()
        t.append(time.perf_counter() - t0)
    t.sort()
    print("  one scrape at a time (%s, keep-alive): p50 %.2f ms, p99 %.2f ms, max %.2f ms"
          % (enc, t[150] * 1000, t[297] * 1000, t[-1] * 1000))
EOF
	if [ "$HAVE_WRK" = 0 ]; then
		echo "  load: skipped (no wrk: apt-get install wrk)"
	else
		load "$u/metrics" "$LOAD_S" -H 'Accept-Encoding: gzip' >"$d/wrk-gz"
		echo "  $RATE/s for ${LOAD_S}s, gzip (as Prometheus): $(wrk_line "$d/wrk-gz")"
		load "$u/metrics" "$LOAD_S" >"$d/wrk-plain"
		echo "  $RATE/s for ${LOAD_S}s, plain: $(wrk_line "$d/wrk-plain")"
		# Memory under a long load: RSS every 5 s (a probe round every 30 s
		# brings a new snapshot, so bodies are rendered again and again).
		rss0=$(rss_kb "$SERVE_PID")
		load "$u/metrics" "$RSS_S" -H 'Accept-Encoding: gzip' >"$d/wrk-rss" &
		r=$!
		for i in $(seq 1 $((RSS_S / 5))); do
			sleep 5
			rss1=$(rss_kb "$SERVE_PID")
			[ "${rss1:-0}" -gt "$peak" ] && peak=$rss1
		done
		wait "$r"
		echo "  RSS over ${RSS_S}s at $RATE/s: $((rss0 / 1024)) MiB -> $((rss1 / 1024)) MiB" \
		    "(peak $((peak / 1024)) MiB; growth $(( (rss1 - rss0) / 1024 )) MiB, extrapolated to 10 min:" \
		    "$(( (rss1 - rss0) * 600 / RSS_S / 1024 )) MiB); $(wrk_line "$d/wrk-rss"); rounds $(rounds "$u")"
	fi
	serve_stop
}

probes() {
	local d=$T/probes args=() i u r0 r1 d0
	mkdir -p "$d"
	canned "$d" "$PROBE_OBJECTS"
	for i in $(seq 1 "$PROBE_REPLICAS"); do args+=(-e "$CANNED_URL/r$i"); done
	serve_start probes --probe-interval 1000 --timeout 30000 "${args[@]}" || return 1
	u=$SERVE_URL
	wait_until 600 at_least_rounds "$u" 2
	# sample SECONDS: rounds done and the probe duration every second.
	sample() {
		local s=$1 j=0 v
		r0=$(rounds "$u")
		: >"$d/dur"
		while [ "$j" -lt "$s" ]; do
			sleep 1
			v=$(curl -s --noproxy '*' -H 'Accept-Encoding: identity' "$u/metrics" |
			    awk '/^hasync_probe_duration_seconds /{print $2}')
			echo "$v" >>"$d/dur"
			j=$((j + 1))
		done
		r1=$(rounds "$u")
		sort -n "$d/dur" | awk -v r=$((r1 - r0)) -v s="$s" '{a[NR]=$1}
		    END{printf "%d rounds in %d s (%.2f/s); round duration median %.1f ms, max %.1f ms",
		    r, s, r / s, a[int((NR+1)/2)] * 1000, a[NR] * 1000}'
	}
	echo "probes: $PROBE_REPLICAS replicas x $PROBE_OBJECTS objects, --probe-interval 1000"
	echo "  idle:            $(sample "$PROBE_S")"
	if [ "$HAVE_WRK" = 1 ]; then
		load "$u/metrics" $((PROBE_S + 2)) -H 'Accept-Encoding: gzip' >"$d/wrk" &
		i=$!
		sleep 1
		echo "  at $RATE scrapes/s: $(sample "$PROBE_S")"
		wait "$i"
		echo "  (the load: $(wrk_line "$d/wrk"))"
	fi
	serve_stop
}

for what in "${@:-render fleet probes}"; do
	for w in $what; do "$w"; done
done
