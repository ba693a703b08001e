/*
 * pgcancel.c: cancel a PostgreSQL query without blocking the caller (see
 * pgcancel.h). Each request is one detached thread that calls PQcancel()
 * with its own PGcancel copy and exits; at most PGCANCEL_MAX run at once, so
 * a dead network cannot pile threads up. The listener thread starts them;
 * the main thread drains them at shutdown, bounded.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include <libpq-fe.h>

#include "hasync/pgcancel.h"

#define PGCANCEL_MAX	4

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 done = PTHREAD_COND_INITIALIZER;
static int		 running;

static void *
pgcancel_main(void *arg)
{
	PGcancel	*pc = arg;
	char		 buf[256];

	(void)PQcancel(pc, buf, sizeof(buf));
	PQfreeCancel(pc);
	pthread_mutex_lock(&mu);
	running--;
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&mu);
	return (NULL);
}

int
pgcancel_start(PGconn *conn)
{
	pthread_attr_t	 a;
	pthread_t	 t;
	PGcancel	*pc;
	int		 rc;

	pthread_mutex_lock(&mu);
	if (running >= PGCANCEL_MAX) {
		pthread_mutex_unlock(&mu);
		return (-1);
	}
	running++;
	pthread_mutex_unlock(&mu);
	if ((pc = PQgetCancel(conn)) == NULL)
		goto undo;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, pgcancel_main, pc);
	pthread_attr_destroy(&a);
	if (rc == 0)
		return (0);
	PQfreeCancel(pc);
undo:
	pthread_mutex_lock(&mu);
	running--;
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&mu);
	return (-1);
}

void
pgcancel_drain(long ms)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mu);
	while (running > 0)
		if (pthread_cond_timedwait(&done, &mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&mu);
}
