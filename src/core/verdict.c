/*
 * verdict.c: one verdict per instance, and the one line that sums up the
 * cluster. An instance's verdict is the worst of three things: can it be
 * reached (unreachable, auth, error), does it serve the catalog's version
 * (behind past the grace, syncing within it), and is its metadata
 * consistent (inconsistent, or different from the other replicas'). Worker
 * thread only, at publish time.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/snapshot_build.h"
#include "hasync/worker.h"
#include "hasync/xmalloc.h"

/* Whether instance i is behind the catalog right now, and how. */
static bool
verdict_syncing(const struct worker *w, const struct inst *in)
{
	int64_t	rv = worker_catalog_rv(w);

	/* Without dump_internal_state (older servers) nothing is known. */
	if (rv < 0 || in->mem_version < 0)
		return (false);
	return (in->mem_checked_rv != rv || in->mem_version < rv);
}

/*
 * Whether instance i disagrees with a replica whose answer is settled: one
 * that is syncing, waiting for a reload we sent, or behind still shows
 * what is on its way out, and a replica that is up to date does not
 * disagree with that (the other one carries the verdict).
 */
static bool
verdict_disagrees(const struct worker *w, const struct inst *in)
{
	const struct inst	*o;
	size_t			 j;

	if (!in->disagrees)
		return (false);
	for (j = 0; j < w->n_inst; j++) {
		o = &w->inst[j];
		if (o == in || !o->consistency_known || o->last_error != NULL ||
		    o->health == HEALTH_UNREACHABLE ||
		    o->health == HEALTH_AUTH || o->sync_pending || o->behind ||
		    verdict_syncing(w, o))
			continue;
		if (!objset_equal(in->objects, o->objects))
			return (true);
	}
	return (false);
}

enum verdict
verdict_of(const struct worker *w, size_t i, char *text, size_t len)
{
	const struct inst	*in = &w->inst[i];
	int64_t			 rv = worker_catalog_rv(w);
	size_t			 n = in->objects->n;

	if (in->health == HEALTH_UNREACHABLE || (in->last_error != NULL &&
	    in->health == HEALTH_UNKNOWN)) {
		snprintf(text, len, "%s", in->last_error != NULL ?
		    in->last_error : in->health_text);
		return (VERDICT_UNREACHABLE);
	}
	if (in->health == HEALTH_AUTH) {
		snprintf(text, len, "%s", in->last_error != NULL ?
		    in->last_error : "admin secret rejected");
		return (VERDICT_AUTH);
	}
	if (in->health == HEALTH_ERROR || in->last_error != NULL) {
		snprintf(text, len, "%s", in->last_error != NULL ?
		    in->last_error : in->health_text != NULL &&
		    in->health_text[0] != '\0' ? in->health_text : "error");
		return (VERDICT_ERROR);
	}
	if (in->health == HEALTH_UNKNOWN && !in->consistency_known) {
		snprintf(text, len, "not probed yet");
		return (VERDICT_UNKNOWN);
	}
	if (in->behind) {
		snprintf(text, len, "behind by %lld for %s%.0f s: serves "
		    "resource_version %lld, catalog at %lld",
		    (long long)(rv - in->mem_version), in->lag_since ==
		    w->started ? "at least " : "", mono_now() - in->lag_since,
		    (long long)in->mem_version, (long long)rv);
		return (VERDICT_BEHIND);
	}
	if (in->sync_pending) {
		snprintf(text, len, "a reload is on its way to it");
		return (VERDICT_SYNCING);
	}
	if (verdict_syncing(w, in)) {
		snprintf(text, len, "syncing to resource_version %lld", (long
		    long)rv);
		return (VERDICT_SYNCING);
	}
	if (verdict_disagrees(w, in)) {
		snprintf(text, len, "reports %zu inconsistent object%s, unlike "
		    "the other replicas", n, n == 1 ? "" : "s");
		return (VERDICT_DISAGREES);
	}
	if (in->consistency_known && !in->consistent) {
		if (n > 0)
			snprintf(text, len, "%zu inconsistent object%s", n,
			    n == 1 ? "" : "s");
		else
			snprintf(text, len, "says inconsistent, lists no "
			    "object");
		return (VERDICT_INCONSISTENT);
	}
	if (!in->consistency_known) {
		snprintf(text, len, "consistency not known yet");
		return (VERDICT_UNKNOWN);
	}
	if (rv >= 0 && in->mem_version >= 0)
		snprintf(text, len, "consistent at resource_version %lld",
		    (long long)in->mem_version);
	else
		snprintf(text, len, "consistent");
	return (VERDICT_OK);
}

