/*
 * tests/emu/log.c: Hasura-shaped JSON log lines on stderr (facts §2.4-2.6).
 * Errors are always written; info lines only with -v.  One fputs per line
 * under stdio's own lock, so any thread may log.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/*
 * Write {"detail":...,"level":...,"timestamp":...,"type":...}.  With several
 * instances in one process an extra "emu_instance" key names the instance
 * (not a Hasura key; a real process is one instance).  Takes detail.
 */
void
log_line(const struct instance *in, const char *level, const char *type,
    json_t *detail)
{
	json_t	*o;
	char	 ts[64], *s;

	if (strcmp(level, "error") != 0 && !global_cfg.verbose) {
		json_decref(detail);
		return;
	}
	util_timestamp(ts, sizeof ts);
	o = json_object();
	json_object_set_new(o, "detail", detail);
	json_object_set_new(o, "level", json_string(level));
	json_object_set_new(o, "timestamp", json_string(ts));
	json_object_set_new(o, "type", json_string(type));
	if (in != NULL && global_cfg.instances > 1)
		json_object_set_new(o, "emu_instance", json_string(in->id));
	s = util_dumps(o);
	json_decref(o);
	flockfile(stderr);
	fputs(s, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
	free(s);
}

/* Log a schema-sync line: detail {"info":info,"thread_type":tt}; takes info. */
void
log_sync(const struct instance *in, const char *level, const char *tt,
    json_t *info)
{
	json_t	*d;

	if (strcmp(level, "error") != 0 && !global_cfg.verbose) {
		json_decref(info);
		return;
	}
	d = json_object();
	json_object_set_new(d, "info", info);
	json_object_set_new(d, "thread_type", json_string(tt));
	log_line(in, level, "schema-sync", d);
}

/* Log an info schema-sync line whose info is a formatted string. */
void
log_syncf(const struct instance *in, const char *tt, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (!global_cfg.verbose)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		va_end(ap);
		return;
	}
	va_end(ap);
	log_sync(in, "info", tt, json_string(s));
	free(s);
}

/* Print one line for a usage or startup error and exit 2. */
void
log_fatal_usage(const char *fmt, ...)
{
	va_list	ap;

	fputs("hasura-emu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}
