/*
 * worker.c: the worker thread. It owns every HTTP handle and all cluster
 * state; nobody else reads that state except through the snapshots it
 * publishes. Its loop: wait for the inbox (catalog state, events, commands)
 * or the next timer; fold catalog news in and publish at once (so a version
 * bump reaches --watch within one poll interval); probe every
 * --probe-interval, or sooner: after a version change, once the replicas
 * had time to sync (the grace period: 2 x --poll-interval plus the slowest
 * recent reload), and at once after a (re)connection. Worker thread only.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/exitcode.h"
#include "hasync/hasura.h"
#include "hasync/jsonl.h"
#include "hasync/sentryq.h"
#include "hasync/snapshot_build.h"
#include "hasync/url.h"
#include "hasync/worker.h"
#include "hasync/xmalloc.h"

double
worker_slowest_after(double slowest, double took)
{
	return (took > slowest / 2 ? took : slowest / 2);
}

double
worker_grace(const struct worker *w)
{
	/* One instance has nobody to sync with: verify at once. */
	if (w->n_inst == 1)
		return (0);
	return (2.0 * (double)w->c->poll_interval_ms / 1000.0 +
	    w->slowest_reload);
}

bool
worker_one_shot(const struct worker *w)
{
	return (w->c->mode == MODE_BATCH && !w->c->watch);
}

unsigned
worker_ic_flags(const struct worker *w)
{
	return (w->n_inst > 1 || w->c->mode == MODE_CONSOLE ? IC_INDEX : 0);
}

void
worker_probe_by(struct worker *w, double t)
{
	if (t < w->next_probe)
		w->next_probe = t;
}

int64_t
worker_catalog_rv(const struct worker *w)
{
	if (w->c->database_url != NULL)
		return (w->cat_known && w->cat.db == DB_OK ? w->cat.rv : -1);
	return (w->export_rv);
}

/* Add an event to the ring (oldest dropped). */
static void
worker_add_event(struct worker *w, enum event_kind kind, int inst,
    time_t at, int64_t old_v, int64_t new_v, const char *writer,
    const char *text)
{
	struct snap_event	*ev;

	if (w->n_ring == EVENT_RING) {
		free(w->ring[0].writer);
		free(w->ring[0].text);
		memmove(&w->ring[0], &w->ring[1], sizeof(w->ring[0]) *
		    (EVENT_RING - 1));
		w->n_ring--;
	}
	ev = &w->ring[w->n_ring++];
	memset(ev, 0, sizeof(*ev));
	ev->seq = ++w->event_seq;
	ev->at = at;
	ev->kind = kind;
	ev->instance = inst;
	ev->old_version = old_v;
	ev->new_version = new_v;
	ev->writer = writer != NULL && *writer != '\0' ? xstrdup(writer) :
	    NULL;
	ev->text = xstrdup(text);
}

