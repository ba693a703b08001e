/*
 * tests/bench/metrics-bench.c: how long hasync serve takes to render
 * /metrics for one snapshot (the work of the first scrape after each
 * snapshot; later scrapes of the same snapshot send the cached body), on a
 * synthetic snapshot: R replicas that share one set of N inconsistent
 * objects (the realistic mix of tests/bench/gen-answers.py: table,
 * array_relation, remote_schema, select_permission), as the engine shares
 * equal answers. Prints the body size and render times (p50, p99, max).
 * Built and run by tests/bench/serve-bench.sh.
 *
 *   metrics-bench [REPLICAS [OBJECTS [RUNS]]]   (500 20000 200)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hasync/serve_metrics.h"
#include "hasync/snapshot.h"

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	static const char *const types[] = { "table", "array_relation",
	    "remote_schema", "select_permission" };
	struct snapshot		 s;
	struct objset		 set;
	size_t			 r = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
	size_t			 n = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
	size_t			 runs = argc > 3 ? strtoul(argv[3], NULL, 10) : 200;
	size_t			 i, len = 0;
	double			*t, t0;
	char			*body, ep[64];

	memset(&s, 0, sizeof(s));
	memset(&set, 0, sizeof(set));
	set.v = calloc(n + 1, sizeof(*set.v));
	for (i = 0; i < n; i++) {
		set.v[i].type = types[i % 4];
		set.v[i].name = "x";
		set.v[i].reason = "r";
	}
	set.n = n;
	s.db = DB_OK;
	s.resource_version = 1234;
	s.version_changed_at = time(NULL);
	s.stats.round_seconds = 1.5;
	s.n_inst = r;
	s.inst = calloc(r + 1, sizeof(*s.inst));
	for (i = 0; i < r; i++) {
		snprintf(ep, sizeof(ep), "http://127.0.0.1:40000/r%zu", i + 1);
		s.inst[i].endpoint = strdup(ep);
		s.inst[i].health = HEALTH_WARN;
		s.inst[i].latency_ms = 3;
		s.inst[i].server_version = (char *)"v2.36.0";
		s.inst[i].consistency_known = true;
		s.inst[i].consistent = n == 0;
		s.inst[i].objects = &set;
		s.inst[i].mem_version = 1234;
		s.inst[i].verdict = n == 0 ? VERDICT_OK : VERDICT_INCONSISTENT;
		s.inst[i].last_ok = time(NULL);
	}
	t = calloc(runs + 1, sizeof(*t));
	for (i = 0; i < runs; i++) {
		t0 = now();
		body = metrics_render(&s, "0.1.0", &len);
		t[i] = now() - t0;
		free(body);
	}
	qsort(t, runs, sizeof(*t), cmp);
	printf("render /metrics, %zu replicas x %zu objects: body %.2f MB; "
	    "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu renders)\n", r, n,
	    (double)len / 1e6, t[runs / 2] * 1000, t[runs * 99 / 100] * 1000,
	    t[runs - 1] * 1000, runs);
	for (i = 0; i < r; i++)
		free(s.inst[i].endpoint);
	free(s.inst);
	free(set.v);
	free(t);
	return (0);
}
