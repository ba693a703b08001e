/*
 * tests/emu/sync.c: schema-cache sync between instances (facts §2.4-§2.6)
 * and remote-schema healing (facts §2.8).
 *
 * A few sync threads share all instances (instance i belongs to thread
 * i % n).  For each instance a thread runs the listener step every poll
 * interval (the RepeatableRead poll of hdb_metadata.resource_version) and,
 * on success, the processor step (compare, fetch metadata + notifications,
 * rebuild or only set the version).  The heal_* and sync_* fields of struct
 * instance belong to the owning sync thread; rebuilds take in->update.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu.h"

#define SYNC_THREADS_MAX	4

static pthread_t	 sync_threads[SYNC_THREADS_MAX];
static int		 sync_nthreads;
static struct instance	*sync_insts;
static int		 sync_ninst;
static pthread_mutex_t	 sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 sync_cond;
static unsigned		 sync_gen;

/* Wake every sync thread (fault change, shutdown). */
void
sync_kick(void)
{
	pthread_mutex_lock(&sync_lock);
	sync_gen++;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_lock);
}

/*
 * Rebuild in's cache from md with inv and publish it at version ver.
 * Caller holds in->update.  Returns 0.
 */
int
sync_rebuild(struct instance *in, const char *thread, json_t *md, long ver,
    const struct inval *inv)
{
	struct cache	*prev, *c;

	(void)thread;
	prev = instance_cache(in, NULL);
	c = cache_build(md, prev, inv);
	cache_unref(prev);
	instance_publish(in, c, ver);
	return (0);
}

/* Invalidate everything after a gap (facts §2.5). */
static void
sync_inval_all(struct inval *inv, const json_t *md)
{
	const json_t	*v;
	size_t		 i;

	inv->metadata = inv->all_remote = inv->all_sources = true;
	json_array_foreach(json_object_get(md, "remote_schemas"), i, v)
		if (util_jstr(v, "name") != NULL)
			json_array_append_new(inv->remote,
			    json_string(util_jstr(v, "name")));
	json_array_foreach(json_object_get(md, "sources"), i, v)
		if (util_jstr(v, "name") != NULL)
			json_array_append_new(inv->sources,
			    json_string(util_jstr(v, "name")));
}

static void
sync_log_err(struct instance *in, const char *tt, const struct dberr *e)
{
	log_sync(in, "error", tt, json_pack("{s:{s:s,s:{s:s,s:s,s:s,s:s}}}",
	    "error", "type", "query_error", "info", "internal", e->msg, "path",
	    "$", "error", e->conn ? "connection error" : "postgres tx error",
	    "code", "postgres-error"));
}

/* Apply notification rows (caller holds in->update). */
static void
sync_apply(struct instance *in, json_t *md, long cur, long latest,
    const json_t *rows)
{
	struct inval	 inv;
	const json_t	*row;
	size_t		 i;
	bool		 contiguous = false;

	log_syncf(in, "processor", "Fetched metadata notifications and "
	    "received some notifications. Updating the schema cache.");
	inval_init(&inv);
	json_array_foreach(rows, i, row)
		if (json_integer_value(json_object_get(row,
		    "resource_version")) == cur + 1)
			contiguous = true;
	if (contiguous) {
		json_array_foreach(rows, i, row)
			inval_add_json(&inv, json_object_get(row,
			    "notification"));
	} else
		sync_inval_all(&inv, md);
	sync_rebuild(in, "processor", md, latest, &inv);
	inval_free(&inv);
	log_syncf(in, "processor", "Schema cache updated with resource "
	    "version: %ld", latest);
}

