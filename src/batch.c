/*
 * batch.c: --batch, --watch and "hasync reload": the engine without a
 * console. One pass prints JSON lines (the shape hasura-metadata-reloader
 * prints, so log pipelines keep working) or a text table, then a summary
 * line, and returns the exit code. --watch prints one line per engine event
 * until SIGINT/SIGTERM. Main thread; it reads snapshots and sends commands
 * like any other reader.
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
#include "hasync/snapshot.h"
#include "hasync/xmalloc.h"

static int	sig_pipe[2] = { -1, -1 };

static void
batch_on_signal(int sig)
{
	int	saved = errno;

	(void)!write(sig_pipe[1], &sig, 1);
	errno = saved;
}

/* Block signals for the engine threads; catch them here through a pipe. */
static int
batch_signals(sigset_t *set)
{
	struct sigaction	sa;

	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (pipe(sig_pipe) == -1)
		return (-1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = batch_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return (pthread_sigmask(SIG_BLOCK, set, NULL));
}

/*
 * Wait until a snapshot satisfies want(s, arg) or timeout seconds pass or
 * a signal arrives. Returns the (acquired) snapshot or NULL on signal.
 * On timeout the newest snapshot is returned.
 */
static struct snapshot *
batch_wait(bool (*want)(const struct snapshot *, const void *),
    const void *arg, double timeout, bool *signalled)
{
	struct pollfd	 pfd[2];
	struct snapshot	*s;
	double		 deadline = mono_now() + timeout;
	int		 ms;

	*signalled = false;
	for (;;) {
		s = snapshot_acquire();
		if (s != NULL && want(s, arg))
			return (s);
		if (mono_now() >= deadline)
			return (s);
		snapshot_release(s);
		pfd[0].fd = engine_wake_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		ms = (int)((deadline - mono_now()) * 1000) + 1;
		if (poll(pfd, 2, ms > 0 ? ms : 0) > 0) {
			if (pfd[1].revents & POLLIN) {
				*signalled = true;
				return (NULL);
			}
			engine_drain_wake();
		}
	}
}

static bool
batch_probed(const struct snapshot *s, const void *arg)
{
	(void)arg;
	return (s->rounds >= 1);
}

static bool
batch_reload_done(const struct snapshot *s, const void *arg)
{
	return (s->reloads_done > *(const uint64_t *)arg && !s->reload_pending);
}

static json_t *
batch_instance_json(const struct snap_instance *in)
{
	return (json_pack("{s:o,s:s,s:o,s:o,s:i,s:o,s:o}",
	    "endpoint", jsonl_string(in->endpoint),
	    "health", health_word(in->health),
	    "version", jsonl_string(in->server_version),
	    "is_consistent", in->consistency_known && in->last_error == NULL ?
	    json_boolean(in->objects->n == 0) : json_null(),
	    "inconsistent_count", (int)in->objects->n,
	    "latency_ms", in->latency_ms >= 0 ? json_integer(in->latency_ms) :
	    json_null(),
	    "error", jsonl_string(in->last_error)));
}

/* The JSON lines of one pass. */
static void
batch_print_json(const struct config *c, const struct snapshot *s)
{
	json_t	*f, *arr;
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
			    health_word(in->health));
			json_object_set_new(f, "reason",
			    jsonl_string(in->last_error));
			jsonl_write(stdout, "error", in->last_error, f);
		} else if (in->objects->n > 0) {
			f = json_pack("{s:s,s:o,s:o}", "error",
			    "metadata is inconsistent", "instance",
			    jsonl_string(in->endpoint), "inconsistent_objects",
			    hasura_objects_json(in->objects, 0));
			jsonl_write(stdout, "error", "Metadata is inconsistent.",
			    f);
		} else {
			f = json_pack("{s:b,s:o}", "is_consistent", 1,
			    "instance", jsonl_string(in->endpoint));
			jsonl_write(stdout, "info", "Metadata is consistent.", f);
		}
		json_decref(f);
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
	arr = json_array();
	for (i = 0; i < s->n_inst; i++)
		json_array_append_new(arr, batch_instance_json(&s->inst[i]));
	f = json_object();
	json_object_set_new(f, "exit_code", json_integer(s->exit_code));
	json_object_set_new(f, "resource_version", s->resource_version >= 0 ?
	    json_integer(s->resource_version) : json_null());
	json_object_set_new(f, "instances", arr);
	jsonl_write(stdout, s->exit_code == 0 ? "info" : "error", "summary",
	    f);
	json_decref(f);
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

