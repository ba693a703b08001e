/*
 * batch.h: --batch, --watch and "hasync reload": the engine without a
 * console, printing JSON lines (or a text table) and returning an exit code.
 * Main thread.
 */
#ifndef HASYNC_BATCH_H
#define HASYNC_BATCH_H

#include <stdint.h>

struct config;
struct snapshot;

/* Run batch mode to completion; returns the process exit code. */
int	batch_run(const struct config *);

/* --watch's lines: one JSON line per event of s newer than *last (an event
 * seq, 0 at first), oldest first; *last moves on. Also hasync serve's. */
void	batch_print_events(const struct snapshot *, uint64_t *);

/* The summary line: every instance's verdict, exit code rc; sig: the
 * signal that ended the run, or 0. */
void	batch_print_summary(const struct snapshot *, int, int);

/* Longest a reload cycle may take: the request, its confirmation, the
 * grace and a verifying round, each bounded by its requests' timeouts. A
 * safety net: cycles end by themselves. Also hasync serve's. */
double	batch_reload_bound(const struct config *);

#endif
