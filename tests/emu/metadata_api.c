/*
 * tests/emu/metadata_api.c: POST /v1/metadata and the legacy /v1/query
 * (facts §3): envelope parsing, the emulated commands, and the writer path
 * of facts §2.6 (fetch from DB, apply, rebuild, optimistic upsert, notify,
 * set the in-memory version).
 *
 * Runs on HTTP handler threads.  Modifying commands hold the instance's
 * update lock from the metadata fetch to the publication of the new cache,
 * like Hasura's withSchemaCacheUpdate, so they serialise with the sync
 * processor of the same instance.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

struct api_ctx {
	struct instance	*in;
	struct api_req	*rq;
	struct reply	*r;
	json_t		*md;		/* metadata read from the DB */
	long		 dbver;
	struct cache	*prev;
	json_t		*newmd;
	struct inval	 inv;
	struct cache	*newc;
	json_t		*result;	/* incons of the committed cache */
	bool		 allow_incons;
	int		 replace_version;
};

typedef int (*api_apply_fn)(struct api_ctx *);

static const char *
api_jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return ("Object");
	case JSON_ARRAY:
		return ("Array");
	case JSON_STRING:
		return ("String");
	case JSON_INTEGER:
	case JSON_REAL:
		return ("Number");
	case JSON_TRUE:
	case JSON_FALSE:
		return ("Boolean");
	default:
		return ("Null");
	}
}

