/*
 * serve.c: hasync serve and hasync server. The engine runs as --watch runs
 * it (catalog listener, probes, --auto-reload) and prints the same JSON
 * lines; the HTTP server (httpd.c, its own thread) answers GET requests
 * from the newest snapshot by itself. This file is the main thread: it
 * waits for a signal, a new snapshot or parked reload requests, and runs
 * POST /reload_metadata: one reload at a time through engine_command(),
 * every request that arrives while it runs joins it and gets its outcome
 * (so twenty requests at once cause one reload). A signal (SIGINT,
 * SIGTERM, SIGHUP) ends it at once with 128 + the signal, as --watch.
 * Main thread; it touches the engine only through snapshots and
 * engine_command().
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hasync/batch.h"
#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/err.h"
#include "hasync/exitcode.h"
#include "hasync/inbox.h"
#include "hasync/jsonl.h"
#include "hasync/serve.h"
#include "hasync/serve_answer.h"
#include "hasync/serve_httpd.h"
#include "hasync/sigpipe.h"
#include "hasync/snapshot.h"

/* The reload that parked requests wait for. */
struct serve_reload {
	bool		 in_flight;
	uint64_t	 mark;		/* reloads_done when it was asked for */
	double		 deadline;	/* monotonic */
	size_t		 waiting;	/* requests in its batch */
};

/* One JSON line on stdout with a few fields. */
static void
serve_log(const char *level, const char *msg, json_t *fields)
{
	jsonl_write(stdout, level, msg, fields);
	json_decref(fields);
}

/* Answer the batch and log it. */
static void
serve_answer(struct httpd *h, struct serve_reload *rs, int status,
    const char *body, size_t len, const char *why)
{
	char	msg[600];

	httpd_reload_answer(h, status, body, len, 0);
	snprintf(msg, sizeof(msg), "POST /reload_metadata answered %d: %s",
	    status, why);
	serve_log(status == 200 ? "info" : "error", msg, json_pack("{s:i,s:I}",
	    "status", status, "requests", (json_int_t)rs->waiting));
	rs->in_flight = false;
	rs->waiting = 0;
}

/* Answer the batch with a JSON error. */
static void
serve_answer_error(struct httpd *h, struct serve_reload *rs, int status,
    const char *text)
{
	size_t	 len;
	char	*body = answer_error(status, text, &len);

	serve_answer(h, rs, status, body, len, text);
	free(body);
}

/*
 * Move the reload on: start one for requests that wait, or answer them
 * once the engine's cycle is over (or its bound is past). s may be NULL.
 */
static void
serve_reload_step(const struct config *c, struct httpd *h,
    struct serve_reload *rs, const struct snapshot *s)
{
	size_t	 len;
	char	*body;
	int	 status;

	if (!rs->in_flight && rs->waiting > 0) {
		rs->mark = s != NULL ? s->reloads_done : 0;
		if (engine_command(CMD_RELOAD_INSTANCE, -1) == -1) {
			serve_answer_error(h, rs, c->readonly ? 403 : 503,
			    c->readonly ? "read-only: hasync sends no reload "
			    "(--readonly)" : "the engine's command queue is "
			    "full; try again");
			return;
		}
		rs->in_flight = true;
		rs->deadline = mono_now() + batch_reload_bound(c);
		serve_log("info", "POST /reload_metadata: reloading",
		    json_pack("{s:I}", "requests", (json_int_t)rs->waiting));
		return;
	}
	if (!rs->in_flight)
		return;
	if (s != NULL && s->reloads_done > rs->mark && !s->reload_pending) {
		body = answer_reload(s, &status, &len);
		answer_redact(body, len, c->admin_secret);
		serve_answer(h, rs, status, body, len, s->reload_outcome !=
		    NULL ? s->reload_outcome : "done");
		free(body);
	} else if (mono_now() >= rs->deadline)
		serve_answer_error(h, rs, 500, "the reload did not finish in "
		    "time");
}

int
serve_run(const struct config *c)
{
	struct pollfd	 pfd[3];
	struct snapshot	*s;
	struct httpd	*h;
	struct serve_reload rs = { false, 0, 0, 0 };
	struct err	 e;
	sigset_t	 set;
	uint64_t	 last = 0;
	size_t		 batch;
	int		 sig = 0, ms, rc;
	char		 msg[300];

	if (sigpipe_install(&set) == -1) {
		jsonl_stderr(config_json_output(c), "error", "cannot set up "
		    "signals: %s", strerror(errno));
		return (EXIT_USAGE);
	}
	if (engine_start(c, &e) == -1) {
		jsonl_stderr(config_json_output(c), "error", "%s", e.msg);
		engine_stop();
		return (EXIT_USAGE);
	}
	/* The server thread starts with the signals blocked, too. */
	if ((h = httpd_start(c, &e)) == NULL) {
		jsonl_stderr(config_json_output(c), "error", "%s", e.msg);
		engine_stop();
		return (EXIT_USAGE);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	snprintf(msg, sizeof(msg), "hasync %s on http://%s: GET /metrics, "
	    "/readyz, /healthz; POST /reload_metadata", c->command ==
	    SUB_SERVER ? "server" : "serve", httpd_address(h));
	serve_log("info", msg, json_pack("{s:s,s:b}", "listen",
	    httpd_address(h), "token", c->metrics_token != NULL));
	for (;;) {
		s = snapshot_acquire();
		if (s != NULL)
			batch_print_events(s, &last);
		serve_reload_step(c, h, &rs, s);
		snapshot_release(s);

		pfd[0].fd = sigpipe_fd();
		pfd[1].fd = engine_wake_fd();
		pfd[2].fd = httpd_wake_fd(h);
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		ms = -1;
		if (rs.in_flight)
			ms = (int)((rs.deadline - mono_now()) * 1000) + 1;
		if (poll(pfd, 3, rs.in_flight && ms < 0 ? 0 : ms) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			sig = sigpipe_read();
			break;
		}
		if (pfd[1].revents & POLLIN)
			engine_drain_wake();
		if ((pfd[2].revents & POLLIN) &&
		    httpd_reload_join(h, &batch) > 0)
			rs.waiting = batch;
	}
	/* Stopped by a signal: the waiting requests get 503, the state at
	 * the end is printed, and the exit code is 128 + signal. */
	httpd_stop(h);
	rc = 128 + sig;
	s = snapshot_acquire();
	if (s != NULL)
		batch_print_summary(s, rc, sig);
	snapshot_release(s);
	engine_stop();
	return (rc);
}
