/*
 * batch.c: --batch, --watch and "hasync reload": the engine without a
 * console. One pass prints JSON lines (the shape hasura-metadata-reloader
 * prints, so log pipelines keep working) or a text table, then a summary
 * line, and returns the exit code. --watch prints one line per engine event
 * until a signal. A signal (SIGINT, SIGTERM, SIGHUP) ends any mode at once
 * with what is known, marked interrupted, and exit 128 + the signal: a
 * CronJob killed by its deadline is never recorded as a success. Main
 * thread; it reads snapshots and sends commands like any other reader.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <jansson.h>

#include "hasync/batch.h"
#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/err.h"
#include "hasync/exitcode.h"
#include "hasync/hasura.h"
#include "hasync/inbox.h"
#include "hasync/jsonl.h"
#include "hasync/sanitize.h"
#include "hasync/sentry.h"
#include "hasync/sigpipe.h"
#include "hasync/snapshot.h"
#include "hasync/xmalloc.h"

/* Sleep seconds unless a signal comes first; returns it, or 0. */
static int
batch_sleep(double seconds)
{
	struct pollfd	pfd = { sigpipe_fd(), POLLIN, 0 };

	if (poll(&pfd, 1, (int)(seconds * 1000)) > 0)
		return (sigpipe_read());
	return (0);
}

/*
 * Wait until a snapshot satisfies want(s, arg), timeout seconds pass or a
 * signal arrives (*sig set to it). Returns the newest snapshot, acquired
 * (NULL only if none was ever published).
 */
static struct snapshot *
batch_wait(bool (*want)(const struct snapshot *, const void *),
    const void *arg, double timeout, int *sig)
{
	struct pollfd	 pfd[2];
	struct snapshot	*s;
	double		 deadline = mono_now() + timeout;
	int		 ms;

	for (;;) {
		s = snapshot_acquire();
		if (*sig != 0 || (s != NULL && want(s, arg)) ||
		    mono_now() >= deadline)
			return (s);
		snapshot_release(s);
		pfd[0].fd = engine_wake_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = sigpipe_fd();
		pfd[1].events = POLLIN;
		ms = (int)((deadline - mono_now()) * 1000) + 1;
		if (poll(pfd, 2, ms > 0 ? ms : 0) > 0) {
			if (pfd[1].revents & POLLIN)
				*sig = sigpipe_read();
			else
				engine_drain_wake();
		}
	}
}

/* Probed, and no replica is still syncing to a version it just learned:
 * its verdict (caught up or behind) comes with the round after the grace. */
static bool
batch_probed(const struct snapshot *s, const void *arg)
{
	size_t	i;

	(void)arg;
	if (s->rounds < 1 || s->probing)
		return (false);
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].verdict == VERDICT_SYNCING)
			return (false);
	}
	return (true);
}

static bool
batch_reload_done(const struct snapshot *s, const void *arg)
{
	return (s->reloads_done > *(const uint64_t *)arg && !s->reload_pending);
}

static bool
batch_round_after(const struct snapshot *s, const void *arg)
{
	return (s->rounds > *(const uint64_t *)arg && !s->probing);
}

/* One instance in the summary: "health" is its verdict, in the words of
 * the console and the manual; "reason" says why. */
static json_t *
batch_instance_json(const struct snap_instance *in)
{
	json_t	*o;

	o = json_pack("{s:o,s:s,s:o,s:o,s:o,s:i,s:o,s:o,s:o}",
	    "endpoint", jsonl_string(in->endpoint),
	    "health", verdict_word(in->verdict),
	    "reason", jsonl_string(in->verdict_text),
	    "version", jsonl_string(in->server_version),
	    "is_consistent", in->consistency_known && in->last_error == NULL ?
	    json_boolean(in->consistent) : json_null(),
	    "inconsistent_count", (int)in->objects->n,
	    "in_memory_version", in->mem_version >= 0 ?
	    json_integer(in->mem_version) : json_null(),
	    "latency_ms", in->latency_ms >= 0 ? json_integer(in->latency_ms) :
	    json_null(),
	    "error", jsonl_string(in->last_error));
	if (in->label != NULL)
		json_object_set_new(o, "label", jsonl_string(in->label));
	return (o);
}

