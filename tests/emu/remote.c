/*
 * tests/emu/remote.c: remote schema introspection with libcurl (facts §5.3(c)
 * for the failure shape) and the tiny GraphQL server of --remote-schema.
 *
 * remote_introspect runs on whichever thread builds a cache or heals; each
 * call owns its curl handle.  Results are immutable, reference-counted and
 * shared between successive caches of an instance (facts §2.8, issue text:
 * a rebuild that does not invalidate a remote schema reuses its result).
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "emu.h"

#define REMOTE_BODY_MAX	(16UL * 1024 * 1024)

static const char remote_query[] =
    "{\"query\":\"query IntrospectionQuery { __schema { queryType { name } "
    "mutationType { name } subscriptionType { name } types { ...FullType } "
    "directives { name description locations args { ...InputValue } } } } "
    "fragment FullType on __Type { kind name description fields(includeDeprecated: true) "
    "{ name description args { ...InputValue } type { ...TypeRef } isDeprecated "
    "deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } "
    "enumValues(includeDeprecated: true) { name description isDeprecated "
    "deprecationReason } possibleTypes { ...TypeRef } } fragment InputValue on "
    "__InputValue { name description type { ...TypeRef } defaultValue } fragment "
    "TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType "
    "{ kind name } } } }\",\"operationName\":\"IntrospectionQuery\"}";

struct remote_buf {
	char	*data;
	size_t	 len;
};

static size_t
remote_write(char *p, size_t sz, size_t n, void *arg)
{
	struct remote_buf *b = arg;
	size_t		   len = sz * n;

	if (b->len + len > REMOTE_BODY_MAX)
		return (0);
	b->data = xrealloc(b->data, b->len + len + 1);
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return (len);
}

/* Abort transfers on shutdown so SIGTERM is never held up by a remote. */
static int
remote_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
    curl_off_t d)
{
	(void)arg; (void)a; (void)b; (void)c; (void)d;
	return (atomic_load(&global_quit) ? 1 : 0);
}

static struct rs_result *
remote_new(const json_t *rs)
{
	struct rs_result *r;

	r = xcalloc(1, sizeof *r);
	atomic_init(&r->refs, 1);
	r->name = xstrdup(util_jstr(rs, "name") ? util_jstr(rs, "name") : "");
	r->defkey = json_dumps(json_object_get(rs, "definition"),
	    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (r->defkey == NULL)
		r->defkey = xstrdup("null");
	return (r);
}

/*
 * Build the "message" of an http_exception inconsistency, facts §5.3(c):
 * {"message":..., "request":{host, method, path, port, queryString,
 * requestHeaders, responseTimeout, secure}, "type":"http_exception"}.
 */
static json_t *
remote_http_exception(const char *url, long timeout_s, const char *msg)
{
	CURLU	*u;
	char	*host = NULL, *path = NULL, *port = NULL, *query = NULL;
	char	*scheme = NULL, *ua, *rt, *qs;
	bool	 secure;
	json_t	*o;

	u = curl_url();
	curl_url_set(u, CURLUPART_URL, url, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	secure = scheme != NULL && strcmp(scheme, "https") == 0;
	ua = xprintf("hasura-graphql-engine/%s", global_cfg.server_version);
	rt = xprintf("ResponseTimeoutMicro %ld", timeout_s * 1000000L);
	qs = query != NULL ? xprintf("?%s", query) : xstrdup("");
	o = json_pack("{s:s,s:{s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s},s:s,s:b},s:s}",
	    "message", msg, "request", "host", host ? host : "", "method",
	    "POST", "path", path ? path : "/", "port", port ? atoi(port) : 80,
	    "queryString", qs, "requestHeaders", "Content-Type",
	    "application/json", "User-Agent", ua, "responseTimeout", rt,
	    "secure", secure, "type", "http_exception");
	free(ua);
	free(rt);
	free(qs);
	curl_free(host);
	curl_free(path);
	curl_free(port);
	curl_free(query);
	curl_free(scheme);
	curl_url_cleanup(u);
	return (o);
}

/* Map a curl failure to the Haskell http-client wording Hasura shows. */
static char *
remote_curl_message(CURLcode cc, const char *errbuf)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		return (xstrdup("Connection failure: Network.Socket.connect: "
		    "<socket: 31>: does not exist (Connection refused)"));
	case CURLE_OPERATION_TIMEDOUT:
		return (xstrdup("ResponseTimeout"));
	case CURLE_COULDNT_RESOLVE_HOST:
		return (xprintf("Connection failure: Network.Socket.getAddrInfo: "
		    "does not exist (Name or service not known)"));
	default:
		return (xprintf("Connection failure: %s", errbuf[0] ? errbuf :
		    curl_easy_strerror(cc)));
	}
}

