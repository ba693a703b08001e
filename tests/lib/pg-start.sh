# tests/lib/pg-start.sh: start the one PostgreSQL server shared by a `make check` run.
# Its directory is recorded in $top_builddir/tests/.pg-shared; pg-stop.sh removes it.
. "$(dirname "$0")/testlib.sh"
plan 1
f="$top_builddir/tests/.pg-shared"
if [ -f "$f" ]; then pg_sandbox_stop "$(cat "$f")"; rm -f "$f"; fi
d=$(mktemp -d /tmp/hasync-pg.XXXXXX)
t0=$(now_ms)
if pg_sandbox_start "$d"; then
	echo "$d" >"$f"
	pass "shared PostgreSQL started on port $PGPORT in $(( $(now_ms) - t0 )) ms"
else
	rm -rf "$d"
	fail "shared PostgreSQL could not start"
fi
