/*
 * tests/emu/cache.c: the schema cache of one instance, built from a metadata
 * document: sources, tables, relationships, permissions, inherited roles,
 * event triggers and remote schemas are checked, and every failure becomes
 * an inconsistent object shaped as in facts §5.1-§5.3 and as Hasura's own
 * tests record them (tests/emu/conformance/ replays those recordings).
 *
 * cache_build runs on the thread that rebuilds (HTTP handler or sync thread)
 * while holding the instance's update lock; the result is immutable and is
 * published atomically by instance_publish, then shared read-only by any
 * thread through cache_ref/cache_unref.  Source snapshots and remote-schema
 * results of the previous cache are reused unless invalidated (facts §1.2).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

struct build {
	const struct cache *prev;
	const struct inval *inv;
	struct cache	   *c;
	const char	   *src;	/* current source name */
	struct source_snap *snap;	/* current source snapshot */
	json_t		   *ok;		/* set of consistent tracked tables */
	json_t		   *roles;	/* inherited roles, parents first */
};

void
inval_init(struct inval *i)
{
	memset(i, 0, sizeof *i);
	i->remote = json_array();
	i->sources = json_array();
}

void
inval_free(struct inval *i)
{
	json_decref(i->remote);
	json_decref(i->sources);
	i->remote = i->sources = NULL;
}

/* Encode as CacheInvalidations (facts §1.2); new reference. */
json_t *
inval_json(const struct inval *i)
{
	return (json_pack("{s:b,s:O,s:O,s:[]}", "metadata", i->metadata,
	    "remote_schemas", i->remote, "sources", i->sources,
	    "data_connectors"));
}

/* Union a notification's invalidations into i (facts §2.5). */
void
inval_add_json(struct inval *i, const json_t *n)
{
	const json_t	*v;
	size_t		 k;

	if (json_is_true(json_object_get(n, "metadata")))
		i->metadata = true;
	json_array_foreach(json_object_get(n, "remote_schemas"), k, v)
		if (json_is_string(v) && !util_strarr_has(i->remote,
		    json_string_value(v)))
			json_array_append(i->remote, (json_t *)v);
	json_array_foreach(json_object_get(n, "sources"), k, v)
		if (json_is_string(v) && !util_strarr_has(i->sources,
		    json_string_value(v)))
			json_array_append(i->sources, (json_t *)v);
}

/* Render a Postgres table name: public is omitted (facts §5.2). */
char *
cache_render_table(const char *schema, const char *name)
{
	if (strcmp(schema, "public") == 0)
		return (xstrdup(name));
	return (xprintf("%s.%s", schema, name));
}

/* Read a table key (object {schema,name} or a bare name); 0 or -1. */
int
cache_table_key(const json_t *t, const char **schema, const char **name)
{
	if (json_is_string(t)) {
		*schema = "public";
		*name = json_string_value(t);
		return (0);
	}
	if ((*name = util_jstr(t, "name")) == NULL)
		return (-1);
	if ((*schema = util_jstr(t, "schema")) == NULL)
		*schema = "public";
	return (0);
}

static json_t *
cache_table_def(const char *schema, const char *name)
{
	return (json_pack("{s:s,s:s}", "schema", schema, "name", name));
}

/* Record an inconsistent object; takes def, reason and message. */
static void
build_incons(struct build *b, const char *type, char *name, json_t *def,
    char *reason, json_t *message)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "definition", def != NULL ? def : json_null());
	if (message != NULL)
		json_object_set_new(o, "message", message);
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "type", json_string(type));
	json_array_append_new(b->c->incons, o);
	free(name);
	free(reason);
}

static char *
build_okkey(const char *schema, const char *name)
{
	return (xprintf("%s\x01%s", schema, name));
}

static int
build_is_ok(struct build *b, const char *schema, const char *name)
{
	char	*k = build_okkey(schema, name);
	int	 r = json_object_get(b->ok, k) != NULL;

	free(k);
	return (r);
}

