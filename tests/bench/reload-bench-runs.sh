# tests/bench/reload-bench-runs.sh: make check's proof that the reload
# benchmark runs (QUICK sizes): each section prints its figures. The
# targets are read from a full run, never asserted here.
. "$(dirname "$0")/../lib/testlib.sh"
plan 3
QUICK=1 bash "$top_srcdir/tests/bench/reload-bench.sh" >"$T/bench.out" 2>&1
rc=$?
sed 's/^/# /' "$T/bench.out"
is "$rc" 0 "the benchmark runs"
like "$(cat "$T/bench.out")" 'hasync reload +median +[0-9.]+ ms +peak RSS' "it prints medians and peak RSS"
like "$(cat "$T/bench.out")" 'one pass \(a round\) +median +[0-9.]+ ms .*
.*floor\) +median +[0-9.]+ ms .*
  one round: [0-9.]+x the floor' "and the fleet's round beside its floor"
