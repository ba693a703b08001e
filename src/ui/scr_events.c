/*
 * scr_events.c: the events pane: the engine's recent events (version
 * changes, health changes, reloads and their results), newest first, each
 * with its time. Scrollable when focused. UI thread only.
 */
#include "config.h"

#include <stdio.h>

#include <curses.h>

#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"

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
	default:
		return (ROLE_NORMAL);
	}
}

/* Draw the pane at line y, h lines tall. */
void
scr_events_draw(struct ui *ui, int y, int h, bool focused)
{
	const struct snapshot	*s = ui->snap;
	const struct snap_event	*e;
	char			 info[32], clk[16];
	size_t			 k;
	int			 rows, line;

	snprintf(info, sizeof info, "%zu", s != NULL ? s->n_events : 0);
	draw_bar(y, "Events", info, focused);
	rows = h - 1;
	if (s == NULL || rows <= 0)
		return;
	if (focused)
		ui->page_rows = rows;
	/* The events list scrolls; there is no row selection. */
	if (ui->ev.top + (size_t)rows > s->n_events)
		ui->ev.top = s->n_events > (size_t)rows ?
		    s->n_events - (size_t)rows : 0;
	for (k = ui->ev.top; k < s->n_events && (int)(k - ui->ev.top) < rows;
	    k++) {
		e = &s->events[k];
		line = y + 1 + (int)(k - ui->ev.top);
		draw_text(line, 0, 9, ROLE_DIM,
		    draw_clock(e->at, clk, sizeof clk), 0);
		draw_raw(line, 9, COLS - 9, scr_events_role(e), e->text, 0);
	}
}

/* Handle action a in the events pane; false if not ours. */
bool
scr_events_key(struct ui *ui, enum ui_action a)
{
	size_t	n = ui->snap != NULL ? ui->snap->n_events : 0;
	size_t	page = ui->page_rows > 0 ? (size_t)ui->page_rows : 1;

	switch (a) {
	case ACT_UP:
		if (ui->ev.top > 0)
			ui->ev.top--;
		return (true);
	case ACT_DOWN:
		if (ui->ev.top + page < n)
			ui->ev.top++;
		return (true);
	case ACT_PGUP:
		ui->ev.top = ui->ev.top > page ? ui->ev.top - page : 0;
		return (true);
	case ACT_PGDN:
		ui->ev.top += page;
		return (true);
	case ACT_HOME:
		ui->ev.top = 0;
		return (true);
	case ACT_END:
		ui->ev.top = n;
		return (true);
	default:
		return (false);
	}
}
