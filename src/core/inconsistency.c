/*
 * inconsistency.c: the answers of get_inconsistent_metadata and
 * reload_metadata (facts §3.2, §3.3, §5), parsed in one pass. The scanner
 * (jscan.c) validates the whole answer as jansson would and records where
 * each inconsistent object starts and ends; an object keeps those bytes
 * (pass-through: what hasync prints is what Hasura sent) plus the few
 * fields hasync reads, decoded into one arena per answer. Nothing is
 * pretty-printed until a person opens the detail view, and a set is freed
 * in a few calls. Every parser treats its input as hostile. Pure functions;
 * any thread (the worker in practice).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/arena.h"
#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/jscan.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
#include "hasync/xmalloc.h"

/* Where one object's fields stand, before they are decoded. */
struct fields {
	struct jstr	type, name, reason, msg, entity_raw;
	bool		has_type, has_name, has_reason, has_msg, has_objects;
	const char	*entity, *entity_end;
};

/* The types Hasura uses (facts §5.2) are kept once, not per object. */
static const char *const known_types[] = {
	"table", "array_relation", "object_relation", "remote_schema",
	"source", "select_permission", "insert_permission",
	"update_permission", "delete_permission", "event_trigger",
	"computed_field", "remote_relationship", "function",
	"function_permission", "remote_schema_permission",
	"remote_schema_remote_relationship", "action", "action_permission",
	"custom_types", "cron_trigger", "inherited_role", "rest_endpoint",
	"query_collections", "data_connector_agent", "open_telemetry",
	"native_query", "logical_model", "stored_procedure",
	"inherited role permission inconsistency", "conflicting_objects", "",
};

static const char *
ic_string(struct arena *a, const struct jstr *s, bool have)
{
	char	*d;

	if (!have)
		return ("");
	d = arena_alloc(a, s->len + 1);
	jstr_decode(s, d);
	return (d);
}

static const char *
ic_type(struct arena *a, const struct jstr *s, bool have)
{
	size_t	i;

	if (!have)
		return ("");
	for (i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++) {
		if (jstr_is(s, known_types[i]))
			return (known_types[i]);
	}
	return (ic_string(a, s, true));
}

/* A member of an object element: note the fields hasync reads (the last
 * of equal keys wins, as with jansson), skip the rest. */
static int
ic_member(struct jscan *j, const struct jstr *key, struct fields *f)
{
	struct jstr	k;
	bool		first = true;
	int		rc;

	if (jstr_is(key, "type") || jstr_is(key, "name") ||
	    jstr_is(key, "reason")) {
		struct jstr	*dst = jstr_is(key, "type") ? &f->type :
				    jstr_is(key, "name") ? &f->name : &f->reason;
		bool		*have = dst == &f->type ? &f->has_type :
				    dst == &f->name ? &f->has_name :
				    &f->has_reason;

		/* Not a string: "" (the last of equal keys wins). */
		if (!(*have = jscan_peek(j, '"')))
			return (jscan_value(j));
		return (jscan_string(j, dst, false));
	}
	if (jstr_is(key, "message")) {
		/* A remote schema's message says what really happened:
		 * {"message": "Connection failure: ...", ...}. */
		f->has_msg = false;
		if (jscan_peek(j, '"')) {
			if (jscan_string(j, &f->msg, false) == -1)
				return (-1);
			f->has_msg = true;
			return (0);
		}
		if (!jscan_peek(j, '{'))
			return (jscan_value(j));
		if (jscan_expect(j, '{') == -1)
			return (-1);
		while ((rc = jscan_member(j, &first, &k)) == 1) {
			if (jstr_is(&k, "message") && jscan_peek(j, '"')) {
				if (jscan_string(j, &f->msg, false) == -1)
					return (-1);
				f->has_msg = true;
			} else if (jscan_value(j) == -1)
				return (-1);
		}
		return (rc);
	}
	if (jstr_is(key, "entity")) {
		jscan_peek(j, '{');	/* skip whitespace first */
		f->entity = j->p;
		if (jscan_value(j) == -1)
			return (-1);
		f->entity_end = j->p;
		return (0);
	}
	if (jstr_is(key, "objects"))
		f->has_objects = true;
	return (jscan_value(j));
}

/* Copy span [p, end) without insignificant whitespace; returns its length. */
static size_t
ic_compact(char *out, const char *p, const char *end)
{
	size_t	n = 0;
	bool	in = false;

	for (; p < end; p++) {
		if (in) {
			out[n++] = *p;
			if (*p == '\\' && p + 1 < end)
				out[n++] = *++p;
			else if (*p == '"')
				in = false;
		} else if (*p == '"') {
			in = true;
			out[n++] = *p;
		} else if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			out[n++] = *p;
	}
	return (n);
}

