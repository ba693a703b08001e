# tests/integration/pg-sandbox.sh: the test PostgreSQL works: connect over
# TCP and the unix socket, a database of our own, a query.
. "$(dirname "$0")/../lib/testlib.sh"
plan 5
pg_test_db
is "$(q 'select 1+1')" 2 "query over the unix socket"
is "$(psql -X -A -t -h 127.0.0.1 -c 'select current_database()')" "$PGDATABASE" \
    "TCP connection reaches this test's own database"
q 'create table t (id int primary key, v text)' && q "insert into t values (1, 'x')"
is "$(q 'select v from t where id = 1')" x "create, insert and select"
is "$(psql -X -A -t "$DATABASE_URL" -c 'select count(*) from t')" 1 "DATABASE_URL works with libpq"
like "$(q 'show fsync')" '^off$' "fsync is off for speed"
