/*
 * hasura.c: request bodies for, and parsers of, Hasura's metadata API
 * answers (facts §3–§5). Every parser treats its input as hostile: any
 * bytes, any JSON shape. Pure functions; any thread (worker in practice).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
#include "hasync/xmalloc.h"

/* Parse untrusted bytes as JSON; NULL with e set on failure. */
static json_t *
hasura_load(const char *buf, size_t len, const char *what, struct err *e)
{
	json_error_t	 je;
	json_t		*j;

	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (j == NULL)
		err_set(e, ERR_PROTO, "malformed JSON in %s answer (%s at "
		    "byte %d)", what, je.text, je.position);
	return (j);
}

static char *
hasura_str_or_empty(json_t *j)
{
	const char	*s = json_string_value(j);

	return (xstrdup(s != NULL ? s : ""));
}

static char *
hasura_dump(json_t *j, size_t flags)
{
	char	*s;

	if (j == NULL)
		return (NULL);
	s = json_dumps(j, flags | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	return (s != NULL ? s : xstrdup("null"));
}

/* What describes an object: its definition, or what stands for one. */
static json_t *
hasura_describing(json_t *j)
{
	static const char *const keys[] = {
		"definition", "definitions", "objects",
		"entity",	/* an inherited-role conflict (§5.1) */
	};
	json_t	*v;
	size_t	 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = json_object_get(j, keys[i])) != NULL)
			return (v);
	}
	return (NULL);
}

/*
 * The root cause in a few words, for a column: a remote schema's message
 * says "Connection failure: ... (Connection refused)" where its reason only
 * says an HTTP exception occurred; otherwise the reason, without the
 * "Inconsistent object: " every v2 reason starts with (§5.1).
 */
static char *
hasura_cause(json_t *j, const char *reason)
{
	static const char prefix[] = "Inconsistent object: ";
	json_t		*msg = json_object_get(j, "message");
	const char	*m = json_string_value(json_object_get(msg, "message"));

	if (m == NULL)
		m = json_string_value(msg);
	if (m != NULL && *m != '\0')
		return (xstrdup(m));
	if (strncmp(reason, prefix, sizeof(prefix) - 1) == 0)
		reason += sizeof(prefix) - 1;
	return (xstrdup(reason));
}

struct object *
hasura_object_new(json_t *j)
{
	struct object	*o = xcalloc(1, sizeof(*o));

	o->refs = 1;
	o->type = hasura_str_or_empty(json_object_get(j, "type"));
	o->name = hasura_str_or_empty(json_object_get(j, "name"));
	o->reason = hasura_str_or_empty(json_object_get(j, "reason"));
	if (o->type[0] == '\0' && json_object_get(j, "objects") != NULL) {
		free(o->type);
		o->type = xstrdup("conflicting_objects");	/* facts §5.1 */
	}
	o->cause = hasura_cause(j, o->reason);
	o->raw = hasura_dump(j, JSON_COMPACT);
	/*
	 * v2 objects are named; v1 ones (and conflicts) are not (facts §5.1).
	 * Inherited-role conflicts are named by the role only: one per entity.
	 */
	if (o->name[0] != '\0' && json_object_get(j, "entity") != NULL) {
		char	*ent = hasura_dump(json_object_get(j, "entity"),
			    JSON_COMPACT | JSON_SORT_KEYS);

		xasprintf(&o->key, "%s\t%s\t%s", o->type, o->name, ent);
		free(ent);
	} else if (o->name[0] != '\0')
		xasprintf(&o->key, "%s\t%s", o->type, o->name);
	else
		xasprintf(&o->key, "%s\t%s\t%s", o->type, o->reason, o->raw);
	return (o);
}

static int
hasura_cmp_object(const void *a, const void *b)
{
	const struct object	*x = *(struct object * const *)a;
	const struct object	*y = *(struct object * const *)b;

	return (strcmp(x->key, y->key));
}

