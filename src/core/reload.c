/*
 * reload.c: reload and drop cycles. A reload goes to ONE healthy instance.
 * Scope auto (the default) names the inconsistent remote schemas and
 * reloads every source, since only a source reload lets Hasura see a table
 * dropped or changed behind its back (facts §3.2, §5; issue #8245
 * upstream); targeted names only what is inconsistent and sends nothing
 * when all is consistent; full sends {} as hasura-metadata-reloader does.
 * The catalog notification carries a reload to the other replicas (facts
 * §2.6), so every instance is verified by a probe round that starts after
 * the grace period. A bare {"message":"success"} (before v2.4) is never
 * trusted: the answer is confirmed with get_inconsistent_metadata.
 *
 * Every cycle ends: verified, failed, skipped or refused, it is counted in
 * reloads_done, so a reader waiting for it never waits for nothing; its
 * last line is kept in reload_outcome, and every request is counted by
 * scope and result in w->stats (hasync serve's /metrics). Never
 * two at once: the worker is single-threaded and a cycle stays pending
 * until verified. Worker thread only.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/audit.h"
#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot_build.h"
#include "hasync/worker.h"
#include "hasync/xmalloc.h"

/* The instance to send through: want if usable, else the first healthy. */
static int
reload_target(struct worker *w, int want)
{
	size_t	i;

	if (want >= 0 && (size_t)want < w->n_inst) {
		enum health h = w->inst[want].health;

		return (h == HEALTH_OK || h == HEALTH_WARN || h == HEALTH_ERROR ?
		    want : -1);
	}
	for (i = 0; i < w->n_inst; i++) {
		if (w->inst[i].health == HEALTH_OK ||
		    w->inst[i].health == HEALTH_WARN)
			return ((int)i);
	}
	return (-1);
}

/* Send one request to instance t and wait for it. */
static void
reload_send(struct worker *w, int t, char *body, struct http_req *r)
{
	struct http_req	*reqs[1] = { r };

	memset(r, 0, sizeof(*r));
	r->base = w->inst[t].endpoint;
	r->path = "/v1/metadata";
	r->auth = true;
	r->body = body;
	http_run(w->http, reqs, 1, NULL);
}

/* Count a reload request of the cycle under way by its result. */
static void
reload_count(struct worker *w, enum reload_result result, double took)
{
	static const double	 bounds[] = SNAP_RELOAD_BOUNDS;
	struct snap_stats	*st = &w->stats;
	size_t			 b;

	st->reloads[w->stats_scope][result]++;
	if (took < 0)
		return;		/* never sent: no duration */
	for (b = 0; b < SNAP_RELOAD_BUCKETS - 1 && took > bounds[b]; b++)
		;
	if (took <= bounds[b])
		st->reload_buckets[b]++;
	st->reload_count++;
	st->reload_seconds += took;
}

/* The cycle ended as the event just added says. */
static void
reload_outcome(struct worker *w)
{
	free(w->reload_outcome);
	w->reload_outcome = w->n_ring > 0 ? xstrdup(w->ring[w->n_ring - 1].text)
	    : NULL;
}

/* A new cycle: forget the answer of the last one. */
static void
reload_begin(struct worker *w, int t)
{
	free(w->reload_answer);
	w->reload_answer = NULL;
	w->reload_answer_len = 0;
	w->reload_via = t;
}

