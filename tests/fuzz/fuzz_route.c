/*
 * fuzz_route.c: libFuzzer target for hasync serve's request routing and
 * access rules (src/serve/route.c), pure functions of what a client sends.
 * The first byte holds flags (any method reloads, a token is configured,
 * the peer is loopback, the reload is open); the rest is split at the
 * first two newlines into the method, the decoded path and the
 * Authorization header (each cut at its first NUL, as libmicrohttpd hands
 * them over); the third is also read as an Accept-Encoding header. The results are checked against what serve_route.h
 * promises.
 */
#include "config.h"

#include <string.h>

#include "hasync/serve_route.h"
#include "hasync/xmalloc.h"

#include "fuzz.h"

static const char *const labels[] = { "hasura-0", NULL, "x" };
static const char *const endpoints[] = { "http://h0:8080",
    "http://127.0.0.1:8080/r1", "https://h2" };
static const struct route_names names = { labels, endpoints, 3 };

/* The next field of s (up to '\n' or the end), a new string. */
static char *
fuzz_field(const char **s, const char *end)
{
	const char	*nl = memchr(*s, '\n', (size_t)(end - *s));
	const char	*stop = nl != NULL ? nl : end;
	char		*f = xstrndup(*s, (size_t)(stop - *s));

	*s = nl != NULL ? nl + 1 : end;
	return (f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route		 r;
	struct route_access	 acc;
	const char		*p, *end;
	char			*method, *path, *auth;
	unsigned		 flags;
	int			 st;

	if (size == 0)
		return (0);
	flags = data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	method = fuzz_field(&p, end);
	path = fuzz_field(&p, end);
	auth = fuzz_field(&p, end);

	route_request(method, path, &names, flags & 1, &r);
	FUZZ_ASSERT(r.kind >= ROUTE_ERROR && r.kind <= ROUTE_RELOAD);
	if (r.kind == ROUTE_ERROR) {
		FUZZ_ASSERT(r.status == 400 || r.status == 404 ||
		    r.status == 405 || r.status == 414);
		FUZZ_ASSERT(r.error != NULL && strchr(r.error, '\n') == NULL);
		FUZZ_ASSERT((r.status == 405) == (r.allow != NULL));
	} else {
		FUZZ_ASSERT(path[0] == '/');
		FUZZ_ASSERT(strlen(path) <= ROUTE_PATH_MAX);
	}
	FUZZ_ASSERT(r.replica >= -1 && r.replica < (int)names.n);
	FUZZ_ASSERT(r.replica == -1 || r.kind == ROUTE_READYZ);
	if (r.kind == ROUTE_READYZ && r.replica == -1)
		FUZZ_ASSERT(strcmp(path, "/readyz") == 0);
	if (r.kind == ROUTE_RELOAD)
		FUZZ_ASSERT((flags & 1) || strcmp(method, "POST") == 0);
	if (r.kind != ROUTE_ERROR && r.kind != ROUTE_RELOAD)
		FUZZ_ASSERT(strcmp(method, "GET") == 0 ||
		    strcmp(method, "HEAD") == 0);

	acc.token = (flags & 2) ? "t0k-En" : NULL;
	acc.loopback = flags & 4;
	acc.open_reload = flags & 8;
	st = route_allowed(r.kind, (flags & 16) ? NULL : auth, &acc);
	FUZZ_ASSERT(st == 0 || st == 401 || st == 403);
	/* Without the token, /metrics is never let through when one is set. */
	if (r.kind == ROUTE_METRICS && acc.token != NULL && st == 0)
		FUZZ_ASSERT(!(flags & 16) && strstr(auth, acc.token) != NULL);
	/* A reload from elsewhere, without the token: never, unless open. */
	if (r.kind == ROUTE_RELOAD && st == 0 && !acc.loopback &&
	    !acc.open_reload)
		FUZZ_ASSERT(acc.token != NULL && !(flags & 16) &&
		    route_bearer_ok(auth, acc.token));
	if (route_bearer_ok(auth, "t0k-En"))
		FUZZ_ASSERT(strstr(auth, "t0k-En") != NULL &&
		    strncasecmp(auth, "bearer", 6) == 0);
	FUZZ_ASSERT(!route_bearer_ok(auth, ""));
	if (route_accepts_gzip(auth))
		FUZZ_ASSERT(strcasestr(auth, "gzip") != NULL ||
		    strchr(auth, '*') != NULL);
	(void)route_accepts_gzip(path);
	FUZZ_ASSERT(!route_bearer_ok(auth, NULL));
	free(method);
	free(path);
	free(auth);
	return (0);
}