/* The object whose fields f describes, from span [start, end). */
static void
ic_object(struct objset *set, struct object *o, const struct fields *f,
    const char *start, const char *end, bool spaced, bool names_only)
{
	static const char prefix[] = "Inconsistent object: ";
	struct arena	*a = set->arena;
	char		*d;

	memset(o, 0, sizeof(*o));
	o->type = ic_type(a, &f->type, f->has_type);
	if (o->type[0] == '\0' && f->has_objects)
		o->type = "conflicting_objects";	/* facts §5.1 */
	o->name = ic_string(a, &f->name, f->has_name);
	/* Names only: a reload needs type and name, nothing else. */
	o->reason = ic_string(a, &f->reason, f->has_reason && !names_only);
	if (f->has_msg && f->msg.len > 0)
		o->cause = ic_string(a, &f->msg, true);
	else
		o->cause = strncmp(o->reason, prefix, sizeof(prefix) - 1) ==
		    0 ? o->reason + sizeof(prefix) - 1 : o->reason;
	if (names_only)
		return;
	if (spaced) {
		d = arena_alloc(a, (size_t)(end - start));
		o->raw_len = ic_compact(d, start, end);
		o->raw = d;
	} else {
		o->raw = start;
		o->raw_len = (size_t)(end - start);
	}
}

/* The identity of an object: type and name; plus the entity of an
 * inherited-role conflict (named by the role only, one per entity); type,
 * reason and the whole object for v1 objects, which have no name. */
static void
ic_key(struct objset *set, struct object *o, const struct fields *f)
{
	char	*k;
	size_t	 tn = strlen(o->type), nn = strlen(o->name), en, rn;

	if (o->name[0] != '\0' && f->entity != NULL) {
		en = (size_t)(f->entity_end - f->entity);
		k = arena_alloc(set->arena, tn + nn + en + 3);
		sprintf(k, "%s\t%s\t", o->type, o->name);
		en = ic_compact(k + tn + nn + 2, f->entity, f->entity_end);
		k[tn + nn + 2 + en] = '\0';
	} else if (o->name[0] != '\0') {
		k = arena_alloc(set->arena, tn + nn + 2);
		sprintf(k, "%s\t%s", o->type, o->name);
	} else {
		rn = strlen(o->reason);
		k = arena_alloc(set->arena, tn + rn + o->raw_len + 3);
		sprintf(k, "%s\t%s\t", o->type, o->reason);
		if (o->raw != NULL)
			memcpy(k + tn + rn + 2, o->raw, o->raw_len);
		k[tn + rn + 2 + o->raw_len] = '\0';
	}
	o->key = k;
}

static int
ic_cmp(const void *a, const void *b)
{
	return (strcmp((*(struct object * const *)a)->key,
	    (*(struct object * const *)b)->key));
}

