/*
 * tests/emu/instance.c: one emulated Hasura server: its MHD daemon on
 * 127.0.0.1, request routing, admin-secret checks (facts §3.9), /healthz
 * (facts §4.1), /v1/version (facts §4.2), and the test faults on the way.
 *
 * Threads: MHD runs one listening thread per instance and one thread per
 * connection (small stacks); handlers may block (latency, hang, rebuilds)
 * without holding up other requests.  in->lock guards the published cache,
 * version, faults and counters; readers take a cache reference and never
 * see a half-built cache.
 *
 * With global_cfg.tls_cert every daemon serves HTTPS (MHD over GnuTLS) with
 * the certificate and key main.c read into memory.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "emu.h"

struct request {
	char	*buf;
	size_t	 len;
	bool	 too_big;
	bool	 answered;	/* replied before the upload ended */
};

struct stream {
	uint64_t total;
};

/* Return a reference to the published cache and, if ver, its version. */
struct cache *
instance_cache(struct instance *in, long *ver)
{
	struct cache	*c;

	pthread_mutex_lock(&in->lock);
	c = cache_ref(in->cache);
	if (ver != NULL)
		*ver = in->version;
	pthread_mutex_unlock(&in->lock);
	return (c);
}

/* Publish c (takes the reference) with in-memory version ver. */
void
instance_publish(struct instance *in, struct cache *c, long ver)
{
	struct cache	*old;

	pthread_mutex_lock(&in->lock);
	old = in->cache;
	in->cache = c;
	in->version = ver;
	pthread_mutex_unlock(&in->lock);
	cache_unref(old);
}

void
instance_set_version(struct instance *in, long ver)
{
	pthread_mutex_lock(&in->lock);
	in->version = ver;
	pthread_mutex_unlock(&in->lock);
}

struct fault
instance_fault(struct instance *in)
{
	struct fault	f;

	pthread_mutex_lock(&in->lock);
	f = in->fault;
	pthread_mutex_unlock(&in->lock);
	return (f);
}

/* Fill the padding body of a body_mb fault, never allocating it at once. */
static ssize_t
instance_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char head[] = "{\"padding\":\"", tail[] = "\"}";
	struct stream	*s = cls;
	size_t		 n = 0;

	if (atomic_load(&global_quit))
		return (MHD_CONTENT_READER_END_WITH_ERROR);
	while (n < max && pos < s->total) {
		if (pos < sizeof head - 1)
			buf[n] = head[pos];
		else if (pos >= s->total - 2)
			buf[n] = tail[pos - (s->total - 2)];
		else
			buf[n] = 'x';
		n++;
		pos++;
	}
	return (n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM);
}

static enum MHD_Result
instance_send(struct MHD_Connection *conn, struct reply *r)
{
	struct MHD_Response	*resp;
	struct stream		*s;
	enum MHD_Result		 rc;

	if (r->stream_bytes > 0) {
		s = xmalloc(sizeof *s);
		s->total = r->stream_bytes;
		resp = MHD_create_response_from_callback(s->total, 64 * 1024,
		    instance_stream, s, free);
	} else {
		if (r->body == NULL)
			r->body = xstrdup("");
		resp = MHD_create_response_from_buffer(strlen(r->body), r->body,
		    MHD_RESPMEM_MUST_FREE);
		r->body = NULL;
	}
	if (resp == NULL)
		return (MHD_NO);
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype :
	    "application/json; charset=utf-8");
	rc = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return (rc);
}

/*
 * Check the admin secret (facts §3.9).  Returns 0 and *admin, or -1 with a
 * 401 reply.  Without a configured secret every request is admin unless
 * X-Hasura-Role names another role.
 */
static int
instance_auth(struct MHD_Connection *conn, bool *admin, struct reply *r)
{
	const char	*got, *role;

	role = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-Hasura-Role");
	*admin = role == NULL || strcmp(role, "admin") == 0;
	if (global_cfg.admin_secret == NULL)
		return (0);
	got = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-Hasura-Admin-Secret");
	if (got == NULL)
		got = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "X-Hasura-Access-Key");
	if (got == NULL) {
		reply_error(r, 401, "access-denied", "$", NULL,
		    "x-hasura-admin-secret/x-hasura-access-key required, but not found");
		return (-1);
	}
	if (strcmp(got, global_cfg.admin_secret) != 0) {
		reply_error(r, 401, "access-denied", "$", NULL,
		    "invalid x-hasura-admin-secret/x-hasura-access-key");
		return (-1);
	}
	return (0);
}

