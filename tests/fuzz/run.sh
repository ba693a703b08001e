#!/bin/bash
# tests/fuzz/run.sh: build every libFuzzer target in tests/fuzz with clang
# (-fsanitize=fuzzer,address,undefined) and run each for FUZZ_SECONDS
# (default 30) on a copy of its seed corpus and regression inputs. Prints
# executions, corpus size and crashes per target; exits 1 if any target
# crashed, leaked or timed out (the input is kept under
# $top_builddir/tests/fuzz/artifacts/TARGET/), 2 if it cannot build.
#
#   bash tests/fuzz/run.sh [TARGET...]      e.g. run.sh hasura url
#   FUZZ_SECONDS=300 FUZZ_CC=clang-14 bash tests/fuzz/run.sh
# Extra libFuzzer flags: FUZZ_FLAGS='-max_len=8192 -dict=...'.
# Reproduce a crash: $top_builddir/tests/fuzz/build/fuzz_TARGET FILE
set -u
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-30}
CC_FUZZ=${FUZZ_CC:-clang}
TARGETS=${*:-hasura config url sanitize route}
B=$top_builddir/tests/fuzz/build
ART=$top_builddir/tests/fuzz/artifacts
F=$top_srcdir/tests/fuzz
export LC_ALL=C

# The parts of src/core each target needs.
core_hasura="hasura inconsistency jscan arena snapshot err xmalloc"
core_config="config url err xmalloc"
core_url="url err xmalloc"
core_sanitize="sanitize xmalloc"
core_route="serve/route xmalloc"

# write_dict TARGET: a libFuzzer dictionary of the words the parser looks for.
write_dict() {
	local w
	case $1 in
	hasura) set -- is_consistent inconsistent_objects message success \
	    metadata_resource_version resource_version metadata sources tables \
	    event_triggers remote_schemas actions cron_triggers version code error \
	    type name reason definition definitions objects conflicting_objects \
	    remote_schema source 'remote_schema ' ' in remote schema ' 'source ' \
	    ' in source ' true false null '\\u0000' '\\ud800' 9223372036854775807 \
	    -9223372036854775809 1e400 ;;
	route) set -- GET HEAD POST DELETE / /metrics /healthz /readyz /readyz/ \
	    /reload_metadata hasura-0 127.0.0.1:8080/r1 http://h0:8080 \
	    https://h2 'Bearer ' bearer t0k-En ' ' '\x09' '\x0a' 1 3 4 0 ;;
	config) set -- endpoint admin-secret-file admin-secret database-url \
	    poll-interval probe-interval timeout connect-timeout reload-scope wait \
	    auto-reload sentry-dsn sentry-env format config readonly no-color cacert \
	    insecure audit-log max-body-mb batch reload watch help version \
	    hasura-endpoint hasura-admin-secret targeted full json text \
	    serve server listen listen-public metrics-token-file ready-max-behind \
	    ready-strict port PORT= 127.0.0.1:0 0.0.0.0:8719 '[::1]:1' '*:8080' \
	    HASURA_GRAPHQL_ENDPOINT= HASURA_GRAPHQL_ADMIN_SECRET= \
	    HASURA_GRAPHQL_METADATA_DATABASE_URL= HASURA_GRAPHQL_DATABASE_URL= \
	    SENTRY_DSN= SENTRY_ENVIRONMENT= HASYNC_CONFIG= NO_COLOR= \
	    XDG_CONFIG_HOME= HOME= HASURA_ENDPOINT= HASURA_ADMIN_SECRET= SENTRY_ENV= \
	    http:// https:// postgres:// ' = ' -- -e -d -c -h -V ;;
	url) set -- http:// https:// postgres:// postgresql:// @ : / // '[::1]' \
	    :65535 :0 '?' '#' host= port= dbname= hostaddr= user= password= \
	    service= sslmode= "'" '\\' %2F /api/ /envelope/ ;;
	sanitize) set -- '\x1b[' '\xc2\x9b' '\xc2\x85' '\xe2\x80\xa8' '\xe2\x80\xae' \
	    '\xef\xbb\xbf' '\xf4\x8f\xbf\xbf' '\xf4\x90\x80\x80' '\xed\xa0\x80' \
	    '\xe0\x80\xaf' '\xc0\xaf' ;;
	esac
	# Written as is: the \\ and \xNN escapes above are libFuzzer's.
	for w in "$@"; do printf '"%s"\n' "$w"; done
}

die() { echo "run.sh: $*" >&2; exit 2; }

[ -f "$top_builddir/config.h" ] ||
    die "no config.h in $top_builddir: run ./configure first"