/* A compact table for people, like `hasura metadata ic list`. */
static void
batch_print_text(const struct snapshot *s)
{
	char	buf[64];
	size_t	i, j;

	if (s->db != DB_NONE) {
		printf("database %s: %s", s->label, s->db == DB_OK ?
		    "connected" : s->db == DB_STUCK ? "CATALOG QUERY TIMED OUT "
		    "(lock?)" : "UNREACHABLE");
		if (s->resource_version >= 0)
			printf(", resource_version %lld",
			    (long long)s->resource_version);
		printf("\n");
	}
	printf("%-32s %-12s %-9s %-10s %s\n", "INSTANCE", "HEALTH", "LATENCY",
	    "VERSION", "INCONSISTENT");
	for (i = 0; i < s->n_inst; i++) {
		const struct snap_instance *in = &s->inst[i];

		batch_cell(in->endpoint, 32, false);
		batch_cell(health_word(in->health), 12, false);
		snprintf(buf, sizeof(buf), "%ldms", in->latency_ms);
		batch_cell(in->latency_ms >= 0 ? buf : "-", 9, false);
		batch_cell(in->server_version, 10, false);
		snprintf(buf, sizeof(buf), "%zu%s%s", in->objects->n,
		    in->behind ? " BEHIND" : "", in->disagrees ?
		    " DISAGREES" : "");
		batch_cell(in->last_error != NULL ? in->last_error : buf, 0,
		    true);
	}
	if (s->n_objects > 0) {
		printf("\n%-40s %-18s %s\n", "NAME", "TYPE", "REASON");
		for (j = 0; j < s->n_objects; j++) {
			const struct object *o = s->objects[j].obj;

			batch_cell(o->name[0] ? o->name : "N/A", 40, false);
			batch_cell(o->type, 18, false);
			batch_cell(o->reason, 0, true);
		}
	} else if (s->rounds > 0)
		printf("\nmetadata is consistent\n");
	printf("exit %d\n", s->exit_code);
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

/* One pass, with --reload and --wait. */
static int
batch_pass(const struct config *c)
{
	struct snapshot	*s;
	double		 wait_until = mono_now() + (double)c->wait_s,
			 backoff = 1;
	uint64_t	 done;
	bool		 sig, reloaded = false;
	int		 rc;
	double		 first = (double)(c->connect_timeout_ms + c->timeout_ms) *
			    5 / 1000.0 + 5;

	s = batch_wait(batch_probed, NULL, first, &sig);
	if (sig)
		return (EXIT_OK);
	while (c->reload && s != NULL) {
		done = s->reloads_done;
		snapshot_release(s);
		if (engine_command(CMD_RELOAD_INSTANCE, -1) == -1) {
			jsonl_write(stdout, "info", c->readonly ? "read-only: "
			    "reload not sent" : "reload could not be queued",
			    NULL);
			s = snapshot_acquire();
			break;
		}
		reloaded = true;
		s = batch_wait(batch_reload_done, &done, (double)(c->timeout_ms *
		    3) / 1000.0 + 2.0 * (double)c->poll_interval_ms / 1000.0 +
		    5, &sig);
		if (sig)
			return (EXIT_OK);
		if (s == NULL || s->last_reload_consistent ||
		    mono_now() + backoff > wait_until)
			break;
		/* --wait: back off 1 s doubling, capped at 30 s. */
		snapshot_release(s);
		{
			struct pollfd pfd = { sig_pipe[0], POLLIN, 0 };

			if (poll(&pfd, 1, (int)(backoff * 1000)) > 0)
				return (EXIT_OK);
		}
		backoff = backoff * 2 > 30 ? 30 : backoff * 2;
		s = snapshot_acquire();
	}
	if (s == NULL)
		return (EXIT_UNREACHABLE);
	if (c->format == FORMAT_TEXT)
		batch_print_text(s);
	else
		batch_print_json(c, s);
	fflush(stdout);
	batch_sentry(c, s, reloaded);
	rc = s->exit_code;
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

/* --watch: one line per new event until a signal. */
static int
batch_watch(const struct config *c)
{
	struct pollfd	 pfd[2];
	struct snapshot	*s;
	uint64_t	 last = 0;
	json_t		*f;
	size_t		 i, n;

	(void)c;
	for (;;) {
		s = snapshot_acquire();
		if (s != NULL) {
			/* events are newest first: print the new ones oldest first */
			for (n = 0; n < s->n_events && s->events[n].seq > last;
			    n++)
				;
			for (i = n; i-- > 0;) {
				const struct snap_event *ev = &s->events[i];

				f = json_object();
				json_object_set_new(f, "event", json_string(
				    batch_event_word(ev->kind)));
				if (ev->instance >= 0 &&
				    (size_t)ev->instance < s->n_inst)
					json_object_set_new(f, "instance",
					    jsonl_string(s->inst[ev->instance].
					    endpoint));
				if (ev->kind == EV_VERSION) {
					json_object_set_new(f, "old_version",
					    json_integer(ev->old_version));
					json_object_set_new(f, "resource_version",
					    json_integer(ev->new_version));
					json_object_set_new(f, "instance_id",
					    jsonl_string(ev->writer));
				}
				jsonl_write(stdout, ev->kind == EV_ERROR ||
				    ev->kind == EV_DB_LOST ? "error" : "info",
				    ev->text, f);
				json_decref(f);
				last = ev->seq;
			}
			snapshot_release(s);
		}
		pfd[0].fd = engine_wake_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) > 0) {
			if (pfd[1].revents & POLLIN)
				return (EXIT_OK);
			engine_drain_wake();
		}
	}
}

int
batch_run(const struct config *c)
{
	struct err	e;
	sigset_t	set;
	int		rc;

	if (batch_signals(&set) == -1) {
		fprintf(stderr, "hasync: cannot set up signals: %s\n",
		    strerror(errno));
		return (EXIT_USAGE);
	}
	if (engine_start(c, &e) == -1) {
		fprintf(stderr, "hasync: %s\n", e.msg);
		engine_stop();
		return (EXIT_USAGE);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	rc = c->watch ? batch_watch(c) : batch_pass(c);
	engine_stop();
	return (rc);
}
