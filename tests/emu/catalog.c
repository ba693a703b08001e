/*
 * tests/emu/catalog.c: the hdb_catalog schema of a v2 metadata database and
 * the exact SQL Hasura runs against it (facts §1, §2.4-2.6).
 *
 * Every function takes a pooled connection for the duration of one call and
 * may run on any thread.  Results are new references owned by the caller.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "emu.h"

/* facts §1.1-§1.3: the v2 initialise.sql tables, catalog version 48. */
static const char catalog_ddl[] =
    "CREATE OR REPLACE FUNCTION hdb_catalog.gen_hasura_uuid() RETURNS uuid AS\n"
    "'select gen_random_uuid()' LANGUAGE SQL;\n"
    "CREATE TABLE hdb_catalog.hdb_version (\n"
    "    hasura_uuid UUID PRIMARY KEY DEFAULT hdb_catalog.gen_hasura_uuid(),\n"
    "    version TEXT NOT NULL,\n"
    "    upgraded_on TIMESTAMPTZ NOT NULL,\n"
    "    cli_state JSONB NOT NULL DEFAULT '{}'::jsonb,\n"
    "    console_state JSONB NOT NULL DEFAULT '{}'::jsonb,\n"
    "    ee_client_id TEXT,\n"
    "    ee_client_secret TEXT\n"
    ");\n"
    "CREATE UNIQUE INDEX hdb_version_one_row\n"
    "ON hdb_catalog.hdb_version((version IS NOT NULL));\n"
    "INSERT INTO hdb_catalog.hdb_version (version, upgraded_on)"
    " VALUES ('48', now());\n";

static const char catalog_ddl_metadata[] =
    "CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_metadata\n"
    "(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  metadata JSON NOT NULL,\n"
    "  resource_version INTEGER NOT NULL DEFAULT 1 UNIQUE\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_schema_notifications\n"
    "(\n"
    "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  notification JSON NOT NULL,\n"
    "  resource_version INTEGER NOT NULL DEFAULT 1,\n"
    "  instance_id UUID NOT NULL,\n"
    "  updated_at TIMESTAMPTZ DEFAULT NOW()\n"
    ");\n";

/* Return the metadata a fresh v2 server writes for HASURA_GRAPHQL_DATABASE_URL. */
json_t *
catalog_initial_metadata(void)
{
	return (json_pack("{s:i,s:[{s:s,s:s,s:[],s:{s:{s:{s:s},s:s,"
	    "s:{s:i,s:i,s:i,s:i},s:b}}}]}",
	    "version", 3, "sources", "name", "default", "kind", "postgres",
	    "tables", "configuration", "connection_info", "database_url",
	    "from_env", "HASURA_GRAPHQL_DATABASE_URL", "isolation_level",
	    "read-committed", "pool_settings", "connection_lifetime", 600,
	    "idle_timeout", 180, "max_connections", 50, "retries", 1,
	    "use_prepared_statements", 1));
}

/* Run the DDL steps that are missing; caller holds the advisory lock. */
static int
catalog_create(struct pg_conn *c, struct dberr *e)
{
	PGresult	*r;
	bool		 have_version;
	char		*md;
	const char	*p[1];
	json_t		*init;
	int		 rc;

	if (pool_exec(c, "CREATE SCHEMA IF NOT EXISTS hdb_catalog", 0, NULL,
	    NULL, e) == -1)
		return (-1);
	if (pool_exec(c, "SELECT to_regclass('hdb_catalog.hdb_version') "
	    "IS NOT NULL", 0, NULL, &r, e) == -1)
		return (-1);
	have_version = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!have_version && pool_exec(c, catalog_ddl, 0, NULL, NULL, e) == -1)
		return (-1);
	if (pool_exec(c, catalog_ddl_metadata, 0, NULL, NULL, e) == -1)
		return (-1);
	init = catalog_initial_metadata();
	md = util_dumps(init);
	json_decref(init);
	p[0] = md;
	rc = pool_exec(c, "INSERT INTO hdb_catalog.hdb_metadata(id, metadata) "
	    "SELECT 1, $1::json WHERE NOT EXISTS "
	    "(SELECT 1 FROM hdb_catalog.hdb_metadata)", 1, p, NULL, e);
	free(md);
	return (rc);
}

