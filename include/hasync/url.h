/*
 * url.h: validation of the URLs and DSNs hasync is given, and redaction of
 * credentials before anything is shown. Pure functions; any thread.
 */
#ifndef HASYNC_URL_H
#define HASYNC_URL_H

#include <stddef.h>

struct err;

/* A parsed Sentry DSN: scheme://public_key@host[:port][/path]/project_id */
struct sentry_dsn {
	char	public_key[128];
	char	envelope_url[1024];	/* .../api/<project>/envelope/ */
	char	project_id[64];
};

/*
 * Check an http(s) base URL such as http://hasura-0:8080 and write it to out
 * without a trailing slash. what names the setting in the error. Returns 0
 * or -1 with e set.
 */
int	url_check_http(const char *, const char *, char *, size_t, struct err *);

/* Check a libpq URL or conninfo string. Returns 0 or -1 with e set. */
int	url_check_pg(const char *, struct err *);

/* Parse a Sentry DSN. Returns 0 or -1 with e set. */
int	url_parse_sentry_dsn(const char *, struct sentry_dsn *, struct err *);

/*
 * Write a displayable label for a database URL or conninfo: host[:port]/db,
 * never the user's password. Always NUL-terminates out.
 */
void	url_pg_label(const char *, char *, size_t);

#endif