/* The keyed view: distinct keys, sorted, and their hash. */
static void
ic_index(struct objset *set)
{
	struct object	**u;
	const char	 *p;
	size_t		  i, n = 0;
	uint64_t	  h = 1469598103934665603ULL;	/* FNV-1a */

	u = arena_alloc(set->arena, (set->n + 1) * sizeof(*u));
	for (i = 0; i < set->n; i++)
		u[i] = &set->v[i];
	if (set->n > 1)
		qsort(u, set->n, sizeof(*u), ic_cmp);
	for (i = 0; i < set->n; i++) {
		if (n > 0 && strcmp(u[n - 1]->key, u[i]->key) == 0)
			continue;
		u[n++] = u[i];
	}
	for (i = 0; i < n; i++) {
		for (p = u[i]->key; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	set->uniq = u;
	set->n_uniq = n;
	set->hash = h;
}

/* The inconsistent_objects array: one object per object element (other
 * elements are skipped, as before). */
static int
ic_array(struct jscan *j, struct objset *set, unsigned flags)
{
	struct fields	 f;
	struct jstr	 key;
	const char	*start, *list;
	size_t		 cap = 0, bytes;
	bool		 first = true, mfirst, verbatim = true;
	int		 rc, mrc;

	/* Room for as many objects as an answer of this size holds when
	 * each takes 100 bytes (Hasura's take more): no copies while the
	 * list grows; untouched room costs no memory. */
	cap = (size_t)(j->end - j->p) / 100 + 16;
	if (set->v == NULL && cap * sizeof(*set->v) >= HUGE_PAGE) {
		/* In huge pages: 20,000 objects fault in once, not 300
		 * times. */
		bytes = cap * sizeof(*set->v);
		set->v = xmalloc_huge(&bytes);
		cap = bytes / sizeof(*set->v);
	} else
		set->v = xreallocarray(set->v, cap, sizeof(*set->v));
	jscan_peek(j, '[');
	list = j->p;
	j->ws = false;
	if (jscan_expect(j, '[') == -1)
		return (-1);
	while ((rc = jscan_element(j, &first)) == 1) {
		if (!jscan_peek(j, '{')) {
			verbatim = false;	/* skipped: not in the list */
			if (jscan_value(j) == -1)
				return (-1);
			continue;
		}
		if (j->ws)
			verbatim = false;
		start = j->p;
		if (jscan_expect(j, '{') == -1)
			return (-1);
		memset(&f, 0, sizeof(f));
		j->ws = false;
		mfirst = true;
		while ((mrc = jscan_member(j, &mfirst, &key)) == 1)
			if (ic_member(j, &key, &f) == -1)
				return (-1);
		if (mrc == -1)
			return (-1);
		if (set->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			set->v = xreallocarray(set->v, cap, sizeof(*set->v));
		}
		if (j->ws)
			verbatim = false;
		ic_object(set, &set->v[set->n], &f, start, j->p, j->ws,
		    (flags & IC_NAMES_ONLY) != 0);
		if (flags & IC_INDEX)
			ic_key(set, &set->v[set->n], &f);
		set->n++;
		j->ws = false;
	}
	/* The whole array, byte for byte, is what output writes. */
	if (rc == 0 && verbatim && !j->ws && !(flags & IC_NAMES_ONLY)) {
		set->list = list;
		set->list_len = (size_t)(j->p - list);
	} else
		set->list = NULL;
	return (rc);
}

int
hasura_parse_inconsistency_take(char *buf, size_t len, bool reload,
    unsigned flags, struct inconsistency *out, struct err *e)
{
	const char	*what = reload ? "reload_metadata" :
			    "get_inconsistent_metadata";
	const char	*semantic = NULL;
	struct objset	*set;
	struct jscan	 j;
	struct jstr	 key;
	bool		 first = true, have_ic = false, ic = false,
			 have_msg = false, have_arr = false;
	size_t		 hint;
	int		 rc;

	memset(out, 0, sizeof(*out));
	set = objset_new();
	set->body = buf;
	set->body_len = len;
	/* About half an answer is kept as strings (type, name, reason,
	 * cause), names only a fifth (20,000 objects as Hasura words them:
	 * 52% and 22%); a first block that holds them all. */
	hint = flags & IC_NAMES_ONLY ? len / 4 : len / 2 + len / 16;
	set->arena = arena_new(hint < (4 << 20) ? hint : (4 << 20));
	jscan_init(&j, buf, len);
	if (!jscan_peek(&j, '{')) {
		/* An array is JSON, but not the answer; anything else at
		 * the top is not even JSON to jansson. (The set owns buf:
		 * freed last.) */
		if (!jscan_peek(&j, '['))
			err_set(e, ERR_PROTO, "malformed JSON in %s answer ('[' "
			    "or '{' expected at byte %zu)", what,
			    (size_t)(j.p - buf));
		else if (jscan_value(&j) == -1 || jscan_end(&j) == -1)
			err_set(e, ERR_PROTO, "malformed JSON in %s answer (%s "
			    "at byte %zu)", what, j.err, j.err_at);
		else
			err_set(e, ERR_PROTO, "%s answer is not a JSON object",
			    what);
		objset_unref(set);
		return (-1);
	}
	(void)jscan_expect(&j, '{');
	while ((rc = jscan_member(&j, &first, &key)) == 1) {
		if (jstr_is(&key, "inconsistent_objects") &&
		    jscan_peek(&j, '[')) {
			/* A repeated key: the last one wins, as in jansson. */
			set->n = 0;
			have_arr = true;
			if (semantic != NULL && strcmp(semantic,
			    "inconsistent_objects is not an array") == 0)
				semantic = NULL;
			if (ic_array(&j, set, flags) == -1) {
				rc = -1;
				break;
			}
			continue;
		}
		if (jstr_is(&key, "inconsistent_objects")) {
			semantic = "inconsistent_objects is not an array";
			have_arr = false;
		} else if (jstr_is(&key, "is_consistent")) {
			have_ic = true;
			if (jscan_peek(&j, 't') || jscan_peek(&j, 'f')) {
				ic = jscan_peek(&j, 't');
				if (semantic != NULL && strcmp(semantic,
				    "is_consistent is not a boolean") == 0)
					semantic = NULL;
			} else
				semantic = "is_consistent is not a boolean";
		} else if (jstr_is(&key, "message"))
			have_msg = true;
		if (jscan_value(&j) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == -1 || jscan_end(&j) == -1) {
		objset_unref(set);
		return (err_set(e, ERR_PROTO, "malformed JSON in %s answer (%s "
		    "at byte %zu)", what, j.err, j.err_at));
	}
	(void)have_arr;
	if (semantic != NULL) {
		objset_unref(set);
		return (err_set(e, ERR_PROTO, "%s answer: %s", what, semantic));
	}
	if (!have_ic && (!reload || !have_msg)) {
		objset_unref(set);
		return (err_set(e, ERR_PROTO, "%s answer has no is_consistent",
		    what));
	}
	if (flags & IC_NAMES_ONLY) {
		/* Nothing points into the answer: give its bytes back now. */
		free(set->body);
		set->body = NULL;
		set->body_len = 0;
	}
	if (flags & IC_INDEX)
		ic_index(set);
	out->has_is_consistent = have_ic;
	/* Trust the objects over the flag if the two disagree. */
	out->is_consistent = have_ic && ic && set->n == 0;
	set->consistent = out->is_consistent;
	out->objects = set;
	return (0);
}

int
hasura_parse_inconsistency(const char *buf, size_t len, bool reload,
    struct inconsistency *out, struct err *e)
{
	char	*copy = xmalloc(len + 1);

	memcpy(copy, buf, len);
	copy[len] = '\0';
	return (hasura_parse_inconsistency_take(copy, len, reload, IC_INDEX,
	    out, e));
}

void
hasura_objects_write(FILE *fp, const struct objset *set, size_t max)
{
	const struct object	*o;
	json_t			*j;
	size_t			 i;

	if (set->list != NULL && (max == 0 || max >= set->n)) {
		fwrite(set->list, 1, set->list_len, fp);
		return;
	}
	fputc('[', fp);
	for (i = 0; i < set->n && (max == 0 || i < max); i++) {
		o = &set->v[i];
		if (i > 0)
			fputc(',', fp);
		if (o->raw != NULL) {
			fwrite(o->raw, 1, o->raw_len, fp);
			continue;
		}
		/* A names-only set: what is known of it. */
		j = json_pack("{s:s,s:s,s:s}", "type", o->type, "name", o->name,
		    "reason", o->reason);
		json_dumpf(j, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(j);
	}
	fputc(']', fp);
}

json_t *
hasura_objects_json(const struct objset *set, size_t max)
{
	json_t	*arr = json_array(), *o;
	size_t	 i;

	for (i = 0; i < set->n && (max == 0 || i < max); i++) {
		o = set->v[i].raw != NULL ? json_loadb(set->v[i].raw,
		    set->v[i].raw_len, JSON_ALLOW_NUL, NULL) : NULL;
		if (o == NULL)
			o = json_pack("{s:s,s:s,s:s}", "type", set->v[i].type,
			    "name", set->v[i].name, "reason", set->v[i].reason);
		json_array_append_new(arr, o);
	}
	return (arr);
}

/* Parse an object's raw text again and dump the member that answers. */
static char *
ic_part(const struct object *o, const char *const *keys, size_t n)
{
	json_t	*j, *v = NULL;
	char	*out = NULL;
	size_t	 i;

	if (o->raw == NULL || (j = json_loadb(o->raw, o->raw_len,
	    JSON_ALLOW_NUL, NULL)) == NULL)
		return (NULL);
	for (i = 0; i < n && v == NULL; i++)
		v = json_object_get(j, keys[i]);
	if (v != NULL)
		out = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY |
		    JSON_PRESERVE_ORDER);
	json_decref(j);
	return (out);
}

char *
object_definition_text(const struct object *o)
{
	/* What describes an object: its definition, or what stands for
	 * one (an inherited-role conflict has an entity, §5.1). */
	static const char *const keys[] = {
		"definition", "definitions", "objects", "entity",
	};
	char	*s = ic_part(o, keys, sizeof(keys) / sizeof(keys[0]));

	return (s != NULL ? s : xstrdup("null"));
}

char *
object_message_text(const struct object *o)
{
	static const char *const keys[] = { "message" };

	return (ic_part(o, keys, 1));
}
