/*
 * serve_gzip.h: gzip a body for hasync serve's /metrics (Prometheus asks
 * for gzip; a 500-replica body of 1 MB goes out as some 45 kB). Pure
 * function; any thread.
 */
#ifndef HASYNC_SERVE_GZIP_H
#define HASYNC_SERVE_GZIP_H

#include <stddef.h>

/* The gzip member of len bytes of body (fast level): a new buffer (caller
 * frees) and *out_len, or NULL if zlib fails. */
char	*gzip_body(const char *, size_t, size_t *);

#endif