struct objset *
hasura_objset_make(struct object **v, size_t n)
{
	struct objset	 *s;
	struct object	**u;
	size_t		  i, j;
	uint64_t	  h = 1469598103934665603ULL;	/* FNV-1a */
	const char	 *p;

	/* v stays as received; u is the keyed view for comparisons. */
	u = xcalloc(n + 1, sizeof(*u));
	memcpy(u, v, n * sizeof(*u));
	if (n > 1)
		qsort(u, n, sizeof(*u), hasura_cmp_object);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(u[j - 1]->key, u[i]->key) == 0)
			continue;
		u[j++] = u[i];
	}
	for (i = 0; i < j; i++) {
		for (p = u[i]->key; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	s = objset_new(v, n, u, j);
	s->hash = h;
	return (s);
}

int
hasura_parse_inconsistency(const char *buf, size_t len, bool reload,
    struct inconsistency *out, struct err *e)
{
	const char	*what = reload ? "reload_metadata" :
			    "get_inconsistent_metadata";
	json_t		*j, *ic, *arr, *v;
	struct object	**objs;
	size_t		 i, n = 0;

	memset(out, 0, sizeof(*out));
	if ((j = hasura_load(buf, len, what, e)) == NULL)
		return (-1);
	if (!json_is_object(j)) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "%s answer is not a JSON "
		    "object", what));
	}
	ic = json_object_get(j, "is_consistent");
	arr = json_object_get(j, "inconsistent_objects");
	if (ic != NULL && !json_is_boolean(ic)) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "%s answer: is_consistent is "
		    "not a boolean", what));
	}
	if (arr != NULL && !json_is_array(arr)) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "%s answer: inconsistent_objects "
		    "is not an array", what));
	}
	if (ic == NULL && (!reload || json_object_get(j, "message") == NULL)) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "%s answer has no is_consistent",
		    what));
	}
	out->has_is_consistent = ic != NULL;
	out->is_consistent = ic != NULL && json_is_true(ic);
	objs = xcalloc(json_array_size(arr) + 1, sizeof(*objs));
	json_array_foreach(arr, i, v) {
		if (json_is_object(v))
			objs[n++] = hasura_object_new(v);
	}
	out->objects = hasura_objset_make(objs, n);
	/* Trust the objects over the flag if the two disagree. */
	if (out->has_is_consistent && out->objects->n > 0)
		out->is_consistent = false;
	json_decref(j);
	return (0);
}

int
hasura_parse_version(const char *buf, size_t len, char *out, size_t outsz,
    struct err *e)
{
	json_t		*j;
	const char	*v;

	if ((j = hasura_load(buf, len, "/v1/version", e)) == NULL)
		return (-1);
	v = json_string_value(json_object_get(j, "version"));
	if (v == NULL || *v == '\0') {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "/v1/version answer has no "
		    "version"));
	}
	snprintf(out, outsz, "%s", v);
	json_decref(j);
	return (0);
}

int
hasura_parse_dump_version(const char *buf, size_t len, int64_t *out,
    struct err *e)
{
	json_t	*j, *v;

	if ((j = hasura_load(buf, len, "dump_internal_state", e)) == NULL)
		return (-1);
	v = json_object_get(j, "metadata_resource_version");
	if (!json_is_integer(v)) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "dump_internal_state answer has "
		    "no metadata_resource_version"));
	}
	*out = json_integer_value(v);
	json_decref(j);
	return (0);
}

/* Length of a JSON array member, 0 if absent or not an array. */
static int
hasura_count(json_t *o, const char *key)
{
	return ((int)json_array_size(json_object_get(o, key)));
}

void
hasura_summarise(json_t *md, struct meta_summary *m)
{
	json_t	*src, *tbl;
	size_t	 i, k;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(md))
		return;
	m->known = true;
	m->sources = hasura_count(md, "sources");
	m->remote_schemas = hasura_count(md, "remote_schemas");
	m->actions = hasura_count(md, "actions");
	m->cron_triggers = hasura_count(md, "cron_triggers");
	json_array_foreach(json_object_get(md, "sources"), i, src) {
		m->tables += hasura_count(src, "tables");
		json_array_foreach(json_object_get(src, "tables"), k, tbl)
			m->event_triggers += hasura_count(tbl, "event_triggers");
	}
}

int
hasura_parse_export(const char *buf, size_t len, int64_t *rv,
    struct meta_summary *m, struct err *e)
{
	json_t	*j, *v;

	if ((j = hasura_load(buf, len, "export_metadata", e)) == NULL)
		return (-1);
	v = json_object_get(j, "resource_version");
	if (!json_is_integer(v) || !json_is_object(json_object_get(j,
	    "metadata"))) {
		json_decref(j);
		return (err_set(e, ERR_PROTO, "export_metadata answer lacks "
		    "resource_version or metadata"));
	}
	*rv = json_integer_value(v);
	hasura_summarise(json_object_get(j, "metadata"), m);
	json_decref(j);
	return (0);
}

