/*
 * probe.c: one probe round over every instance at once (libcurl multi). Per
 * instance three chains run side by side, each on its own keep-alive
 * connection:
 *   health:   GET /healthz -> POST export_metadata v2 (one instance, only
 *             without --database-url)
 *   metadata: POST get_inconsistent_metadata -> POST dump_internal_state
 *             (only while its in-memory version is unknown for the
 *             catalog's current version)
 *   version:  GET /v1/version (first contact, after a failure)
 * An answer equal to the last one is neither stored nor parsed; equal
 * answers of several instances are kept once. Then probe_evaluate() flags
 * disagreement and replicas left behind. Worker thread only.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot_build.h"
#include "hasync/worker.h"
#include "hasync/xmalloc.h"

enum step {
	STEP_HEALTHZ, STEP_EXPORT,			/* chain 0 */
	STEP_INCONSISTENT, STEP_DUMP,			/* chain 1 */
	STEP_VERSION,					/* chain 2 */
	STEP_DONE,
};

/* Three chains side by side, each a keep-alive connection: a round costs
 * the longest chain, not the sum of its requests. */
#define CHAIN_HEALTH	0
#define CHAIN_META	1
#define CHAIN_VERSION	2
static const int chain_first[N_CHAINS] = {
	STEP_HEALTHZ, STEP_INCONSISTENT, STEP_VERSION,
};
/* The step after a chain's last one. */
#define CHAIN_END(c)	((c) == N_CHAINS - 1 ? STEP_DONE : chain_first[(c) + 1])

struct round {
	struct worker	*w;
	bool		 export_claimed;
};

static void	probe_commit(struct worker *, size_t);
static bool	probe_reload_job(const struct worker *);

/* Publish what is due: at most 10 times a second; what is held back goes
 * out from probe_idle(), which runs at least every 100 ms of a round. */
static void
probe_flush(struct worker *w)
{
	if (w->publish_due && mono_now() - w->last_publish >= 0.1) {
		w->publish_due = false;
		worker_publish(w);
	}
}

/* One of an instance's chains is over; once both are, show its results
 * now, not at round end (a slow replica must not hide the fast ones). */
static void
probe_finished(struct worker *w, struct inst *in)
{
	if (--in->chains_left > 0)
		return;
	probe_commit(w, (size_t)(in - w->inst));
	in->round_committed = true;
	w->publish_due = true;
	probe_flush(w);
}

/*
 * A reload job (hasync reload, --batch --reload) skips the metadata summary
 * (export_metadata grows with the metadata). /healthz and /v1/version stay:
 * they run beside get_inconsistent_metadata, on the other chain, so they
 * cost no round trip, and /healthz ERROR is a verdict of its own.
 */
static bool
probe_reload_job(const struct worker *w)
{
	return (w->c->mode == MODE_BATCH && w->c->reload);
}

/* Set chain c's request for step s; false if the chain is over. */
static bool
probe_setup(struct round *rd, struct inst *in, int c, int s)
{
	struct worker	*w = rd->w;
	struct http_req	*r = &in->req[c];
	int64_t		 rv = worker_catalog_rv(w);

	free(r->body);
	r->body = NULL;
	r->expect = NULL;
	r->expect_owner = NULL;
	for (; s < CHAIN_END(c); s++) {
		switch (s) {
		case STEP_HEALTHZ:
			r->path = "/healthz";
			r->auth = false;
			break;
		case STEP_VERSION:
			if (!in->need_version && in->server_version != NULL)
				continue;
			r->path = "/v1/version";
			r->auth = false;
			break;
		case STEP_INCONSISTENT:
			/* A reload job of scope full sends {}: nothing to
			 * name, and its answer carries the objects. One
			 * request where one suffices. */
			if (probe_reload_job(w) && !w->reload_pending &&
			    !w->c->readonly &&
			    w->c->reload_scope == RELOAD_FULL)
				continue;
			r->path = "/v1/metadata";
			r->auth = true;
			r->body = hasura_request("get_inconsistent_metadata",
			    NULL);
			/* Most answers repeat the last one: compare as the
			 * bytes arrive, keep and parse only what changed. */
			if (in->objects->body != NULL) {
				r->expect = in->objects->body;
				r->expect_len = in->objects->body_len;
				r->expect_owner = in->objects;
			}
			break;
		case STEP_DUMP:
			/* Parse the (large) dump once per catalog version,
			 * and again only while the replica is behind. */
			if (rv < 0 || (in->mem_checked_rv == rv &&
			    in->mem_version >= rv))
				continue;
			r->path = "/v1/metadata";
			r->auth = true;
			r->body = hasura_request("dump_internal_state", NULL);
			break;
		case STEP_EXPORT:
			/* A reload job needs consistency, not the summary:
			 * export_metadata grows with the metadata. */
			if (w->c->database_url != NULL || rd->export_claimed ||
			    probe_reload_job(w))
				continue;
			rd->export_claimed = true;
			r->path = "/v1/metadata";
			r->auth = true;
			{
				json_t	*req = json_object();

				json_object_set_new(req, "type",
				    json_string("export_metadata"));
				json_object_set_new(req, "version",
				    json_integer(2));
				json_object_set_new(req, "args", json_object());
				r->body = json_dumps(req, JSON_COMPACT);
				json_decref(req);
			}
			break;
		}
		in->step[c] = s;
		return (true);
	}
	in->step[c] = STEP_DONE;
	return (false);
}

