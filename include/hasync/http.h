/*
 * http.h: concurrent HTTP requests over one libcurl multi handle, each with
 * a timeout and a body-size limit. Worker thread only (the multi handle and
 * every easy handle belong to it); http_wakeup() may be called from any
 * thread.
 */
#ifndef HASYNC_HTTP_H
#define HASYNC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct http;

enum http_fail {
	HTTP_OK = 0,		/* an answer arrived (any status) */
	HTTP_UNREACHABLE,	/* refused, timed out, reset, closed */
	HTTP_TOO_BIG,		/* body over the limit: not parsed */
	HTTP_TLS,		/* certificate or handshake problem */
	HTTP_STOPPED,		/* engine shutting down */
};

struct http_req {
	/* Filled by the caller. */
	const char	*base;		/* instance base URL */
	const char	*path;		/* "/healthz", "/v1/metadata" */
	char		*body;		/* POST body (owned) or NULL for GET */
	bool		 auth;		/* send X-Hasura-Admin-Secret */
	int		 tag;		/* caller's step id */
	void		*user;
	/* Filled by http_run. */
	enum http_fail	 fail;
	long		 status;
	char		*resp;		/* NUL-terminated body (owned) */
	size_t		 resp_len;
	long		 ms;		/* total time */
	char		 error[256];	/* one line when fail != HTTP_OK */
	/* Internal. */
	void		*easy;
	void		*hdrs;
	size_t		 cap;
	int64_t		 max;
};

/* Create the multi handle. Returns NULL with nothing to clean on failure. */
struct http	*http_new(const struct config *);
void		 http_free(struct http *);

/*
 * Run reqs concurrently until each is done. After each completion done() is
 * called; it may reuse the request for a follow-up (set path/body/tag and
 * return true) so that one instance's requests run in sequence on a
 * keep-alive connection. idle() (may be NULL) runs whenever http_wakeup()
 * interrupts the wait, so the caller can publish news mid-round. Returns
 * early with HTTP_STOPPED on the rest when http_wakeup() was called with stop.
 */
void		 http_run(struct http *, struct http_req **, size_t,
		    bool (*)(struct http_req *, void *), void (*)(void *),
		    void *);

/*
 * The options every hasync request shares (timeouts, TLS verification or
 * --cacert/--insecure, no proxy for loopback, no signals): for the prober
 * and for one-off senders such as Sentry. easy is a CURL *. Any thread.
 */
void		 http_easy_defaults(void *, const struct config *);

/* Release a request's answer buffers (not the struct). */
void		 http_req_clear(struct http_req *);

/* Interrupt http_run from another thread; stop: abort everything. */
void		 http_wakeup(struct http *, bool);

#endif
