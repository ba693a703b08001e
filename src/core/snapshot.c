/*
 * snapshot.c: publish immutable snapshots (worker) and lend them to readers
 * (UI, batch printer), the redis bio.c shape: one pointer swapped under a
 * mutex, reference counts, and a non-blocking pipe that wakes readers.
 *
 * Objects and object sets are shared between snapshots and instances by
 * reference count (atomic), so 500 instances reporting the same 20,000
 * objects hold them once. Any thread, as noted per function.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hasync/arena.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
#include "hasync/xmalloc.h"

static pthread_mutex_t	 snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot	*snap_current;
static int		 wake_fd[2] = { -1, -1 };

struct objset *
objset_new(void)
{
	struct objset	*s = xcalloc(1, sizeof(*s));

	s->refs = 1;
	return (s);
}

void
objset_ref(struct objset *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void
objset_unref(struct objset *s)
{
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(s->v);
	free(s->body);
	arena_free(s->arena);
	free(s);
}

bool
objset_equal(const struct objset *a, const struct objset *b)
{
	size_t	i;

	if (a == b)
		return (true);
	if (a->n_uniq != b->n_uniq || (a->n_uniq > 0 && a->hash != b->hash))
		return (false);
	for (i = 0; i < a->n_uniq; i++) {
		if (strcmp(a->uniq[i]->key, b->uniq[i]->key) != 0)
			return (false);
	}
	return (true);
}

static void
snapshot_free(struct snapshot *s)
{
	size_t	i;

	free(s->label);
	free(s->db_error);
	free(s->catalog_kind);
	free(s->catalog_version);
	free(s->version_writer);
	free(s->activity);
	for (i = 0; i < s->n_inst; i++) {
		struct snap_instance *in = &s->inst[i];

		free(in->endpoint);
		free(in->health_text);
		free(in->server_version);
		objset_unref(in->objects);
		free(in->last_error);
		free(in->reload.result);
		free(in->label);
		free(in->verdict_text);
		free(in->instance_id);
	}
	free(s->inst);
	free(s->verdict_line);
	if (s->masks != NULL)
		free(s->masks);
	else {
		for (i = 0; i < s->n_objects; i++)
			free(s->objects[i].instances);
	}
	free(s->objects);
	for (i = 0; i < s->n_events; i++) {
		free(s->events[i].writer);
		free(s->events[i].text);
	}
	free(s->events);
	free(s->reload_answer);
	free(s->reload_outcome);
	free(s);
}

int
snapshot_init(void)
{
	int	i;

	if (wake_fd[0] != -1)
		return (0);
	if (pipe(wake_fd) == -1)
		return (-1);
	for (i = 0; i < 2; i++) {
		fcntl(wake_fd[i], F_SETFL, fcntl(wake_fd[i], F_GETFL) |
		    O_NONBLOCK);
		fcntl(wake_fd[i], F_SETFD, FD_CLOEXEC);
	}
	return (0);
}

void
snapshot_shutdown(void)
{
	struct snapshot	*s;

	pthread_mutex_lock(&snap_lock);
	s = snap_current;
	snap_current = NULL;
	pthread_mutex_unlock(&snap_lock);
	snapshot_release(s);
	if (wake_fd[0] != -1) {
		close(wake_fd[0]);
		close(wake_fd[1]);
		wake_fd[0] = wake_fd[1] = -1;
	}
}

void
snapshot_publish(struct snapshot *s)
{
	struct snapshot	*old;

	s->refs = 1;
	pthread_mutex_lock(&snap_lock);
	old = snap_current;
	snap_current = s;
	pthread_mutex_unlock(&snap_lock);
	snapshot_release(old);
	/* EAGAIN: a wake-up is already pending, which is enough. */
	if (wake_fd[1] != -1)
		(void)!write(wake_fd[1], "", 1);
}

struct snapshot *
snapshot_acquire(void)
{
	struct snapshot	*s;

	pthread_mutex_lock(&snap_lock);
	if ((s = snap_current) != NULL)
		s->refs++;
	pthread_mutex_unlock(&snap_lock);
	return (s);
}

void
snapshot_release(struct snapshot *s)
{
	uint32_t	left;

	if (s == NULL)
		return;
	pthread_mutex_lock(&snap_lock);
	left = --s->refs;
	pthread_mutex_unlock(&snap_lock);
	if (left == 0)
		snapshot_free(s);
}

int
snapshot_wake_fd(void)
{
	return (wake_fd[0]);
}

void
snapshot_drain_wake(void)
{
	char	buf[64];

	while (wake_fd[0] != -1 && read(wake_fd[0], buf, sizeof(buf)) > 0)
		;
}

bool
snapshot_object_on(const struct snapshot *s, size_t obj, size_t inst)
{
	if (obj >= s->n_objects || inst >= s->n_inst)
		return (false);
	return ((s->objects[obj].instances[inst / 8] >> (inst % 8)) & 1);
}

const char *
health_word(enum health h)
{
	switch (h) {
	case HEALTH_OK:
		return ("ok");
	case HEALTH_WARN:
		return ("inconsistent");	/* /healthz WARN */
	case HEALTH_ERROR:
		return ("error");
	case HEALTH_UNREACHABLE:
		return ("unreachable");
	case HEALTH_AUTH:
		return ("auth");
	default:
		return ("unknown");
	}
}

const char *
verdict_word(enum verdict v)
{
	static const char *const words[] = {
		[VERDICT_UNREACHABLE] = "unreachable",
		[VERDICT_AUTH] = "auth",
		[VERDICT_ERROR] = "error",
		[VERDICT_STALE] = "stale",
		[VERDICT_BEHIND] = "behind",
		[VERDICT_DISAGREES] = "disagrees",
		[VERDICT_INCONSISTENT] = "inconsistent",
		[VERDICT_SYNCING] = "syncing",
		[VERDICT_UNKNOWN] = "unknown",
		[VERDICT_OK] = "ok",
	};

	return ((size_t)v < sizeof(words) / sizeof(words[0]) ? words[v] :
	    "unknown");
}
