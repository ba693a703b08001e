/*
 * http.c: run many HTTP requests at once on one libcurl multi handle, so a
 * probe round over 500 instances takes about as long as the slowest one.
 * Every request has a total and a connect timeout, a body-size limit that
 * refuses big answers before parsing, and TLS verification unless
 * --insecure. The admin secret goes only into a header, never into a log.
 * Worker thread only, except http_wakeup().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include <curl/curl.h>

#include "hasync/config.h"
#include "hasync/http.h"
#include "hasync/xmalloc.h"

struct http {
	CURLM			*multi;
	const struct config	*c;
	char			*secret_hdr;
	atomic_bool		 stop;		/* set by http_wakeup(), any thread */
	int			 epfd;		/* sockets curl asked us to watch */
	int			 wake[2];	/* http_wakeup() -> epoll */
	long			 timeout_ms;	/* curl's next timer; -1 none */
};

/* curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION). */
static int
http_socket_cb(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct http		*h = arg;
	struct epoll_event	 ev;

	(void)e;
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = fd;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, fd, NULL);
		return (0);
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (sockp == NULL) {
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) == -1 &&
		    errno == EEXIST)
			epoll_ctl(h->epfd, EPOLL_CTL_MOD, fd, &ev);
		curl_multi_assign(h->multi, fd, h);	/* mark as known */
	} else if (epoll_ctl(h->epfd, EPOLL_CTL_MOD, fd, &ev) == -1 &&
	    errno == ENOENT)
		epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev);
	return (0);
}

/* curl's single timer (CURLMOPT_TIMERFUNCTION). */
static int
http_timer_cb(CURLM *m, long ms, void *arg)
{
	struct http	*h = arg;

	(void)m;
	h->timeout_ms = ms;
	return (0);
}

struct http *
http_new(const struct config *c)
{
	struct http	*h = xcalloc(1, sizeof(*h));
	struct rlimit	 rl;

	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return (NULL);
	}
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd == -1 || pipe2(h->wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		if (h->epfd != -1)
			close(h->epfd);
		curl_multi_cleanup(h->multi);
		free(h);
		return (NULL);
	}
	{
		struct epoll_event ev = { .events = EPOLLIN };

		ev.data.fd = h->wake[0];
		epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wake[0], &ev);
	}
	h->timeout_ms = -1;
	atomic_init(&h->stop, false);
	/* The socket API: each event costs O(1), not a walk over every
	 * transfer, so 500 instances cost little more than 5. */
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	h->c = c;
	if (c->admin_secret != NULL)
		xasprintf(&h->secret_hdr, "X-Hasura-Admin-Secret: %s",
		    c->admin_secret);
	/* Keep one connection per instance alive between rounds. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
	    (long)(c->n_endpoints * 2 + 8));
	/* A fleet of hundreds of instances needs more than 1024 fds. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return (h);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_multi_cleanup(h->multi);
	close(h->epfd);
	close(h->wake[0]);
	close(h->wake[1]);
	if (h->secret_hdr != NULL) {
		explicit_bzero(h->secret_hdr, strlen(h->secret_hdr));
		free(h->secret_hdr);
	}
	free(h);
}

void
http_wakeup(struct http *h, bool stop)
{
	if (stop)
		atomic_store(&h->stop, true);
	(void)!write(h->wake[1], "", 1);	/* EAGAIN: already pending */
}

void
http_req_clear(struct http_req *r)
{
	free(r->resp);
	r->resp = NULL;
	r->resp_len = r->cap = 0;
	r->status = 0;
	r->fail = HTTP_OK;
	r->error[0] = '\0';
	r->ms = 0;
}

static size_t
http_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 len = size * n;

	if ((uint64_t)r->resp_len + len > (uint64_t)r->max) {
		r->fail = HTTP_TOO_BIG;
		return (0);	/* abort the transfer: never parsed */
	}
	if (r->resp_len + len + 1 > r->cap) {
		while (r->resp_len + len + 1 > r->cap)
			r->cap = r->cap == 0 ? 4096 : r->cap * 2;
		r->resp = xreallocarray(r->resp, r->cap, 1);
	}
	memcpy(r->resp + r->resp_len, data, len);
	r->resp_len += len;
	r->resp[r->resp_len] = '\0';
	return (len);
}

