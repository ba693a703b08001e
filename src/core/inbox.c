/*
 * inbox.c: the worker's inbox (see inbox.h): a latest-value mailbox for the
 * catalog state, a small event queue, and a command queue, behind one mutex
 * and a CLOCK_MONOTONIC condition variable. Any thread.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "hasync/inbox.h"

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv;
static struct inbox_take pending;
static void		(*notify_fn)(void *);
static void		*notify_arg;

double
mono_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

void
inbox_init(void)
{
	pthread_condattr_t	a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &a);
	pthread_condattr_destroy(&a);
	memset(&pending, 0, sizeof(pending));
	notify_fn = NULL;
}

void
inbox_destroy(void)
{
	pthread_cond_destroy(&cv);
}

void
inbox_set_notify(void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&mu);
	notify_fn = fn;
	notify_arg = arg;
	pthread_mutex_unlock(&mu);
}

/* Signal the worker; call with mu held, it unlocks. */
static void
inbox_signal_unlock(void)
{
	void	(*fn)(void *) = notify_fn;
	void	*arg = notify_arg;

	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	if (fn != NULL)
		fn(arg);
}

void
inbox_put_state(const struct catalog_state *s, bool force)
{
	pthread_mutex_lock(&mu);
	pending.state = *s;
	pending.have_state = true;
	pending.force_refresh |= force;
	inbox_signal_unlock();
}

void
inbox_put_event(const struct inbox_event *ev)
{
	pthread_mutex_lock(&mu);
	if (pending.n_events == INBOX_EVENTS) {
		memmove(&pending.events[0], &pending.events[1],
		    sizeof(pending.events[0]) * (INBOX_EVENTS - 1));
		pending.n_events--;
	}
	pending.events[pending.n_events++] = *ev;
	inbox_signal_unlock();
}

int
inbox_put_cmd(enum engine_cmd cmd, int arg)
{
	pthread_mutex_lock(&mu);
	if (pending.n_cmds == INBOX_CMDS) {
		pthread_mutex_unlock(&mu);
		return (-1);
	}
	pending.cmds[pending.n_cmds].cmd = cmd;
	pending.cmds[pending.n_cmds].arg = arg;
	pending.n_cmds++;
	inbox_signal_unlock();
	return (0);
}

void
inbox_put_stop(void)
{
	pthread_mutex_lock(&mu);
	pending.stop = true;
	inbox_signal_unlock();
}

static bool
inbox_has_news(void)
{
	return (pending.have_state || pending.n_events > 0 ||
	    pending.n_cmds > 0 || pending.stop || pending.force_refresh);
}

bool
inbox_take(struct inbox_take *t, double deadline)
{
	struct timespec	ts;
	double		ip;
	bool		got;

	pthread_mutex_lock(&mu);
	while (!inbox_has_news() && deadline > 0 && mono_now() < deadline) {
		ts.tv_nsec = (long)(modf(deadline, &ip) * 1e9);
		ts.tv_sec = (time_t)ip;
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
	}
	got = inbox_has_news();
	if (got) {
		*t = pending;
		/* The stop flag stays: every later take sees it too. */
		memset(&pending, 0, sizeof(pending));
		pending.stop = t->stop;
		if (!t->have_state && !t->n_events && !t->n_cmds &&
		    !t->force_refresh)
			got = t->stop;
	} else
		memset(t, 0, sizeof(*t));
	pthread_mutex_unlock(&mu);
	return (got);
}
