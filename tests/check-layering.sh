# tests/check-layering.sh: src/core never includes curses; src/ui never
# includes libpq, curl or jansson (DEVELOPERS.md, "Standards"); src/serve
# (hasync serve) never includes curses or libpq: it reads snapshots.
. "$(dirname "$0")/lib/testlib.sh"
plan 5
cd "$top_srcdir" || exit 1
core=$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|curses|term)\.?h?' \
    src/core 2>/dev/null)
is "$core" "" "src/core includes no curses header"
ui=$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libpq-fe|libpq/|curl/|jansson)' src/ui 2>/dev/null)
is "$ui" "" "src/ui includes no libpq, curl or jansson header"
# Headers the UI uses must not pull those libraries in either.
uih=$(grep -ohE '#include[[:space:]]*"hasync/[a-z_]+\.h"' src/ui/*.c 2>/dev/null | sort -u |
    sed 's/.*"\(hasync\/[a-z_]*\.h\)"/include\/\1/' | xargs -r grep -lE '#include[[:space:]]*<(libpq-fe|curl/curl|jansson)\.h>')
is "$uih" "" "headers included by src/ui pull in no libpq, curl or jansson"
serve=$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|curses|term\.h|libpq-fe|libpq/)' \
    src/serve 2>/dev/null)
is "$serve" "" "src/serve includes no curses or libpq header"
# The check itself must be able to fail: it flags a planted include.
tmp="$T/probe.c"; echo '#include <curses.h>' >"$tmp"
planted=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|curses|term)\.?h?' "$tmp")
is "$planted" "$tmp" "the pattern catches a planted curses include"
