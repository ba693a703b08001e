# tests/lib/bootstrap.sh: make a fresh Debian clone ready: install the
# missing packages, configure when needed, build. Sourced by demo.sh and
# test.sh (bash). Sets nothing but the working directory (the source tree).

HASYNC_PACKAGES="autoconf automake libtool pkg-config make gcc libncurses-dev \
libcurl4-openssl-dev libjansson-dev libpq-dev postgresql libmicrohttpd-dev zlib1g-dev \
libcmocka-dev tmux valgrind curl groff-base python3 time"
# Wanted by some tests, which SKIP without them; CI (CI=true) needs them:
# prometheus gives promtool and the server of the hasync serve tests.
HASYNC_OPTIONAL_PACKAGES=${HASYNC_OPTIONAL_PACKAGES-prometheus}

bootstrap_packages() {
	local missing="" optional="" p
	for p in $HASYNC_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		    missing="$missing $p"
	done
	for p in $HASYNC_OPTIONAL_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		    optional="$optional $p"
	done
	if [ -n "$optional" ]; then
		if HASYNC_PACKAGES="$optional" HASYNC_OPTIONAL_PACKAGES= bootstrap_packages; then
			:
		elif [ "${CI:-}" = true ]; then
			echo "bootstrap: CI needs$optional" >&2
			return 1
		else
			echo "bootstrap: could not install$optional; the tests that need it SKIP" >&2
		fi
	fi
	[ -z "$missing" ] && return 0
	echo "bootstrap: installing:$missing" >&2
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo="sudo -n"
		else
			echo "bootstrap: missing packages; run as root:" >&2
			echo "  apt-get update && apt-get install -y$missing" >&2
			return 1
		fi
	fi
	# Debian's postgresql package must not start a cluster of its own here.
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null &&
	    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	    { echo "bootstrap: apt-get install failed" >&2; return 1; }
}

# bootstrap_build [CONFIGURE_ARGS...]: autoreconf/configure only when needed.
bootstrap_build() {
	if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
		./autogen.sh >/dev/null 2>&1 || { echo "bootstrap: autoreconf failed" >&2; return 1; }
	fi
	if [ ! -f Makefile ] || [ configure -nt config.status ] || [ "$#" -gt 0 ]; then
		./configure -q "$@" >/dev/null || { echo "bootstrap: configure failed (see config.log)" >&2; return 1; }
	fi
	make -s -j"$(nproc 2>/dev/null || echo 2)" >/dev/null ||
	    { make 2>&1 | tail -20 >&2; echo "bootstrap: build failed" >&2; return 1; }
}

# bootstrap_summary LOG...: the closing line CI reads.
bootstrap_summary() {
	cat "$@" 2>/dev/null | awk '/^# [A-Z]+: +[0-9]+$/{n[$2]+=$3}
	    END{printf "%d passed, %d failed, %d skipped\n", n["PASS:"],
	    n["FAIL:"]+n["ERROR:"]+n["XPASS:"], n["SKIP:"]}'
}
