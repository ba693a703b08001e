/*
 * test_config.c: option parsing, precedence (flag > env > file > default)
 * and every configuration error of hasync's command line.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hasync/config.h"
#include "hasync/err.h"

static char tmpdir[] = "/tmp/hasync-unit.XXXXXX";

/* Parse a NULL-terminated argv (without argv[0]) with envp; returns rc. */
static int
load(struct config *c, struct err *e, char **envp, ...)
{
	char	*argv[64];
	int	 argc = 0;
	va_list	 ap;
	char	*a;

	argv[argc++] = (char *)"hasync";
	va_start(ap, envp);
	while ((a = va_arg(ap, char *)) != NULL && argc < 63)
		argv[argc++] = strdup(a);	/* config may wipe values */
	va_end(ap);
	argv[argc] = NULL;
	config_defaults(c);
	memset(e, 0, sizeof(*e));
	int rc = config_load(c, argc, argv, envp, e);
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	return (rc);
}

static char *
write_file(const char *name, const char *content)
{
	static char	path[256];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
	return (path);
}

static char *no_env[] = { (char *)"HOME=/nonexistent", NULL };

static void
test_defaults(void **state)
{
	struct config	c;
	struct err	e;

	(void)state;
	assert_int_equal(load(&c, &e, no_env, NULL), 0);
	assert_int_equal(c.poll_interval_ms, 1000);
	assert_int_equal(c.probe_interval_ms, 5000);
	assert_int_equal(c.timeout_ms, 10000);
	assert_int_equal(c.connect_timeout_ms, 3000);
	assert_int_equal(c.reload_scope, RELOAD_AUTO);
	assert_int_equal(c.wait_s, 0);
	assert_int_equal(c.format, FORMAT_JSON);
	assert_int_equal(c.mode, MODE_CONSOLE);
	assert_false(c.auto_reload);
	assert_false(c.readonly);
	assert_null(c.admin_secret);
	assert_null(c.database_url);
	assert_int_equal(c.n_endpoints, 0);
	config_free(&c);
}

static void
test_all_flags(void **state)
{
	struct config	c;
	struct err	e;
	char		*secret = write_file("secret", "s3cr3t\n");
	char		 sp[256];

	(void)state;
	snprintf(sp, sizeof(sp), "%s", secret);
	assert_int_equal(load(&c, &e, no_env, "-e", "http://h0:8080/",
	    "--endpoint=https://h1", "--admin-secret-file", sp,
	    "-d", "postgres://u:pw@db:5432/meta", "--poll-interval", "250",
	    "--probe-interval=700", "--timeout", "1500", "--connect-timeout",
	    "900", "--reload-scope", "full", "--wait", "30", "--auto-reload",
	    "--sentry-dsn", "https://abc@sentry.example:9000/42",
	    "--sentry-env", "prod", "--format", "text", "--readonly",
	    "--no-color", "--insecure", "--audit-log", "/tmp/a.log",
	    "--batch", NULL), 0);
	assert_int_equal(c.n_endpoints, 2);
	assert_string_equal(c.endpoints[0], "http://h0:8080");
	assert_string_equal(c.endpoints[1], "https://h1");
	assert_string_equal(c.admin_secret, "s3cr3t");
	assert_string_equal(c.database_url, "postgres://u:pw@db:5432/meta");
	assert_int_equal(c.poll_interval_ms, 250);
	assert_int_equal(c.probe_interval_ms, 700);
	assert_int_equal(c.timeout_ms, 1500);
	assert_int_equal(c.connect_timeout_ms, 900);
	assert_int_equal(c.reload_scope, RELOAD_FULL);
	assert_int_equal(c.wait_s, 30);
	assert_true(c.auto_reload);
	assert_string_equal(c.sentry_env, "prod");
	assert_int_equal(c.format, FORMAT_TEXT);
	assert_true(c.readonly);
	assert_true(c.no_color);
	assert_true(c.insecure);
	assert_string_equal(c.audit_log, "/tmp/a.log");
	assert_int_equal(c.mode, MODE_BATCH);
	assert_int_equal(c.n_warnings, 1);	/* --insecure warns */
	assert_non_null(strstr(c.warnings[0], "insecure"));
	config_free(&c);
}