static int	api_parse_fail(struct reply *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Reply 400 parse-failed at path; always returns -1. */
static int
api_parse_fail(struct reply *r, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	reply_error(r, 400, "parse-failed", path, NULL, "%s",
	    msg ? msg : "parse failed");
	free(msg);
	return (-1);
}

/* ---- metadata document validation (replace_metadata) ---- */

static int
api_need(const json_t *o, const char *key, json_type t, char *path,
    size_t plen, char *msg, size_t mlen)
{
	const json_t	*v = json_object_get(o, key);
	static const char *names[] = { "Object", "Array", "String", "Number",
	    "Number", "Boolean", "Boolean", "Null" };

	if (v == NULL) {
		snprintf(msg, mlen, "key \"%s\" not found", key);
		return (-1);
	}
	if (json_typeof(v) != t) {
		size_t n = strlen(path);
		snprintf(path + n, plen - n, ".%s", key);
		snprintf(msg, mlen, "expected %s, but encountered %s",
		    names[t], api_jtype(v));
		return (-1);
	}
	return (0);
}

static int
api_check_table(const json_t *te, char *path, size_t plen, char *msg,
    size_t mlen)
{
	const json_t	*t;
	const char	*s, *n;

	if (!json_is_object(te)) {
		snprintf(msg, mlen, "expected Object, but encountered %s",
		    api_jtype(te));
		return (-1);
	}
	if ((t = json_object_get(te, "table")) == NULL) {
		snprintf(msg, mlen, "key \"table\" not found");
		return (-1);
	}
	if (cache_table_key(t, &s, &n) == -1) {
		strncat(path, ".table", plen - strlen(path) - 1);
		snprintf(msg, mlen, "key \"name\" not found");
		return (-1);
	}
	return (0);
}

static int
api_check_source(const json_t *src, char *path, size_t plen, char *msg,
    size_t mlen)
{
	const json_t	*te;
	size_t		 i, n;

	if (!json_is_object(src)) {
		snprintf(msg, mlen, "expected Object, but encountered %s",
		    api_jtype(src));
		return (-1);
	}
	/*
	 * "kind" may be left out and means postgres (tests-py test_metadata.py,
	 * test_replace_metadata_default_kind, commit ce437a64); api_replace_apply
	 * stores it.
	 */
	if (api_need(src, "name", JSON_STRING, path, plen, msg, mlen) == -1 ||
	    (json_object_get(src, "kind") != NULL && api_need(src, "kind",
	    JSON_STRING, path, plen, msg, mlen) == -1) ||
	    api_need(src, "configuration", JSON_OBJECT, path, plen, msg,
	    mlen) == -1 || api_need(src, "tables", JSON_ARRAY, path, plen, msg,
	    mlen) == -1)
		return (-1);
	n = strlen(path);
	json_array_foreach(json_object_get(src, "tables"), i, te) {
		snprintf(path + n, plen - n, ".tables[%zu]", i);
		if (api_check_table(te, path, plen, msg, mlen) == -1)
			return (-1);
	}
	path[n] = '\0';
	return (0);
}

/* Check the named array of objects each having name + definition. */
static int
api_check_named(const json_t *md, const char *key, char *path, size_t plen,
    char *msg, size_t mlen)
{
	const json_t	*a = json_object_get(md, key), *v;
	size_t		 i, n = strlen(path);

	if (a == NULL)
		return (0);
	if (api_need(md, key, JSON_ARRAY, path, plen, msg, mlen) == -1)
		return (-1);
	json_array_foreach(a, i, v) {
		snprintf(path + n, plen - n, ".%s[%zu]", key, i);
		if (!json_is_object(v)) {
			snprintf(msg, mlen, "expected Object, but encountered "
			    "%s", api_jtype(v));
			return (-1);
		}
		if (api_need(v, "name", JSON_STRING, path, plen, msg, mlen) ==
		    -1 || api_need(v, "definition", JSON_OBJECT, path, plen,
		    msg, mlen) == -1)
			return (-1);
	}
	path[n] = '\0';
	return (0);
}

/*
 * Validate a version 3 metadata object (required keys only; facts §3.6).
 * path holds the JSON path on entry and the failing path on error.  The
 * caller has checked "version" (api_md_version).
 */
int
api_validate_metadata(const json_t *md, char *path, size_t plen, char *msg,
    size_t mlen)
{
	const json_t	*v, *src;
	size_t		 i, n = strlen(path);

	if (!json_is_object(md)) {
		snprintf(msg, mlen, "expected Object, but encountered %s",
		    api_jtype(md));
		return (-1);
	}
	if (json_object_get(md, "sources") != NULL &&
	    api_need(md, "sources", JSON_ARRAY, path, plen, msg, mlen) == -1)
		return (-1);
	json_array_foreach(json_object_get(md, "sources"), i, src) {
		snprintf(path + n, plen - n, ".sources[%zu]", i);
		if (api_check_source(src, path, plen, msg, mlen) == -1)
			return (-1);
	}
	path[n] = '\0';
	if (api_check_named(md, "remote_schemas", path, plen, msg, mlen) == -1 ||
	    api_check_named(md, "actions", path, plen, msg, mlen) == -1)
		return (-1);
	v = json_object_get(md, "custom_types");
	if (v != NULL && !json_is_object(v)) {
		strncat(path, ".custom_types", plen - n - 1);
		snprintf(msg, mlen, "expected Object, but encountered %s",
		    api_jtype(v));
		return (-1);
	}
	return (0);
}

/* ---- drop_inconsistent_metadata ---- */

/*
 * Inherited-role permission conflicts cannot be dropped: nothing in the
 * metadata is "the" conflicting object (droppableInconsistentMetadata in
 * Hasura/RQL/Types/Metadata/Object.hs).  drop_inconsistent_metadata leaves
 * them and succeeds when only they remain (runDropInconsistentMetadata in
 * Hasura/RQL/DDL/Metadata.hs).
 */
static bool
api_droppable(const json_t *o)
{
	const char	*t = util_jstr(o, "type");

	return (t == NULL || strcmp(t,
	    "inherited role permission inconsistency") != 0);
}

static bool
api_dropped(const json_t *names, char *name)
{
	bool	r = json_object_get(names, name) != NULL;

	free(name);
	return (r);
}

/* Remove the entries of array key whose object name is in names. */
static void
api_filter(json_t *te, const char *key, const char *type, const char *role,
    const char *rt, const char *src, const json_t *names)
{
	json_t	*a = json_object_get(te, key), *keep;
	json_t	*v;
	size_t	 i;

	if (!json_is_array(a))
		return;
	keep = json_array();
	json_array_foreach(a, i, v) {
		const char *n = util_jstr(v, role);
		if (n == NULL || !api_dropped(names, xprintf(
		    "%s %s in table %s in source %s", type, n, rt, src)))
			json_array_append(keep, v);
	}
	json_object_set_new(te, key, keep);
}

static void
api_drop_tables(json_t *source, const char *src, const json_t *names)
{
	static const char *perm[] = { "insert", "select", "update", "delete" };
	json_t		*tables = json_object_get(source, "tables"), *keep, *te;
	const char	*s, *n;
	size_t		 i;
	char		*rt, key[32], type[32];

	keep = json_array();
	json_array_foreach(tables, i, te) {
		if (cache_table_key(json_object_get(te, "table"), &s, &n) == -1) {
			json_array_append(keep, te);
			continue;
		}
		rt = cache_render_table(s, n);
		if (!api_dropped(names, xprintf("table %s in source %s", rt,
		    src))) {
			api_filter(te, "object_relationships", "object_relation",
			    "name", rt, src, names);
			api_filter(te, "array_relationships", "array_relation",
			    "name", rt, src, names);
			for (int k = 0; k < 4; k++) {
				snprintf(key, sizeof key, "%s_permissions",
				    perm[k]);
				snprintf(type, sizeof type, "%s_permission",
				    perm[k]);
				api_filter(te, key, type, "role", rt, src, names);
			}
			api_filter(te, "event_triggers", "event_trigger",
			    "name", rt, src, names);
			json_array_append(keep, te);
		}
		free(rt);
	}
	json_object_set_new(source, "tables", keep);
}

/*
 * Return a copy of md without the objects listed in incons (facts §3.4):
 * sources, tables (with everything inside), relationships, permissions,
 * event triggers and remote schemas.  New reference.
 */
json_t *
api_drop_inconsistent(const json_t *md, const json_t *incons)
{
	json_t		*out, *names, *v, *keep;
	size_t		 i;
	const char	*sn;

	names = json_object();
	json_array_foreach(incons, i, v)
		if (util_jstr(v, "name") != NULL && api_droppable(v))
			json_object_set_new(names, util_jstr(v, "name"),
			    json_true());
	out = json_deep_copy(md);
	keep = json_array();
	json_array_foreach(json_object_get(out, "sources"), i, v) {
		if ((sn = util_jstr(v, "name")) == NULL || !api_dropped(names,
		    xprintf("source %s", sn))) {
			if (sn != NULL)
				api_drop_tables(v, sn, names);
			json_array_append(keep, v);
		}
	}
	if (json_object_get(out, "sources") != NULL)
		json_object_set(out, "sources", keep);
	json_decref(keep);
	keep = json_array();
	json_array_foreach(json_object_get(out, "remote_schemas"), i, v)
		if ((sn = util_jstr(v, "name")) == NULL || !api_dropped(names,
		    xprintf("remote_schema %s", sn)))
			json_array_append(keep, v);
	if (json_object_get(out, "remote_schemas") != NULL)
		json_object_set(out, "remote_schemas", keep);
	json_decref(keep);
	json_decref(names);
	return (out);
}

/* ---- the writer path, facts §2.6 ---- */

static void
api_respond_incons(struct reply *r, int status, const char *code,
    const char *msg, const json_t *incons)
{
	reply_error(r, status, code, "$.args", json_deep_copy(incons), "%s",
	    msg);
}

/* Store, notify and publish after a successful apply+build. */
static int
api_commit(struct api_ctx *x)
{
	struct dberr	 e;
	long		 expect, nv = 0;
	json_t		*inv;
	int		 rc;

	log_syncf(x->in, "metadata-api",
	    "Attempting to insert new metadata in storage");
	expect = x->rq->resource_version >= 0 ? x->rq->resource_version :
	    x->dbver;
	pthread_rwlock_wrlock(&global_write_lock);
	rc = catalog_set_metadata(x->newmd, expect, &nv, &e);
	if (rc == -1) {
		pthread_rwlock_unlock(&global_write_lock);
		reply_dberr(x->r, &e);
		return (-1);
	}
	if (rc == CATALOG_CONFLICT) {
		pthread_rwlock_unlock(&global_write_lock);
		reply_error(x->r, 409, "conflict", "$", NULL, "metadata resource "
		    "version referenced (%ld) did not match current version",
		    expect);
		return (-1);
	}
	log_syncf(x->in, "metadata-api", "Successfully inserted new metadata "
	    "in storage with resource version: %ld", nv);
	inv = inval_json(&x->inv);
	rc = catalog_notify(nv, x->in->id, inv, &e);
	pthread_rwlock_unlock(&global_write_lock);
	if (rc == -1)
		log_sync(x->in, "error", "metadata-api", json_pack("{s:s}",
		    "error", e.msg));
	else
		log_syncf(x->in, "metadata-api", "Inserted schema cache sync "
		    "notification at resource version:%ld", nv);
	json_decref(inv);
	x->result = json_incref(x->newc->incons);
	instance_publish(x->in, cache_ref(x->newc), nv);
	return (0);
}

/*
 * Run a modifying command: fetch (M, V) from the DB, apply, rebuild from the
 * in-memory cache, check, then commit.  apply and check fill x->r on error.
 */
static int
api_modify(struct api_ctx *x, api_apply_fn apply, api_apply_fn check)
{
	struct dberr	e;
	int		rc = -1;

	pthread_mutex_lock(&x->in->update);
	inval_init(&x->inv);
	if (catalog_fetch_metadata(&x->md, &x->dbver, &e) == -1) {
		reply_dberr(x->r, &e);
		goto out;
	}
	x->prev = instance_cache(x->in, NULL);
	if (apply(x) == -1)
		goto out;
	x->newc = cache_build(x->newmd, x->prev, &x->inv);
	if (check != NULL && check(x) == -1)
		goto out;
	rc = api_commit(x);
out:
	pthread_mutex_unlock(&x->in->update);
	cache_unref(x->prev);
	cache_unref(x->newc);
	json_decref(x->md);
	json_decref(x->newmd);
	inval_free(&x->inv);
	return (rc);
}

/* ---- reload_metadata, facts §3.2 ---- */

/* Collect the names of md's array key (sources / remote_schemas). */
static json_t *
api_names(const json_t *md, const char *key)
{
	json_t	*out = json_array(), *v;
	size_t	 i;

	json_array_foreach(json_object_get(md, key), i, v)
		if (util_jstr(v, "name") != NULL)
			json_array_append_new(out, json_string(util_jstr(v,
			    "name")));
	return (out);
}

/*
 * Read one Boolean|[names] argument into *out (new array of names), with
 * the recent-v2 default dflt; unknown names → 400 not-exists.
 */
static int
api_reload_arg(struct api_ctx *x, const char *key, const json_t *all,
    bool dflt, const char *what, json_t **out)
{
	const json_t	*v = json_object_get(x->rq->args, key), *n;
	char		 path[64];
	size_t		 i;

	*out = NULL;
	snprintf(path, sizeof path, "$.args.%s", key);
	if (v == NULL || json_is_boolean(v)) {
		*out = (v == NULL ? dflt : json_is_true(v)) ?
		    json_deep_copy(all) : json_array();
		return (0);
	}
	if (!json_is_array(v))
		return (api_parse_fail(x->r, path, "expected Boolean or Array, "
		    "but encountered %s%s", api_jtype(v), ""));
	json_array_foreach(v, i, n) {
		if (!json_is_string(n))
			return (api_parse_fail(x->r, path, "expected String, "
			    "but encountered %s%s", api_jtype(n), ""));
		if (!util_strarr_has(all, json_string_value(n))) {
			reply_error(x->r, 400, "not-exists", "$.args", NULL,
			    "%s with name \"%s\" not found in metadata", what,
			    json_string_value(n));
			return (-1);
		}
	}
	*out = json_deep_copy(v);
	return (0);
}

static int
api_reload_apply(struct api_ctx *x)
{
	json_t	*rs, *srcs, *dc, *ev, *none;
	int	 rc = -1;

	rs = api_names(x->md, "remote_schemas");
	srcs = api_names(x->md, "sources");
	none = json_array();
	json_decref(x->inv.remote);
	json_decref(x->inv.sources);
	x->inv.remote = x->inv.sources = NULL;
	if (!json_is_object(x->rq->args))
		api_parse_fail(x->r, "$.args", "expected Object, but "
		    "encountered %s%s", api_jtype(x->rq->args), "");
	else if (api_reload_arg(x, "reload_remote_schemas", rs, true,
	    "Remote schema", &x->inv.remote) == 0 &&
	    api_reload_arg(x, "reload_sources", srcs, true, "Source",
	    &x->inv.sources) == 0 &&
	    api_reload_arg(x, "recreate_event_triggers", srcs, false, "Source",
	    &ev) == 0) {
		json_decref(ev);
		if (api_reload_arg(x, "reload_data_connectors", none, true,
		    "Data connector", &dc) == 0) {
			json_decref(dc);
			rc = 0;
		}
	}
	json_decref(rs);
	json_decref(srcs);
	json_decref(none);
	if (x->inv.remote == NULL)
		x->inv.remote = json_array();
	if (x->inv.sources == NULL)
		x->inv.sources = json_array();
	x->inv.metadata = true;
	x->newmd = json_incref(x->md);
	return (rc);
}

static void
api_reload_metadata(struct api_ctx *x)
{
	json_t	*o;

	if (api_modify(x, api_reload_apply, NULL) == -1)
		return;
	if (global_cfg.pre_v24) {
		/* facts §3.2: before v2.4.0 the body is {"message":"success"}. */
		reply_json(x->r, 200, json_pack("{s:s}", "message", "success"));
		return;
	}
	o = x->result;
	if (json_array_size(o) > 0)
		reply_json(x->r, 200, json_pack("{s:b,s:s,s:O}", "is_consistent",
		    0, "message", "success", "inconsistent_objects", o));
	else
		reply_json(x->r, 200, json_pack("{s:b,s:s}", "is_consistent", 1,
		    "message", "success"));
}

/* ---- replace_metadata, clear_metadata, facts §3.6, §3.7 ---- */

/*
 * The metadata format version of a replace_metadata document: 1, 2 or 3;
 * absent means 1 (instance FromJSON MetadataVersion and ReplaceMetadataV1
 * in Hasura/RQL/Types/Metadata.hs and Hasura/RQL/DDL/Metadata/Types.hs).
 * 0 with a 400 parse-failed reply otherwise.
 */
static int
api_md_version(struct api_ctx *x, const json_t *md, const char *path)
{
	const json_t	*v = json_object_get(md, "version");
	char		 p[300];

	if (v == NULL)
		return (1);
	snprintf(p, sizeof p, "%s.version", path);
	if (!json_is_integer(v)) {
		api_parse_fail(x->r, p, "parsing Int failed, expected Number, "
		    "but encountered %s", api_jtype(v));
		return (0);
	}
	if (json_integer_value(v) < 1 || json_integer_value(v) > 3) {
		api_parse_fail(x->r, p, "expected 1, 2 or 3, encountered %lld",
		    (long long)json_integer_value(v));
		return (0);
	}
	return ((int)json_integer_value(v));
}

/* A table entry with its "table" key in the stored form {schema, name}. */
static json_t *
api_table_entry(const json_t *te)
{
	json_t		*out = json_deep_copy(te);
	const char	*s, *n;

	if (cache_table_key(json_object_get(te, "table"), &s, &n) == 0 &&
	    json_is_string(json_object_get(te, "table")))
		json_object_set_new(out, "table", json_pack("{s:s,s:s}",
		    "schema", s, "name", n));
	return (out);
}

/*
 * Metadata without sources, the export formats of Hasura v1.x: version 1
 * (or no version; functions are bare names) and version 2 (functions are
 * objects with a configuration).  Hasura converts it rather than refusing
 * it, and so does the emulator (runReplaceMetadataV2
 * in Hasura/RQL/DDL/Metadata.hs, commit e321ab43 and the newest version in
 * the code index): the tables and functions replace those of the existing
 * "default" source, which keeps its name, kind and configuration; remote
 * schemas, query collections, allow list, custom types, actions and cron
 * triggers come from the document; REST endpoints stay as they were; every
 * other source, inherited roles and the rest are dropped.  Without a
 * "default" source: 400 not-supported "cannot import metadata without
 * sources since no default source is defined" (path $.args, as the other
 * errors of runReplaceMetadataV2).  "tables" is required (instance FromJSON
 * MetadataNoSources); table names given as strings are stored as {schema,
 * name}, functions given by name as {"function": {schema, name}}, as
 * Hasura's parsed metadata serialises them.  Recorded by tests-py
 * queries/v1/metadata/replace_metadata.yaml, replace_metadata_v2.yaml,
 * replace_metadata_wo_rs.yaml, replace_metadata_no_tables.yaml and
 * replace_metadata_allow_inconsistent_inconsistent.yaml.
 */
static int
api_replace_nosources(struct api_ctx *x, const json_t *md, int ver,
    const char *mdpath)
{
	static const char *keep[] = { "remote_schemas", "query_collections",
	    "allowlist", "custom_types", "actions", "cron_triggers" };
	const json_t	*tables = json_object_get(md, "tables");
	const json_t	*fns = json_object_get(md, "functions"), *v, *dflt = NULL;
	json_t		*src, *a;
	char		 path[256], msg[256];
	size_t		 i;

	snprintf(path, sizeof path, "%s", mdpath);
	if (tables == NULL)
		return (api_parse_fail(x->r, path, "key \"tables\" not found%s",
		    ""));
	if (api_need(md, "tables", JSON_ARRAY, path, sizeof path, msg,
	    sizeof msg) == -1 || (fns != NULL && api_need(md, "functions",
	    JSON_ARRAY, path, sizeof path, msg, sizeof msg) == -1))
		return (api_parse_fail(x->r, path, "%s", msg));
	json_array_foreach(tables, i, v) {
		snprintf(path, sizeof path, "%s.tables[%zu]", mdpath, i);
		if (api_check_table(v, path, sizeof path, msg, sizeof msg) == -1)
			return (api_parse_fail(x->r, path, "%s", msg));
	}
	snprintf(path, sizeof path, "%s", mdpath);
	if (api_check_named(md, "remote_schemas", path, sizeof path, msg,
	    sizeof msg) == -1 || api_check_named(md, "actions", path,
	    sizeof path, msg, sizeof msg) == -1)
		return (api_parse_fail(x->r, path, "%s", msg));
	json_array_foreach(json_object_get(x->md, "sources"), i, v)
		if (util_jstr(v, "name") != NULL &&
		    strcmp(util_jstr(v, "name"), "default") == 0)
			dflt = v;
	if (dflt == NULL) {
		reply_error(x->r, 400, "not-supported", "$.args", NULL,
		    "cannot import metadata without sources since no default "
		    "source is defined");
		return (-1);
	}
	src = json_deep_copy(dflt);
	a = json_array();
	json_array_foreach(tables, i, v)
		json_array_append_new(a, api_table_entry(v));
	json_object_set_new(src, "tables", a);
	a = json_array();
	json_array_foreach(fns, i, v) {
		if (ver == 2)
			json_array_append_new(a, json_deep_copy(v));
		else if (json_is_string(v))
			json_array_append_new(a, json_pack("{s:{s:s,s:O}}",
			    "function", "schema", "public", "name", v));
		else
			json_array_append_new(a, json_pack("{s:O}", "function",
			    v));
	}
	if (json_array_size(a) > 0)
		json_object_set_new(src, "functions", a);
	else {
		json_object_del(src, "functions");
		json_decref(a);
	}
	x->newmd = json_pack("{s:i,s:[o]}", "version", 3, "sources", src);
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		v = json_object_get(md, keep[i]);
		if ((json_is_array(v) && json_array_size(v) > 0) ||
		    (json_is_object(v) && json_object_size(v) > 0))
			json_object_set_new(x->newmd, keep[i],
			    json_deep_copy(v));
	}
	if ((v = json_object_get(x->md, "rest_endpoints")) != NULL)
		json_object_set_new(x->newmd, "rest_endpoints",
		    json_deep_copy(v));
	return (0);
}

