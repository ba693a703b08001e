# tests/integration/prom-rules.sh: contrib/prometheus: the alerting rules
# pass `promtool check rules` and their unit tests (`promtool test rules`),
# the unit tests catch a broken rule, and every metric the rules and the
# Grafana dashboard use is one hasync serve exports (src/serve/metrics.c).
# SKIP without promtool (Debian package prometheus).
. "$(dirname "$0")/../lib/testlib.sh"
command -v promtool >/dev/null 2>&1 || skip_all "promtool not installed (apt-get install prometheus)"
plan 6
P=$top_srcdir/contrib/prometheus

promtool check rules "$P/hasync-rules.yml" >"$T/check" 2>&1
ok $? "promtool check rules hasync-rules.yml"
promtool test rules "$P/hasync-rules.test.yml" >"$T/test" 2>&1
ok $? "promtool test rules hasync-rules.test.yml"
[ $? = 0 ] || sed 's/^/# /' "$T/test" | head -n 20

# The unit tests can fail: a rule that waits 30 s instead of 2 min.
mkdir "$T/broken"
cp "$P/hasync-rules.test.yml" "$T/broken/"
sed '0,/for: 2m/s//for: 30s/' "$P/hasync-rules.yml" >"$T/broken/hasync-rules.yml"
promtool test rules "$T/broken/hasync-rules.test.yml" >/dev/null 2>&1
is "$?" 1 "the unit tests catch a rule whose for: was changed"

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$P/hasync-dashboard.json"
ok $? "the Grafana dashboard is JSON"

# names FILE: the hasync_/hasura_ metric names FILE uses (histogram series
# named by their family).
names() {
	grep -oE '\b(hasync|hasura)_[a-z_]+' "$1" | sed -E 's/_(bucket|sum|count)$//' |
	    grep -vE '^hasync_(serve|reload|server)$' | sort -u
}
missing() {
	local n out=""
	for n in $(names "$1"); do
		grep -q "\"$n[ \"]" "$top_srcdir/src/serve/metrics.c" || out="$out $n"
	done
	echo "$out"
}
is "$(missing "$P/hasync-rules.yml")" "" "every metric the rules use is exported"
is "$(missing "$P/hasync-dashboard.json")" "" "every metric the dashboard uses is exported"
