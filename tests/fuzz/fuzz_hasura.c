/*
 * fuzz_hasura.c: libFuzzer target for the parsers of Hasura's answers
 * (src/core/hasura.c). The first byte picks the parser, the rest is the
 * answer body:
 *   '0' get_inconsistent_metadata  '1' reload_metadata  '2' /v1/version
 *   '3' dump_internal_state  '4' export_metadata v2  '5' an error body
 *   '6' the JSON scanner alone, against jansson  '7' all of them on one body
 * After the inconsistency parsers it also builds the reload_metadata request
 * from the set, as the worker does.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/jscan.h"
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

/* Every object kept with every string set; the keyed view (when built)
 * sorted strictly by key, no larger than the list. */
static void
fuzz_check_set(const struct objset *s, bool names_only)
{
	const struct objset	*sets[1] = { s };
	const struct object	*o;
	size_t			 i;

	FUZZ_ASSERT(s != NULL && s->n_uniq <= s->n);
	for (i = 0; i < s->n; i++) {
		o = &s->v[i];
		FUZZ_ASSERT(o->type != NULL && o->name != NULL &&
		    o->reason != NULL && o->cause != NULL);
		FUZZ_ASSERT(names_only ? o->raw == NULL : o->raw != NULL);
		free(object_definition_text(o));
		free(object_message_text(o));
	}
	for (i = 1; i < s->n_uniq; i++)
		FUZZ_ASSERT(strcmp(s->uniq[i - 1]->key, s->uniq[i]->key) < 0);
	fuzz_check_request(hasura_reload_args(sets, 1, RELOAD_TARGETED));
	fuzz_check_request(hasura_reload_args(sets, 1, RELOAD_AUTO));
	fuzz_check_request(hasura_reload_args(sets, 1, RELOAD_FULL));
}

/* A string member of a jansson object, or "" (what the parser keeps). */
static const char *
fuzz_str(json_t *o, const char *k)
{
	const char	*v = json_string_value(json_object_get(o, k));

	return (v != NULL ? v : "");
}

/*
 * The one-pass parser against jansson: the same verdict on every input
 * (malformed or not), and for an answer both accept, the same objects in
 * the same order, each raw span equal to jansson's value and its fields
 * equal to jansson's strings (the last of equal keys wins in both).
 */
