/*
 * test_hasura.c: parsers of Hasura's answers (hostile input included) and
 * the targeted reload arguments.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"

/* facts §5.3(a) and (c): a table, its relationship, a remote schema. */
static const char *ic_body =
    "{\"is_consistent\":false,\"inconsistent_objects\":["
    "{\"definition\":{\"schema\":\"public\",\"name\":\"article\"},"
    "\"name\":\"table article in source default\",\"reason\":"
    "\"Inconsistent object: no such table/view exists in source: "
    "\\\"article\\\"\",\"type\":\"table\"},"
    "{\"definition\":{\"name\":\"articles\",\"source\":\"default\"},"
    "\"name\":\"array_relation articles in table author in source "
    "default\",\"reason\":\"Inconsistent object: in table \\\"author\\\"\","
    "\"type\":\"array_relation\"},"
    "{\"definition\":{\"name\":\"rs1\"},\"message\":{\"type\":"
    "\"http_exception\"},\"name\":\"remote_schema rs1\",\"reason\":"
    "\"Inconsistent object: HTTP exception\",\"type\":\"remote_schema\"},"
    "{\"definition\":{},\"name\":\"remote_schema_permission user permission "
    "in remote schema rs2\",\"reason\":\"x\",\"type\":"
    "\"remote_schema_permission\"},"
    "{\"definition\":\"other\",\"name\":\"source other\",\"reason\":\"y\","
    "\"type\":\"source\"}]}";

static void
test_parse_inconsistency(void **state)
{
	struct inconsistency	ic;
	struct err		e;
	const struct object	*o;
	char			*text;

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(ic_body, strlen(ic_body),
	    false, &ic, &e), 0);
	assert_true(ic.has_is_consistent);
	assert_false(ic.is_consistent);
	assert_int_equal(ic.objects->n, 5);
	/* The list as Hasura sent it. */
	o = &ic.objects->v[0];
	assert_string_equal(o->type, "table");
	assert_string_equal(o->name, "table article in source default");
	text = object_definition_text(o);
	assert_non_null(strstr(text, "\"schema\": \"public\""));
	free(text);
	assert_null(object_message_text(o));
	assert_string_equal(o->cause, "no such table/view exists in source: "
	    "\"article\"");
	assert_non_null(memmem(o->raw, o->raw_len, "\"reason\"", 8));
	assert_string_equal(ic.objects->v[1].type, "array_relation");
	assert_string_equal(ic.objects->v[2].type, "remote_schema");
	text = object_message_text(&ic.objects->v[2]);
	assert_non_null(strstr(text, "http_exception"));
	free(text);
	assert_string_equal(ic.objects->v[4].type, "source");
	/* The keyed view: sorted by type then name. */
	assert_int_equal(ic.objects->n_uniq, 5);
	assert_string_equal(ic.objects->uniq[0]->type, "array_relation");
	assert_string_equal(ic.objects->uniq[4]->type, "table");
	objset_unref(ic.objects);
}

#define PT_LIST "[" \
    "{\"type\":\"table\",\"name\":\"table b in source default\"," \
    "\"reason\":\"first\",\"definition\":{\"name\":\"b\"}}," \
    "{\"type\":\"table\",\"name\":\"table a in source default\"," \
    "\"reason\":\"second\",\"definition\":{\"name\":\"a\"}}," \
    "{\"type\":\"table\",\"name\":\"table b in source default\"," \
    "\"reason\":\"third\",\"definition\":{\"name\":\"b\"}}]"

/* Objects sharing type and name are all kept, in Hasura's order (issue 9:
 * 3 in, 3 out); only the keyed view folds them. */
static void
test_pass_through(void **state)
{
	static const char body[] = "{\"is_consistent\":false,"
	    "\"inconsistent_objects\":" PT_LIST "}";
	struct inconsistency	 ic;
	struct err		 e;
	json_t			*arr;
	char			*s;

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(body, strlen(body), false,
	    &ic, &e), 0);
	assert_int_equal(ic.objects->n, 3);
	assert_int_equal(ic.objects->n_uniq, 2);
	assert_string_equal(ic.objects->v[0].reason, "first");
	assert_string_equal(ic.objects->v[1].reason, "second");
	assert_string_equal(ic.objects->v[2].reason, "third");
	arr = hasura_objects_json(ic.objects, 0);
	s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, PT_LIST);
	free(s);
	json_decref(arr);
	objset_unref(ic.objects);
}

/*
 * Shapes recorded in Hasura's tests and server source (the answers of
 * tests/emu/conformance): every object is kept, with its type, name,
 * reason, and raw JSON equal to what was received.
 */
