/*
 * listener.c: the catalog listener thread. It owns the one PGconn to
 * Hasura's metadata database and watches hdb_catalog the way Hasura's own
 * listener does (facts §2.4): every --poll-interval one prepared query reads
 * hdb_metadata.resource_version and the hdb_schema_notifications row. On a
 * v1 catalog it LISTENs on hasura_schema_update (facts §1.4, §2.7).
 *
 * libpq is used non-blocking (PQsocket + poll) together with a stop pipe, so
 * shutdown is immediate whatever the network does. On connection loss it
 * retries every half second; after every (re)connection it pushes "listen
 * started" with a forced refresh, because changes may have been missed while
 * away (the v1 design, facts §2.7). Every state change is an event.
 * Listener thread only; it talks to the worker through the inbox.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "hasync/config.h"
#include "hasync/hasura.h"
#include "hasync/inbox.h"
#include "hasync/listener.h"

#define Q_POLL_V2 \
	"SELECT (SELECT resource_version FROM hdb_catalog.hdb_metadata " \
	"WHERE id = 1), n.resource_version, n.instance_id::text " \
	"FROM (SELECT 1) AS one LEFT JOIN hdb_catalog.hdb_schema_notifications " \
	"AS n ON n.id = 1"
#define Q_POLL_V2_NO_NOTIFY \
	"SELECT (SELECT resource_version FROM hdb_catalog.hdb_metadata " \
	"WHERE id = 1), NULL::int, NULL::text"
#define Q_POLL_V1 \
	"SELECT NULL::int, NULL::int, (SELECT instance_id::text FROM " \
	"hdb_catalog.hdb_schema_update_event ORDER BY occurred_at DESC LIMIT 1)"
#define Q_DETECT \
	"SELECT to_regclass('hdb_catalog.hdb_metadata') IS NOT NULL, " \
	"to_regclass('hdb_catalog.hdb_schema_notifications') IS NOT NULL, " \
	"to_regclass('hdb_catalog.hdb_table') IS NOT NULL, " \
	"to_regclass('hdb_catalog.hdb_version') IS NOT NULL"
#define Q_METADATA \
	"SELECT metadata, resource_version FROM hdb_catalog.hdb_metadata " \
	"WHERE id = 1"

struct listener {
	const struct config	*c;
	pthread_t		 thread;
	int			 stop_pipe[2];
	PGconn			*conn;
	struct catalog_state	 st;
	bool			 ever_connected;
	bool			 v1;
	double			 v1_next_poll;
};

static struct listener	L;

/* Queue an event for the worker. */
static void
listener_event(enum event_kind kind, int64_t old_v, int64_t new_v,
    const char *writer, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
listener_event(enum event_kind kind, int64_t old_v, int64_t new_v,
    const char *writer, const char *fmt, ...)
{
	struct inbox_event	ev;
	va_list			ap;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.at = time(NULL);
	ev.old_version = old_v;
	ev.new_version = new_v;
	if (writer != NULL)
		snprintf(ev.writer, sizeof(ev.writer), "%s", writer);
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	inbox_put_event(&ev);
}

/* Wait for fd (events) or the stop pipe, at most ms. 1 ready, 0 timeout,
 * -1 stop. */
static int
listener_wait(int fd, short events, long ms)
{
	struct pollfd	pfd[2];
	int		n;

	pfd[0].fd = L.stop_pipe[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = events;
	do {
		n = poll(pfd, fd >= 0 ? 2 : 1, ms < 0 ? 0 : (int)ms);
	} while (n == -1 && errno == EINTR);
	if (pfd[0].revents != 0)
		return (-1);
	return (n > 0 ? 1 : 0);
}

/* Keep one line of a libpq error message. */
static void
listener_set_error(const char *msg)
{
	snprintf(L.st.error, sizeof(L.st.error), "%s", msg != NULL &&
	    *msg != '\0' ? msg : "connection lost");
	L.st.error[strcspn(L.st.error, "\n")] = '\0';
}

/* Connect without blocking; 0 ok, -1 failed (error set), -2 stop. */
static int
listener_connect(void)
{
	const char		*keys[] = { "dbname", "connect_timeout",
				    "application_name", "keepalives",
				    "keepalives_idle", "keepalives_interval",
				    "keepalives_count", NULL };
	char			 ct[24];
	const char		*vals[8];
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	double			 deadline;
	int			 w;

	snprintf(ct, sizeof(ct), "%ld", (L.c->connect_timeout_ms + 999) /
	    1000);
	vals[0] = L.c->database_url;
	vals[1] = ct;
	vals[2] = "hasync";
	vals[3] = "1";
	vals[4] = "30";
	vals[5] = "10";
	vals[6] = "3";
	vals[7] = NULL;
	L.conn = PQconnectStartParams(keys, vals, 1);
	if (L.conn == NULL || PQstatus(L.conn) == CONNECTION_BAD) {
		listener_set_error(L.conn != NULL ? PQerrorMessage(L.conn) :
		    "out of memory");
		goto fail;
	}
	deadline = mono_now() + (double)L.c->connect_timeout_ms / 1000.0;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED) {
			listener_set_error(PQerrorMessage(L.conn));
			goto fail;
		}
		w = listener_wait(PQsocket(L.conn), st ==
		    PGRES_POLLING_READING ? POLLIN : POLLOUT,
		    (long)((deadline - mono_now()) * 1000));
		if (w == -1) {
			PQfinish(L.conn);
			L.conn = NULL;
			return (-2);
		}
		if (w == 0) {
			snprintf(L.st.error, sizeof(L.st.error), "connection "
			    "timed out after %ld ms", L.c->connect_timeout_ms);
			goto fail;
		}
		st = PQconnectPoll(L.conn);
	}
	if (PQsetnonblocking(L.conn, 1) == -1) {
		listener_set_error(PQerrorMessage(L.conn));
		goto fail;
	}
	return (0);
fail:
	PQfinish(L.conn);
	L.conn = NULL;
	return (-1);
}

