#!/usr/bin/env bash
# tests/demo/poke.sh: break and heal the running demo cluster from a second
# terminal (README, Quick start). The demo records its ports in
# /tmp/hasync-demo.current -> DIR/env.
#   poke.sh start-remote | stop-remote | drop-table | bump | heal
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cat /tmp/hasync-demo.current 2>/dev/null) && [ -f "$dir/env" ] ||
    { echo "poke: no demo is running; start ./demo.sh first" >&2; exit 2; }
. "$dir/env"
post() { curl -sf --noproxy '*' --max-time 10 -H 'Content-Type: application/json' -d "$2" "$1"; echo; }
case "${1:-}" in
start-remote)
	nohup "$top/tests/emu/hasura-emu" --remote-schema --port "$DEMO_RS_PORT" \
	    >"$DEMO_DIR/remote.out" 2>&1 &
	echo $! >"$DEMO_DIR/remote.pid"
	echo "poke: remote schema up on port $DEMO_RS_PORT (replicas stay inconsistent until a reload: press r or R)" ;;
stop-remote)
	kill "$(cat "$DEMO_DIR/remote.pid" 2>/dev/null)" 2>/dev/null &&
	    echo "poke: remote schema stopped" || echo "poke: it was not running" ;;
drop-table)
	psql -X -q -h 127.0.0.1 -p "$DEMO_PGPORT" -U postgres demo -c 'DROP TABLE IF EXISTS customer_order' &&
	    echo "poke: customer_order dropped; Hasura notices only on a reload with sources (press R)" ;;
bump)
	post "$DEMO_A/v1/metadata" '{"type":"reload_metadata","args":{"reload_remote_schemas":false,"reload_sources":false}}' ;;
heal)
	post "$DEMO_C/emu/fault" '{}' && echo "poke: replica 3 syncs again" ;;
*)
	echo "usage: tests/demo/poke.sh start-remote|stop-remote|drop-table|bump|heal" >&2
	exit 2 ;;
esac
