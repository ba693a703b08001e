/*
 * scr_detail.c: the detail view of one inconsistent object: type, name,
 * the full reason wrapped, the instances that report it, and the
 * definition and message (pretty JSON from the snapshot), scrollable. The
 * object is found again by key in every new snapshot. UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/xmalloc.h"

#define DETAIL_LABEL	12

struct detail_line {
	enum role	 role;
	const char	*label;		/* static; NULL on continuation lines */
	char		*text;		/* clean; owned */
};

struct detail_doc {
	struct detail_line	*v;
	size_t			 n, cap;
};

/* Add one line. */
static void
scr_detail_add(struct detail_doc *d, enum role r, const char *label,
    const char *clean)
{
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 64 : d->cap * 2;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n].role = r;
	d->v[d->n].label = label;
	d->v[d->n].text = xstrdup(clean);
	d->n++;
}

/* Add raw server text, sanitised (newlines kept) and wrapped to cols. */
static void
scr_detail_add_raw(struct detail_doc *d, enum role r, const char *label,
    const char *raw, int cols)
{
	char	*clean, **lines;
	size_t	 n, i;

	clean = sanitize_text(raw != NULL ? raw : "-", (size_t)-1,
	    SANITIZE_KEEP_NEWLINES);
	n = text_wrap(clean, cols, &lines);
	for (i = 0; i < n; i++)
		scr_detail_add(d, r, i == 0 ? label : NULL, lines[i]);
	text_lines_free(lines, n);
	free(clean);
}

/* Free a document. */
static void
scr_detail_free(struct detail_doc *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
}

/* Build the lines for union object o at width cols. */
static void
scr_detail_build(struct ui *ui, long o, int cols, struct detail_doc *d)
{
	const struct snapshot	*s = ui->snap;
	const struct object	*obj = s->objects[o].obj;
	char			 buf[64];
	char			*ep, *text;
	size_t			 i;
	bool			 first = true;

	scr_detail_add_raw(d, ROLE_HEADER, "Type", obj->type, cols);
	scr_detail_add_raw(d, ROLE_HEADER, "Name", obj->name, cols);
	scr_detail_add_raw(d, ROLE_NORMAL, "Reason", obj->reason, cols);
	for (i = 0; i < s->n_inst; i++) {
		if (!snapshot_object_on(s, (size_t)o, i))
			continue;
		ep = sanitize_text(s->inst[i].endpoint, 512, 0);
		snprintf(buf, sizeof buf, "%zu  ", i + 1);
		{
			char	*line;

			xasprintf(&line, "%s%s", buf, ep);
			scr_detail_add(d, ROLE_NORMAL,
			    first ? "Reported by" : NULL, line);
			free(line);
		}
		free(ep);
		first = false;
	}
	if (first)
		scr_detail_add(d, ROLE_DIM, "Reported by", "-");
	scr_detail_add(d, ROLE_NORMAL, NULL, "");
	/* Pretty-printed now, when a person asks: never kept. */
	scr_detail_add(d, ROLE_HEADER, "Definition", "");
	text = object_definition_text(obj);
	scr_detail_add_raw(d, ROLE_NORMAL, NULL, text, cols);
	free(text);
	scr_detail_add(d, ROLE_NORMAL, NULL, "");
	scr_detail_add(d, ROLE_HEADER, "Message", "");
	text = object_message_text(obj);
	scr_detail_add_raw(d, ROLE_NORMAL, NULL, text != NULL ? text : "-",
	    cols);
	free(text);
}

/* Draw the detail view in lines y .. y+h-1. */
void
scr_detail_draw(struct ui *ui, int y, int h)
{
	struct detail_doc	 d = { NULL, 0, 0 };
	char			 info[64];
	long			 o;
	size_t			 i;
	int			 cols;

	o = ui->snap != NULL ? view_object_by_key(ui->snap, ui->detail_key) :
	    -1;
	if (o < 0) {
		draw_bar(y, "Object", "", true);
		draw_text(y + 2, 2, COLS - 2, ROLE_WARN, "This object is no "
		    "longer reported by any instance. Esc goes back.", 0);
		return;
	}
	cols = COLS - DETAIL_LABEL - 1;
	if (cols < 8)
		cols = 8;
	scr_detail_build(ui, o, cols, &d);
	if (h - 1 > 0 && ui->detail_top + (size_t)(h - 1) > d.n)
		ui->detail_top = d.n > (size_t)(h - 1) ? d.n - (size_t)(h - 1) :
		    0;
	snprintf(info, sizeof info, "lines %zu-%zu of %zu  Esc back",
	    d.n > 0 ? ui->detail_top + 1 : 0,
	    ui->detail_top + (size_t)(h - 1) < d.n ?
	    ui->detail_top + (size_t)(h - 1) : d.n, d.n);
	draw_bar(y, "Inconsistent object", info, true);
	ui->page_rows = h - 1;
	for (i = ui->detail_top; i < d.n && (int)(i - ui->detail_top) < h - 1;
	    i++) {
		if (d.v[i].label != NULL)
			draw_text(y + 1 + (int)(i - ui->detail_top), 0,
			    DETAIL_LABEL, ROLE_HEADER, d.v[i].label, 0);
		draw_text(y + 1 + (int)(i - ui->detail_top), DETAIL_LABEL + 1,
		    COLS - DETAIL_LABEL - 1, d.v[i].role, d.v[i].text, 0);
	}
	scr_detail_free(&d);
}

/* Handle action a in the detail view. */
bool
scr_detail_key(struct ui *ui, enum ui_action a)
{
	size_t	page = ui->page_rows > 1 ? (size_t)ui->page_rows - 1 : 1;

	switch (a) {
	case ACT_BACK:
	case ACT_QUIT:
		ui->screen = SCREEN_MAIN;
		return (true);
	case ACT_UP:
		if (ui->detail_top > 0)
			ui->detail_top--;
		return (true);
	case ACT_DOWN:
		ui->detail_top++;
		return (true);
	case ACT_PGUP:
		ui->detail_top = ui->detail_top > page ?
		    ui->detail_top - page : 0;
		return (true);
	case ACT_PGDN:
		ui->detail_top += page;
		return (true);
	case ACT_HOME:
		ui->detail_top = 0;
		return (true);
	case ACT_END:
		ui->detail_top = (size_t)-1 / 2;
		return (true);
	default:
		return (false);
	}
}
