/*
 * scr_detail.c: the detail view, for whatever Enter was pressed on:
 *   an object:    type, name, the root cause and Hasura's reason, what to
 *                 do next, the instances that report it, and its
 *                 definition and message (pretty JSON, made on demand);
 *   an instance:  full URL, verdict and why, catalog against in-memory
 *                 version and since when, health, latency, server version,
 *                 last good probe, last error, last reload and its result,
 *                 its instance id, what to do next, its objects;
 *   an event:     its time, kind, instance, versions, writer, full text.
 * The subject is found again (by key, index or seq) in every snapshot;
 * the lines are rebuilt per frame for the width and scroll (doc.c). UI
 * thread only.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui_advice.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"
#include "hasync/xmalloc.h"

#define DETAIL_LABEL	12

/* A line of formatted clean text, wrapped. */
static void
scr_detail_printf(struct doc *d, enum role r, const char *label, int cols,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
scr_detail_printf(struct doc *d, enum role r, const char *label, int cols,
    const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	doc_add_clean(d, r, label, buf, cols);
}

/* Raw text with endpoints and ids as "#N", sanitised and wrapped. */
static void
scr_detail_short(struct doc *d, const struct snapshot *s, enum role r,
    const char *label, const char *raw, int cols)
{
	char	*t = view_short_text(s, raw);

	doc_add_raw(d, r, label, t, cols);
	free(t);
}

/* "3 s", "2 min 5 s", "1 h 4 min". */
static void
scr_detail_span(double secs, char *buf, size_t len)
{
	long	t = (long)(secs + 0.5);

	if (t < 60)
		snprintf(buf, len, "%ld s", t);
	else if (t < 3600)
		snprintf(buf, len, "%ld min %ld s", t / 60, t % 60);
	else
		snprintf(buf, len, "%ld h %ld min", t / 3600, t % 3600 / 60);
}

/* The lines for union object o. */
static void
scr_detail_object(struct ui *ui, long o, int cols, struct doc *d)
{
	const struct snapshot	*s = ui->snap;
	const struct object	*obj = s->objects[o].obj;
	char			 ep[512], *text;
	size_t			 i;
	bool			 first = true;

	doc_add_raw(d, ROLE_HEADER, "Type", obj->type, cols);
	doc_add_raw(d, ROLE_HEADER, "Name", view_object_name(obj), cols);
	doc_add_raw(d, ROLE_WARN, "Cause", obj->cause != NULL ? obj->cause :
	    obj->reason, cols);
	doc_add_raw(d, ROLE_NORMAL, "Reason", obj->reason, cols);
	doc_add_clean(d, ROLE_KEY, "What to do", advice_object(obj), cols);
	for (i = 0; i < s->n_inst; i++) {
		if (!snapshot_object_on(s, (size_t)o, i))
			continue;
		view_endpoint(s, i, ep, sizeof ep);
		scr_detail_printf(d, ROLE_NORMAL, first ? "Reported by" : NULL,
		    cols, "#%zu  %s", i + 1, ep);
		first = false;
	}
	if (first)
		doc_add(d, ROLE_DIM, "Reported by", "-");
	doc_add(d, ROLE_NORMAL, NULL, "");
	/* Pretty-printed now, when a person asks: never kept. */
	doc_add(d, ROLE_HEADER, "Definition", "");
	text = object_definition_text(obj);
	doc_add_raw(d, ROLE_NORMAL, NULL, text, cols);
	free(text);
	doc_add(d, ROLE_NORMAL, NULL, "");
	doc_add(d, ROLE_HEADER, "Message", "");
	text = object_message_text(obj);
	doc_add_raw(d, ROLE_NORMAL, NULL, text != NULL ? text : "-", cols);
	free(text);
}

/* The lines for instance i. */
static void
scr_detail_instance(struct ui *ui, size_t i, int cols, struct doc *d)
{
	const struct snapshot		*s = ui->snap;
	const struct snap_instance	*in = &s->inst[i];
	const struct object		*o;
	char				 clk[16], span[32], *t;
	size_t				 k;

	scr_detail_printf(d, ROLE_HEADER, "Instance", cols, "#%zu", i + 1);
	if (in->label != NULL)
		doc_add_raw(d, ROLE_HEADER, "Label", in->label, cols);
	doc_add_raw(d, ROLE_NORMAL, "URL", in->endpoint, cols);
	t = view_short_text(s, in->verdict_text);
	{
		char *clean = sanitize_text(t, 1024, 0);

		scr_detail_printf(d, ui->stale ? ROLE_STALE :
		    draw_verdict_role(in->verdict), "Verdict", cols, "%s%s: %s",
		    ui->stale ? "stale; last known " : "",
		    verdict_word(in->verdict), clean);
		free(clean);
	}
	free(t);
	if (s->resource_version >= 0)
		scr_detail_printf(d, ROLE_NORMAL, "Catalog", cols,
		    "resource_version %lld%s%s", (long long)s->resource_version,
		    s->version_changed_at != 0 ? ", changed " : "",
		    s->version_changed_at != 0 ? draw_clock(
		    s->version_changed_at, clk, sizeof clk) : "");
	else
		doc_add(d, ROLE_DIM, "Catalog", "resource_version not known");
	if (in->mem_version < 0)
		doc_add(d, ROLE_DIM, "In memory", "not known (the instance "
		    "does not answer dump_internal_state)");
	else if (in->behind_by > 0) {
		scr_detail_span(in->lag_seconds, span, sizeof span);
		scr_detail_printf(d, in->verdict == VERDICT_BEHIND ? ROLE_WARN :
		    ROLE_NORMAL, "In memory", cols, "resource_version %lld: %lld "
		    "behind the catalog, for %s", (long long)in->mem_version,
		    (long long)in->behind_by, span);
	} else
		scr_detail_printf(d, ROLE_NORMAL, "In memory", cols,
		    "resource_version %lld%s", (long long)in->mem_version,
		    s->resource_version >= 0 && in->mem_version >=
		    s->resource_version ? ": in sync with the catalog" : "");
	doc_add_raw(d, ROLE_NORMAL, "Health", in->health_text != NULL &&
	    in->health_text[0] != '\0' ? in->health_text : "-", cols);
	if (in->latency_ms >= 0)
		scr_detail_printf(d, ROLE_NORMAL, "Latency", cols, "%ld ms",
		    in->latency_ms);
	else
		doc_add(d, ROLE_DIM, "Latency", "-");
	doc_add_raw(d, ROLE_NORMAL, "Server", in->server_version != NULL ?
	    in->server_version : "-", cols);
	doc_add(d, ROLE_NORMAL, "Last good", in->last_ok != 0 ?
	    draw_clock(in->last_ok, clk, sizeof clk) : "never");
	if (in->last_error != NULL) {
		doc_add_raw(d, ROLE_ERROR, "Last error", in->last_error, cols);
		scr_detail_printf(d, ROLE_NORMAL, NULL, cols, "%d failed "
		    "probe%s in a row", in->failures, in->failures == 1 ? "" :
		    "s");
	} else
		doc_add(d, ROLE_NORMAL, "Last error", "-");
	if (in->reload.in_flight)
		scr_detail_printf(d, ROLE_WARN, "Last reload", cols, "sent %s, "
		    "waiting for its answer", draw_clock(in->reload.at, clk,
		    sizeof clk));
	else if (in->reload.at != 0) {
		char	*res = sanitize_text(in->reload.result != NULL ?
			    in->reload.result : "-", 512, 0);

		scr_detail_printf(d, in->reload.ok && in->reload.consistent ?
		    ROLE_NORMAL : ROLE_WARN, "Last reload", cols, "%s: %s",
		    draw_clock(in->reload.at, clk, sizeof clk), res);
		free(res);
	} else
		doc_add(d, ROLE_NORMAL, "Last reload", "none sent through it");
	if (in->instance_id != NULL)
		doc_add_raw(d, ROLE_NORMAL, "Instance id", in->instance_id,
		    cols);
	else
		doc_add_clean(d, ROLE_DIM, "Instance id", "not known yet (seen "
		    "when a reload hasync sends through it changes the "
		    "catalog)", cols);
	doc_add_clean(d, ROLE_KEY, "What to do", advice_instance(ui->stale ?
	    VERDICT_STALE : in->verdict), cols);
	doc_add(d, ROLE_NORMAL, NULL, "");
	if (!in->consistency_known) {
		doc_add(d, ROLE_DIM, "Objects", "not known yet");
		return;
	}
	scr_detail_printf(d, ROLE_HEADER, "Objects", cols, "%zu inconsistent "
	    "object%s", in->objects->n, in->objects->n == 1 ? "" : "s");
	for (k = 0; k < in->objects->n; k++) {
		char	*type, *name, *cause;

		o = &in->objects->v[k];
		type = sanitize_text(o->type, 128, 0);
		name = sanitize_text(view_object_name(o), 256, 0);
		cause = sanitize_text(o->cause != NULL ? o->cause : o->reason,
		    512, 0);
		scr_detail_printf(d, ROLE_NORMAL, NULL, cols, "%s %s: %s",
		    type, name, cause);
		free(type);
		free(name);
		free(cause);
	}
	if (in->objects->n > 0)
		doc_add_clean(d, ROLE_KEY, NULL, advice_object(
		    &in->objects->v[0]), cols);
}

/* Word for an event kind. */
static const char *
scr_detail_kind(enum event_kind k)
{
	static const char *const words[] = {
		[EV_DB_CONNECTED] = "database connected",
		[EV_DB_LOST] = "database lost",
		[EV_DB_RESTORED] = "database restored",
		[EV_LISTEN_STARTED] = "listening",
		[EV_VERSION] = "catalog change",
		[EV_HEALTH] = "health",
		[EV_CONSISTENCY] = "consistency",
		[EV_BEHIND] = "sync",
		[EV_RELOAD_SENT] = "reload sent",
		[EV_RELOAD_RESULT] = "reload result",
		[EV_DROP_RESULT] = "drop result",
		[EV_INFO] = "info",
		[EV_ERROR] = "error",
	};

	return ((size_t)k < sizeof words / sizeof words[0] &&
	    words[k] != NULL ? words[k] : "event");
}

/* The lines for event e. */
static void
scr_detail_event(struct ui *ui, const struct snap_event *e, int cols,
    struct doc *d)
{
	const struct snapshot	*s = ui->snap;
	char			 when[64], ep[512];
	struct tm		 tm;
	size_t			 who;

	if (localtime_r(&e->at, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(when, sizeof when, "-");
	doc_add(d, ROLE_HEADER, "Time", when);
	doc_add(d, ROLE_HEADER, "Kind", scr_detail_kind(e->kind));
	if (e->instance >= 0 && (size_t)e->instance < s->n_inst) {
		view_endpoint(s, (size_t)e->instance, ep, sizeof ep);
		scr_detail_printf(d, ROLE_NORMAL, "Instance", cols, "#%d  %s",
		    e->instance + 1, ep);
	}
	if (e->kind == EV_VERSION)
		scr_detail_printf(d, ROLE_NORMAL, "Versions", cols,
		    "resource_version %lld -> %lld", (long long)e->old_version,
		    (long long)e->new_version);
	if (e->writer != NULL) {
		who = view_instance_by_id(s, e->writer);
		if (who > 0)
			scr_detail_printf(d, ROLE_NORMAL, "Writer", cols,
			    "#%zu (instance id %s)", who, e->writer);
		else
			doc_add_raw(d, ROLE_NORMAL, "Writer", e->writer, cols);
	}
	if (e->kind == EV_RELOAD_RESULT || e->kind == EV_DROP_RESULT)
		doc_add(d, e->ok ? ROLE_OK : ROLE_WARN, "Outcome", e->ok ?
		    "worked" : "did not work (or not consistent)");
	doc_add(d, ROLE_NORMAL, NULL, "");
	doc_add_raw(d, ROLE_NORMAL, "Text", e->text, cols);
	{
		char	*t = view_short_text(s, e->text);

		/* As the list shows it, when that differs: "#N" for URLs. */
		if (e->text != NULL && strcmp(t, e->text) != 0)
			scr_detail_short(d, s, ROLE_DIM, "As listed", e->text,
			    cols);
		free(t);
	}
}

/* Draw the detail view in lines y .. y+h-1. */
void
scr_detail_draw(struct ui *ui, int y, int h)
{
	const struct snap_event	*e;
	struct doc		 d = { NULL, 0, 0, DETAIL_LABEL };
	const char		*title = "Details", *gone = NULL;
	long			 o;
	int			 cols;

	cols = COLS - DETAIL_LABEL - 1;
	if (cols < 8)
		cols = 8;
	switch (ui->detail) {
	case DETAIL_OBJECT:
		title = "Inconsistent object";
		o = ui->snap != NULL ? view_object_by_key(ui->snap,
		    ui->detail_key) : -1;
		if (o < 0)
			gone = "This object is no longer reported by any "
			    "instance. Esc goes back.";
		else
			scr_detail_object(ui, o, cols, &d);
		break;
	case DETAIL_INSTANCE:
		title = "Instance";
		if (ui->snap == NULL || ui->detail_inst >= ui->snap->n_inst)
			gone = "No such instance. Esc goes back.";
		else
			scr_detail_instance(ui, ui->detail_inst, cols, &d);
		break;
	case DETAIL_EVENT:
		title = "Event";
		if ((e = scr_events_find(ui->snap, ui->detail_seq)) == NULL)
			gone = "This event has left the list (only the recent "
			    "ones are kept). Esc goes back.";
		else
			scr_detail_event(ui, e, cols, &d);
		break;
	}
	if (gone != NULL) {
		draw_bar(y, title, "Esc back", true);
		draw_text(y + 2, 2, COLS - 2, ROLE_WARN, gone, 0);
		return;
	}
	doc_draw(ui, &d, y, h, title);
	doc_free(&d);
}

/* Handle action a in the detail view. */
bool
scr_detail_key(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case ACT_BACK:
	case ACT_QUIT:
		ui->screen = SCREEN_MAIN;
		return (true);
	default:
		return (doc_key(ui, a));
	}
}
