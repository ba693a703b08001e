/*
 * sentry.h: report a problem to Sentry through its envelope endpoint, and
 * wait until the event is delivered (or fails, with a reason) before
 * returning: the tool this replaces exited before flushing and lost events.
 * Main thread (batch mode), or the worker.
 */
#ifndef HASYNC_SENTRY_H
#define HASYNC_SENTRY_H

#include <jansson.h>

struct config;
struct err;

/*
 * Send one error-level event. message is the title, fingerprint groups
 * repeated occurrences into one Sentry issue, extra (borrowed) carries the
 * details (endpoint, inconsistent objects). Returns 0 once Sentry answered
 * 2xx, or -1 with e set.
 */
int	sentry_send(const struct config *, const char *, json_t *, json_t *,
	    struct err *);

#endif