static void
test_precedence(void **state)
{
	struct config	c;
	struct err	e;
	char		file[256], envcfg[300];

	(void)state;
	snprintf(file, sizeof(file), "%s", write_file("cfg",
	    "# a comment\n\npoll-interval = 300\n"
	    "endpoint = http://from-file:1\n"
	    "probe-interval=4000\n  timeout = 2000  \nreadonly\n"));
	snprintf(envcfg, sizeof(envcfg), "HASYNC_CONFIG=%s", file);
	char *env[] = { envcfg,
	    (char *)"HASURA_GRAPHQL_ENDPOINT=http://env-a:1, http://env-b:2",
	    (char *)"HASURA_GRAPHQL_ADMIN_SECRET=envsecret", NULL };

	/* File only where nothing else sets the value. */
	assert_int_equal(load(&c, &e, env, "--timeout", "5000", NULL), 0);
	assert_string_equal(c.config_file, file);
	assert_int_equal(c.poll_interval_ms, 300);	/* file */
	assert_int_equal(c.probe_interval_ms, 4000);	/* file */
	assert_int_equal(c.timeout_ms, 5000);		/* flag beats file */
	assert_true(c.readonly);
	/* The environment's list replaces the file's endpoint. */
	assert_int_equal(c.n_endpoints, 2);
	assert_string_equal(c.endpoints[0], "http://env-a:1");
	assert_string_equal(c.endpoints[1], "http://env-b:2");
	assert_string_equal(c.admin_secret, "envsecret");
	config_free(&c);

	/* Flags replace the environment's endpoints and secret. */
	assert_int_equal(load(&c, &e, env, "-e", "http://flag:3",
	    "--poll-interval", "100", NULL), 0);
	assert_int_equal(c.n_endpoints, 1);
	assert_string_equal(c.endpoints[0], "http://flag:3");
	assert_int_equal(c.poll_interval_ms, 100);
	config_free(&c);
	assert_int_equal(load(&c, &e, env, "--admin-secret", "flagsecret",
	    NULL), 0);
	assert_string_equal(c.admin_secret, "flagsecret");
	config_free(&c);

	/* -c beats HASYNC_CONFIG. */
	char other[256];
	snprintf(other, sizeof(other), "%s", write_file("cfg2",
	    "poll-interval = 777\n"));
	assert_int_equal(load(&c, &e, env, "-c", other, NULL), 0);
	assert_int_equal(c.poll_interval_ms, 777);
	config_free(&c);
}

static void
test_xdg_default(void **state)
{
	struct config	c;
	struct err	e;
	char		dir[256], xdg[300];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/xdg/hasync", tmpdir);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	assert_int_equal(system(cmd), 0);
	write_file("xdg/hasync/config", "probe-interval = 1234\n");
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/xdg", tmpdir);
	char *env[] = { xdg, NULL };
	assert_int_equal(load(&c, &e, env, NULL), 0);
	assert_int_equal(c.probe_interval_ms, 1234);
	config_free(&c);
	/* A missing default file is fine. */
	char *env2[] = { (char *)"XDG_CONFIG_HOME=/nonexistent", NULL };
	assert_int_equal(load(&c, &e, env2, NULL), 0);
	assert_null(c.config_file);
	config_free(&c);
}

static void
test_database_env_order(void **state)
{
	struct config	c;
	struct err	e;
	char *env[] = {
	    (char *)"HASURA_GRAPHQL_DATABASE_URL=postgres://data/db",
	    (char *)"HASURA_GRAPHQL_METADATA_DATABASE_URL=postgres://meta/db",
	    NULL };
	char *env2[] = {
	    (char *)"HASURA_GRAPHQL_DATABASE_URL=postgres://data/db", NULL };

	(void)state;
	assert_int_equal(load(&c, &e, env, NULL), 0);
	assert_string_equal(c.database_url, "postgres://meta/db");
	config_free(&c);
	assert_int_equal(load(&c, &e, env2, NULL), 0);
	assert_string_equal(c.database_url, "postgres://data/db");
	config_free(&c);
	assert_int_equal(load(&c, &e, env2, "-d", "host=x dbname=y", NULL),
	    0);
	assert_string_equal(c.database_url, "host=x dbname=y");
	config_free(&c);
}