/* The processor step of facts §2.5 for DB version dbv. */
static void
sync_process(struct instance *in, long dbv)
{
	struct dberr	 e;
	json_t		*md = NULL, *rows = NULL;
	long		 cur, latest;

	pthread_mutex_lock(&in->update);
	pthread_mutex_lock(&in->lock);
	cur = in->version;
	pthread_mutex_unlock(&in->lock);
	if (cur == dbv)
		goto out;
	log_syncf(in, "processor", "Received metadata resource version: %ld, "
	    "different from the current engine resource version: %ld. Trying "
	    "to update the schema cache.", dbv, cur);
	/* The metadata and the notifications as one pair: no co-located
	 * writer may commit between the two reads (see global_write_lock). */
	pthread_rwlock_rdlock(&global_write_lock);
	if (catalog_fetch_metadata(&md, &latest, &e) == -1) {
		pthread_rwlock_unlock(&global_write_lock);
		sync_log_err(in, "processor", &e);
		goto out;
	}
	if (catalog_notifications(cur, in->id, &rows, &e) == -1) {
		pthread_rwlock_unlock(&global_write_lock);
		sync_log_err(in, "processor", &e);
		goto out;
	}
	pthread_rwlock_unlock(&global_write_lock);
	log_syncf(in, "processor", "Fetched metadata with resource version: "
	    "%ld", latest);
	if (json_array_size(rows) == 0) {
		instance_set_version(in, latest);
		log_syncf(in, "processor", "Fetched metadata notifications and "
		    "received no notifications. Not updating the schema cache. "
		    "Only setting resource version: %ld in schema cache",
		    latest);
	} else
		sync_apply(in, md, cur, latest, rows);
out:
	pthread_mutex_unlock(&in->update);
	json_decref(md);
	json_decref(rows);
}

/*
 * The listener step of facts §2.4: poll, log a given (error, version) pair
 * only once (recent v2), then hand the version to the processor step.
 */
static void
sync_poll(struct instance *in)
{
	struct dberr	 e;
	long		 v, cur;
	char		*key;
	int		 rc;

	pthread_rwlock_rdlock(&global_write_lock);
	rc = catalog_poll_version(&v, &e);
	pthread_rwlock_unlock(&global_write_lock);
	if (rc == -1) {
		pthread_mutex_lock(&in->lock);
		cur = in->version;
		pthread_mutex_unlock(&in->lock);
		key = xprintf("%s|%ld", e.msg, cur);
		if (in->last_err == NULL || strcmp(in->last_err, key) != 0) {
			sync_log_err(in, "listener", &e);
			log_sync(in, "info", "listener", json_pack("{s:I}",
			    "metadataResourceVersion", (json_int_t)cur));
			free(in->last_err);
			in->last_err = key;
		} else
			free(key);
		in->in_error = true;
		return;
	}
	if (in->in_error) {
		log_syncf(in, "listener", "SchemaSync Restored...");
		in->in_error = false;
		free(in->last_err);
		in->last_err = NULL;
	}
	in->db_version = v;
	sync_process(in, v);
}

/* ---- remote schema healing, facts §2.8 ---- */

static struct heal_state *
heal_find(struct instance *in, const struct rs_result *r, int64_t now)
{
	struct heal_state *h;

	for (size_t i = 0; i < in->nheal; i++) {
		h = &in->heal[i];
		if (strcmp(h->name, r->name) != 0)
			continue;
		if (strcmp(h->defkey, r->defkey) != 0) {
			/* backoff resets when the definition changes */
			free(h->defkey);
			h->defkey = xstrdup(r->defkey);
			h->backoff_ms = global_cfg.healing_ms;
			h->next_at = now + h->backoff_ms;
			h->attempts = 0;
			h->warned = false;
		}
		return (h);
	}
	in->heal = xrealloc(in->heal, (in->nheal + 1) * sizeof *in->heal);
	h = &in->heal[in->nheal++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(r->name);
	h->defkey = xstrdup(r->defkey);
	h->backoff_ms = global_cfg.healing_ms;
	h->next_at = now + h->backoff_ms;
	h->since = now;
	log_syncf(in, "remote-schema-healing", "remote schema %s is "
	    "inconsistent; will retry introspecting it periodically", h->name);
	return (h);
}

static void
heal_forget(struct instance *in, size_t i)
{
	free(in->heal[i].name);
	free(in->heal[i].defkey);
	in->heal[i] = in->heal[--in->nheal];
}

static const json_t *
heal_rs(const json_t *md, const char *name)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(json_object_get(md, "remote_schemas"), i, v)
		if (util_jstr(v, "name") && strcmp(util_jstr(v, "name"),
		    name) == 0)
			return (v);
	return (NULL);
}

