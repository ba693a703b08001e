/*
 * metrics.c: the /metrics body of hasync serve, rendered from a snapshot in
 * the Prometheus text format 0.0.4. Names follow Prometheus' exporter
 * guidelines: base units (seconds), _total only on counters, versions in
 * _info metrics, no label named type. Label values are made valid UTF-8
 * and escaped; object types come from the servers, so at most
 * METRICS_MAX_TYPES distinct ones are named per replica (the rest are
 * "other"). A pure function of the snapshot; any thread (the HTTP server
 * thread renders each snapshot once, httpd.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/sanitize.h"
#include "hasync/serve_metrics.h"
#include "hasync/snapshot.h"
#include "hasync/xmalloc.h"

#define METRICS_MAX_TYPES	32
#define METRICS_TYPE_LEN	64

/* Object types that always have a series (0 when none is inconsistent), so
 * that a query or an alert on one of them always has something to read. */
static const char *const metrics_types[] = {
	"source", "table", "function", "remote_schema", "action",
	"event_trigger", "cron_trigger",
};
#define N_FIXED_TYPES	(sizeof(metrics_types) / sizeof(metrics_types[0]))

/* A growing output buffer. */
struct mbuf {
	char	*p;
	size_t	 len, cap;
};

static void
mb_reserve(struct mbuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap < 4096 ? 4096 : b->cap * 2;
	b->p = xreallocarray(b->p, b->cap, 1);
}