static void
batch_objects(FILE *fp, const void *set)
{
	hasura_objects_write(fp, set, 0);
}

/* The last line: the verdict of every instance and the exit code. sig: the
 * signal that interrupted the pass, or 0. */
void
batch_print_summary(const struct snapshot *s, int rc, int sig)
{
	json_t	*f, *arr;
	size_t	 i;

	arr = json_array();
	for (i = 0; i < s->n_inst; i++)
		json_array_append_new(arr, batch_instance_json(&s->inst[i]));
	f = json_object();
	json_object_set_new(f, "exit_code", json_integer(rc));
	if (sig != 0) {
		json_object_set_new(f, "interrupted", json_true());
		json_object_set_new(f, "signal", json_sprintf("SIG%s",
		    sigabbrev_np(sig) != NULL ? sigabbrev_np(sig) : "?"));
	}
	json_object_set_new(f, "resource_version", s->resource_version >= 0 ?
	    json_integer(s->resource_version) : json_null());
	json_object_set_new(f, "verdict", jsonl_string(s->verdict_line));
	json_object_set_new(f, "instances", arr);
	jsonl_write(stdout, rc == 0 ? "info" : "error", sig != 0 ?
	    "summary (interrupted)" : "summary", f);
	json_decref(f);
}

/* The JSON lines of one pass. */
static void
batch_print_json(const struct config *c, const struct snapshot *s, int rc,
    int sig)
{
	json_t	*f;
	size_t	 i;

	/* What the pass did: reloads, drops and their results. */
	for (i = s->n_events; i-- > 0;) {
		const struct snap_event *ev = &s->events[i];

		if (ev->kind != EV_RELOAD_SENT && ev->kind != EV_RELOAD_RESULT &&
		    ev->kind != EV_DROP_RESULT && ev->kind != EV_ERROR)
			continue;
		f = json_pack("{s:s}", "event", ev->kind == EV_RELOAD_SENT ?
		    "reload_sent" : ev->kind == EV_ERROR ? "error" :
		    "reload_result");
		jsonl_write(stdout, ev->kind == EV_ERROR ? "error" : "info",
		    ev->text, f);
		json_decref(f);
	}

	if (c->database_url != NULL) {
		f = json_object();
		json_object_set_new(f, "database", jsonl_string(s->label));
		json_object_set_new(f, "connected", json_boolean(s->db ==
		    DB_OK));
		json_object_set_new(f, "catalog", jsonl_string(s->catalog_kind));
		json_object_set_new(f, "catalog_version",
		    jsonl_string(s->catalog_version));
		json_object_set_new(f, "resource_version", s->resource_version
		    >= 0 ? json_integer(s->resource_version) : json_null());
		json_object_set_new(f, "instance_id",
		    jsonl_string(s->version_writer));
		if (s->db_error != NULL)
			json_object_set_new(f, "error",
			    jsonl_string(s->db_error));
		jsonl_write(stdout, s->db == DB_OK ? "info" : "error",
		    s->db == DB_OK ? "Catalog read." : s->db == DB_STUCK ?
		    "Catalog query timed out (lock?)." : "Database unreachable.",
		    f);
		json_decref(f);
	}
	for (i = 0; i < s->n_inst; i++) {
		const struct snap_instance *in = &s->inst[i];

		if (in->last_error != NULL) {
			f = json_pack("{s:s,s:o,s:s}", "error", in->health ==
			    HEALTH_AUTH ? "admin secret rejected" :
			    "instance unreachable", "instance",
			    jsonl_string(in->endpoint), "health",
			    verdict_word(in->verdict));
			json_object_set_new(f, "reason",
			    jsonl_string(in->last_error));
			jsonl_write(stdout, "error", in->last_error, f);
		} else if (!in->consistency_known) {
			f = json_pack("{s:s,s:o,s:s}", "error",
			    "consistency unknown", "instance",
			    jsonl_string(in->endpoint), "health",
			    verdict_word(in->verdict));
			jsonl_write(stdout, "error", "Instance not probed.", f);
		} else if (!in->consistent) {
			/* The objects exactly as this instance sent them:
			 * its bytes, its order, duplicates kept. */
			f = json_pack("{s:s,s:o}", "error",
			    "metadata is inconsistent", "instance",
			    jsonl_string(in->endpoint));
			jsonl_write_with(stdout, "error", "Metadata is "
			    "inconsistent.", f, "inconsistent_objects",
			    batch_objects, in->objects);
		} else {
			f = json_pack("{s:b,s:o}", "is_consistent", 1,
			    "instance", jsonl_string(in->endpoint));
			jsonl_write(stdout, "info", "Metadata is consistent.", f);
		}
		json_decref(f);
		if (in->health == HEALTH_ERROR && in->last_error == NULL) {
			f = json_pack("{s:s,s:o,s:s}", "error",
			    "instance unhealthy", "instance",
			    jsonl_string(in->endpoint), "health",
			    verdict_word(in->verdict));
			json_object_set_new(f, "reason",
			    jsonl_string(in->health_text));
			jsonl_write(stdout, "error", "/healthz reports an error.",
			    f);
			json_decref(f);
		}
		if (in->behind || in->disagrees) {
			f = json_pack("{s:s,s:o,s:I,s:I}", "error", in->behind ?
			    "instance is behind the catalog" :
			    "instances disagree", "instance",
			    jsonl_string(in->endpoint), "in_memory_version",
			    (json_int_t)in->mem_version, "resource_version",
			    (json_int_t)s->resource_version);
			jsonl_write(stdout, "warn", in->behind ?
			    "Instance serves a stale schema." :
			    "Instances disagree on inconsistent objects.", f);
			json_decref(f);
		}
	}
	batch_print_summary(s, rc, sig);
}

