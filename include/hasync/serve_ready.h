/*
 * serve_ready.h: hasync serve's readiness gate (/readyz): is a replica fit
 * to take traffic, judged from a snapshot and the clock. Pure functions;
 * any thread.
 */
#ifndef HASYNC_SERVE_READY_H
#define HASYNC_SERVE_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct snapshot;

struct ready_opts {
	double	max_behind;	/* seconds; < 0: 2 x poll + the grace */
	bool	strict;		/* inconsistent metadata fails too */
	double	poll;		/* --poll-interval, seconds */
	double	probe;		/* --probe-interval, seconds */
	double	request;	/* --connect-timeout + --timeout, seconds */
};

/* The options from a configuration. */
void	ready_opts_from(struct ready_opts *, const struct config *);

/* How long a replica may stay behind, in seconds, with s's grace. */
double	ready_max_behind(const struct ready_opts *, const struct snapshot *);

/*
 * Is replica i of s (s may be NULL) ready at monotonic time now_mono and
 * wall time now_wall? Returns 200 or 503 and writes one line saying why
 * (sanitised: no control characters) to why.
 */
int	ready_replica(const struct snapshot *, size_t, double, time_t,
	    const struct ready_opts *, char *, size_t);

/* Every replica at once: 200 when all are ready, else 503 naming how many
 * are not and the first one's reason. */
int	ready_all(const struct snapshot *, double, time_t,
	    const struct ready_opts *, char *, size_t);

#endif
