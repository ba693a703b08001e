# tests/tui/union.sh: the console's objects pane over replicas that
# disagree (tests/integration/union.sh has the same three, read in the
# Sentry fingerprint): #1 {b, c}, #2 {a}, #3 {a, d}. Each object once, in
# order, and "a" on #2 and #3: merged across two sets, not listed twice.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
. "$top_srcdir/tests/tui/lib.sh"
plan 3

canned_tables one b c
canned_tables two a
canned_tables three a d

tui_start 100 30 -e "$CANNED_URL_one" -e "$CANNED_URL_two" -e "$CANNED_URL_three"
tui_wait 'Inconsistent objects +4' 100
ok $? "four objects in the union"
is "$(tui_screen | grep -cE '^table +[abcd] ')" 4 "each listed once" || diag "$(tui_screen)"
like "$(tui_screen | grep -E '^table +a ')" ' 2,3 *$' "a: on #2 and #3" || diag "$(tui_screen)"
