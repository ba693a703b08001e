/*
 * listener.c: the catalog listener thread. It owns the one PGconn to
 * Hasura's metadata database and watches hdb_catalog the way Hasura's own
 * listener does (facts §2.4): every --poll-interval one prepared query reads
 * hdb_metadata.resource_version and the hdb_schema_notifications row. On a
 * v1 catalog it LISTENs on hasura_schema_update (facts §1.4, §2.7).
 *
 * libpq is used non-blocking (PQsocket + poll) together with a stop pipe, so
 * shutdown is immediate whatever the network does: every statement, PREPARE
 * included, is sent with PQsend* and waited for at most --timeout. A query
 * that outlives it (a lock on the catalog, a slow server) is cancelled
 * (pgcancel.c, never blocking this thread) and its result drained, so the
 * connection is never left with a command in progress; the catalog is then
 * DB_STUCK, "catalog query timed out (lock?)", not unreachable. The metadata
 * summary is bounded on its own: when it times out the connection is kept
 * and the summary retried later, so a slow summary cannot make the
 * connection flap. On connection loss it retries every half second; after
 * every (re)connection it pushes "listen started" with a forced refresh,
 * because changes may have been missed while away (the v1 design, facts
 * §2.7). Every state change is an event.
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
#include "hasync/pgcancel.h"
#include "hasync/resolve.h"

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

/* After a cancel, how long the cancelled query may take to end. */
#define CANCEL_GRACE_MS		1000
/* A summary that timed out is tried again after this, or on a change. */
#define SUMMARY_RETRY_S		30.0

/* How a bounded statement ended. */
enum lx {
	LX_OK,		/* the result is there */
	LX_FAILED,	/* an error answer; the connection is idle and usable */
	LX_TIMEOUT,	/* timed out, cancelled and drained: still usable */
	LX_BROKEN,	/* connection trouble: drop it */
	LX_STOP,	/* the stop pipe fired (a cancel is under way): drop it */
};

struct listener {
	const struct config	*c;
	pthread_t		 thread;
	int			 stop_pipe[2];
	PGconn			*conn;
	struct catalog_state	 st;
	bool			 ever_connected;
	bool			 v1;
	double			 v1_next_poll;
	char			 qerr[256];	/* the last statement's error */
	bool			 timed_out;	/* ... and it was a timeout */
	bool			 summary_failing; /* reported once per streak */
	double			 summary_due;	/* retry then; 0: not due */
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

/*
 * libpq looks host names up with getaddrinfo() inside PQconnectStart and
 * PQconnectPoll, with no timeout and deaf to the stop pipe. So a single
 * host name is looked up here first (resolve.c: bounded, interruptible)
 * and its N addresses handed to libpq as hostaddr, with host repeated N
 * times (kept for TLS and .pgpass), so libpq still tries each address in
 * turn. A list of hosts is left to libpq. 0 (hosts/addr set, or "" when
 * there is nothing to do), -1 (error set), -2 stop.
 */
static int
listener_resolve(char *hosts, size_t hlen, char *addr, size_t len,
    double deadline)
{
	PQconninfoOption	*opts, *o;
	const char		*host = NULL, *hostaddr = NULL;
	char			*h = NULL;
	size_t			 hl = 0;
	int			 rc = 0, n;

	addr[0] = hosts[0] = '\0';
	if ((opts = PQconninfoParse(L.c->database_url, NULL)) == NULL)
		return (0);	/* libpq will say what is wrong with it */
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
	}
	if (host == NULL || *host == '\0')
		host = getenv("PGHOST");
	if (hostaddr == NULL || *hostaddr == '\0')
		hostaddr = getenv("PGHOSTADDR");
	if ((hostaddr == NULL || *hostaddr == '\0') &&
	    !resolve_is_literal(host) && strchr(host, ',') == NULL) {
		h = strdup(host);
		if (h != NULL)
			rc = resolve_host(h, addr, len, (long)((deadline -
			    mono_now()) * 1000), L.stop_pipe[0], L.st.error,
			    sizeof(L.st.error));
		for (n = 0; h != NULL && n < rc; n++)
			hl += (size_t)snprintf(hosts + hl, hlen - hl, "%s%s",
			    n > 0 ? "," : "", h);
		if (hl >= hlen) {	/* a name too long to repeat: libpq's */
			addr[0] = hosts[0] = '\0';
			rc = 0;
		}
		free(h);
	}
	PQconninfoFree(opts);
	return (rc > 0 ? 0 : rc);
}

