/*
 * route.c: where a request to hasync serve goes, and whether it may. Pure
 * functions of the method, the decoded path and the Authorization header
 * (untrusted bytes, any length) and of the configuration; nothing is
 * allocated, logged or kept. Any thread; the HTTP server thread calls them
 * (httpd.c) and tests/fuzz/fuzz_route.c fuzzes them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hasync/serve_route.h"

static void
route_error(struct route *r, int status, const char *error, const char *allow)
{
	r->kind = ROUTE_ERROR;
	r->replica = -1;
	r->status = status;
	r->error = error;
	r->allow = allow;
}

/* A read: GET or HEAD (MHD leaves the body out of a HEAD answer). */
static bool
route_read(const char *method)
{
	return (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
}

/* The replica name names (see serve_route.h), or -1. */
static int
route_replica(const char *name, const struct route_names *rn)
{
	const char	*ep, *tail;
	size_t		 i;
	long		 k;
	char		*end;

	if (*name == '\0' || rn == NULL)
		return (-1);
	for (i = 0; i < rn->n; i++) {
		if (rn->labels != NULL && rn->labels[i] != NULL &&
		    strcmp(rn->labels[i], name) == 0)
			return ((int)i);
	}
	for (i = 0; i < rn->n; i++) {
		ep = rn->endpoints[i];
		if (ep == NULL)
			continue;
		tail = strstr(ep, "://");
		if (strcmp(ep, name) == 0 || (tail != NULL &&
		    strcmp(tail + 3, name) == 0))
			return ((int)i);
	}
	/* #N, as the console numbers them: digits only, no sign. */
	if (strspn(name, "0123456789") == strlen(name) && strlen(name) <= 6) {
		k = strtol(name, &end, 10);
		if (k >= 1 && (size_t)k <= rn->n)
			return ((int)(k - 1));
	}
	return (-1);
}

void
route_request(const char *method, const char *path,
    const struct route_names *rn, bool any_method_reload, struct route *r)
{
	static const char	 get[] = "GET, HEAD";
	size_t			 len;

	memset(r, 0, sizeof(*r));
	r->replica = -1;
	if (method == NULL || path == NULL || *method == '\0') {
		route_error(r, 400, "bad request", NULL);
		return;
	}
	len = strlen(path);
	if (len > ROUTE_PATH_MAX) {
		route_error(r, 414, "path too long", NULL);
		return;
	}
	if (strcmp(path, "/reload_metadata") == 0) {
		if (any_method_reload || strcmp(method, "POST") == 0)
			r->kind = ROUTE_RELOAD;
		else
			route_error(r, 405, "method not allowed: use POST",
			    "POST");
		return;
	}
	if (strcmp(path, "/") == 0)
		r->kind = ROUTE_INDEX;
	else if (strcmp(path, "/metrics") == 0)
		r->kind = ROUTE_METRICS;
	else if (strcmp(path, "/healthz") == 0)
		r->kind = ROUTE_HEALTHZ;
	else if (strcmp(path, "/readyz") == 0)
		r->kind = ROUTE_READYZ;
	else if (strncmp(path, "/readyz/", 8) == 0) {
		r->kind = ROUTE_READYZ;
		if ((r->replica = route_replica(path + 8, rn)) == -1) {
			route_error(r, 404, "no such replica: /readyz/NAME "
			    "takes a -e NAME=URL label, an endpoint, or a "
			    "number from 1", NULL);
			return;
		}
	} else {
		route_error(r, 404, "not found: try /metrics, /readyz, "
		    "/healthz or POST /reload_metadata", NULL);
		return;
	}
	if (!route_read(method))
		route_error(r, 405, "method not allowed: use GET", get);
}

bool
route_accepts_gzip(const char *h)
{
	const char	*p, *end, *semi, *q;
	size_t		 n;
	double		 qv, star = -1;
	char		*e;

	for (p = h; p != NULL && *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		p += strspn(p, " \t");
		semi = memchr(p, ';', (size_t)(end - p));
		n = (size_t)((semi != NULL ? semi : end) - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		qv = 1;
		if (semi != NULL && (q = strstr(semi, "q=")) != NULL && q < end) {
			qv = strtod(q + 2, &e);
			if (e == q + 2)
				qv = 1;
		}
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			return (qv > 0);
		if (n == 1 && *p == '*')
			star = qv;
	}
	return (star > 0);
}

bool
route_bearer_ok(const char *header, const char *token)
{
	const char	*got;
	size_t		 glen, tlen, i;
	unsigned char	 diff;

	if (header == NULL || token == NULL || *token == '\0' ||
	    strncasecmp(header, "Bearer ", 7) != 0)
		return (false);
	got = header + 7;
	got += strspn(got, " \t");
	glen = strcspn(got, " \t");
	if (got[glen + strspn(got + glen, " \t")] != '\0')
		return (false);		/* more than one word */
	tlen = strlen(token);
	/* Every byte of the token is looked at, whatever came. */
	diff = glen != tlen;
	for (i = 0; i < tlen; i++)
		diff |= (unsigned char)((i < glen ? (unsigned char)got[i] : 0) ^
		    (unsigned char)token[i]);
	return (diff == 0);
}

int
route_allowed(enum route_kind kind, const char *authorization,
    const struct route_access *a)
{
	bool	good;

	if (a->token == NULL)
		good = false;
	else {
		good = route_bearer_ok(authorization, a->token);
		if (authorization != NULL && !good)
			return (401);	/* a wrong token is wrong anywhere */
	}
	switch (kind) {
	case ROUTE_METRICS:
		return (a->token == NULL || good ? 0 : 401);
	case ROUTE_RELOAD:
		if (good || a->loopback)
			return (0);
		if (a->token != NULL)
			return (401);
		return (a->open_reload ? 0 : 403);
	default:
		return (0);
	}
}