/* Print a sanitised, width-limited cell. */
static void
batch_cell(const char *s, int width, bool last)
{
	char	*clean = sanitize_text(s != NULL ? s : "-", 4096, 0);

	if (last)
		printf("%s\n", clean);
	else if ((int)strlen(clean) > width)
		printf("%.*s~ ", width - 1, clean);
	else
		printf("%-*s ", width, clean);
	free(clean);
}

/* True if two lists are the same objects in the same order. */
static bool
batch_same_list(const struct objset *a, const struct objset *b)
{
	size_t	i;

	if (a == b)
		return (true);
	if (a->n != b->n)
		return (false);
	for (i = 0; i < a->n; i++) {
		if (a->v[i].raw == NULL || b->v[i].raw == NULL ||
		    a->v[i].raw_len != b->v[i].raw_len ||
		    memcmp(a->v[i].raw, b->v[i].raw, a->v[i].raw_len) != 0)
			return (false);
	}
	return (true);
}

/* True if an instance before i reported the very same list. */
static bool
batch_list_seen(const struct snapshot *s, size_t i)
{
	size_t	j;

	for (j = 0; j < i; j++) {
		if (batch_same_list(s->inst[j].objects, s->inst[i].objects))
			return (true);
	}
	return (false);
}

/* A compact table for people, like `hasura metadata ic list`. */
static void
batch_print_text(const struct snapshot *s, int rc, int sig)
{
	char	buf[64];
	size_t	i, j, k;

	if (s->db != DB_NONE) {
		printf("database %s: %s", s->label, s->db == DB_OK ?
		    "connected" : s->db == DB_STUCK ? "CATALOG QUERY TIMED OUT "
		    "(lock?)" : "UNREACHABLE");
		if (s->resource_version >= 0)
			printf(", resource_version %lld",
			    (long long)s->resource_version);
		printf("\n");
	}
	printf("%-3s %-32s %-12s %-8s %-9s %-7s %s\n", "#", "INSTANCE",
	    "HEALTH", "LATENCY", "VERSION", "IN-MEM", "WHY");
	for (i = 0; i < s->n_inst; i++) {
		const struct snap_instance *in = &s->inst[i];

		printf("%-3zu ", i + 1);
		batch_cell(in->label != NULL ? in->label : in->endpoint, 32,
		    false);
		batch_cell(verdict_word(in->verdict), 12, false);
		snprintf(buf, sizeof(buf), "%ldms", in->latency_ms);
		batch_cell(in->latency_ms >= 0 ? buf : "-", 8, false);
		batch_cell(in->server_version, 9, false);
		snprintf(buf, sizeof(buf), "%lld", (long long)in->mem_version);
		batch_cell(in->mem_version >= 0 ? buf : "-", 7, false);
		batch_cell(in->verdict_text, 0, true);
	}
	/* What this pass sent, and what came of it. */
	for (i = s->n_events; i-- > 0;) {
		const struct snap_event *ev = &s->events[i];

		if (ev->kind == EV_RELOAD_SENT || ev->kind == EV_RELOAD_RESULT ||
		    ev->kind == EV_DROP_RESULT) {
			printf("reload: ");
			batch_cell(ev->text, 0, true);
		}
	}
	printf("verdict: ");
	batch_cell(s->verdict_line, 0, true);
	/* Each distinct list once, as its instances sent it (order and
	 * duplicates kept), naming who sent it. */
	for (i = 0; i < s->n_inst; i++) {
		const struct objset *set = s->inst[i].objects;

		if (set->n == 0 || batch_list_seen(s, i))
			continue;
		printf("\n%zu inconsistent object%s from %s", set->n,
		    set->n == 1 ? "" : "s", s->inst[i].label != NULL ?
		    s->inst[i].label : s->inst[i].endpoint);
		for (j = i + 1, k = 0; j < s->n_inst; j++)
			k += batch_same_list(s->inst[j].objects, set);
		if (k > 0)
			printf(" and %zu other%s", k, k == 1 ? "" : "s");
		printf(":\n%-40s %-18s %s\n", "NAME", "TYPE", "REASON");
		for (j = 0; j < set->n; j++) {
			const struct object *o = &set->v[j];

			batch_cell(o->name[0] ? o->name : "N/A", 40, false);
			batch_cell(o->type, 18, false);
			batch_cell(o->reason, 0, true);
		}
	}
	if (s->n_objects == 0 && s->rounds > 0)
		printf("\nmetadata is consistent\n");
	if (sig != 0)
		printf("exit %d: interrupted by SIG%s\n", rc,
		    sigabbrev_np(sig) != NULL ? sigabbrev_np(sig) : "?");
	else
		printf("exit %d: %s\n", rc, exitcode_meaning(rc));
}

