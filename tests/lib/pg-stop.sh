# tests/lib/pg-stop.sh: stop the shared PostgreSQL server of this `make check` run.
. "$(dirname "$0")/testlib.sh"
plan 1
f="$top_builddir/tests/.pg-shared"
if [ -f "$f" ]; then
	d=$(cat "$f")
	pg_sandbox_stop "$d"
	rm -f "$f"
	[ ! -d "$d" ]; ok $? "shared PostgreSQL stopped and removed"
else
	skip "no shared server was running"
fi