/* Connect without blocking; 0 ok, -1 failed (error set), -2 stop. */
static int
listener_connect(void)
{
	const char		*keys[] = { "dbname", "connect_timeout",
				    "application_name", "keepalives",
				    "keepalives_idle", "keepalives_interval",
				    "keepalives_count", "host", "hostaddr", NULL };
	char			 ct[24], addr[RESOLVE_MAX * 48],
				 hosts[RESOLVE_MAX * 256];
	const char		*vals[10];
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	double			 deadline;
	int			 w;

	deadline = mono_now() + (double)L.c->connect_timeout_ms / 1000.0;
	if ((w = listener_resolve(hosts, sizeof(hosts), addr, sizeof(addr),
	    deadline)) != 0)
		return (w);
	snprintf(ct, sizeof(ct), "%ld", (L.c->connect_timeout_ms + 999) /
	    1000);
	vals[0] = L.c->database_url;
	vals[1] = ct;
	vals[2] = "hasync";
	vals[3] = "1";
	vals[4] = "30";
	vals[5] = "10";
	vals[6] = "3";
	vals[7] = hosts;
	vals[8] = addr;
	vals[9] = NULL;
	if (addr[0] == '\0')
		keys[7] = NULL;		/* nothing resolved here: libpq's own */
	L.conn = PQconnectStartParams(keys, vals, 1);
	if (L.conn == NULL || PQstatus(L.conn) == CONNECTION_BAD) {
		listener_set_error(L.conn != NULL ? PQerrorMessage(L.conn) :
		    "out of memory");
		goto fail;
	}
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

/* Keep one line of a statement's error in L.qerr. */
static void
listener_qerr(const char *msg)
{
	snprintf(L.qerr, sizeof(L.qerr), "%s", msg != NULL && *msg != '\0' ?
	    msg : "connection lost");
	L.qerr[strcspn(L.qerr, "\n")] = '\0';
}

static long
listener_ms_left(double deadline)
{
	return ((long)((deadline - mono_now()) * 1000));
}

/*
 * Send one statement and wait for its result, bounded by --timeout:
 * PREPARE name AS sql (both set), EXECUTE name (name only) or sql. A
 * statement that outlives the bound is cancelled and its result drained
 * within CANCEL_GRACE_MS, so the connection never keeps a command in
 * progress; what timed out is named by what. On LX_OK *out holds the result
 * (caller clears); otherwise L.qerr says why and L.timed_out whether it was
 * a timeout.
 */
static enum lx
listener_exec(const char *what, const char *name, const char *sql,
    PGresult **out)
{
	PGresult	*res = NULL, *r;
	double		 deadline;
	bool		 cancelled = false;
	int		 ok, w, f;

	*out = NULL;
	L.timed_out = false;
	L.qerr[0] = '\0';
	if (name != NULL && sql != NULL)
		ok = PQsendPrepare(L.conn, name, sql, 0, NULL);
	else if (name != NULL)
		ok = PQsendQueryPrepared(L.conn, name, 0, NULL, NULL, NULL, 0);
	else
		ok = PQsendQuery(L.conn, sql);
	if (!ok) {
		listener_qerr(PQerrorMessage(L.conn));
		return (LX_BROKEN);
	}
	deadline = mono_now() + (double)L.c->timeout_ms / 1000.0;
	/* libpq: while PQflush says 1, wait for either direction, and read
	 * what arrives so that the server is never stuck writing to us. */
	while ((f = PQflush(L.conn)) == 1) {
		w = listener_wait(PQsocket(L.conn), POLLOUT | POLLIN,
		    listener_ms_left(deadline));
		if (w == -1)
			return (LX_STOP);
		if (w == 0) {
			snprintf(L.qerr, sizeof(L.qerr), "%s timed out after "
			    "%ld ms (could not send it)", what, L.c->timeout_ms);
			return (LX_BROKEN);
		}
		if (!PQconsumeInput(L.conn)) {
			listener_qerr(PQerrorMessage(L.conn));
			return (LX_BROKEN);
		}
	}
	if (f == -1) {
		listener_qerr(PQerrorMessage(L.conn));
		return (LX_BROKEN);
	}
	for (;;) {
		while (PQisBusy(L.conn)) {
			w = listener_wait(PQsocket(L.conn), POLLIN,
			    listener_ms_left(deadline));
			if (w == -1) {
				/* Leave no backend waiting behind us. */
				(void)pgcancel_start(L.conn);
				PQclear(res);
				return (LX_STOP);
			}
			if (w == 0) {
				if (cancelled)	/* not even the cancel came back */
					goto broken;
				snprintf(L.qerr, sizeof(L.qerr), "%s timed out "
				    "(lock?) after %ld ms", what,
				    L.c->timeout_ms);
				L.timed_out = true;
				cancelled = true;
				if (pgcancel_start(L.conn) == -1)
					goto broken;
				deadline = mono_now() + (double)CANCEL_GRACE_MS /
				    1000.0;
				continue;
			}
			if (!PQconsumeInput(L.conn)) {
				if (!cancelled)
					listener_qerr(PQerrorMessage(L.conn));
				goto broken;
			}
		}
		if ((r = PQgetResult(L.conn)) == NULL)
			break;
		if (res == NULL)
			res = r;
		else
			PQclear(r);
	}
	if (cancelled) {
		PQclear(res);
		return (LX_TIMEOUT);
	}
	if (res == NULL || (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK)) {
		listener_qerr(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(L.conn));
		PQclear(res);
		return (PQstatus(L.conn) == CONNECTION_OK ? LX_FAILED :
		    LX_BROKEN);
	}
	*out = res;
	return (LX_OK);
broken:
	PQclear(res);
	return (LX_BROKEN);
}

/* A statement of the connect/poll path: LX_OK gives *out; anything else
 * means the connection goes (error in L.st.error). 0, -1, or -2 (stop). */
static int
listener_query(const char *name, const char *sql, PGresult **out)
{
	switch (listener_exec("catalog query", name, sql, out)) {
	case LX_OK:
		return (0);
	case LX_STOP:
		return (-2);
	default:
		listener_set_error(L.qerr);
		return (-1);
	}
}

/*
 * Read the metadata once and summarise it (facts §1.1). Bounded on its own:
 * a summary that times out or fails is cancelled, reported once, and tried
 * again later; the connection stays (no reconnection, no forced refresh).
 * 0 done or given up for now, -1 connection trouble, -2 stop.
 */
static int
listener_fetch_summary(void)
{
	PGresult	*res;

	switch (listener_exec("metadata summary", NULL, Q_METADATA, &res)) {
	case LX_OK:
		break;
	case LX_STOP:
		return (-2);
	case LX_BROKEN:
		listener_set_error(L.qerr);
		return (-1);
	case LX_FAILED:
	case LX_TIMEOUT:
		if (!L.summary_failing)
			listener_event(EV_ERROR, -1, -1, NULL, "database: %s; "
			    "the connection is kept, the summary is retried",
			    L.qerr);
		L.summary_failing = true;
		L.summary_due = mono_now() + SUMMARY_RETRY_S;
		return (0);
	}
	L.summary_failing = false;
	L.summary_due = 0;
	if (PQntuples(res) == 1) {
		hasura_summarise_text(PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0), &L.st.meta);
	}
	PQclear(res);
	return (0);
}