/*
 * Send sql (or a prepared statement when name != NULL) and wait for its one
 * result, bounded by --timeout. Returns the result (caller clears) or NULL
 * with the error set; *stopped is set when the stop pipe fired.
 */
static PGresult *
listener_exec(const char *name, const char *sql, bool *stopped)
{
	PGresult	*res = NULL, *r;
	double		 deadline;
	int		 ok, w;

	*stopped = false;
	ok = name != NULL ? PQsendQueryPrepared(L.conn, name, 0, NULL, NULL,
	    NULL, 0) : PQsendQuery(L.conn, sql);
	if (!ok) {
		listener_set_error(PQerrorMessage(L.conn));
		return (NULL);
	}
	deadline = mono_now() + (double)L.c->timeout_ms / 1000.0;
	while (PQflush(L.conn) == 1) {
		if ((w = listener_wait(PQsocket(L.conn), POLLOUT,
		    (long)((deadline - mono_now()) * 1000))) <= 0)
			goto wait_failed;
	}
	for (;;) {
		while (PQisBusy(L.conn)) {
			if ((w = listener_wait(PQsocket(L.conn), POLLIN,
			    (long)((deadline - mono_now()) * 1000))) <= 0)
				goto wait_failed;
			if (!PQconsumeInput(L.conn)) {
				listener_set_error(PQerrorMessage(L.conn));
				PQclear(res);
				return (NULL);
			}
		}
		if ((r = PQgetResult(L.conn)) == NULL)
			break;
		if (res == NULL)
			res = r;
		else
			PQclear(r);
	}
	if (res == NULL || (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK)) {
		listener_set_error(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(L.conn));
		PQclear(res);
		return (NULL);
	}
	return (res);
wait_failed:
	PQclear(res);
	if (w == -1)
		*stopped = true;
	else
		snprintf(L.st.error, sizeof(L.st.error), "query timed out after "
		    "%ld ms", L.c->timeout_ms);
	return (NULL);
}

