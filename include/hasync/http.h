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
	/*
	 * An answer this one is likely to repeat (the last one), or NULL.
	 * While the bytes arriving equal it nothing is stored; if the whole
	 * answer does, same is set and resp stays NULL: no copy, no parse.
	 * It must stay valid until the request is done. expect_owner is
	 * the caller's, to know what was matched.
	 */
	const char	*expect;
	size_t		 expect_len;
	const void	*expect_owner;
	/* Filled by http_run. */
	enum http_fail	 fail;
	long		 status;
	bool		 same;		/* the answer is expect, byte for byte */
	char		*resp;		/* NUL-terminated body (owned) */
	size_t		 resp_len;
	long		 ms;		/* total time */
	char		 error[256];	/* one line when fail != HTTP_OK */
	/* Internal. */
	void		*easy;
	void		*hdrs;
	struct http	*owner;
	size_t		 cap;
	size_t		 got;		/* bytes received, stored or matched */
	int64_t		 max;
	bool		 big;		/* counted among the large bodies */
	bool		 paused;
};

/* What http_run calls back; any may be NULL. */
struct http_hooks {
	/* A request finished: it may be reused for a follow-up (set
	 * path/body/tag/expect and return true). */
	bool	(*done)(struct http_req *, void *);
	/* http_wakeup() interrupted the wait, or 100 ms passed. */
	void	(*idle)(void *);
	/* A large answer held back (at most HTTP_MAX_BIG are stored at once)
	 * may go on: the caller may give it an answer to compare with. */
	void	(*rebase)(struct http_req *, void *);
	void	*arg;
};

/* Answers larger than this count as large: at most HTTP_MAX_BIG of them
 * are stored at once; the others wait for one to compare with. */
#define HTTP_BIG	(1024 * 1024)
#define HTTP_MAX_BIG	4

/* Create the multi handle. Returns NULL with nothing to clean on failure. */
struct http	*http_new(const struct config *);
void		 http_free(struct http *);

/*
 * Run reqs concurrently until each is done, calling the hooks (may be
 * NULL): done() after each completion, so that one instance's requests run
 * in sequence on a keep-alive connection; idle() whenever http_wakeup()
 * interrupts the wait or 100 ms pass, so the caller can publish news
 * mid-round; rebase() before a held-back large answer goes on. Returns early
 * with HTTP_STOPPED on the rest when http_wakeup() was called with stop.
 */
void		 http_run(struct http *, struct http_req **, size_t,
		    const struct http_hooks *);

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
