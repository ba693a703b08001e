/*
 * tests/lib/canned-server.c: canned-server.py's twin in C, for benchmarks
 * whose floor the Python server set (a fleet of 500 replicas x 6 MB per
 * round: Python's threads pushed 3 GB in 2.4 s, before any client work).
 * Same interface: canned-server DIR prints "ready PORT" and answers
 *   GET  .../healthz            with DIR/healthz            (text/plain)
 *   GET  .../v1/version         with DIR/version.json
 *   POST .../v1/metadata {"type": T, ...} with DIR/T.json
 * under any path prefix; NAME.status holds a status (default 200); a
 * missing body is a 404 in Hasura's error shape; each request's type is
 * appended to DIR/requests.log. A body is read once (again when its file's
 * mtime changes) and sent from memory by libmicrohttpd's thread pool.
 * Test tool only: one process, one directory, 127.0.0.1.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#define NOT_FOUND \
	"{\"path\":\"$\",\"error\":\"resource does not exist\",\"code\":\"not-found\"}"
#define MAX_REQ_BODY	65536
#define MAX_BODIES	64

struct body {
	char			 name[128];
	struct timespec		 mtime;
	unsigned		 status;
	struct MHD_Response	*resp;		/* shared, reference counted */
};

static const char	*root;
static struct body	 bodies[MAX_BODIES];
static size_t		 n_bodies;
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static int		 log_fd = -1;

/* Hasura's 404, for a body that is not there (a new response each time). */
static struct MHD_Response *
not_found(unsigned *status)
{
	struct MHD_Response	*r;

	*status = 404;
	r = MHD_create_response_from_buffer(strlen(NOT_FOUND),
	    (void *)NOT_FOUND, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type",
	    "application/json; charset=utf-8");
	return (r);
}

/* The answer for file name (NULL: none; cached by mtime); its status in *status; *own
 * says the caller must destroy it. Called with lock held. */
static struct MHD_Response *
load(const char *name, const char *ctype, unsigned *status, int *own)
{
	char		 path[PATH_MAX], *buf = NULL;
	struct stat	 st;
	struct body	*b = NULL;
	struct MHD_Response *r;
	FILE		*f;
	size_t		 i;
	int		 fd;

	*own = 1;
	if (name == NULL || strchr(name, '/') != NULL)
		return (not_found(status));
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (stat(path, &st) == -1)
		return (not_found(status));
	for (i = 0; i < n_bodies; i++)
		if (strcmp(bodies[i].name, name) == 0)
			b = &bodies[i];
	if (b != NULL && b->mtime.tv_sec == st.st_mtim.tv_sec &&
	    b->mtime.tv_nsec == st.st_mtim.tv_nsec)
		goto hit;
	if (b == NULL && n_bodies < MAX_BODIES) {
		b = &bodies[n_bodies++];
		snprintf(b->name, sizeof(b->name), "%s", name);
	} else if (b == NULL) {
		*status = 500;
		return (MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT));
	}
	if (b->resp != NULL)
		MHD_destroy_response(b->resp);	/* in-flight uses keep theirs */
	b->resp = NULL;
	if ((fd = open(path, O_RDONLY)) != -1) {
		buf = malloc((size_t)st.st_size + 1);
		if (buf != NULL && read(fd, buf, (size_t)st.st_size) !=
		    (ssize_t)st.st_size) {
			free(buf);
			buf = NULL;
		}
		close(fd);
	}
	b->resp = MHD_create_response_from_buffer(buf != NULL ?
	    (size_t)st.st_size : 0, buf, buf != NULL ?
	    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(b->resp, "Content-Type", ctype);
	b->mtime = st.st_mtim;
	b->status = 200;
	snprintf(path, sizeof(path), "%s/%s.status", root, name);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%u", &b->status) != 1)
			b->status = 200;
		fclose(f);
	}
hit:
	*status = b->status;
	r = b->resp;
	*own = 0;	/* the cache's; MHD_queue_response takes its own */
	return (r);
}