static bool
instance_loopback(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return (false);
	if (sa->sa_family == AF_INET)
		return ((ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24) == 127);
	if (sa->sa_family == AF_INET6)
		return (IN6_IS_ADDR_LOOPBACK(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr));
	return (false);
}

/* POST /emu/fault: replace this instance's faults. */
static void
instance_set_fault(struct instance *in, struct request *rq, struct reply *r)
{
	struct fault	 f;
	json_t		*j;
	char		 msg[256];

	j = json_loadb(rq->buf ? rq->buf : "", rq->len, JSON_DECODE_ANY, NULL);
	if (j == NULL || fault_parse(j, &f, msg, sizeof msg) == -1) {
		reply_error(r, 400, "parse-failed", "$", NULL, "%s",
		    j == NULL ? "invalid JSON" : msg);
		json_decref(j);
		return;
	}
	json_decref(j);
	pthread_mutex_lock(&in->lock);
	in->fault = f;
	pthread_mutex_unlock(&in->lock);
	sync_kick();
	reply_json(r, 200, json_pack("{s:s}", "message", "success"));
}

/* The /emu/ test endpoints; never affected by faults. */
static void
instance_emu(struct instance *in, struct MHD_Connection *conn,
    const char *url, const char *method, struct request *rq, struct reply *r)
{
	bool	admin;

	if (!instance_loopback(conn)) {
		reply_error(r, 403, "access-denied", "$", NULL,
		    "only from loopback");
		return;
	}
	if (instance_auth(conn, &admin, r) == -1)
		return;
	if (strcmp(url, "/emu/fault") == 0 && strcmp(method, "POST") == 0)
		instance_set_fault(in, rq, r);
	else if (strcmp(url, "/emu/stats") == 0 && strcmp(method, "GET") == 0) {
		r->status = 200;
		r->ctype = "application/json; charset=utf-8";
		r->body = fault_stats(in);
	} else
		reply_error(r, 404, "not-found", "$", NULL,
		    "resource does not exist");
}

/* GET /healthz (facts §4.1): DB check, then this instance's cache. */
static void
instance_healthz(struct instance *in, struct MHD_Connection *conn,
    const struct fault *f, struct reply *r)
{
	const char	*strict;
	struct cache	*c;
	bool		 incons;

	if (f->healthz_error || catalog_health() == -1) {
		reply_text(r, 500, "ERROR");
		return;
	}
	c = instance_cache(in, NULL);
	incons = json_array_size(c->incons) > 0;
	cache_unref(c);
	strict = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
	    "strict");
	if (!incons)
		reply_text(r, 200, "OK");
	else if (strict != NULL && strcmp(strict, "true") == 0)
		reply_text(r, 500, "ERROR: inconsistent objects in schema");
	else
		reply_text(r, 200, "WARN: inconsistent objects in schema");
}

/* Route a request of the Hasura API (after faults). */
static void
instance_route(struct instance *in, struct MHD_Connection *conn,
    const char *url, const char *method, struct request *rq,
    const struct fault *f, struct reply *r)
{
	bool	 get = strcmp(method, "GET") == 0;
	bool	 post = strcmp(method, "POST") == 0;
	bool	 admin;

	if (get && (strcmp(url, "/healthz") == 0 ||
	    strcmp(url, "/hasura/healthz") == 0))
		instance_healthz(in, conn, f, r);
	else if (get && strcmp(url, "/v1/version") == 0)
		reply_json(r, 200, json_pack("{s:s,s:s}", "version",
		    global_cfg.server_version, "server_type", "ce"));
	else if (post && (strcmp(url, "/v1/metadata") == 0 ||
	    strcmp(url, "/v1/query") == 0 || strcmp(url, "/v1/graphql") == 0)) {
		if (instance_auth(conn, &admin, r) == -1)
			return;
		if (rq->too_big)
			reply_error(r, 413, "bad-request", "$", NULL,
			    "request body too large");
		else if (strcmp(url, "/v1/graphql") == 0)
			graphql_handle(in, rq->buf, rq->len, r);
		else
			api_metadata(in, rq->buf, rq->len, admin, f, r);
	} else
		reply_error(r, 404, "not-found", "$", NULL,
		    "resource does not exist");
}

