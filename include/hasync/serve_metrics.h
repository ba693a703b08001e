/*
 * serve_metrics.h: hasync serve's /metrics body, the Prometheus text
 * exposition format 0.0.4, rendered from one snapshot. A pure function of
 * the snapshot: the same snapshot gives the same bytes, so the server
 * renders each snapshot once, whatever the number of scrapes. Any thread.
 */
#ifndef HASYNC_SERVE_METRICS_H
#define HASYNC_SERVE_METRICS_H

#include <stddef.h>

struct snapshot;

/* The Content-Type of the body. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * The body for s (NULL before the first snapshot: hasync_build_info only);
 * version is hasync's. Returns a new string (caller frees), *len its
 * length.
 */
char	*metrics_render(const struct snapshot *, const char *, size_t *);

#endif