/* Record the outcome on the instance, as an event and in the audit log. */
static void
reload_finish(struct worker *w, int t, const char *what, json_t *args,
    bool ok, bool consistent, double started, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void
reload_finish(struct worker *w, int t, const char *what, json_t *args,
    bool ok, bool consistent, double started, const char *fmt, ...)
{
	struct reload_info	*ri = &w->inst[t].reload;
	double			 took = mono_now() - started;
	char			 msg[400];
	va_list			 ap;
	size_t			 i;
	bool			 drop = strcmp(what,
				    "drop_inconsistent_metadata") == 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ri->in_flight = false;
	ri->ok = ok;
	ri->consistent = consistent;
	free(ri->result);
	xasprintf(&ri->result, "%s (%.1f s)", msg, took);
	/* The grace follows recent reloads: one slow reload does not
	 * lengthen it for ever. */
	w->slowest_reload = worker_slowest_after(w->slowest_reload, took);
	worker_event(w, strcmp(what, "drop_inconsistent_metadata") == 0 ?
	    EV_DROP_RESULT : EV_RELOAD_RESULT, t, "%s via %s: %s",
	    what, w->inst[t].endpoint, ri->result);
	w->ring[w->n_ring - 1].ok = ok && consistent;
	reload_outcome(w);
	if (drop)
		w->stats.drops++;
	else
		reload_count(w, !ok ? RELOAD_RESULT_FAILED : consistent ?
		    RELOAD_RESULT_CONSISTENT : RELOAD_RESULT_INCONSISTENT, took);
	if (ok) {
		/* The catalog change it caused names t's instance id. */
		w->id_from = t;
		w->id_after_rv = worker_catalog_rv(w);
		w->id_until = mono_now() + 10.0;
	}
	audit_write(what, w->inst[t].endpoint, args, ok, consistent, msg);
	free(w->activity);
	w->activity = NULL;
	w->reload_pending = true;
	w->last_reload_consistent = false;
	/* Verify every replica once they had time to sync: by a round that
	 * starts after the grace, not one already under way. Until then
	 * what the others said before is on its way out: they are syncing.
	 * Look at once too, so that no row contradicts what was done. A drop
	 * answers with no objects: what t said before is on its way out as
	 * well. */
	w->verify_after = mono_now() + worker_grace(w);
	for (i = 0; ok && i < w->n_inst; i++)
		w->inst[i].sync_pending = ((int)i != t && w->n_inst > 1) ||
		    (drop && (int)i == t);
	worker_probe_by(w, w->verify_after);
	if (w->c->mode == MODE_CONSOLE || w->c->watch)
		worker_probe_by(w, mono_now());
}

/* A cycle that ends before anything was sent: counted as done so that
 * nobody waits for it; consistent only when there was nothing to do. */
static void
reload_settle(struct worker *w, bool consistent)
{
	w->reloads_done++;
	w->last_reload_consistent = consistent;
	reload_outcome(w);
}

/* Take a reload answer's objects as instance t's: with v2.4+ an instance
 * answers for itself, and /healthz says WARN iff it has inconsistent
 * objects (facts §4.1), so its health follows too. */
static void
reload_adopt(struct worker *w, int t, struct inconsistency *ic)
{
	struct inst	*in = &w->inst[t];

	objset_unref(in->objects);
	in->objects = ic->objects;
	ic->objects = NULL;
	in->consistent = ic->is_consistent;
	in->consistency_known = true;
	if (in->health == HEALTH_OK || in->health == HEALTH_WARN) {
		in->health = in->consistent ? HEALTH_OK : HEALTH_WARN;
		free(in->health_text);
		in->health_text = xstrdup(in->consistent ? "OK" :
		    "WARN: inconsistent objects in schema");
	}
}

/* Parse a reload answer; its set takes r's bytes. Returns 0 or -1. */
static int
reload_parse(struct worker *w, struct http_req *r, struct inconsistency *ic,
    struct err *e)
{
	int	rc;

	rc = hasura_parse_inconsistency_take(r->resp, r->resp_len, true,
	    worker_ic_flags(w), ic, e);
	r->resp = NULL;
	r->resp_len = 0;
	return (rc);
}

/* Confirm a pre-v2.4 answer with get_inconsistent_metadata. */
static int
reload_confirm(struct worker *w, int t, bool *consistent, size_t *n)
{
	struct http_req		r;
	struct inconsistency	ic;
	struct err		e;
	int			rc = -1;

	reload_send(w, t, hasura_request("get_inconsistent_metadata", NULL),
	    &r);
	if (r.fail == HTTP_OK && r.status == 200) {
		rc = hasura_parse_inconsistency_take(r.resp, r.resp_len, false,
		    IC_NAMES_ONLY, &ic, &e);
		r.resp = NULL;
		if (rc == 0) {
			*consistent = ic.is_consistent;
			*n = ic.objects->n;
			objset_unref(ic.objects);
		}
	}
	free(r.body);
	http_req_clear(&r);
	return (rc);
}

void
reload_run(struct worker *w, int want, enum reload_scope scope)
{
	const struct objset	**sets;
	struct inconsistency	 ic;
	struct http_req		 r;
	struct err		 e;
	json_t			*args;
	char			*argtext, line[256];
	double			 started = mono_now();
	bool			 consistent;
	size_t			 n, i, nsets = 0, named = 0;
	int			 t;

	if (w->reload_pending) {
		worker_event(w, EV_INFO, want, "a reload is already in "
		    "progress; request ignored");
		return;
	}
	w->stats_scope = scope == RELOAD_TARGETED ? 1 : scope == RELOAD_FULL ?
	    2 : 0;
	reload_begin(w, -1);
	if (w->c->readonly) {
		worker_event(w, EV_INFO, want, "read-only: reload refused");
		reload_count(w, RELOAD_RESULT_SKIPPED, -1);
		reload_settle(w, false);
		return;
	}
	if ((t = reload_target(w, want)) == -1) {
		worker_event(w, EV_ERROR, want, "reload not sent: no reachable "
		    "instance to send it to");
		reload_count(w, RELOAD_RESULT_FAILED, -1);
		reload_settle(w, false);
		return;
	}
	w->reload_via = t;
	/* What to name: the chosen instance's objects, or everyone's. */
	sets = xcalloc(w->n_inst + 1, sizeof(*sets));
	if (want >= 0 && w->inst[t].objects->n > 0)
		sets[nsets++] = w->inst[t].objects;
	else
		for (i = 0; i < w->n_inst; i++)
			sets[nsets++] = w->inst[i].objects;
	for (i = 0; i < nsets; i++)
		named += sets[i]->n;
	if (scope == RELOAD_TARGETED && named == 0) {
		worker_event(w, EV_INFO, t, "reload via %s skipped: metadata "
		    "is consistent, nothing to reload (--reload-scope "
		    "targeted)", w->inst[t].endpoint);
		free(sets);
		reload_count(w, RELOAD_RESULT_SKIPPED, -1);
		reload_settle(w, true);
		return;
	}
	args = hasura_reload_args(sets, nsets, scope);
	free(sets);
	argtext = json_dumps(args, JSON_COMPACT | JSON_PRESERVE_ORDER);
	w->inst[t].reload.in_flight = true;
	w->inst[t].reload.at = time(NULL);
	free(w->activity);
	xasprintf(&w->activity, "reloading via %s", w->inst[t].endpoint);
	worker_event(w, EV_RELOAD_SENT, t, "reload_metadata via %s: %s",
	    w->inst[t].endpoint, argtext != NULL ? argtext : "");
	free(argtext);
	worker_publish(w);

	json_incref(args);
	reload_send(w, t, hasura_request("reload_metadata", args), &r);
	if (r.fail == HTTP_OK && r.status == 200 && r.resp != NULL &&
	    r.resp_len <= 65536) {
		/* Kept for hasync serve: its POST /reload_metadata answers
		 * with Hasura's own answer, as hasura-metadata-reloader. */
		w->reload_answer = xmalloc(r.resp_len + 1);
		memcpy(w->reload_answer, r.resp, r.resp_len);
		w->reload_answer[r.resp_len] = '\0';
		w->reload_answer_len = r.resp_len;
	}
	if (r.fail != HTTP_OK)
		reload_finish(w, t, "reload_metadata", args, false, false,
		    started, "failed: %s", r.error);
	else if (r.status == 401)
		reload_finish(w, t, "reload_metadata", args, false, false,
		    started, "failed: admin secret rejected by %s",
		    w->inst[t].endpoint);
	else if (r.status != 200) {
		hasura_error_line(r.resp, r.resp_len, line, sizeof(line));
		reload_finish(w, t, "reload_metadata", args, false, false,
		    started, "failed: HTTP %ld: %s", r.status, line);
	} else if (reload_parse(w, &r, &ic, &e) == -1)
		reload_finish(w, t, "reload_metadata", args, false, false,
		    started, "failed: %s", e.msg);
	else {
		n = ic.objects->n;
		consistent = ic.is_consistent;
		/* The instance answered for itself (v2.4+): its row shows
		 * it at once; with no other replica that is the
		 * verification, and no second round is needed. */
		if (ic.has_is_consistent)
			reload_adopt(w, t, &ic);
		objset_unref(ic.objects);
		if (!ic.has_is_consistent) {
			/* Pre-v2.4: "success" says nothing (facts §3.2). */
			if (reload_confirm(w, t, &consistent, &n) == -1)
				reload_finish(w, t, "reload_metadata", args,
				    true, false, started, "sent, but could not "
				    "confirm (pre-v2.4 answer not trusted)");
			else
				reload_finish(w, t, "reload_metadata", args,
				    true, consistent, started, "%s (confirmed; "
				    "pre-v2.4 answer not trusted)", consistent ?
				    "consistent" : "still inconsistent");
		} else if (consistent)
			reload_finish(w, t, "reload_metadata", args, true, true,
			    started, "consistent");
		else
			reload_finish(w, t, "reload_metadata", args, true,
			    false, started, "still inconsistent: %zu object%s",
			    n, n == 1 ? "" : "s");
		if (ic.has_is_consistent && w->n_inst == 1) {
			/* Verified by its own answer: no round for it. */
			w->verify_after = 0;
			reload_verified(w, mono_now());
			w->next_probe = worker_one_shot(w) ? HUGE_VAL :
			    mono_now() + (double)w->c->probe_interval_ms /
			    1000.0;
		}
	}
	free(r.body);
	http_req_clear(&r);
	json_decref(args);
}

void
reload_drop(struct worker *w)
{
	struct http_req	 r;
	char		 line[256];
	double		 started = mono_now();
	int		 t;

	if (w->reload_pending) {
		worker_event(w, EV_INFO, -1, "a reload is already in "
		    "progress; drop ignored");
		return;
	}
	reload_begin(w, -1);
	if (w->c->readonly) {
		worker_event(w, EV_INFO, -1, "read-only: drop refused");
		reload_settle(w, false);
		return;
	}
	if ((t = reload_target(w, -1)) == -1) {
		worker_event(w, EV_ERROR, -1, "drop not sent: no reachable "
		    "instance");
		reload_settle(w, false);
		return;
	}
	w->reload_via = t;
	w->inst[t].reload.in_flight = true;
	w->inst[t].reload.at = time(NULL);
	free(w->activity);
	xasprintf(&w->activity, "dropping inconsistent metadata via %s",
	    w->inst[t].endpoint);
	worker_publish(w);
	reload_send(w, t, hasura_request("drop_inconsistent_metadata", NULL),
	    &r);
	if (r.fail != HTTP_OK)
		reload_finish(w, t, "drop_inconsistent_metadata", NULL, false,
		    false, started, "failed: %s", r.error);
	else if (r.status != 200) {
		hasura_error_line(r.resp, r.resp_len, line, sizeof(line));
		reload_finish(w, t, "drop_inconsistent_metadata", NULL, false,
		    false, started, "failed: HTTP %ld: %s", r.status, line);
	} else
		reload_finish(w, t, "drop_inconsistent_metadata", NULL, true,
		    true, started, "dropped");
	free(r.body);
	http_req_clear(&r);
}

/* Called after each probe round (started at round_start): the first that
 * started after the grace verifies a pending cycle. */
void
reload_verified(struct worker *w, double round_start)
{
	size_t	i, bad = 0, unknown = 0, behind = 0;

	if (!w->reload_pending || round_start < w->verify_after)
		return;
	for (i = 0; i < w->n_inst; i++) {
		/* /healthz ERROR counts as not answering: a batch exits 3
		 * for it, so --wait keeps trying. */
		if (!w->inst[i].consistency_known ||
		    w->inst[i].last_error != NULL ||
		    w->inst[i].health == HEALTH_ERROR)
			unknown++;
		else if (w->inst[i].behind)
			behind++;	/* its sync, not its metadata, is stuck */
		else if (!w->inst[i].consistent)
			bad++;
	}
	w->reload_pending = false;
	w->last_reload_consistent = bad == 0 && unknown == 0;
	w->reloads_done++;
	worker_event(w, bad == 0 && unknown == 0 && behind == 0 ?
	    EV_RELOAD_RESULT : EV_ERROR, -1, "verified %zu instance%s: %zu "
	    "consistent and in sync, %zu behind the catalog, %zu inconsistent, "
	    "%zu unhealthy or not answering", w->n_inst, w->n_inst == 1 ? "" :
	    "s", w->n_inst - bad - unknown - behind, behind, bad, unknown);
	w->ring[w->n_ring - 1].ok = w->last_reload_consistent;
	reload_outcome(w);
	if (bad > 0)
		worker_sentry(w, "Metadata is still inconsistent after reload.",
		    "inconsistent after reload", -1);
}
