/*
 * scr_objects.c: the inconsistent objects pane: the union over instances,
 * one row per object with its type, its name (without the type again),
 * its root cause and the instances that report it (by their number in
 * the instances pane). "/" filters by a substring of type, name, reason or
 * cause and the bar shows "N of M"; Enter opens scr_detail. The selection
 * follows the object key. UI thread only.
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
#include "hasync/ui_view.h"
#include "hasync/xmalloc.h"

/* "all 3" or "1,3" for union object o; the instances that report it. */
static void
scr_objects_where(const struct snapshot *s, size_t o, char *buf, size_t len)
{
	size_t	i, off = 0;
	int	n;

	buf[0] = '\0';
	if (s->objects[o].n_instances == s->n_inst && s->n_inst > 1) {
		snprintf(buf, len, "all %zu", s->n_inst);
		return;
	}
	for (i = 0; i < s->n_inst && off + 1 < len; i++) {
		if (!snapshot_object_on(s, o, i))
			continue;
		n = snprintf(buf + off, len - off, "%s%zu", off ? "," : "",
		    i + 1);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/* Whether any instance has told us its consistency. */
static bool
scr_objects_known(const struct snapshot *s)
{
	size_t	i;

	for (i = 0; i < s->n_inst; i++)
		if (s->inst[i].consistency_known)
			return (true);
	return (false);
}

/* Draw the pane at line y, h lines tall. */
void
scr_objects_draw(struct ui *ui, int y, int h, bool focused)
{
	const struct snapshot	*s = ui->snap;
	const struct object	*o;
	char			 info[256], where[64], fil[96];
	enum role		 rr;
	size_t			 k;
	int			 wt, wn, wr, ww, x, rows, line;

	if (s == NULL) {
		draw_bar(y, "Inconsistent objects", "", focused);
		return;
	}
	if (ui->filter[0] != '\0') {
		text_fit(fil, sizeof fil, ui->filter, 30, 0);
		snprintf(info, sizeof info, "%zu of %zu  filter \"%s\"",
		    ui->n_obj_idx, s->n_objects, fil);
	} else
		snprintf(info, sizeof info, "%zu", s->n_objects);
	draw_bar(y, "Inconsistent objects", info, focused);
	if (h < 2)
		return;
	ww = 6;
	wt = 15;
	wn = (COLS - wt - ww - 3) / 3;
	wr = COLS - wt - wn - ww - 3;
	draw_fill(y + 1, ROLE_HEADER);
	draw_text(y + 1, 0, wt, ROLE_HEADER, "type", 0);
	draw_text(y + 1, wt + 1, wn, ROLE_HEADER, "name", 0);
	draw_text(y + 1, wt + wn + 2, wr, ROLE_HEADER, "cause", 0);
	draw_text(y + 1, wt + wn + wr + 3, ww, ROLE_HEADER, "on", 0);
	rows = h - 2;
	if (focused)
		ui->page_rows = rows;
	if (ui->n_obj_idx == 0) {
		draw_text(y + 2, 1, COLS - 1, ROLE_DIM, s->n_objects > 0 ?
		    "nothing matches the filter (Esc clears it)" :
		    scr_objects_known(s) ? "none: the metadata is consistent" :
		    "unknown: no instance has reported its consistency yet", 0);
		return;
	}
	draw_list_clamp(&ui->obj, ui->n_obj_idx, rows);
	for (k = ui->obj.top; k < ui->n_obj_idx &&
	    (int)(k - ui->obj.top) < rows; k++) {
		o = s->objects[ui->obj_idx[k]].obj;
		line = y + 2 + (int)(k - ui->obj.top);
		rr = ROLE_NORMAL;
		if (k == ui->obj.sel)
			rr = focused ? ROLE_SELECTED : ROLE_SELECTED_DIM;
		draw_fill(line, rr);
		x = 0;
		draw_raw(line, x, wt, rr, o->type, 0);
		x += wt + 1;
		draw_raw(line, x, wn, rr, view_object_name(o), 0);
		x += wn + 1;
		{
			/* The end of a cause says most ("(Connection
			 * refused)"): keep both ends. */
			char	*clean = sanitize_text(o->cause != NULL ?
				    o->cause : o->reason, 1024, 0);
			char	 cut[512];

			text_elide(cut, sizeof cut, clean, wr, 0, 0);
			draw_text(line, x, wr, rr, cut, 0);
			free(clean);
		}
		x += wr + 1;
		scr_objects_where(s, ui->obj_idx[k], where, sizeof where);
		draw_text(line, x, ww, rr, where, 0);
	}
}

/* Remember the selected object's key so the selection survives. */
static void
scr_objects_remember(struct ui *ui)
{
	free(ui->obj_sel_key);
	ui->obj_sel_key = NULL;
	if (ui->snap != NULL && ui->obj.sel < ui->n_obj_idx)
		ui->obj_sel_key = xstrdup(
		    ui->snap->objects[ui->obj_idx[ui->obj.sel]].obj->key);
}

/* Handle action a in the objects pane; false if not ours. */
bool
scr_objects_key(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case ACT_ENTER:
		if (ui->snap == NULL || ui->obj.sel >= ui->n_obj_idx)
			return (true);
		free(ui->detail_key);
		ui->detail_key = xstrdup(
		    ui->snap->objects[ui->obj_idx[ui->obj.sel]].obj->key);
		ui_open_detail(ui, DETAIL_OBJECT);
		return (true);
	case ACT_BACK:
		if (ui->filter[0] == '\0')
			return (false);
		ui->filter[0] = '\0';
		ui_refilter(ui);
		return (true);
	default:
		break;
	}
	if (ui_list_key(&ui->obj, ui->n_obj_idx, a, ui->page_rows)) {
		scr_objects_remember(ui);
		return (true);
	}
	return (false);
}