static void
fuzz_inconsistency(const char *buf, size_t len, bool reload)
{
	struct inconsistency	 ic;
	struct err		 e;
	json_t			*ref, *arr, *v, *raw;
	const struct object	*o;
	size_t			 i, k = 0;
	unsigned		 flags;

	ref = json_loadb(buf, len, JSON_ALLOW_NUL, NULL);
	for (flags = 0; flags < 4; flags++) {
		char	*copy = xmalloc(len + 1);

		memcpy(copy, buf, len);
		memset(&e, 0, sizeof(e));
		if (hasura_parse_inconsistency_take(copy, len, reload, flags,
		    &ic, &e) == -1) {
			FUZZ_ASSERT(ic.objects == NULL);
			fuzz_check_err(&e);
			/* Malformed to us iff malformed to jansson (a raw
			 * NUL: always malformed to us, see fuzz_scan). */
			if (memchr(buf, '\0', len) == NULL)
				FUZZ_ASSERT((strncmp(e.msg, "malformed JSON",
				    14) == 0) == (ref == NULL));
			continue;
		}
		FUZZ_ASSERT(memchr(buf, '\0', len) == NULL);
		FUZZ_ASSERT(ref != NULL && json_is_object(ref));
		fuzz_check_set(ic.objects, (flags & IC_NAMES_ONLY) != 0);
		FUZZ_ASSERT((ic.objects->uniq != NULL) ==
		    ((flags & IC_INDEX) != 0));
		if (ic.objects->n > 0)
			FUZZ_ASSERT(!ic.is_consistent);
		arr = json_object_get(ref, "inconsistent_objects");
		k = 0;
		json_array_foreach(arr, i, v) {
			if (!json_is_object(v))
				continue;
			FUZZ_ASSERT(k < ic.objects->n);
			o = &ic.objects->v[k++];
			FUZZ_ASSERT(strcmp(o->name, fuzz_str(v, "name")) == 0);
			if (!(flags & IC_NAMES_ONLY))
				FUZZ_ASSERT(strcmp(o->reason, fuzz_str(v,
				    "reason")) == 0);
			if (json_string_value(json_object_get(v, "type")) !=
			    NULL)
				FUZZ_ASSERT(strcmp(o->type, fuzz_str(v,
				    "type")) == 0);
			if (o->raw == NULL)
				continue;
			raw = json_loadb(o->raw, o->raw_len, JSON_ALLOW_NUL,
			    NULL);
			FUZZ_ASSERT(raw != NULL && json_equal(raw, v));
			FUZZ_ASSERT(memchr(o->raw, '\n', o->raw_len) == NULL);
			json_decref(raw);
		}
		FUZZ_ASSERT(k == ic.objects->n);
		/* Written as it came: the very array jansson read. */
		if (ic.objects->list != NULL) {
			raw = json_loadb(ic.objects->list, ic.objects->list_len,
			    JSON_ALLOW_NUL, NULL);
			FUZZ_ASSERT(raw != NULL && json_equal(raw, arr));
			json_decref(raw);
		}
		objset_unref(ic.objects);
	}
	json_decref(ref);
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

/* The text summariser agrees with jansson + hasura_summarise, always,
 * except on a raw NUL byte, which the scanner refuses everywhere while
 * jansson loses one after a number in its pushback ([14\0] loads; see
 * fuzz_scan and regress/hasura/nul-after-number-summary). */
static void
fuzz_summary(const char *buf, size_t len)
{
	struct meta_summary	 a, b;
	json_t			*j;

	hasura_summarise_text(buf, len, &a);
	if (memchr(buf, '\0', len) != NULL) {
		FUZZ_ASSERT(!a.known);
		return;
	}
	j = json_loadb(buf, len, JSON_ALLOW_NUL, NULL);
	hasura_summarise(j, &b);
	json_decref(j);
	FUZZ_ASSERT(a.known == b.known && a.sources == b.sources &&
	    a.tables == b.tables && a.remote_schemas == b.remote_schemas &&
	    a.actions == b.actions && a.event_triggers == b.event_triggers &&
	    a.cron_triggers == b.cron_triggers);
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

/* The scanner alone on any input: jansson's verdict, byte for byte. */
static void
fuzz_scan(const char *buf, size_t len)
{
	struct jscan	 j;
	json_t		*ref;
	int		 ours;

	ref = json_loadb(buf, len, JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);
	jscan_init(&j, buf, len);
	ours = jscan_value(&j) == 0 && jscan_end(&j) == 0;
	/* The one deliberate difference: a raw NUL byte right after a number
	 * or a literal vanishes in jansson's one-byte pushback ("4\0" loads);
	 * the scanner refuses every raw NUL. */
	if (memchr(buf, '\0', len) != NULL)
		FUZZ_ASSERT(!ours);
	else
		FUZZ_ASSERT(ours == (ref != NULL));
	FUZZ_ASSERT(ours || j.err != NULL);
	json_decref(ref);
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
		fuzz_summary(buf, len);
		break;
	case 5:
		fuzz_error_line(buf, len);
		break;
	case 6:
		fuzz_scan(buf, len);
		break;
	default:
		fuzz_inconsistency(buf, len, false);
		fuzz_inconsistency(buf, len, true);
		fuzz_version(buf, len);
		fuzz_dump(buf, len);
		fuzz_export(buf, len);
		fuzz_error_line(buf, len);
		fuzz_scan(buf, len);
		break;
	}
	return (0);
}
