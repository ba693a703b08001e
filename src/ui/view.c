/*
 * view.c: the console's pure view logic: instance order, object filter,
 * and finding the selected row again by identity (endpoint, object key)
 * in a newer snapshot. No curses; UI thread.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"
#include "hasync/xmalloc.h"

static const char *view_sort_names[VIEW_SORT_COUNT] = {
	"verdict", "#", "endpoint", "latency", "version", "objects",
	"in-memory",
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
	case VIEW_SORT_NUMBER:
		break;
	case VIEW_SORT_ENDPOINT:
		c = strcmp(ia->endpoint != NULL ? ia->endpoint : "",
		    ib->endpoint != NULL ? ib->endpoint : "");
		break;
	case VIEW_SORT_VERDICT:
		/* Worst first (the enum is ranked so). */
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
	    text_contains(o->reason, f) || text_contains(o->cause, f));
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

/* An endpoint as the table shows it: no scheme, no trailing slash. */
void
view_hostport(const char *url, char *buf, size_t len)
{
	const char	*p;
	char		*clean;
	size_t		 n;

	if (url == NULL)
		url = "";
	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	clean = sanitize_text(p, 1024, 0);
	snprintf(buf, len, "%s", clean);
	free(clean);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
}

/* Instance i as the endpoint column shows it: "label host:port" or
 * "host:port", sanitised. */
void
view_endpoint(const struct snapshot *s, size_t i, char *buf, size_t len)
{
	char	hp[512], *label;

	view_hostport(s->inst[i].endpoint, hp, sizeof hp);
	if (s->inst[i].label == NULL || s->inst[i].label[0] == '\0') {
		snprintf(buf, len, "%s", hp);
		return;
	}
	label = sanitize_text(s->inst[i].label, 256, 0);
	snprintf(buf, len, "%s %s", label, hp);
	free(label);
}

/* Bytes [*a, *b) of texts[i] that differ from some other of the n. */
void
view_differs(char *const *texts, size_t n, size_t i, size_t *a, size_t *b)
{
	size_t	j, k, li = strlen(texts[i]), lj, pre, suf;

	*a = li;
	*b = 0;
	for (j = 0; j < n; j++) {
		if (j == i)
			continue;
		lj = strlen(texts[j]);
		for (pre = 0; pre < li && pre < lj &&
		    texts[i][pre] == texts[j][pre]; pre++)
			;
		for (suf = 0; suf < li - pre && suf < lj - pre &&
		    texts[i][li - 1 - suf] == texts[j][lj - 1 - suf]; suf++)
			;
		k = li - suf;
		if (pre == li && lj == li)
			continue;		/* the same text */
		/* Whole characters: back to a UTF-8 lead byte. */
		while (pre > 0 && (texts[i][pre] & 0xc0) == 0x80)
			pre--;
		if (pre < *a)
			*a = pre;
		if (k < pre + 1)
			k = pre + 1 <= li ? pre + 1 : li;
		if (k > *b)
			*b = k;
	}
	if (*a >= *b)
		*a = *b = 0;
}

/* The object's name without its leading "<type> ". */
const char *
view_object_name(const struct object *o)
{
	size_t	n;

	if (o->name == NULL)
		return ("");
	n = o->type != NULL ? strlen(o->type) : 0;
	if (n > 0 && strncmp(o->name, o->type, n) == 0 && o->name[n] == ' ' &&
	    o->name[n + 1] != '\0')
		return (o->name + n + 1);
	return (o->name);
}

/* Number (1-based) of the instance whose learned id is id, or 0. */
size_t
view_instance_by_id(const struct snapshot *s, const char *id)
{
	size_t	i;

	if (id == NULL || *id == '\0')
		return (0);
	for (i = 0; i < s->n_inst; i++)
		if (s->inst[i].instance_id != NULL &&
		    strcmp(s->inst[i].instance_id, id) == 0)
			return (i + 1);
	return (0);
}

/* Whether c may continue a URL or an id (so "…:808" is not "…:8081"). */
static bool
view_word_char(char c)
{
	return (isalnum((unsigned char)c) || c == '-' || c == '_' ||
	    c == '.' || c == '/');
}

/* Raw event or engine text with every watched endpoint and known
 * instance id written as "#N"; caller frees. Still raw: sanitise it. */
char *
view_short_text(const struct snapshot *s, const char *text)
{
	const char	*p, *best_what;
	char		*out, num[24];
	size_t		 i, len, o = 0, cap, blen, wl;
	int		 pass;

	if (text == NULL)
		return (xstrdup(""));
	cap = strlen(text) + 1;
	out = xmalloc(cap);
	for (p = text; *p != '\0';) {
		best_what = NULL;
		blen = 0;
		for (i = 0; i < s->n_inst; i++) {
			for (pass = 0; pass < 2; pass++) {
				const char *w = pass == 0 ? s->inst[i].endpoint :
				    s->inst[i].instance_id;

				if (w == NULL || (wl = strlen(w)) == 0 ||
				    wl <= blen || strncmp(p, w, wl) != 0 ||
				    view_word_char(p[wl]))
					continue;
				blen = wl;
				best_what = w;
				snprintf(num, sizeof num, "#%zu", i + 1);
			}
		}
		if (best_what != NULL && (p == text || !view_word_char(p[-1]))) {
			len = strlen(num);
			memcpy(out + o, num, len);	/* "#N" is never longer */
			o += len;
			p += blen;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	return (out);
}
