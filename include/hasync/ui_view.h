/*
 * ui_view.h: the console's pure view logic over a snapshot: the order of
 * the instances table (sortable), the filtered list of union objects, and
 * finding a row again by identity after a refresh. No curses; UI thread
 * (and tests/unit/test_ui_text.c).
 */
#ifndef HASYNC_UI_VIEW_H
#define HASYNC_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

struct object;
struct snapshot;

enum view_sort {
	VIEW_SORT_VERDICT = 0,	/* worst first, then # (the default) */
	VIEW_SORT_NUMBER,	/* as configured */
	VIEW_SORT_ENDPOINT,
	VIEW_SORT_LATENCY,
	VIEW_SORT_VERSION,
	VIEW_SORT_INCONSISTENT,
	VIEW_SORT_MEMVER,
	VIEW_SORT_COUNT,
};

/* Column name of a sort key, e.g. "verdict". */
const char	*view_sort_name(enum view_sort);

/*
 * Fill order (s->n_inst entries) with instance indices sorted by key; ties
 * keep the configured order. Worst verdict first when sorting by verdict.
 */
void		 view_sort_instances(const struct snapshot *, enum view_sort,
		    bool, size_t *);

/* Whether object o matches filter f (substring of type, name, reason or
 * cause). */
bool		 view_object_matches(const struct object *, const char *);

/*
 * Fill idx (room for s->n_objects) with the indices of the union objects
 * that match filter f, in snapshot order. Returns how many.
 */
size_t		 view_filter_objects(const struct snapshot *, const char *,
		    size_t *);

/* Position in order[n] of the instance with this endpoint, or -1. */
long		 view_find_instance(const struct snapshot *, const size_t *,
		    size_t, const char *);

/* Position in idx[n] of the union object with this key, or -1. */
long		 view_find_object(const struct snapshot *, const size_t *,
		    size_t, const char *);

/* Index in s->objects of the object with this key, or -1. */
long		 view_object_by_key(const struct snapshot *, const char *);

/* URL without its scheme and trailing slash, sanitised, into buf. */
void		 view_hostport(const char *, char *, size_t);

/* Instance i as the endpoint column shows it ("label host:port"). */
void		 view_endpoint(const struct snapshot *, size_t, char *, size_t);

/*
 * Of n texts, the bytes [*a, *b) of texts[i] where it differs from the
 * others (both 0 when it differs from none), for text_elide().
 */
void		 view_differs(char *const *, size_t, size_t, size_t *,
		    size_t *);

/* The object's name without the leading "<type> " ("rs1", not
 * "remote_schema rs1"). Borrowed from o. */
const char	*view_object_name(const struct object *);

/* 1-based number of the instance whose learned instance id is id; 0 if
 * none. */
size_t		 view_instance_by_id(const struct snapshot *, const char *);

/*
 * A copy of raw engine text with each watched endpoint and known
 * instance id replaced by "#N" (caller frees; still raw).
 */
char		*view_short_text(const struct snapshot *, const char *);

#endif