/*
 * Create hdb_catalog when absent, under a transaction-scoped advisory lock
 * so emulators starting together do not race; existing catalogs are left
 * alone (only an empty hdb_metadata gets the initial row).
 */
int
catalog_init(struct dberr *e)
{
	struct pg_conn	*c;
	int		 rc = -1;

	if ((c = pool_get(global_cfg.database_url, e)) == NULL)
		return (-1);
	if (pool_exec(c, "BEGIN", 0, NULL, NULL, e) == 0 &&
	    pool_exec(c, "SELECT pg_advisory_xact_lock(7236481902)", 0, NULL,
	    NULL, e) == 0 && catalog_create(c, e) == 0 &&
	    pool_exec(c, "COMMIT", 0, NULL, NULL, e) == 0)
		rc = 0;
	if (rc == -1 && PQstatus(c) == CONNECTION_OK)
		pool_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	pool_put(c);
	return (rc);
}

/* Run sql in a RepeatableRead transaction on the metadata DB. */
static int
catalog_tx(const char *sql, int n, const char *const *p, PGresult **r,
    struct dberr *e)
{
	struct pg_conn	*c;
	int		 rc;

	if ((c = pool_get(global_cfg.database_url, e)) == NULL)
		return (-1);
	rc = pool_tx(c, sql, n, p, r, e);
	pool_put(c);
	return (rc);
}

/* Fill e with a non-connection error message. */
static int
catalog_fail(struct dberr *e, const char *msg)
{
	if (e != NULL) {
		e->conn = false;
		snprintf(e->msg, sizeof e->msg, "%s", msg);
		snprintf(e->raw, sizeof e->raw, "%s", msg);
	}
	return (-1);
}

/*
 * The last metadata text parsed, shared by every instance that fetches the
 * same text (published metadata is never modified), so 500 instances hold
 * one parsed copy instead of 500.  Guarded by catalog_md_lock.
 */
static pthread_mutex_t	 catalog_md_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*catalog_md_text;
static json_t		*catalog_md_json;

/* Parse text, or share the previous parse of the same text (new ref). */
static json_t *
catalog_parse(const char *text)
{
	json_t	*j;

	pthread_mutex_lock(&catalog_md_lock);
	if (catalog_md_text != NULL && strcmp(catalog_md_text, text) == 0) {
		j = json_incref(catalog_md_json);
		pthread_mutex_unlock(&catalog_md_lock);
		return (j);
	}
	pthread_mutex_unlock(&catalog_md_lock);
	j = json_loads(text, JSON_DECODE_ANY, NULL);
	if (j == NULL || !json_is_object(j))
		return (j);
	pthread_mutex_lock(&catalog_md_lock);
	free(catalog_md_text);
	json_decref(catalog_md_json);
	catalog_md_text = xstrdup(text);
	catalog_md_json = json_incref(j);
	pthread_mutex_unlock(&catalog_md_lock);
	return (j);
}

/* Drop the shared parse (at exit). */
void
catalog_shutdown(void)
{
	pthread_mutex_lock(&catalog_md_lock);
	free(catalog_md_text);
	json_decref(catalog_md_json);
	catalog_md_text = NULL;
	catalog_md_json = NULL;
	pthread_mutex_unlock(&catalog_md_lock);
}

/*
 * Fetch the metadata blob and its version (facts §2.5 fetchMetadata).  No
 * row means version 0 and empty metadata (facts §1.1).  The result must be
 * treated as read-only: it may be shared.
 */
