/*
 * sentryq.h: Sentry off the probing path. Long-running modes (--watch, the
 * console) queue events here; one sender thread, with its own libcurl
 * handles and hasync's timeouts, delivers them. Queuing never waits: a
 * Sentry host that accepts and never answers delays neither a probe nor
 * shutdown. Outcomes come back to the worker as events through the inbox.
 * The engine starts and stops it (main thread); the worker queues.
 */
#ifndef HASYNC_SENTRYQ_H
#define HASYNC_SENTRYQ_H

#include <stdint.h>

#include <jansson.h>

struct config;

/* Events waiting or being sent at most; more are dropped (and said so). */
#define SENTRYQ_MAX	16

/* Start the sender thread for c->sentry_dsn. Returns 0 or -1. */
int	sentryq_start(const struct config *);

/*
 * Queue one event (see sentry_send for the arguments). Never blocks; the
 * queue takes its own copy. Returns 0, or -1 when the queue is full or not
 * started (the event is dropped).
 */
int	sentryq_push(const char *, json_t *, json_t *);

/*
 * Stop: events still queued or in flight get at most ms milliseconds in
 * all, then are dropped, with one line on stderr saying how many. Joins the
 * thread. Safe if never started.
 */
void	sentryq_stop(long);

/* Events delivered, and failed or dropped, since start. Any thread. */
void	sentryq_counts(uint64_t *, uint64_t *);

#endif