static const char *shapes_body =
    "{\"is_consistent\":false,\"inconsistent_objects\":["
    /* inherited role conflicts (tests-py test_metadata.py and
     * roles_inheritance/resolve_inconsistent_permission.yaml): no definition,
     * an entity; the same role twice, for two entities */
    "{\"reason\":\"Could not inherit permission for the role 'users' for the "
    "entity: 'insert permission, table: author, source: 'default''\","
    "\"name\":\"users\",\"type\":\"inherited role permission inconsistency\","
    "\"entity\":{\"permission_type\":\"insert\",\"source\":\"default\","
    "\"table\":\"author\"}},"
    "{\"reason\":\"Could not inherit permission for the role 'users' for the "
    "entity: 'update permission, table: authors, source: 'default''\","
    "\"name\":\"users\",\"type\":\"inherited role permission inconsistency\","
    "\"entity\":{\"permission_type\":\"update\",\"source\":\"default\","
    "\"table\":\"authors\"}},"
    /* a source that cannot connect: definition is the name, a string */
    "{\"definition\":\"postgres\",\"message\":\"connection to server at "
    "\\\"127.0.0.1\\\", port 5432 failed: FATAL:  database "
    "\\\"non_existent_db\\\" does not exist\\n\",\"name\":\"source postgres\","
    "\"reason\":\"Inconsistent object: connection error\",\"type\":\"source\"},"
    /* expectation.yaml: a table and a relationship pointing at it */
    "{\"definition\":{\"schema\":\"public\",\"name\":\"article\"},"
    "\"name\":\"table article in source default\",\"reason\":\"Inconsistent "
    "object: no such table/view exists in source: \\\"article\\\"\","
    "\"type\":\"table\"},"
    "{\"definition\":{\"using\":{\"foreign_key_constraint_on\":{\"column\":"
    "\"author_id\",\"table\":{\"schema\":\"public\",\"name\":\"article\"}}},"
    "\"name\":\"articles\",\"source\":\"default\",\"comment\":null,\"table\":"
    "{\"schema\":\"public\",\"name\":\"author\"}},\"name\":\"array_relation "
    "articles in table author in source default\",\"reason\":\"Inconsistent "
    "object: in table \\\"author\\\": in relationship \\\"articles\\\": table "
    "\\\"article\\\" does not exist in source: default\",\"type\":"
    "\"array_relation\"},"
    /* v1.x (old inconsistent_objects/test.yaml): no name, no prefix, the
     * definition of a table a bare name */
    "{\"definition\":{\"using\":{\"foreign_key_constraint_on\":\"author_id\"},"
    "\"name\":\"author\",\"comment\":null,\"table\":\"article\"},\"reason\":"
    "\"table \\\"article\\\" does not exist\",\"type\":\"object_relation\"},"
    "{\"definition\":\"article\",\"reason\":\"no such table/view exists in "
    "postgres : \\\"article\\\"\",\"type\":\"table\"},"
    /* a remote schema nobody listens for: message is an object */
    "{\"definition\":{\"comment\":null,\"definition\":{\"url\":"
    "\"http://127.0.0.1:9/graphql\",\"timeout_seconds\":2},\"name\":\"rs\","
    "\"permissions\":[],\"remote_relationships\":[]},\"message\":{\"message\":"
    "\"Connection failure: Network.Socket.connect: <socket: 31>: does not "
    "exist (Connection refused)\",\"type\":\"http_exception\"},\"name\":"
    "\"remote_schema rs\",\"reason\":\"Inconsistent object: HTTP exception "
    "occurred while sending the request to \\\"http://127.0.0.1:9/graphql\\\"\","
    "\"type\":\"remote_schema\"}]}";

