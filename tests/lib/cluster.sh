# tests/lib/cluster.sh: seed an emulated cluster with realistic metadata.
# Source after testlib.sh and emu.sh.
#   seed_tables                 create author/article in the test database
#   seed_metadata URL [RS_URL]  replace_metadata: author, article, an array
#                               relationship, a select permission, and (if
#                               RS_URL) a remote schema "rs" at RS_URL
#   ic_count URL                number of inconsistent objects URL reports
#   ic_is URL N                 true when it reports N (use with wait_until)
#   rv                          the catalog's resource_version

seed_tables() {
	q "CREATE TABLE IF NOT EXISTS author (id int PRIMARY KEY, name text);
	   CREATE TABLE IF NOT EXISTS article (id int PRIMARY KEY, title text,
	     author_id int REFERENCES author(id));" >/dev/null
}

seed_metadata() {
	local url=$1 rs=${2:-} rsjson=""
	[ -n "$rs" ] && rsjson=",\"remote_schemas\":[{\"name\":\"rs\",\"definition\":{\"url\":\"$rs\",\"timeout_seconds\":2}}]"
	emu_meta "$url" "{\"type\":\"replace_metadata\",\"version\":2,\"args\":{\"allow_inconsistent_metadata\":true,\"metadata\":{\"version\":3,\"sources\":[{\"name\":\"default\",\"kind\":\"postgres\",\"tables\":[{\"table\":{\"schema\":\"public\",\"name\":\"author\"},\"array_relationships\":[{\"name\":\"articles\",\"using\":{\"foreign_key_constraint_on\":{\"column\":\"author_id\",\"table\":{\"schema\":\"public\",\"name\":\"article\"}}}}],\"select_permissions\":[{\"role\":\"user\",\"permission\":{\"columns\":[\"id\",\"name\"],\"filter\":{}}}]},{\"table\":{\"schema\":\"public\",\"name\":\"article\"}}],\"configuration\":{\"connection_info\":{\"database_url\":{\"from_env\":\"HASURA_GRAPHQL_DATABASE_URL\"}}}}]$rsjson}}}" "${SECRET:-}"
}

ic_count() {
	emu_meta "$1" '{"type":"get_inconsistent_metadata","args":{}}' "${SECRET:-}" |
	    emu_json 'len(j["inconsistent_objects"])'
}

# ic_is URL N: true when URL reports N inconsistent objects (for wait_until,
# which re-runs its command: never pass it an already expanded "$(...)").
ic_is() { [ "$(ic_count "$1")" = "$2" ]; }

rv() { q "SELECT resource_version FROM hdb_catalog.hdb_metadata"; }
