/*
 * serve.h: hasync serve and hasync server: the engine as --watch runs it,
 * with an HTTP server answering /metrics, /readyz, /healthz and POST
 * /reload_metadata from the newest snapshot. Main thread.
 */
#ifndef HASYNC_SERVE_H
#define HASYNC_SERVE_H

struct config;

/* Run until a signal; returns the exit code (128 + the signal, or 2 when
 * the server cannot start). */
int	serve_run(const struct config *);

#endif
