#!/usr/bin/env bash
# tests/bench/reload-bench.sh: hasync reload and --batch against curl's
# transfer floor, on big answers, on the emulator, and on a fleet (see
# reload-bench.py). Prints figures; the targets are read from them.
#   bash tests/bench/reload-bench.sh [big|small|fleet]...
#   QUICK=1 (small sizes; make check runs it so), RUNS=15, HMR=path/to/hmr,
#   BEFORE=path/to/an/earlier/hasync
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
want=${*:-big small fleet}
if [[ " $want " == *" small "* ]]; then
	pg_test_db bench
	seed_tables
	SECRET=bench-Secret
	emu_start b --poll-interval 1000 --admin-secret "$SECRET"
	# A remote schema that is down: three objects, as a stuck CronJob sees.
	seed_metadata "$EMU_URL_b" "http://127.0.0.1:$(free_port)/graphql" >/dev/null
	q "DROP TABLE article CASCADE" >/dev/null
	emu_meta "$EMU_URL_b" '{"type":"reload_metadata","args":{}}' "$SECRET" >/dev/null
	export EMU_URL=$EMU_URL_b EMU_SECRET=$SECRET HASURA_GRAPHQL_ADMIN_SECRET=$SECRET
fi
python3 "$top_srcdir/tests/bench/reload-bench.py" $want
