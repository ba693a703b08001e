/*
 * sentry.h: report a problem to Sentry through its envelope endpoint.
 * sentry_send() waits until the event is delivered (or fails, with a
 * reason; at most --timeout) before returning: batch mode's report at exit,
 * since the tool this replaces exited before flushing and lost events.
 * Long-running modes queue events instead (sentryq.h). Any thread.
 */
#ifndef HASYNC_SENTRY_H
#define HASYNC_SENTRY_H

#include <jansson.h>

struct config;
struct err;

/* One event, encoded and ready to send. */
struct sentry_req {
	char	*url;		/* the DSN's envelope endpoint */
	char	*body;		/* the envelope */
	void	*hdrs;		/* struct curl_slist *: auth, content type */
};

/* Encode one error-level event (see sentry_send). 0, or -1 with e set. */
int	sentry_prepare(const struct config *, const char *, json_t *,
	    json_t *, struct sentry_req *, struct err *);
/* Point an easy handle (CURL *) at req, with hasync's timeouts and TLS. */
void	sentry_req_setup(void *, const struct config *, struct sentry_req *);
/* What a finished send (CURLcode, HTTP status) means: 0, or -1 with e. */
int	sentry_req_result(int, long, struct err *);
void	sentry_req_free(struct sentry_req *);

/*
 * Send one error-level event. message is the title, fingerprint groups
 * repeated occurrences into one Sentry issue, extra (borrowed) carries the
 * details (endpoint, inconsistent objects). Returns 0 once Sentry answered
 * 2xx, or -1 with e set.
 */
int	sentry_send(const struct config *, const char *, json_t *, json_t *,
	    struct err *);

#endif
