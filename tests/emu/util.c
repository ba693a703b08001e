/*
 * tests/emu/util.c: small helpers of hasura-emu (allocation, clocks, UUIDs,
 * JSON accessors).  Every function here is safe from any thread.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

static void
util_oom(void)
{
	fputs("hasura-emu: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		util_oom();
	return (p);
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		util_oom();
	return (p);
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		util_oom();
	return (p);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		util_oom();
	return (p);
}

/* Format into a new string; caller frees. */
char *
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		util_oom();
	va_end(ap);
	return (s);
}

/* Write a random (version 4) UUID from /dev/urandom; facts §2.3. */
void
util_uuid4(char out[37])
{
	unsigned char	 b[16];
	int		 fd;
	ssize_t		 n = -1;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, b, sizeof b);
		close(fd);
	}
	if (n != (ssize_t)sizeof b) {
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)(rand() ^ (int)time(NULL));
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* Return a monotonic clock in milliseconds. */
int64_t
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Format the wall clock like Hasura logs: 2025-01-12T05:01:27.833+0000. */
void
util_timestamp(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	char		tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ld+0000", tmp, ts.tv_nsec / 1000000);
}

void
util_sleep_ms(int64_t ms)
{
	struct timespec	ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Sleep up to ms, in small steps, returning early (1) once *flag is set. */
int
util_sleep_quit(int64_t ms, atomic_int *flag)
{
	int64_t	end = util_now_ms() + ms;

	while (!atomic_load(&global_quit) && (flag == NULL || !atomic_load(flag))) {
		int64_t left = end - util_now_ms();
		if (left <= 0)
			return (0);
		util_sleep_ms(left < 50 ? left : 50);
	}
	return (1);
}

/* Serialise compactly, keeping key order; caller frees. */
char *
util_dumps(const json_t *j)
{
	char	*s;

	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	return (s != NULL ? s : xstrdup("null"));
}

/* Return the string at key of object o, or NULL (borrowed). */
const char *
util_jstr(const json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* Return 1 if the array of strings a contains s. */
int
util_strarr_has(const json_t *a, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return (1);
	}
	return (0);
}