void
worker_event(struct worker *w, enum event_kind kind, int inst,
    const char *fmt, ...)
{
	char	text[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	worker_add_event(w, kind, inst, time(NULL), -1, -1, NULL, text);
}

static char *
worker_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
worker_sentry(struct worker *w, const char *what, const char *key, int inst)
{
	json_t		*fp, *extra;
	size_t		 i, slot = 0;
	double		 now = mono_now();

	/* Batch passes report once at the end (batch.c). */
	if (w->c->sentry_dsn == NULL || (w->c->mode == MODE_BATCH &&
	    !w->c->watch))
		return;
	for (i = 0; i < 32; i++) {
		if (strcmp(w->sentry_sent[i].key, key) == 0) {
			if (now - w->sentry_sent[i].at < 600) {
				w->stats.sentry_suppressed++;
				return;
			}
			slot = i;
			break;
		}
		if (w->sentry_sent[i].at < w->sentry_sent[slot].at)
			slot = i;
	}
	snprintf(w->sentry_sent[slot].key, sizeof(w->sentry_sent[slot].key),
	    "%s", key);
	w->sentry_sent[slot].at = now;
	extra = json_object();
	json_object_set_new(extra, "endpoint", jsonl_string(inst >= 0 ?
	    w->inst[inst].endpoint : (w->n_inst > 0 ? w->inst[0].endpoint :
	    "")));
	if (inst >= 0 && w->inst[inst].last_error != NULL)
		json_object_set_new(extra, "error",
		    jsonl_string(w->inst[inst].last_error));
	if (inst < 0 && w->cat.error[0] != '\0')
		json_object_set_new(extra, "error", jsonl_string(w->cat.error));
	/* The first instance that reports objects; at most 100 of them. */
	for (i = 0; i < w->n_inst && w->inst[i].objects->n == 0; i++)
		;
	json_object_set_new(extra, "inconsistent_objects", i < w->n_inst ?
	    hasura_objects_json(w->inst[i].objects, 100) : json_array());
	fp = json_pack("[s,o]", "hasync", jsonl_string(key));
	/* Queued, never sent here: the sender thread reports the outcome. */
	if (sentryq_push(what, fp, extra) == -1) {
		w->stats.sentry_failed++;	/* dropped */
		worker_event(w, EV_ERROR, inst, "sentry: event dropped (queue "
		    "full): %s", what);
	}
	json_decref(fp);
	json_decref(extra);
}

/* What --batch would exit with now: 3 > 1 > 4 > 0 (2 is main's). */
static int
worker_exit_code(const struct worker *w)
{
	int	code = EXIT_OK;
	size_t	i;

	if (w->c->database_url != NULL && (!w->cat_known ||
	    w->cat.db != DB_OK))
		code = exitcode_worst(code, EXIT_UNREACHABLE);
	for (i = 0; i < w->n_inst; i++) {
		const struct inst *in = &w->inst[i];

		/* /healthz ERROR: its metadata storage check failed (facts
		 * §4.1): as unusable as an instance that does not answer. */
		if (in->health == HEALTH_UNREACHABLE ||
		    in->health == HEALTH_AUTH || in->health == HEALTH_ERROR ||
		    in->last_error != NULL || in->health == HEALTH_UNKNOWN ||
		    !in->consistency_known)
			code = exitcode_worst(code, EXIT_UNREACHABLE);
		else if (!in->consistent)
			code = exitcode_worst(code, EXIT_INCONSISTENT);
		if (in->disagrees || in->behind)
			code = exitcode_worst(code, EXIT_DISAGREE);
	}
	return (code);
}

/* The union's order is its sets' own: ic_index() sorts a set by key, and
 * a key begins with the type and a tab, so the objects come by type. The
 * first set's objects are in order as they are: no sort. */
static int
worker_cmp_union(const void *a, const void *b)
{
	const struct snap_object	*x = a, *y = b;

	return (strcmp(x->obj->key, y->obj->key));
}

/* The bitmap of the union's object number i: in the block, or alone. */
static uint8_t *
worker_mask(struct snapshot *s, size_t i, size_t bytes)
{
	if (s->masks != NULL)
		return (s->masks + i * (bytes + 1));
	return (xcalloc(bytes + 1, 1));
}

/*
 * The union over instances, each object once, with its instance bitmap.
 * Instances that share a set (the same answer, kept once) are one group:
 * a fleet of 500 replicas reporting the same 20,000 objects merges 20,000
 * objects, not ten million.
 */
static void
worker_build_union(const struct worker *w, struct snapshot *s)
{
	struct group {
		const struct objset	*set;
		uint8_t			*mask;	/* its instances */
		uint32_t		 count;
	}		*g;
	size_t		 i, j, k, b, ng = 0, cap = 0, n = 0, sorted = 0,
			 bytes = (w->n_inst + 7) / 8;

	g = xcalloc(w->n_inst + 1, sizeof(*g));
	for (i = 0; i < w->n_inst; i++) {
		const struct objset *set = w->inst[i].objects;

		if (set == NULL || set->n == 0)
			continue;
		for (k = 0; k < ng && g[k].set != set; k++)
			;
		if (k == ng) {
			g[ng].set = set;
			g[ng].mask = xcalloc(bytes + 1, 1);
			cap += set->uniq != NULL ? set->n_uniq : set->n;
			ng++;
		}
		g[k].mask[i / 8] |= (uint8_t)(1u << (i % 8));
		g[k].count++;
	}
	s->objects = xcalloc(cap + 1, sizeof(*s->objects));
	/* Every object's bitmap in one block, one allocation and one free
	 * instead of one each, up to 64 instances or when all share one set
	 * (a fleet with the same answer: the block is the exact size). Else
	 * the block, sized for the worst case as objects is, could be far
	 * larger than the union. */
	s->masks = bytes <= 8 || ng == 1 ? xcalloc(cap + 1, bytes + 1) : NULL;
	for (k = 0; k < ng; k++) {
		const struct objset *set = g[k].set;

		if (set->uniq == NULL) {
			/* One instance, not indexed (a batch pass): its
			 * list as it is. */
			for (j = 0; ng == 1 && j < set->n; j++) {
				s->objects[n].obj = &set->v[j];
				s->objects[n].n_instances = g[k].count;
				s->objects[n].instances = worker_mask(s, n,
				    bytes);
				memcpy(s->objects[n++].instances, g[k].mask,
				    bytes + 1);
			}
			continue;
		}
		for (j = 0; j < set->n_uniq; j++) {
			struct snap_object	 key = { set->uniq[j], 0, NULL };
			struct snap_object	*so;

			/* Sorted up to `sorted`; a set has unique keys, so
			 * what this set appends needs no search. */
			so = bsearch(&key, s->objects, sorted,
			    sizeof(*s->objects), worker_cmp_union);
			if (so == NULL) {
				so = &s->objects[n];
				so->obj = set->uniq[j];
				so->instances = worker_mask(s, n++, bytes);
			}
			for (b = 0; b < bytes; b++)
				so->instances[b] |= g[k].mask[b];
			so->n_instances += g[k].count;
		}
		if (n > sorted && sorted > 0)
			qsort(s->objects, n, sizeof(*s->objects),
			    worker_cmp_union);
		sorted = n;
	}
	s->n_objects = n;
	for (k = 0; k < ng; k++)
		free(g[k].mask);
	free(g);
}

void
worker_publish(struct worker *w)
{
	struct snapshot	*s = xcalloc(1, sizeof(*s));
	char		 label[256], text[300];
	size_t		 i;

	s->seq = ++w->snap_seq;
	s->built_at = time(NULL);
	s->built_mono = mono_now();
	if (w->c->database_url != NULL) {
		url_pg_label(w->c->database_url, label, sizeof(label));
		s->label = xstrdup(label);
	} else
		s->label = xstrdup(w->n_inst > 0 ? w->inst[0].endpoint : "");
	if (w->c->database_url == NULL)
		s->db = DB_NONE;
	else
		s->db = w->cat_known ? w->cat.db : DB_CONNECTING;
	if (w->cat_known) {
		s->db_error = w->cat.error[0] ? xstrdup(w->cat.error) : NULL;
		s->db_attempt = w->cat.attempt;
		s->catalog_kind = w->cat.kind[0] ? xstrdup(w->cat.kind) : NULL;
		s->catalog_version = w->cat.catalog_version[0] ?
		    xstrdup(w->cat.catalog_version) : NULL;
		s->version_changed_at = w->cat.changed_at;
		s->version_writer = w->cat.writer[0] ?
		    xstrdup(w->cat.writer) : NULL;
		s->meta = w->cat.meta;
	}
	s->resource_version = w->c->database_url != NULL ?
	    (w->cat_known ? w->cat.rv : -1) : w->export_rv;
	if (w->c->database_url == NULL)
		s->meta = w->export_meta;
	s->probed_at = w->probed_at;
	s->probed_mono = w->probed_mono;
	s->probe_interval_ms = w->c->probe_interval_ms;
	s->paused = w->paused;
	s->probing = w->probing;
	s->activity = worker_dup(w->activity);
	s->readonly = w->c->readonly;
	s->rounds = w->rounds;
	s->reloads_done = w->reloads_done;
	s->reload_pending = w->reload_pending;
	s->last_reload_consistent = w->last_reload_consistent;
	s->n_inst = w->n_inst;
	s->inst = xcalloc(w->n_inst + 1, sizeof(*s->inst));
	for (i = 0; i < w->n_inst; i++) {
		const struct inst	*in = &w->inst[i];
		struct snap_instance	*si = &s->inst[i];

		si->endpoint = xstrdup(in->endpoint);
		si->health = in->health;
		si->health_text = worker_dup(in->health_text);
		si->latency_ms = in->latency_ms;
		si->server_version = worker_dup(in->server_version);
		si->consistency_known = in->consistency_known;
		si->consistent = in->consistent;
		si->objects = in->objects;
		objset_ref(si->objects);
		si->mem_version = in->mem_version;
		si->behind = in->behind;
		si->disagrees = in->disagrees;
		si->last_error = worker_dup(in->last_error);
		si->failures = in->failures;
		si->last_ok = in->last_ok;
		si->reload = in->reload;
		si->reload.result = worker_dup(in->reload.result);
		si->label = worker_dup(w->c->labels != NULL ?
		    w->c->labels[i] : NULL);
		si->instance_id = worker_dup(in->instance_id);
		si->verdict = verdict_of(w, i, text, sizeof(text));
		si->verdict_text = xstrdup(text);
		if (in->behind || si->verdict == VERDICT_SYNCING) {
			si->behind_by = s->resource_version - in->mem_version;
			si->lag_seconds = in->lag_since > 0 ? mono_now() -
			    in->lag_since : 0;
		}
	}
	s->verdict_line = verdict_line(w, &s->problems);
	worker_build_union(w, s);
	s->n_events = w->n_ring;
	s->events = xcalloc(w->n_ring + 1, sizeof(*s->events));
	for (i = 0; i < w->n_ring; i++) {	/* newest first */
		s->events[i] = w->ring[w->n_ring - 1 - i];
		s->events[i].writer = worker_dup(s->events[i].writer);
		s->events[i].text = xstrdup(s->events[i].text);
	}
	s->exit_code = worker_exit_code(w);
	s->stats = w->stats;
	{
		uint64_t sent, failed;

		/* The sender thread's outcomes, beside the drops counted
		 * here. */
		sentryq_counts(&sent, &failed);
		s->stats.sentry_sent += sent;
		s->stats.sentry_failed += failed;
	}
	s->grace_seconds = worker_grace(w);
	if (w->reload_answer != NULL) {
		s->reload_answer = xmalloc(w->reload_answer_len + 1);
		memcpy(s->reload_answer, w->reload_answer,
		    w->reload_answer_len + 1);
		s->reload_answer_len = w->reload_answer_len;
	}
	s->reload_outcome = worker_dup(w->reload_outcome);
	s->reload_via = w->reload_via;
	w->last_publish = mono_now();
	w->publish_due = false;
	snapshot_publish(s);
}

/*
 * A catalog change that a reload we sent through instance id_from caused
 * names that instance's Hasura id as its writer: remember it, so that the
 * console can say "by #2" instead of a UUID. An id belongs to one instance
 * (a restarted replica gets a new one).
 */
static void
worker_learn_writer(struct worker *w, const struct inbox_event *ev)
{
	size_t	i;

	if (w->id_from < 0 || (size_t)w->id_from >= w->n_inst ||
	    ev->kind != EV_VERSION || ev->writer[0] == '\0')
		return;
	if (mono_now() > w->id_until) {
		w->id_from = -1;
		return;
	}
	if (ev->new_version <= w->id_after_rv)
		return;
	for (i = 0; i < w->n_inst; i++) {
		if (w->inst[i].instance_id != NULL &&
		    strcmp(w->inst[i].instance_id, ev->writer) == 0) {
			free(w->inst[i].instance_id);
			w->inst[i].instance_id = NULL;
		}
	}
	free(w->inst[w->id_from].instance_id);
	w->inst[w->id_from].instance_id = xstrdup(ev->writer);
	w->id_from = -1;
}

/* Fold the listener's news into our state; true if anything changed. */
static bool
worker_apply_catalog(struct worker *w, struct inbox_take *t)
{
	int	i;
	bool	version_changed = false;

	for (i = 0; i < t->n_events; i++) {
		struct inbox_event *ev = &t->events[i];

		worker_add_event(w, ev->kind, -1, ev->at, ev->old_version,
		    ev->new_version, ev->writer, ev->text);
		worker_learn_writer(w, ev);
		if (ev->kind == EV_DB_LOST) {
			if (t->have_state)	/* for the error text */
				w->cat = t->state;
			if (w->cat.db == DB_STUCK)
				worker_sentry(w, "Catalog query timed out "
				    "(lock?).", "catalog query timed out", -1);
			else
				worker_sentry(w, "Metadata database "
				    "unreachable.", "database unreachable", -1);
		}
		if (ev->kind == EV_VERSION)
			version_changed = true;
	}
	if (t->have_state) {
		if (w->cat_known && w->cat.rv >= 0 && t->state.rv >= 0 &&
		    t->state.rv != w->cat.rv)
			version_changed = true;
		/* Learning the version for the first time: when it was
		 * written is not known (updated_at is not kept, facts
		 * §1.2), so a replica below it gets the grace from now
		 * before it is called behind; it may be syncing. */
		else if ((!w->cat_known || w->cat.rv < 0) && t->state.rv >= 0)
			w->behind_since = mono_now();
		w->cat = t->state;
		w->cat_known = true;
	}
	if (version_changed) {
		/* Probe once the replicas had time to follow (a one-shot
		 * pass probes only when it asks to). */
		w->behind_since = mono_now();
		if (!worker_one_shot(w))
			worker_probe_by(w, mono_now() + worker_grace(w));
	}
	if (t->force_refresh && !worker_one_shot(w))
		worker_probe_by(w, mono_now());
	return (t->have_state || t->n_events > 0 || t->force_refresh);
}

/*
 * Take what the inbox holds (waiting until deadline) and fold in catalog
 * news at once; commands are queued for the main loop (mid-round, only
 * catalog news is handled). Publishes if anything changed.
 */
void
worker_poll_inbox(struct worker *w, double deadline)
{
	struct inbox_take	t;
	int			i;

	if (!inbox_take(&t, deadline))
		return;
	if (t.stop) {
		w->stopping = true;
		http_wakeup(w->http, true);
	}
	for (i = 0; i < t.n_cmds && w->n_cmds < INBOX_CMDS; i++)
		w->cmds[w->n_cmds++] = t.cmds[i];
	if (worker_apply_catalog(w, &t) || t.n_cmds > 0)
		worker_publish(w);
}

/* Run the queued commands. */
static void
worker_commands(struct worker *w)
{
	struct inbox_cmd	c;
	int			i, n = w->n_cmds;

	for (i = 0; i < n && !w->stopping; i++) {
		c = w->cmds[i];
		switch (c.cmd) {
		case CMD_REFRESH:
			/* Asked for: one round even while paused. */
			w->refresh_once = w->paused;
			worker_probe_by(w, mono_now());
			break;
		case CMD_PAUSE:
			w->paused = !w->paused;
			worker_event(w, EV_INFO, -1, "%s", w->paused ?
			    "probing paused" : "probing resumed");
			if (!w->paused)
				worker_probe_by(w, mono_now());
			break;
		case CMD_RELOAD_INSTANCE:
			reload_run(w, c.arg, w->c->reload_scope);
			break;
		case CMD_RELOAD_CLUSTER:
			reload_run(w, -2, RELOAD_FULL);
			break;
		case CMD_DROP_INCONSISTENT:
			reload_drop(w);
			break;
		}
		worker_publish(w);
	}
	memmove(&w->cmds[0], &w->cmds[n], sizeof(w->cmds[0]) *
	    (size_t)(w->n_cmds - n));
	w->n_cmds -= n;
}

/* A replica seen below a new version within the grace is syncing: look
 * again when the grace is over, to call it caught up or behind. */
static void
worker_settle_sync(struct worker *w)
{
	double	end = w->behind_since + worker_grace(w);
	char	text[300];
	size_t	i;

	if (mono_now() >= end)
		return;
	for (i = 0; i < w->n_inst; i++) {
		if (verdict_of(w, i, text, sizeof(text)) == VERDICT_SYNCING &&
		    !w->inst[i].sync_pending) {
			worker_probe_by(w, end);
			return;
		}
	}
}

/* --auto-reload: reload when inconsistent, backing off up to 120 s. */
static void
worker_auto_reload(struct worker *w)
{
	size_t	i;
	bool	bad = false;

	if (!w->c->auto_reload || w->c->readonly || w->reload_pending)
		return;
	for (i = 0; i < w->n_inst; i++)
		bad |= w->inst[i].consistency_known && !w->inst[i].consistent;
	if (!bad) {
		w->auto_backoff = 0;
		return;
	}
	if (mono_now() < w->auto_reload_at)
		return;
	reload_run(w, -1, w->c->reload_scope);
	w->auto_backoff = w->auto_backoff == 0 ? 1 : w->auto_backoff * 2;
	if (w->auto_backoff > 120)
		w->auto_backoff = 120;
	w->auto_reload_at = mono_now() + w->auto_backoff;
}

void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	double		 deadline;

	worker_publish(w);
	/* With a database, let the listener connect first (bounded by the
	 * connect timeout) so the first round knows the catalog version. */
	deadline = mono_now() + (double)w->c->connect_timeout_ms / 1000.0 +
	    0.5;
	while (w->c->database_url != NULL && !w->stopping &&
	    (!w->cat_known || w->cat.db == DB_CONNECTING) &&
	    mono_now() < deadline)
		worker_poll_inbox(w, deadline);
	w->next_probe = mono_now();
	while (!w->stopping) {
		deadline = w->paused && !w->refresh_once ? mono_now() + 3600 :
		    w->next_probe;
		if (w->c->auto_reload && w->auto_reload_at > 0 &&
		    w->auto_reload_at < deadline)
			deadline = w->auto_reload_at;
		worker_poll_inbox(w, deadline);
		if (w->stopping)
			break;
		worker_commands(w);
		if ((!w->paused || w->refresh_once) &&
		    mono_now() >= w->next_probe) {
			double started = mono_now();

			w->refresh_once = false;
			/* News during the round (a version change, a
			 * forced refresh) may ask for the next one sooner. */
			w->next_probe = HUGE_VAL;
			probe_round(w);
			if (w->stopping)
				break;
			w->stats.round_seconds = mono_now() - started;
			reload_verified(w, started);
			if (!worker_one_shot(w))
				worker_probe_by(w, mono_now() +
				    (double)w->c->probe_interval_ms / 1000.0);
			worker_settle_sync(w);
			if (w->reload_pending)
				worker_probe_by(w, w->verify_after);
			worker_auto_reload(w);
			worker_publish(w);
		}
	}
	return (NULL);
}

