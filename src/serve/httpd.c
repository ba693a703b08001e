/*
 * httpd.c: hasync serve's HTTP server on libmicrohttpd. One server thread
 * (MHD's internal polling thread, epoll) accepts, routes (route.c) and
 * answers every GET from the newest snapshot: it never waits for a probe
 * and never touches engine state but through snapshot_acquire(). The
 * /metrics body is rendered once per snapshot (and gzipped once, for the
 * scrapers that ask) and the same response is sent to every scrape until
 * the next one. POST /reload_metadata is
 * suspended and parked in a list; the main thread (serve.c) takes the
 * parked requests, runs one reload through engine_command() for all of
 * them, and answers and resumes them together.
 *
 * Threads: the server thread runs the handler and the completion
 * callback; the main thread calls httpd_reload_join/answer and
 * start/stop. The lock guards the parked lists and each parked request's
 * answer; the metrics cache belongs to the server thread (one thread, no
 * pool). Nothing the client sends is logged; nothing is logged at all.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/inbox.h"
#include "hasync/serve_answer.h"
#include "hasync/serve_gzip.h"
#include "hasync/serve_httpd.h"
#include "hasync/serve_metrics.h"
#include "hasync/serve_ready.h"
#include "hasync/serve_route.h"
#include "hasync/snapshot.h"
#include "hasync/url.h"
#include "hasync/xmalloc.h"

#define HTTPD_BODY_MAX		65536	/* a reload request's body, ignored */
#define HTTPD_PARKED_MAX	1024	/* reload requests waiting at once */
#define HTTPD_TIMEOUT_S		15	/* idle or slow connections */
#define HTTPD_CONN_MAX		512

/* One request, from its first header to its completion. */
struct req {
	struct route		 rt;
	struct MHD_Connection	*conn;
	size_t			 body_len;
	bool			 parked;	/* in pending or batch */
	bool			 answered;	/* status and body set */
	int			 status;
	char			*body;
	size_t			 len;
	struct req		*next;
};

struct httpd {
	const struct config	*c;
	struct MHD_Daemon	*mhd;
	int			 fd;		/* listen socket */
	char			 address[80];
	struct route_names	 names;
	struct route_access	 access;
	struct ready_opts	 ready;
	int			 wake[2];
	pthread_mutex_t		 lock;
	struct req		*pending;	/* parked, not yet joined */
	struct req		*batch;		/* joined: the reload under way */
	size_t			 n_parked;
	/* Server thread only: /metrics of the snapshot seq, as text and
	 * gzipped (made at the first scrape that asks for it). */
	char			*metrics_body;
	size_t			 metrics_len;
	struct MHD_Response	*metrics, *metrics_gz;
	uint64_t		 metrics_seq;
	bool			 metrics_valid;
};

/* Queue an answer with a body copied from text. */
static enum MHD_Result
httpd_send(struct MHD_Connection *conn, int status, const char *ctype,
    const char *body, size_t len, const char *allow)
{
	struct MHD_Response	*r;
	enum MHD_Result		 rc;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return (MHD_NO);
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (allow != NULL)
		MHD_add_response_header(r, "Allow", allow);
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"hasync\"");
	rc = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return (rc);
}

static enum MHD_Result
httpd_send_error(struct MHD_Connection *conn, int status, const char *text,
    const char *allow)
{
	enum MHD_Result	 rc;
	size_t		 len;
	char		*body = answer_error(status, text, &len);

	rc = httpd_send(conn, status, "application/json", body, len, allow);
	free(body);
	return (rc);
}

static enum MHD_Result
httpd_send_text(struct MHD_Connection *conn, int status, const char *line)
{
	char	buf[1100];
	int	n;

	n = snprintf(buf, sizeof(buf), "%s\n", line);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	return (httpd_send(conn, status, "text/plain; charset=utf-8", buf,
	    (size_t)n, NULL));
}

/* A /metrics response of len bytes of body (copied); gz: gzipped. */
static struct MHD_Response *
httpd_metrics_response(const char *body, size_t len, bool gz)
{
	struct MHD_Response	*r;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return (NULL);
	MHD_add_response_header(r, "Content-Type", METRICS_CONTENT_TYPE);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	return (r);
}

/* Drop the cached /metrics; connections still sending keep theirs alive
 * (MHD counts references). */