/* Add the definition's headers (value or value_from_env) to the list. */
static struct curl_slist *
remote_headers(const json_t *def)
{
	struct curl_slist *h = NULL;
	const json_t	  *hs, *x;
	size_t		   i;
	char		  *line, *ua;

	h = curl_slist_append(h, "Content-Type: application/json");
	ua = xprintf("User-Agent: hasura-graphql-engine/%s",
	    global_cfg.server_version);
	h = curl_slist_append(h, ua);
	free(ua);
	hs = json_object_get(def, "headers");
	json_array_foreach(hs, i, x) {
		const char *n = util_jstr(x, "name"), *v = util_jstr(x, "value");
		if (v == NULL && util_jstr(x, "value_from_env") != NULL)
			v = getenv(util_jstr(x, "value_from_env"));
		if (n == NULL || v == NULL || strpbrk(n, "\r\n:") != NULL ||
		    strpbrk(v, "\r\n") != NULL)
			continue;
		line = xprintf("%s: %s", n, v);
		h = curl_slist_append(h, line);
		free(line);
	}
	return (h);
}

/* Check the HTTP answer is an introspection result; fill r accordingly. */
static void
remote_parse(struct rs_result *r, long status, const char *body,
    const char *shown)
{
	json_t		*j, *schema;
	json_error_t	 je;

	j = json_loads(body ? body : "", JSON_DECODE_ANY, &je);
	if (status != 200) {
		/* UNVERIFIED wording of a non-200 introspection answer. */
		r->reason = xprintf("Inconsistent object: introspection query "
		    "to %s has responded with %ld status code", shown, status);
		r->message = j != NULL ? j : json_string(body ? body : "");
		return;
	}
	if (j == NULL) {
		r->reason = xprintf("Inconsistent object: Error in $: Failed "
		    "reading: not a valid json value");
		return;
	}
	if (!json_is_object(json_object_get(j, "data")))
		r->reason = xstrdup("Inconsistent object: Error in $: key "
		    "\"data\" not found");
	else if (!json_is_object(schema = json_object_get(
	    json_object_get(j, "data"), "__schema")))
		r->reason = xstrdup("Inconsistent object: Error in $.data: key "
		    "\"__schema\" not found");
	else {
		r->ok = true;
		r->schema = json_incref(schema);
	}
	json_decref(j);
}

/* POST the introspection query to url; fills r. */
static void
remote_fetch(struct rs_result *r, const json_t *def, const char *url,
    const char *shown, long timeout_s)
{
	CURL		  *c;
	struct curl_slist *h;
	struct remote_buf  b = { NULL, 0 };
	char		   errbuf[CURL_ERROR_SIZE] = "", *msg;
	long		   status = 0;
	CURLcode	   cc;

	c = curl_easy_init();
	h = remote_headers(def);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, remote_query);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_s * 1000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, remote_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, remote_progress);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		remote_parse(r, status, b.data, shown);
	} else {
		msg = remote_curl_message(cc, errbuf);
		r->reason = xprintf("Inconsistent object: HTTP exception "
		    "occurred while sending the request to \"%s\"", shown);
		r->message = remote_http_exception(url, timeout_s, msg);
		free(msg);
	}
	free(b.data);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

/*
 * Introspect the remote schema whose metadata entry is rs (url or
 * url_from_env, timeout_seconds default 60).  Returns a new result.
 */