static int
api_replace_apply(struct api_ctx *x)
{
	const json_t	*args = x->rq->args, *md = args, *v;
	char		 path[256] = "$.args", msg[256];
	json_t		*src;
	size_t		 i;
	int		 ver;

	x->replace_version = x->rq->version;
	if (x->replace_version == 0)
		x->replace_version = json_is_object(json_object_get(args,
		    "metadata")) ? 2 : 1;
	if (!json_is_object(args))
		return (api_parse_fail(x->r, "$.args", "expected Object, but "
		    "encountered %s%s", api_jtype(args), ""));
	if (x->replace_version == 2) {
		md = json_object_get(args, "metadata");
		v = json_object_get(args, "allow_inconsistent_metadata");
		if (v != NULL && !json_is_boolean(v))
			return (api_parse_fail(x->r,
			    "$.args.allow_inconsistent_metadata", "expected "
			    "Boolean, but encountered %s%s", api_jtype(v), ""));
		x->allow_incons = json_is_true(v);
		if (md == NULL)
			return (api_parse_fail(x->r, "$.args", "key \"metadata\" "
			    "not found%s%s", "", ""));
		strcat(path, ".metadata");
	}
	if (!json_is_object(md))
		return (api_parse_fail(x->r, path, "expected Object, but "
		    "encountered %s", api_jtype(md)));
	if ((ver = api_md_version(x, md, path)) == 0)
		return (-1);
	if (ver < 3) {
		if (api_replace_nosources(x, md, ver, path) == -1)
			return (-1);
	} else {
		if (api_validate_metadata(md, path, sizeof path, msg,
		    sizeof msg) == -1)
			return (api_parse_fail(x->r, path, "%s%s", msg, ""));
		x->newmd = json_deep_copy(md);
		if (json_object_get(x->newmd, "sources") == NULL)
			json_object_set_new(x->newmd, "sources", json_array());
		json_array_foreach(json_object_get(x->newmd, "sources"), i, src)
			if (json_object_get(src, "kind") == NULL)
				json_object_set_new(src, "kind",
				    json_string("postgres"));
	}
	/* facts §1.2: sources = all new source names, metadata false. */
	json_decref(x->inv.sources);
	x->inv.sources = api_names(x->newmd, "sources");
	return (0);
}

