/*
 * test_url.c: endpoint URL validation, database URLs, Sentry DSNs and
 * credential-free labels.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/err.h"
#include "hasync/url.h"

static void
good(const char *in, const char *want)
{
	char		out[256];
	struct err	e;

	if (url_check_http(in, "endpoint", out, sizeof(out), &e) != 0)
		fail_msg("'%s' rejected: %s", in, e.msg);
	assert_string_equal(out, want);
}

static void
bad(const char *in)
{
	char		out[256];
	struct err	e = { 0 };

	if (url_check_http(in, "endpoint", out, sizeof(out), &e) == 0)
		fail_msg("'%s' accepted", in);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, "endpoint"));
}

static void
test_http(void **state)
{
	(void)state;
	good("http://hasura-0:8080", "http://hasura-0:8080");
	good("http://hasura-0:8080/", "http://hasura-0:8080");
	good("https://h.example.com", "https://h.example.com");
	good("http://127.0.0.1:1/prefix/", "http://127.0.0.1:1/prefix");
	good("http://[::1]:8080", "http://[::1]:8080");
	bad("");
	bad("hasura-0:8080");
	bad("ftp://h");
	bad("http://");
	bad("http://:80");
	bad("http://h:0");
	bad("http://h:65536");
	bad("http://h:80x");
	bad("http://h h");
	bad("http://h\x1b[2J");
	bad("http://user:pw@h");
	bad("http://h/?q=1");
	bad("http://[::1");
}

static void
test_pg(void **state)
{
	struct err	e;

	(void)state;
	assert_int_equal(url_check_pg("postgres://u:p@h:5432/db", &e), 0);
	assert_int_equal(url_check_pg("postgresql://h/db?sslmode=require",
	    &e), 0);
	assert_int_equal(url_check_pg("host=h port=5432 dbname=x", &e), 0);
	assert_int_equal(url_check_pg("", &e), -1);
	assert_int_equal(url_check_pg("mysql://h/db", &e), -1);
	assert_int_equal(url_check_pg("host='unterminated", &e), -1);
	assert_non_null(strstr(e.msg, "database URL"));
	assert_int_equal(url_check_pg("bogus_key=1", &e), -1);
}

static void
test_label(void **state)
{
	char	buf[128];

	(void)state;
	url_pg_label("postgres://user:hunter2@db.internal:6432/meta", buf,
	    sizeof(buf));
	assert_string_equal(buf, "db.internal:6432/meta");
	url_pg_label("host=h dbname=x password=hunter2", buf, sizeof(buf));
	assert_string_equal(buf, "h/x");
	assert_null(strstr(buf, "hunter2"));
}

static void
test_sentry(void **state)
{
	struct sentry_dsn	d;
	struct err		e;

	(void)state;
	assert_int_equal(url_parse_sentry_dsn(
	    "https://abc123@o1.ingest.sentry.io/4505", &d, &e), 0);
	assert_string_equal(d.public_key, "abc123");
	assert_string_equal(d.project_id, "4505");
	assert_string_equal(d.envelope_url,
	    "https://o1.ingest.sentry.io/api/4505/envelope/");
	assert_int_equal(url_parse_sentry_dsn(
	    "http://key:secret@127.0.0.1:9000/prefix/7", &d, &e), 0);
	assert_string_equal(d.public_key, "key");
	assert_string_equal(d.envelope_url,
	    "http://127.0.0.1:9000/prefix/api/7/envelope/");
	assert_int_equal(url_parse_sentry_dsn("https://sentry.io/1", &d, &e),
	    -1);
	assert_int_equal(url_parse_sentry_dsn("https://k@sentry.io", &d, &e),
	    -1);
	assert_int_equal(url_parse_sentry_dsn("https://k@sentry.io/abc", &d,
	    &e), -1);
	assert_int_equal(url_parse_sentry_dsn("k@sentry.io/1", &d, &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_sentry),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