static void
mb_put(struct mbuf *b, const char *s, size_t n)
{
	mb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
mb_printf(struct mbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mb_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	mb_reserve(b, 128);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		mb_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* A label value: valid UTF-8 (invalid bytes become U+FFFD), at most max
 * input bytes, with \ " and newline escaped. Caller frees. */
static char *
metrics_label(const char *s, size_t max)
{
	struct mbuf	 b = { NULL, 0, 0 };
	char		*clean, *p;
	size_t		 n;

	n = strnlen(s != NULL ? s : "", max);
	clean = sanitize_utf8(s != NULL ? s : "", n);
	mb_reserve(&b, strlen(clean) + 8);
	for (p = clean; *p != '\0'; p++) {
		if (*p == '\\')
			mb_put(&b, "\\\\", 2);
		else if (*p == '"')
			mb_put(&b, "\\\"", 2);
		else if (*p == '\n')
			mb_put(&b, "\\n", 2);
		else
			mb_put(&b, p, 1);
	}
	free(clean);
	return (b.p);
}

/* # HELP and # TYPE of a family. */
static void
mb_family(struct mbuf *b, const char *name, const char *type,
    const char *help)
{
	mb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A value: integers as such, others with 9 significant digits. */
static void
mb_value(struct mbuf *b, double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		mb_printf(b, " %lld\n", (long long)v);
	else
		mb_printf(b, " %.9g\n", v);
}

/* A per-replica sample: name{replica="..."} value. */
static void
mb_replica(struct mbuf *b, const char *name, const char *replica, double v)
{
	mb_printf(b, "%s{replica=\"%s\"}", name, replica);
	mb_value(b, v);
}

/* How many objects of each type one set holds; sets are shared between
 * replicas, so each is counted once. */
struct type_count {
	const struct objset	*set;
	size_t			 n;
	char			*raw[METRICS_MAX_TYPES + 1];	/* as sent, cut */
	char			*name[METRICS_MAX_TYPES + 1];	/* escaped */
	size_t			 count[METRICS_MAX_TYPES + 1];
};

static size_t
metrics_type_slot(struct type_count *tc, const char *type)
{
	size_t	 i;
	char	*esc;

	for (i = 0; i < tc->n; i++) {
		if (strncmp(tc->raw[i], type, METRICS_TYPE_LEN) == 0 &&
		    strlen(tc->raw[i]) == strnlen(type, METRICS_TYPE_LEN))
			return (i);
	}
	/* Two types may read the same once made valid UTF-8: one series. */
	esc = metrics_label(type, METRICS_TYPE_LEN);
	for (i = 0; i < tc->n; i++) {
		if (strcmp(tc->name[i], esc) == 0) {
			free(esc);
			return (i);
		}
	}
	if (tc->n >= METRICS_MAX_TYPES) {
		free(esc);
		for (i = 0; i < tc->n && strcmp(tc->name[i], "other") != 0;
		    i++)
			;
		if (i < tc->n)
			return (i);
		esc = xstrdup("other");
		type = "other";
	}
	tc->raw[tc->n] = xstrndup(type, METRICS_TYPE_LEN);
	tc->name[tc->n] = esc;
	tc->count[tc->n] = 0;
	return (tc->n++);
}

static void
metrics_count_types(struct type_count *tc, const struct objset *set)
{
	size_t	i, last = 0;
	const char *prev = NULL;

	memset(tc, 0, sizeof(*tc));
	tc->set = set;
	for (i = 0; i < N_FIXED_TYPES; i++)
		metrics_type_slot(tc, metrics_types[i]);
	for (i = 0; i < set->n; i++) {
		const char *t = set->v[i].type != NULL ? set->v[i].type : "";

		/* Objects of one type tend to come together. */
		if (prev == NULL || strcmp(prev, t) != 0)
			last = metrics_type_slot(tc, t);
		tc->count[last]++;
		prev = t;
	}
}

/* Answered the last probe: /healthz said OK or WARN, nothing failed. */
static bool
metrics_up(const struct snap_instance *in)
{
	return (in->last_error == NULL && (in->health == HEALTH_OK ||
	    in->health == HEALTH_WARN));
}

static void
metrics_catalog(struct mbuf *b, const struct snapshot *s)
{
	if (s->db != DB_NONE) {
		mb_family(b, "hasync_catalog_up", "gauge", "1 when hasync reads "
		    "Hasura's metadata catalog (hdb_catalog), 0 when it "
		    "cannot (absent without --database-url).");
		mb_printf(b, "hasync_catalog_up %d\n", s->db == DB_OK);
	}
	if (s->resource_version >= 0) {
		mb_family(b, "hasync_catalog_resource_version", "gauge",
		    "The catalog's metadata resource_version (without "
		    "--database-url: as export_metadata reports it).");
		mb_printf(b, "hasync_catalog_resource_version %lld\n",
		    (long long)s->resource_version);
	}
	if (s->version_changed_at > 0) {
		mb_family(b, "hasync_catalog_last_change_timestamp_seconds",
		    "gauge", "When hasync saw the catalog's resource_version "
		    "change (Unix time).");
		mb_printf(b, "hasync_catalog_last_change_timestamp_seconds "
		    "%lld\n", (long long)s->version_changed_at);
	}
}

static void
metrics_replicas(struct mbuf *b, const struct snapshot *s, char **rl)
{
	struct type_count	*tc = NULL;
	size_t			 i, j, ntc = 0;
	int			 v;
	bool			 any;

	mb_family(b, "hasync_replica_up", "gauge", "1 when the replica "
	    "answered its last probe (/healthz OK or WARN), else 0.");
	for (i = 0; i < s->n_inst; i++)
		mb_replica(b, "hasync_replica_up", rl[i],
		    metrics_up(&s->inst[i]));

	mb_family(b, "hasync_replica_health", "gauge", "The replica's "
	    "verdict, one series per state, 1 for the current one (hasync(1), "
	    "CONSOLE WORDS).");
	for (i = 0; i < s->n_inst; i++) {
		for (v = 0; v <= VERDICT_OK; v++)
			mb_printf(b, "hasync_replica_health{replica=\"%s\","
			    "state=\"%s\"} %d\n", rl[i],
			    verdict_word((enum verdict)v),
			    s->inst[i].verdict == (enum verdict)v);
	}

	for (i = 0, any = false; i < s->n_inst && !any; i++)
		any = s->inst[i].mem_version >= 0;
	if (any) {
		mb_family(b, "hasync_replica_resource_version", "gauge", "The "
		    "metadata resource_version the replica serves (its "
		    "schema cache; dump_internal_state).");
		for (i = 0; i < s->n_inst; i++) {
			if (s->inst[i].mem_version >= 0)
				mb_printf(b, "hasync_replica_resource_version"
				    "{replica=\"%s\"} %lld\n", rl[i],
				    (long long)s->inst[i].mem_version);
		}
	}
	if (any && s->resource_version >= 0) {
		mb_family(b, "hasync_replica_versions_behind", "gauge", "How "
		    "many resource_versions the replica serves behind the "
		    "catalog (0 in sync).");
		for (i = 0; i < s->n_inst; i++) {
			if (s->inst[i].mem_version >= 0)
				mb_replica(b, "hasync_replica_versions_behind",
				    rl[i], (double)s->inst[i].behind_by);
		}
		mb_family(b, "hasync_replica_behind_seconds", "gauge", "For how "
		    "long the catalog has been past the version the replica "
		    "serves (0 in sync).");
		for (i = 0; i < s->n_inst; i++) {
			if (s->inst[i].mem_version >= 0)
				mb_replica(b, "hasync_replica_behind_seconds",
				    rl[i], s->inst[i].behind_by > 0 ?
				    s->inst[i].lag_seconds : 0);
		}
	}

	mb_family(b, "hasync_replica_latency_seconds", "gauge", "How long the "
	    "replica's /healthz took to answer at the last probe.");
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].latency_ms >= 0)
			mb_replica(b, "hasync_replica_latency_seconds", rl[i],
			    (double)s->inst[i].latency_ms / 1000.0);
	}

	mb_family(b, "hasync_replica_last_success_timestamp_seconds", "gauge",
	    "When the replica last answered a probe (Unix time).");
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].last_ok > 0)
			mb_replica(b, "hasync_replica_last_success_timestamp_"
			    "seconds", rl[i], (double)s->inst[i].last_ok);
	}

	/* Consistency, as each replica reports it at its last answer. */
	tc = xcalloc(s->n_inst + 1, sizeof(*tc));
	mb_family(b, "hasync_replica_inconsistent_objects", "gauge", "How "
	    "many inconsistent objects of each type the replica reports "
	    "(get_inconsistent_metadata).");
	for (i = 0; i < s->n_inst; i++) {
		const struct snap_instance *in = &s->inst[i];

		if (!in->consistency_known || !metrics_up(in))
			continue;
		for (j = 0; j < ntc && tc[j].set != in->objects; j++)
			;
		if (j == ntc)
			metrics_count_types(&tc[ntc++], in->objects);
		for (size_t k = 0; k < tc[j].n; k++)
			mb_printf(b, "hasync_replica_inconsistent_objects{"
			    "replica=\"%s\",object_type=\"%s\"} %zu\n", rl[i],
			    tc[j].name[k], tc[j].count[k]);
	}
	for (j = 0; j < ntc; j++) {
		for (size_t k = 0; k < tc[j].n; k++) {
			free(tc[j].raw[k]);
			free(tc[j].name[k]);
		}
	}
	free(tc);

	mb_family(b, "hasura_metadata_consistency_status", "gauge", "1 when "
	    "the replica's metadata is consistent, 0 when it reports "
	    "inconsistent objects (the name community exporters use).");
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].consistency_known && metrics_up(&s->inst[i]))
			mb_replica(b, "hasura_metadata_consistency_status",
			    rl[i], s->inst[i].consistent);
	}

	mb_family(b, "hasura_build_info", "gauge", "The replica's Hasura "
	    "version (/v1/version); always 1.");
	for (i = 0; i < s->n_inst; i++) {
		char *ver;

		if (s->inst[i].server_version == NULL)
			continue;
		ver = metrics_label(s->inst[i].server_version, 64);
		mb_printf(b, "hasura_build_info{replica=\"%s\",version=\"%s\"} "
		    "1\n", rl[i], ver);
		free(ver);
	}
}

