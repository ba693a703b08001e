/*
 * jsonl.h: the one JSON-lines writer, used by batch mode and the audit log.
 *
 * Every line is {"level":..., <fields>..., "time":..., "message":...}: the
 * key order of zerolog, which hasura-metadata-reloader prints, so existing
 * log pipelines keep working. Any thread; one line is one fwrite.
 */
#ifndef HASYNC_JSONL_H
#define HASYNC_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

/* Lines written to fp are not flushed one by one; the caller flushes.
 * Main thread, before any line is written (NULL: flush every line). */
void	 jsonl_defer_flush(FILE *);

/* Write RFC 3339 local time with a numeric offset (2023-10-12T18:13:23+02:00). */
void	 jsonl_time(time_t, char *, size_t);

/*
 * Write one line to fp and flush it. fields (borrowed, may be NULL) is an
 * object whose keys are written between level and time. Returns 0 or -1.
 */
int	 jsonl_write(FILE *, const char *, const char *, const json_t *);

/*
 * The same with one more field, key, after fields: its value is written by
 * write(fp, arg) as JSON text (valid, on one line), so that big values the
 * caller holds as bytes (objects as an instance sent them) are written as
 * they are, never rebuilt.
 */
int	 jsonl_write_with(FILE *, const char *, const char *, const json_t *,
	    const char *, void (*)(FILE *, const void *), const void *);

/*
 * One line for people on stderr: a JSON line at level when json (batch mode
 * with JSON output: every line a log pipeline reads must parse), else
 * "hasync: [warning: ]text".
 */
void	 jsonl_stderr(bool, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* A JSON string from possibly invalid UTF-8 (invalid bytes become U+FFFD). */
json_t	*jsonl_string(const char *);

#endif
