# tests/tui/truth-skip.sh (issue 11, truth item 4), at 80x24: r with
# nothing to reload (--reload-scope targeted on a consistent cluster) says
# what the engine did: skipped, nothing sent. No screen ever says a reload
# was sent, and no reload reaches an instance.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 5
pg_test_db
seed_tables
emu_start c --instances 3 --poll-interval 200
A=${EMU_URLS_c[0]} B=${EMU_URLS_c[1]} C=${EMU_URLS_c[2]}
seed_metadata "$A" >/dev/null
wait_until 50 ic_is "$C" 0
reloads() { echo $(( $(stat_count "$A" reload_metadata) + $(stat_count "$B" reload_metadata) + $(stat_count "$C" reload_metadata) )); }
before=$(reloads)

tui_start 80 24 -d "$DATABASE_URL" -e "$A" -e "$B" -e "$C" --probe-interval 300 \
    --reload-scope targeted
tui_wait 'all 3 replicas ok' 80
ok $? "a consistent cluster"
tui_keys r
# Every screen until the engine's answer: none says "sent".
said=""
n=100
while [ "$n" -gt 0 ]; do
	st=$(tui_status)
	printf '%s' "$st" | grep -qiE 'reload sent|sent to instance|reload_metadata via' && said="$st"
	printf '%s' "$st" | grep -qE 'skipped' && break
	sleep 0.05
	n=$((n - 1))
done
like "$st" 'nothing sent' "the status line says nothing was sent"
like "$st" 'skipped: metadata is consistent' "and that the engine skipped it, and why"
is "$said" "" "no screen said a reload was sent"
is "$(reloads)" "$before" "no reload_metadata reached an instance"
tui_keys q
tui_exited 50