/* Append "sep item" to a growing line. */
static void
verdict_add(char **line, int *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
verdict_add(char **line, int *n, const char *fmt, ...)
{
	char	 item[300], *joined;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	xasprintf(&joined, "%s%s%s", *line != NULL ? *line : "",
	    *line != NULL ? " \xc2\xb7 " : "", item);
	free(*line);
	*line = joined;
	(*n)++;
}

/*
 * The cluster in one line: "all 3 replicas ok at resource_version 7", or
 * "2 problems: #3 behind by 3 (12 s) · 1 inconsistent object on all 3 ·
 * db ok". *problems gets the number of items named.
 */
char *
verdict_line(const struct worker *w, int *problems)
{
	char		*items = NULL, *out, text[300], who[64];
	const struct objset *shared = NULL;
	enum verdict	 v;
	size_t		 i, on = 0, reachable = 0, syncing = 0, wl = 0;
	int64_t		 rv = worker_catalog_rv(w);
	bool		 same = true, db = w->c->database_url != NULL;
	int		 n = 0;

	if (db && (!w->cat_known || w->cat.db != DB_OK))
		verdict_add(&items, &n, "db %s", !w->cat_known ||
		    w->cat.db == DB_CONNECTING ? "connecting" : "lost");
	for (i = 0; i < w->n_inst; i++) {
		const struct inst *in = &w->inst[i];

		v = verdict_of(w, i, text, sizeof(text));
		switch (v) {
		case VERDICT_UNREACHABLE:
		case VERDICT_AUTH:
		case VERDICT_ERROR:
			verdict_add(&items, &n, "#%zu %s", i + 1,
			    verdict_word(v));
			continue;
		case VERDICT_BEHIND:
			verdict_add(&items, &n, "#%zu behind by %lld (%s%.0f s)",
			    i + 1, (long long)(rv - in->mem_version),
			    in->lag_since == w->started ? "\xe2\x89\xa5" : "",
			    mono_now() - in->lag_since);
			break;
		case VERDICT_SYNCING:
			/* What it reports is on its way out. */
			syncing++;
			continue;
		default:
			break;
		}
		if (!in->consistency_known)
			continue;
		reachable++;
		if (in->objects->n > 0 || !in->consistent) {
			if (shared == NULL)
				shared = in->objects;
			else if (!objset_equal(shared, in->objects))
				same = false;
			/* Who, by number: "#2 #3" (the first few). */
			if (on < 4 && wl < sizeof(who))
				wl += (size_t)snprintf(who + wl, sizeof(who) -
				    wl, "%s#%zu", on > 0 ? " " : "", i + 1);
			else if (on == 4 && wl < sizeof(who))
				wl += (size_t)snprintf(who + wl, sizeof(who) -
				    wl, " \xe2\x80\xa6");
			on++;
		}
	}
	if (on > 0 && same && w->n_inst == 1)
		verdict_add(&items, &n, "%zu inconsistent object%s", shared->n,
		    shared->n == 1 ? "" : "s");
	else if (on > 0 && same && on == reachable && on > 1)
		verdict_add(&items, &n, "%zu inconsistent object%s on all %zu",
		    shared->n, shared->n == 1 ? "" : "s", on);
	else if (on > 0 && same)
		verdict_add(&items, &n, "%zu inconsistent object%s on %s",
		    shared->n, shared->n == 1 ? "" : "s", who);
	else if (on > 0)
		verdict_add(&items, &n, "replicas disagree on inconsistent "
		    "objects (%zu of %zu report some)", on, reachable);
	*problems = n;
	if (n == 0) {
		if (w->n_inst == 0)
			xasprintf(&out, "no replica watched");
		else if (syncing > 0)
			xasprintf(&out, "%zu of %zu replica%s syncing to "
			    "resource_version %lld", syncing, w->n_inst,
			    w->n_inst == 1 ? "" : "s", (long long)rv);
		else if (rv >= 0)
			xasprintf(&out, "all %zu replica%s ok at "
			    "resource_version %lld", w->n_inst, w->n_inst == 1 ?
			    "" : "s", (long long)rv);
		else
			xasprintf(&out, "all %zu replica%s ok", w->n_inst,
			    w->n_inst == 1 ? "" : "s");
		free(items);
		return (out);
	}
	xasprintf(&out, "%d problem%s: %s%s", n, n == 1 ? "" : "s", items,
	    db && w->cat_known && w->cat.db == DB_OK ? " \xc2\xb7 db ok" : "");
	free(items);
	return (out);
}