struct worker *
worker_new(const struct config *c, struct http *h)
{
	struct worker	*w = xcalloc(1, sizeof(*w));
	size_t		 i;

	w->c = c;
	w->http = h;
	w->export_rv = -1;
	w->started = mono_now();
	w->id_from = -1;
	w->reload_via = -1;
	w->stats.round_seconds = -1;
	w->n_inst = c->n_endpoints;
	w->inst = xcalloc(w->n_inst + 1, sizeof(*w->inst));
	for (i = 0; i < w->n_inst; i++) {
		w->inst[i].endpoint = xstrdup(c->endpoints[i]);
		w->inst[i].latency_ms = -1;
		w->inst[i].mem_version = -1;
		w->inst[i].mem_checked_rv = -1;
		w->inst[i].need_version = true;
		w->inst[i].objects = objset_new();
	}
	return (w);
}

void
worker_free(struct worker *w)
{
	size_t	i, k;

	if (w == NULL)
		return;
	for (i = 0; i < w->n_inst; i++) {
		struct inst *in = &w->inst[i];

		free(in->endpoint);
		free(in->health_text);
		free(in->server_version);
		objset_unref(in->objects);
		objset_unref(in->round_objects);
		free(in->last_error);
		free(in->reload.result);
		free(in->instance_id);
		for (k = 0; k < N_CHAINS; k++) {
			free(in->req[k].body);
			http_req_clear(&in->req[k]);
		}
	}
	free(w->inst);
	for (i = 0; i < w->n_ring; i++) {
		free(w->ring[i].writer);
		free(w->ring[i].text);
	}
	free(w->activity);
	free(w->reload_answer);
	free(w->reload_outcome);
	free(w);
}
