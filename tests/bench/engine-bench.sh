#!/usr/bin/env bash
# tests/bench/engine-bench.sh: engine benchmarks (change detection, fleet
# probe, reload overhead, memory). Prints figures; not part of make check.
#   bash tests/bench/engine-bench.sh [detect|fleet|reload|memory]...
. "$(dirname "$0")/../lib/testlib.sh"
pg_test_db bench
ulimit -n "$(ulimit -Hn)" 2>/dev/null
python3 "$top_srcdir/tests/bench/engine-bench.py" "$@"