/* Expect a usage error whose message contains want. */
static void
expect_error(struct err *e, int rc, const char *want)
{
	assert_int_equal(rc, -1);
	assert_int_equal(e->kind, ERR_USAGE);
	if (strstr(e->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", e->msg, want);
	assert_null(strchr(e->msg, '\n'));
}

static void
test_errors(void **state)
{
	struct config	c;
	struct err	e;

	(void)state;
	expect_error(&e, load(&c, &e, no_env, "--bogus", NULL),
	    "unknown option '--bogus'");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-x", NULL),
	    "unknown option '-x'");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-e", "ftp://x", NULL),
	    "is not an http:// or https:// URL");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-e", "http://", NULL),
	    "valid host");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-e", "http://h:99999", NULL),
	    "valid host");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-e", "http://u:p@h", NULL),
	    "credentials");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--poll-interval", "fast",
	    NULL), "--poll-interval: 'fast' is not a whole number");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--poll-interval", "0", NULL),
	    "from 10 to");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--timeout", "12x", NULL),
	    "--timeout");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--wait", "-1", NULL),
	    "--wait");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--timeout", NULL),
	    "needs a value");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--batch=yes", NULL),
	    "takes no value");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--admin-secret-file",
	    "/nonexistent/secret", NULL), "cannot read admin secret file "
	    "/nonexistent/secret");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--reload-scope", "some",
	    NULL), "'targeted' or 'full'");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--format", "xml", NULL),
	    "'json' or 'text'");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-d", "mysql://x", NULL),
	    "database URL");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--sentry-dsn", "nope", NULL),
	    "sentry DSN");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "stray", NULL),
	    "unexpected argument 'stray'");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "-c", "/nonexistent/cfg",
	    NULL), "cannot read config file /nonexistent/cfg");
	config_free(&c);
	/* Old-tool names are only for "hasync reload". */
	expect_error(&e, load(&c, &e, no_env, "--hasura-endpoint", "http://h",
	    NULL), "unknown option '--hasura-endpoint'");
	config_free(&c);

	char bad[256];
	snprintf(bad, sizeof(bad), "%s", write_file("bad", "poll = 3\n"));
	expect_error(&e, load(&c, &e, no_env, "-c", bad, NULL),
	    ":1: unknown setting 'poll'");
	config_free(&c);
	snprintf(bad, sizeof(bad), "%s", write_file("bad2",
	    "# ok\ntimeout = soon\n"));
	expect_error(&e, load(&c, &e, no_env, "-c", bad, NULL),
	    ":2: --timeout: 'soon'");
	config_free(&c);
	snprintf(bad, sizeof(bad), "%s", write_file("empty", "\n"));
	expect_error(&e, load(&c, &e, no_env, "--admin-secret-file", bad,
	    NULL), "is empty");
	config_free(&c);
}

static void
test_check(void **state)
{
	struct config	c;
	struct err	e;

	(void)state;
	assert_int_equal(load(&c, &e, no_env, "--batch", NULL), 0);
	expect_error(&e, config_check(&c, false, &e), "no Hasura endpoint: "
	    "pass --endpoint URL or set HASURA_GRAPHQL_ENDPOINT");
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "-e", "http://h", NULL), 0);
	expect_error(&e, config_check(&c, false, &e), "stdout is not a "
	    "terminal: use --batch");
	assert_int_equal(config_check(&c, true, &e), 0);
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "-e", "http://h", "--watch",
	    NULL), 0);
	assert_int_equal(c.mode, MODE_BATCH);
	assert_int_equal(config_check(&c, false, &e), 0);
	config_free(&c);
}

static void
test_secret_in_argv(void **state)
{
	struct config	c;
	struct err	e;
	char		arg[] = "topsecret";
	char		*argv[] = { (char *)"hasync", (char *)"--admin-secret",
	    arg, NULL };

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, 3, argv, no_env, &e), 0);
	assert_string_equal(c.admin_secret, "topsecret");
	assert_int_equal(arg[0], '\0');		/* wiped from argv */
	assert_int_equal(c.n_warnings, 1);
	assert_non_null(strstr(c.warnings[0], "visible"));
	assert_null(strstr(c.warnings[0], "topsecret"));
	config_free(&c);
}

