/*
 * fuzz_url.c: libFuzzer target for the URL and DSN checks (src/core/url.c).
 * The input, cut at its first NUL, is given to url_check_http (with a large
 * and a small output buffer), url_check_pg, url_parse_sentry_dsn and
 * url_pg_label (with several output sizes) and url_parse_listen, and the
 * results are checked against what url.h promises.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "hasync/err.h"
#include "hasync/url.h"
#include "hasync/xmalloc.h"

#include "fuzz.h"

static void
fuzz_check_err(const struct err *e)
{
	FUZZ_ASSERT(e->kind == ERR_USAGE);
	FUZZ_ASSERT(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	FUZZ_ASSERT(strchr(e->msg, '\n') == NULL);
}

static void
fuzz_http(const char *s)
{
	struct err	 e;
	char		 out[2048], small[16];
	size_t		 n;

	memset(&e, 0, sizeof(e));
	if (url_check_http(s, "endpoint", out, sizeof(out), &e) == -1) {
		fuzz_check_err(&e);
		return;
	}
	n = strlen(out);
	FUZZ_ASSERT(n > 0 && out[n - 1] != '/');
	FUZZ_ASSERT(strncmp(out, "http://", 7) == 0 ||
	    strncmp(out, "https://", 8) == 0);
	FUZZ_ASSERT(strncmp(out, s, n) == 0);
	/* Valid output is a valid input, and checking is idempotent. */
	FUZZ_ASSERT(url_check_http(out, "endpoint", small, sizeof(small),
	    NULL) == (n < sizeof(small) ? 0 : -1));
}

static void
fuzz_pg(const char *s)
{
	struct err	 e;

	memset(&e, 0, sizeof(e));
	if (url_check_pg(s, &e) == -1)
		fuzz_check_err(&e);
}

static void
fuzz_sentry(const char *s)
{
	struct sentry_dsn	 d;
	struct err		 e;
	const char		*auth;

	memset(&e, 0, sizeof(e));
	if (url_parse_sentry_dsn(s, &d, &e) == -1) {
		fuzz_check_err(&e);
		return;
	}
	FUZZ_ASSERT(d.public_key[0] != '\0' && d.project_id[0] != '\0');
	FUZZ_ASSERT(strspn(d.project_id, "0123456789") ==
	    strlen(d.project_id));
	FUZZ_ASSERT(memchr(d.envelope_url, '\0', sizeof(d.envelope_url)) !=
	    NULL);
	FUZZ_ASSERT(strstr(d.envelope_url, "/envelope/") != NULL);
	/* No credentials in the authority (a path may have '@'). */
	auth = strstr(d.envelope_url, "://");
	FUZZ_ASSERT(auth != NULL);
	auth += 3;
	FUZZ_ASSERT(memchr(auth, '@', strcspn(auth, "/")) == NULL);
}

static void
fuzz_label(const char *s)
{
	static const size_t	 sizes[] = { 1, 2, 9, 256 };
	char			 out[256];
	size_t			 i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(out, 'x', sizeof(out));
		url_pg_label(s, out, sizes[i]);
		FUZZ_ASSERT(memchr(out, '\0', sizes[i]) != NULL);
	}
	url_pg_label(s, out, 0);
	url_pg_label(NULL, out, sizeof(out));
}

static void
fuzz_listen(const char *s)
{
	struct listen_addr	 a;
	struct err		 e;
	char			 again[128];

	memset(&e, 0, sizeof(e));
	if (url_parse_listen(s, &a, &e) == -1) {
		fuzz_check_err(&e);
		return;
	}
	FUZZ_ASSERT(a.port <= 65535);
	FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6);
	FUZZ_ASSERT(memchr(a.host, '\0', sizeof(a.host)) != NULL);
	FUZZ_ASSERT(a.host[0] != '\0');
	FUZZ_ASSERT(!(a.any && a.loopback));
	/* What it parsed to parses to the same. */
	snprintf(again, sizeof(again), a.family == AF_INET6 ? "[%s]:%u" :
	    "%s:%u", a.host, a.port);
	FUZZ_ASSERT(url_parse_listen(again, &a, NULL) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	s = xstrndup((const char *)data, size);
	fuzz_http(s);
	fuzz_pg(s);
	fuzz_sentry(s);
	fuzz_label(s);
	fuzz_listen(s);
	free(s);
	return (0);
}
