/*
 * engine.c: start and stop the engine's threads (catalog listener, worker,
 * and in long-running modes with a Sentry DSN the Sentry sender) and take
 * commands for the worker. Main thread, except engine_command() (any
 * reader thread).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "hasync/audit.h"
#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/err.h"
#include "hasync/http.h"
#include "hasync/inbox.h"
#include "hasync/listener.h"
#include "hasync/pgcancel.h"
#include "hasync/sentryq.h"
#include "hasync/snapshot_build.h"
#include "hasync/worker.h"

static struct {
	const struct config	*c;
	struct http		*http;
	struct worker		*worker;
	pthread_t		 thread;
	bool			 running;
	bool			 listening;
	bool			 sentry;
} E;

/* At exit, events not yet delivered to Sentry get this long, at most. */
#define SENTRY_EXIT_GRACE_MS	500
/* ... and a query cut short by the stop this long to be cancelled on the
 * server (usually a few ms), counted after the rest of the shutdown. */
#define CANCEL_DRAIN_MS		300

/* Interrupt a worker that waits in curl_multi_poll. */
static void
engine_notify(void *arg)
{
	http_wakeup(arg, false);
}

int
engine_start(const struct config *c, struct err *e)
{
	E.c = c;
	if (audit_open(c->audit_log, e) == -1)
		return (-1);
	if (snapshot_init() == -1)
		return (err_set(e, ERR_SYS, "cannot create the wake pipe"));
	inbox_init();
	if ((E.http = http_new(c)) == NULL)
		return (err_set(e, ERR_SYS, "cannot initialise libcurl"));
	inbox_set_notify(engine_notify, E.http);
	E.worker = worker_new(c, E.http);
	/* --watch and the console report to Sentry as they go, off the
	 * probing path; one --batch pass reports once at the end (batch.c). */
	if (c->sentry_dsn != NULL && (c->mode != MODE_BATCH || c->watch)) {
		if (sentryq_start(c) == -1)
			return (err_set(e, ERR_SYS, "cannot start the Sentry "
			    "sender"));
		E.sentry = true;
	}
	/* The listener starts first, as Hasura's does (facts §2.4), so no
	 * change can slip between start-up and the first refresh. */
	if (c->database_url != NULL) {
		if (listener_start(c) == -1)
			return (err_set(e, ERR_SYS, "cannot start the catalog "
			    "listener"));
		E.listening = true;
	}
	if (pthread_create(&E.thread, NULL, worker_main, E.worker) != 0)
		return (err_set(e, ERR_SYS, "cannot start the worker thread"));
	E.running = true;
	return (0);
}

void
engine_stop(void)
{
	if (E.listening)
		listener_stop();
	E.listening = false;
	if (E.running) {
		http_wakeup(E.http, true);	/* abort requests in flight */
		inbox_put_stop();
		pthread_join(E.thread, NULL);
		E.running = false;
	}
	if (E.sentry)	/* after the worker: nothing is queued any more */
		sentryq_stop(E.c->timeout_ms < SENTRY_EXIT_GRACE_MS ?
		    E.c->timeout_ms : SENTRY_EXIT_GRACE_MS);
	E.sentry = false;
	inbox_set_notify(NULL, NULL);
	worker_free(E.worker);
	E.worker = NULL;
	http_free(E.http);
	E.http = NULL;
	snapshot_shutdown();
	inbox_destroy();
	audit_close();
	pgcancel_drain(CANCEL_DRAIN_MS);
}

int
engine_wake_fd(void)
{
	return (snapshot_wake_fd());
}

void
engine_drain_wake(void)
{
	snapshot_drain_wake();
}

int
engine_command(enum engine_cmd cmd, int arg)
{
	if (E.c == NULL)
		return (-1);
	if (E.c->readonly && (cmd == CMD_RELOAD_INSTANCE ||
	    cmd == CMD_RELOAD_CLUSTER || cmd == CMD_DROP_INCONSISTENT))
		return (-1);
	return (inbox_put_cmd(cmd, arg));
}
