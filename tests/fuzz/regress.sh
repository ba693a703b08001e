#!/bin/bash
# tests/fuzz/regress.sh: replay the seed corpus (tests/fuzz/corpus/TARGET)
# and every input that once crashed a parser (tests/fuzz/regress/TARGET)
# through each fuzz target, one TAP line per target. Under make check the
# replay programs are built by tests/fuzz/fuzz.am with configure's compiler
# (so --enable-sanitizers covers them); run on its own, a missing program is
# built here from $top_builddir/libcore.a with ${CC:-cc}.
# FUZZ_REPLAY_WRAPPER='valgrind -q --error-exitcode=1 --leak-check=full'
# runs each program under valgrind.
. "$(dirname "$0")/../lib/testlib.sh"

F=$top_srcdir/tests/fuzz
targets="hasura config url sanitize route"

# replay_bin TARGET: print the path of a replay program for TARGET.
replay_bin() {
	local t=$1 b=$top_builddir/tests/fuzz/replay_$1
	if [ -x "$b" ]; then
		echo "$b"
		return 0
	fi
	[ -f "$top_builddir/libcore.a" ] || return 1
	# shellcheck disable=SC2046
	${CC:-cc} -std=c11 -g -D_GNU_SOURCE -I"$top_srcdir/include" -I"$top_builddir" \
	    $(pkg-config --cflags jansson 2>/dev/null) "$F/driver.c" "$F/fuzz_$t.c" \
	    "$top_builddir/libcore.a" $(pkg-config --libs jansson libpq libcurl 2>/dev/null) \
	    -pthread -lm -o "$T/replay_$t" >"$T/cc_$t.log" 2>&1 || return 1
	echo "$T/replay_$t"
}

n=0
for t in $targets; do
	if b=$(replay_bin "$t"); then
		eval "bin_$t=\$b"
		n=$((n + 1))
	else
		eval "bin_$t="
	fi
done
[ "$n" -gt 0 ] || skip_all "no replay programs (make check builds them) and no libcore.a"

plan 5
cd "$T" || exit 1
for t in $targets; do
	eval "b=\$bin_$t"
	if [ -z "$b" ]; then
		skip "fuzz_$t: cannot build a replay program (see $T/cc_$t.log)"
		continue
	fi
	dirs=()
	for d in "$F/corpus/$t" "$F/regress/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	# shellcheck disable=SC2086
	${FUZZ_REPLAY_WRAPPER:-} "$b" "${dirs[@]}" >"$T/out_$t" 2>"$T/err_$t" </dev/null
	st=$?
	got=$(sed -n 's/^replayed \([0-9]*\) inputs$/\1/p' "$T/out_$t")
	if [ "$st" -eq 0 ] && [ "${got:-0}" -gt 0 ]; then
		pass "fuzz_$t: $got corpus and regression inputs replay cleanly"
	else
		fail "fuzz_$t: replay exit $st after ${got:-0} inputs"
		diag "$(tail -n 40 "$T/err_$t")"
	fi
done
done_testing
