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
#include "hasync/jscan.h"
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

/*
 * The same counts straight from the metadata's text, with no tree: the
 * catalog's metadata of 20,000 tables is 2.6 MB of text and took ~30 MB
 * as a jansson tree for six numbers. Equal to json_loads (flags 0: the
 * last of equal keys wins) + hasura_summarise for any input; fuzz_hasura
 * compares the two.
 */
static bool
ms_key(const struct jstr *k, const char *lit)
{
	char	*buf;
	bool	 is;

	if (!k->escaped)
		return (jstr_is(k, lit));
	buf = xmalloc(k->len + 1);	/* rare: a key with escapes */
	is = jstr_decode(k, buf) == strlen(lit) &&
	    memcmp(buf, lit, strlen(lit)) == 0;
	free(buf);
	return (is);
}

/* The value at j: its element count if an array, else 0. 0 or -1. */
static int
ms_count(struct jscan *j, int *n)
{
	bool	first = true;
	int	rc;

	*n = 0;
	if (!jscan_peek(j, '['))
		return (jscan_value(j));
	if (jscan_expect(j, '[') == -1)
		return (-1);
	while ((rc = jscan_element(j, &first)) == 1) {
		if (jscan_value(j) == -1)
			return (-1);
		(*n)++;
	}
	return (rc);
}

/* A source (any value): its tables and their event triggers. */
static int
ms_source(struct jscan *j, int *tables, int *triggers)
{
	struct jstr	k;
	bool		first = true, tfirst, mfirst, is_tables;
	int		rc, n, et, t;

	*tables = *triggers = 0;
	if (!jscan_peek(j, '{'))
		return (jscan_value(j));
	if (jscan_expect(j, '{') == -1)
		return (-1);
	while ((rc = jscan_member(j, &first, &k)) == 1) {
		is_tables = ms_key(&k, "tables");
		if (!is_tables || !jscan_peek(j, '[')) {
			if (is_tables)
				*tables = *triggers = 0;
			if (jscan_value(j) == -1)
				return (-1);
			continue;
		}
		(void)jscan_expect(j, '[');
		n = et = 0;
		tfirst = true;
		while ((rc = jscan_element(j, &tfirst)) == 1) {
			n++;
			t = 0;
			if (!jscan_peek(j, '{')) {
				if (jscan_value(j) == -1)
					return (-1);
				continue;
			}
			if (jscan_expect(j, '{') == -1)
				return (-1);
			mfirst = true;
			while ((rc = jscan_member(j, &mfirst, &k)) == 1) {
				if ((ms_key(&k, "event_triggers") ?
				    ms_count(j, &t) : jscan_value(j)) == -1)
					return (-1);
			}
			if (rc == -1)
				return (-1);
			et += t;
		}
		if (rc == -1)
			return (-1);
		*tables = n;
		*triggers = et;
	}
	return (rc);
}

void
hasura_summarise_text(const char *buf, size_t len, struct meta_summary *m)
{
	struct jscan	j;
	struct jstr	k;
	bool		first = true, sfirst;
	int		rc, t, et;

	memset(m, 0, sizeof(*m));
	jscan_init(&j, buf, len);
	if (!jscan_peek(&j, '{') || jscan_expect(&j, '{') == -1)
		return;
	while ((rc = jscan_member(&j, &first, &k)) == 1) {
		if (ms_key(&k, "sources") && jscan_peek(&j, '[')) {
			(void)jscan_expect(&j, '[');
			m->sources = m->tables = m->event_triggers = 0;
			sfirst = true;
			while ((rc = jscan_element(&j, &sfirst)) == 1) {
				if (ms_source(&j, &t, &et) == -1)
					break;
				m->sources++;
				m->tables += t;
				m->event_triggers += et;
			}
			if (rc != 0)
				break;
			continue;
		}
		if (ms_key(&k, "sources")) {
			m->sources = m->tables = m->event_triggers = 0;
			rc = jscan_value(&j);
		} else if (ms_key(&k, "remote_schemas"))
			rc = ms_count(&j, &m->remote_schemas);
		else if (ms_key(&k, "actions"))
			rc = ms_count(&j, &m->actions);
		else if (ms_key(&k, "cron_triggers"))
			rc = ms_count(&j, &m->cron_triggers);
		else
			rc = jscan_value(&j);
		if (rc == -1)
			break;
	}
	if (rc != 0 || jscan_end(&j) == -1) {
		memset(m, 0, sizeof(*m));
		return;
	}
	m->known = true;
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
