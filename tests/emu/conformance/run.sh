#!/bin/bash
# tests/emu/conformance/run.sh: the emulator conformance suite.  Every file
# in tests/emu/conformance/cases/ is a request/response exchange recorded in
# Hasura's own test suite (server/tests-py, server/lib/api-tests) or read off
# Hasura's server source; each names its source file and commit.  Each case
# gets a fresh database and a fresh hasura-emu (real PostgreSQL, real HTTP on
# 127.0.0.1) and conform.py compares every answer structurally (the rules,
# and where variable fields are tolerated and why, are at the top of
# conform.py).  One TAP line per case.
. "$(dirname "$0")/../../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"

dir=$top_srcdir/tests/emu/conformance
cases=("$dir"/cases/*.json)
[ -e "${cases[0]}" ] || skip_all "no cases"
plan "${#cases[@]}"

pg_test_db		# the server (shared under make check) and its PG* variables
remote_start rs
export REMOTE_URL=$REMOTE_URL_rs SERVER_VERSION=v2.36.0 HASYNC
DEAD_PORT=$(free_port) || { echo "Bail out! no free port"; exit 1; }
export DEAD_PORT

n=0 passed=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	id=$(basename "$c" .json)
	IFS=$'\x1f' read -r secret desc < <(python3 "$dir/conform.py" --describe "$c") ||
	    { fail "$id: unreadable case file"; continue; }
	export PGDATABASE=conf_${n}_$$
	export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/$PGDATABASE"
	psql -X -q -d postgres -c "CREATE DATABASE \"$PGDATABASE\"" >/dev/null ||
	    { echo "Bail out! cannot create database $PGDATABASE"; exit 1; }
	args=(--poll-interval 1000)
	[ -n "$secret" ] && args+=(--admin-secret "$secret")
	emu_start "c$n" "${args[@]}"
	eval "url=\$EMU_URL_c$n"
	python3 "$dir/conform.py" "$c" "$url" >"$T/$id.log" 2>&1
	rc=$?
	ok "$rc" "$id: $desc"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		sed 's/^#*/#/' "$T/$id.log"
	fi
	emu_stop "c$n"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$PGDATABASE\"" >/dev/null 2>&1
done
remote_stop rs
diag "$n cases, $passed pass"
done_testing
