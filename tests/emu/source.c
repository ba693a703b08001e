/*
 * tests/emu/source.c: introspection of one Postgres source (tables, columns,
 * foreign keys) in two queries, kept as an immutable, reference-counted
 * snapshot that successive schema caches of an instance share until the
 * source is invalidated (facts §1.2 "sources": force re-introspection).
 *
 * source_fetch runs on whichever thread builds a cache; snapshots are
 * read-only afterwards and may be read from any thread.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "emu.h"

static const char source_sql_cols[] =
    "SELECT n.nspname, c.relname, a.attname\n"
    "FROM pg_catalog.pg_class c\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid\n"
    "  AND a.attnum > 0 AND NOT a.attisdropped\n"
    "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')\n"
    "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'hdb_catalog')\n"
    "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'\n"
    "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", a.attnum";

static const char source_sql_fks[] =
    "SELECT n.nspname, c.relname, rn.nspname, rc.relname,\n"
    "  (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(con.conkey)\n"
    "   WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a\n"
    "   ON a.attrelid = con.conrelid AND a.attnum = k.n),\n"
    "  (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(con.confkey)\n"
    "   WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a\n"
    "   ON a.attrelid = con.confrelid AND a.attnum = k.n)\n"
    "FROM pg_catalog.pg_constraint con\n"
    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid\n"
    "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace\n"
    "WHERE con.contype = 'f'";

static int
source_cmp(const char *s1, const char *n1, const char *s2, const char *n2)
{
	int	d = strcmp(s1, s2);

	return (d != 0 ? d : strcmp(n1, n2));
}

/* Find table schema.name by binary search; NULL if absent. */
const struct src_table *
source_table(const struct source_snap *s, const char *schema, const char *name)
{
	size_t	lo = 0, hi;

	if (s == NULL || !s->ok)
		return (NULL);
	hi = s->ntables;
	while (lo < hi) {
		size_t	mid = (lo + hi) / 2;
		int	d = source_cmp(schema, name, s->tables[mid].schema,
		    s->tables[mid].name);
		if (d == 0)
			return (&s->tables[mid]);
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

int
source_has_col(const struct src_table *t, const char *col)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], col) == 0)
			return (1);
	return (0);
}

/* Load the tables and columns of one result, grouped by the ORDER BY. */
static void
source_load_tables(struct source_snap *s, PGresult *r)
{
	struct src_table *t = NULL;
	size_t		  cap = 0;

	for (int i = 0; i < PQntuples(r); i++) {
		const char *sc = PQgetvalue(r, i, 0), *nm = PQgetvalue(r, i, 1);
		if (t == NULL || strcmp(t->schema, sc) != 0 ||
		    strcmp(t->name, nm) != 0) {
			if (s->ntables == cap) {
				cap = cap ? cap * 2 : 64;
				s->tables = xrealloc(s->tables,
				    cap * sizeof *s->tables);
			}
			t = &s->tables[s->ntables++];
			memset(t, 0, sizeof *t);
			t->schema = xstrdup(sc);
			t->name = xstrdup(nm);
		}
		if (PQgetisnull(r, i, 2))
			continue;
		t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
		t->cols[t->ncols++] = xstrdup(PQgetvalue(r, i, 2));
	}
}

/* Turn a JSON array of names into a string vector. */
static char **
source_names(const char *js, size_t *n)
{
	json_t	*a, *v;
	char	**out;
	size_t	 i;

	a = json_loads(js, JSON_DECODE_ANY, NULL);
	*n = json_array_size(a);
	out = xcalloc(*n, sizeof *out);
	json_array_foreach(a, i, v)
		out[i] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	json_decref(a);
	return (out);
}

/* Attach each foreign key to its constrained table. */
static void
source_load_fks(struct source_snap *s, PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct src_table *t;
		struct src_fk	 *fk;
		size_t		  rn;

		t = (struct src_table *)source_table(s, PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1));
		if (t == NULL)
			continue;
		t->fks = xrealloc(t->fks, (t->nfks + 1) * sizeof *t->fks);
		fk = &t->fks[t->nfks++];
		fk->rschema = xstrdup(PQgetvalue(r, i, 2));
		fk->rname = xstrdup(PQgetvalue(r, i, 3));
		fk->cols = source_names(PQgetvalue(r, i, 4), &fk->ncols);
		fk->rcols = source_names(PQgetvalue(r, i, 5), &rn);
		if (rn != fk->ncols) {
			for (size_t k = 0; k < rn; k++)
				free(fk->rcols[k]);
			free(fk->rcols);
			fk->rcols = xcalloc(fk->ncols, sizeof *fk->rcols);
			for (size_t k = 0; k < fk->ncols; k++)
				fk->rcols[k] = xstrdup("");
		}
	}
}