/* Read "column"/"columns"/a string/an array as a string array (new ref). */
static json_t *
build_cols(const json_t *v)
{
	const json_t	*c;

	if (json_is_string(v))
		return (json_pack("[O]", v));
	if (json_is_array(v))
		return (json_incref((json_t *)v));
	if ((c = json_object_get(v, "columns")) != NULL)
		return (build_cols(c));
	if ((c = json_object_get(v, "column")) != NULL)
		return (build_cols(c));
	return (json_array());
}

/* Check that every column of cols exists in st; reason or NULL. */
static char *
build_check_cols(const struct src_table *st, const json_t *cols,
    const char *prefix)
{
	const json_t	*c;
	size_t		 i;

	json_array_foreach(cols, i, c) {
		if (!json_is_string(c))
			return (xprintf("%sexpected a column name", prefix));
		if (!source_has_col(st, json_string_value(c)))
			return (xprintf("%scolumn \"%s\" does not exist",
			    prefix, json_string_value(c)));
	}
	return (NULL);
}

/* Find the FK of st on exactly cols; NULL if none. */
static const struct src_fk *
build_find_fk(const struct src_table *st, const json_t *cols)
{
	for (size_t i = 0; i < st->nfks; i++) {
		const struct src_fk *fk = &st->fks[i];
		size_t k;
		if (fk->ncols != json_array_size(cols))
			continue;
		for (k = 0; k < fk->ncols; k++)
			if (!util_strarr_has(cols, fk->cols[k]))
				break;
		if (k == fk->ncols)
			return (fk);
	}
	return (NULL);
}

/*
 * Resolve a remote (target) table of a relationship: it must exist in the
 * source (facts §5.3(a) wording) and its columns must exist.
 */
static char *
build_target(struct build *b, const char *pre, const json_t *tkey,
    const json_t *cols, const char **ts, const char **tn)
{
	const struct src_table	*rt;
	char			*r, *rn, *p2;

	if (cache_table_key(tkey, ts, tn) == -1)
		return (xprintf("%sexpected a table name", pre));
	if ((rt = source_table(b->snap, *ts, *tn)) == NULL) {
		rn = cache_render_table(*ts, *tn);
		r = xprintf("%stable \"%s\" does not exist in source: %s", pre,
		    rn, b->src);
		free(rn);
		return (r);
	}
	rn = cache_render_table(*ts, *tn);
	p2 = xprintf("%sin table \"%s\": ", pre, rn);
	free(rn);
	r = build_check_cols(rt, cols, p2);
	free(p2);
	return (r);
}

/* Object relationship on own columns: follow the FK constraint. */
static char *
build_objrel_fk(struct build *b, const struct src_table *st, const char *pre,
    const json_t *cols, const char **ts, const char **tn)
{
	const struct src_fk	*fk;
	char			*r;

	if ((r = build_check_cols(st, cols, pre)) != NULL)
		return (r);
	if ((fk = build_find_fk(st, cols)) == NULL)
		/* UNVERIFIED wording. */
		return (xprintf("%sno foreign constraint exists on the given "
		    "column(s)", pre));
	*ts = fk->rschema;
	*tn = fk->rname;
	(void)b;
	return (NULL);
}

/*
 * Check one relationship of table (schema, name); returns a reason without
 * the "Inconsistent object: " prefix, or NULL when consistent.
 */
