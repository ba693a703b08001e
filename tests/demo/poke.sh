#!/usr/bin/env bash
# tests/demo/poke.sh: break and heal the running demo cluster from a second
# terminal (README, Quick start). The demo records its ports in
# /tmp/hasync-demo.current -> DIR/env.
#   poke.sh start-remote | stop-remote | drop-table | create-table | bump | heal
# The remote schema that start-remote runs never outlives the demo: the
# demo's cleanup kills it (DIR/poke-remote.pid), and so does a watchdog if
# the demo dies without cleaning up.
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cat /tmp/hasync-demo.current 2>/dev/null) && [ -f "$dir/env" ] ||
    { echo "poke: no demo is running; start ./demo.sh first" >&2; exit 2; }
. "$dir/env"
post() { curl -sf --noproxy '*' --max-time 10 -H 'Content-Type: application/json' -d "$2" "$1"; echo; }
case "${1:-}" in
start-remote)
	if kill -0 "$(cat "$DEMO_DIR/poke-remote.pid" 2>/dev/null)" 2>/dev/null; then
		echo "poke: the remote schema already runs on port $DEMO_RS_PORT"
		exit 0
	fi
	# It lives no longer than the demo: the demo's cleanup kills it, and
	# a watchdog does if the demo died without cleaning up.
	nohup "$top/tests/emu/hasura-emu" --remote-schema --port "$DEMO_RS_PORT" \
	    >"$DEMO_DIR/remote.out" 2>&1 </dev/null &
	rpid=$!
	echo "$rpid" >"$DEMO_DIR/poke-remote.pid"
	if [ -n "${DEMO_PID:-}" ]; then
		nohup bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do
			sleep 1; done; kill "$2" 2>/dev/null' watchdog "$DEMO_PID" "$rpid" \
		    >/dev/null 2>&1 </dev/null &
	fi
	# Say it is up only once it answers (its "ready" line).
	for i in $(seq 50); do
		grep -q '^ready ' "$DEMO_DIR/remote.out" 2>/dev/null && break
		kill -0 "$rpid" 2>/dev/null || { echo "poke: the remote schema did not start" >&2; exit 1; }
		sleep 0.1
	done
	echo "poke: remote schema up on port $DEMO_RS_PORT (replicas stay inconsistent until a reload: press r or R)" ;;
stop-remote)
	kill "$(cat "$DEMO_DIR/poke-remote.pid" 2>/dev/null)" 2>/dev/null &&
	    { rm -f "$DEMO_DIR/poke-remote.pid"; echo "poke: remote schema stopped"; } ||
	    echo "poke: it was not running" ;;
drop-table)
	psql -X -q -h 127.0.0.1 -p "$DEMO_PGPORT" -U postgres demo -c 'DROP TABLE IF EXISTS customer_order' &&
	    echo "poke: customer_order dropped; Hasura notices on a reload with sources (press r or R)." &&
	    echo "      To fix it: D drops it from the metadata, or recreate the table (poke.sh create-table) and press r." ;;
create-table)
	psql -X -q -h 127.0.0.1 -p "$DEMO_PGPORT" -U postgres demo -c 'CREATE TABLE IF NOT EXISTS customer_order (id serial PRIMARY KEY, total numeric)' &&
	    echo "poke: customer_order is back; press r to reload it" ;;
bump)
	post "$DEMO_A/v1/metadata" '{"type":"reload_metadata","args":{"reload_remote_schemas":false,"reload_sources":false}}' ;;
heal)
	post "$DEMO_C/emu/fault" '{}' && echo "poke: replica 3 syncs again" ;;
*)
	echo "usage: tests/demo/poke.sh start-remote|stop-remote|drop-table|create-table|bump|heal" >&2
	exit 2 ;;
esac