/* Report to Sentry once, before exiting (flush is the whole point). */
static void
batch_sentry(const struct config *c, const struct snapshot *s, bool reloaded)
{
	json_t		*extra, *fp, *arr;
	struct err	 e;
	const char	*what;
	size_t		 i;

	if (c->sentry_dsn == NULL || (s->exit_code != EXIT_INCONSISTENT &&
	    s->exit_code != EXIT_UNREACHABLE))
		return;
	what = s->exit_code == EXIT_INCONSISTENT ? (reloaded ? "Metadata is "
	    "still inconsistent after reload." : "Metadata is inconsistent.") :
	    "Hasura instance or metadata database unreachable.";
	extra = json_object();
	json_object_set_new(extra, "endpoint", jsonl_string(s->n_inst > 0 ?
	    s->inst[0].endpoint : s->label));
	arr = json_array();
	for (i = 0; i < s->n_inst; i++)
		json_array_append_new(arr, batch_instance_json(&s->inst[i]));
	json_object_set_new(extra, "instances", arr);
	fp = json_pack("[s,s]", "hasync", s->exit_code == EXIT_INCONSISTENT ?
	    "inconsistent" : "unreachable");
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].objects->n > 0) {
			json_object_set_new(extra, "inconsistent_objects",
			    hasura_objects_json(s->inst[i].objects, 0));
			break;
		}
	}
	for (i = 0; i < s->n_objects; i++)
		json_array_append_new(fp, jsonl_string(s->objects[i].obj->name[0] ?
		    s->objects[i].obj->name : s->objects[i].obj->key));
	if (s->exit_code == EXIT_UNREACHABLE)
		json_array_append_new(fp, jsonl_string(s->label));
	if (sentry_send(c, what, fp, extra, &e) == -1)
		jsonl_write(stdout, "error", e.msg, NULL);
	else
		jsonl_write(stdout, "info", "Sentry event delivered.", NULL);
	json_decref(fp);
	json_decref(extra);
}