static char *
build_rel_reason(struct build *b, const struct src_table *st,
    const json_t *rel, bool array)
{
	const json_t	*using, *fk, *man;
	json_t		*cols;
	const char	*ts = NULL, *tn = NULL, *rname;
	char		*pre, *r = NULL, *rt;

	rname = util_jstr(rel, "name");
	rt = cache_render_table(st->schema, st->name);
	pre = xprintf("in table \"%s\": in relationship \"%s\": ", rt, rname);
	free(rt);
	using = json_object_get(rel, "using");
	fk = json_object_get(using, "foreign_key_constraint_on");
	man = json_object_get(using, "manual_configuration");
	if (fk != NULL && (array || json_object_get(fk, "table") != NULL)) {
		cols = build_cols(fk);
		r = build_target(b, pre, json_object_get(fk, "table"), cols,
		    &ts, &tn);
		json_decref(cols);
	} else if (fk != NULL) {
		cols = build_cols(fk);
		r = build_objrel_fk(b, st, pre, cols, &ts, &tn);
		json_decref(cols);
	} else if (json_is_object(man)) {
		const json_t *map = json_object_get(man, "column_mapping");
		const char *k;
		json_t *v, *own = json_array(), *rem = json_array();
		json_object_foreach((json_t *)map, k, v) {
			json_array_append_new(own, json_string(k));
			json_array_append(rem, v);
		}
		if ((r = build_check_cols(st, own, pre)) == NULL)
			r = build_target(b, pre, json_object_get(man,
			    "remote_table"), rem, &ts, &tn);
		json_decref(own);
		json_decref(rem);
	} else
		r = xprintf("%sexpected foreign_key_constraint_on or "
		    "manual_configuration", pre);
	free(pre);
	/* Dependency on the target table (facts §3.6 fixture wording). */
	if (r == NULL && !build_is_ok(b, ts, tn)) {
		rt = cache_render_table(ts, tn);
		r = xprintf("table \"%s\" is not tracked", rt);
		free(rt);
	}
	return (r);
}

/*
 * The "using" of a relationship as Hasura shows it in a definition: its
 * parsed form serialised again, so a table given by name is shown as
 * {schema, name} (tests-py queries/inconsistent_objects: the relationship
 * is created with table: article, expectation.yaml, commit 5578599d, shows
 * {schema: public, name: article}).  New reference (NULL for NULL).
 */
static json_t *
build_using_def(const json_t *using)
{
	json_t		*u = json_deep_copy(using), *fk, *man;
	const char	*s, *n;

	fk = json_object_get(u, "foreign_key_constraint_on");
	if (json_is_object(fk) && cache_table_key(json_object_get(fk, "table"),
	    &s, &n) == 0)
		json_object_set_new(fk, "table", cache_table_def(s, n));
	man = json_object_get(u, "manual_configuration");
	if (json_is_object(man) && cache_table_key(json_object_get(man,
	    "remote_table"), &s, &n) == 0)
		json_object_set_new(man, "remote_table", cache_table_def(s, n));
	return (u);
}

static char *
build_obj_name(const char *what, const char *oname, const char *rt,
    const char *src)
{
	return (xprintf("%s %s in table %s in source %s", what, oname, rt,
	    src));
}

/* Check the relationships of one tracked table entry. */
static void
build_rels(struct build *b, const json_t *te, const char *schema,
    const char *name, const struct src_table *st)
{
	static const char *kinds[] = { "object_relationships",
	    "array_relationships" };
	static const char *types[] = { "object_relation", "array_relation" };
	const json_t	*rel;
	size_t		 i;
	char		*rt = cache_render_table(schema, name), *reason;

	for (int k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(te, kinds[k]), i, rel) {
			const char *rn = util_jstr(rel, "name");
			if (rn == NULL)
				continue;
			reason = build_rel_reason(b, st, rel, k == 1);
			if (reason == NULL)
				continue;
			build_incons(b, types[k], build_obj_name(types[k], rn,
			    rt, b->src), json_pack("{s:O?,s:s,s:s,s:o,s:o?}",
			    "comment", json_object_get(rel, "comment"), "name",
			    rn, "source", b->src, "table", cache_table_def(schema,
			    name), "using", build_using_def(json_object_get(rel,
			    "using"))),
			    xprintf("Inconsistent object: %s", reason), NULL);
			free(reason);
		}
	}
	free(rt);
}

/* Check permission columns; UNVERIFIED reason wording. */
static char *
build_perm_reason(const struct src_table *st, const json_t *p, const char *rt)
{
	const json_t	*cols;
	char		*pre, *r;

	cols = json_object_get(json_object_get(p, "permission"), "columns");
	if (cols == NULL || json_is_string(cols))
		return (NULL);	/* absent or "*" */
	pre = xprintf("in table \"%s\": in permission for role \"%s\": ", rt,
	    util_jstr(p, "role"));
	r = build_check_cols(st, cols, pre);
	free(pre);
	return (r);
}

