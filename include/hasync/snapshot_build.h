/*
 * snapshot_build.h: the engine-side half of snapshot.h: reference counting
 * of shared objects, publishing, and the wake pipe. Engine threads only
 * (worker publishes; any thread may ref/unref).
 */
#ifndef HASYNC_SNAPSHOT_BUILD_H
#define HASYNC_SNAPSHOT_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct object;
struct objset;
struct snapshot;

struct arena;

/* An empty set (refs 1); parsers fill it (hasura.h). */
struct objset	*objset_new(void);
void		 objset_ref(struct objset *);
void		 objset_unref(struct objset *);
bool		 objset_equal(const struct objset *, const struct objset *);

/* Create the wake pipe. Returns 0 or -1. */
int		 snapshot_init(void);

/* Drop the current snapshot and close the pipe. */
void		 snapshot_shutdown(void);

/* Make s current (takes the caller's reference) and wake readers. */
void		 snapshot_publish(struct snapshot *);

int		 snapshot_wake_fd(void);
void		 snapshot_drain_wake(void);

#endif
