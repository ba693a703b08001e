# tests/lib/testlib.sh: TAP helpers and per-test PostgreSQL databases for shell tests.
#
# Every shell test starts with:
#   . "$top_srcdir/tests/lib/testlib.sh"
#   plan 5
# and uses ok/is/like/diag. Temporary files go under $T (removed on exit).
#
# pg_test_db: gives the test its own database. Under `make check` one shared
# server is started by tests/lib/pg-start.sh and stopped by tests/lib/pg-stop.sh;
# a test run on its own starts a private server and stops it on exit, and so
# does a test that sets PG_PRIVATE_SERVER=1 (it may stop or restart it).
# Afterwards: $DATABASE_URL (TCP URL), PGHOST/PGPORT/PGUSER/PGDATABASE, $PGSB_DIR.

set -u
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
HASYNC=${HASYNC:-$top_builddir/src/hasync}
EMU=${EMU:-$top_builddir/tests/emu/hasura-emu}
export LC_ALL=C HASYNC EMU
unset NO_COLOR HASURA_GRAPHQL_ENDPOINT HASURA_GRAPHQL_ADMIN_SECRET HASURA_GRAPHQL_DATABASE_URL \
    HASURA_GRAPHQL_METADATA_DATABASE_URL HASYNC_CONFIG SENTRY_DSN SENTRY_ENVIRONMENT \
    HASURA_ENDPOINT HASURA_ADMIN_SECRET SENTRY_ENV XDG_CONFIG_HOME

. "$top_srcdir/tests/lib/pg-sandbox.sh"

T=$(mktemp -d /tmp/hasync-test.XXXXXX)
chmod 755 "$T"
TEST_PIDS=""
PG_PRIVATE=""
_tap_n=0
_tap_failed=0
_tap_planned=""

testlib_cleanup() {
	local p="" n=50
	for p in $TEST_PIDS; do kill "$p" 2>/dev/null; done
	# What ignores SIGTERM for 5 s (a hung hasync) is killed: the test
	# must end even when the program under test does not.
	while [ "$n" -gt 0 ]; do
		for p in $TEST_PIDS; do kill -0 "$p" 2>/dev/null && break; done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
		n=$((n - 1))
	done
	for p in $TEST_PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $TEST_PIDS; do wait "$p" 2>/dev/null; done
	[ -n "$PG_PRIVATE" ] && pg_sandbox_stop "$PG_PRIVATE"
	rm -rf "$T"
}
trap 'testlib_cleanup' EXIT
trap 'exit 130' INT TERM

plan() { _tap_planned=$1; echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { echo "# $*" | sed '2,$s/^/# /'; }

ok() {	# ok COND_STATUS DESCRIPTION  (status 0 = pass)
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $1"; }

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; diag "got:  '$1'"; diag "want: '$2'"; fi
}

like() {	# like GOT EXTENDED_REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; diag "got:  '$(printf '%s' "$1" | head -c 2000)'"; diag "want: /$2/"; fi
}

unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"; diag "got:  '$(printf '%s' "$1" | head -c 2000)'"; diag "must not match: /$2/"
	else ok 0 "$3"; fi
}

# wait_until TENTHS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_until() {
	local n=$1; shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_exit PID TENTHS: wait for the background job PID to exit, at most
# TENTHS tenths of a second, then SIGKILL it. WAIT_EXIT gets its exit
# status, or "hung" when it had to be killed (returns 1). A test that
# signals a process must not hang with it.
wait_exit() {
	local pid=$1 n=$(($2 * 2))
	while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.05
		n=$((n - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		WAIT_EXIT=hung
		return 1
	fi
	wait "$pid"
	WAIT_EXIT=$?
}

# now_ms: wall clock in milliseconds.
now_ms() { date +%s%3N; }

# pg_ensure_server: use the shared server if it runs, else start a private one.
pg_ensure_server() {
	local f="$top_builddir/tests/.pg-shared" d
	# Tests that stop or restart PostgreSQL set PG_PRIVATE_SERVER=1.
	if [ -z "${PG_PRIVATE_SERVER:-}" ] && [ -f "$f" ] && d=$(cat "$f") && [ -f "$d/port" ] && [ -f "$d/data/postmaster.pid" ]; then
		pg_sandbox_env "$d"
		if psql -X -q -d postgres -c 'select 1' >/dev/null 2>&1; then
			export PGSB_DIR=$d
			return 0
		fi
	fi
	PG_PRIVATE=$(mktemp -d /tmp/hasync-pg.XXXXXX)
	pg_sandbox_start "$PG_PRIVATE" || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
	export PGSB_DIR=$PG_PRIVATE
}

# pg_test_db [NAME]: create a fresh database for this test; export its URL.
pg_test_db() {
	local name=${1:-$(basename "$0" .sh | tr -c 'a-zA-Z0-9_\n' _)}_$$
	pg_ensure_server
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$name\"" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null ||
	    { echo "Bail out! cannot create database $name"; exit 1; }
	export PGDATABASE=$name
	export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/$name"
}

# q SQL: run one SQL statement in the test database, print the bare result.
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

done_testing() {
	[ -n "$_tap_planned" ] || echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
