/*
 * listener.h: the catalog listener thread (see listener.c). Main thread
 * starts and stops it.
 */
#ifndef HASYNC_LISTENER_H
#define HASYNC_LISTENER_H

struct config;

/* Start watching c->database_url. Returns 0 or -1. */
int	listener_start(const struct config *);

/* Stop at once (even mid-query) and join. Safe if never started. A query
 * cut short is being cancelled on the server: pgcancel_drain() gives that
 * its bounded time. */
void	listener_stop(void);

#endif
