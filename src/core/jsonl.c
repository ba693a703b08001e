/*
 * jsonl.c: write JSON lines in the shape of hasura-metadata-reloader's
 * zerolog output. Any thread.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/jsonl.h"
#include "hasync/sanitize.h"

/* The stream whose lines are flushed by its owner (one batch pass writes
 * all of its lines at the end: one write, not one per line). */
static FILE	*jsonl_deferred;

void
jsonl_defer_flush(FILE *fp)
{
	jsonl_deferred = fp;
}

void
jsonl_time(time_t t, char *buf, size_t len)
{
	struct tm	tm;
	long		off;
	char		sign = '+';

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	if (off == 0) {
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (strlen(buf) + 7 <= len)
		snprintf(buf + strlen(buf), len - strlen(buf), "%c%02ld:%02ld",
		    sign, off / 3600, (off / 60) % 60);
}

json_t *
jsonl_string(const char *s)
{
	json_t	*j;
	char	*clean;

	if (s == NULL)
		return (json_null());
	if ((j = json_string(s)) != NULL)
		return (j);
	clean = sanitize_utf8(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return (j != NULL ? j : json_string(""));
}

int
jsonl_write(FILE *fp, const char *level, const char *message,
    const json_t *fields)
{
	return (jsonl_write_with(fp, level, message, fields, NULL, NULL,
	    NULL));
}

int
jsonl_write_with(FILE *fp, const char *level, const char *message,
    const json_t *fields, const char *key,
    void (*write)(FILE *, const void *), const void *arg)
{
	json_t		*head, *tail, *v;
	const char	*k;
	char		*h, *t, ts[40];
	int		 rc;

	head = json_object();
	json_object_set_new(head, "level", json_string(level));
	if (fields != NULL) {
		json_object_foreach((json_t *)fields, k, v) {
			if (strcmp(k, "level") != 0 && strcmp(k, "time") != 0 &&
			    strcmp(k, "message") != 0)
				json_object_set(head, k, v);
		}
	}
	tail = json_object();
	jsonl_time(time(NULL), ts, sizeof(ts));
	json_object_set_new(tail, "time", json_string(ts));
	json_object_set_new(tail, "message", jsonl_string(message));
	h = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
	t = json_dumps(tail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(head);
	json_decref(tail);
	if (h == NULL || t == NULL) {
		free(h);
		free(t);
		return (-1);
	}
	/* {head...,"key":<raw>,tail...}: the two objects joined. */
	h[strlen(h) - 1] = '\0';
	flockfile(fp);
	fputs(h, fp);
	if (key != NULL) {
		fprintf(fp, ",\"%s\":", key);
		write(fp, arg);
	}
	fputc(',', fp);
	fputs(t + 1, fp);
	rc = fputc('\n', fp) == EOF || (fp != jsonl_deferred && fflush(fp) !=
	    0) ? -1 : 0;
	funlockfile(fp);
	free(h);
	free(t);
	return (rc);
}

void
jsonl_stderr(bool json, const char *level, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json)
		jsonl_write(stderr, level, msg, NULL);
	else
		fprintf(stderr, "hasync: %s%s\n", strcmp(level, "warn") == 0 ?
		    "warning: " : "", msg);
}