static void
httpd_metrics_drop(struct httpd *h)
{
	if (h->metrics != NULL)
		MHD_destroy_response(h->metrics);
	if (h->metrics_gz != NULL)
		MHD_destroy_response(h->metrics_gz);
	h->metrics = h->metrics_gz = NULL;
	free(h->metrics_body);
	h->metrics_body = NULL;
	h->metrics_valid = false;
}

/* GET /metrics: the cached response while the snapshot is the same. */
static enum MHD_Result
httpd_metrics(struct httpd *h, struct MHD_Connection *conn)
{
	struct snapshot		*s = snapshot_acquire();
	uint64_t		 seq = s != NULL ? s->seq : 0;
	size_t			 zlen;
	char			*z;
	bool			 gz;

	gz = route_accepts_gzip(MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	if (!h->metrics_valid || h->metrics_seq != seq) {
		httpd_metrics_drop(h);
		h->metrics_body = metrics_render(s, PACKAGE_VERSION,
		    &h->metrics_len);
		answer_redact(h->metrics_body, h->metrics_len,
		    h->c->admin_secret);
		h->metrics_seq = seq;
		h->metrics_valid = true;
	}
	snapshot_release(s);
	if (gz && h->metrics_gz == NULL &&
	    (z = gzip_body(h->metrics_body, h->metrics_len, &zlen)) != NULL) {
		h->metrics_gz = httpd_metrics_response(z, zlen, true);
		free(z);
	}
	if (gz && h->metrics_gz != NULL)
		return (MHD_queue_response(conn, MHD_HTTP_OK, h->metrics_gz));
	if (h->metrics == NULL && (h->metrics = httpd_metrics_response(
	    h->metrics_body, h->metrics_len, false)) == NULL)
		return (MHD_NO);
	return (MHD_queue_response(conn, MHD_HTTP_OK, h->metrics));
}

static enum MHD_Result
httpd_readyz(struct httpd *h, struct MHD_Connection *conn, int replica)
{
	struct snapshot	*s = snapshot_acquire();
	char		 why[1024];
	int		 status;

	if (replica >= 0)
		status = ready_replica(s, (size_t)replica, mono_now(),
		    time(NULL), &h->ready, why, sizeof(why));
	else
		status = ready_all(s, mono_now(), time(NULL), &h->ready, why,
		    sizeof(why));
	snapshot_release(s);
	answer_redact(why, strlen(why), h->c->admin_secret);
	return (httpd_send_text(conn, status, why));
}

static enum MHD_Result
httpd_index(struct httpd *h, struct MHD_Connection *conn)
{
	char	buf[512];

	snprintf(buf, sizeof(buf), "hasync %s serve%s\n"
	    "GET  /metrics                 Prometheus metrics%s\n"
	    "GET  /readyz[/REPLICA]        readiness: reachable, not behind "
	    "the catalog\n"
	    "GET  /healthz                 hasync itself runs\n"
	    "POST /reload_metadata         reload metadata, answer the "
	    "outcome\n", PACKAGE_VERSION, h->c->command == SUB_SERVER ?
	    " (hasync server)" : "", h->access.token != NULL ?
	    " (bearer token)" : "");
	return (httpd_send(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", buf,
	    strlen(buf), NULL));
}

/* True if the peer is loopback (127.0.0.0/8, ::1, ::ffff:127.x.x.x). */
static bool
httpd_loopback(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const struct in6_addr		*a6;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return (false);
	if (sa->sa_family == AF_INET)
		return ((ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127);
	if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return (IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) &&
		    a6->s6_addr[12] == 127));
	}
	return (false);
}

/* Park a reload request until the main thread answers it. */
static enum MHD_Result
httpd_park(struct httpd *h, struct req *rq)
{
	pthread_mutex_lock(&h->lock);
	if (h->n_parked >= HTTPD_PARKED_MAX) {
		pthread_mutex_unlock(&h->lock);
		return (httpd_send_error(rq->conn, 503, "too many reload "
		    "requests waiting", NULL));
	}
	/* Suspended before anyone can see it: the main thread resumes only
	 * what it finds in a list. */
	MHD_suspend_connection(rq->conn);
	rq->parked = true;
	rq->next = h->pending;
	h->pending = rq;
	h->n_parked++;
	pthread_mutex_unlock(&h->lock);
	(void)!write(h->wake[1], "", 1);
	return (MHD_YES);
}