static void
note(const char *what)
{
	char	line[160];
	int	n;

	n = snprintf(line, sizeof(line), "%s\n", what);
	if (n > 0 && log_fd != -1)
		(void)!write(log_fd, line, (size_t)n);	/* O_APPEND: atomic */
}

static int
ends_with(const char *s, const char *tail)
{
	size_t	n = strlen(s), m = strlen(tail);

	return (n >= m && strcmp(s + n - m, tail) == 0);
}

/* The "type" of a metadata request, or "invalid". */
static void
req_type(const char *body, char *out, size_t len)
{
	const char	*p = strstr(body, "\"type\"");
	size_t		 n = 0;

	snprintf(out, len, "invalid");
	if (p == NULL || (p = strchr(p + 6, '"')) == NULL)
		return;
	for (p++; *p != '\0' && *p != '"' && n + 1 < len; p++)
		out[n++] = *p;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, len, "invalid");
}

struct upload {
	char	*buf;
	size_t	 len;
};

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_len, void **ctx)
{
	struct upload		*u = *ctx;
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	unsigned		 status;
	int			 own = 1;
	char			 kind[100], name[128];
	const char		*file = NULL,
				*ctype = "application/json; charset=utf-8";

	(void)cls;
	(void)version;
	/* Answered on the second call, once the request is read: answering
	 * on the first makes libmicrohttpd close the connection. */
	if (u == NULL) {
		*ctx = u = calloc(1, sizeof(*u));
		return (u != NULL ? MHD_YES : MHD_NO);
	}
	if (strcmp(method, "POST") == 0) {
		if (*data_len > 0) {
			if (u->len + *data_len < MAX_REQ_BODY) {
				char *nb = realloc(u->buf, u->len +
				    *data_len + 1);

				if (nb == NULL)
					return (MHD_NO);
				u->buf = nb;
				memcpy(u->buf + u->len, data, *data_len);
				u->len += *data_len;
				u->buf[u->len] = '\0';
			}
			*data_len = 0;
			return (MHD_YES);
		}
		req_type(u->buf != NULL ? u->buf : "", kind, sizeof(kind));
		note(kind);
		snprintf(name, sizeof(name), "%s.json", kind);
		file = name;
	} else if (ends_with(url, "/healthz")) {
		note("healthz");
		file = "healthz";
		ctype = "text/plain; charset=utf-8";
	} else if (ends_with(url, "/v1/version")) {
		note("version");
		file = "version.json";
	}
	pthread_mutex_lock(&lock);
	r = load(file, ctype, &status, &own);
	/* Queued under the lock that load() ran under: the queue holds the
	 * response until it is sent, even if the cache replaces it. */
	ret = MHD_queue_response(c, status, r);
	pthread_mutex_unlock(&lock);
	if (own)
		MHD_destroy_response(r);
	return (ret);
}

static void
done(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode why)
{
	struct upload	*u = *ctx;

	(void)cls;
	(void)c;
	(void)why;
	if (u != NULL) {
		free(u->buf);
		free(u);
		*ctx = NULL;
	}
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon	*d;
	struct sockaddr_in	 sin;
	const union MHD_DaemonInfo *info;
	char			 path[PATH_MAX];
	sigset_t		 set;
	int			 sig;
	long			 n = sysconf(_SC_NPROCESSORS_ONLN);

	if (argc != 2) {
		fprintf(stderr, "usage: canned-server DIR\n");
		return (2);
	}
	root = argv[1];
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(path, sizeof(path), "%s/requests.log", root);
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_USE_TURBO, 0, NULL, NULL, answer, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(n > 1 ? n : 1),
	    MHD_OPTION_CONNECTION_LIMIT, 20000u,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "canned-server: cannot start: %s\n",
		    strerror(errno));
		return (1);
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("ready %u\n", info != NULL ? (unsigned)info->port : 0);
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return (0);
}