/*
 * A source whose database cannot be used is one inconsistent object (built
 * in cache.c) whose reason and "message" are those of the QErr Hasura turns
 * the libpq failure into:
 *   - Hasura/Base/Error.hs, instance PG.FromPGConnErr QErr (newest version in
 *     the code index): "too many clients" -> "max connections reached on
 *     postgres"; "root certificate file" / "certificate file" / "private key
 *     file" -> "root certificate error" / "certificate error" / "private-key
 *     error" without internal; anything else -> "connection error" with
 *     internal = toJSON PGConnErr, i.e. libpq's message as a JSON string,
 *     trailing newline included (pg-client's newtype over the text).
 *   - Hasura/RQL/Types/SchemaCache/Build.hs, withRecordInconsistency: the
 *     internal becomes the object's "message", the error its reason after
 *     "Inconsistent object: " (imReason in Hasura/RQL/Types/Metadata/Object.hs).
 * The console fixtures quoting real answers agree, e.g. message 'could not
 * translate host name "db" to address: Name or service not known\n'
 * (frontend .../inconsistentMetadata e2e test).  A failing query on a live
 * connection is FromPGTxErr "postgres tx error"; its internal there is the
 * PGTxErr object, here only libpq's text (UNVERIFIED shape).
 */
static void
source_failed(struct source_snap *s, const struct dberr *e)
{
	static const struct {
		const char	*needle, *reason;
	} special[] = {
		{ "too many clients", "max connections reached on postgres" },
		{ "root certificate file", "root certificate error" },
		{ "certificate file", "certificate error" },
		{ "private key file", "private-key error" },
	};

	if (!e->conn) {
		s->reason = xstrdup("Inconsistent object: postgres tx error");
		s->message = xstrdup(e->raw);
		return;
	}
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		if (strstr(e->raw, special[i].needle) == NULL)
			continue;
		s->reason = xprintf("Inconsistent object: %s",
		    special[i].reason);
		if (i == 0)
			s->message = xstrdup(e->raw);
		return;
	}
	s->reason = xstrdup("Inconsistent object: connection error");
	s->message = xstrdup(e->raw);
}

/* Run both introspection queries on url; 0 or -1 with s->reason set. */
static int
source_query(struct source_snap *s, const char *url)
{
	struct pg_conn	*c;
	struct dberr	 e;
	PGresult	*r1 = NULL, *r2 = NULL;
	int		 rc = -1;

	memset(&e, 0, sizeof e);
	if ((c = pool_get(url, &e)) == NULL)
		goto fail;
	if (pool_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
	    NULL, NULL, &e) == 0 &&
	    pool_exec(c, source_sql_cols, 0, NULL, &r1, &e) == 0 &&
	    pool_exec(c, source_sql_fks, 0, NULL, &r2, &e) == 0 &&
	    pool_exec(c, "COMMIT", 0, NULL, NULL, &e) == 0)
		rc = 0;
	else
		pool_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	pool_put(c);
	if (rc == 0) {
		s->ok = true;	/* source_table needs it while loading FKs */
		source_load_tables(s, r1);
		source_load_fks(s, r2);
	}
	PQclear(r1);
	PQclear(r2);
	if (rc == 0)
		return (0);
fail:
	source_failed(s, &e);
	return (-1);
}

/* Resolve a source's connection_info.database_url to a URL (new string). */
static char *
source_resolve(const json_t *config, char **reason)
{
	const json_t	*ci, *du;
	const char	*var, *v;

	ci = json_object_get(config, "connection_info");
	du = json_object_get(ci, "database_url");
	if (json_is_string(du))
		return (xstrdup(json_string_value(du)));
	if ((var = util_jstr(du, "from_env")) != NULL) {
		if ((v = getenv(var)) != NULL)
			return (xstrdup(v));
		*reason = xprintf("Inconsistent object: environment variable "
		    "'%s' not set", var);
		return (NULL);
	}
	du = json_object_get(du, "connection_parameters");
	if (json_is_object(du)) {
		json_t *port = json_object_get(du, "port");
		return (xprintf("postgresql://%s:%s@%s:%lld/%s",
		    util_jstr(du, "username") ? util_jstr(du, "username") : "",
		    util_jstr(du, "password") ? util_jstr(du, "password") : "",
		    util_jstr(du, "host") ? util_jstr(du, "host") : "localhost",
		    json_is_integer(port) ? (long long)json_integer_value(port) :
		    5432, util_jstr(du, "database") ? util_jstr(du, "database") :
		    "postgres"));
	}
	*reason = xstrdup("Inconsistent object: invalid database_url "
	    "in connection_info");
	return (NULL);
}

/*
 * The latest good snapshot per URL, so that instances re-introspecting the
 * same unchanged source share one copy.  Guarded by source_lock.
 */