static void
build_perms(struct build *b, const json_t *te, const char *schema,
    const char *name, const struct src_table *st)
{
	static const char *kinds[] = { "insert", "select", "update", "delete" };
	const json_t	*p;
	size_t		 i;
	char		 key[32], type[32], *reason;
	char		*rt = cache_render_table(schema, name);

	for (int k = 0; k < 4; k++) {
		snprintf(key, sizeof key, "%s_permissions", kinds[k]);
		snprintf(type, sizeof type, "%s_permission", kinds[k]);
		json_array_foreach(json_object_get(te, key), i, p) {
			const char *role = util_jstr(p, "role");
			if (role == NULL)
				continue;
			reason = build_perm_reason(st, p, rt);
			if (reason == NULL)
				continue;
			build_incons(b, type, build_obj_name(type, role, rt,
			    b->src), json_pack("{s:O?,s:O?,s:s,s:s,s:o}",
			    "comment", json_object_get(p, "comment"),
			    "permission", json_object_get(p, "permission"),
			    "role", role, "source", b->src, "table",
			    cache_table_def(schema, name)),
			    xprintf("Inconsistent object: %s", reason), NULL);
			free(reason);
		}
	}
	free(rt);
}

/* Event triggers: the webhook's environment variable must be set. */
static void
build_triggers(struct build *b, const json_t *te, const char *schema,
    const char *name)
{
	const json_t	*et;
	const char	*var;
	size_t		 i;
	char		*rt = cache_render_table(schema, name), *reason;

	json_array_foreach(json_object_get(te, "event_triggers"), i, et) {
		const char *en = util_jstr(et, "name");
		if (en == NULL)
			continue;
		reason = NULL;
		if ((var = util_jstr(et, "webhook_from_env")) != NULL &&
		    getenv(var) == NULL)
			reason = xprintf("environment variable '%s' not set",
			    var);
		if (reason == NULL)
			continue;
		build_incons(b, "event_trigger", build_obj_name("event_trigger",
		    en, rt, b->src), json_pack("{s:O,s:s,s:o}", "configuration",
		    et, "source", b->src, "table", cache_table_def(schema, name)),
		    xprintf("Inconsistent object: %s", reason), NULL);
		free(reason);
	}
	free(rt);
}

/* Pass 1 over a source's tables: do they exist in the source database? */
static void
build_tables(struct build *b, const json_t *tables)
{
	const json_t	*te;
	const char	*schema, *name;
	const struct src_table *st;
	size_t		 i;
	char		*rt;

	json_array_foreach(tables, i, te) {
		if (cache_table_key(json_object_get(te, "table"), &schema,
		    &name) == -1)
			continue;
		if ((st = source_table(b->snap, schema, name)) != NULL) {
			struct cache *c = b->c;
			char *k = build_okkey(schema, name);
			json_object_set_new(b->ok, k, json_true());
			free(k);
			c->tables = xrealloc(c->tables, (c->ntables + 1) *
			    sizeof *c->tables);
			c->tables[c->ntables].source = xstrdup(b->src);
			c->tables[c->ntables].schema = xstrdup(schema);
			c->tables[c->ntables].name = xstrdup(name);
			c->tables[c->ntables++].st = st;
			continue;
		}
		rt = cache_render_table(schema, name);
		build_incons(b, "table", xprintf("table %s in source %s", rt,
		    b->src), cache_table_def(schema, name), xprintf(
		    "Inconsistent object: no such table/view exists in source: "
		    "\"%s\"", rt), NULL);
		free(rt);
	}
}

/* ---- inherited roles ---- */

/*
 * Order the metadata's inherited_roles so that every inherited role comes
 * after the inherited roles it inherits from (Hasura's orderRoles in
 * Hasura/RQL/DDL/Schema/Cache/Permission.hs).  Returns an array of
 * [role_name, role_set]; roles on a cycle are left out: Hasura refuses the
 * whole metadata with 400 cyclic-dependency "found cycle(s) in roles", which
 * the emulator does not emulate (they just inherit nothing here).
 */
