/*
 * ready.c: the readiness gate of hasync serve (/readyz). A replica is ready
 * when it answered its last probe and has not been behind the catalog for
 * longer than --ready-max-behind (default: two poll intervals plus the
 * grace period the engine gives a replica to follow a change). With
 * --ready-strict, inconsistent metadata makes it unready too; without,
 * it does not, since every replica usually reports the same objects and
 * failing them all would take the whole API down.
 *
 * Where hasync cannot tell, the gate stays open: while the catalog is
 * unreachable (no version to compare with) and when hasync's own picture
 * is stale (no probe round for a long time), a sidecar's blindness must
 * not take its Hasura out of service. Pure functions of the snapshot and
 * the clock; any thread (the HTTP server thread, httpd.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/config.h"
#include "hasync/sanitize.h"
#include "hasync/serve_ready.h"
#include "hasync/snapshot.h"

void
ready_opts_from(struct ready_opts *o, const struct config *c)
{
	o->max_behind = c->ready_max_behind_ms >= 0 ?
	    (double)c->ready_max_behind_ms / 1000.0 : -1;
	o->strict = c->ready_strict;
	o->poll = (double)c->poll_interval_ms / 1000.0;
	o->probe = (double)c->probe_interval_ms / 1000.0;
	o->request = (double)(c->connect_timeout_ms + c->timeout_ms) / 1000.0;
}

double
ready_max_behind(const struct ready_opts *o, const struct snapshot *s)
{
	if (o->max_behind >= 0)
		return (o->max_behind);
	return (2 * o->poll + (s != NULL ? s->grace_seconds : 2 * o->poll));
}

/* How old hasync's picture may get before the gate stops judging: two
 * probe intervals, a round's worst case (three requests in a chain) and
 * some slack. */
static double
ready_stale_after(const struct ready_opts *o)
{
	return (2 * o->probe + 3 * o->request + 5);
}

/* Write "name: text" to why, control characters made visible. */
static void
ready_why(char *why, size_t len, const struct snap_instance *in,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
ready_why(char *why, size_t len, const struct snap_instance *in,
    const char *fmt, ...)
{
	char	 text[600], *clean;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	clean = sanitize_text(text, sizeof(text), 0);
	snprintf(why, len, "%s%s%s", in != NULL ? (in->label != NULL ?
	    in->label : in->endpoint) : "", in != NULL ? ": " : "", clean);
	free(clean);
}

int
ready_replica(const struct snapshot *s, size_t i, double now_mono,
    time_t now_wall, const struct ready_opts *o, char *why, size_t len)
{
	const struct snap_instance	*in;
	double				 lag, limit, age;
	size_t				 n;

	(void)now_wall;
	if (s == NULL || i >= s->n_inst) {
		ready_why(why, len, NULL, "not ready: starting, not probed yet");
		return (503);
	}
	in = &s->inst[i];
	age = s->probed_mono > 0 ? now_mono - s->probed_mono : 0;
	if (age > ready_stale_after(o)) {
		ready_why(why, len, in, "ready (not judged): hasync has not "
		    "completed a probe round for %.0f s", age);
		return (200);
	}
	switch (in->verdict) {
	case VERDICT_UNKNOWN:
		ready_why(why, len, in, "not ready: not probed yet");
		return (503);
	case VERDICT_UNREACHABLE:
	case VERDICT_AUTH:
	case VERDICT_ERROR:
		ready_why(why, len, in, "not ready: %s: %s",
		    verdict_word(in->verdict), in->verdict_text != NULL ?
		    in->verdict_text : "");
		return (503);
	default:
		break;
	}
	limit = ready_max_behind(o, s);
	if (in->behind_by > 0 && in->mem_version >= 0 &&
	    s->resource_version >= 0 && (s->db == DB_OK || s->db == DB_NONE)) {
		/* Its lag as of the snapshot, and the time since. */
		lag = in->lag_seconds + (now_mono > s->built_mono ? now_mono -
		    s->built_mono : 0);
		if (lag > limit) {
			ready_why(why, len, in, "not ready: behind by %lld "
			    "resource_version%s for %.1f s (limit %.1f s): "
			    "serves %lld, catalog at %lld",
			    (long long)in->behind_by, in->behind_by == 1 ? "" :
			    "s", lag, limit, (long long)in->mem_version,
			    (long long)s->resource_version);
			return (503);
		}
	}
	if (o->strict && in->consistency_known && !in->consistent) {
		n = in->objects != NULL ? in->objects->n : 0;
		ready_why(why, len, in, "not ready: %zu inconsistent object%s "
		    "(--ready-strict)", n, n == 1 ? "" : "s");
		return (503);
	}
	ready_why(why, len, in, "ready: %s: %s", verdict_word(in->verdict),
	    in->verdict_text != NULL ? in->verdict_text : "");
	return (200);
}

int
ready_all(const struct snapshot *s, double now_mono, time_t now_wall,
    const struct ready_opts *o, char *why, size_t len)
{
	char	first[512] = "", one[512];
	size_t	i, bad = 0;

	if (s == NULL || s->n_inst == 0)
		return (ready_replica(s, 0, now_mono, now_wall, o, why, len));
	if (s->n_inst == 1)
		return (ready_replica(s, 0, now_mono, now_wall, o, why, len));
	for (i = 0; i < s->n_inst; i++) {
		if (ready_replica(s, i, now_mono, now_wall, o, one,
		    sizeof(one)) != 200 && bad++ == 0)
			snprintf(first, sizeof(first), "%s", one);
	}
	if (bad == 0) {
		snprintf(why, len, "ready: all %zu replicas", s->n_inst);
		return (200);
	}
	snprintf(why, len, "not ready: %zu of %zu replicas; %s", bad,
	    s->n_inst, first);
	return (503);
}
