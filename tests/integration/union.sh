# tests/integration/union.sh: the union of inconsistent objects over
# replicas that disagree holds each object once, in type-then-name order,
# whatever order the replicas' sets merge in. Three canned replicas:
# #1 {b, c}, #2 {a}, #3 {a, d}: #2's "a" lands after #1's objects, so #3's
# "a" is found only if the union was put back in order before it merged.
# Read from the Sentry event's fingerprint (the union's names); the
# console's view of the same union is tests/tui/union.sh.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
plan 2

canned_tables one b c
canned_tables two a
canned_tables three a d

mkdir -p "$T/sentry"
python3 "$top_srcdir/tests/lib/capture-server.py" "$T/sentry" >"$T/cap.out" 2>&1 &
TEST_PIDS="$TEST_PIDS $!"
wait_until 50 grep -q ready "$T/cap.out"
SP=$(awk '{print $2}' "$T/cap.out")
"$HASYNC" --batch -e "$CANNED_URL_one" -e "$CANNED_URL_two" -e "$CANNED_URL_three" \
    --sentry-dsn "http://pubkey@127.0.0.1:$SP/7" >"$T/b.out" 2>&1
is "$?" 1 "three inconsistent replicas: exit 1"
is "$(sed '1,/^$/d' "$T/sentry/1.req" 2>/dev/null | sed -n 3p |
    python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["fingerprint"]))' 2>&1)" \
    "hasync,inconsistent,a,b,c,d" \
    "Sentry's fingerprint: the union, each object once, in order"