command -v "$CC_FUZZ" >/dev/null || die "$CC_FUZZ not found (set FUZZ_CC)"
PKG=$(pkg-config --cflags --libs jansson libpq libcurl) ||
    die "pkg-config cannot find jansson, libpq and libcurl"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS_FUZZ="-g -O1 -std=c11 $SAN -I$top_srcdir/include -I$top_builddir -D_GNU_SOURCE"
mkdir -p "$B" "$ART" || die "cannot create $B"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d != 0) + (int)n - (int)n; }' \
    >"$B/probe.c"
"$CC_FUZZ" -fsanitize=fuzzer "$B/probe.c" -o "$B/probe" >/dev/null 2>&1 ||
    die "$CC_FUZZ cannot build with -fsanitize=fuzzer (install clang and libclang-rt-dev)"

# hasync serve's pure objects (src/serve), the same way.
for f in route; do
	o=$B/serve_$f.o
	[ "$o" -nt "$top_srcdir/src/serve/$f.c" ] && [ "$o" -nt "$top_builddir/config.h" ] &&
	    ! find "$top_srcdir/include/hasync" -newer "$o" | grep -q . && continue
	"$CC_FUZZ" $CFLAGS_FUZZ -fsanitize=fuzzer-no-link -c "$top_srcdir/src/serve/$f.c" -o "$o" ||
	    die "cannot compile src/serve/$f.c"
done

# Core objects: coverage-instrumented but without libFuzzer's main.
for f in hasura inconsistency jscan arena snapshot err xmalloc config url sanitize; do
	o=$B/core_$f.o
	[ "$o" -nt "$top_srcdir/src/core/$f.c" ] && [ "$o" -nt "$top_builddir/config.h" ] &&
	    ! find "$top_srcdir/include/hasync" -newer "$o" | grep -q . && continue
	# shellcheck disable=SC2086
	"$CC_FUZZ" $CFLAGS_FUZZ -fsanitize=fuzzer-no-link $(pkg-config --cflags jansson libpq libcurl) \
	    -c "$top_srcdir/src/core/$f.c" -o "$o" || die "cannot compile src/core/$f.c"
done

rc=0
summary=""
for t in $TARGETS; do
	eval "objs=\${core_$t:-}"
	[ -n "$objs" ] && [ -f "$F/fuzz_$t.c" ] || die "unknown target '$t'"
	o=""
	for f in $objs; do
		case $f in
		serve/*) o="$o $B/serve_${f#serve/}.o" ;;
		*) o="$o $B/core_$f.o" ;;
		esac
	done
	# shellcheck disable=SC2086
	"$CC_FUZZ" $CFLAGS_FUZZ -fsanitize=fuzzer "$F/fuzz_$t.c" $o $PKG -pthread -lm \
	    -o "$B/fuzz_$t" || die "cannot build fuzz_$t"

	work=$(mktemp -d "${TMPDIR:-/tmp}/hasync-fuzz-$t.XXXXXX")
	mkdir -p "$work/corpus" "$ART/$t"
	for d in "$F/corpus/$t" "$F/regress/$t"; do
		[ -d "$d" ] && cp "$d"/* "$work/corpus/" 2>/dev/null
	done
	n0=$(find "$work/corpus" -type f | wc -l)
	echo "== fuzz_$t: ${SECONDS_EACH}s, $n0 seeds"
	# The artifacts of a previous run would be counted as crashes.
	rm -f "$ART/$t"/crash-* "$ART/$t"/leak-* "$ART/$t"/timeout-* "$ART/$t"/oom-*
	write_dict "$t" >"$B/$t.dict"
	# shellcheck disable=SC2086
	(cd "$work" && "$B/fuzz_$t" -dict="$B/$t.dict" -max_total_time="$SECONDS_EACH" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$ART/$t/" \
	    ${FUZZ_FLAGS:-} corpus </dev/null >"$work/log" 2>&1)
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	ncorp=$(find "$work/corpus" -type f | wc -l)
	crashes=$(find "$ART/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o \
	    -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	if [ "$st" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		rc=1
		[ "$crashes" -eq 0 ] && crashes="? (exit $st)"
		echo "fuzz_$t FAILED; the end of its log ($ART/$t/log):"
		tail -n 60 "$work/log"
		find "$ART/$t" -type f ! -name log | sed 's/^/  input: /'
	fi
	cp "$work/log" "$ART/$t/log"
	summary="$summary$(printf '%-14s %12s %8s %8s' "fuzz_$t" "${execs:-?}" "$ncorp" "$crashes")
"
	rm -rf "$work"
done
echo
printf '%-14s %12s %8s %8s\n' target executions corpus crashes
printf '%s' "$summary"
exit $rc