void
http_easy_defaults(void *easy, const struct config *c)
{
	CURL	*e = easy;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "hasync/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Loopback never goes through a proxy unless no_proxy says more. */
	if (getenv("no_proxy") == NULL && getenv("NO_PROXY") == NULL)
		curl_easy_setopt(e, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	if (c->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->cacert);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* Set up an easy handle for r and add it to the multi handle. */
static void
http_start(struct http *h, struct http_req *r)
{
	const struct config	*c = h->c;
	struct curl_slist	*hdrs = NULL;
	CURL			*e;
	char			 url[2048];

	http_req_clear(r);
	r->max = c->max_body_bytes;
	if ((e = r->easy) == NULL)
		e = r->easy = curl_easy_init();
	else
		curl_easy_reset(e);
	if (e == NULL)
		fatal("curl_easy_init failed");
	snprintf(url, sizeof(url), "%s%s", r->base, r->path);
	http_easy_defaults(e, c);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->max_body_bytes);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (r->body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	}
	if (r->auth && h->secret_hdr != NULL)
		hdrs = curl_slist_append(hdrs, h->secret_hdr);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	r->hdrs = hdrs;
	curl_multi_add_handle(h->multi, e);
}

/* Turn a finished transfer into status/fail/error. */
static void
http_finish(struct http *h, struct http_req *r, CURLcode cc)
{
	CURL		*e = r->easy;
	curl_off_t	 us = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
	r->ms = (long)(us / 1000);
	curl_multi_remove_handle(h->multi, e);
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	if (cc == CURLE_OK) {
		r->fail = HTTP_OK;
		if (r->resp == NULL)
			r->resp = xstrdup("");
		return;
	}
	if (r->fail == HTTP_TOO_BIG || cc == CURLE_FILESIZE_EXCEEDED) {
		r->fail = HTTP_TOO_BIG;
		snprintf(r->error, sizeof(r->error), "answer larger than %lld "
		    "MiB refused (--max-body-mb)",
		    (long long)(h->c->max_body_bytes >> 20));
		return;
	}
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		r->fail = HTTP_UNREACHABLE;
		snprintf(r->error, sizeof(r->error), "timed out after %ld ms",
		    r->ms);
		break;
	case CURLE_COULDNT_CONNECT:
		r->fail = HTTP_UNREACHABLE;
		snprintf(r->error, sizeof(r->error), "connection refused");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		r->fail = HTTP_UNREACHABLE;
		snprintf(r->error, sizeof(r->error), "cannot resolve host");
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		r->fail = HTTP_UNREACHABLE;
		snprintf(r->error, sizeof(r->error), "connection closed "
		    "without a complete answer");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		r->fail = HTTP_TLS;
		snprintf(r->error, sizeof(r->error), "TLS: %s (use --cacert "
		    "FILE to trust its CA)", curl_easy_strerror(cc));
		break;
	default:
		r->fail = HTTP_UNREACHABLE;
		snprintf(r->error, sizeof(r->error), "%s",
		    curl_easy_strerror(cc));
	}
}

/* Collect finished transfers; returns how many were restarted. */
static int
http_collect(struct http *h, bool (*done)(struct http_req *, void *),
    void *arg)
{
	struct http_req	*r;
	CURLMsg		*m;
	int		 left, restarted = 0;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		http_finish(h, r, m->data.result);
		if (done != NULL && done(r, arg)) {
			http_start(h, r);
			restarted++;
		}
	}
	return (restarted);
}

void
http_run(struct http *h, struct http_req **reqs, size_t n,
    bool (*done)(struct http_req *, void *), void (*idle)(void *), void *arg)
{
	struct epoll_event	 evs[64];
	struct http_req		*r;
	size_t			 i;
	int			 running = 0, k, nev, wait_ms, flags;
	char			 buf[64];

	for (i = 0; i < n; i++)
		http_start(h, reqs[i]);
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	for (;;) {
		/* Collect after every action: a restarted transfer may finish
		 * inside the very next call, leaving running at 0. */
		running += http_collect(h, done, arg);
		if (running <= 0 || atomic_load(&h->stop))
			break;
		wait_ms = h->timeout_ms < 0 || h->timeout_ms > 1000 ? 1000 :
		    (int)h->timeout_ms;
		nev = epoll_wait(h->epfd, evs, 64, wait_ms);
		if (nev == -1 && errno != EINTR)
			break;
		if (nev <= 0)
			curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT,
			    0, &running);
		for (k = 0; k < nev; k++) {
			if (evs[k].data.fd == h->wake[0]) {
				while (read(h->wake[0], buf, sizeof(buf)) > 0)
					;
				if (idle != NULL && !atomic_load(&h->stop))
					idle(arg);
				continue;
			}
			flags = (evs[k].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			    (evs[k].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			    (evs[k].events & (EPOLLERR | EPOLLHUP) ?
			    CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(h->multi, evs[k].data.fd,
			    flags, &running);
		}
		/* Keep curl's timers honest even under a stream of events. */
		if (h->timeout_ms == 0)
			curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT,
			    0, &running);
	}

	/* Stopped: abandon what is still in flight. */
	for (i = 0; i < n; i++) {
		r = reqs[i];
		if (r->hdrs != NULL) {
			curl_multi_remove_handle(h->multi, r->easy);
			curl_slist_free_all(r->hdrs);
			r->hdrs = NULL;
			r->fail = HTTP_STOPPED;
			snprintf(r->error, sizeof(r->error), "stopped");
		}
	}
	for (i = 0; i < n; i++) {
		curl_easy_cleanup(reqs[i]->easy);
		reqs[i]->easy = NULL;
	}
}
