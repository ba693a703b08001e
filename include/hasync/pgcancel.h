/*
 * pgcancel.h: cancel a running PostgreSQL query without blocking the caller.
 * PQcancel() opens a new connection to the server and waits for it, with
 * no timeout of its own; it therefore runs on a short-lived detached thread.
 * Listener thread (pgcancel_start), main thread (pgcancel_drain).
 */
#ifndef HASYNC_PGCANCEL_H
#define HASYNC_PGCANCEL_H

#include <libpq-fe.h>

/*
 * Ask the server to cancel what conn is running. Returns at once: 0 when a
 * cancel request is under way, -1 when none could be started (no cancel
 * key, no thread, or too many cancels already hanging). conn may be
 * finished right after.
 */
int	pgcancel_start(PGconn *);

/* Wait at most ms milliseconds for the cancels still under way; those
 * that outlast it are left to the process exit. */
void	pgcancel_drain(long);

#endif
