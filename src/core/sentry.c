/*
 * sentry.c: build one Sentry event for the DSN's envelope endpoint (with
 * X-Sentry-Auth) and send it, synchronously (sentry_send: batch mode's one
 * report at exit) or through sentryq.c's sender thread. Every send is
 * bounded by --connect-timeout and --timeout. The admin secret is never
 * part of an event: only endpoints, versions and the objects Hasura
 * reported. Any thread (one easy handle per send).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/http.h"
#include "hasync/jsonl.h"
#include "hasync/sentry.h"
#include "hasync/url.h"
#include "hasync/xmalloc.h"

/* 32 hex digits from /dev/urandom (a UUID without dashes). */
static void
sentry_event_id(char out[33])
{
	unsigned char	b[16];
	FILE		*fp;
	size_t		 i, n = 0;

	if ((fp = fopen("/dev/urandom", "r")) != NULL) {
		n = fread(b, 1, sizeof(b), fp);
		fclose(fp);
	}
	for (i = n; i < sizeof(b); i++)
		b[i] = (unsigned char)(rand() & 0xff);
	for (i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static size_t
sentry_discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return (sz * n);
}

int
sentry_prepare(const struct config *c, const char *message,
    json_t *fingerprint, json_t *extra, struct sentry_req *req, struct err *e)
{
	struct sentry_dsn	 dsn;
	struct curl_slist	*hdrs = NULL;
	json_t			*ev, *hdr;
	char			 id[33], ts[64], *h = NULL, *body = NULL,
				*auth = NULL;

	memset(req, 0, sizeof(*req));
	if (c->sentry_dsn == NULL)
		return (err_set(e, ERR_USAGE, "sentry: no DSN"));
	if (url_parse_sentry_dsn(c->sentry_dsn, &dsn, e) == -1)
		return (-1);
	sentry_event_id(id);
	jsonl_time(time(NULL), ts, sizeof(ts));
	ev = json_object();
	json_object_set_new(ev, "event_id", json_string(id));
	json_object_set_new(ev, "timestamp", json_string(ts));
	json_object_set_new(ev, "level", json_string("error"));
	json_object_set_new(ev, "platform", json_string("native"));
	json_object_set_new(ev, "logger", json_string("hasync"));
	json_object_set_new(ev, "release", json_string("hasync@"
	    PACKAGE_VERSION));
	if (c->sentry_env != NULL)
		json_object_set_new(ev, "environment",
		    jsonl_string(c->sentry_env));
	json_object_set_new(ev, "message", json_pack("{s:o}", "formatted",
	    jsonl_string(message)));
	json_object_set(ev, "fingerprint", fingerprint);
	json_object_set(ev, "extra", extra);
	if (json_is_string(json_object_get(extra, "endpoint")))
		json_object_set_new(ev, "tags", json_pack("{s:O}", "endpoint",
		    json_object_get(extra, "endpoint")));
	hdr = json_pack("{s:s,s:s}", "event_id", id, "sent_at", ts);
	h = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	body = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (h == NULL || body == NULL) {
		free(h);
		free(body);
		return (err_set(e, ERR_SYS, "sentry: cannot encode the event"));
	}
	xasprintf(&req->body, "%s\n{\"type\":\"event\",\"length\":%zu}\n%s\n",
	    h, strlen(body), body);
	free(h);
	free(body);
	xasprintf(&auth, "X-Sentry-Auth: Sentry sentry_version=7, "
	    "sentry_client=hasync/%s, sentry_key=%s", PACKAGE_VERSION,
	    dsn.public_key);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: "
	    "application/x-sentry-envelope");
	free(auth);
	req->hdrs = hdrs;
	req->url = xstrdup(dsn.envelope_url);
	return (0);
}

void
sentry_req_setup(void *easy, const struct config *c, struct sentry_req *req)
{
	CURL	*curl = easy;

	/* Both a connect and a total timeout: never longer than --timeout. */
	http_easy_defaults(curl, c);
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, req->hdrs);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sentry_discard);
}

int
sentry_req_result(int cc, long status, struct err *e)
{
	if (cc != CURLE_OK)
		return (err_set(e, ERR_CONNECT, "sentry: event not delivered: "
		    "%s", curl_easy_strerror((CURLcode)cc)));
	if (status < 200 || status > 299)
		return (err_set(e, ERR_PROTO, "sentry: event refused with "
		    "HTTP %ld", status));
	return (0);
}

void
sentry_req_free(struct sentry_req *req)
{
	curl_slist_free_all(req->hdrs);
	free(req->body);
	free(req->url);
	memset(req, 0, sizeof(*req));
}

int
sentry_send(const struct config *c, const char *message, json_t *fingerprint,
    json_t *extra, struct err *e)
{
	struct sentry_req	 req;
	CURL			*curl;
	CURLcode		 cc;
	long			 status = 0;
	int			 rc;

	if (c->sentry_dsn == NULL)
		return (0);
	if (sentry_prepare(c, message, fingerprint, extra, &req, e) == -1)
		return (-1);
	if ((curl = curl_easy_init()) == NULL) {
		sentry_req_free(&req);
		return (err_set(e, ERR_SYS, "sentry: curl_easy_init failed"));
	}
	sentry_req_setup(curl, c, &req);
	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	rc = sentry_req_result(cc, status, e);
	sentry_req_free(&req);
	return (rc);
}
