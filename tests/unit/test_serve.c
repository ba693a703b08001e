/*
 * test_serve.c: hasync serve's pure parts: request routing and access
 * (route.c), the /metrics body (metrics.c), the readiness gate (ready.c),
 * the reload answers (answer.c), --listen (url.c) and the serve options of
 * config.c. Snapshots are built by hand here; the server itself is tested
 * end to end by tests/integration/serve*.sh.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/serve_answer.h"
#include "hasync/serve_metrics.h"
#include "hasync/serve_ready.h"
#include "hasync/serve_route.h"
#include "hasync/snapshot.h"
#include "hasync/url.h"

/* ---- a hand-made snapshot ---- */

struct fake {
	struct snapshot		s;
	struct snap_instance	inst[4];
	struct objset		sets[4];
	struct object		objs[4][64];
};

static void
fake_init(struct fake *f, size_t n)
{
	size_t	i;

	memset(f, 0, sizeof(*f));
	f->s.seq = 1;
	f->s.db = DB_OK;
	f->s.resource_version = 7;
	f->s.built_mono = 100;
	f->s.probed_mono = 100;
	f->s.grace_seconds = 2;
	f->s.reload_via = -1;
	f->s.stats.round_seconds = 0.25;
	f->s.inst = f->inst;
	f->s.n_inst = n;
	for (i = 0; i < n; i++) {
		f->inst[i].endpoint = (char *)(i == 0 ? "http://h0:8080" :
		    i == 1 ? "http://h1:8080" : i == 2 ? "http://h2:8080" :
		    "http://h3:8080");
		f->inst[i].health = HEALTH_OK;
		f->inst[i].latency_ms = 12;
		f->inst[i].server_version = (char *)"v2.36.0";
		f->inst[i].consistency_known = true;
		f->inst[i].consistent = true;
		f->inst[i].objects = &f->sets[i];
		f->sets[i].v = f->objs[i];
		f->inst[i].mem_version = 7;
		f->inst[i].verdict = VERDICT_OK;
		f->inst[i].verdict_text = (char *)"consistent at resource_version 7";
		f->inst[i].last_ok = 1700000000;
	}
}

/* Give instance i n objects of the types in types (cycled). */
static void
fake_objects(struct fake *f, size_t i, size_t n, const char *const *types,
    size_t ntypes)
{
	size_t	k;

	for (k = 0; k < n; k++) {
		f->objs[i][k].type = types[k % ntypes];
		f->objs[i][k].name = "x";
		f->objs[i][k].reason = "r";
		f->objs[i][k].raw = "{\"type\":\"table\"}";
		f->objs[i][k].raw_len = strlen(f->objs[i][k].raw);
	}
	f->sets[i].n = n;
	f->inst[i].consistent = n == 0;
	f->inst[i].verdict = n == 0 ? VERDICT_OK : VERDICT_INCONSISTENT;
}

/* ---- routing and access ---- */

static const char *const labels[] = { "hasura-0", NULL, NULL };
static const char *const endpoints[] = { "http://h0:8080",
    "http://h1:8080/r1", "https://h2" };
static const struct route_names names = { labels, endpoints, 3 };