static void
test_recorded_shapes(void **state)
{
	struct inconsistency	 ic;
	struct err		 e;
	json_t			*in, *arr, *v, *raw;
	const struct object	*o;
	char			*def, *msg;
	size_t			 i, k, found;

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(shapes_body,
	    strlen(shapes_body), false, &ic, &e), 0);
	in = json_loads(shapes_body, 0, NULL);
	assert_non_null(in);
	arr = json_object_get(in, "inconsistent_objects");
	assert_int_equal(ic.objects->n, json_array_size(arr));
	json_array_foreach(arr, i, v) {
		found = 0;
		for (k = 0; k < ic.objects->n; k++) {
			o = &ic.objects->v[k];
			raw = json_loadb(o->raw, o->raw_len, JSON_DECODE_ANY,
			    NULL);
			if (json_equal(raw, v)) {
				found++;
				assert_string_equal(o->type, json_string_value(
				    json_object_get(v, "type")));
				assert_string_equal(o->reason, json_string_value(
				    json_object_get(v, "reason")));
				assert_string_equal(o->name, json_object_get(v,
				    "name") != NULL ? json_string_value(
				    json_object_get(v, "name")) : "");
				/* whatever describes the object is shown */
				def = object_definition_text(o);
				msg = object_message_text(o);
				assert_string_not_equal(def, "null");
				if (json_object_get(v, "entity") != NULL)
					assert_non_null(strstr(def,
					    "\"permission_type\""));
				if (json_object_get(v, "message") != NULL)
					assert_non_null(msg);
				else
					assert_null(msg);
				free(def);
				free(msg);
			}
			json_decref(raw);
		}
		assert_int_equal(found, 1);
	}
	/* A source's definition is its name, a JSON string. */
	for (k = 0; k < ic.objects->n; k++)
		if (strcmp(ic.objects->v[k].type, "source") == 0) {
			def = object_definition_text(&ic.objects->v[k]);
			assert_string_equal(def, "\"postgres\"");
			free(def);
		}
	json_decref(in);
	objset_unref(ic.objects);
}

static void
test_reload_args(void **state)
{
	struct inconsistency	 ic;
	struct err		 e;
	const struct objset	*sets[1];
	json_t			*a;
	char			*s;

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(ic_body, strlen(ic_body),
	    false, &ic, &e), 0);
	sets[0] = ic.objects;
	a = hasura_reload_args(sets, 1, RELOAD_TARGETED);
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"reload_remote_schemas\":[\"rs1\",\"rs2\"],"
	    "\"reload_sources\":[\"default\",\"other\"],"
	    "\"recreate_event_triggers\":false}");
	free(s);
	json_decref(a);
	/* auto: the broken remote schemas, and every source. */
	a = hasura_reload_args(sets, 1, RELOAD_AUTO);
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"reload_remote_schemas\":[\"rs1\",\"rs2\"],"
	    "\"reload_sources\":true,\"recreate_event_triggers\":false}");
	free(s);
	json_decref(a);
	/* auto with nothing inconsistent still reloads the sources. */
	a = hasura_reload_args(NULL, 0, RELOAD_AUTO);
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"reload_remote_schemas\":[],"
	    "\"reload_sources\":true,\"recreate_event_triggers\":false}");
	free(s);
	json_decref(a);
	a = hasura_reload_args(sets, 1, RELOAD_FULL);
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{}");
	free(s);
	json_decref(a);
	objset_unref(ic.objects);
}

static void
test_pre_v24_reload(void **state)
{
	struct inconsistency	ic;
	struct err		e;
	const char		*old = "{\"message\":\"success\"}";
	const char		*new = "{\"is_consistent\":true,\"message\":"
				    "\"success\"}";

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(old, strlen(old), true,
	    &ic, &e), 0);
	assert_false(ic.has_is_consistent);
	assert_false(ic.is_consistent);		/* never trusted */
	objset_unref(ic.objects);
	assert_int_equal(hasura_parse_inconsistency(new, strlen(new), true,
	    &ic, &e), 0);
	assert_true(ic.has_is_consistent);
	assert_true(ic.is_consistent);
	objset_unref(ic.objects);
	/* Not acceptable as a get_inconsistent_metadata answer. */
	assert_int_equal(hasura_parse_inconsistency(old, strlen(old), false,
	    &ic, &e), -1);
}

static void
test_hostile(void **state)
{
	static const char *bad[] = {
		"", "{", "[]", "null", "42", "{\"is_consistent\":\"yes\"}",
		"{\"is_consistent\":true,\"inconsistent_objects\":{}}",
		"{\"is_consistent\":false,\"inconsistent_objects\":[1,\"x\",null]",
		"{\"a\":1,\"a\":2}",
	};
	struct inconsistency	ic;
	struct err		e;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(hasura_parse_inconsistency(bad[i],
		    strlen(bad[i]), false, &ic, &e), -1);
		assert_int_not_equal(e.kind, ERR_NONE);
		assert_null(strchr(e.msg, '\n'));
	}
	/* Non-object members are skipped, not fatal. */
	{
		const char *odd = "{\"is_consistent\":false,"
		    "\"inconsistent_objects\":[1,\"x\",{\"type\":7}]}";

		assert_int_equal(hasura_parse_inconsistency(odd, strlen(odd),
		    false, &ic, &e), 0);
		assert_int_equal(ic.objects->n, 1);
		assert_string_equal(ic.objects->v[0].type, "");
		objset_unref(ic.objects);
	}
	/* A raw NUL is refused cleanly; an escaped one is data. */
	{
		static const char nul[] = "{\"is_consistent\":true,"
		    "\"x\":\"a\0b\"}";
		static const char esc[] = "{\"is_consistent\":true,"
		    "\"x\":\"a\\u0000b\"}";

		assert_int_equal(hasura_parse_inconsistency(nul,
		    sizeof(nul) - 1, false, &ic, &e), -1);
		assert_int_equal(hasura_parse_inconsistency(esc,
		    sizeof(esc) - 1, false, &ic, &e), 0);
		objset_unref(ic.objects);
	}
}