static int
api_replace_check(struct api_ctx *x)
{
	if (json_array_size(x->newc->incons) == 0 || x->allow_incons)
		return (0);
	api_respond_incons(x->r, 400, "unexpected",
	    "cannot continue due to inconsistent metadata", x->newc->incons);
	return (-1);
}

static void
api_replace_metadata(struct api_ctx *x)
{
	if (api_modify(x, api_replace_apply, api_replace_check) == -1)
		return;
	if (x->replace_version == 1)
		reply_json(x->r, 200, json_pack("{s:s}", "message", "success"));
	else
		reply_json(x->r, 200, json_pack("{s:b,s:O}", "is_consistent",
		    json_array_size(x->result) == 0, "inconsistent_objects",
		    x->result));
}

/*
 * Keep an emptied "default" source if there was one (facts §3.7): its name,
 * kind and configuration, nothing else (runClearMetadata in
 * Hasura/RQL/DDL/Metadata.hs builds SourceMetadata with empty tables and
 * functions, no query tags, empty customization, no health check).
 */
static int
api_clear_apply(struct api_ctx *x)
{
	json_t	*srcs = json_array(), *v;
	size_t	 i;

	json_array_foreach(json_object_get(x->md, "sources"), i, v) {
		const char *n = util_jstr(v, "name"), *k = util_jstr(v, "kind");
		const json_t *cfg = json_object_get(v, "configuration");
		if (n != NULL && strcmp(n, "default") == 0)
			json_array_append_new(srcs, json_pack("{s:s,s:s,s:[],"
			    "s:o}", "name", "default", "kind", k != NULL ? k :
			    "postgres", "tables", "configuration", cfg != NULL ?
			    json_deep_copy(cfg) : json_object()));
	}
	x->newmd = json_pack("{s:i,s:o}", "version", 3, "sources", srcs);
	json_decref(x->inv.sources);
	x->inv.sources = api_names(x->newmd, "sources");
	return (0);
}