static void
test_reload_command(void **state)
{
	struct config	c;
	struct err	e;
	char *env[] = { (char *)"HASURA_ENDPOINT=http://old-env:8080",
	    (char *)"HASURA_ADMIN_SECRET=oldsecret",
	    (char *)"SENTRY_DSN=https://k@sentry.local/7",
	    (char *)"SENTRY_ENV=staging", NULL };

	(void)state;
	assert_int_equal(load(&c, &e, env, "reload", NULL), 0);
	assert_true(c.reload_command);
	assert_true(c.reload);
	assert_int_equal(c.mode, MODE_BATCH);
	assert_int_equal(c.n_endpoints, 1);
	assert_string_equal(c.endpoints[0], "http://old-env:8080");
	assert_string_equal(c.admin_secret, "oldsecret");
	assert_string_equal(c.sentry_dsn, "https://k@sentry.local/7");
	assert_string_equal(c.sentry_env, "staging");
	config_free(&c);

	assert_int_equal(load(&c, &e, no_env, "reload",
	    "--hasura-endpoint=http://h:1", "--hasura-admin-secret", "x",
	    "--sentry-env", "dev", NULL), 0);
	assert_string_equal(c.endpoints[0], "http://h:1");
	assert_string_equal(c.admin_secret, "x");
	assert_string_equal(c.sentry_env, "dev");
	config_free(&c);

	/* First-release names. */
	assert_int_equal(load(&c, &e, no_env, "reload",
	    "--endpoint=http://h:2", "--admin-secret=y", NULL), 0);
	assert_string_equal(c.endpoints[0], "http://h:2");
	assert_string_equal(c.admin_secret, "y");
	config_free(&c);

	/* Global options before the subcommand, as the reloader takes its
	 * persistent flags; values that look like "reload" are values. */
	assert_int_equal(load(&c, &e, no_env, "--sentry-env", "reload",
	    "-e", "http://h:3", "reload", "--hasura-admin-secret", "z", NULL),
	    0);
	assert_true(c.reload_command);
	assert_int_equal(c.mode, MODE_BATCH);
	assert_string_equal(c.sentry_env, "reload");
	assert_string_equal(c.endpoints[0], "http://h:3");
	assert_string_equal(c.admin_secret, "z");
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "--timeout=2000", "reload",
	    NULL), 0);
	assert_true(c.reload_command);
	assert_int_equal(c.timeout_ms, 2000);
	config_free(&c);
	/* Twice is an error; so is the old tool's name without it. */
	assert_int_equal(load(&c, &e, no_env, "reload", "reload", NULL), -1);
	assert_non_null(strstr(e.msg, "twice"));
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "--hasura-endpoint", "http://h",
	    NULL), -1);
	config_free(&c);
}

static void
test_help_version(void **state)
{
	struct config	c;
	struct err	e;

	(void)state;
	assert_int_equal(load(&c, &e, no_env, "--poll-interval", "bad", "-h",
	    NULL), 0);
	assert_true(c.help);
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "-V", NULL), 0);
	assert_true(c.version);
	config_free(&c);
}

static void
test_parse_long(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(config_parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(config_parse_long("101", 0, 100, &v), -1);
	assert_int_equal(config_parse_long("", 0, 100, &v), -1);
	assert_int_equal(config_parse_long(" 4", 0, 100, &v), -1);
	assert_int_equal(config_parse_long("99999999999999999999", 0,
	    100, &v), -1);
}

/* --max-body-mb: 2048 and 4096 MiB need 64-bit arithmetic; above the
 * maximum is a clear usage error. */
static void
test_max_body(void **state)
{
	struct config	c;
	struct err	e;

	(void)state;
	assert_int_equal(load(&c, &e, no_env, "--max-body-mb", "2048", NULL),
	    0);
	assert_true(c.max_body_bytes == (int64_t)2048 * 1024 * 1024);
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "--max-body-mb", "4096", NULL),
	    0);
	assert_true(c.max_body_bytes == (int64_t)4096 * 1024 * 1024);
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--max-body-mb", "4097", NULL),
	    "--max-body-mb: 4097 is above the maximum of 4096 (4 GiB)");
	config_free(&c);
	expect_error(&e, load(&c, &e, no_env, "--max-body-mb", "0", NULL),
	    "from 1 to 4096");
	config_free(&c);
}

static int
setup(void **state)
{
	(void)state;
	return (mkdtemp(tmpdir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	char	cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return (system(cmd) == 0 ? 0 : -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_flags),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_xdg_default),
		cmocka_unit_test(test_database_env_order),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_secret_in_argv),
		cmocka_unit_test(test_reload_command),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_max_body),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
