#!/bin/bash
# tests/bench/emu-bench.sh: figures for hasura-emu (prints numbers; not a
# pass/fail test): get_inconsistent_metadata p50/p95 with 1,000 tracked
# tables, startup time of one instance on an existing catalog, and the RSS
# and startup time of --instances 500.
#   bash tests/bench/emu-bench.sh [TABLES] [INSTANCES]
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

NT=${1:-1000}
NI=${2:-500}
pg_test_db emu_bench
echo "# creating $NT tables"
q "DO \$\$ BEGIN FOR i IN 1..$NT LOOP
     EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text, n int)', i);
   END LOOP; END \$\$" >/dev/null

emu_start b --poll-interval 1000
U=$EMU_URL_b
python3 - "$U" "$NT" >"$T/replace.json" <<'PY'
import json, sys
tables = [{"table": {"schema": "public", "name": "t%d" % i},
           "select_permissions": [{"role": "user",
               "permission": {"columns": ["id", "name"], "filter": {}}}]}
          for i in range(1, int(sys.argv[2]) + 1)]
tables.append({"table": {"schema": "public", "name": "missing"}})
md = {"version": 3, "sources": [{"name": "default", "kind": "postgres",
      "tables": tables, "configuration": {"connection_info": {
      "database_url": {"from_env": "HASURA_GRAPHQL_DATABASE_URL"}}}}]}
print(json.dumps({"type": "replace_metadata", "version": 2,
      "args": {"allow_inconsistent_metadata": True, "metadata": md}}))
PY
t0=$(now_ms)
curl -s --noproxy '*' --max-time 60 -d @"$T/replace.json" "$U/v1/metadata" >/dev/null
echo "replace_metadata with $NT tables: $(( $(now_ms) - t0 )) ms"
t0=$(now_ms)
emu_meta "$U" '{"type":"reload_metadata","args":{}}' >/dev/null
echo "reload_metadata with $NT tables: $(( $(now_ms) - t0 )) ms"

python3 - "$U" <<'PY'
import http.client, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
body = '{"type":"get_inconsistent_metadata","args":{}}'
ts = []
for i in range(500):
    t = time.perf_counter()
    c.request("POST", "/v1/metadata", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print("get_inconsistent_metadata over 500 requests: p50 %.3f ms, p95 %.3f ms, max %.3f ms"
      % (ts[len(ts) // 2], ts[int(len(ts) * .95)], ts[-1]))
PY
emu_stop b

t0=$(now_ms)
emu_start one --poll-interval 1000
echo "startup of one instance on an existing catalog ($NT tables): $(( $(now_ms) - t0 )) ms (incl. shell polling, 100 ms steps)"
emu_stop one

t0=$(now_ms)
emu_start many --instances "$NI" --poll-interval 1000
echo "startup of $NI instances ($NT tables each): $(( $(now_ms) - t0 )) ms"
sleep 2
rss=$(awk '/VmRSS/{print $2}' /proc/"$EMU_PID_many"/status)
thr=$(ls /proc/"$EMU_PID_many"/task | wc -l)
conns=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hasura-emu'")
echo "--instances $NI: RSS $((rss / 1024)) MiB, $thr threads, $conns PostgreSQL connections"
emu_meta "$EMU_URL_many" '{"type":"reload_metadata","args":{}}' >/dev/null
t0=$(now_ms)
sleep 5
rss=$(awk '/VmRSS/{print $2}' /proc/"$EMU_PID_many"/status)
echo "--instances $NI after every instance rebuilt from a reload: RSS $((rss / 1024)) MiB"
emu_stop many
echo "shutdown exit status $EMU_EXIT"
