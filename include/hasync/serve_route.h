/*
 * serve_route.h: hasync serve's request routing and access rules, as pure
 * functions of what the client sent (method, path, Authorization header)
 * and the configuration: no I/O, no state. Any thread (the HTTP server
 * thread calls them); tests/fuzz/fuzz_route.c feeds them any bytes.
 */
#ifndef HASYNC_SERVE_ROUTE_H
#define HASYNC_SERVE_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

enum route_kind {
	ROUTE_ERROR = 0,	/* answer status with a JSON error */
	ROUTE_INDEX,		/* GET /: what is served here */
	ROUTE_METRICS,		/* GET /metrics */
	ROUTE_HEALTHZ,		/* GET /healthz: hasync itself runs */
	ROUTE_READYZ,		/* GET /readyz, /readyz/REPLICA */
	ROUTE_RELOAD,		/* POST /reload_metadata */
};

/* Where a request goes. */
struct route {
	enum route_kind	 kind;
	int		 status;	/* ROUTE_ERROR: 400, 404, 405, 414 */
	const char	*error;		/* ROUTE_ERROR: one line, static */
	const char	*allow;		/* 405: the Allow header, static */
	int		 replica;	/* ROUTE_READYZ: index, or -1 for all */
};

/* The names a replica answers to under /readyz/: its -e NAME=URL label,
 * its endpoint with or without the scheme, or its number from 1. */
struct route_names {
	const char *const	*labels;	/* n entries, each may be NULL;
						   or NULL */
	const char *const	*endpoints;	/* n entries */
	size_t			 n;
};

/* Longest path routed; longer ones are 414. */
#define ROUTE_PATH_MAX	2048

/*
 * Route method and path (already percent-decoded, without the query; any
 * bytes). any_method_reload: /reload_metadata takes any method, as
 * hasura-metadata-reloader's server does (hasync server). Fills r.
 */
void	route_request(const char *, const char *, const struct route_names *,
	    bool, struct route *);

/* Who may do what: the bearer token (NULL: none configured), whether the
 * peer is loopback, and open_reload (hasync server without a token). */
struct route_access {
	const char	*token;
	bool		 loopback;
	bool		 open_reload;
};

/*
 * May a request of kind with this Authorization header (NULL: none) go on?
 * Returns 0, 401 (no or wrong token) or 403 (POST /reload_metadata from a
 * peer that is not loopback, and no token configured). A wrong token is
 * always 401, even where none is needed.
 */
int	route_allowed(enum route_kind, const char *, const struct route_access *);

/* True if an Accept-Encoding header (NULL: none) accepts gzip: "gzip" or
 * "*" with a q above 0, gzip not refused by name. */
bool	route_accepts_gzip(const char *);

/* True if header is "Bearer TOKEN" (scheme case-insensitive) with TOKEN
 * equal to token; the comparison takes the same time wherever they
 * differ. */
bool	route_bearer_ok(const char *, const char *);

#endif