static json_t *
build_role_order(const json_t *md)
{
	const json_t	*all = json_object_get(md, "inherited_roles"), *r, *p;
	json_t		*out = json_array(), *placed = json_object(), *inh;
	size_t		 i, k, before;

	inh = json_object();
	json_array_foreach(all, i, r)
		if (util_jstr(r, "role_name") != NULL &&
		    json_is_array(json_object_get(r, "role_set")))
			json_object_set(inh, util_jstr(r, "role_name"),
			    json_object_get(r, "role_set"));
	do {
		before = json_array_size(out);
		json_array_foreach(all, i, r) {
			const char *n = util_jstr(r, "role_name");
			bool ready = true;
			if (n == NULL || json_object_get(inh, n) == NULL ||
			    json_object_get(placed, n) != NULL)
				continue;
			json_array_foreach(json_object_get(inh, n), k, p)
				if (json_is_string(p) && json_object_get(inh,
				    json_string_value(p)) != NULL &&
				    json_object_get(placed,
				    json_string_value(p)) == NULL)
					ready = false;
			if (!ready)
				continue;
			json_object_set_new(placed, n, json_true());
			json_array_append_new(out, json_pack("[sO]", n,
			    json_object_get(inh, n)));
		}
	} while (json_array_size(out) > before);
	json_decref(inh);
	json_decref(placed);
	return (out);
}

/* Sorted, duplicate-free copy of a string array (new reference). */
static json_t *
build_sorted_set(const json_t *a)
{
	json_t	*out = json_array(), *v;
	size_t	 i, k;

	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || util_strarr_has(out,
		    json_string_value(v)))
			continue;
		for (k = 0; k < json_array_size(out); k++)
			if (strcmp(json_string_value(json_array_get(out, k)),
			    json_string_value(v)) > 0)
				break;
		json_array_insert(out, k, v);
	}
	return (out);
}

/*
 * What Hasura compares when it combines the mutation permissions of parent
 * roles (OnlyRelevantEq of InsPermInfo/UpdPermInfo/DelPermInfo in
 * Hasura/RQL/Types/Roles/Internal.hs): columns as a set ("*" = all the
 * table's columns), check/filter, set (presets), backend_only, headers
 * implied by the expressions, validate_input.  Here: the permission object
 * with those defaults filled in, serialised with sorted keys.  Boolean
 * expressions are compared as JSON (Hasura compares _and/_or lists as sets;
 * UNVERIFIED corner).  Returns a new string.
 */
static char *
build_perm_canon(const struct src_table *st, const json_t *p)
{
	json_t	*c, *cols;
	char	*out;

	c = json_deep_copy(json_object_get(p, "permission"));
	if (!json_is_object(c)) {
		json_decref(c);
		c = json_object();
	}
	cols = json_object_get(c, "columns");
	if (json_is_string(cols) && strcmp(json_string_value(cols), "*") == 0) {
		json_t *all = json_array();
		for (size_t i = 0; i < st->ncols; i++)
			json_array_append_new(all, json_string(st->cols[i]));
		json_object_set_new(c, "columns", build_sorted_set(all));
		json_decref(all);
	} else if (json_is_array(cols))
		json_object_set_new(c, "columns", build_sorted_set(cols));
	if (json_object_get(c, "set") == NULL)
		json_object_set_new(c, "set", json_object());
	if (json_object_get(c, "backend_only") == NULL)
		json_object_set_new(c, "backend_only", json_false());
	json_object_del(c, "comment");
	out = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	return (out != NULL ? out : xstrdup("null"));
}

