#!/bin/bash
# tests/integration/emu-scale.sh: --instances 50 in one process (all answer
# /healthz, bounded PostgreSQL connections, fixed --port ranges), several
# processes creating the catalog at once, and bad options exiting 2.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

plan 16
pg_test_db

# --- bad options: exit 2 with one line on stderr ---
bad() {	# bad DESCRIPTION ARGS...
	local d=$1 rc lines
	shift
	"$EMU" "$@" >/dev/null 2>"$T/bad.err"
	rc=$?
	lines=$(wc -l <"$T/bad.err")
	ok $([ "$rc" = 2 ] && [ "$lines" = 1 ]; echo $?) "$d: exit $rc, $lines line(s)"
}
bad "no --database-url"
bad "--instances 0" --database-url "$DATABASE_URL" --instances 0
bad "--instances 1001" --database-url "$DATABASE_URL" --instances 1001
bad "--port abc" --database-url "$DATABASE_URL" --port abc
bad "unknown option" --database-url "$DATABASE_URL" --frobnicate
bad "unreachable database" --database-url "postgres://postgres@127.0.0.1:1/x"

# --- several processes create the catalog at once ---
cpids=()
for i in 1 2 3; do
	"$EMU" --database-url "$DATABASE_URL" --poll-interval 0 >"$T/c$i.out" 2>"$T/c$i.err" &
	cpids+=($!)
	TEST_PIDS="$TEST_PIDS $!"
done
all=0
for i in 1 2 3; do emu__wait_ready "$T/c$i.out" 1 "${cpids[$((i - 1))]}" || all=1; done
ok $all "three emulators started together on an empty database"
is "$(q "SELECT count(*) FROM hdb_catalog.hdb_metadata") $(q "SELECT count(*) FROM hdb_catalog.hdb_version")" \
    "1 1" "one metadata row, one hdb_version row"
for p in "${cpids[@]}"; do emu__kill "$p"; done

# --- 50 instances ---
t0=$(now_ms)
emu_start m --instances 50 --poll-interval 500
diag "50 instances ready in $(( $(now_ms) - t0 )) ms"
eval 'urls=("${EMU_URLS_m[@]}")'
is "${#urls[@]}" 50 "50 ready lines"
is "$(printf '%s\n' "${EMU_IDS_m[@]}" | sort -u | wc -l)" 50 "50 distinct instance ids"
okc=0
for u in "${urls[@]}"; do
	[ "$(curl -s --noproxy '*' --max-time 5 "$u/healthz")" = OK ] && okc=$((okc + 1))
done
is "$okc" 50 "all 50 answer /healthz OK"
emu_meta "${urls[0]}" '{"type":"reload_metadata","args":{}}' >/dev/null
sleep 1.5
conns=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hasura-emu'
    AND datname = current_database()")
ok $([ "$conns" -le 16 ]; echo $?) "bounded PostgreSQL connections ($conns <= 16)"
v=$(q "SELECT resource_version FROM hdb_catalog.hdb_metadata")
same=0
for u in "${urls[@]}"; do
	[ "$(emu_meta "$u" '{"type":"dump_internal_state","args":{}}' | emu_json 'j["metadata_resource_version"]')" = "$v" ] &&
	    same=$((same + 1))
done
is "$same" 50 "all 50 instances synced to resource_version $v"
threads=$(ls /proc/"$EMU_PID_m"/task | wc -l)
ok $([ "$threads" -le 120 ]; echo $?) "sane thread count ($threads)"
emu_stop m
is "$EMU_EXIT" 0 "50 instances: SIGTERM exits 0"

# --- --port P with N > 1 uses P, P+1 ---
P=$(free_port)
emu_start p --port "$P" --instances 2 --poll-interval 0
is "${EMU_URLS_p[*]}" "http://127.0.0.1:$P http://127.0.0.1:$((P + 1))" "--port P --instances 2"
emu_stop p
done_testing