/* Probe one due schema; returns 1 when it answered. */
static int
heal_probe(struct instance *in, struct heal_state *h, const json_t *rs,
    int64_t now)
{
	struct rs_result *r;
	int		  ok;
	char		 *msg;

	r = remote_introspect(rs);
	ok = r->ok;
	remote_unref(r);
	h->attempts++;
	if (ok)
		return (1);
	h->backoff_ms *= 2;
	if (h->backoff_ms >= EMU_HEAL_CAP_MS) {
		h->backoff_ms = EMU_HEAL_CAP_MS;
		if (!h->warned) {
			h->warned = true;
			msg = xprintf("remote schema %s is still inconsistent; "
			    "will keep retrying every 120s", h->name);
			log_sync(in, "warn", "remote-schema-healing",
			    json_string(msg));
			free(msg);
		}
	}
	h->next_at = now + h->backoff_ms;
	return (0);
}

/* Rebuild only the healed schemas, if the cache is at the DB version. */
static void
heal_rebuild(struct instance *in, json_t *healed, int64_t now)
{
	struct inval	 inv;
	struct cache	*c;
	struct dberr	 e;
	long		 cur, dbv;
	char		*msg;

	pthread_mutex_lock(&in->update);
	c = instance_cache(in, &cur);
	if (catalog_poll_version(&dbv, &e) == 0 && dbv == cur) {
		inval_init(&inv);
		json_decref(inv.remote);
		inv.remote = json_incref(healed);
		sync_rebuild(in, "remote-schema-healing", c->metadata, cur, &inv);
		inval_free(&inv);
	}
	pthread_mutex_unlock(&in->update);
	cache_unref(c);
	c = instance_cache(in, NULL);
	for (size_t i = 0; i < in->nheal; i++) {
		struct heal_state *h = &in->heal[i];
		bool still = false;
		for (size_t k = 0; k < c->nrss; k++)
			if (strcmp(c->rss[k]->name, h->name) == 0)
				still = !c->rss[k]->ok;
		if (still || !util_strarr_has(healed, h->name))
			continue;
		msg = xprintf("remote schema %s is consistent again", h->name);
		log_sync(in, "info", "remote-schema-healing", json_pack(
		    "{s:s,s:i,s:I}", "message", msg, "attempts", h->attempts,
		    "inconsistent_for_seconds",
		    (json_int_t)((now - h->since) / 1000)));
		free(msg);
		heal_forget(in, i--);
	}
	cache_unref(c);
}

/*
 * One healing pass for in: find its inconsistent remote schemas, probe the
 * due ones without holding any lock, and rebuild locally (no
 * resource_version bump) if some answered.
 */
static void
heal_step(struct instance *in, int64_t now)
{
	struct cache	*c;
	struct heal_state *h;
	json_t		*healed = json_array();
	const json_t	*rs;
	int64_t		 next = now + global_cfg.healing_ms;

	c = instance_cache(in, NULL);
	for (size_t i = 0; i < in->nheal; i++) {
		bool bad = false;
		for (size_t k = 0; k < c->nrss; k++)
			if (strcmp(c->rss[k]->name, in->heal[i].name) == 0)
				bad = !c->rss[k]->ok;
		if (!bad)
			heal_forget(in, i--);
	}
	for (size_t k = 0; k < c->nrss; k++) {
		if (c->rss[k]->ok || (rs = heal_rs(c->metadata,
		    c->rss[k]->name)) == NULL)
			continue;
		h = heal_find(in, c->rss[k], now);
		if (now >= h->next_at && heal_probe(in, h, rs, now))
			json_array_append_new(healed, json_string(h->name));
		if (h->next_at < next)
			next = h->next_at;
	}
	cache_unref(c);
	if (json_array_size(healed) > 0)
		heal_rebuild(in, healed, now);
	json_decref(healed);
	in->next_heal = next;
}