static enum MHD_Result
httpd_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *len,
    void **ctx)
{
	struct httpd	*h = cls;
	struct req		*rq = *ctx;
	struct route_access	 acc;
	const char		*auth;
	int			 denied;
	bool			 answered;

	(void)version;
	(void)data;
	if (rq == NULL) {
		rq = *ctx = xcalloc(1, sizeof(*rq));
		rq->conn = conn;
		route_request(method, url, &h->names,
		    h->c->command == SUB_SERVER, &rq->rt);
		if (rq->rt.kind == ROUTE_ERROR)
			return (httpd_send_error(conn, rq->rt.status,
			    rq->rt.error, rq->rt.allow));
		acc = h->access;
		acc.loopback = httpd_loopback(conn);
		auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_AUTHORIZATION);
		if ((denied = route_allowed(rq->rt.kind, auth, &acc)) != 0)
			return (httpd_send_error(conn, denied, denied == 401 ?
			    "a valid 'Authorization: Bearer TOKEN' header is "
			    "required" : "POST /reload_metadata needs a token "
			    "(--metrics-token-file) or a loopback peer", NULL));
		/* Answered once the request is read: an answer queued at
		 * the first call makes libmicrohttpd close the connection,
		 * and a scraper would connect anew every time. */
		return (MHD_YES);
	}
	if (*len != 0) {
		/* The body is not used (as hasura-metadata-reloader); it is
		 * read, up to a limit, so that the connection stays usable. */
		rq->body_len += *len;
		*len = 0;
		return (MHD_YES);
	}
	switch (rq->rt.kind) {
	case ROUTE_INDEX:
		return (httpd_index(h, conn));
	case ROUTE_METRICS:
		return (httpd_metrics(h, conn));
	case ROUTE_HEALTHZ:
		return (httpd_send_text(conn, MHD_HTTP_OK, "ok"));
	case ROUTE_READYZ:
		return (httpd_readyz(h, conn, rq->rt.replica));
	default:
		break;			/* a reload */
	}
	pthread_mutex_lock(&h->lock);
	answered = rq->answered;
	pthread_mutex_unlock(&h->lock);
	if (answered)
		return (httpd_send(conn, rq->status, "application/json",
		    rq->body, rq->len, NULL));
	if (rq->body_len > HTTPD_BODY_MAX)
		return (httpd_send_error(conn, 413, "request body too large "
		    "(the body is not used)", NULL));
	return (httpd_park(h, rq));
}

/* Unlink rq from list *head; true if it was there. */
static bool
httpd_unlink(struct req **head, struct req *rq)
{
	for (; *head != NULL; head = &(*head)->next) {
		if (*head == rq) {
			*head = rq->next;
			return (true);
		}
	}
	return (false);
}

static void
httpd_completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct httpd	*h = cls;
	struct req	*rq = *ctx;

	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	if (rq->parked && (httpd_unlink(&h->pending, rq) ||
	    httpd_unlink(&h->batch, rq)))
		h->n_parked--;
	pthread_mutex_unlock(&h->lock);
	free(rq->body);
	free(rq);
	*ctx = NULL;
}

size_t
httpd_reload_join(struct httpd *h, size_t *batch)
{
	struct req	*rq;
	size_t		 joined = 0, n = 0;
	char		 buf[64];

	while (read(h->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&h->lock);
	while ((rq = h->pending) != NULL) {
		h->pending = rq->next;
		rq->next = h->batch;
		h->batch = rq;
		joined++;
	}
	for (rq = h->batch; rq != NULL; rq = rq->next)
		n++;
	pthread_mutex_unlock(&h->lock);
	if (batch != NULL)
		*batch = n;
	return (joined);
}

/* Answer and resume every request of *head. Lock held. */
static void
httpd_answer_list(struct httpd *h, struct req **head, int status,
    const char *body, size_t len)
{
	struct req	*rq;

	while ((rq = *head) != NULL) {
		*head = rq->next;
		rq->next = NULL;
		rq->parked = false;
		rq->answered = true;
		rq->status = status;
		rq->body = xmalloc(len + 1);
		memcpy(rq->body, body, len);
		rq->body[len] = '\0';
		rq->len = len;
		h->n_parked--;
		MHD_resume_connection(rq->conn);
	}
}

void
httpd_reload_answer(struct httpd *h, int status, const char *body, size_t len,
    int all)
{
	pthread_mutex_lock(&h->lock);
	httpd_answer_list(h, &h->batch, status, body, len);
	if (all)
		httpd_answer_list(h, &h->pending, status, body, len);
	pthread_mutex_unlock(&h->lock);
}

/* Bind and listen on a; -1 with e set. */
static int
httpd_listen(const struct listen_addr *a, const char *what, struct err *e)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sl;
	int			 fd, one = 1, zero = 0, saved;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)a->port);
		inet_pton(AF_INET6, a->host, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)a->port);
		inet_pton(AF_INET, a->host, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	if ((fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (err_set(e, ERR_SYS, "cannot listen on %s: %s", what,
		    strerror(errno)));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET6 && a->any)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, 511) == -1) {
		saved = errno;
		close(fd);
		return (err_set(e, ERR_SYS, "cannot listen on %s: %s", what,
		    strerror(saved)));
	}
	return (fd);
}