static void
test_route(void **state)
{
	struct route	r;
	char		long_path[ROUTE_PATH_MAX + 10];

	(void)state;
	route_request("GET", "/metrics", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_METRICS);
	route_request("HEAD", "/metrics", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_METRICS);
	route_request("POST", "/metrics", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_ERROR);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET, HEAD");
	route_request("GET", "/healthz", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_HEALTHZ);
	route_request("GET", "/", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_INDEX);
	route_request("GET", "/readyz", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_READYZ);
	assert_int_equal(r.replica, -1);
	/* A replica by label, endpoint, endpoint without scheme, number. */
	route_request("GET", "/readyz/hasura-0", &names, false, &r);
	assert_int_equal(r.replica, 0);
	route_request("GET", "/readyz/h1:8080/r1", &names, false, &r);
	assert_int_equal(r.replica, 1);
	route_request("GET", "/readyz/https://h2", &names, false, &r);
	assert_int_equal(r.replica, 2);
	route_request("GET", "/readyz/3", &names, false, &r);
	assert_int_equal(r.replica, 2);
	route_request("GET", "/readyz/4", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("GET", "/readyz/0", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("GET", "/readyz/", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("GET", "/readyz/-1", &names, false, &r);
	assert_int_equal(r.status, 404);
	/* Reload: POST only, unless hasync server (any method, as the
	 * reloader). */
	route_request("POST", "/reload_metadata", &names, false, &r);
	assert_int_equal(r.kind, ROUTE_RELOAD);
	route_request("GET", "/reload_metadata", &names, false, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "POST");
	route_request("GET", "/reload_metadata", &names, true, &r);
	assert_int_equal(r.kind, ROUTE_RELOAD);
	/* Unknown, odd and hostile. */
	route_request("GET", "/metrics/", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("GET", "/../metrics", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("GET", "", &names, false, &r);
	assert_int_equal(r.status, 404);
	route_request("", "/metrics", &names, false, &r);
	assert_int_equal(r.status, 400);
	route_request(NULL, "/metrics", &names, false, &r);
	assert_int_equal(r.status, 400);
	route_request("GET", NULL, NULL, false, &r);
	assert_int_equal(r.status, 400);
	route_request("get", "/metrics", &names, false, &r);
	assert_int_equal(r.status, 405);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	route_request("GET", long_path, &names, false, &r);
	assert_int_equal(r.status, 414);
	route_request("GET", "/readyz/x", NULL, false, &r);
	assert_int_equal(r.status, 404);
}

static void
test_bearer(void **state)
{
	(void)state;
	assert_true(route_bearer_ok("Bearer s3cret", "s3cret"));
	assert_true(route_bearer_ok("bearer s3cret", "s3cret"));
	assert_true(route_bearer_ok("Bearer   s3cret  ", "s3cret"));
	assert_false(route_bearer_ok("Bearer s3cre", "s3cret"));
	assert_false(route_bearer_ok("Bearer s3cretX", "s3cret"));
	assert_false(route_bearer_ok("Bearer s3cret x", "s3cret"));
	assert_false(route_bearer_ok("Basic s3cret", "s3cret"));
	assert_false(route_bearer_ok("Bearers3cret", "s3cret"));
	assert_false(route_bearer_ok("Bearer ", "s3cret"));
	assert_false(route_bearer_ok("", "s3cret"));
	assert_false(route_bearer_ok(NULL, "s3cret"));
	assert_false(route_bearer_ok("Bearer x", NULL));
	assert_false(route_bearer_ok("Bearer ", ""));
}

static void
test_gzip_accepted(void **state)
{
	(void)state;
	assert_true(route_accepts_gzip("gzip"));
	assert_true(route_accepts_gzip("gzip, deflate"));
	assert_true(route_accepts_gzip("deflate, GZIP;q=0.5"));
	assert_true(route_accepts_gzip("identity, x-gzip"));
	assert_true(route_accepts_gzip("*"));
	assert_true(route_accepts_gzip(" br ; q=1 , gzip ; q=1.0 "));
	assert_false(route_accepts_gzip(NULL));
	assert_false(route_accepts_gzip(""));
	assert_false(route_accepts_gzip("identity"));
	assert_false(route_accepts_gzip("gzip;q=0"));
	assert_false(route_accepts_gzip("gzip;q=0, *"));
	assert_false(route_accepts_gzip("*;q=0"));
	assert_false(route_accepts_gzip("gzipx, deflate"));
	assert_false(route_accepts_gzip("br;q=1,gzip;q=0.000"));
}

static void
test_access(void **state)
{
	struct route_access	none = { NULL, false, false };
	struct route_access	tok = { "t0k", false, false };
	struct route_access	tok_lo = { "t0k", true, false };
	struct route_access	lo = { NULL, true, false };
	struct route_access	open = { NULL, false, true };

	(void)state;
	/* /metrics: open without a token, else the token. */
	assert_int_equal(route_allowed(ROUTE_METRICS, NULL, &none), 0);
	assert_int_equal(route_allowed(ROUTE_METRICS, NULL, &tok), 401);
	assert_int_equal(route_allowed(ROUTE_METRICS, NULL, &tok_lo), 401);
	assert_int_equal(route_allowed(ROUTE_METRICS, "Bearer t0k", &tok), 0);
	assert_int_equal(route_allowed(ROUTE_METRICS, "Bearer nope", &tok),
	    401);
	/* Probes need nothing; a wrong token is still refused. */
	assert_int_equal(route_allowed(ROUTE_READYZ, NULL, &tok), 0);
	assert_int_equal(route_allowed(ROUTE_HEALTHZ, "Bearer bad", &tok),
	    401);
	assert_int_equal(route_allowed(ROUTE_HEALTHZ, "Bearer bad", &none),
	    0);
	/* Reload: a token or a loopback peer; hasync server opens it. */
	assert_int_equal(route_allowed(ROUTE_RELOAD, NULL, &none), 403);
	assert_int_equal(route_allowed(ROUTE_RELOAD, NULL, &lo), 0);
	assert_int_equal(route_allowed(ROUTE_RELOAD, NULL, &open), 0);
	assert_int_equal(route_allowed(ROUTE_RELOAD, NULL, &tok), 401);
	assert_int_equal(route_allowed(ROUTE_RELOAD, NULL, &tok_lo), 0);
	assert_int_equal(route_allowed(ROUTE_RELOAD, "Bearer t0k", &tok), 0);
	assert_int_equal(route_allowed(ROUTE_RELOAD, "Bearer x", &tok_lo),
	    401);
}

static void
test_listen(void **state)
{
	struct listen_addr	a;
	struct err		e;

	(void)state;
	assert_int_equal(url_parse_listen("127.0.0.1:8719", &a, &e), 0);
	assert_true(a.loopback);
	assert_false(a.any);
	assert_int_equal(a.port, 8719);
	assert_int_equal(url_parse_listen("localhost:0", &a, &e), 0);
	assert_true(a.loopback);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(url_parse_listen("[::1]:9", &a, &e), 0);
	assert_true(a.loopback);
	assert_int_equal(url_parse_listen("0.0.0.0:80", &a, &e), 0);
	assert_true(a.any);
	assert_false(a.loopback);
	assert_int_equal(url_parse_listen("*:8080", &a, &e), 0);
	assert_true(a.any);
	assert_int_equal(url_parse_listen(":8080", &a, &e), 0);
	assert_true(a.any);
	assert_int_equal(url_parse_listen("10.1.2.3:1", &a, &e), 0);
	assert_false(a.loopback);
	assert_int_equal(url_parse_listen("[::]:1", &a, &e), 0);
	assert_true(a.any);
	assert_int_equal(url_parse_listen("8719", &a, &e), -1);
	assert_int_equal(url_parse_listen("host.example:80", &a, &e), -1);
	assert_non_null(strstr(e.msg, "not resolved"));
	assert_int_equal(url_parse_listen("127.0.0.1:65536", &a, &e), -1);
	assert_int_equal(url_parse_listen("127.0.0.1:-1", &a, &e), -1);
	assert_int_equal(url_parse_listen("127.0.0.1:", &a, &e), -1);
	assert_int_equal(url_parse_listen("::1:80", &a, &e), -1);
	assert_int_equal(url_parse_listen("[zz]:80", &a, &e), -1);
	assert_int_equal(url_parse_listen(NULL, &a, &e), -1);
}

/* ---- /metrics ---- */

/* Lines of body that start with prefix. */
static int
count_lines(const char *body, const char *prefix)
{
	const char	*p = body;
	int		 n = 0;

	while (*p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return (n);
}

static void
test_metrics_empty(void **state)
{
	size_t	 len;
	char	*m = metrics_render(NULL, "1.2.3", &len);

	(void)state;
	assert_int_equal(len, strlen(m));
	assert_non_null(strstr(m, "hasync_build_info{version=\"1.2.3\"} 1\n"));
	assert_null(strstr(m, "hasync_replica"));
	free(m);
}

static void
test_metrics(void **state)
{
	static const char *const types[] = { "table", "remote_schema",
	    "array_relation" };
	struct fake	 f;
	size_t		 len, i;
	char		*m, line[256];

	(void)state;
	fake_init(&f, 3);
	f.inst[0].label = (char *)"hasura-0";
	fake_objects(&f, 1, 5, types, 3);
	f.inst[2].health = HEALTH_UNREACHABLE;
	f.inst[2].last_error = (char *)"connection refused";
	f.inst[2].verdict = VERDICT_UNREACHABLE;
	f.inst[2].latency_ms = -1;
	f.inst[1].behind_by = 2;
	f.inst[1].lag_seconds = 12.5;
	f.inst[1].mem_version = 5;
	f.s.version_changed_at = 1700000100;
	f.s.stats.reloads[0][RELOAD_RESULT_CONSISTENT] = 3;
	f.s.stats.reloads[2][RELOAD_RESULT_FAILED] = 1;
	f.s.stats.reload_buckets[0] = 1;	/* <= 0.1 */
	f.s.stats.reload_buckets[3] = 2;	/* <= 1 */
	f.s.stats.reload_count = 4;		/* one over 120 s */
	f.s.stats.reload_seconds = 130.5;
	f.s.stats.sentry_sent = 2;
	m = metrics_render(&f.s, "0.1.0", &len);
	assert_int_equal(len, strlen(m));

	/* Every family has one HELP and one TYPE. */
	assert_int_equal(count_lines(m, "# HELP hasync_replica_health "), 1);
	assert_int_equal(count_lines(m, "# TYPE hasync_replica_health gauge"),
	    1);
	assert_int_equal(count_lines(m, "# TYPE hasync_reloads_total counter"),
	    1);
	/* Labels: the -e name, else the endpoint. */
	assert_non_null(strstr(m, "hasync_replica_up{replica=\"hasura-0\"} 1\n"));
	assert_non_null(strstr(m,
	    "hasync_replica_up{replica=\"http://h2:8080\"} 0\n"));
	/* One-hot: ten states a replica, exactly one of them 1. */
	assert_int_equal(count_lines(m, "hasync_replica_health{"), 30);
	assert_int_equal(count_lines(m,
	    "hasync_replica_health{replica=\"http://h1:8080\""), 10);
	assert_non_null(strstr(m, "hasync_replica_health{replica=\"http://h1:"
	    "8080\",state=\"inconsistent\"} 1\n"));
	assert_non_null(strstr(m, "hasync_replica_health{replica=\"http://h2:"
	    "8080\",state=\"unreachable\"} 1\n"));
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "hasync_replica_health{replica="
		    "\"%s\",state=\"ok\"} 1", i == 0 ? "hasura-0" :
		    f.inst[i].endpoint);
		assert_true((strstr(m, line) != NULL) == (i == 0));
	}
	/* Behind. */
	assert_non_null(strstr(m, "hasync_replica_versions_behind{replica="
	    "\"http://h1:8080\"} 2\n"));
	assert_non_null(strstr(m, "hasync_replica_behind_seconds{replica="
	    "\"http://h1:8080\"} 12.5\n"));
	assert_non_null(strstr(m, "hasync_replica_resource_version{replica="
	    "\"http://h1:8080\"} 5\n"));
	assert_non_null(strstr(m, "hasync_replica_latency_seconds{replica="
	    "\"hasura-0\"} 0.012\n"));
	assert_null(strstr(m, "hasync_replica_latency_seconds{replica="
	    "\"http://h2:8080\"}"));
	/* Objects by type: the fixed ones with 0, the others when seen; not
	 * for a replica that does not answer. */
	assert_non_null(strstr(m, "hasync_replica_inconsistent_objects{replica="
	    "\"http://h1:8080\",object_type=\"table\"} 2\n"));
	assert_non_null(strstr(m, "hasync_replica_inconsistent_objects{replica="
	    "\"http://h1:8080\",object_type=\"array_relation\"} 1\n"));
	assert_non_null(strstr(m, "hasync_replica_inconsistent_objects{replica="
	    "\"hasura-0\",object_type=\"cron_trigger\"} 0\n"));
	assert_int_equal(count_lines(m, "hasync_replica_inconsistent_objects{"
	    "replica=\"http://h2:8080\""), 0);
	assert_non_null(strstr(m, "hasura_metadata_consistency_status{replica="
	    "\"http://h1:8080\"} 0\n"));
	assert_non_null(strstr(m, "hasura_metadata_consistency_status{replica="
	    "\"hasura-0\"} 1\n"));
	assert_non_null(strstr(m, "hasura_build_info{replica=\"hasura-0\","
	    "version=\"v2.36.0\"} 1\n"));
	/* Catalog. */
	assert_non_null(strstr(m, "hasync_catalog_up 1\n"));
	assert_non_null(strstr(m, "hasync_catalog_resource_version 7\n"));
	assert_non_null(strstr(m,
	    "hasync_catalog_last_change_timestamp_seconds 1700000100\n"));
	/* Counters: all twelve scope x result series, a cumulative
	 * histogram. */
	assert_int_equal(count_lines(m, "hasync_reloads_total{"), 12);
	assert_non_null(strstr(m, "hasync_reloads_total{scope=\"auto\","
	    "result=\"consistent\"} 3\n"));
	assert_non_null(strstr(m, "hasync_reloads_total{scope=\"full\","
	    "result=\"failed\"} 1\n"));
	assert_non_null(strstr(m,
	    "hasync_reload_duration_seconds_bucket{le=\"0.1\"} 1\n"));
	assert_non_null(strstr(m,
	    "hasync_reload_duration_seconds_bucket{le=\"1\"} 3\n"));
	assert_non_null(strstr(m,
	    "hasync_reload_duration_seconds_bucket{le=\"120\"} 3\n"));
	assert_non_null(strstr(m,
	    "hasync_reload_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(m, "hasync_reload_duration_seconds_sum 130.5\n"));
	assert_non_null(strstr(m, "hasync_reload_duration_seconds_count 4\n"));
	assert_non_null(strstr(m, "hasync_probe_duration_seconds 0.25\n"));
	assert_non_null(strstr(m,
	    "hasync_sentry_events_total{result=\"sent\"} 2\n"));
	assert_non_null(strstr(m, "hasync_drops_total 0\n"));
	/* Units and suffixes: _total only on counters. */
	assert_null(strstr(m, "_ms"));
	assert_int_equal(count_lines(m, "# TYPE hasync_drops_total counter"),
	    1);
	free(m);

	/* Without a database: no catalog_up. */
	f.s.db = DB_NONE;
	m = metrics_render(&f.s, "0.1.0", &len);
	assert_null(strstr(m, "hasync_catalog_up"));
	free(m);
}

/* Label values from servers: escaped, valid UTF-8, and few. */
static void
test_metrics_hostile(void **state)
{
	static const char *const odd[] = { "a\"b", "c\\d", "e\nf", "\xff\xfe",
	    "\xfe\xff", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9",
	    "t10", "t11", "t12", "t13", "t14", "t15", "t16", "t17", "t18",
	    "t19", "t20", "t21", "t22", "t23", "t24", "t25", "t26", "t27",
	    "t28", "t29", "t30", "t31", "t32", "t33", "t34", "t35" };
	struct fake	 f;
	size_t		 len;
	char		*m;

	(void)state;
	fake_init(&f, 2);
	f.inst[0].endpoint = (char *)"http://h\"0\\:1";
	f.inst[0].server_version = (char *)"v2\n\"x\"";
	fake_objects(&f, 1, 40, odd, 40);
	m = metrics_render(&f.s, "0.1.0", &len);
	assert_non_null(strstr(m, "replica=\"http://h\\\"0\\\\:1\""));
	assert_non_null(strstr(m, "version=\"v2\\n\\\"x\\\"\""));
	assert_non_null(strstr(m, "object_type=\"a\\\"b\"} 1\n"));
	assert_non_null(strstr(m, "object_type=\"c\\\\d\"} 1\n"));
	assert_non_null(strstr(m, "object_type=\"e\\nf\"} 1\n"));
	/* Two invalid types read the same: one series, counted twice. */
	assert_non_null(strstr(m, "object_type=\"\xef\xbf\xbd\xef\xbf\xbd\"} "
	    "2\n"));
	/* At most 32 named types, then "other". */
	assert_int_equal(count_lines(m, "hasync_replica_inconsistent_objects{"
	    "replica=\"http://h1:8080\""), 33);
	assert_non_null(strstr(m, "object_type=\"other\"}"));
	/* Nothing raw: no bare newline inside a line, no invalid byte. */
	assert_null(strstr(m, "\xff"));
	free(m);
}

/* ---- /readyz ---- */

static struct ready_opts ropts = { -1, false, 1, 5, 13 };

static void
test_ready(void **state)
{
	struct fake		 f;
	struct ready_opts	 o = ropts;
	char			 why[512];

	(void)state;
	assert_int_equal(ready_replica(NULL, 0, 100, 0, &o, why, sizeof(why)),
	    503);
	fake_init(&f, 2);
	assert_int_equal(ready_max_behind(&o, &f.s), 4);	/* 2x1 + 2 */
	assert_int_equal(ready_replica(&f.s, 0, 100, 0, &o, why, sizeof(why)),
	    200);
	assert_non_null(strstr(why, "ready"));
	/* Behind, within and past the limit; the lag grows with the clock
	 * after the snapshot. */
	f.inst[1].behind_by = 1;
	f.inst[1].mem_version = 6;
	f.inst[1].lag_seconds = 3;
	f.inst[1].verdict = VERDICT_BEHIND;
	assert_int_equal(ready_replica(&f.s, 1, 100.5, 0, &o, why,
	    sizeof(why)), 200);
	assert_int_equal(ready_replica(&f.s, 1, 101.5, 0, &o, why,
	    sizeof(why)), 503);
	assert_non_null(strstr(why, "behind by 1 resource_version for 4.5 s "
	    "(limit 4.0 s)"));
	assert_non_null(strstr(why, "http://h1:8080: not ready"));
	assert_int_equal(ready_all(&f.s, 101.5, 0, &o, why, sizeof(why)), 503);
	assert_non_null(strstr(why, "1 of 2 replicas"));
	o.max_behind = 10;
	assert_int_equal(ready_replica(&f.s, 1, 101.5, 0, &o, why,
	    sizeof(why)), 200);
	o.max_behind = -1;
	/* The catalog out of sight: not judged on sync. */
	f.s.db = DB_LOST;
	assert_int_equal(ready_replica(&f.s, 1, 101.5, 0, &o, why,
	    sizeof(why)), 200);
	f.s.db = DB_OK;
	/* hasync's picture too old: the gate stays open. */
	assert_int_equal(ready_replica(&f.s, 1, 100 + 60, 0, &o, why,
	    sizeof(why)), 200);
	assert_non_null(strstr(why, "not judged"));
	/* Unreachable, auth, error, not probed: unready. */
	f.inst[0].verdict = VERDICT_UNREACHABLE;
	f.inst[0].verdict_text = (char *)"connection refused\x1b[2J";
	assert_int_equal(ready_replica(&f.s, 0, 100, 0, &o, why, sizeof(why)),
	    503);
	assert_non_null(strstr(why, "unreachable: connection refused"));
	assert_null(strchr(why, '\x1b'));
	f.inst[0].verdict = VERDICT_UNKNOWN;
	assert_int_equal(ready_replica(&f.s, 0, 100, 0, &o, why, sizeof(why)),
	    503);
	/* Inconsistent: ready, unless strict. */
	fake_init(&f, 1);
	fake_objects(&f, 0, 3, (const char *const[]){ "table" }, 1);
	assert_int_equal(ready_all(&f.s, 100, 0, &o, why, sizeof(why)), 200);
	o.strict = true;
	assert_int_equal(ready_all(&f.s, 100, 0, &o, why, sizeof(why)), 503);
	assert_non_null(strstr(why, "3 inconsistent objects (--ready-strict)"));
}

/* ---- POST /reload_metadata answers ---- */

static void
test_answer(void **state)
{
	struct fake	 f;
	json_t		*j;
	size_t		 len;
	int		 status;
	char		*b, secret_body[] = "{\"h\":\"xx-S3CRET-yy\",\"S3CRET\":1}";

	(void)state;
	fake_init(&f, 2);
	f.s.last_reload_consistent = true;
	f.s.reload_answer = (char *)"{\"is_consistent\":true,\"message\":"
	    "\"success\"}";
	f.s.reload_answer_len = strlen(f.s.reload_answer);
	b = answer_reload(&f.s, &status, &len);
	assert_int_equal(status, 200);
	assert_string_equal(b, f.s.reload_answer);	/* Hasura's bytes */
	free(b);
	f.s.reload_answer = NULL;
	f.s.reload_outcome = (char *)"nothing to reload";
	b = answer_reload(&f.s, &status, &len);
	assert_int_equal(status, 200);
	assert_non_null(strstr(b, "\"is_consistent\":true"));
	free(b);

	/* Inconsistent: 500, the error, the replicas, the objects. */
	f.s.last_reload_consistent = false;
	f.s.reload_outcome = (char *)"verified 2 instances: 2 inconsistent";
	fake_objects(&f, 1, 2, (const char *const[]){ "table" }, 1);
	f.s.reload_via = 0;
	b = answer_reload(&f.s, &status, &len);
	assert_int_equal(status, 500);
	j = json_loadb(b, len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "metadata is inconsistent");
	assert_int_equal(json_array_size(json_object_get(j,
	    "inconsistent_objects")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "replicas")), 2);
	assert_false(json_is_true(json_object_get(j, "is_consistent")));
	json_decref(j);
	free(b);

	/* Failed, nothing inconsistent: "reload failed", no objects. */
	fake_init(&f, 1);
	f.s.reload_outcome = (char *)"reload not sent: no reachable instance";
	f.inst[0].verdict = VERDICT_UNREACHABLE;
	f.inst[0].last_error = (char *)"refused";
	b = answer_reload(&f.s, &status, &len);
	assert_int_equal(status, 500);
	j = json_loadb(b, len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "reload failed");
	assert_int_equal(json_array_size(json_object_get(j,
	    "inconsistent_objects")), 0);
	json_decref(j);
	free(b);

	b = answer_error(404, "not found \xff", &len);
	j = json_loadb(b, len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "code")),
	    "not-found");
	json_decref(j);
	free(b);

	answer_redact(secret_body, strlen(secret_body), "S3CRET");
	assert_string_equal(secret_body, "{\"h\":\"xx-******-yy\",\"******\":1}");
	answer_redact(secret_body, strlen(secret_body), NULL);
}

/* ---- the serve options ---- */

static int
load(struct config *c, struct err *e, char **envp, ...)
{
	char	*argv[32];
	int	 argc = 0, rc, i;
	va_list	 ap;
	char	*a;

	argv[argc++] = (char *)"hasync";
	va_start(ap, envp);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = strdup(a);
	va_end(ap);
	argv[argc] = NULL;
	config_defaults(c);
	memset(e, 0, sizeof(*e));
	rc = config_load(c, argc, argv, envp, e);
	if (rc == 0)
		rc = config_check(c, false, e);
	for (i = 1; i < argc; i++)
		free(argv[i]);
	return (rc);
}

static char *no_env[] = { (char *)"HOME=/nonexistent", NULL };

static void
test_config_serve(void **state)
{
	struct config	 c;
	struct err	 e;
	char		 tok[] = "/tmp/hasync-serve-tok.XXXXXX";
	char *env[] = { (char *)"HOME=/nonexistent", (char *)"PORT=9000",
	    (char *)"HASURA_ENDPOINT=http://old:8080", NULL };
	int		 fd;

	(void)state;
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    NULL), 0);
	assert_true(c.serve);
	assert_true(c.watch);
	assert_int_equal(c.mode, MODE_BATCH);
	assert_int_equal(c.command, SUB_SERVE);
	assert_string_equal(c.listen, SERVE_DEFAULT_LISTEN);
	assert_int_equal(c.ready_max_behind_ms, -1);
	config_free(&c);

	/* Not loopback: a token or --listen-public. */
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--listen", "0.0.0.0:8719", NULL), -1);
	assert_non_null(strstr(e.msg, "--metrics-token-file"));
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--listen", "0.0.0.0:8719", "--listen-public", NULL), 0);
	config_free(&c);
	fd = mkstemp(tok);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc-123\n", 8), 8);
	close(fd);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--listen", "[::]:1", "--metrics-token-file", tok, NULL), 0);
	assert_string_equal(c.metrics_token, "abc-123");
	config_free(&c);
	fd = open(tok, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "a b\n", 4), 4);
	close(fd);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--metrics-token-file", tok, NULL), -1);
	assert_null(strstr(e.msg, "a b"));
	config_free(&c);
	unlink(tok);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--listen", "nowhere", NULL), -1);
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--reload", NULL), -1);
	assert_non_null(strstr(e.msg, "POST /reload_metadata"));
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "serve", "-e", "http://h:1",
	    "--ready-max-behind", "2500", "--ready-strict", NULL), 0);
	assert_int_equal(c.ready_max_behind_ms, 2500);
	assert_true(c.ready_strict);
	config_free(&c);
	/* The reloader's names are not serve's, nor is PORT. */
	assert_int_equal(load(&c, &e, env, "serve", "--hasura-endpoint",
	    "http://h:1", NULL), -1);
	config_free(&c);
	assert_int_equal(load(&c, &e, env, "serve", "-e", "http://h:1", NULL),
	    0);
	assert_string_equal(c.listen, SERVE_DEFAULT_LISTEN);
	config_free(&c);

	/* hasync server: the reloader's flags, env and PORT, every
	 * interface, with a warning. */
	assert_int_equal(load(&c, &e, env, "server", NULL), 0);
	assert_true(c.serve);
	assert_int_equal(c.command, SUB_SERVER);
	assert_string_equal(c.endpoints[0], "http://old:8080");
	assert_string_equal(c.listen, "*:9000");
	assert_true(c.listen_public);
	assert_int_equal(c.n_warnings, 1);
	assert_non_null(strstr(c.warnings[0], "anyone"));
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "server", "--hasura-endpoint",
	    "http://h:1", NULL), 0);
	assert_string_equal(c.listen, "*:8080");
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "server", "--hasura-endpoint",
	    "http://h:1", "--port", "70000", NULL), -1);
	config_free(&c);
	assert_int_equal(load(&c, &e, no_env, "--port", "1", "-e",
	    "http://h:1", NULL), -1);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_gzip_accepted),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_metrics_empty),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_hostile),
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_config_serve),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
