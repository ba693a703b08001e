# tests/tui/truth-endpoint.sh (issue 11), at 80x24: instances can be told
# apart. Two emulated instances whose URLs differ only in the last digit of
# the port, and two long host names that differ only there too, each show
# that digit on their row; the scheme is gone; -e NAME=URL shows the name.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 7
pg_test_db
seed_tables
# Two instances on ports P0 and P0+1, P0 ending in 0.
for try in 1 2 3 4 5; do
	p=$(free_port); P0=$(( p - p % 10 ))
	(exec 3<>"/dev/tcp/127.0.0.1/$P0") 2>/dev/null && continue
	(exec 3<>"/dev/tcp/127.0.0.1/$((P0 + 1))") 2>/dev/null && continue
	break
done
emu_start c --instances 2 --port "$P0" --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]}
is "${A%0}" "${B%1}" "the two URLs differ only in the last digit ($A $B)"
seed_metadata "$A" >/dev/null
LONG=hasura-replica.metadata-sync.production.svc.cluster.local
tui_start 80 24 -d "$DATABASE_URL" -e "$A" -e "blue=$B" \
    -e "http://$LONG:18080" -e "http://$LONG:18081" --probe-interval 300 --timeout 1000
tui_wait 'unreachable' 80
tui_wait '^ok ' 50
scr=$(tui_screen)
rows=$(printf '%s\n' "$scr" | sed -n '6,9p')
like "$rows" "127\.0\.0\.1:${P0}( |$)" "#1 shows its whole port"
like "$rows" "blue 127\.0\.0\.1:$((P0 + 1))( |$)" "#2 shows its label and its whole port"
like "$rows" ':18080( |$)' "the first long name keeps its port"
like "$rows" ':18081( |$)' "the second long name keeps its port"
unlike "$rows" 'http://' "no scheme"
# The full URL is in the detail.
tui_keys Enter
tui_wait '^URL +http://[a-z0-9.-]+:[0-9]' 30
ok $? "Enter shows the full URL"
tui_keys Escape q
tui_exited 50