static int
api_drop_apply(struct api_ctx *x)
{
	x->newmd = api_drop_inconsistent(x->md, x->prev->incons);
	return (0);
}

static int
api_drop_check(struct api_ctx *x)
{
	const json_t	*v;
	size_t		 i, n = 0;

	json_array_foreach(x->newc->incons, i, v)
		n += api_droppable(v);
	if (n == 0)
		return (0);
	api_respond_incons(x->r, 400, "unexpected",
	    "cannot continue due to new inconsistent metadata",
	    x->newc->incons);
	return (-1);
}

/* reload_remote_schema {"name"} (facts §3.7). */
static int
api_reload_rs_apply(struct api_ctx *x)
{
	const char	*n = util_jstr(x->rq->args, "name");
	json_t		*all;
	int		 found;

	if (n == NULL)
		return (api_parse_fail(x->r, "$.args", "key \"name\" not "
		    "found%s%s", "", ""));
	all = api_names(x->md, "remote_schemas");
	found = util_strarr_has(all, n);
	json_decref(all);
	if (!found) {
		reply_error(x->r, 400, "not-exists", "$.args", NULL,
		    "remote schema with name \"%s\" does not exist", n);
		return (-1);
	}
	json_array_append_new(x->inv.remote, json_string(n));
	x->newmd = json_incref(x->md);
	return (0);
}

