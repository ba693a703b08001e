/*
 * inbox.h: what reaches the worker thread: the catalog listener's latest
 * state (a latest-value mailbox: a new state replaces an unread one; only
 * the newest matters, but a "force refresh" request is sticky until taken,
 * and the events that led to it are queued), and commands from readers.
 * One mutex and one condition variable (CLOCK_MONOTONIC). Any thread.
 */
#ifndef HASYNC_INBOX_H
#define HASYNC_INBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hasync/engine.h"
#include "hasync/snapshot.h"

#define INBOX_EVENTS	64
#define INBOX_CMDS	32

/* The catalog as the listener last saw it. */
struct catalog_state {
	enum db_state		db;
	char			error[256];
	int			attempt;	/* reconnect attempts while lost */
	char			kind[4];	/* "v2", "v1", "" unknown */
	char			catalog_version[16];
	int64_t			rv;		/* hdb_metadata.resource_version, -1 */
	char			writer[64];	/* hdb_schema_notifications.instance_id */
	time_t			changed_at;	/* when rv was seen to change */
	struct meta_summary	meta;
};

/* An event the listener saw, for the worker to add to its ring. */
struct inbox_event {
	enum event_kind	kind;
	time_t		at;
	int64_t		old_version, new_version;
	char		writer[64];
	char		text[256];
};

struct inbox_cmd {
	enum engine_cmd	cmd;
	int		arg;
};

/* What the worker takes out in one go. */
struct inbox_take {
	bool			have_state;
	struct catalog_state	state;
	bool			force_refresh;
	struct inbox_event	events[INBOX_EVENTS];
	int			n_events;
	struct inbox_cmd	cmds[INBOX_CMDS];
	int			n_cmds;
	bool			stop;
};

void	inbox_init(void);
void	inbox_destroy(void);

/* Listener: replace the catalog state; force requests a full refresh. */
void	inbox_put_state(const struct catalog_state *, bool);
/* Listener: queue an event (the oldest is dropped when full). */
void	inbox_put_event(const struct inbox_event *);
/* Readers: queue a command. Returns -1 when the queue is full. */
int	inbox_put_cmd(enum engine_cmd, int);
/* Ask the worker to stop. */
void	inbox_put_stop(void);

/*
 * Worker: wait until something arrives or deadline (CLOCK_MONOTONIC seconds;
 * <= 0 means do not wait), then move everything pending into t.
 * Returns true if anything was taken.
 */
bool	inbox_take(struct inbox_take *, double);

/* Set a function called (outside the lock) after every put, to interrupt a
 * worker that is busy in HTTP. */
void	inbox_set_notify(void (*)(void *), void *);

/* CLOCK_MONOTONIC in seconds. */
double	mono_now(void);

#endif
