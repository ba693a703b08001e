# tests/lib/pg-sandbox.sh: a throwaway PostgreSQL server for tests and the demo.
#
# Source it from bash:
#   . tests/lib/pg-sandbox.sh
#   pg_sandbox_start DIR      # initdb into DIR/data, start; exports PGHOST PGPORT PGUSER
#   pg_sandbox_stop DIR       # stop and remove DIR
#   pg_sandbox_restart DIR [fast|immediate]
#   pg_sandbox_pause DIR / pg_sandbox_resume DIR (stop/start keeping data and port)
#
# The server listens on 127.0.0.1 at a random free port and on a unix socket in
# DIR/sock, with fsync off. As root, initdb and postgres refuse to run, so they
# run as the 'postgres' OS user through runuser, and DIR is chowned to it.
# Needs the PostgreSQL server binaries (Debian: apt-get install postgresql).

pg_sandbox__bindir() {
	local d
	for d in "${PGSB_BINDIR:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
	    "$(pg_config --bindir 2>/dev/null)"; do
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	echo "pg-sandbox: no initdb/pg_ctl found (apt-get install postgresql)" >&2
	return 1
}

pg_sandbox__as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_sandbox__port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pg_sandbox__ctl DIR ARGS...: pg_ctl on the sandbox in DIR.
pg_sandbox__ctl() {
	local dir=$1; shift
	pg_sandbox__as "$PGSB_BINDIR/pg_ctl" -D "$dir/data" "$@"
}

# pg_sandbox__launch DIR PORT: start the server in DIR on PORT; 0 on success.
pg_sandbox__launch() {
	pg_sandbox__ctl "$1" -l "$1/server.log" -w -t 60 -s start \
	    -o "-c listen_addresses=127.0.0.1 -c port=$2 \
	    -c unix_socket_directories=$1/sock -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    -c max_connections=200 -c shared_buffers=32MB" </dev/null >/dev/null 2>&1
}

pg_sandbox_start() {
	local dir=$1 try port
	PGSB_BINDIR=$(pg_sandbox__bindir) || return 1
	export PGSB_BINDIR
	mkdir -p "$dir/sock" || return 1
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    { echo "pg-sandbox: no 'postgres' OS user (apt-get install postgresql)" >&2; return 1; }
		chown -R postgres:postgres "$dir"
		chmod 755 "$dir"
	fi
	pg_sandbox__as "$PGSB_BINDIR/initdb" -D "$dir/data" -U postgres -A trust \
	    -E UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; return 1; }
	for try in 1 2 3 4 5 6 7 8; do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))	# below the ephemeral range
		pg_sandbox__port_busy "$port" && continue
		if pg_sandbox__launch "$dir" "$port"; then
			echo "$port" >"$dir/port"
			pg_sandbox_env "$dir"
			return 0
		fi
		echo "pg-sandbox: start on port $port failed (try $try):" >&2
		tail -n 3 "$dir/server.log" >&2
	done
	return 1
}

# pg_sandbox_env DIR: export the libpq variables for the sandbox in DIR.
pg_sandbox_env() {
	PGSB_BINDIR=${PGSB_BINDIR:-$(pg_sandbox__bindir)} || return 1
	export PGSB_BINDIR PGHOST="$1/sock" PGPORT=$(cat "$1/port") PGUSER=postgres
	unset PGPASSWORD PGSERVICE PGHOSTADDR PGDATABASE
}

# pg_sandbox_pause DIR [fast|immediate]: stop the server, keep its data.
pg_sandbox_pause() {
	pg_sandbox__ctl "$1" -m "${2:-fast}" -w -s stop >/dev/null 2>&1
}

# pg_sandbox_resume DIR: start a paused server again on the same port.
pg_sandbox_resume() {
	pg_sandbox__launch "$1" "$(cat "$1/port")"
}

pg_sandbox_restart() {
	pg_sandbox_pause "$1" "${2:-fast}" && pg_sandbox_resume "$1"
}

pg_sandbox_stop() {
	local dir=$1
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	if [ -f "$dir/data/postmaster.pid" ]; then
		PGSB_BINDIR=${PGSB_BINDIR:-$(pg_sandbox__bindir)}
		pg_sandbox__ctl "$dir" -m immediate -w -s stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