/*
 * Inherited mutation permissions of one consistent table (Hasura's
 * buildTablePermissions / resolveCheckTablePermission in
 * Hasura/RQL/DDL/Schema/Cache/Permission.hs, CheckPermission's Semigroup in
 * Hasura/RQL/Types/Roles/Internal.hs).  For insert, update and delete, an
 * inherited role without a permission of its own combines its parents'
 * (explicit or already inherited) permissions: parents without one do not
 * count, equal ones give that permission, different ones give an
 * inconsistency and no permission (so the role's own children see none).
 * Select permissions are combined with OR and never conflict on Postgres.
 *
 * The inconsistency has no definition (ConflictingInheritedPermission in
 * Hasura/RQL/Types/Metadata/Object.hs: reason, name = the role, type,
 * entity {table, source, permission_type}); the table is rendered as in
 * names (public omitted).  Recorded shape: tests-py test_metadata.py
 * test_replace_metadata_disallow_inconsistent_metadata (commit ce437a64) and
 * queries/graphql_mutation/roles_inheritance/resolve_inconsistent_permission.yaml
 * (commit b3f96606).
 */
static void
build_inherited(struct build *b, const json_t *te, const char *schema,
    const char *name, const struct src_table *st)
{
	static const char *kinds[] = { "insert", "update", "delete" };
	const json_t	*p, *r, *par;
	json_t		*have;
	size_t		 i, k;
	char		 key[32], *rt, *canon;

	if (json_array_size(b->roles) == 0)
		return;
	rt = cache_render_table(schema, name);
	for (int t = 0; t < 3; t++) {
		snprintf(key, sizeof key, "%s_permissions", kinds[t]);
		have = json_object();	/* role -> canonical permission */
		json_array_foreach(json_object_get(te, key), i, p) {
			char *bad;
			if (util_jstr(p, "role") == NULL)
				continue;
			if ((bad = build_perm_reason(st, p, rt)) != NULL) {
				free(bad);	/* inconsistent: no permission */
				continue;
			}
			canon = build_perm_canon(st, p);
			json_object_set_new(have, util_jstr(p, "role"),
			    json_string(canon));
			free(canon);
		}
		json_array_foreach(b->roles, i, r) {
			const char *role = json_string_value(json_array_get(r,
			    0)), *got = NULL;
			bool conflict = false;
			if (json_object_get(have, role) != NULL)
				continue;	/* its own permission wins */
			json_array_foreach(json_array_get(r, 1), k, par) {
				const char *v = json_string_value(
				    json_object_get(have, json_string_value(par)));
				if (v == NULL)
					continue;
				if (got == NULL)
					got = v;
				else if (strcmp(got, v) != 0)
					conflict = true;
			}
			if (conflict) {
				char *why = xprintf("Could not inherit permission "
				    "for the role '%s' for the entity: '%s "
				    "permission, table: %s, source: '%s''", role,
				    kinds[t], rt, b->src);
				json_array_append_new(b->c->incons, json_pack(
				    "{s:{s:s,s:s,s:s},s:s,s:s,s:s}", "entity",
				    "permission_type", kinds[t], "source", b->src,
				    "table", rt, "name", role, "reason", why,
				    "type", "inherited role permission "
				    "inconsistency"));
				free(why);
			} else if (got != NULL)
				json_object_set_new(have, role,
				    json_string(got));
		}
		json_decref(have);
	}
	free(rt);
}

/*
 * Pass 2: objects inside each table entry.  Only tables found in the source
 * have them built: relationships, permissions, event triggers and computed
 * fields declared on a missing table are not reported, the missing table is
 * (Hasura builds table objects from its table cache only).  Recorded by
 * tests-py queries/inconsistent_objects/expectation.yaml (commit 5578599d:
 * DROP TABLE article lists table article and array_relation articles in
 * table author, not object_relation author in table article) and
 * queries/v1/metadata/replace_metadata_allow_inconsistent_inconsistent.yaml
 * (commit d75b5eec: missing table foobar, its array relationship and
 * computed field unreported).  A relationship on an existing table whose
 * target is not a consistent tracked table is still reported, see
 * build_rel_reason.
 */
static void
build_table_objects(struct build *b, const json_t *tables)
{
	const json_t	*te;
	const char	*schema, *name;
	size_t		 i;

	json_array_foreach(tables, i, te) {
		const struct src_table *st;
		if (cache_table_key(json_object_get(te, "table"), &schema,
		    &name) == -1)
			continue;
		if ((st = source_table(b->snap, schema, name)) == NULL)
			continue;
		build_rels(b, te, schema, name, st);
		build_perms(b, te, schema, name, st);
		build_inherited(b, te, schema, name, st);
		build_triggers(b, te, schema, name);
	}
}