static enum MHD_Result
instance_dispatch(struct instance *in, struct MHD_Connection *conn,
    const char *url, const char *method, struct request *rq)
{
	struct reply	r = { 0, NULL, NULL, 0 };
	struct fault	f;

	if (strncmp(url, "/emu/", 5) == 0) {
		instance_emu(in, conn, url, method, rq, &r);
		return (instance_send(conn, &r));
	}
	f = instance_fault(in);
	while (f.hang && !atomic_load(&global_quit)) {
		util_sleep_ms(50);
		f = instance_fault(in);
	}
	if (f.close || atomic_load(&global_quit))
		return (MHD_NO);
	if (f.latency_ms > 0 && util_sleep_quit(f.latency_ms, NULL))
		return (MHD_NO);
	instance_route(in, conn, url, method, rq, &f, &r);
	if (r.body == NULL && r.stream_bytes == 0)
		reply_error(&r, 500, "unexpected", "$", NULL, "internal error");
	return (instance_send(conn, &r));
}

static enum MHD_Result
instance_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *len,
    void **ctx)
{
	struct instance	*in = cls;
	struct request	*rq = *ctx;
	const char	*cl;

	(void)version;
	if (rq == NULL) {
		rq = *ctx = xcalloc(1, sizeof *rq);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl == NULL || strtoull(cl, NULL, 10) <= EMU_BODY_MAX)
			return (MHD_YES);
		/* refuse before reading it; MHD closes after the reply */
		rq->too_big = rq->answered = true;
		return (instance_dispatch(in, conn, url, method, rq));
	}
	if (rq->answered) {
		*len = 0;
		return (MHD_YES);
	}
	if (*len != 0) {
		if (!rq->too_big && rq->len + *len <= EMU_BODY_MAX) {
			rq->buf = xrealloc(rq->buf, rq->len + *len + 1);
			memcpy(rq->buf + rq->len, data, *len);
			rq->len += *len;
			rq->buf[rq->len] = '\0';
		} else {
			rq->too_big = true;
			free(rq->buf);
			rq->buf = NULL;
			rq->len = 0;
		}
		*len = 0;
		return (MHD_YES);
	}
	return (instance_dispatch(in, conn, url, method, rq));
}

static void
instance_completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct request	*rq = *ctx;

	(void)cls; (void)conn; (void)toe;
	if (rq != NULL) {
		free(rq->buf);
		free(rq);
		*ctx = NULL;
	}
}

/*
 * Start instance idx listening on 127.0.0.1:port (0 = any free port).
 * The cache must already be published.  Returns 0 or -1.
 */
int
instance_start(struct instance *in, int idx, unsigned port)
{
	struct sockaddr_in		 sin;
	const union MHD_DaemonInfo	*di;
	struct MHD_OptionItem		 tls[3];
	unsigned			 flags = MHD_USE_POLL_INTERNAL_THREAD |
					    MHD_USE_THREAD_PER_CONNECTION;

	memset(tls, 0, sizeof tls);	/* tls[n].option == MHD_OPTION_END */
	if (global_cfg.tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		tls[0].option = MHD_OPTION_HTTPS_MEM_CERT;
		tls[0].ptr_value = global_cfg.tls_cert;
		tls[1].option = MHD_OPTION_HTTPS_MEM_KEY;
		tls[1].ptr_value = global_cfg.tls_key;
	}
	in->idx = idx;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in->mhd = MHD_start_daemon(flags, 0, NULL, NULL, instance_handler, in,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
	    MHD_OPTION_CONNECTION_TIMEOUT, 60U,
	    MHD_OPTION_CONNECTION_LIMIT, 256U,
	    MHD_OPTION_NOTIFY_COMPLETED, instance_completed, in,
	    MHD_OPTION_END);
	if (in->mhd == NULL)
		return (-1);
	di = MHD_get_daemon_info(in->mhd, MHD_DAEMON_INFO_BIND_PORT);
	in->port = di != NULL ? di->port : port;
	return (0);
}

/* Stop serving; in-flight handlers notice global_quit and return. */
void
instance_stop(struct instance *in)
{
	if (in->mhd != NULL)
		MHD_stop_daemon(in->mhd);
	in->mhd = NULL;
}