/* Service one instance; returns its next deadline. */
static int64_t
sync_service(struct instance *in, int64_t next)
{
	int64_t		now = util_now_ms();
	struct fault	f = instance_fault(in);

	if (global_cfg.poll_ms > 0 && !f.sync_paused) {
		if (now >= in->next_poll) {
			sync_poll(in);
			in->next_poll = util_now_ms() + global_cfg.poll_ms;
		}
		if (in->next_poll < next)
			next = in->next_poll;
	}
	if (global_cfg.healing_ms > 0) {
		if (now >= in->next_heal)
			heal_step(in, util_now_ms());
		if (in->next_heal < next)
			next = in->next_heal;
	}
	return (next);
}

static void *
sync_main(void *arg)
{
	int		 t = (int)(intptr_t)arg;
	int64_t		 next, wait;
	struct timespec	 ts;
	unsigned	 gen;

	while (!atomic_load(&global_quit)) {
		next = util_now_ms() + 1000;
		for (int i = t; i < sync_ninst && !atomic_load(&global_quit);
		    i += sync_nthreads)
			next = sync_service(&sync_insts[i], next);
		pthread_mutex_lock(&sync_lock);
		gen = sync_gen;
		wait = next - util_now_ms();
		if (wait > 0 && !atomic_load(&global_quit)) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (wait % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			while (gen == sync_gen && !atomic_load(&global_quit) &&
			    pthread_cond_timedwait(&sync_cond, &sync_lock,
			    &ts) == 0)
				;
		}
		pthread_mutex_unlock(&sync_lock);
	}
	return (NULL);
}

/* Start the sync threads for the n instances of insts. */
void
sync_start(struct instance *insts, int n)
{
	pthread_condattr_t	ca;
	pthread_attr_t		pa;
	int64_t			now = util_now_ms();

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sync_cond, &ca);
	pthread_condattr_destroy(&ca);
	sync_insts = insts;
	sync_ninst = n;
	for (int i = 0; i < n; i++) {
		/* spread the first polls over one interval */
		insts[i].next_poll = now + (global_cfg.poll_ms > 0 ?
		    (int64_t)global_cfg.poll_ms * i / n : 0);
		insts[i].next_heal = now + global_cfg.healing_ms;
	}
	if (global_cfg.poll_ms == 0 && global_cfg.healing_ms == 0)
		return;
	sync_nthreads = n < SYNC_THREADS_MAX ? n : SYNC_THREADS_MAX;
	pthread_attr_init(&pa);
	pthread_attr_setstacksize(&pa, 512 * 1024);
	for (int t = 0; t < sync_nthreads; t++)
		if (pthread_create(&sync_threads[t], &pa, sync_main,
		    (void *)(intptr_t)t) != 0)
			log_fatal_usage("cannot start sync threads");
	pthread_attr_destroy(&pa);
}

/* Join the sync threads (global_quit must be set). */
void
sync_stop(void)
{
	sync_kick();
	for (int t = 0; t < sync_nthreads; t++)
		pthread_join(sync_threads[t], NULL);
	sync_nthreads = 0;
	for (int i = 0; i < sync_ninst; i++) {
		while (sync_insts[i].nheal > 0)
			heal_forget(&sync_insts[i], 0);
		free(sync_insts[i].heal);
		free(sync_insts[i].last_err);
	}
}
