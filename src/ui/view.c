/*
 * view.c: the console's pure view logic: instance order, object filter,
 * and finding the selected row again by identity (endpoint, object key)
 * in a newer snapshot. No curses; UI thread.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hasync/snapshot.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"

static const char *view_sort_names[VIEW_SORT_COUNT] = {
	"endpoint", "health", "latency", "version", "inconsistent", "in-memory",
};

/* qsort has no context argument; the UI thread is the only caller. */
static const struct snapshot	*view_sort_snap;
static enum view_sort		 view_sort_key;
static bool			 view_sort_reverse;

/* Column name of sort key k. */
const char *
view_sort_name(enum view_sort k)
{
	if (k < 0 || k >= VIEW_SORT_COUNT)
		return ("?");
	return (view_sort_names[k]);
}

/* Compare two long values, unknown (-1) last. */
static int
view_cmp_long(long long a, long long b)
{
	if (a == b)
		return (0);
	if (a < 0)
		return (1);
	if (b < 0)
		return (-1);
	return (a < b ? -1 : 1);
}

/* qsort comparator over instance indices. */
static int
view_cmp_inst(const void *pa, const void *pb)
{
	size_t			 a = *(const size_t *)pa;
	size_t			 b = *(const size_t *)pb;
	const struct snap_instance *ia = &view_sort_snap->inst[a];
	const struct snap_instance *ib = &view_sort_snap->inst[b];
	int			 c = 0;

	switch (view_sort_key) {
	case VIEW_SORT_ENDPOINT:
		c = strcmp(ia->endpoint != NULL ? ia->endpoint : "",
		    ib->endpoint != NULL ? ib->endpoint : "");
		break;
	case VIEW_SORT_HEALTH:
		c = (int)ia->verdict - (int)ib->verdict;
		break;
	case VIEW_SORT_LATENCY:
		c = view_cmp_long(ia->latency_ms, ib->latency_ms);
		break;
	case VIEW_SORT_VERSION:
		c = strcmp(ia->server_version != NULL ? ia->server_version : "",
		    ib->server_version != NULL ? ib->server_version : "");
		break;
	case VIEW_SORT_INCONSISTENT:
		/* Most inconsistent first, unknown last. */
		if (ia->consistency_known != ib->consistency_known)
			c = ia->consistency_known ? -1 : 1;
		else if (ia->consistency_known)
			c = view_cmp_long((long long)ib->objects->n,
			    (long long)ia->objects->n);
		break;
	case VIEW_SORT_MEMVER:
		c = view_cmp_long(ia->mem_version, ib->mem_version);
		break;
	default:
		break;
	}
	if (view_sort_reverse)
		c = -c;
	if (c == 0)
		c = a < b ? -1 : (a > b ? 1 : 0);
	return (c);
}

/* Fill order with sorted instance indices. */
void
view_sort_instances(const struct snapshot *s, enum view_sort k, bool reverse,
    size_t *order)
{
	size_t	i;

	for (i = 0; i < s->n_inst; i++)
		order[i] = i;
	view_sort_snap = s;
	view_sort_key = k;
	view_sort_reverse = reverse;
	qsort(order, s->n_inst, sizeof *order, view_cmp_inst);
	view_sort_snap = NULL;
}

/* Whether object o matches filter f. */
bool
view_object_matches(const struct object *o, const char *f)
{
	if (f == NULL || *f == '\0')
		return (true);
	return (text_contains(o->type, f) || text_contains(o->name, f) ||
	    text_contains(o->reason, f));
}

/* Fill idx with matching union objects. */
size_t
view_filter_objects(const struct snapshot *s, const char *f, size_t *idx)
{
	size_t	i, n = 0;

	for (i = 0; i < s->n_objects; i++)
		if (view_object_matches(s->objects[i].obj, f))
			idx[n++] = i;
	return (n);
}

/* Position of endpoint ep in order. */
long
view_find_instance(const struct snapshot *s, const size_t *order, size_t n,
    const char *ep)
{
	size_t	i;

	if (ep == NULL)
		return (-1);
	for (i = 0; i < n; i++)
		if (s->inst[order[i]].endpoint != NULL &&
		    strcmp(s->inst[order[i]].endpoint, ep) == 0)
			return ((long)i);
	return (-1);
}

/* Position of object key in idx. */
long
view_find_object(const struct snapshot *s, const size_t *idx, size_t n,
    const char *key)
{
	size_t	i;

	if (key == NULL)
		return (-1);
	for (i = 0; i < n; i++)
		if (strcmp(s->objects[idx[i]].obj->key, key) == 0)
			return ((long)i);
	return (-1);
}

/* Index of the object with key in s->objects. */
long
view_object_by_key(const struct snapshot *s, const char *key)
{
	size_t	i;

	if (key == NULL)
		return (-1);
	for (i = 0; i < s->n_objects; i++)
		if (strcmp(s->objects[i].obj->key, key) == 0)
			return ((long)i);
	return (-1);
}
