# tests/integration/serve-prometheus.sh: a real Prometheus server (Debian
# package prometheus) on 127.0.0.1 scrapes hasync serve watching two
# emulated replicas every second and evaluates contrib/prometheus's rules
# (a copy with short for: durations). A replica falls behind (its sync
# paused, then a metadata change): Prometheus sees
# hasync_replica_versions_behind > 0 and the HasuraReplicaBehind alert
# fires for that replica only; it heals: the series goes back to 0 and the
# alert resolves. SKIP without the prometheus binary.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/serve.sh"
command -v prometheus >/dev/null 2>&1 || skip_all "prometheus not installed (apt-get install prometheus)"
plan 10
T_START=$(now_ms)

pg_test_db
seed_tables
emu_start c --instances 2 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
seed_metadata "$A" >/dev/null
serve_start s -d "$DATABASE_URL" -e "a=$A" -e "b=$B" --poll-interval 200 \
    --probe-interval 500 || { echo "Bail out! serve did not start"; exit 1; }
HS=${SERVE_URL#http://}

# The rules as shipped, with for: in seconds instead of minutes.
sed -e 's/for: 2m/for: 3s/' -e 's/for: 5m/for: 5s/' \
    "$top_srcdir/contrib/prometheus/hasync-rules.yml" >"$T/rules.yml"
PP=$(free_port)
cat >"$T/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $T/rules.yml
scrape_configs:
  - job_name: hasync
    static_configs:
      - targets: ['$HS']
EOC
prometheus --config.file="$T/prometheus.yml" --web.listen-address="127.0.0.1:$PP" \
    --storage.tsdb.path="$T/tsdb" --log.level=warn >"$T/prom.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
PROM=http://127.0.0.1:$PP
wait_until 200 curl -sf --noproxy '*' "$PROM/-/ready"
ok $? "Prometheus is ready on 127.0.0.1:$PP"

# pq QUERY PYEXPR: an instant query; PYEXPR on its result list (r).
pq() {
	curl -s --noproxy '*' --max-time 5 -G "$PROM/api/v1/query" --data-urlencode "query=$1" |
	    python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
# alert NAME REPLICA: the state of an alert for a replica, or "none".
alert() {
	curl -s --noproxy '*' --max-time 5 "$PROM/api/v1/alerts" | python3 -c 'import json,sys
a = [x["state"] for x in json.load(sys.stdin)["data"]["alerts"]
     if x["labels"].get("alertname") == sys.argv[1] and x["labels"].get("replica") == sys.argv[2]]
print(a[0] if a else "none")' "$1" "$2" 2>/dev/null
}
is_val() { [ "$(pq "$1" "$2")" = "$3" ]; }
is_alert() { [ "$(alert "$1" "$2")" = "$3" ]; }

wait_until 150 is_val 'hasync_replica_up' 'sorted(x["metric"]["replica"] for x in r if x["value"][1] == "1")' "['a', 'b']"
ok $? "Prometheus scrapes hasync serve: both replicas up"
is "$(pq 'up{job="hasync"}' 'r[0]["value"][1]')" 1 "up{job=\"hasync\"} is 1"

# ---- b falls behind ----
emu_fault "$B" '{"sync_paused":true}' >/dev/null
emu_meta "$A" '{"type":"reload_metadata","args":{}}' >/dev/null
t0=$(now_ms)
wait_until 150 is_val 'hasync_replica_versions_behind{replica="b"} > 0' 'r[0]["value"][1] if r else ""' 1
ok $? "Prometheus: hasync_replica_versions_behind{replica=\"b\"} > 0 ($(( $(now_ms) - t0 )) ms)"
wait_until 200 is_alert HasuraReplicaBehind b firing
ok $? "the HasuraReplicaBehind alert fires for b ($(( $(now_ms) - t0 )) ms; for: 3s)"
is "$(alert HasuraReplicaBehind a)" none "and not for a"
is "$(pq 'hasync_replica_health{replica="b",state="behind"}' 'r[0]["value"][1]')" 1 "b's verdict: behind"

# ---- it heals ----
emu_fault "$B" '{}' >/dev/null
t1=$(now_ms)
wait_until 150 is_val 'hasync_replica_versions_behind{replica="b"}' 'r[0]["value"][1] if r else ""' 0
ok $? "healed: versions_behind back to 0 ($(( $(now_ms) - t1 )) ms)"
wait_until 150 is_alert HasuraReplicaBehind b none
ok $? "and the alert resolves ($(( $(now_ms) - t1 )) ms)"
serve_stop
is "$SERVE_EXIT" 143 "hasync serve: SIGTERM, 143"
diag "the whole test took $(( $(now_ms) - T_START )) ms"
