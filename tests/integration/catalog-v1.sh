# tests/integration/catalog-v1.sh: a Hasura v1.x catalog (facts §1.4, §1.5):
# detected as v1 from hdb_table and hdb_version <= 42, watched with LISTEN
# hasura_schema_update; a schema update written the way v1 writes it
# (recordSchemaUpdate) reaches --watch at once, with the writer's id.
. "$(dirname "$0")/../lib/testlib.sh"
plan 5
pg_test_db
q "CREATE SCHEMA hdb_catalog;
CREATE TABLE hdb_catalog.hdb_version (hasura_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  version text NOT NULL, upgraded_on timestamptz NOT NULL,
  cli_state jsonb NOT NULL DEFAULT '{}', console_state jsonb NOT NULL DEFAULT '{}');
INSERT INTO hdb_catalog.hdb_version (version, upgraded_on) VALUES ('40', now());
CREATE TABLE hdb_catalog.hdb_table (table_schema name, table_name name,
  PRIMARY KEY (table_schema, table_name));
CREATE TABLE hdb_catalog.hdb_schema_update_event (
  instance_id uuid NOT NULL, occurred_at timestamptz NOT NULL DEFAULT NOW(),
  invalidations json NOT NULL);
CREATE UNIQUE INDEX hdb_schema_update_event_one_row
  ON hdb_catalog.hdb_schema_update_event ((occurred_at IS NOT NULL));
CREATE FUNCTION hdb_catalog.hdb_schema_update_event_notifier() RETURNS trigger AS
\$function\$
  DECLARE
    instance_id uuid;
    occurred_at timestamptz;
    invalidations json;
    curr_rec record;
  BEGIN
    instance_id = NEW.instance_id;
    occurred_at = NEW.occurred_at;
    invalidations = NEW.invalidations;
    PERFORM pg_notify('hasura_schema_update', json_build_object(
      'instance_id', instance_id,
      'occurred_at', occurred_at,
      'invalidations', invalidations
      )::text);
    RETURN curr_rec;
  END;
\$function\$
LANGUAGE plpgsql;
CREATE TRIGGER hdb_schema_update_event_notifier AFTER INSERT OR UPDATE ON
  hdb_catalog.hdb_schema_update_event
  FOR EACH ROW EXECUTE PROCEDURE hdb_catalog.hdb_schema_update_event_notifier();" >/dev/null

"$HASYNC" --watch -d "$DATABASE_URL" -e http://127.0.0.1:1 --poll-interval 5000 \
    >"$T/w.out" 2>"$T/w.err" &
W=$!
TEST_PIDS="$TEST_PIDS $W"
wait_until 50 grep -q '"event":"listen_started"' "$T/w.out"
like "$(grep '"event":"db_connected"' "$T/w.out")" 'catalog v1 40' "detected as a v1 catalog, version 40"
ID=e0fdc88d-3b71-4d15-a2d1-9e3507140575
t0=$(now_ms)
# v1's recordSchemaUpdate, verbatim shape (facts §1.4).
q "INSERT INTO hdb_catalog.hdb_schema_update_event (instance_id, occurred_at, invalidations)
   VALUES ('$ID'::uuid, DEFAULT, '{\"metadata\":false,\"remote_schemas\":[]}'::json)
   ON CONFLICT ((occurred_at IS NOT NULL))
   DO UPDATE SET instance_id = '$ID'::uuid, occurred_at = DEFAULT,
   invalidations = '{\"metadata\":false,\"remote_schemas\":[]}'::json" >/dev/null
wait_until 80 grep -q "schema updated by instance $ID" "$T/w.out"
ok $? "the NOTIFY is reported"
dt=$(( $(now_ms) - t0 ))
ok $([ "$dt" -lt 1500 ] && echo 0 || echo 1) "at once, not at the next poll ($dt ms with a 5000 ms poll)"
like "$(grep '"event":"version"' "$T/w.out" | head -n 1)" "\"instance_id\":\"$ID\"" "with the writer's instance id"
kill -TERM "$W"; wait "$W"
is "$?" 143 "SIGTERM ends --watch with 128+15"
