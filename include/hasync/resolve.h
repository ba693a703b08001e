/*
 * resolve.h: look a host name up without blocking the caller. getaddrinfo()
 * has no timeout of its own and cannot be interrupted (libpq calls it inside
 * PQconnectStart/PQconnectPoll), so the lookup runs on a short-lived
 * detached thread while the caller waits on a pipe, its stop fd and a
 * deadline. Listener thread.
 */
#ifndef HASYNC_RESOLVE_H
#define HASYNC_RESOLVE_H

#include <stddef.h>

/* At most this many addresses of one name are kept. */
#define RESOLVE_MAX	8

/*
 * Resolve host to its addresses, as numeric text separated by commas in
 * addr (RESOLVE_MAX * 48 bytes is always enough). Waits at most ms
 * milliseconds, and returns early when stop_fd becomes readable. Returns
 * how many addresses (> 0), -1 (not found or timed out; err says which),
 * -2 (stop).
 */
int	resolve_host(const char *host, char *addr, size_t addrlen, long ms,
	    int stop_fd, char *err, size_t errlen);

/* True if host needs no lookup: empty, a socket directory, a number. */
int	resolve_is_literal(const char *host);

#endif
