#!/usr/bin/env bash
# tests/demo/demo-cluster.sh: the built-in demo cluster, run through ./demo.sh.
#
# Starts a throwaway PostgreSQL, three emulated Hasura replicas on it
# (tests/emu/hasura-emu), seeds a small realistic metadata (tables with a
# relationship and a permission, a remote schema whose server is not running
# yet, an action with custom types), makes the third replica a stuck one
# (its sync is paused), prints the commands that break and heal things from
# a second terminal, and runs the console in the foreground. Everything is
# removed on exit. Extra arguments go to hasync (e.g. --readonly).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
HASYNC=${HASYNC:-$top/src/hasync}
EMU=${EMU:-$top/tests/emu/hasura-emu}

if [ ! -t 1 ]; then
	echo "demo: stdout is not a terminal; run ./demo.sh in a terminal" >&2
	exit 2
fi
for f in "$HASYNC" "$EMU"; do
	[ -x "$f" ] || { echo "demo: $f is missing; build first (make)" >&2; exit 2; }
done
command -v curl >/dev/null 2>&1 || { echo "demo: curl is needed" >&2; exit 2; }

. "$top/tests/lib/pg-sandbox.sh"
. "$top/tests/lib/emu.sh"		# free_port

DIR=$(mktemp -d /tmp/hasync-demo.XXXXXX)
chmod 755 "$DIR"
PIDS=""
cleanup() {
	local p
	[ "$(cat /tmp/hasync-demo.current 2>/dev/null)" = "$DIR" ] &&
	    rm -f /tmp/hasync-demo.current
	# What tests/demo/poke.sh started goes too (its remote schema).
	for p in $(cat "$DIR"/poke-*.pid 2>/dev/null); do PIDS="$PIDS $p"; done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -d "$DIR/pg" ] && pg_sandbox_stop "$DIR/pg" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# post URL JSON: POST JSON, print the body; fail on HTTP >= 400.
post() {
	curl -sf --noproxy '*' --max-time 10 -H 'Content-Type: application/json' \
	    --data-binary "$2" "$1"
}

say "starting a throwaway PostgreSQL in $DIR"
mkdir -p "$DIR/pg"
pg_sandbox_start "$DIR/pg" || die "cannot start PostgreSQL (apt-get install postgresql)"
psql -X -q -d postgres -c 'CREATE DATABASE demo' >/dev/null || die "cannot create the database"
export PGDATABASE=demo
DB="postgres://postgres@127.0.0.1:$PGPORT/demo"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || die "cannot create the tables"
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE article (id serial PRIMARY KEY, title text NOT NULL,
    author_id int REFERENCES author(id));
CREATE TABLE customer_order (id serial PRIMARY KEY, total numeric);
INSERT INTO author (name) VALUES ('Ada'), ('Grace');
INSERT INTO article (title, author_id) VALUES ('On engines', 1), ('Compilers', 2);
SQL

say "starting three emulated Hasura replicas"
"$EMU" --database-url "$DB" --instances 3 --poll-interval 500 \
    >"$DIR/emu.out" 2>"$DIR/emu.err" &
EMU_PID=$!
PIDS="$PIDS $EMU_PID"
for i in $(seq 100); do
	[ "$(grep -c '^ready ' "$DIR/emu.out")" -ge 3 ] && break
	kill -0 "$EMU_PID" 2>/dev/null || break
	sleep 0.1
done
[ "$(grep -c '^ready ' "$DIR/emu.out")" -ge 3 ] ||
    { cat "$DIR/emu.err" >&2; die "the emulator did not start"; }
mapfile -t URLS < <(awk '/^ready /{print $2}' "$DIR/emu.out")
A=${URLS[0]} B=${URLS[1]} C=${URLS[2]}
RS_PORT=$(free_port) || die "no free port"

say "seeding metadata (tables, relationship, remote schema, action)"
tbl() { printf '{"table":{"schema":"public","name":"%s"}%s}' "$1" "${2:-}"; }
rel=',"array_relationships":[{"name":"articles","using":{"foreign_key_constraint_on":{"column":"author_id","table":{"schema":"public","name":"article"}}}}],"select_permissions":[{"role":"user","permission":{"columns":["id","name"],"filter":{}}}]'
orel=',"object_relationships":[{"name":"author","using":{"foreign_key_constraint_on":"author_id"}}]'
md=$(cat <<JSON
{"type":"replace_metadata","version":2,"args":{"allow_inconsistent_metadata":true,
 "metadata":{"version":3,
  "sources":[{"name":"default","kind":"postgres",
   "configuration":{"connection_info":{"database_url":{"from_env":"HASURA_GRAPHQL_DATABASE_URL"}}},
   "tables":[$(tbl author "$rel"),$(tbl article "$orel"),$(tbl customer_order)]}],
  "remote_schemas":[{"name":"countries","definition":{"url":"http://127.0.0.1:$RS_PORT/graphql","timeout_seconds":3}}],
  "actions":[{"name":"createUser","definition":{"kind":"synchronous","handler":"http://127.0.0.1:$RS_PORT/actions","type":"mutation","arguments":[{"name":"name","type":"String!"}],"output_type":"UserOutput"}}],
  "custom_types":{"objects":[{"name":"UserOutput","fields":[{"name":"id","type":"Int!"}]}]}}}}
JSON
)
post "$A/v1/metadata" "$md" >"$DIR/seed.out" || die "replace_metadata failed: $(cat "$DIR/seed.out")"

# Let every replica pick the metadata up, then make the third one stuck.
sleep 1.5
post "$C/emu/fault" '{"sync_paused":true}' >/dev/null || die "cannot pause $C"

# tests/demo/poke.sh (README's second-terminal command) reads this.
cat >"$DIR/env" <<ENV
DEMO_DIR=$DIR
DEMO_PGPORT=$PGPORT
DEMO_RS_PORT=$RS_PORT
DEMO_A=$A
DEMO_C=$C
DEMO_PID=$$
ENV
echo "$DIR" >/tmp/hasync-demo.current

cat <<BANNER

  The demo cluster is up: PostgreSQL on port $PGPORT, replicas
    1  $A
    2  $B
    3  $C   (stuck: its metadata sync is paused)
  The remote schema "countries" points at port $RS_PORT, where nothing runs
  yet, so every replica reports it inconsistent.

  In a second terminal, break and heal things (tests/demo/poke.sh):
    tests/demo/poke.sh start-remote   # the remote schema comes up; press r or R
    tests/demo/poke.sh drop-table     # DROP TABLE behind Hasura's back; press r,
                                      # then D (drop it) or create-table and r
    tests/demo/poke.sh bump           # a metadata change; replica 3 falls behind
    tests/demo/poke.sh heal           # un-stick replica 3
    tests/demo/poke.sh stop-remote    # the remote schema goes away again

  Keys: ? help, Tab pane, Enter details, / filter, r reload, R cluster,
  D drop, p pause, q quit.

BANNER
# The banner stays until a key: there is a lot to read in it.
if [ -t 0 ]; then
	printf '  Press any key to start the console... '
	IFS= read -r -s -n 1 _ || true
	printf '\n'
fi
"$HASYNC" -d "$DB" -e "$A" -e "$B" -e "$C" --probe-interval 2000 "$@"
rc=$?
say "console exited ($rc); cleaning up"
exit "$rc"