int
catalog_fetch_metadata(json_t **md, long *ver, struct dberr *e)
{
	PGresult	*r;

	if (catalog_tx("SELECT metadata, resource_version from "
	    "hdb_catalog.hdb_metadata", 0, NULL, &r, e) == -1)
		return (-1);
	if (PQntuples(r) > 1) {
		PQclear(r);
		return (catalog_fail(e, "multiple rows in hdb_metadata table"));
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		*md = json_pack("{s:i,s:[]}", "version", 3, "sources");
		*ver = 0;
		return (0);
	}
	*md = catalog_parse(PQgetvalue(r, 0, 0));
	*ver = strtol(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	if (*md == NULL || !json_is_object(*md)) {
		json_decref(*md);
		*md = NULL;
		return (catalog_fail(e, "metadata is not a JSON object"));
	}
	return (0);
}

/* The listener's poll query, facts §2.4 (0 rows → version 0). */
int
catalog_poll_version(long *ver, struct dberr *e)
{
	PGresult	*r;

	if (catalog_tx("SELECT resource_version from hdb_catalog.hdb_metadata",
	    0, NULL, &r, e) == -1)
		return (-1);
	if (PQntuples(r) > 1) {
		PQclear(r);
		return (catalog_fail(e, "multiple rows in hdb_metadata table"));
	}
	*ver = PQntuples(r) == 0 ? 0 : strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return (0);
}

/*
 * The optimistic upsert of facts §1.1.  Returns 0 with *newv, CATALOG_CONFLICT
 * when no row came back (stale expect), or -1 with e.
 */
int
catalog_set_metadata(const json_t *md, long expect, long *newv,
    struct dberr *e)
{
	PGresult	*r;
	char		*s, ev[32];
	const char	*p[2];
	int		 rc = 0;

	s = util_dumps(md);
	snprintf(ev, sizeof ev, "%ld", expect);
	p[0] = s;
	p[1] = ev;
	if (catalog_tx(
	    "    INSERT INTO hdb_catalog.hdb_metadata(id, metadata)\n"
	    "    VALUES (1, $1::json)\n"
	    "    ON CONFLICT (id) DO UPDATE SET\n"
	    "      metadata = $1::json,\n"
	    "      resource_version = hdb_catalog.hdb_metadata.resource_version + 1\n"
	    "      WHERE hdb_catalog.hdb_metadata.resource_version = $2\n"
	    "    RETURNING resource_version", 2, p, &r, e) == -1) {
		free(s);
		return (-1);
	}
	free(s);
	if (PQntuples(r) == 0)
		rc = CATALOG_CONFLICT;
	else
		*newv = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return (rc);
}

/* Write the single notification row of facts §1.2 (notifySchemaCacheSyncTx). */
int
catalog_notify(long ver, const char *id, const json_t *inv, struct dberr *e)
{
	char		*s, v[32];
	const char	*p[3];
	int		 rc;

	s = util_dumps(inv);
	snprintf(v, sizeof v, "%ld", ver);
	p[0] = s;
	p[1] = v;
	p[2] = id;
	rc = catalog_tx(
	    "      INSERT INTO hdb_catalog.hdb_schema_notifications(id, notification, resource_version, instance_id)\n"
	    "      VALUES (1, $1::json, $2, $3::uuid)\n"
	    "      ON CONFLICT (id) DO UPDATE SET\n"
	    "        notification = $1::json,\n"
	    "        resource_version = $2,\n"
	    "        instance_id = $3::uuid", 3, p, NULL, e);
	free(s);
	return (rc);
}

/*
 * The processor's notification query, facts §2.5.  Returns an array of
 * {"resource_version":N,"notification":{...}} (new reference).
 */
int
catalog_notifications(long since, const char *id, json_t **rows,
    struct dberr *e)
{
	PGresult	*r;
	char		 v[32];
	const char	*p[2];
	json_t		*n;

	snprintf(v, sizeof v, "%ld", since);
	p[0] = v;
	p[1] = id;
	if (catalog_tx(
	    "         SELECT resource_version, notification\n"
	    "         FROM hdb_catalog.hdb_schema_notifications\n"
	    "         WHERE resource_version > $1 AND instance_id != ($2::uuid)",
	    2, p, &r, e) == -1)
		return (-1);
	*rows = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		n = json_loads(PQgetvalue(r, i, 1), JSON_DECODE_ANY, NULL);
		json_array_append_new(*rows, json_pack("{s:I,s:o}",
		    "resource_version", (json_int_t)strtol(PQgetvalue(r, i, 0),
		    NULL, 10), "notification", n != NULL ? n : json_object()));
	}
	PQclear(r);
	return (0);
}

/*
 * The metadata-storage health check behind /healthz (facts §4.1; the exact
 * SQL is UNVERIFIED, a trivial query is assumed).  Returns 0 when healthy.
 */
int
catalog_health(void)
{
	struct pg_conn	*c;
	struct dberr	 e;
	int		 rc;

	if ((c = pool_get(global_cfg.database_url, &e)) == NULL)
		return (-1);
	rc = pool_exec(c, "SELECT 1", 0, NULL, NULL, &e);
	pool_put(c);
	return (rc);
}
