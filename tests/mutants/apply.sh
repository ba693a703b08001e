#!/bin/bash
# tests/mutants/apply.sh: every mutant in tests/mutants/*.list still names
# code that exists exactly as often as it says, so a change that moves the
# code is caught by `make check` at once, not by `make mutants` in CI.
. "$(dirname "$0")/../lib/testlib.sh"
plan 1
out=$(python3 "$top_srcdir/tests/mutants/run.py" --check 2>&1); rc=$?
is "$rc" 0 "every mutant applies to today's source"
[ "$rc" = 0 ] || diag "$out"