/* Read the metadata once and summarise it (facts §1.1). */
static void
listener_fetch_summary(void)
{
	PGresult	*res;
	json_t		*md;
	bool		 stopped;

	if ((res = listener_exec(NULL, Q_METADATA, &stopped)) == NULL)
		return;
	if (PQntuples(res) == 1) {
		md = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		hasura_summarise(md, &L.st.meta);
		json_decref(md);
	}
	PQclear(res);
}

/* Find out which catalog this is and prepare the poll query. */
static int
listener_detect(bool *stopped)
{
	PGresult	*res;
	bool		 has_md, has_notify, has_table, has_version;
	const char	*q;

	if ((res = listener_exec(NULL, Q_DETECT, stopped)) == NULL)
		return (-1);
	has_md = PQgetvalue(res, 0, 0)[0] == 't';
	has_notify = PQgetvalue(res, 0, 1)[0] == 't';
	has_table = PQgetvalue(res, 0, 2)[0] == 't';
	has_version = PQgetvalue(res, 0, 3)[0] == 't';
	PQclear(res);
	L.st.catalog_version[0] = '\0';
	if (has_version) {
		res = listener_exec(NULL, "SELECT version FROM "
		    "hdb_catalog.hdb_version LIMIT 1", stopped);
		if (res == NULL)
			return (-1);
		if (PQntuples(res) == 1)
			snprintf(L.st.catalog_version,
			    sizeof(L.st.catalog_version), "%s",
			    PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	/* facts §1.5: v2 has hdb_metadata; v1 has hdb_table, version <= 42. */
	if (has_md) {
		snprintf(L.st.kind, sizeof(L.st.kind), "v2");
		L.v1 = false;
		q = has_notify ? Q_POLL_V2 : Q_POLL_V2_NO_NOTIFY;
	} else if (has_table) {
		snprintf(L.st.kind, sizeof(L.st.kind), "v1");
		L.v1 = true;
		q = Q_POLL_V1;
		if ((res = listener_exec(NULL, "LISTEN hasura_schema_update",
		    stopped)) == NULL)
			return (-1);
		PQclear(res);
	} else {
		snprintf(L.st.error, sizeof(L.st.error), "no Hasura catalog "
		    "(hdb_catalog.hdb_metadata) in this database; check "
		    "--database-url");
		return (-1);
	}
	res = PQprepare(L.conn, "hasync_poll", q, 0, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		listener_set_error(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(L.conn));
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	PQsetnonblocking(L.conn, 1);
	return (0);
}

/* v1: turn queued NOTIFYs into events (facts §1.4 payload). */
static bool
listener_notifies(void)
{
	PGnotify	*n;
	json_t		*j;
	const char	*id;
	bool		 any = false;

	PQconsumeInput(L.conn);
	while ((n = PQnotifies(L.conn)) != NULL) {
		j = json_loads(n->extra, 0, NULL);
		id = json_string_value(json_object_get(j, "instance_id"));
		if (id != NULL)
			snprintf(L.st.writer, sizeof(L.st.writer), "%s", id);
		L.st.changed_at = time(NULL);
		listener_event(EV_VERSION, -1, -1, id,
		    "schema updated by instance %s", id != NULL ? id : "?");
		json_decref(j);
		PQfreemem(n);
		any = true;
	}
	return (any);
}

/* One poll. 0 ok, -1 connection trouble, -2 stop. */
static int
listener_poll(bool first)
{
	PGresult	*res;
	int64_t		 rv = -1, old = L.st.rv;
	const char	*writer;
	bool		 stopped, changed;

	if ((res = listener_exec("hasync_poll", NULL, &stopped)) == NULL)
		return (stopped ? -2 : -1);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		rv = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (!L.v1)
		rv = 0;		/* no row: Hasura says version 0 (facts §1.1) */
	writer = PQntuples(res) == 1 && !PQgetisnull(res, 0, 2) ?
	    PQgetvalue(res, 0, 2) : "";
	/* A change made while we were disconnected is a change too. */
	changed = old >= 0 && rv != old;
	if (first || changed) {
		snprintf(L.st.writer, sizeof(L.st.writer), "%s", writer);
		L.st.rv = rv;
		if (changed || L.st.changed_at == 0)
			L.st.changed_at = time(NULL);
	}
	PQclear(res);
	if (L.v1)
		changed |= listener_notifies();
	if (first || changed) {
		if (!L.v1)
			listener_fetch_summary();
		if (changed && !L.v1)
			listener_event(EV_VERSION, old, rv, L.st.writer,
			    "resource_version %lld -> %lld%s%s", (long long)old,
			    (long long)rv, L.st.writer[0] ? " by instance " :
			    "", L.st.writer);
		inbox_put_state(&L.st, false);
	}
	return (0);
}

static void
listener_lost(void)
{
	if (L.conn != NULL) {
		PQfinish(L.conn);
		L.conn = NULL;
	}
	L.st.attempt++;
	if (L.st.db == DB_OK) {
		L.st.db = DB_LOST;
		listener_event(EV_DB_LOST, -1, -1, NULL, "database connection "
		    "lost: %s", L.st.error);
	} else if (L.st.db == DB_CONNECTING && L.st.attempt == 1)
		listener_event(EV_ERROR, -1, -1, NULL, "database: %s",
		    L.st.error);
	inbox_put_state(&L.st, false);
}

static void *
listener_main(void *arg)
{
	double	next;
	bool	stopped;
	int	rc;

	(void)arg;
	for (;;) {
		if (L.conn == NULL) {
			rc = listener_connect();
			if (rc == 0 && listener_detect(&stopped) == -1)
				rc = stopped ? -2 : -1;
			if (rc == -2)
				break;
			if (rc == -1) {
				listener_lost();
				/* Hasura retries every second (facts §2.7); we
				 * try twice as often so that we are back within
				 * a second of the server, whatever the phase. */
				if (listener_wait(-1, 0, 500) == -1)
					break;
				continue;
			}
			listener_event(L.ever_connected ? EV_DB_RESTORED :
			    EV_DB_CONNECTED, -1, -1, NULL, "database %s "
			    "(catalog %s %s)", L.ever_connected ? "connection "
			    "restored" : "connected", L.st.kind,
			    L.st.catalog_version);
			L.st.db = DB_OK;
			L.st.attempt = 0;
			L.st.error[0] = '\0';
			rc = listener_poll(true);
			if (rc == -2)
				break;
			if (rc == -1) {
				listener_lost();
				continue;
			}
			listener_event(EV_LISTEN_STARTED, -1, -1, NULL,
			    "listen started: forcing a full refresh");
			inbox_put_state(&L.st, true);
			L.ever_connected = true;
		}
		/* Fixed-rate ticks keep detection at interval/2 on average. */
		next = mono_now() + (double)L.c->poll_interval_ms / 1000.0;
		if (listener_wait(L.v1 ? PQsocket(L.conn) : -1, POLLIN,
		    (long)((next - mono_now()) * 1000)) == -1)
			break;
		rc = listener_poll(false);
		if (rc == -2)
			break;
		if (rc == -1)
			listener_lost();
	}
	if (L.conn != NULL)
		PQfinish(L.conn);
	L.conn = NULL;
	return (NULL);
}

int
listener_start(const struct config *c)
{
	memset(&L, 0, sizeof(L));
	L.c = c;
	L.st.rv = -1;
	L.st.db = DB_CONNECTING;
	if (pipe(L.stop_pipe) == -1)
		return (-1);
	inbox_put_state(&L.st, false);
	if (pthread_create(&L.thread, NULL, listener_main, NULL) != 0) {
		close(L.stop_pipe[0]);
		close(L.stop_pipe[1]);
		return (-1);
	}
	return (0);
}

void
listener_stop(void)
{
	if (L.c == NULL)
		return;
	(void)!write(L.stop_pipe[1], "", 1);
	pthread_join(L.thread, NULL);
	close(L.stop_pipe[0]);
	close(L.stop_pipe[1]);
	L.c = NULL;
}
