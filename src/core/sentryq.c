/*
 * sentryq.c: the Sentry sender thread (see sentryq.h). A ring of at most
 * SENTRYQ_MAX encoded events behind a mutex; the thread sends one at a time
 * on its own curl multi handle, waiting in curl_multi_poll(), which
 * sentryq_push() and sentryq_stop() interrupt with curl_multi_wakeup(). Each
 * send is bounded by --connect-timeout and --timeout; at shutdown what is
 * left gets the grace sentryq_stop() was given, no more. The sender thread
 * runs everything here except sentryq_push (worker) and start/stop (main).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/inbox.h"
#include "hasync/sentry.h"
#include "hasync/sentryq.h"
#include "hasync/xmalloc.h"

struct sq_item {
	struct sentry_req	 req;
	char			*what;		/* the title, for the event */
};

/* Outcomes, for hasync serve's hasync_sentry_events_total. */
static uint64_t	sentryq_sent, sentryq_failed;

void
sentryq_counts(uint64_t *sent, uint64_t *failed)
{
	*sent = __atomic_load_n(&sentryq_sent, __ATOMIC_RELAXED);
	*failed = __atomic_load_n(&sentryq_failed, __ATOMIC_RELAXED);
}

static struct {
	const struct config	*c;
	pthread_t		 thread;
	bool			 started;
	CURLM			*multi;
	pthread_mutex_t		 mu;		/* guards what follows */
	struct sq_item		 ring[SENTRYQ_MAX];
	size_t			 head, n;	/* queued, not yet taken */
	bool			 stopping;
	double			 give_up;	/* monotonic; when stopping */
} Q = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Tell the worker how a send went. */
static void
sentryq_report(enum event_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sentryq_report(enum event_kind kind, const char *fmt, ...)
{
	struct inbox_event	ev;
	va_list			ap;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.at = time(NULL);
	ev.old_version = ev.new_version = -1;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	inbox_put_event(&ev);
}

static void
sentryq_item_free(struct sq_item *it)
{
	sentry_req_free(&it->req);
	free(it->what);
	it->what = NULL;
}

/* Take the oldest queued event into *it; false if none. Lock held. */
static bool
sentryq_take(struct sq_item *it)
{
	if (Q.n == 0)
		return (false);
	*it = Q.ring[Q.head];
	memset(&Q.ring[Q.head], 0, sizeof(Q.ring[Q.head]));
	Q.head = (Q.head + 1) % SENTRYQ_MAX;
	Q.n--;
	return (true);
}

static void *
sentryq_main(void *arg)
{
	struct sq_item	 cur;
	struct err	 e;
	CURL		*easy = NULL;
	CURLMsg		*m;
	bool		 busy = false, stopping;
	double		 give_up;
	long		 status;
	int		 running, left, wait_ms, dropped = 0;

	(void)arg;
	memset(&cur, 0, sizeof(cur));
	for (;;) {
		pthread_mutex_lock(&Q.mu);
		if (!busy)
			busy = sentryq_take(&cur);
		stopping = Q.stopping;
		give_up = Q.give_up;
		pthread_mutex_unlock(&Q.mu);
		if (stopping && (!busy || mono_now() >= give_up))
			break;
		if (busy && easy == NULL) {
			if ((easy = curl_easy_init()) == NULL) {
				sentryq_report(EV_ERROR, "sentry: "
				    "curl_easy_init failed: event dropped: %s",
				    cur.what);
				sentryq_item_free(&cur);
				busy = false;
				continue;
			}
			sentry_req_setup(easy, Q.c, &cur.req);
			curl_multi_add_handle(Q.multi, easy);
		}
		if (busy) {
			curl_multi_perform(Q.multi, &running);
			while ((m = curl_multi_info_read(Q.multi, &left)) !=
			    NULL) {
				if (m->msg == CURLMSG_DONE &&
				    m->easy_handle == easy)
					break;
			}
			if (m != NULL) {
				status = 0;
				curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE,
				    &status);
				if (sentry_req_result(m->data.result, status,
				    &e) == 0) {
					__atomic_add_fetch(&sentryq_sent, 1,
					    __ATOMIC_RELAXED);
					sentryq_report(EV_INFO, "Sentry event "
					    "sent: %s", cur.what);
				} else {
					__atomic_add_fetch(&sentryq_failed, 1,
					    __ATOMIC_RELAXED);
					sentryq_report(EV_ERROR, "%s", e.msg);
				}
				curl_multi_remove_handle(Q.multi, easy);
				curl_easy_cleanup(easy);
				easy = NULL;
				sentryq_item_free(&cur);
				busy = false;
				continue;	/* the next one, at once */
			}
		}
		/* Until curl has something, or a push or stop wakes us. */
		wait_ms = 1000;
		if (stopping) {
			wait_ms = (int)((give_up - mono_now()) * 1000) + 1;
			if (wait_ms > 1000)
				wait_ms = 1000;
		}
		curl_multi_poll(Q.multi, NULL, 0, wait_ms, NULL);
	}
	/* Stopped: what is left is dropped. */
	if (easy != NULL) {
		curl_multi_remove_handle(Q.multi, easy);
		curl_easy_cleanup(easy);
	}
	if (busy) {
		sentryq_item_free(&cur);
		dropped++;
	}
	pthread_mutex_lock(&Q.mu);
	while (sentryq_take(&cur)) {
		sentryq_item_free(&cur);
		dropped++;
	}
	pthread_mutex_unlock(&Q.mu);
	if (dropped > 0)
		fprintf(stderr, "hasync: sentry: %d event%s not delivered before "
		    "exit\n", dropped, dropped == 1 ? "" : "s");
	return (NULL);
}

int
sentryq_start(const struct config *c)
{
	if (Q.started)
		return (0);
	Q.c = c;
	Q.head = Q.n = 0;
	Q.stopping = false;
	if ((Q.multi = curl_multi_init()) == NULL)
		return (-1);
	if (pthread_create(&Q.thread, NULL, sentryq_main, NULL) != 0) {
		curl_multi_cleanup(Q.multi);
		Q.multi = NULL;
		return (-1);
	}
	Q.started = true;
	return (0);
}

int
sentryq_push(const char *what, json_t *fingerprint, json_t *extra)
{
	struct sq_item	it;
	struct err	e;
	bool		queued = false;

	if (!Q.started)
		return (-1);
	memset(&it, 0, sizeof(it));
	/* Encoded here, on the caller's thread: jansson values are not
	 * shared with the sender. */
	if (sentry_prepare(Q.c, what, fingerprint, extra, &it.req, &e) == -1)
		return (-1);
	it.what = xstrdup(what);
	pthread_mutex_lock(&Q.mu);
	if (Q.n < SENTRYQ_MAX && !Q.stopping) {
		Q.ring[(Q.head + Q.n) % SENTRYQ_MAX] = it;
		Q.n++;
		queued = true;
	}
	pthread_mutex_unlock(&Q.mu);
	if (!queued) {
		sentryq_item_free(&it);
		return (-1);
	}
	curl_multi_wakeup(Q.multi);
	return (0);
}

void
sentryq_stop(long ms)
{
	if (!Q.started)
		return;
	pthread_mutex_lock(&Q.mu);
	Q.stopping = true;
	Q.give_up = mono_now() + (double)ms / 1000.0;
	pthread_mutex_unlock(&Q.mu);
	curl_multi_wakeup(Q.multi);
	pthread_join(Q.thread, NULL);
	curl_multi_cleanup(Q.multi);
	Q.multi = NULL;
	Q.started = false;
}
