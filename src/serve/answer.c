/*
 * answer.c: the JSON bodies of hasync serve: what POST /reload_metadata
 * came to, and the errors of every endpoint. hasura-metadata-reloader's
 * server answers 200 with the reload answer when consistent and 500 with a
 * text error otherwise; hasync answers the same codes, and its 500 is JSON
 * that names the error and the objects. Text from servers goes out as JSON
 * strings (valid UTF-8, escaped) or as the bytes of a JSON answer a
 * replica sent, never otherwise. Pure functions; any thread (main thread,
 * serve.c; HTTP server thread, httpd.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hasync/hasura.h"
#include "hasync/jsonl.h"
#include "hasync/serve_answer.h"
#include "hasync/snapshot.h"
#include "hasync/xmalloc.h"

/* A word for a status, as Hasura's error bodies have a code. */
static const char *
answer_code(int status)
{
	switch (status) {
	case 400:
		return ("bad-request");
	case 401:
		return ("unauthorized");
	case 403:
		return ("forbidden");
	case 404:
		return ("not-found");
	case 405:
		return ("method-not-allowed");
	case 413:
		return ("request-too-large");
	case 414:
		return ("uri-too-long");
	case 500:
		return ("reload-failed");
	case 503:
		return ("unavailable");
	default:
		return ("error");
	}
}

char *
answer_error(int status, const char *text, size_t *len)
{
	json_t	*o;
	char	*s;

	o = json_object();
	json_object_set_new(o, "error", jsonl_string(text));
	json_object_set_new(o, "code", json_string(answer_code(status)));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		s = xstrdup("{\"error\":\"error\"}");
	*len = strlen(s);
	return (s);
}

void
answer_redact(char *body, size_t len, const char *secret)
{
	size_t	 n;
	char	*p, *end = body + len;

	if (secret == NULL || (n = strlen(secret)) == 0)
		return;
	for (p = body; p != NULL && (size_t)(end - p) >= n;) {
		if ((p = memmem(p, (size_t)(end - p), secret, n)) == NULL)
			break;
		memset(p, '*', n);
		p += n;
	}
}

/* The set to show: the replica the reload went through, if it reports
 * objects, else the first that does; NULL if none. */
static const struct objset *
answer_objects(const struct snapshot *s)
{
	size_t	i;

	if (s->reload_via >= 0 && (size_t)s->reload_via < s->n_inst &&
	    s->inst[s->reload_via].objects->n > 0)
		return (s->inst[s->reload_via].objects);
	for (i = 0; i < s->n_inst; i++) {
		if (s->inst[i].objects->n > 0)
			return (s->inst[i].objects);
	}
	return (NULL);
}

char *
answer_reload(const struct snapshot *s, int *status, size_t *len)
{
	const struct objset	*set;
	json_t			*o, *arr, *r;
	FILE			*fp;
	char			*head, *body = NULL;
	size_t			 i, n, blen = 0;
	bool			 inconsistent = false;

	if (s->last_reload_consistent) {
		*status = 200;
		if (s->reload_answer != NULL) {
			*len = s->reload_answer_len;
			body = xmalloc(s->reload_answer_len + 1);
			memcpy(body, s->reload_answer, s->reload_answer_len + 1);
			return (body);
		}
		/* Consistent without an answer kept: nothing was sent
		 * (targeted, nothing to reload) or it was too large. */
		o = json_pack("{s:b,s:o}", "is_consistent", 1, "message",
		    jsonl_string(s->reload_outcome != NULL ? s->reload_outcome :
		    "success"));
		body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		*len = strlen(body);
		return (body);
	}
	*status = 500;
	arr = json_array();
	for (i = 0; i < s->n_inst; i++) {
		const struct snap_instance *in = &s->inst[i];

		inconsistent |= in->consistency_known && !in->consistent &&
		    in->last_error == NULL;
		r = json_pack("{s:o,s:s,s:o}", "replica", jsonl_string(
		    in->label != NULL ? in->label : in->endpoint), "verdict",
		    verdict_word(in->verdict), "reason",
		    jsonl_string(in->verdict_text));
		if (in->consistency_known)
			json_object_set_new(r, "inconsistent_count",
			    json_integer((json_int_t)in->objects->n));
		json_array_append_new(arr, r);
	}
	o = json_object();
	json_object_set_new(o, "error", json_string(inconsistent ? "metadata "
	    "is inconsistent" : "reload failed"));
	json_object_set_new(o, "message", jsonl_string(s->reload_outcome !=
	    NULL ? s->reload_outcome : "reload failed"));
	json_object_set_new(o, "is_consistent", json_false());
	json_object_set_new(o, "resource_version", s->resource_version >= 0 ?
	    json_integer(s->resource_version) : json_null());
	json_object_set_new(o, "replicas", arr);
	head = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (head == NULL)
		return (answer_error(500, "reload failed", len));
	/* The objects as a replica sent them, after the rest. */
	if ((fp = open_memstream(&body, &blen)) == NULL) {
		*len = strlen(head);
		return (head);
	}
	n = strlen(head);
	fwrite(head, 1, n - 1, fp);		/* without its '}' */
	fputs(",\"inconsistent_objects\":", fp);
	if ((set = answer_objects(s)) != NULL)
		hasura_objects_write(fp, set, 0);
	else
		fputs("[]", fp);
	fputc('}', fp);
	fclose(fp);
	free(head);
	*len = blen;
	return (body);
}