/* Longest a probe round may take: each chain is at most three requests,
 * each bounded by the connect timeout and --timeout. A safety net only:
 * rounds end by themselves. */
static double
batch_round_bound(const struct config *c)
{
	return ((double)(c->connect_timeout_ms + c->timeout_ms) * 5 / 1000.0 +
	    5);
}

/* Longest a reload cycle may take: the request, its confirmation, the
 * grace and the verification round. A safety net as well. */
double
batch_reload_bound(const struct config *c)
{
	return (batch_round_bound(c) * 2 + 2.0 * (double)c->poll_interval_ms /
	    1000.0);
}

/* Seconds left until deadline, at least 0. */
static double
batch_left(double deadline)
{
	double	left = deadline - mono_now();

	return (left > 0 ? left : 0);
}

/*
 * One pass, with --reload and --wait. Every reload cycle ends (verified,
 * failed or not sent) and the wait ends with it: an instance that cannot
 * be reached costs its probe, not a timeout. --wait N retries with a
 * backoff of 1 s doubling up to 30 s, probing afresh before each retry,
 * the last retry at N seconds; a retry still under way at N + --timeout is
 * cut short and the pass reports what it knows.
 */
static int
batch_pass(const struct config *c)
{
	struct snapshot	*s;
	double		 wait_until = mono_now() + (double)c->wait_s,
			 cut = wait_until + (double)c->timeout_ms / 1000.0,
			 backoff = 1, bound;
	uint64_t	 mark;
	bool		 reloaded = false, retry = false;
	int		 sig = 0, rc;

	s = batch_wait(batch_probed, NULL, batch_round_bound(c), &sig);
	while (c->reload && s != NULL && sig == 0) {
		mark = s->reloads_done;
		snapshot_release(s);
		if (engine_command(CMD_RELOAD_INSTANCE, -1) == -1) {
			jsonl_write(stdout, "info", c->readonly ? "read-only: "
			    "reload not sent" : "reload could not be queued",
			    NULL);
			s = snapshot_acquire();
			break;
		}
		reloaded = true;
		bound = batch_reload_bound(c);
		s = batch_wait(batch_reload_done, &mark, retry && batch_left(cut)
		    < bound ? batch_left(cut) : bound, &sig);
		if (s == NULL || sig != 0 || s->last_reload_consistent ||
		    batch_left(wait_until) == 0)
			break;
		mark = s->rounds;
		snapshot_release(s);
		bound = batch_left(wait_until) < backoff ?
		    batch_left(wait_until) : backoff;
		if ((sig = batch_sleep(bound)) != 0) {
			s = snapshot_acquire();
			break;
		}
		backoff = backoff * 2 > 30 ? 30 : backoff * 2;
		retry = true;
		/* Look again before retrying: the instance to send it to
		 * may be back, or another may be gone. */
		engine_command(CMD_REFRESH, 0);
		s = batch_wait(batch_round_after, &mark, batch_left(cut), &sig);
		if (s != NULL && batch_left(cut) == 0)
			break;
	}
	if (s == NULL)
		return (sig != 0 ? 128 + sig : EXIT_UNREACHABLE);
	rc = sig != 0 ? 128 + sig : s->exit_code;
	if (c->format == FORMAT_TEXT)
		batch_print_text(s, rc, sig);
	else
		batch_print_json(c, s, rc, sig);
	fflush(stdout);
	/* Interrupted: leave at once; a report would delay the exit. */
	if (sig == 0)
		batch_sentry(c, s, reloaded);
	snapshot_release(s);
	return (rc);
}

