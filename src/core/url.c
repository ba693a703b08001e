/*
 * url.c: validate endpoint URLs, database URLs and Sentry DSNs; make
 * credential-free labels for display. Pure functions; any thread.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "hasync/err.h"
#include "hasync/url.h"

/* Check that s has no bytes that cannot be in a URL. */
static int
url_chars_ok(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f)
			return (0);
	}
	return (1);
}

/* Parse "host[:port]" up to end; check host chars and port range. */
static int
url_check_authority(const char *a, size_t len)
{
	const char	*colon = NULL, *p;
	long		 port;
	char		*endp;
	char		 buf[16];

	if (len == 0)
		return (0);
	if (a[0] == '[') {		/* [IPv6]:port */
		p = memchr(a, ']', len);
		if (p == NULL || p == a + 1)
			return (0);
		if (p + 1 < a + len) {
			if (p[1] != ':')
				return (0);
			colon = p + 1;
		}
	} else {
		for (p = a; p < a + len; p++) {
			if (*p == ':') {
				colon = p;
				break;
			}
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.' && *p != '_')
				return (0);
		}
		if (colon == a)
			return (0);
	}
	if (colon == NULL)
		return (1);
	len -= (size_t)(colon + 1 - a);
	if (len == 0 || len >= sizeof(buf))
		return (0);
	memcpy(buf, colon + 1, len);
	buf[len] = '\0';
	if (!isdigit((unsigned char)buf[0]))
		return (0);
	port = strtol(buf, &endp, 10);
	return (*endp == '\0' && port >= 1 && port <= 65535);
}

int
url_check_http(const char *s, const char *what, char *out, size_t outsz,
    struct err *e)
{
	const char	*rest, *slash, *at;
	size_t		 len;

	if (s == NULL || *s == '\0')
		return (err_set(e, ERR_USAGE, "%s: empty URL; expected "
		    "http://host:port", what));
	if (!url_chars_ok(s))
		return (err_set(e, ERR_USAGE, "%s: URL contains spaces or "
		    "control characters", what));
	if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else
		return (err_set(e, ERR_USAGE, "%s: '%.200s' is not an http:// "
		    "or https:// URL", what, s));
	slash = strchr(rest, '/');
	len = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	at = memchr(rest, '@', len);
	if (at != NULL)
		return (err_set(e, ERR_USAGE, "%s: credentials in the URL are "
		    "not supported; use --admin-secret-file", what));
	if (!url_check_authority(rest, len))
		return (err_set(e, ERR_USAGE, "%s: '%.200s' has no valid "
		    "host[:port]", what, s));
	if (strpbrk(rest, "?#") != NULL)
		return (err_set(e, ERR_USAGE, "%s: '%.200s' must be a base URL "
		    "without query or fragment", what, s));
	len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		len--;
	if (len >= outsz)
		return (err_set(e, ERR_USAGE, "%s: URL too long", what));
	memcpy(out, s, len);
	out[len] = '\0';
	return (0);
}

int
url_check_pg(const char *s, struct err *e)
{
	PQconninfoOption	*opts;
	char			*msg = NULL;

	if (s == NULL || *s == '\0')
		return (err_set(e, ERR_USAGE, "database URL is empty"));
	opts = PQconninfoParse(s, &msg);
	if (opts == NULL) {
		err_set(e, ERR_USAGE, "database URL: %s",
		    msg != NULL ? msg : "cannot be parsed");
		PQfreemem(msg);
		return (-1);
	}
	PQconninfoFree(opts);
	if (strchr(s, '=') == NULL && strncmp(s, "postgres://", 11) != 0 &&
	    strncmp(s, "postgresql://", 13) != 0)
		return (err_set(e, ERR_USAGE, "database URL: expected "
		    "postgres://... or key=value conninfo"));
	return (0);
}