static void
test_small_parsers(void **state)
{
	struct meta_summary	m;
	struct err		e;
	char			buf[64];
	int64_t			v;
	const char		*exp = "{\"resource_version\":8,\"metadata\":"
	    "{\"version\":3,\"sources\":[{\"name\":\"default\",\"tables\":["
	    "{\"table\":\"a\",\"event_triggers\":[{},{}]},{\"table\":\"b\"}]}],"
	    "\"remote_schemas\":[{}],\"actions\":[{},{},{}]}}";

	(void)state;
	{
		static const char ver[] = "{\"version\":\"v2.36.0\","
		    "\"server_type\":\"ce\"}";

		assert_int_equal(hasura_parse_version(ver, sizeof(ver) - 1,
		    buf, sizeof(buf), &e), 0);
	}
	assert_string_equal(buf, "v2.36.0");
	assert_int_equal(hasura_parse_version("{}", 2, buf, sizeof(buf), &e),
	    -1);
	assert_int_equal(hasura_parse_dump_version(
	    "{\"metadata_resource_version\":12}", 32, &v, &e), 0);
	assert_int_equal(v, 12);
	assert_int_equal(hasura_parse_dump_version("{\"x\":1}", 7, &v, &e),
	    -1);
	assert_int_equal(hasura_parse_export(exp, strlen(exp), &v, &m, &e), 0);
	assert_int_equal(v, 8);
	assert_true(m.known);
	assert_int_equal(m.sources, 1);
	assert_int_equal(m.tables, 2);
	assert_int_equal(m.event_triggers, 2);
	assert_int_equal(m.remote_schemas, 1);
	assert_int_equal(m.actions, 3);
	{
		/* From the text: the metadata part of exp, then the last of
		 * equal keys wins (as jansson), escapes in keys, non-arrays
		 * count 0, and anything but an object is not known. */
		static const char *const md[] = {
		    "{\"version\":3,\"sources\":[{\"name\":\"default\",\"tables\":["
		    "{\"table\":\"a\",\"event_triggers\":[{},{}]},{\"table\":\"b\"}]}],"
		    "\"remote_schemas\":[{}],\"actions\":[{},{},{}]}",
		    "{\"sources\":[{\"tables\":[{},{}]}],\"sources\":[{\"tables\":[{}],"
		    "\"tables\":[{\"event_triggers\":[1],\"event_triggers\":[1,2,3]}]},7],"
		    "\"remote_sch\\u0065mas\":[1,2],\"actions\":{\"a\":1},"
		    "\"cron_triggers\":[[],[]]}",
		    "[1,2]", "{\"sources\":[", "{} x",
		};
		static const int want[][7] = {	/* known, counts */
		    { 1, 1, 2, 1, 3, 2, 0 }, { 1, 2, 1, 2, 0, 3, 2 },
		    { 0 }, { 0 }, { 0 },
		};
		size_t	i;

		for (i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
			hasura_summarise_text(md[i], strlen(md[i]), &m);
			assert_int_equal(m.known, want[i][0]);
			assert_int_equal(m.sources, want[i][1]);
			assert_int_equal(m.tables, want[i][2]);
			assert_int_equal(m.remote_schemas, want[i][3]);
			assert_int_equal(m.actions, want[i][4]);
			assert_int_equal(m.event_triggers, want[i][5]);
			assert_int_equal(m.cron_triggers, want[i][6]);
		}
	}
	hasura_error_line("{\"path\":\"$\",\"error\":\"metadata resource "
	    "version referenced (2) did not match current version\",\"code\":"
	    "\"conflict\"}", 111, buf, sizeof(buf));
	assert_string_equal(buf, "conflict: metadata resource version "
	    "referenced (2) did not matc");
	hasura_error_line("<html>\x1b[2J", 11, buf, sizeof(buf));
	assert_string_equal(buf, "<html> [2J");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_inconsistency),
		cmocka_unit_test(test_pass_through),
		cmocka_unit_test(test_recorded_shapes),
		cmocka_unit_test(test_reload_args),
		cmocka_unit_test(test_pre_v24_reload),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_small_parsers),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
