/*
 * tests/emu/http.c: replies built by the request handlers, including the
 * Hasura error body (facts §3.8: keys error, path, code, internal).  Runs on
 * HTTP handler threads; a reply owns its body until instance.c sends it.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Reply with j serialised (takes j). */
void
reply_json(struct reply *r, int status, json_t *j)
{
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	free(r->body);
	r->body = util_dumps(j);
	json_decref(j);
}

void
reply_text(struct reply *r, int status, const char *text)
{
	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	free(r->body);
	r->body = xstrdup(text);
}

/* Reply with a Hasura error body; takes internal (may be NULL). */
void
reply_error(struct reply *r, int status, const char *code, const char *path,
    json_t *internal, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	json_t	*o, *e;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	o = json_object();
	if ((e = json_string(msg ? msg : "error")) == NULL)
		e = json_string("invalid request");	/* msg not UTF-8 */
	json_object_set_new(o, "error", e);
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "code", json_string(code));
	if (internal != NULL)
		json_object_set_new(o, "internal", internal);
	free(msg);
	reply_json(r, status, o);
}

/* Reply 500 for a metadata-storage failure (facts §3.8 status mapping). */
void
reply_dberr(struct reply *r, const struct dberr *e)
{
	if (strstr(e->msg, "too many clients") != NULL)
		reply_error(r, 500, "postgres-max-connections-error", "$",
		    json_string(e->msg), "max connections reached on postgres");
	else if (e->conn)
		reply_error(r, 500, "postgres-error", "$", json_string(e->msg),
		    "connection error");
	else if (strstr(e->msg, "multiple rows") != NULL)
		reply_error(r, 500, "unexpected", "$", NULL, "%s", e->msg);
	else
		reply_error(r, 500, "postgres-error", "$", json_pack("{s:s}",
		    "message", e->msg), "postgres tx error");
}
