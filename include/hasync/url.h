/*
 * url.h: validation of the URLs and DSNs hasync is given, and redaction of
 * credentials before anything is shown. Pure functions; any thread.
 */
#ifndef HASYNC_URL_H
#define HASYNC_URL_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* Where hasync serve listens: --listen ADDR:PORT, parsed. */
struct listen_addr {
	char		 host[64];	/* numeric: "127.0.0.1", "::1", "::" */
	unsigned	 port;		/* 0: any free port */
	int		 family;	/* AF_INET or AF_INET6 */
	bool		 any;		/* every interface ("*", "", 0.0.0.0,
					   [::]) */
	bool		 loopback;	/* 127.0.0.0/8, ::1 or localhost */
};

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

/*
 * Parse a listen address "ADDR:PORT": ADDR is an IPv4 address, an IPv6
 * address in brackets, "localhost" (127.0.0.1), or "*" or nothing for
 * every interface (IPv6 and IPv4 where the system has IPv6); PORT is 0 to
 * 65535. Names are not resolved. Returns 0 or -1 with e set.
 */
int	url_parse_listen(const char *, struct listen_addr *, struct err *);

#endif
