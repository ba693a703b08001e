# tests/integration/cli.sh: the hasync command line as a user meets it:
# help, version, every usage error (one line, exit 2), the secret in argv.
. "$(dirname "$0")/../lib/testlib.sh"
plan 24

out=$("$HASYNC" --help); rc=$?
is "$rc" 0 "--help exits 0"
for o in endpoint admin-secret-file admin-secret database-url poll-interval probe-interval \
    timeout connect-timeout reload-scope wait auto-reload sentry-dsn sentry-env format config \
    readonly no-color cacert insecure audit-log batch reload watch help version; do
	printf '%s\n' "$out" | grep -q -- "--$o\b" || missing="${missing:-} $o"
done
is "${missing:-}" "" "--help lists every option"
like "$("$HASYNC" -V)" '^hasync [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
like "$("$HASYNC" reload --help)" '--hasura-endpoint' "reload --help lists the old tool's names"

# usage_error DESCRIPTION REGEX ARGS...: exit 2 and exactly one line on stderr.
usage_error() {
	local desc=$1 re=$2; shift 2
	"$HASYNC" "$@" >"$T/out" 2>"$T/err" </dev/null
	local rc=$? lines
	lines=$(wc -l <"$T/err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -Eq -- "$re" "$T/err" && [ ! -s "$T/out" ]; then
		pass "$desc"
	else
		fail "$desc"; diag "rc=$rc stderr: $(cat "$T/err")"
	fi
}
usage_error "unknown option" "^hasync: unknown option '--frobnicate'" --frobnicate
usage_error "malformed URL" "endpoint: 'htp://x' is not an http" --batch -e htp://x
usage_error "non-numeric interval" "--poll-interval: 'soon' is not a whole number" --poll-interval soon
usage_error "out-of-range interval" "--probe-interval: '5' is not a whole number from 100" --probe-interval 5
usage_error "unreadable secret file" "cannot read admin secret file $T/nope" --admin-secret-file "$T/nope"
usage_error "batch without endpoint: one JSON line, as all batch output" \
    '^\{"level":"error","time":"[^"]+","message":"no Hasura endpoint: pass --endpoint URL or set HASURA_GRAPHQL_ENDPOINT"\}$' --batch
usage_error "batch --format text without endpoint: plain text" \
    "^hasync: no Hasura endpoint: pass --endpoint URL or set HASURA_GRAPHQL_ENDPOINT$" --batch --format text
usage_error "reload before its flags, a global flag first: an error after it is JSON too" \
    '^\{"level":"error",.*"message":"--timeout:' --sentry-env x reload --hasura-endpoint http://h --timeout 5
usage_error "console without a terminal" "stdout is not a terminal: use --batch" -e http://127.0.0.1:1
usage_error "bad reload scope" "'targeted' or 'full'" --batch -e http://h --reload-scope all
usage_error "bad format" "'json' or 'text'" --format yaml
usage_error "bad database URL" "database URL" -d "host='x"
usage_error "bad sentry DSN" "sentry DSN" --sentry-dsn https://sentry.io/1
usage_error "stray argument" "unexpected argument 'extra'" --batch extra
usage_error "missing value" "needs a value" --timeout
echo "poll-interval = often" >"$T/cfg"
usage_error "bad config file line" "$T/cfg:1: --poll-interval: 'often'" -c "$T/cfg"
HASURA_GRAPHQL_ENDPOINT="http://ok:1,notaurl" usage_error "bad URL in the environment list" \
    "'notaurl' is not an http" --batch

# The environment alone is enough to leave the "no endpoint" error behind.
HASURA_GRAPHQL_ENDPOINT=http://127.0.0.1:1 "$HASYNC" --batch --poll-interval x >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "poll-interval" "environment endpoint accepted; the flag error is reported"

# --admin-secret: warning on stderr, no secret in it.
"$HASYNC" --admin-secret 'pa55-SECRET-xyz' --format yaml >/dev/null 2>"$T/err"
unlike "$(cat "$T/err")" "pa55-SECRET-xyz" "the secret is not echoed in errors"
"$HASYNC" --admin-secret 'pa55-SECRET-xyz' -V >/dev/null 2>"$T/err"
is "$?" 0 "-V with a secret still works"
