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
	int			 big;		/* large answers being stored */
	struct http_req		**held;		/* large answers held back */
	size_t			 n_held, cap_held;
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
	/* Keep each instance's connections (one per chain) alive between
	 * rounds. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
	    (long)(c->n_endpoints * 3 + 8));
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
	free(h->held);
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
	r->resp_len = r->cap = r->got = 0;
	r->status = 0;
	r->fail = HTTP_OK;
	r->same = false;
	r->error[0] = '\0';
	r->ms = 0;
}

/* Room for want bytes and a NUL: the Content-Length at once when the
 * server says it (one allocation, no copies), else doubling. */
static void
http_reserve(struct http_req *r, size_t want)
{
	curl_off_t	cl = -1;
	size_t		cap;

	if (want + 1 <= r->cap)
		return;
	if (r->cap == 0 && curl_easy_getinfo(r->easy,
	    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl > 0 &&
	    cl <= r->max && (size_t)cl >= want) {
		cap = (size_t)cl + 1;
		/* A big answer in huge pages in a one-shot pass (see
		 * xmalloc_huge): a handful of page faults instead of one per
		 * 4 kB (the body is written once, read once, and kept by its
		 * set). */
		if (cap >= HUGE_PAGE) {
			r->resp = xmalloc_huge(&cap);
			r->cap = cap;
			return;
		}
	} else
		for (cap = r->cap == 0 ? 4096 : r->cap; cap < want + 1;
		    cap *= 2)
			;
	r->resp = xreallocarray(r->resp, cap, 1);
	r->cap = cap;
}

/* The size the answer will have, or what arrived so far. */
static size_t
http_expected_size(struct http_req *r, size_t now)
{
	curl_off_t	cl = -1;

	if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
	    &cl) == CURLE_OK && cl > 0 && (size_t)cl > now)
		return ((size_t)cl);
	return (now);
}

static size_t
http_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	struct http	*h = r->owner;
	size_t		 len = size * n;

	if ((uint64_t)r->got + len > (uint64_t)r->max) {
		r->fail = HTTP_TOO_BIG;
		return (0);	/* abort the transfer: never parsed */
	}
	/* The same bytes as the answer it is compared with: keep none. */
	if (r->expect != NULL && r->resp == NULL) {
		if (r->got + len <= r->expect_len &&
		    memcmp(r->expect + r->got, data, len) == 0) {
			r->got += len;
			return (len);
		}
		/* It differs: what matched so far is its beginning. */
		http_reserve(r, r->got + len);
		memcpy(r->resp, r->expect, r->got);
		r->resp_len = r->got;
		r->expect = NULL;
	}
	/* A large answer with nothing to compare with is stored only if
	 * fewer than HTTP_MAX_BIG are; else it waits (curl keeps the data
	 * and gives it again when resumed). */
	if (!r->big && http_expected_size(r, r->got + len) > HTTP_BIG) {
		if (h->big >= HTTP_MAX_BIG) {
			if (!r->paused) {
				if (h->n_held == h->cap_held) {
					h->cap_held = h->cap_held == 0 ? 16 :
					    h->cap_held * 2;
					h->held = xreallocarray(h->held,
					    h->cap_held, sizeof(*h->held));
				}
				h->held[h->n_held++] = r;
				r->paused = true;
			}
			return (CURL_WRITEFUNC_PAUSE);
		}
		r->big = true;
		h->big++;
	}
	http_reserve(r, r->resp_len + len);
	memcpy(r->resp + r->resp_len, data, len);
	r->resp_len += len;
	r->got += len;
	r->resp[r->resp_len] = '\0';
	return (len);
}

/* Held-back large answers go on while there is room, each first offered
 * something to compare with. */
