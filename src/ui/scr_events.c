/*
 * scr_events.c: the events pane: the engine's recent events (version
 * changes, health changes, reloads and their results), newest first, each
 * with its time; endpoints and known instance ids read "#N". When focused
 * it has a selection, and Enter shows the event in full. While the
 * selection is on the newest event the pane follows new ones; anywhere
 * else it stays on the same event (kept by seq) as new ones arrive, and
 * the bar counts them ("3 new, Home"). UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"

/* Role of an event line: errors stand out (the text says what it is). */
static enum role
scr_events_role(const struct snap_event *e)
{
	switch (e->kind) {
	case EV_ERROR:
	case EV_DB_LOST:
		return (ROLE_ERROR);
	case EV_BEHIND:
	case EV_CONSISTENCY:
		return (ROLE_WARN);
	case EV_RELOAD_RESULT:
	case EV_DROP_RESULT:
		return (e->ok ? ROLE_NORMAL : ROLE_WARN);
	default:
		return (ROLE_NORMAL);
	}
}

/* Position of the event with this seq in s, or -1. */
static long
scr_events_pos(const struct snapshot *s, uint64_t seq)
{
	size_t	i;

	for (i = 0; i < s->n_events; i++)
		if (s->events[i].seq == seq)
			return ((long)i);
	return (-1);
}

/* The event with this seq, or NULL. */
const struct snap_event *
scr_events_find(const struct snapshot *s, uint64_t seq)
{
	long	p = s != NULL ? scr_events_pos(s, seq) : -1;

	return (p >= 0 ? &s->events[p] : NULL);
}

/* After a new snapshot: keep the selection and the first row shown on
 * the same events, unless following the newest. */
void
scr_events_follow(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	long			 p;

	if (s == NULL)
		return;
	if (ui->ev_sel_seq == 0) {
		ui->ev.sel = ui->ev.top = 0;
		ui->ev_mark = s->n_events > 0 ? s->events[0].seq : 0;
		return;
	}
	if ((p = scr_events_pos(s, ui->ev_sel_seq)) >= 0)
		ui->ev.sel = (size_t)p;
	if ((p = scr_events_pos(s, ui->ev_top_seq)) >= 0)
		ui->ev.top = (size_t)p;
}

/* Remember where the selection is, by seq (0: following the newest). */
static void
scr_events_remember(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;

	if (s == NULL || s->n_events == 0 || ui->ev.sel == 0) {
		ui->ev_sel_seq = ui->ev_top_seq = 0;
		if (s != NULL && s->n_events > 0)
			ui->ev_mark = s->events[0].seq;
		return;
	}
	if (ui->ev.sel >= s->n_events)
		ui->ev.sel = s->n_events - 1;
	ui->ev_sel_seq = s->events[ui->ev.sel].seq;
	ui->ev_top_seq = s->events[ui->ev.top < s->n_events ? ui->ev.top :
	    0].seq;
}

/* Draw the pane at line y, h lines tall. */
void
scr_events_draw(struct ui *ui, int y, int h, bool focused)
{
	const struct snapshot	*s = ui->snap;
	const struct snap_event	*e;
	char			 info[64], clk[16], *txt;
	size_t			 k, fresh = 0;
	enum role		 r;
	int			 rows, line;

	for (k = 0; s != NULL && k < s->n_events; k++)
		if (ui->ev_sel_seq != 0 && s->events[k].seq > ui->ev_mark)
			fresh++;
	if (fresh > 0)
		snprintf(info, sizeof info, "%zu  %s %zu new (Home)",
		    s->n_events, draw_glyph("\xe2\x96\xb2", "^"), fresh);
	else
		snprintf(info, sizeof info, "%zu", s != NULL ? s->n_events :
		    (size_t)0);
	draw_bar(y, "Events", info, focused);
	rows = h - 1;
	if (s == NULL || rows <= 0)
		return;
	if (focused)
		ui->page_rows = rows;
	draw_list_clamp(&ui->ev, s->n_events, rows);
	if (ui->ev_sel_seq != 0)
		ui->ev_top_seq = s->n_events > 0 ? s->events[ui->ev.top].seq :
		    0;
	for (k = ui->ev.top; k < s->n_events && (int)(k - ui->ev.top) < rows;
	    k++) {
		e = &s->events[k];
		line = y + 1 + (int)(k - ui->ev.top);
		r = scr_events_role(e);
		if (focused && k == ui->ev.sel) {
			r = ROLE_SELECTED;
			draw_fill(line, r);
		}
		draw_text(line, 0, 9, focused && k == ui->ev.sel ? r : ROLE_DIM,
		    draw_clock(e->at, clk, sizeof clk), 0);
		txt = view_short_text(s, e->text);
		draw_raw(line, 9, COLS - 9, r, txt, 0);
		free(txt);
	}
}

/* Handle action a in the events pane; false if not ours. */
bool
scr_events_key(struct ui *ui, enum ui_action a)
{
	size_t	n = ui->snap != NULL ? ui->snap->n_events : 0;

	if (a == ACT_ENTER) {
		if (n == 0 || ui->ev.sel >= n)
			return (true);
		ui->detail_seq = ui->snap->events[ui->ev.sel].seq;
		ui_open_detail(ui, DETAIL_EVENT);
		return (true);
	}
	if (!ui_list_key(&ui->ev, n, a, ui->page_rows))
		return (false);
	draw_list_clamp(&ui->ev, n, ui->page_rows > 0 ? ui->page_rows : 1);
	scr_events_remember(ui);
	return (true);
}
