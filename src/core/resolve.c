/*
 * resolve.c: a host name lookup the caller can abandon (see resolve.h).
 * One detached thread per lookup runs getaddrinfo() and writes one byte to
 * a pipe; the job is freed by whichever side lets go last, so an abandoned
 * lookup (timeout, stop) finishes on its own and cleans up. The listener
 * thread calls resolve_host(); the lookup threads run resolve_main().
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hasync/resolve.h"
#include "hasync/xmalloc.h"

struct job {
	int	 refs;		/* atomic: the caller and the thread */
	int	 pipe[2];
	char	*host;
	int	 gai;		/* getaddrinfo's result */
	char	 addr[RESOLVE_MAX * 48];	/* "a,b,...": every address */
	int	 n;			/* how many */
};

static void
resolve_unref(struct job *j)
{
	if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	close(j->pipe[0]);
	close(j->pipe[1]);
	free(j->host);
	free(j);
}

static void *
resolve_main(void *arg)
{
	struct job	*j = arg;
	struct addrinfo	 hints, *ai = NULL, *p;
	char		 one[48];
	size_t		 len = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	j->gai = getaddrinfo(j->host, NULL, &hints, &ai);
	/* Every address, in getaddrinfo's order, as libpq would try them. */
	for (p = j->gai == 0 ? ai : NULL; p != NULL && j->n < RESOLVE_MAX;
	    p = p->ai_next) {
		if (getnameinfo(p->ai_addr, p->ai_addrlen, one, sizeof(one),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (strstr(j->addr, one) != NULL)	/* seen (coarse) */
			continue;
		len += (size_t)snprintf(j->addr + len, sizeof(j->addr) - len,
		    "%s%s", j->n > 0 ? "," : "", one);
		j->n++;
	}
	if (j->gai == 0 && j->n == 0)
		j->gai = EAI_FAIL;
	if (ai != NULL)
		freeaddrinfo(ai);
	/* The write publishes gai and addr to the reader of the pipe. */
	(void)!write(j->pipe[1], "", 1);
	resolve_unref(j);
	return (NULL);
}

int
resolve_is_literal(const char *host)
{
	unsigned char	buf[sizeof(struct in6_addr)];

	return (host == NULL || *host == '\0' || *host == '/' ||
	    *host == '@' || inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1);
}

int
resolve_host(const char *host, char *addr, size_t addrlen, long ms,
    int stop_fd, char *err, size_t errlen)
{
	struct job	*j = xcalloc(1, sizeof(*j));
	pthread_attr_t	 a;
	pthread_t	 t;
	struct pollfd	 pfd[2];
	int		 n, rc;

	if (pipe(j->pipe) == -1) {
		free(j);
		snprintf(err, errlen, "cannot resolve host \"%s\": pipe: %s",
		    host, strerror(errno));
		return (-1);
	}
	j->host = xstrdup(host);
	j->refs = 2;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, resolve_main, j);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		j->refs = 1;
		resolve_unref(j);
		snprintf(err, errlen, "cannot resolve host \"%s\": no thread",
		    host);
		return (-1);
	}
	pfd[0].fd = j->pipe[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = stop_fd;
	pfd[1].events = POLLIN;
	do {
		pfd[0].revents = pfd[1].revents = 0;
		n = poll(pfd, 2, ms < 0 ? 0 : (int)ms);
	} while (n == -1 && errno == EINTR);
	if (pfd[1].revents != 0)
		rc = -2;
	else if (pfd[0].revents == 0) {
		snprintf(err, errlen, "cannot resolve host \"%s\" within %ld "
		    "ms", host, ms);
		rc = -1;
	} else if (read(j->pipe[0], &n, 1) != 1) {	/* pairs with the write */
		snprintf(err, errlen, "cannot resolve host \"%s\"", host);
		rc = -1;
	} else if (j->gai != 0) {
		snprintf(err, errlen, "could not translate host name \"%s\" "
		    "to address: %s", host, gai_strerror(j->gai));
		rc = -1;
	} else {
		snprintf(addr, addrlen, "%s", j->addr);
		rc = j->n;
	}
	resolve_unref(j);
	return (rc);
}