static void
api_simple(struct api_ctx *x, api_apply_fn apply, api_apply_fn check)
{
	if (api_modify(x, apply, check) == 0)
		reply_json(x->r, 200, json_pack("{s:s}", "message", "success"));
}

/* ---- read-only commands ---- */

static void
api_export(struct api_ctx *x)
{
	struct dberr	 e;
	json_t		*md;
	long		 v;

	if (catalog_fetch_metadata(&md, &v, &e) == -1) {
		reply_dberr(x->r, &e);
		return;
	}
	if (x->rq->version == 2)
		reply_json(x->r, 200, json_pack("{s:I,s:o}", "resource_version",
		    (json_int_t)v, "metadata", md));
	else
		reply_json(x->r, 200, md);
}

static void
api_get_incons(struct api_ctx *x)
{
	struct cache	*c = instance_cache(x->in, NULL);

	x->r->status = 200;
	x->r->ctype = "application/json; charset=utf-8";
	x->r->body = xstrdup(c->incons_body);
	cache_unref(c);
}

static void
api_dump(struct api_ctx *x)
{
	struct cache	*c;
	long		 v;

	c = instance_cache(x->in, &v);
	reply_json(x->r, 200, cache_dump(c, v));
	cache_unref(c);
}

/* ---- envelope ---- */

