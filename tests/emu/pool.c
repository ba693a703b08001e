/*
 * tests/emu/pool.c: the one bounded pool of PostgreSQL connections of the
 * whole process (at most EMU_POOL_MAX, whatever the number of instances).
 *
 * Any thread may take a connection with pool_get and must give it back with
 * pool_put; a caller never holds two at once, so the pool cannot deadlock.
 * Slots are guarded by pool_lock; connecting happens outside the lock on a
 * reserved slot.  Broken connections are dropped on return and reopened by
 * the next pool_get, so a restarted database is picked up by itself.  Every
 * call is bounded: connect_timeout, statement_timeout, TCP keepalives and
 * tcp_user_timeout.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "emu.h"

struct pool_slot {
	PGconn	*conn;
	char	*url;
	bool	 busy;
};

static pthread_mutex_t	 pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 pool_cond = PTHREAD_COND_INITIALIZER;
static struct pool_slot	 pool_slots[EMU_POOL_MAX];
static int		 pool_max = EMU_POOL_MAX;

void
pool_init(int max)
{
	if (max > 0 && max <= EMU_POOL_MAX)
		pool_max = max;
}

/* Close every idle connection (at exit). */
void
pool_shutdown(void)
{
	pthread_mutex_lock(&pool_lock);
	for (int i = 0; i < pool_max; i++) {
		struct pool_slot *s = &pool_slots[i];
		if (s->busy)
			continue;
		if (s->conn != NULL)
			PQfinish(s->conn);
		free(s->url);
		s->conn = NULL;
		s->url = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
}

/* Copy a libpq message into e: as is, and on one line. */
static void
pool_seterr(struct dberr *e, bool conn, const char *msg)
{
	if (e == NULL)
		return;
	e->conn = conn;
	snprintf(e->raw, sizeof e->raw, "%s", msg != NULL ? msg : "unknown");
	snprintf(e->msg, sizeof e->msg, "%s", msg != NULL ? msg : "unknown");
	for (size_t n = strlen(e->msg); n > 0 && e->msg[n - 1] == '\n'; n--)
		e->msg[n - 1] = '\0';
}

/* Open a connection to url with bounded timeouts; NULL and e on failure. */
static PGconn *
pool_connect(const char *url, struct dberr *e)
{
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
	    "options", "keepalives_idle", "keepalives_interval",
	    "keepalives_count", "tcp_user_timeout", NULL };
	const char *vals[] = { url, "5", "hasura-emu",
	    "-c statement_timeout=30000", "5", "2", "3", "15000", NULL };
	PGconn	*c;

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL) {
		pool_seterr(e, true, "out of memory");
		return (NULL);
	}
	if (PQstatus(c) != CONNECTION_OK) {
		pool_seterr(e, true, PQerrorMessage(c));
		PQfinish(c);
		return (NULL);
	}
	return (c);
}

/* Pick a slot for url under the lock: idle match, empty, or idle other. */
static int
pool_pick(const char *url)
{
	int	 empty = -1, other = -1;

	for (int i = 0; i < pool_max; i++) {
		struct pool_slot *s = &pool_slots[i];
		if (s->busy)
			continue;
		if (s->conn != NULL && strcmp(s->url, url) == 0)
			return (i);
		if (s->conn == NULL && empty == -1)
			empty = i;
		else if (s->conn != NULL && other == -1)
			other = i;
	}
	return (empty != -1 ? empty : other);
}

/*
 * Take a connection to url, waiting up to 30 s for a free slot.  Returns a
 * connection the caller must pool_put, or NULL with e filled.
 */
struct pg_conn *
pool_get(const char *url, struct dberr *e)
{
	struct timespec	 until;
	struct pool_slot *s;
	PGconn		*old = NULL, *c;
	int		 i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	pthread_mutex_lock(&pool_lock);
	while ((i = pool_pick(url)) == -1) {
		if (atomic_load(&global_quit) || pthread_cond_timedwait(&pool_cond,
		    &pool_lock, &until) == ETIMEDOUT) {
			pthread_mutex_unlock(&pool_lock);
			pool_seterr(e, true, "timeout waiting for a connection");
			return (NULL);
		}
	}
	s = &pool_slots[i];
	s->busy = true;
	if (s->conn != NULL && strcmp(s->url, url) == 0) {
		pthread_mutex_unlock(&pool_lock);
		return (s->conn);
	}
	old = s->conn;
	s->conn = NULL;
	free(s->url);
	s->url = xstrdup(url);
	pthread_mutex_unlock(&pool_lock);

	if (old != NULL)
		PQfinish(old);
	c = pool_connect(url, e);
	pthread_mutex_lock(&pool_lock);
	s->conn = c;
	if (c == NULL) {
		s->busy = false;
		pthread_cond_signal(&pool_cond);
	}
	pthread_mutex_unlock(&pool_lock);
	return (c);
}

/* Give c back; a broken or mid-transaction connection is closed. */
void
pool_put(struct pg_conn *c)
{
	bool	drop;

	if (c == NULL)
		return;
	drop = PQstatus(c) != CONNECTION_OK ||
	    PQtransactionStatus(c) != PQTRANS_IDLE;
	pthread_mutex_lock(&pool_lock);
	for (int i = 0; i < pool_max; i++) {
		struct pool_slot *s = &pool_slots[i];
		if (s->conn != c)
			continue;
		if (drop)
			s->conn = NULL;
		s->busy = false;
		break;
	}
	pthread_cond_signal(&pool_cond);
	pthread_mutex_unlock(&pool_lock);
	if (drop)
		PQfinish(c);
}

/*
 * Run one statement with text parameters.  On success returns 0 and, if res
 * is not NULL, the result (caller PQclears); -1 and e on failure.
 */
int
pool_exec(struct pg_conn *c, const char *sql, int n, const char *const *params,
    struct pg_result **res, struct dberr *e)
{
	PGresult	*r;
	ExecStatusType	 st;

	/* without parameters use the simple protocol: DDL scripts */
	r = n == 0 ? PQexec(c, sql) :
	    PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pool_seterr(e, PQstatus(c) != CONNECTION_OK,
		    r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
		if (e != NULL && e->msg[0] == '\0')
			pool_seterr(e, true, PQerrorMessage(c));
		PQclear(r);
		return (-1);
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return (0);
}

/*
 * Run one statement in its own RepeatableRead transaction, as every Hasura
 * metadata-storage method does (facts §1.2, §2.4).  Same contract as
 * pool_exec.
 */
int
pool_tx(struct pg_conn *c, const char *sql, int n, const char *const *params,
    struct pg_result **res, struct dberr *e)
{
	PGresult	*r = NULL;

	if (pool_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL,
	    NULL, e) == -1)
		return (-1);
	if (pool_exec(c, sql, n, params, &r, e) == -1 ||
	    pool_exec(c, "COMMIT", 0, NULL, NULL, e) == -1) {
		PQclear(r);
		if (PQstatus(c) == CONNECTION_OK)
			pool_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		return (-1);
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return (0);
}
