/*
 * test_jsonl.c: the JSON-lines writer: key order, escaping, time format.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hasync/jsonl.h"

/* Write one line through jsonl_write into a memory buffer. */
static char *
capture(const char *level, const char *msg, json_t *fields)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(jsonl_write(fp, level, msg, fields), 0);
	fclose(fp);
	return (buf);
}

static void
test_order_and_shape(void **state)
{
	json_t	*f = json_object(), *line;
	char	*out;
	const char *t;

	(void)state;
	json_object_set_new(f, "error", json_string("metadata is inconsistent"));
	json_object_set_new(f, "instance", json_string("http://h:1"));
	out = capture("error", "Metadata is inconsistent.", f);
	json_decref(f);
	/* One line, newline-terminated, zerolog key order. */
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_true(strchr(out, '\n') + 1 == out + strlen(out));
	{
		const char *want = "{\"level\":\"error\",\"error\":"
		    "\"metadata is inconsistent\",\"instance\":\"http://h:1\","
		    "\"time\":\"";

		assert_true(strncmp(out, want, strlen(want)) == 0);
	}
	assert_non_null(strstr(out, "\",\"message\":\"Metadata is "
	    "inconsistent.\"}\n"));
	line = json_loads(out, 0, NULL);
	assert_non_null(line);
	t = json_string_value(json_object_get(line, "time"));
	assert_non_null(t);
	json_decref(line);
	free(out);
}

static void
test_escaping(void **state)
{
	json_t	*f = json_object(), *line;
	char	*out;

	(void)state;
	json_object_set_new(f, "reason", jsonl_string("a\"b\\c\n\x1b[2J\x07"));
	json_object_set_new(f, "bad", jsonl_string("ok\xff\xfe!"));
	out = capture("info", "quote \" and newline\n", f);
	json_decref(f);
	/* No raw control characters: everything is escaped per JSON. */
	for (const char *p = out; p[1] != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(out, "a\\\"b\\\\c\\n\\u001B[2J\\u0007"));
	line = json_loads(out, 0, NULL);
	assert_non_null(line);
	assert_string_equal(json_string_value(json_object_get(line, "bad")),
	    "ok\xef\xbf\xbd\xef\xbf\xbd!");
	assert_string_equal(json_string_value(json_object_get(line,
	    "message")), "quote \" and newline\n");
	json_decref(line);
	free(out);
}

static void
test_time_format(void **state)
{
	char	buf[64];

	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	jsonl_time(1697127203, buf, sizeof(buf));	/* 2023-10-12 16:13:23Z */
	assert_string_equal(buf, "2023-10-12T18:13:23+02:00");
	setenv("TZ", "America/St_Johns", 1);		/* -02:30 in October */
	tzset();
	jsonl_time(1697127203, buf, sizeof(buf));
	assert_string_equal(buf, "2023-10-12T13:43:23-02:30");
	setenv("TZ", "UTC", 1);
	tzset();
	jsonl_time(1697127203, buf, sizeof(buf));
	assert_string_equal(buf, "2023-10-12T16:13:23Z");
}

static void
test_reserved_keys(void **state)
{
	json_t	*f = json_object();
	char	*out;

	(void)state;
	json_object_set_new(f, "level", json_string("spoof"));
	json_object_set_new(f, "message", json_string("spoof"));
	out = capture("info", "real", f);
	json_decref(f);
	assert_null(strstr(out, "spoof"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_shape),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_reserved_keys),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