/* Answer with the configured fault instead (issue text point 7). */
static int
api_fault(const struct fault *f, struct reply *r)
{
	const char	*code, *msg;

	if (f->status != 0) {
		fault_error_status(f->status, &code, &msg);
		reply_error(r, f->status, code, "$", NULL, "%s", msg);
	} else if (f->malformed)
		reply_text(r, 200, "{\"is_consistent\":true,\"inconsistent_obj");
	else if (f->body_mb > 0) {
		r->status = 200;
		r->ctype = "application/json; charset=utf-8";
		r->stream_bytes = (size_t)f->body_mb * 1024 * 1024;
		free(r->body);
		r->body = NULL;
	} else
		return (0);
	if (f->malformed && f->status == 0)
		r->ctype = "application/json; charset=utf-8";
	return (1);
}

/* Parse the envelope of facts §3.1; 0 or -1 with a reply. */
static int
api_envelope(struct api_req *rq, const char *body, size_t len,
    struct reply *r)
{
	json_error_t	 je;
	const json_t	*v;
	char		 snip[21];
	size_t		 i;

	rq->resource_version = -1;
	rq->body = json_loadb(body ? body : "", len, JSON_DECODE_ANY, &je);
	if (rq->body == NULL) {
		for (i = 0; i < len && i < sizeof snip - 1; i++)
			snip[i] = body[i] >= 0x20 && body[i] < 0x7f &&
			    body[i] != '\'' ? body[i] : '?';
		snip[i] = '\0';
		reply_error(r, 400, "invalid-json", "$", NULL, "Error in $: "
		    "Failed reading: not a valid json value at '%s'", snip);
		return (-1);
	}
	if (!json_is_object(rq->body))
		return (api_parse_fail(r, "$", "expected Object, but "
		    "encountered %s%s", api_jtype(rq->body), ""));
	if ((rq->type = util_jstr(rq->body, "type")) == NULL)
		return (api_parse_fail(r, "$", "key \"type\" not found%s%s",
		    "", ""));
	v = json_object_get(rq->body, "version");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 2))
		return (api_parse_fail(r, "$.version", "expected 1 or 2%s%s",
		    "", ""));
	rq->version = v != NULL ? (int)json_integer_value(v) : 0;
	v = json_object_get(rq->body, "resource_version");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return (api_parse_fail(r, "$.resource_version",
			    "expected Number, but encountered %s%s",
			    api_jtype(v), ""));
		rq->resource_version = (long)json_integer_value(v);
	}
	rq->args = json_object_get(rq->body, "args");
	return (0);
}