static bool
build_invalidated(const json_t *names, bool all, const char *name)
{
	return (all || util_strarr_has(names, name));
}

/* Reuse the previous snapshot of a source unless invalidated or changed. */
static struct source_snap *
build_snapshot(struct build *b, const char *name, const json_t *src)
{
	const json_t	*cfg = json_object_get(src, "configuration");
	char		*key;

	if (b->prev != NULL && !build_invalidated(b->inv->sources,
	    b->inv->all_sources, name)) {
		key = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
		for (size_t i = 0; i < b->prev->nsrcs; i++) {
			struct source_snap *s = b->prev->srcs[i];
			if (strcmp(s->name, name) == 0 && key != NULL &&
			    strcmp(s->defkey, key) == 0) {
				free(key);
				return (source_ref(s));
			}
		}
		free(key);
	}
	return (source_fetch(name, cfg, util_jstr(src, "kind")));
}

static void
build_sources(struct build *b, const json_t *md)
{
	const json_t	*src;
	const char	*name;
	size_t		 i;
	struct cache	*c = b->c;

	json_array_foreach(json_object_get(md, "sources"), i, src) {
		if ((name = util_jstr(src, "name")) == NULL)
			continue;
		b->src = name;
		b->snap = build_snapshot(b, name, src);
		c->srcs = xrealloc(c->srcs, (c->nsrcs + 1) * sizeof *c->srcs);
		c->srcs[c->nsrcs++] = b->snap;
		if (!b->snap->ok) {
			/*
			 * The definition is the source name as a JSON string:
			 * MetadataObject (MOSource sourceName) (toJSON
			 * sourceName) in tryGetSourceConfig/tryResolveSource,
			 * Hasura/RQL/DDL/Schema/Cache.hs (commit 75f5f4f4 and
			 * every earlier v2 version seen); reason and message:
			 * source.c, source_failed.  Its tables are not built.
			 */
			build_incons(b, "source", xprintf("source %s", name),
			    json_string(name), xstrdup(b->snap->reason),
			    b->snap->message ? json_string(b->snap->message) :
			    NULL);
			continue;
		}
		build_tables(b, json_object_get(src, "tables"));
		build_table_objects(b, json_object_get(src, "tables"));
	}
}

/* The definition Hasura shows for a remote schema (facts §5.3(c)). */
static json_t *
build_rs_def(const json_t *rs)
{
	json_t	*d = json_deep_copy(rs);

	if (json_object_get(d, "comment") == NULL)
		json_object_set_new(d, "comment", json_null());
	if (json_object_get(d, "permissions") == NULL)
		json_object_set_new(d, "permissions", json_array());
	if (json_object_get(d, "remote_relationships") == NULL)
		json_object_set_new(d, "remote_relationships", json_array());
	return (d);
}

