/*
 * gzip.c: compress a /metrics body once per snapshot (zlib, gzip wrapper,
 * level 1: repetitive text shrinks twenty-fold at about 100 MB/s), so that
 * a thousand scrapes a second of a 500-replica body cost kilobytes, not a
 * gigabyte. Pure; any thread (the HTTP server thread, httpd.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <zlib.h>

#include "hasync/serve_gzip.h"
#include "hasync/xmalloc.h"

char *
gzip_body(const char *body, size_t len, size_t *out_len)
{
	z_stream	 z = { 0 };
	uLong		 cap;
	char		*out;
	int		 rc;

	/* windowBits 15 + 16: a gzip header and trailer, not zlib's. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return (NULL);
	cap = deflateBound(&z, (uLong)len) + 32;
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return (NULL);
	}
	return (out);
}