struct rs_result *
remote_introspect(const json_t *rs)
{
	struct rs_result *r;
	const json_t	 *def, *to;
	const char	 *url, *var;
	long		  timeout_s = 60;

	r = remote_new(rs);
	def = json_object_get(rs, "definition");
	to = json_object_get(def, "timeout_seconds");
	if (json_is_integer(to) && json_integer_value(to) > 0 &&
	    json_integer_value(to) < 86400)
		timeout_s = (long)json_integer_value(to);
	if ((url = util_jstr(def, "url")) != NULL) {
		remote_fetch(r, def, url, url, timeout_s);
		return (r);
	}
	if ((var = util_jstr(def, "url_from_env")) == NULL) {
		r->reason = xstrdup("Inconsistent object: Error in $: "
		    "expected either url or url_from_env");
		return (r);
	}
	if ((url = getenv(var)) == NULL) {
		r->reason = xprintf("Inconsistent object: environment variable "
		    "'%s' not set", var);
		return (r);
	}
	remote_fetch(r, def, url, var, timeout_s);
	return (r);
}

struct rs_result *
remote_ref(struct rs_result *r)
{
	atomic_fetch_add(&r->refs, 1);
	return (r);
}

/* Drop a reference; the last frees.  NULL is a no-op. */
void
remote_unref(struct rs_result *r)
{
	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	free(r->name);
	free(r->defkey);
	free(r->reason);
	json_decref(r->schema);
	json_decref(r->message);
	free(r);
}

/* ---- --remote-schema: a tiny GraphQL server for the tests ---- */

static const char remote_answer[] =
    "{\"data\":{\"__schema\":{\"queryType\":{\"name\":\"Query\"},"
    "\"mutationType\":null,\"subscriptionType\":null,\"types\":["
    "{\"kind\":\"OBJECT\",\"name\":\"Query\",\"description\":null,"
    "\"fields\":[{\"name\":\"hello\",\"description\":null,\"args\":[],"
    "\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},"
    "\"isDeprecated\":false,\"deprecationReason\":null},"
    "{\"name\":\"count\",\"description\":null,\"args\":[],"
    "\"type\":{\"kind\":\"SCALAR\",\"name\":\"Int\",\"ofType\":null},"
    "\"isDeprecated\":false,\"deprecationReason\":null}],"
    "\"inputFields\":null,\"interfaces\":[],\"enumValues\":null,"
    "\"possibleTypes\":null},"
    "{\"kind\":\"SCALAR\",\"name\":\"String\",\"description\":null,"
    "\"fields\":null,\"inputFields\":null,\"interfaces\":null,"
    "\"enumValues\":null,\"possibleTypes\":null},"
    "{\"kind\":\"SCALAR\",\"name\":\"Int\",\"description\":null,"
    "\"fields\":null,\"inputFields\":null,\"interfaces\":null,"
    "\"enumValues\":null,\"possibleTypes\":null},"
    "{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"description\":null,"
    "\"fields\":null,\"inputFields\":null,\"interfaces\":null,"
    "\"enumValues\":null,\"possibleTypes\":null}],"
    "\"directives\":[]}}}";

static enum MHD_Result
remote_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *len,
    void **ctx)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 rc;
	static int		 marker;

	(void)cls; (void)url; (void)version; (void)data;
	if (*ctx == NULL) {
		*ctx = &marker;
		return (MHD_YES);
	}
	if (*len != 0) {
		*len = 0;	/* any query gets the same answer */
		return (MHD_YES);
	}
	if (strcmp(method, "POST") != 0) {
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		rc = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	} else {
		resp = MHD_create_response_from_buffer(sizeof remote_answer - 1,
		    (void *)remote_answer, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type",
		    "application/json");
		rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	}
	MHD_destroy_response(resp);
	return (rc);
}

/* Serve introspection on 127.0.0.1:port until SIGTERM/SIGINT; exit code. */
int
remote_server_main(unsigned port)
{
	struct sockaddr_in	 sin;
	struct MHD_Daemon	*d;
	const union MHD_DaemonInfo *di;
	sigset_t		 set;
	int			 sig;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, remote_handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (d == NULL)
		log_fatal_usage("cannot listen on 127.0.0.1:%u", port);
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("ready http://127.0.0.1:%u/graphql\n", (unsigned)di->port);
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return (0);
}