/* Remote schemas: reuse the previous result unless invalidated (issue 3). */
static void
build_remotes(struct build *b, const json_t *md)
{
	const json_t	 *rs;
	const char	 *name;
	struct rs_result *r;
	struct cache	 *c = b->c;
	size_t		  i;
	char		 *key;

	json_array_foreach(json_object_get(md, "remote_schemas"), i, rs) {
		if ((name = util_jstr(rs, "name")) == NULL)
			continue;
		r = NULL;
		key = json_dumps(json_object_get(rs, "definition"),
		    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (b->prev != NULL && key != NULL && !build_invalidated(
		    b->inv->remote, b->inv->all_remote, name)) {
			for (size_t k = 0; k < b->prev->nrss && r == NULL; k++)
				if (strcmp(b->prev->rss[k]->name, name) == 0 &&
				    strcmp(b->prev->rss[k]->defkey, key) == 0)
					r = remote_ref(b->prev->rss[k]);
		}
		free(key);
		if (r == NULL)
			r = remote_introspect(rs);
		c->rss = xrealloc(c->rss, (c->nrss + 1) * sizeof *c->rss);
		c->rss[c->nrss++] = r;
		if (!r->ok)
			build_incons(b, "remote_schema", xprintf(
			    "remote_schema %s", name), build_rs_def(rs),
			    xstrdup(r->reason), r->message ?
			    json_incref(r->message) : NULL);
	}
}

/* Serialise the get_inconsistent_metadata answer once (facts §3.3). */
static void
build_body(struct cache *c)
{
	json_t	*o;

	o = json_pack("{s:b,s:O}", "is_consistent",
	    json_array_size(c->incons) == 0, "inconsistent_objects", c->incons);
	c->incons_body = util_dumps(o);
	json_decref(o);
}

/*
 * Build a cache from metadata md (a reference is taken), reusing prev's
 * source snapshots and remote-schema results that inv does not invalidate.
 * prev may be NULL (everything is fetched).  Returns a cache with refs 1.
 */
struct cache *
cache_build(json_t *md, const struct cache *prev, const struct inval *inv)
{
	struct build	 b;
	struct cache	*c;

	c = xcalloc(1, sizeof *c);
	atomic_init(&c->refs, 1);
	c->metadata = json_incref(md);
	c->incons = json_array();
	memset(&b, 0, sizeof b);
	b.prev = prev;
	b.inv = inv;
	b.c = c;
	b.ok = json_object();
	b.roles = build_role_order(md);
	build_sources(&b, md);
	build_remotes(&b, md);
	json_decref(b.ok);
	json_decref(b.roles);
	build_body(c);
	return (c);
}

struct cache *
cache_ref(struct cache *c)
{
	atomic_fetch_add(&c->refs, 1);
	return (c);
}

/* Drop a reference; the last frees.  NULL is a no-op. */
void
cache_unref(struct cache *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->ntables; i++) {
		free(c->tables[i].source);
		free(c->tables[i].schema);
		free(c->tables[i].name);
	}
	free(c->tables);
	for (size_t i = 0; i < c->nsrcs; i++)
		source_unref(c->srcs[i]);
	free(c->srcs);
	for (size_t i = 0; i < c->nrss; i++)
		remote_unref(c->rss[i]);
	free(c->rss);
	json_decref(c->metadata);
	json_decref(c->incons);
	free(c->incons_body);
	free(c);
}

/*
 * Serialise this cache for dump_internal_state (facts §3.7): the in-memory
 * metadata_resource_version, inconsistent_objs, and per-source tables with
 * their columns so that the answer is realistically large.
 */
json_t *
cache_dump(const struct cache *c, long ver)
{
	json_t	*srcs = json_object(), *rss = json_object(), *t, *cols;

	for (size_t i = 0; i < c->ntables; i++) {
		const struct cache_table *ct = &c->tables[i];
		json_t *s = json_object_get(srcs, ct->source);
		char *rt = cache_render_table(ct->schema, ct->name);
		if (s == NULL) {
			s = json_pack("{s:{}}", "tables");
			json_object_set_new(srcs, ct->source, s);
		}
		cols = json_array();
		for (size_t k = 0; k < ct->st->ncols; k++)
			json_array_append_new(cols, json_pack("{s:s,s:s}",
			    "column", ct->st->cols[k], "type", "text"));
		t = json_pack("{s:o,s:o,s:i}", "name", cache_table_def(
		    ct->schema, ct->name), "columns", cols, "foreign_keys",
		    (int)ct->st->nfks);
		json_object_set_new(json_object_get(s, "tables"), rt, t);
		free(rt);
	}
	for (size_t i = 0; i < c->nrss; i++)
		json_object_set_new(rss, c->rss[i]->name, c->rss[i]->ok ?
		    json_pack("{s:O}", "introspection", c->rss[i]->schema) :
		    json_pack("{s:s}", "error", c->rss[i]->reason));
	return (json_pack("{s:I,s:O,s:o,s:o}", "metadata_resource_version",
	    (json_int_t)ver, "inconsistent_objs", c->incons, "sources", srcs,
	    "remote_schemas", rss));
}