static void
api_dispatch(struct api_ctx *x)
{
	const char	*t = x->rq->type;

	if (strcmp(t, "reload_metadata") == 0)
		api_reload_metadata(x);
	else if (strcmp(t, "get_inconsistent_metadata") == 0)
		api_get_incons(x);
	else if (strcmp(t, "export_metadata") == 0)
		api_export(x);
	else if (strcmp(t, "replace_metadata") == 0)
		api_replace_metadata(x);
	else if (strcmp(t, "clear_metadata") == 0)
		api_simple(x, api_clear_apply, NULL);
	else if (strcmp(t, "drop_inconsistent_metadata") == 0)
		api_simple(x, api_drop_apply, api_drop_check);
	else if (strcmp(t, "reload_remote_schema") == 0)
		api_simple(x, api_reload_rs_apply, NULL);
	else if (strcmp(t, "dump_internal_state") == 0)
		api_dump(x);
	else
		reply_error(x->r, 400, "parse-failed", "$", NULL,
		    "unknown metadata command \"%s\"", t);
}

/*
 * Handle one POST /v1/metadata or /v1/query body.  admin is false for a
 * non-admin role (facts §3.9); f holds this instance's faults.
 */
void
api_metadata(struct instance *in, const char *body, size_t len, bool admin,
    const struct fault *f, struct reply *r)
{
	struct api_req	rq;
	struct api_ctx	x;

	memset(&rq, 0, sizeof rq);
	memset(&x, 0, sizeof x);
	api_envelope(&rq, body, len, r);
	if (rq.type != NULL)
		fault_count(in, rq.type, rq.args);
	if (api_fault(f, r) || r->body != NULL || r->stream_bytes > 0)
		goto out;
	if (!admin) {
		reply_error(r, 400, "access-denied", "$.args", NULL,
		    "restricted access : admin only");
		goto out;
	}
	if (rq.args == NULL) {
		api_parse_fail(r, "$", "key \"args\" not found%s%s", "", "");
		goto out;
	}
	x.in = in;
	x.rq = &rq;
	x.r = r;
	api_dispatch(&x);
	json_decref(x.result);
out:
	json_decref(rq.body);
}