/* Find out which catalog this is and prepare the poll query. 0, -1, -2. */
static int
listener_detect(void)
{
	PGresult	*res;
	bool		 has_md, has_notify, has_table, has_version;
	const char	*q;
	int		 rc;

	if ((rc = listener_query(NULL, Q_DETECT, &res)) != 0)
		return (rc);
	has_md = PQgetvalue(res, 0, 0)[0] == 't';
	has_notify = PQgetvalue(res, 0, 1)[0] == 't';
	has_table = PQgetvalue(res, 0, 2)[0] == 't';
	has_version = PQgetvalue(res, 0, 3)[0] == 't';
	PQclear(res);
	L.st.catalog_version[0] = '\0';
	if (has_version) {
		if ((rc = listener_query(NULL, "SELECT version FROM "
		    "hdb_catalog.hdb_version LIMIT 1", &res)) != 0)
			return (rc);
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
		if ((rc = listener_query(NULL, "LISTEN hasura_schema_update",
		    &res)) != 0)
			return (rc);
		PQclear(res);
	} else {
		snprintf(L.st.error, sizeof(L.st.error), "no Hasura catalog "
		    "(hdb_catalog.hdb_metadata) in this database; check "
		    "--database-url");
		L.timed_out = false;
		return (-1);
	}
	/* PREPARE parses q, which locks hdb_metadata: as bounded as the rest
	 * (PQprepare would wait for a lock without limit). */
	if ((rc = listener_query("hasync_poll", q, &res)) != 0)
		return (rc);
	PQclear(res);
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
	bool		 changed, summary;
	int		 rc;

	if ((rc = listener_query("hasync_poll", NULL, &res)) != 0)
		return (rc);
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
	summary = !L.v1 && (first || changed || (L.summary_due > 0 &&
	    mono_now() >= L.summary_due));
	if (summary && (rc = listener_fetch_summary()) != 0)
		return (rc);
	if (changed && !L.v1)
		listener_event(EV_VERSION, old, rv, L.st.writer,
		    "resource_version %lld -> %lld%s%s", (long long)old,
		    (long long)rv, L.st.writer[0] ? " by instance " : "",
		    L.st.writer);
	if (first || changed || summary)
		inbox_put_state(&L.st, false);
	return (0);
}

