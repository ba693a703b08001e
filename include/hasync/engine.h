/*
 * engine.h: the one engine behind the console and batch mode.
 *
 * engine_start() starts two threads: the catalog listener (libpq; watches
 * hdb_catalog, reconnects every second) and the worker (libcurl multi;
 * probes every instance concurrently, reloads, publishes snapshots). Readers
 * learn about a new snapshot through a pipe (engine_wake_fd) and talk back
 * only through engine_command(). Called from the main thread.
 */
#ifndef HASYNC_ENGINE_H
#define HASYNC_ENGINE_H

#include <stdbool.h>

struct config;
struct err;

enum engine_cmd {
	CMD_REFRESH,		/* probe every instance now */
	CMD_RELOAD_INSTANCE,	/* targeted reload through instance arg; arg -1:
				   any healthy instance, --reload-scope */
	CMD_RELOAD_CLUSTER,	/* full reload through a healthy instance */
	CMD_DROP_INCONSISTENT,	/* drop_inconsistent_metadata */
	CMD_PAUSE,		/* toggle: stop probing (listener goes on) */
};

/*
 * Start the engine threads. The config must outlive the engine. Returns 0 or
 * -1 with e set. Block async signals in the caller first if threads must not
 * receive them.
 */
int	engine_start(const struct config *, struct err *);

/* Stop and join both threads; free everything. Safe if never started. */
void	engine_stop(void);

/*
 * The read end of the wake pipe: readable whenever a new snapshot is
 * published. Call engine_drain_wake() after poll() says so.
 */
int	engine_wake_fd(void);
void	engine_drain_wake(void);

/*
 * Queue a command for the worker. arg is an instance index for
 * CMD_RELOAD_INSTANCE, else ignored. Modifying commands are refused (-1) in
 * --readonly mode. Returns 0 or -1.
 */
int	engine_command(enum engine_cmd, int);

#endif
