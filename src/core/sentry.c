/*
 * sentry.c: one Sentry event per call, sent synchronously to the DSN's
 * envelope endpoint with X-Sentry-Auth, bounded by --timeout. The admin
 * secret is never part of an event: only endpoints, versions and the
 * objects Hasura reported. Any thread (one easy handle per call).
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
sentry_send(const struct config *c, const char *message, json_t *fingerprint,
    json_t *extra, struct err *e)
{
	struct sentry_dsn	 dsn;
	struct curl_slist	*hdrs = NULL;
	json_t			*ev, *hdr;
	char			 id[33], ts[64], *h = NULL, *body = NULL,
				*auth = NULL;
	CURL			*curl;
	CURLcode		 cc;
	long			 status = 0;
	int			 rc = -1;

	if (c->sentry_dsn == NULL)
		return (0);
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
		err_set(e, ERR_SYS, "sentry: cannot encode the event");
		goto out;
	}
	{
		char	*envelope;

		xasprintf(&envelope, "%s\n{\"type\":\"event\",\"length\":%zu}"
		    "\n%s\n", h, strlen(body), body);
		free(body);
		body = envelope;
	}
	xasprintf(&auth, "X-Sentry-Auth: Sentry sentry_version=7, "
	    "sentry_client=hasync/%s, sentry_key=%s", PACKAGE_VERSION,
	    dsn.public_key);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: "
	    "application/x-sentry-envelope");
	if ((curl = curl_easy_init()) == NULL) {
		err_set(e, ERR_SYS, "sentry: curl_easy_init failed");
		goto out;
	}
	http_easy_defaults(curl, c);
	curl_easy_setopt(curl, CURLOPT_URL, dsn.envelope_url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sentry_discard);
	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	if (cc != CURLE_OK)
		err_set(e, ERR_CONNECT, "sentry: event not delivered: %s",
		    curl_easy_strerror(cc));
	else if (status < 200 || status > 299)
		err_set(e, ERR_PROTO, "sentry: event refused with HTTP %ld",
		    status);
	else
		rc = 0;
out:
	curl_slist_free_all(hdrs);
	free(auth);
	free(h);
	free(body);
	return (rc);
}
