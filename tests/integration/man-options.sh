# tests/integration/man-options.sh: the manual documents every option --help
# lists, every exit code, and the console keys.
. "$(dirname "$0")/../lib/testlib.sh"
plan 5
man="$top_srcdir/man/hasync.1"
opts=$("$HASYNC" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
missing=""
for o in $opts; do
	name=${o#--}
	grep -q -- "Fl \\\\-$name\b" "$man" || missing="$missing $o"
done
is "$missing" "" "every --help option appears in man/hasync.1"
for code in 0 1 2 3 4 128+N; do grep -q "^\.It $code$" "$man" || miss_code="${miss_code:-} $code"; done
is "${miss_code:-}" "" "every exit code is documented"
like "$(sed -n '/^\.Sh CONSOLE KEYS/,/^\.Sh/p' "$man")" 'reload through the selected instance' "console keys section"
# The section is the key table's own output (make man-keys rewrites it).
keys="$top_builddir/tests/unit/keys_mdoc"
if [ -x "$keys" ]; then
	"$keys" >"$T/keys"
	sed -n '/^\.Sh CONSOLE KEYS/,/^\.Sh ENVIRONMENT/p' "$man" | sed '$d' >"$T/man-keys"
	cmp -s "$T/keys" "$T/man-keys"; ok $? "CONSOLE KEYS matches the console's key table (make man-keys)"
else
	skip "tests/unit/keys_mdoc not built"
fi
if command -v mandoc >/dev/null 2>&1; then
	mandoc -T lint -W warning "$man" >"$T/lint" 2>&1; ok $? "mandoc -T lint is clean"
elif command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$man" 2>"$T/lint"; [ ! -s "$T/lint" ]; ok $? "groff renders without warnings"
else
	skip "no mandoc or groff"
fi
