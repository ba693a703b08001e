/*
 * batch.h: --batch, --watch and "hasync reload": the engine without a
 * console, printing JSON lines (or a text table) and returning an exit code.
 * Main thread.
 */
#ifndef HASYNC_BATCH_H
#define HASYNC_BATCH_H

struct config;

/* Run batch mode to completion; returns the process exit code. */
int	batch_run(const struct config *);

#endif