/*
 * The connection failed (error in L.st.error) or a catalog query timed
 * out (L.timed_out): drop the connection, count the attempt, and say so
 * once per change of state. A timeout is DB_STUCK, "catalog query timed
 * out (lock?)": the server answers, but the catalog cannot be read.
 */
static void
listener_lost(void)
{
	enum db_state	was = L.st.db;

	if (L.conn != NULL) {
		PQfinish(L.conn);
		L.conn = NULL;
	}
	L.st.attempt++;
	if (L.timed_out) {
		L.st.db = DB_STUCK;
		if (was == DB_OK)
			listener_event(EV_DB_LOST, -1, -1, NULL, "database: %s",
			    L.st.error);
		else if (was != DB_STUCK)
			listener_event(EV_ERROR, -1, -1, NULL, "database: %s",
			    L.st.error);
	} else if (was == DB_OK || was == DB_STUCK) {
		L.st.db = DB_LOST;
		listener_event(EV_DB_LOST, -1, -1, NULL, "database connection "
		    "lost: %s", L.st.error);
	} else if (was == DB_CONNECTING && L.st.attempt == 1)
		listener_event(EV_ERROR, -1, -1, NULL, "database: %s",
		    L.st.error);
	inbox_put_state(&L.st, false);
}

static void *
listener_main(void *arg)
{
	double	next;
	int	rc;

	(void)arg;
	for (;;) {
		if (L.conn == NULL) {
			L.timed_out = false;
			rc = listener_connect();
			if (rc == 0)
				rc = listener_detect();
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