#define SOURCE_SHARED_MAX	16
static pthread_mutex_t	 source_lock = PTHREAD_MUTEX_INITIALIZER;
static struct source_snap *source_shared[SOURCE_SHARED_MAX];

static bool
source_strv_eq(char **a, char **b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return (false);
	return (true);
}

static bool
source_table_eq(const struct src_table *a, const struct src_table *b)
{
	if (strcmp(a->schema, b->schema) != 0 || strcmp(a->name, b->name) != 0 ||
	    a->ncols != b->ncols || a->nfks != b->nfks ||
	    !source_strv_eq(a->cols, b->cols, a->ncols))
		return (false);
	for (size_t k = 0; k < a->nfks; k++) {
		const struct src_fk *x = &a->fks[k], *y = &b->fks[k];
		if (x->ncols != y->ncols || strcmp(x->rschema, y->rschema) != 0 ||
		    strcmp(x->rname, y->rname) != 0 ||
		    !source_strv_eq(x->cols, y->cols, x->ncols) ||
		    !source_strv_eq(x->rcols, y->rcols, x->ncols))
			return (false);
	}
	return (true);
}

static bool
source_eq(const struct source_snap *a, const struct source_snap *b)
{
	if (strcmp(a->name, b->name) != 0 || strcmp(a->url, b->url) != 0 ||
	    strcmp(a->defkey, b->defkey) != 0 || a->ntables != b->ntables)
		return (false);
	for (size_t i = 0; i < a->ntables; i++)
		if (!source_table_eq(&a->tables[i], &b->tables[i]))
			return (false);
	return (true);
}

/* Return a shared equal snapshot instead of s, or register s. */
static struct source_snap *
source_share(struct source_snap *s)
{
	struct source_snap *old = NULL;
	int		    slot = -1;

	pthread_mutex_lock(&source_lock);
	for (int i = 0; i < SOURCE_SHARED_MAX; i++) {
		struct source_snap *x = source_shared[i];
		if (x == NULL) {
			if (slot == -1)
				slot = i;
			continue;
		}
		if (strcmp(x->url, s->url) != 0 || strcmp(x->name, s->name) != 0)
			continue;
		if (source_eq(x, s)) {
			source_ref(x);
			pthread_mutex_unlock(&source_lock);
			source_unref(s);
			return (x);
		}
		slot = i;
		break;
	}
	if (slot == -1)
		slot = 0;
	old = source_shared[slot];
	source_shared[slot] = source_ref(s);
	pthread_mutex_unlock(&source_lock);
	source_unref(old);
	return (s);
}

void
source_shutdown(void)
{
	pthread_mutex_lock(&source_lock);
	for (int i = 0; i < SOURCE_SHARED_MAX; i++) {
		source_unref(source_shared[i]);
		source_shared[i] = NULL;
	}
	pthread_mutex_unlock(&source_lock);
}

/*
 * Introspect source name with configuration config (kind is its "kind").
 * Always returns a new snapshot (refs 1); !ok when the source is unusable.
 */
struct source_snap *
source_fetch(const char *name, const json_t *config, const char *kind)
{
	struct source_snap	*s;
	char			*reason = NULL;

	s = xcalloc(1, sizeof *s);
	atomic_init(&s->refs, 1);
	s->name = xstrdup(name);
	s->defkey = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	if (s->defkey == NULL)
		s->defkey = xstrdup("null");
	if (kind != NULL && strcmp(kind, "postgres") != 0 &&
	    strcmp(kind, "pg") != 0 && strcmp(kind, "citus") != 0) {
		s->reason = xprintf("Inconsistent object: source kind \"%s\" "
		    "is not supported by the emulator", kind);
		return (s);
	}
	if ((s->url = source_resolve(config, &reason)) == NULL) {
		s->reason = reason;
		return (s);
	}
	if (source_query(s, s->url) == -1)
		return (s);
	return (source_share(s));
}

struct source_snap *
source_ref(struct source_snap *s)
{
	atomic_fetch_add(&s->refs, 1);
	return (s);
}

static void
source_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Drop a reference; the last one frees the snapshot.  NULL is a no-op. */
void
source_unref(struct source_snap *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->ntables; i++) {
		struct src_table *t = &s->tables[i];
		for (size_t k = 0; k < t->nfks; k++) {
			source_free_strv(t->fks[k].cols, t->fks[k].ncols);
			source_free_strv(t->fks[k].rcols, t->fks[k].ncols);
			free(t->fks[k].rschema);
			free(t->fks[k].rname);
		}
		free(t->fks);
		source_free_strv(t->cols, t->ncols);
		free(t->schema);
		free(t->name);
	}
	free(s->tables);
	free(s->name);
	free(s->url);
	free(s->defkey);
	free(s->reason);
	free(s->message);
	free(s);
}
