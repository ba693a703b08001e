#!/usr/bin/env bash
# test.sh: README's second command. Install what is missing, build, run every
# test (real PostgreSQL, the Hasura emulator, tmux), print the totals.
cd "$(dirname "$0")" || exit 1
. tests/lib/bootstrap.sh
bootstrap_packages || exit 1
bootstrap_build || exit 1
make -j"$(nproc 2>/dev/null || echo 2)" check >make-check.out 2>&1
rc=$?
grep -E '^(FAIL|ERROR|XPASS):' test-suite.log 2>/dev/null
[ $rc = 0 ] || tail -n 15 make-check.out
bootstrap_summary test-suite.log
exit $rc
