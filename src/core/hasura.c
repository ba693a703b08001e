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

/* Append name to arr unless seen (a hash of the names so far) has it:
 * thousands of names cost thousands of steps, not millions. */
static void
hasura_add_name(json_t *arr, json_t *seen, const char *name, size_t len)
{
	if (len == 0 || json_object_getn(seen, name, len) != NULL)
		return;
	json_object_setn_new(seen, name, len, json_null());
	json_array_append_new(arr, json_stringn(name, len));
}

json_t *
hasura_reload_args(const struct objset *const *sets, size_t nsets,
    enum reload_scope scope)
{
	json_t			*args = json_object(), *rs, *src;
	json_t			*rs_seen, *src_seen;
	const struct object	*o;
	const char		*n, *p;
	size_t			 i, k;

	if (scope == RELOAD_FULL)
		return (args);	/* {}: the server's own defaults */
	rs = json_array();
	src = json_array();
	rs_seen = json_object();
	src_seen = json_object();
	for (k = 0; k < nsets; k++) {
		for (i = 0; sets[k] != NULL && i < sets[k]->n; i++) {
			o = &sets[k]->v[i];
			n = o->name;
			/* Name formats of facts §5.2. */
			if (strcmp(o->type, "remote_schema") == 0 &&
			    strncmp(n, "remote_schema ", 14) == 0)
				hasura_add_name(rs, rs_seen, n + 14, strlen(n + 14));
			else if ((p = strstr(n, " in remote schema ")) != NULL)
				hasura_add_name(rs, rs_seen, p + 18, strlen(p + 18));
			if (scope == RELOAD_AUTO)
				continue;	/* every source: no names */
			if (strcmp(o->type, "source") == 0 &&
			    strncmp(n, "source ", 7) == 0)
				hasura_add_name(src, src_seen, n + 7, strlen(n + 7));
			else if ((p = strstr(n, " in source ")) != NULL) {
				const char *q;

				while ((q = strstr(p + 1, " in source ")) !=
				    NULL)
					p = q;
				hasura_add_name(src, src_seen, p + 11, strlen(p + 11));
			}
		}
	}
	json_decref(rs_seen);
	json_decref(src_seen);
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