int
url_parse_sentry_dsn(const char *s, struct sentry_dsn *d, struct err *e)
{
	const char	*rest, *at, *slash, *proj;
	size_t		 klen, hlen, plen;
	int		 schemelen;

	memset(d, 0, sizeof(*d));
	if (s == NULL || !url_chars_ok(s))
		return (err_set(e, ERR_USAGE, "sentry DSN: empty or contains "
		    "spaces"));
	if (strncmp(s, "https://", 8) == 0)
		schemelen = 8;
	else if (strncmp(s, "http://", 7) == 0)
		schemelen = 7;
	else
		return (err_set(e, ERR_USAGE, "sentry DSN: expected "
		    "https://KEY@HOST/PROJECT_ID"));
	rest = s + schemelen;
	at = strchr(rest, '@');
	slash = strchr(rest, '/');
	if (at == NULL || (slash != NULL && slash < at))
		return (err_set(e, ERR_USAGE, "sentry DSN: missing public key "
		    "(expected https://KEY@HOST/PROJECT_ID)"));
	klen = strcspn(rest, ":@");	/* key[:secret]@ */
	if (klen == 0 || klen >= sizeof(d->public_key))
		return (err_set(e, ERR_USAGE, "sentry DSN: bad public key"));
	memcpy(d->public_key, rest, klen);
	rest = at + 1;
	slash = strchr(rest, '/');
	if (slash == NULL)
		return (err_set(e, ERR_USAGE, "sentry DSN: missing project id "
		    "(expected https://KEY@HOST/PROJECT_ID)"));
	hlen = (size_t)(slash - rest);
	if (!url_check_authority(rest, hlen))
		return (err_set(e, ERR_USAGE, "sentry DSN: bad host"));
	proj = strrchr(slash, '/') + 1;
	plen = strlen(proj);
	while (plen > 0 && proj[plen - 1] == '/')
		plen--;
	if (plen == 0 || plen >= sizeof(d->project_id) ||
	    strspn(proj, "0123456789") < plen)
		return (err_set(e, ERR_USAGE, "sentry DSN: project id must be "
		    "a number"));
	memcpy(d->project_id, proj, plen);
	/* scheme://host[:port][/path-prefix]/api/<project>/envelope/ */
	if ((size_t)snprintf(d->envelope_url, sizeof(d->envelope_url),
	    "%.*s%.*s%.*s/api/%s/envelope/", schemelen, s, (int)hlen, rest,
	    (int)(proj - 1 - slash), slash, d->project_id) >=
	    sizeof(d->envelope_url))
		return (err_set(e, ERR_USAGE, "sentry DSN: too long"));
	return (0);
}

void
url_pg_label(const char *s, char *out, size_t outsz)
{
	PQconninfoOption	*opts, *o;
	const char		*host = NULL, *port = NULL, *db = NULL;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (s == NULL || (opts = PQconninfoParse(s, NULL)) == NULL) {
		snprintf(out, outsz, "%s", s == NULL ? "" : "database");
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0 && host == NULL)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
	}
	snprintf(out, outsz, "%s%s%s%s%s", host != NULL ? host : "localhost",
	    port != NULL ? ":" : "", port != NULL ? port : "",
	    db != NULL ? "/" : "", db != NULL ? db : "");
	PQconninfoFree(opts);
}

int
url_parse_listen(const char *s, struct listen_addr *a, struct err *e)
{
	const char	*colon, *host;
	struct in_addr	 in4;
	struct in6_addr	 in6;
	size_t		 hlen;
	long		 port;
	char		 buf[64], *end;

	memset(a, 0, sizeof(*a));
	if (s == NULL || (colon = strrchr(s, ':')) == NULL)
		return (err_set(e, ERR_USAGE, "--listen: '%.60s' is not ADDR:PORT "
		    "(e.g. 127.0.0.1:8719)", s != NULL ? s : ""));
	if (colon[1] < '0' || colon[1] > '9' || (port = strtol(colon + 1, &end,
	    10)) < 0 || port > 65535 || *end != '\0' || end - colon > 6)
		return (err_set(e, ERR_USAGE, "--listen: port '%.20s' is not a "
		    "number from 0 to 65535", colon + 1));
	a->port = (unsigned)port;
	host = s;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
		if (hlen == 0 || hlen >= sizeof(buf))
			goto bad;
		memcpy(buf, host, hlen);
		buf[hlen] = '\0';
		if (inet_pton(AF_INET6, buf, &in6) != 1)
			goto bad;
		a->family = AF_INET6;
		a->any = IN6_IS_ADDR_UNSPECIFIED(&in6);
		a->loopback = IN6_IS_ADDR_LOOPBACK(&in6);
		inet_ntop(AF_INET6, &in6, a->host, sizeof(a->host));
		return (0);
	}
	if (hlen >= sizeof(buf))
		goto bad;
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	if (hlen == 0 || strcmp(buf, "*") == 0) {
		a->family = AF_INET6;
		a->any = true;
		snprintf(a->host, sizeof(a->host), "::");
		return (0);
	}
	if (strcasecmp(buf, "localhost") == 0)
		snprintf(buf, sizeof(buf), "127.0.0.1");
	if (inet_pton(AF_INET, buf, &in4) != 1)
		goto bad;
	a->family = AF_INET;
	a->any = in4.s_addr == htonl(INADDR_ANY);
	a->loopback = (ntohl(in4.s_addr) >> 24) == 127;
	inet_ntop(AF_INET, &in4, a->host, sizeof(a->host));
	return (0);
bad:
	return (err_set(e, ERR_USAGE, "--listen: '%.*s' is not an IP address "
	    "(IPv4, [IPv6], localhost or *; names are not resolved)",
	    (int)(hlen < 60 ? hlen : 60), host));
}