json_t *
hasura_objects_json(const struct objset *set, size_t max)
{
	json_t	*arr = json_array(), *o;
	size_t	 i;

	for (i = 0; i < set->n && (max == 0 || i < max); i++) {
		/* raw was valid JSON when received; keep it as text if not. */
		o = json_loads(set->v[i]->raw, JSON_DECODE_ANY, NULL);
		json_array_append_new(arr, o != NULL ? o :
		    json_string(set->v[i]->raw));
	}
	return (arr);
}

void
hasura_error_line(const char *buf, size_t len, char *out, size_t outsz)
{
	json_t		*j;
	const char	*code, *msg;
	size_t		 i;

	j = json_loadb(buf, len, 0, NULL);
	code = json_string_value(json_object_get(j, "code"));
	msg = json_string_value(json_object_get(j, "error"));
	if (msg != NULL)
		snprintf(out, outsz, "%s%s%s", code != NULL ? code : "",
		    code != NULL ? ": " : "", msg);
	else
		snprintf(out, outsz, "%.*s", (int)(len < 120 ? len : 120),
		    buf != NULL ? buf : "");
	json_decref(j);
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
	}
}

/* Append name to arr unless it is there already. */
static void
hasura_add_name(json_t *arr, const char *name, size_t len)
{
	json_t	*v;
	size_t	 i;

	if (len == 0)
		return;
	json_array_foreach(arr, i, v) {
		if (strlen(json_string_value(v)) == len &&
		    strncmp(json_string_value(v), name, len) == 0)
			return;
	}
	json_array_append_new(arr, json_stringn(name, len));
}

json_t *
hasura_reload_args(const struct objset *set, enum reload_scope scope)
{
	json_t		*args = json_object(), *rs, *src;
	const char	*n, *p;
	size_t		 i;

	if (scope == RELOAD_FULL)
		return (args);	/* {}: the server's own defaults */
	rs = json_array();
	src = json_array();
	for (i = 0; set != NULL && i < set->n; i++) {
		n = set->v[i]->name;
		/* Name formats of facts §5.2. */
		if (strcmp(set->v[i]->type, "remote_schema") == 0 &&
		    strncmp(n, "remote_schema ", 14) == 0)
			hasura_add_name(rs, n + 14, strlen(n + 14));
		else if ((p = strstr(n, " in remote schema ")) != NULL)
			hasura_add_name(rs, p + 18, strlen(p + 18));
		if (strcmp(set->v[i]->type, "source") == 0 &&
		    strncmp(n, "source ", 7) == 0)
			hasura_add_name(src, n + 7, strlen(n + 7));
		else if ((p = strstr(n, " in source ")) != NULL) {
			const char *q;

			while ((q = strstr(p + 1, " in source ")) != NULL)
				p = q;
			hasura_add_name(src, p + 11, strlen(p + 11));
		}
	}
	json_object_set_new(args, "reload_remote_schemas", rs);
	if (scope == RELOAD_AUTO) {
		/* Every source: only a source reload sees what changed in
		 * the database behind Hasura's back. */
		json_decref(src);
		src = json_true();
	}
	json_object_set_new(args, "reload_sources", src);
	json_object_set_new(args, "recreate_event_triggers", json_false());
	return (args);
}

char *
hasura_request(const char *type, json_t *args)
{
	json_t	*req = json_object();
	char	*s;

	json_object_set_new(req, "type", json_string(type));
	json_object_set_new(req, "args", args != NULL ? args : json_object());
	s = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(req);
	if (s == NULL)
		fatal("cannot encode a %s request", type);
	return (s);
}

/* Parse an object's raw text again and dump the member get() picks. */
static char *
hasura_object_part(const struct object *o, json_t *(*get)(json_t *))
{
	json_t	*j, *v;
	char	*out;

	if ((j = json_loads(o->raw, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    NULL)) == NULL)
		return (NULL);
	v = get(j);
	out = v != NULL ? hasura_dump(v, JSON_INDENT(2)) : NULL;
	json_decref(j);
	return (out);
}

static json_t *
hasura_message(json_t *j)
{
	return (json_object_get(j, "message"));
}

char *
object_definition_text(const struct object *o)
{
	char	*s = hasura_object_part(o, hasura_describing);

	return (s != NULL ? s : xstrdup("null"));
}

char *
object_message_text(const struct object *o)
{
	return (hasura_object_part(o, hasura_message));
}