static void
metrics_engine(struct mbuf *b, const struct snapshot *s)
{
	static const char *const scopes[] = { "auto", "targeted", "full" };
	static const char *const results[RELOAD_RESULT_COUNT] = {
		[RELOAD_RESULT_CONSISTENT] = "consistent",
		[RELOAD_RESULT_INCONSISTENT] = "inconsistent",
		[RELOAD_RESULT_FAILED] = "failed",
		[RELOAD_RESULT_SKIPPED] = "skipped",
	};
	static const double bounds[] = SNAP_RELOAD_BOUNDS;
	const struct snap_stats *st = &s->stats;
	uint64_t	 cum = 0;
	size_t		 i, j;

	mb_family(b, "hasync_reloads_total", "counter", "reload_metadata "
	    "requests by --reload-scope and result (skipped: nothing to "
	    "reload, or read-only).");
	for (i = 0; i < 3; i++) {
		for (j = 0; j < RELOAD_RESULT_COUNT; j++)
			mb_printf(b, "hasync_reloads_total{scope=\"%s\","
			    "result=\"%s\"} %llu\n", scopes[i], results[j],
			    (unsigned long long)st->reloads[i][j]);
	}
	mb_family(b, "hasync_reload_duration_seconds", "histogram", "How long "
	    "reload_metadata requests took to be answered.");
	for (i = 0; i < SNAP_RELOAD_BUCKETS; i++) {
		cum += st->reload_buckets[i];
		mb_printf(b, "hasync_reload_duration_seconds_bucket{le=\"%g\"} "
		    "%llu\n", bounds[i], (unsigned long long)cum);
	}
	mb_printf(b, "hasync_reload_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\n", (unsigned long long)st->reload_count);
	mb_printf(b, "hasync_reload_duration_seconds_sum");
	mb_value(b, st->reload_seconds);
	mb_printf(b, "hasync_reload_duration_seconds_count %llu\n",
	    (unsigned long long)st->reload_count);

	mb_family(b, "hasync_drops_total", "counter", "drop_inconsistent_"
	    "metadata requests sent.");
	mb_printf(b, "hasync_drops_total %llu\n",
	    (unsigned long long)st->drops);

	mb_family(b, "hasync_probe_rounds_total", "counter", "Probe rounds "
	    "completed (every replica probed once).");
	mb_printf(b, "hasync_probe_rounds_total %llu\n",
	    (unsigned long long)s->rounds);
	if (st->round_seconds >= 0) {
		mb_family(b, "hasync_probe_duration_seconds", "gauge", "How long "
		    "the last complete probe round took.");
		mb_printf(b, "hasync_probe_duration_seconds");
		mb_value(b, st->round_seconds);
	}
	if (s->probed_at > 0) {
		mb_family(b, "hasync_probe_last_timestamp_seconds", "gauge",
		    "When the last complete probe round ended (Unix time).");
		mb_printf(b, "hasync_probe_last_timestamp_seconds %lld\n",
		    (long long)s->probed_at);
	}

	mb_family(b, "hasync_sentry_events_total", "counter", "Sentry events "
	    "by result (rate_limited: the same event within 10 minutes, not "
	    "sent).");
	mb_printf(b, "hasync_sentry_events_total{result=\"sent\"} %llu\n",
	    (unsigned long long)st->sentry_sent);
	mb_printf(b, "hasync_sentry_events_total{result=\"failed\"} %llu\n",
	    (unsigned long long)st->sentry_failed);
	mb_printf(b, "hasync_sentry_events_total{result=\"rate_limited\"} "
	    "%llu\n", (unsigned long long)st->sentry_suppressed);
}

char *
metrics_render(const struct snapshot *s, const char *version, size_t *len)
{
	struct mbuf	  b = { NULL, 0, 0 };
	char		 *ver, **rl;
	size_t		  i;

	mb_reserve(&b, s != NULL ? 4096 + s->n_inst * 2048 : 4096);
	ver = metrics_label(version, 64);
	mb_family(&b, "hasync_build_info", "gauge", "hasync's version; always "
	    "1.");
	mb_printf(&b, "hasync_build_info{version=\"%s\"} 1\n", ver);
	free(ver);
	if (s != NULL) {
		metrics_catalog(&b, s);
		/* Each replica's label escaped once: -e NAME=URL's name, or
		 * its endpoint. */
		rl = xcalloc(s->n_inst + 1, sizeof(*rl));
		for (i = 0; i < s->n_inst; i++)
			rl[i] = metrics_label(s->inst[i].label != NULL ?
			    s->inst[i].label : s->inst[i].endpoint, 2048);
		if (s->n_inst > 0)
			metrics_replicas(&b, s, rl);
		for (i = 0; i < s->n_inst; i++)
			free(rl[i]);
		free(rl);
		metrics_engine(&b, s);
	}
	*len = b.len;
	return (b.p);
}