static void
probe_fail(struct inst *in, enum health h, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
probe_fail(struct inst *in, enum health h, const char *fmt, ...)
{
	va_list	ap;

	in->round_failed = true;
	in->round_health = h;
	va_start(ap, fmt);
	vsnprintf(in->round_error, sizeof(in->round_error), fmt, ap);
	va_end(ap);
	snprintf(in->round_text, sizeof(in->round_text), "%s",
	    in->round_error);
}

/* A set parsed this round from the same bytes as r's answer, or NULL:
 * answers stored side by side before either was parsed are kept once. */
static struct objset *
probe_same_answer(struct worker *w, struct inst *self, struct http_req *r)
{
	struct objset	*set;
	size_t		 i;

	for (i = 0; i < w->n_inst; i++) {
		set = w->inst[i].round_committed ? w->inst[i].objects :
		    w->inst[i].round_objects;
		if (&w->inst[i] != self && set != NULL && set->body != NULL &&
		    set->body_len == r->resp_len &&
		    memcmp(set->body, r->resp, r->resp_len) == 0)
			return (set);
	}
	return (NULL);
}

/* A large answer held back may compare itself with one that arrived this
 * round: 500 replicas sending the same 5 MB are stored once. */
static void
probe_rebase(struct http_req *r, void *arg)
{
	struct round	*rd = arg;
	struct worker	*w = rd->w;
	struct objset	*set;
	size_t		 i;

	for (i = 0; i < w->n_inst; i++) {
		set = w->inst[i].round_committed ? w->inst[i].objects :
		    w->inst[i].round_objects;
		if (set != NULL && set->body != NULL && &w->inst[i] !=
		    r->user) {
			r->expect = set->body;
			r->expect_len = set->body_len;
			r->expect_owner = set;
			return;
		}
	}
}

static void
probe_inconsistent(struct worker *w, struct inst *in, struct http_req *r)
{
	struct inconsistency	ic;
	struct err		e;
	char			line[256];
	int			rc;

	if (r->status == 401) {
		probe_fail(in, HEALTH_AUTH, "admin secret rejected by %s",
		    in->endpoint);
		return;
	}
	if (r->status != 200) {
		hasura_error_line(r->resp, r->resp_len, line, sizeof(line));
		probe_fail(in, HEALTH_ERROR, "get_inconsistent_metadata: HTTP "
		    "%ld: %s", r->status, line);
		return;
	}
	/* The same bytes as a set already parsed: the same set. */
	if (r->same || (r->resp_len > HTTP_BIG / 16 &&
	    (r->expect_owner = probe_same_answer(w, in, r)) != NULL)) {
		in->round_objects = (struct objset *)r->expect_owner;
		objset_ref(in->round_objects);
		in->round_consistency = in->round_objects->consistent;
		return;
	}
	/* The set takes the answer's bytes (pass-through, no copy). A
	 * reload job's look before its reload needs names only. */
	rc = hasura_parse_inconsistency_take(r->resp, r->resp_len, false,
	    worker_ic_flags(w) | (probe_reload_job(w) && !w->reload_pending &&
	    !w->c->readonly ? IC_NAMES_ONLY : 0), &ic, &e);
	r->resp = NULL;
	r->resp_len = 0;
	if (rc == -1) {
		probe_fail(in, HEALTH_ERROR, "%s from %s", e.msg,
		    in->endpoint);
		return;
	}
	in->round_objects = ic.objects;
	in->round_consistency = ic.is_consistent;
}

/* A request finished: record it and chain the next one. */
static bool
probe_done(struct http_req *r, void *arg)
{
	struct round	*rd = arg;
	struct worker	*w = rd->w;
	struct inst	*in = r->user;
	struct err	 e;
	char		 buf[128];
	int64_t		 v;
	int		 c = r->tag;

	if (r->fail != HTTP_OK) {
		probe_fail(in, r->fail == HTTP_UNREACHABLE ? HEALTH_UNREACHABLE :
		    HEALTH_ERROR, "%s", r->error);
		goto next_none;
	}
	switch (in->step[c]) {
	case STEP_HEALTHZ:
		/* facts §4.1: plain text OK / WARN: ... / ERROR... */
		in->latency_ms = r->ms;
		if (in->round_failed)
			break;	/* the metadata chain's failure stands */
		snprintf(buf, sizeof(buf), "%.*s", (int)(r->resp_len < 100 ?
		    r->resp_len : 100), r->resp);
		buf[strcspn(buf, "\r\n")] = '\0';
		if (r->status == 200 && strncmp(buf, "OK", 2) == 0)
			in->round_health = HEALTH_OK;
		else if (r->status == 200 && strncmp(buf, "WARN", 4) == 0)
			in->round_health = HEALTH_WARN;
		else {
			in->round_health = HEALTH_ERROR;
			if (buf[0] == '\0' || r->status != 500)
				snprintf(buf, sizeof(buf), "HTTP %ld from "
				    "/healthz", r->status);
		}
		snprintf(in->round_text, sizeof(in->round_text), "%s", buf);
		break;
	case STEP_VERSION:
		if (r->status == 200 && hasura_parse_version(r->resp,
		    r->resp_len, buf, sizeof(buf), &e) == 0) {
			free(in->server_version);
			in->server_version = xstrdup(buf);
			in->need_version = false;
		}
		break;
	case STEP_INCONSISTENT:
		probe_inconsistent(w, in, r);
		if (in->round_failed)
			goto next_none;
		break;
	case STEP_DUMP:
		if (r->status == 200 && hasura_parse_dump_version(r->resp,
		    r->resp_len, &v, &e) == 0) {
			in->mem_version = v;
			in->mem_checked_rv = worker_catalog_rv(w);
		}
		break;
	case STEP_EXPORT:
		if (r->status == 200 && hasura_parse_export(r->resp,
		    r->resp_len, &v, &w->export_meta, &e) == 0)
			w->export_rv = v;
		break;
	}
	http_req_clear(r);
	if (probe_setup(rd, in, c, in->step[c] + 1))
		return (true);
	probe_finished(w, in);
	return (false);
next_none:
	http_req_clear(r);
	in->step[c] = STEP_DONE;
	probe_finished(w, in);
	return (false);
}



static void
probe_idle(void *arg)
{
	struct round	*rd = arg;

	worker_poll_inbox(rd->w, 0);
	probe_flush(rd->w);
}

/* Fold one instance's round into its lasting state, with events. */
static void
probe_commit(struct worker *w, size_t i)
{
	struct inst	*in = &w->inst[i];
	enum health	 old = in->health;
	bool		 was_known = in->consistency_known;
	bool		 was_consistent = in->consistent;
	size_t		 old_n = in->objects != NULL ? in->objects->n : 0;

	if (in->round_failed) {
		if (in->round_health != HEALTH_AUTH)
			in->need_version = true;
		in->failures++;
		free(in->last_error);
		in->last_error = xstrdup(in->round_error);
		objset_unref(in->round_objects);
	} else {
		in->failures = 0;
		free(in->last_error);
		in->last_error = NULL;
		in->last_ok = time(NULL);
		/* A round begun after the grace shows it after the reload. */
		if (w->round_started >= w->verify_after)
			in->sync_pending = false;
		if (in->round_objects != NULL) {
			objset_unref(in->objects);
			in->objects = in->round_objects;
			in->consistent = in->round_consistency;
			in->consistency_known = true;
		}
	}
	in->round_objects = NULL;
	in->health = in->round_health;
	free(in->health_text);
	in->health_text = xstrdup(in->round_text);
	if (old != in->health) {
		worker_event(w, EV_HEALTH, (int)i, "%s: %s -> %s%s%s",
		    in->endpoint, health_word(old), health_word(in->health),
		    in->round_failed ? ": " : "",
		    in->round_failed ? in->round_error : "");
		if (in->health == HEALTH_UNREACHABLE ||
		    in->health == HEALTH_AUTH) {
			char key[300];

			snprintf(key, sizeof(key), "%s %s", in->endpoint,
			    health_word(in->health));
			worker_sentry(w, in->health == HEALTH_AUTH ?
			    "Admin secret rejected." :
			    "Hasura instance unreachable.", key, (int)i);
		}
	}
	if (!in->round_failed && in->consistency_known &&
	    (!was_known || old_n != in->objects->n || was_consistent !=
	    in->consistent))
		worker_event(w, EV_CONSISTENCY, (int)i, "%s: %s", in->endpoint,
		    in->consistent ? "metadata is consistent" :
		    "metadata is inconsistent");
}

void
probe_round(struct worker *w)
{
	struct http_req	**reqs;
	struct round	  rd = { w, false };
	struct http_hooks hooks = { probe_done, probe_idle, probe_rebase,
			    NULL };
	size_t		  i, n = 0;
	int		  c;

	w->probing = true;
	w->round_started = mono_now();
	worker_publish(w);
	reqs = xcalloc(N_CHAINS * w->n_inst + 1, sizeof(*reqs));
	for (i = 0; i < w->n_inst; i++) {
		struct inst *in = &w->inst[i];

		in->round_failed = false;
		in->round_health = HEALTH_UNKNOWN;
		in->round_text[0] = in->round_error[0] = '\0';
		in->round_objects = NULL;
		in->round_committed = false;
		in->chains_left = 0;
		for (c = 0; c < N_CHAINS; c++) {
			in->req[c].base = in->endpoint;
			in->req[c].user = in;
			in->req[c].tag = c;
			if (probe_setup(&rd, in, c, chain_first[c])) {
				reqs[n++] = &in->req[c];
				in->chains_left++;
			}
		}
	}
	hooks.arg = &rd;
	http_run(w->http, reqs, n, &hooks);
	free(reqs);
	for (i = 0; i < w->n_inst; i++) {
		for (c = 0; c < N_CHAINS; c++) {
			free(w->inst[i].req[c].body);
			w->inst[i].req[c].body = NULL;
			http_req_clear(&w->inst[i].req[c]);
		}
		if (w->stopping || w->inst[i].round_committed)
			continue;
		probe_commit(w, i);
	}
	w->probing = false;
	if (w->stopping)
		return;
	w->probed_at = time(NULL);
	w->probed_mono = mono_now();
	w->rounds++;
	probe_evaluate(w);
}

void
probe_evaluate(struct worker *w)
{
	const struct objset	*ref = NULL;
	int64_t			 rv = worker_catalog_rv(w);
	bool			 past_grace;
	size_t			 i;

	/* Disagreement: reachable instances with different object sets. */
	for (i = 0; i < w->n_inst; i++) {
		struct inst *in = &w->inst[i];

		in->disagrees = false;
		if (in->health == HEALTH_UNREACHABLE ||
		    in->health == HEALTH_AUTH || !in->consistency_known ||
		    in->last_error != NULL)
			continue;
		if (ref == NULL)
			ref = in->objects;
		else if (!objset_equal(ref, in->objects))
			in->disagrees = true;
	}
	if (ref != NULL) {
		bool any = false;

		for (i = 0; i < w->n_inst; i++)
			any |= w->inst[i].disagrees;
		/* Flag every party to a disagreement, not just the later. */
		for (i = 0; any && i < w->n_inst; i++) {
			struct inst *in = &w->inst[i];

			if (in->consistency_known && in->last_error == NULL &&
			    in->health != HEALTH_UNREACHABLE)
				in->disagrees = true;
		}
	}
	/*
	 * Behind: the in-memory version observed below the catalog's past
	 * the grace. Cleared only by an observed version at or above the
	 * catalog's: a version change alone says nothing about a replica,
	 * so "caught up" is never said before it is seen.
	 */
	past_grace = mono_now() - w->behind_since >= worker_grace(w);
	for (i = 0; i < w->n_inst; i++) {
		struct inst	*in = &w->inst[i];
		bool		 seen = rv >= 0 && in->mem_version >= 0 &&
				    in->mem_checked_rv == rv;

		if (!seen)
			continue;
		if (in->mem_version >= rv) {
			if (in->behind)
				worker_event(w, EV_BEHIND, (int)i, "%s caught "
				    "up (resource_version %lld)", in->endpoint,
				    (long long)in->mem_version);
			in->behind = false;
			in->lag_since = 0;
			continue;
		}
		/* Behind since the catalog moved past it (or, if that was
		 * before hasync started, since hasync started). */
		if (in->lag_since == 0)
			in->lag_since = w->behind_since > 0 ? w->behind_since :
			    w->started;
		if (past_grace && !in->behind) {
			in->behind = true;
			worker_event(w, EV_BEHIND, (int)i, "%s serves "
			    "resource_version %lld, catalog is at %lld",
			    in->endpoint, (long long)in->mem_version,
			    (long long)rv);
		}
	}
}