static const char *
batch_event_word(enum event_kind k)
{
	static const char *const words[] = {
		"db_connected", "db_lost", "db_restored", "listen_started",
		"version", "health", "consistency", "behind", "reload_sent",
		"reload_result", "drop_result", "info", "error",
	};

	return ((size_t)k < sizeof(words) / sizeof(words[0]) ? words[k] :
	    "event");
}

void
batch_print_events(const struct snapshot *s, uint64_t *last)
{
	json_t	*f;
	size_t	 i, n;

	/* events are newest first: print the new ones oldest first */
	for (n = 0; n < s->n_events && s->events[n].seq > *last; n++)
		;
	for (i = n; i-- > 0;) {
		const struct snap_event *ev = &s->events[i];

		f = json_object();
		json_object_set_new(f, "event", json_string(
		    batch_event_word(ev->kind)));
		if (ev->instance >= 0 && (size_t)ev->instance < s->n_inst)
			json_object_set_new(f, "instance",
			    jsonl_string(s->inst[ev->instance].endpoint));
		if (ev->kind == EV_VERSION) {
			json_object_set_new(f, "old_version",
			    json_integer(ev->old_version));
			json_object_set_new(f, "resource_version",
			    json_integer(ev->new_version));
			json_object_set_new(f, "instance_id",
			    jsonl_string(ev->writer));
		}
		jsonl_write(stdout, ev->kind == EV_ERROR ||
		    ev->kind == EV_DB_LOST ? "error" : "info", ev->text, f);
		json_decref(f);
		*last = ev->seq;
	}
}

/* --watch: one line per new event until a signal. */
static int
batch_watch(const struct config *c)
{
	struct pollfd	 pfd[2];
	struct snapshot	*s;
	uint64_t	 last = 0;
	int		 sig;

	(void)c;
	for (;;) {
		s = snapshot_acquire();
		if (s != NULL) {
			batch_print_events(s, &last);
			snapshot_release(s);
		}
		pfd[0].fd = engine_wake_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = sigpipe_fd();
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) > 0) {
			if (pfd[1].revents & POLLIN)
				break;
			engine_drain_wake();
		}
	}
	/* Stopped by a signal: the state at the end, and 128 + signal. */
	sig = sigpipe_read();
	s = snapshot_acquire();
	if (s != NULL)
		batch_print_summary(s, 128 + sig, sig);
	snapshot_release(s);
	return (128 + sig);
}

int
batch_run(const struct config *c)
{
	struct err	e;
	sigset_t	set;
	int		rc;

	if (sigpipe_install(&set) == -1) {
		jsonl_stderr(config_json_output(c), "error", "cannot set up "
		    "signals: %s", strerror(errno));
		return (EXIT_USAGE);
	}
#ifdef __GLIBC__
	/* A pass on a few instances lives for a few requests whose answers
	 * can be megabytes: take them from the heap, where the memory one
	 * answer gives back serves the next, not from fresh mappings whose
	 * every page faults in (a 6 MB answer's reload: 3,100 page faults
	 * become 1,900). A fleet keeps mappings: they go back at once. */
	if (!c->watch && c->n_endpoints <= FEW_ENDPOINTS)
		mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
	/* Big answers, their strings and object lists in huge pages: a
	 * pass's memory goes with it (--watch stays, and keeps small pages). */
	if (!c->watch)
		xmalloc_huge_enable();
	if (engine_start(c, &e) == -1) {
		jsonl_stderr(config_json_output(c), "error", "%s", e.msg);
		engine_stop();
		return (EXIT_USAGE);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* One pass writes its lines at the end, some of them megabytes of
	 * objects: big writes. --watch flushes every line anyway. */
	if (!c->watch) {
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		jsonl_defer_flush(stdout);
	}
	rc = c->watch ? batch_watch(c) : batch_pass(c);
	engine_stop();
	return (rc);
}
