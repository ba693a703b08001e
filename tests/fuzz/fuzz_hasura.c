/*
 * fuzz_hasura.c: libFuzzer target for the parsers of Hasura's answers
 * (src/core/hasura.c). The first byte picks the parser, the rest is the
 * answer body:
 *   '0' get_inconsistent_metadata  '1' reload_metadata  '2' /v1/version
 *   '3' dump_internal_state  '4' export_metadata v2  '5' an error body
 *   '6' hasura_object_new on any JSON value  '7' all of them on one body
 * After the inconsistency parsers it also builds the reload_metadata request
 * from the set, as the worker does.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
#include "hasync/xmalloc.h"

#include "fuzz.h"

/* An error is one NUL-terminated line. */
static void
fuzz_check_err(const struct err *e)
{
	FUZZ_ASSERT(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	FUZZ_ASSERT(strchr(e->msg, '\n') == NULL);
}

/* A request body must be one valid JSON object. */
static void
fuzz_check_request(json_t *args)
{
	json_t	*j;
	char	*body;

	body = hasura_request("reload_metadata", args);
	j = json_loads(body, 0, NULL);
	FUZZ_ASSERT(json_is_object(j));
	FUZZ_ASSERT(json_is_object(json_object_get(j, "args")));
	json_decref(j);
	free(body);
}

/* Every object kept as received with every string set; the keyed view
 * sorted strictly by key, no larger than the list. */
static void
fuzz_check_set(const struct objset *s)
{
	const struct object	*o;
	size_t			 i;

	FUZZ_ASSERT(s != NULL && s->n_uniq <= s->n);
	for (i = 0; i < s->n; i++) {
		o = s->v[i];
		FUZZ_ASSERT(o != NULL && o->key != NULL && o->type != NULL &&
		    o->name != NULL && o->reason != NULL &&
		    o->cause != NULL && o->raw != NULL);
		free(object_definition_text(o));
		free(object_message_text(o));
	}
	for (i = 1; i < s->n_uniq; i++)
		FUZZ_ASSERT(strcmp(s->uniq[i - 1]->key, s->uniq[i]->key) < 0);
	fuzz_check_request(hasura_reload_args(s, RELOAD_TARGETED));
	fuzz_check_request(hasura_reload_args(s, RELOAD_AUTO));
	fuzz_check_request(hasura_reload_args(s, RELOAD_FULL));
}

static void
fuzz_inconsistency(const char *buf, size_t len, bool reload)
{
	struct inconsistency	 ic;
	struct err		 e;

	memset(&e, 0, sizeof(e));
	if (hasura_parse_inconsistency(buf, len, reload, &ic, &e) == -1) {
		FUZZ_ASSERT(ic.objects == NULL);
		fuzz_check_err(&e);
		return;
	}
	fuzz_check_set(ic.objects);
	if (ic.objects->n > 0)
		FUZZ_ASSERT(!ic.is_consistent);
	objset_unref(ic.objects);
}

static void
fuzz_version(const char *buf, size_t len)
{
	struct err	 e;
	char		 out[64], tiny[1];

	memset(&e, 0, sizeof(e));
	if (hasura_parse_version(buf, len, out, sizeof(out), &e) == 0) {
		FUZZ_ASSERT(memchr(out, '\0', sizeof(out)) != NULL);
		FUZZ_ASSERT(hasura_parse_version(buf, len, tiny, sizeof(tiny),
		    NULL) == 0 && tiny[0] == '\0');
	} else
		fuzz_check_err(&e);
}

static void
fuzz_dump(const char *buf, size_t len)
{
	struct err	 e;
	int64_t		 rv;

	memset(&e, 0, sizeof(e));
	if (hasura_parse_dump_version(buf, len, &rv, &e) == -1)
		fuzz_check_err(&e);
}

static void
fuzz_export(const char *buf, size_t len)
{
	struct meta_summary	 m;
	struct err		 e;
	int64_t			 rv;

	memset(&e, 0, sizeof(e));
	if (hasura_parse_export(buf, len, &rv, &m, &e) == -1) {
		fuzz_check_err(&e);
		return;
	}
	FUZZ_ASSERT(m.known && m.sources >= 0 && m.tables >= 0 &&
	    m.remote_schemas >= 0 && m.actions >= 0 &&
	    m.event_triggers >= 0 && m.cron_triggers >= 0);
}

static void
fuzz_error_line(const char *buf, size_t len)
{
	static const size_t	 sizes[] = { 1, 2, 17, 121, 512 };
	char			 out[512];
	size_t			 i, k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(out, 'x', sizeof(out));
		hasura_error_line(buf, len, out, sizes[i]);
		FUZZ_ASSERT(memchr(out, '\0', sizes[i]) != NULL);
		for (k = 0; out[k] != '\0'; k++)
			FUZZ_ASSERT((unsigned char)out[k] >= 0x20);
	}
}

/* Objects from any JSON value; an array gives a set. */
static void
fuzz_objects(const char *buf, size_t len)
{
	json_t		*j, *v;
	struct object	**objs, *o;
	struct objset	*s;
	size_t		 i, n = 0;

	j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (j == NULL)
		return;
	o = hasura_object_new(j);
	FUZZ_ASSERT(o->key != NULL && o->raw != NULL);
	object_unref(o);
	objs = xcalloc(json_array_size(j) + 1, sizeof(*objs));
	json_array_foreach(j, i, v)
		objs[n++] = hasura_object_new(v);
	s = hasura_objset_make(objs, n);
	fuzz_check_set(s);
	objset_unref(s);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data + 1;
	size_t		 len = size - 1;

	if (size == 0)
		return (0);
	switch (data[0] % 8) {
	case 0:
		fuzz_inconsistency(buf, len, false);
		break;
	case 1:
		fuzz_inconsistency(buf, len, true);
		break;
	case 2:
		fuzz_version(buf, len);
		break;
	case 3:
		fuzz_dump(buf, len);
		break;
	case 4:
		fuzz_export(buf, len);
		break;
	case 5:
		fuzz_error_line(buf, len);
		break;
	case 6:
		fuzz_objects(buf, len);
		break;
	default:
		fuzz_inconsistency(buf, len, false);
		fuzz_inconsistency(buf, len, true);
		fuzz_version(buf, len);
		fuzz_dump(buf, len);
		fuzz_export(buf, len);
		fuzz_error_line(buf, len);
		fuzz_objects(buf, len);
		break;
	}
	return (0);
}