/* "host:port" of what fd is bound to. */
static void
httpd_bound(int fd, char *out, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 host[INET6_ADDRSTRLEN];
	unsigned		 port = 0;

	host[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			port = ntohs(s6->sin6_port);
			snprintf(out, len, "[%s]:%u", host, port);
			return;
		}
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    &ss)->sin_addr, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)(const void *)&ss)->
		    sin_port);
	}
	snprintf(out, len, "%s:%u", host, port);
}

struct httpd *
httpd_start(const struct config *c, struct err *e)
{
	struct httpd		*h;
	struct listen_addr	 a;
	int			 i;

	if (url_parse_listen(c->listen, &a, e) == -1)
		return (NULL);
	h = xcalloc(1, sizeof(*h));
	h->c = c;
	h->wake[0] = h->wake[1] = -1;
	pthread_mutex_init(&h->lock, NULL);
	h->names.labels = (const char *const *)c->labels;
	h->names.endpoints = (const char *const *)c->endpoints;
	h->names.n = c->n_endpoints;
	h->access.token = c->metrics_token;
	h->access.open_reload = c->command == SUB_SERVER &&
	    c->metrics_token == NULL;
	ready_opts_from(&h->ready, c);
	h->fd = httpd_listen(&a, c->listen, e);
	if (h->fd == -1 && a.any && a.family == AF_INET6) {
		/* No IPv6 here: every IPv4 interface then. */
		a.family = AF_INET;
		snprintf(a.host, sizeof(a.host), "0.0.0.0");
		h->fd = httpd_listen(&a, c->listen, e);
	}
	if (h->fd == -1 || pipe(h->wake) == -1) {
		if (h->fd != -1)
			err_set(e, ERR_SYS, "cannot create a pipe: %s",
			    strerror(errno));
		httpd_stop(h);
		return (NULL);
	}
	for (i = 0; i < 2; i++) {
		fcntl(h->wake[i], F_SETFL, fcntl(h->wake[i], F_GETFL) |
		    O_NONBLOCK);
		fcntl(h->wake[i], F_SETFD, FD_CLOEXEC);
	}
	httpd_bound(h->fd, h->address, sizeof(h->address));
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, httpd_handler, h,
	    MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_CONN_MAX,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		err_set(e, ERR_SYS, "cannot start the HTTP server on %s",
		    h->address);
		httpd_stop(h);
		return (NULL);
	}
	return (h);
}

const char *
httpd_address(const struct httpd *h)
{
	return (h->address);
}

int
httpd_wake_fd(const struct httpd *h)
{
	return (h->wake[0]);
}

void
httpd_stop(struct httpd *h)
{
	static const char	 bye[] = "{\"error\":\"hasync is shutting down\","
				    "\"code\":\"unavailable\"}";

	if (h == NULL)
		return;
	if (h->mhd != NULL) {
		/* Every parked request resumed first: MHD must not stop with
		 * suspended connections. */
		httpd_reload_answer(h, 503, bye, sizeof(bye) - 1, 1);
		MHD_stop_daemon(h->mhd);	/* closes the socket too */
	} else if (h->fd != -1)
		close(h->fd);
	httpd_metrics_drop(h);
	if (h->wake[0] != -1) {
		close(h->wake[0]);
		close(h->wake[1]);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
}