static void
http_resume(struct http *h, const struct http_hooks *hk)
{
	struct http_req	*r;
	size_t		 todo = h->n_held;

	/* Each at most once: one resumed may be held back again. */
	while (todo-- > 0 && h->n_held > 0 && (h->big < HTTP_MAX_BIG ||
	    (hk != NULL && hk->rebase != NULL))) {
		r = h->held[0];
		memmove(&h->held[0], &h->held[1], (h->n_held - 1) *
		    sizeof(*h->held));
		h->n_held--;
		if (hk != NULL && hk->rebase != NULL && r->expect == NULL)
			hk->rebase(r, hk->arg);
		/* What it stored already must match too. */
		if (r->expect != NULL && r->resp != NULL) {
			if (r->resp_len <= r->expect_len &&
			    memcmp(r->resp, r->expect, r->resp_len) == 0) {
				free(r->resp);
				r->resp = NULL;
				r->resp_len = r->cap = 0;
			} else
				r->expect = NULL;
		}
		if (r->expect == NULL && h->big >= HTTP_MAX_BIG) {
			/* Nothing to compare with and no room: wait more. */
			h->held[h->n_held++] = r;
			return;
		}
		r->paused = false;
		curl_easy_pause(r->easy, CURLPAUSE_CONT);
	}
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

/* Receive buffer of a metadata request: 1 MiB for a few instances; for a
 * fleet, 64 KiB in a one-shot pass (500 replicas x 6 MB: one round's
 * median 2.7 s against 2.9 s with 16 KiB, RSS 125 against 78 MiB) and
 * curl's default 16 KiB in the long-running modes, whose memory stays. */
static long
http_buffer_size(const struct config *c)
{
	if (c->n_endpoints <= FEW_ENDPOINTS)
		return (1L << 20);
	return (c->mode == MODE_BATCH && !c->watch ? 65536L : 16384L);
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
	r->owner = h;
	r->paused = r->big = false;
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
		/* Metadata answers can be megabytes: read them in large
		 * pieces (curl's 16 KiB means ~400 reads for 6 MB). */
		curl_easy_setopt(e, CURLOPT_BUFFERSIZE, http_buffer_size(c));
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
	if (r->big) {
		r->big = false;
		h->big--;
	}
	if (cc == CURLE_OK) {
		r->fail = HTTP_OK;
		if (r->resp == NULL && r->expect != NULL &&
		    r->got == r->expect_len)
			r->same = true;		/* nothing stored, nothing to do */
		else if (r->resp == NULL && r->expect != NULL) {
			/* A shorter answer: the part that matched. */
			r->resp = xstrndup(r->expect, r->got);
			r->resp_len = r->got;
		} else if (r->resp == NULL)
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
http_collect(struct http *h, const struct http_hooks *hk)
{
	struct http_req	*r;
	CURLMsg		*m;
	int		 left, restarted = 0;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		http_finish(h, r, m->data.result);
		if (hk != NULL && hk->done != NULL && hk->done(r, hk->arg)) {
			http_start(h, r);
			restarted++;
		}
	}
	return (restarted);
}

void
http_run(struct http *h, struct http_req **reqs, size_t n,
    const struct http_hooks *hk)
{
	void			(*idle)(void *) = hk != NULL ? hk->idle : NULL;
	void			*arg = hk != NULL ? hk->arg : NULL;
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
		running += http_collect(h, hk);
		if (h->n_held > 0)
			http_resume(h, hk);
		if (running <= 0 || atomic_load(&h->stop))
			break;
		/* With an idle callback, wake at least every 100 ms: the
		 * caller may have deferred work (a throttled publish). */
		wait_ms = idle != NULL ? 100 : 1000;
		if (h->timeout_ms >= 0 && h->timeout_ms < wait_ms)
			wait_ms = (int)h->timeout_ms;
		nev = epoll_wait(h->epfd, evs, 64, wait_ms);
		if (nev == -1 && errno != EINTR)
			break;
		if (nev <= 0) {
			curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT,
			    0, &running);
			if (idle != NULL && !atomic_load(&h->stop))
				idle(arg);
		}
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
	h->n_held = 0;
	for (i = 0; i < n; i++) {
		r = reqs[i];
		if (r->big) {
			r->big = false;
			h->big--;
		}
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
