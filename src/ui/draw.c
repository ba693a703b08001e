/*
 * draw.c: the console's drawing primitives and the parts every screen
 * shares: header (cluster, READ-ONLY, PAUSED, STALE, freshness; the
 * engine's verdict line; database, catalog, resource_version and who
 * wrote it as #N, the metadata summary), pane bars, status line,
 * footer (from the key table), the confirmation modal and the "terminal
 * too small" notice. Everything is drawn into stdscr; ui.c calls
 * doupdate() once per frame. UI thread only.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "hasync/config.h"
#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"

#define DRAW_BUF	2048

/* Fit s (raw: sanitise it first) to cols columns at (y, x) in role r. */
static void
draw_fitted(int y, int x, int cols, enum role r, const char *s, int flags,
    bool raw)
{
	char	buf[DRAW_BUF];

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || cols <= 0)
		return;
	if (cols > COLS - x)
		cols = COLS - x;
	if (cols > DRAW_BUF / 5)
		cols = DRAW_BUF / 5;
	if (raw)
		text_fit_raw(buf, sizeof buf, s, cols, flags);
	else
		text_fit(buf, sizeof buf, s, cols, flags);
	attrset(color_attr(r));
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

/* Draw clean text s at (y, x), fitted to cols columns, in role r. */
void
draw_text(int y, int x, int cols, enum role r, const char *s, int flags)
{
	draw_fitted(y, x, cols, r, s, flags, false);
}

/* Draw raw server text: sanitise, then as draw_text(). */
void
draw_raw(int y, int x, int cols, enum role r, const char *raw, int flags)
{
	draw_fitted(y, x, cols, r, raw, flags, true);
}

/* Fill line y with blanks in role r. */
void
draw_fill(int y, enum role r)
{
	if (y < 0 || y >= LINES)
		return;
	attrset(color_attr(r));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
}

/* Append clean text at *x on line y, up to column right; advance *x. */
static void
draw_put(int y, int *x, int right, enum role r, const char *s)
{
	int	w;

	if (*x >= right)
		return;
	w = text_width(s);
	if (w > right - *x)
		w = right - *x;
	draw_text(y, *x, w, r, s, 0);
	*x += w;
}

/* Append raw server text at *x, as draw_put(), at most max columns. */
static void
draw_put_raw(int y, int *x, int right, enum role r, const char *raw, int max)
{
	char	buf[DRAW_BUF];

	if (*x >= right)
		return;
	if (max > right - *x)
		max = right - *x;
	if (max > DRAW_BUF / 5)
		max = DRAW_BUF / 5;
	text_fit_raw(buf, sizeof buf, raw, max, 0);
	draw_put(y, x, right, r, buf);
}

/* Format wall-clock t as HH:MM:SS into buf. */
const char *
draw_clock(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "--:--:--");
		return (buf);
	}
	strftime(buf, len, "%H:%M:%S", &tm);
	return (buf);
}

/* The UTF-8 glyph u, or its ASCII stand-in a. */
const char *
draw_glyph(const char *u, const char *a)
{
	return (text_utf8() ? u : a);
}

/* Draw a pane title bar: title, then info, full width. */
void
draw_bar(int y, const char *title, const char *info, bool focused)
{
	enum role	r = focused ? ROLE_BAR_FOCUS : ROLE_BAR;
	int		x = 0;

	draw_fill(y, r);
	draw_put(y, &x, COLS, r, focused ? draw_glyph("\xe2\x96\xb6 ", "> ") :
	    "  ");
	draw_put(y, &x, COLS, r, title);
	if (info != NULL && *info != '\0') {
		draw_put(y, &x, COLS, r, "  ");
		draw_put(y, &x, COLS, r, info);
	}
}

/* Make l's selection valid for n rows and scroll it into h visible rows. */
void
draw_list_clamp(struct ui_list *l, size_t n, int h)
{
	size_t	rows = h > 0 ? (size_t)h : 1;

	if (n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
	if (l->top + rows > n)
		l->top = n > rows ? n - rows : 0;
}

/* Seconds since the last complete probe round, or -1. */
static double
draw_age(const struct snapshot *s)
{
	if (s == NULL || s->probed_at == 0)
		return (-1);
	return (ui_now() - s->probed_mono);
}

/* Whether the whole picture is stale: no round for 3 probe intervals. */
bool
draw_stale(const struct snapshot *s)
{
	double	age = draw_age(s);

	return (s != NULL && s->probed_at != 0 && s->probe_interval_ms > 0 &&
	    age > 3.0 * (double)s->probe_interval_ms / 1000.0);
}

/* Role for a verdict (the word is always shown as well): green only when
 * all is fine. */
enum role
draw_verdict_role(int v)
{
	switch ((enum verdict)v) {
	case VERDICT_OK:
		return (ROLE_OK);
	case VERDICT_SYNCING:
	case VERDICT_UNKNOWN:
		return (ROLE_DIM);
	case VERDICT_STALE:
		return (ROLE_STALE);
	case VERDICT_INCONSISTENT:
	case VERDICT_DISAGREES:
	case VERDICT_BEHIND:
		return (ROLE_WARN);
	default:
		return (ROLE_ERROR);
	}
}

/* Top line: cluster label, READ-ONLY, PAUSED, STALE and freshness. */
static void
draw_title(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	char			 right[128], clk[16];
	double			 age = draw_age(s);
	int			 x = 0, rw = 0, rx;

	draw_fill(0, ROLE_TITLE);
	draw_put(0, &x, COLS, ROLE_TITLE, " hasync ");
	if (ui->readonly) {
		draw_put(0, &x, COLS, ROLE_STALE, "READ-ONLY");
		draw_put(0, &x, COLS, ROLE_TITLE, " ");
	}
	if (s == NULL) {
		draw_put(0, &x, COLS, ROLE_TITLE, " starting...");
		return;
	}
	right[0] = '\0';
	if (s->probed_at == 0)
		snprintf(right, sizeof right, "waiting for the first probe ");
	else
		snprintf(right, sizeof right, "updated %s (%lds ago) ",
		    draw_clock(s->probed_at, clk, sizeof clk),
		    (long)(age < 0 ? 0 : age));
	rw = text_width(right) + (ui->stale ? 6 : 0) + (s->paused ? 7 : 0);
	draw_put_raw(0, &x, COLS - rw - 1, ROLE_TITLE, s->label, COLS);
	rx = COLS - rw;
	if (rx <= x)
		rx = x + 1;
	if (s->paused)
		draw_put(0, &rx, COLS, ROLE_STALE, "PAUSED");
	if (s->paused)
		draw_put(0, &rx, COLS, ROLE_TITLE, " ");
	if (ui->stale)
		draw_put(0, &rx, COLS, ROLE_STALE, "STALE");
	if (ui->stale)
		draw_put(0, &rx, COLS, ROLE_TITLE, " ");
	draw_put(0, &rx, COLS, ROLE_TITLE, right);
}

/* Second line: the cluster in one line, from the engine's verdict. */
static void
draw_verdict(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	enum role		 r;
	char			*shorter;
	int			 x = 1;

	if (s == NULL || s->verdict_line == NULL)
		return;
	if (ui->stale) {
		draw_put(1, &x, COLS, ROLE_STALE, "STALE");
		draw_put(1, &x, COLS, ROLE_DIM, " last known: ");
		r = ROLE_DIM;
	} else if (s->problems == 0)
		r = s->probed_at == 0 ? ROLE_DIM : ROLE_OK;
	else {
		size_t	i;

		r = ROLE_WARN;
		for (i = 0; i < s->n_inst; i++)
			if (s->inst[i].verdict <= VERDICT_ERROR)
				r = ROLE_ERROR;
		if (s->db == DB_LOST)
			r = ROLE_ERROR;
	}
	shorter = view_short_text(s, s->verdict_line);
	draw_put_raw(1, &x, COLS, r, shorter, COLS);
	free(shorter);
}

/* "1 source", "3 tables": n and the right form of the noun. */
static int
draw_count(char *buf, size_t len, int n, const char *one, const char *many)
{
	return (snprintf(buf, len, "%d %s", n, n == 1 ? one : many));
}

/* Third line: database, catalog, resource_version and who changed it,
 * then the metadata summary as far as it fits. */
static void
draw_catalog(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	const struct meta_summary *m;
	const char		*sep = draw_glyph(" \xc2\xb7 ", " | ");
	char			 buf[256], clk[16];
	size_t			 who;
	int			 x = 1, i;

	if (s == NULL)
		return;
	switch (s->db) {
	case DB_NONE:
		draw_put(2, &x, COLS, ROLE_DIM,
		    "no --database-url: catalog not watched");
		break;
	case DB_CONNECTING:
		draw_put(2, &x, COLS, ROLE_WARN, "db connecting");
		break;
	case DB_OK:
		draw_put(2, &x, COLS, ROLE_OK, "db ok");
		break;
	case DB_LOST:
		draw_put(2, &x, COLS, ROLE_ERROR, "db LOST");
		if (s->db_error != NULL) {
			draw_put(2, &x, COLS, ROLE_ERROR, ": ");
			draw_put_raw(2, &x, COLS, ROLE_ERROR, s->db_error, 40);
		}
		snprintf(buf, sizeof buf, ", retrying every 0.5s (attempt %d)",
		    s->db_attempt);
		draw_put(2, &x, COLS, ROLE_NORMAL, buf);
		break;
	case DB_STUCK:
		draw_put(2, &x, COLS, ROLE_ERROR, "db STUCK");
		if (s->db_error != NULL) {
			draw_put(2, &x, COLS, ROLE_ERROR, ": ");
			draw_put_raw(2, &x, COLS, ROLE_ERROR, s->db_error, 48);
		}
		snprintf(buf, sizeof buf, ", retrying (attempt %d)",
		    s->db_attempt);
		draw_put(2, &x, COLS, ROLE_NORMAL, buf);
		break;
	}
	if (s->db != DB_NONE) {
		draw_put(2, &x, COLS, ROLE_NORMAL, sep);
		draw_put(2, &x, COLS, ROLE_NORMAL, "catalog ");
		draw_put_raw(2, &x, COLS, ROLE_NORMAL,
		    s->catalog_kind != NULL ? s->catalog_kind : "?", 8);
		draw_put(2, &x, COLS, ROLE_NORMAL, " ");
		draw_put_raw(2, &x, COLS, ROLE_NORMAL,
		    s->catalog_version != NULL ? s->catalog_version : "?", 12);
	}
	if (s->resource_version >= 0 || s->db != DB_NONE) {
		draw_put(2, &x, COLS, ROLE_NORMAL, sep);
		draw_put(2, &x, COLS, ROLE_NORMAL, "resource_version ");
		if (s->resource_version < 0)
			snprintf(buf, sizeof buf, "?");
		else
			snprintf(buf, sizeof buf, "%lld",
			    (long long)s->resource_version);
		draw_put(2, &x, COLS, ROLE_HEADER, buf);
	}
	if (s->version_changed_at != 0) {
		snprintf(buf, sizeof buf, " changed %s",
		    draw_clock(s->version_changed_at, clk, sizeof clk));
		draw_put(2, &x, COLS, ROLE_NORMAL, buf);
		if (s->version_writer != NULL) {
			draw_put(2, &x, COLS, ROLE_NORMAL, " by ");
			if ((who = view_instance_by_id(s, s->version_writer)) >
			    0) {
				snprintf(buf, sizeof buf, "#%zu", who);
				draw_put(2, &x, COLS, ROLE_HEADER, buf);
			} else
				draw_put_raw(2, &x, COLS, ROLE_NORMAL,
				    s->version_writer, 40);
		}
	}
	m = &s->meta;
	if (!m->known)
		return;
	{
		const struct {
			int		 n;
			const char	*one, *many;
		} items[] = {
			{ m->sources, "source", "sources" },
			{ m->tables, "table", "tables" },
			{ m->remote_schemas, "remote schema", "remote schemas" },
			{ m->actions, "action", "actions" },
			{ m->event_triggers, "event trigger", "event triggers" },
			{ m->cron_triggers, "cron trigger", "cron triggers" },
		};
		bool	first = true;

		for (i = 0; i < (int)(sizeof items / sizeof items[0]); i++) {
			if (items[i].n == 0 && i > 1)
				continue;	/* no "0 actions" */
			draw_put(2, &x, COLS, ROLE_NORMAL, first ? sep : ", ");
			draw_count(buf, sizeof buf, items[i].n, items[i].one,
			    items[i].many);
			draw_put(2, &x, COLS, ROLE_NORMAL, buf);
			first = false;
		}
	}
}

/* The three header lines. */
void
draw_header(struct ui *ui)
{
	draw_title(ui);
	draw_verdict(ui);
	draw_catalog(ui);
}

/* What is in flight, for the footer: "reloading cluster... 3s". */
static void
draw_activity(struct ui *ui, char *buf, size_t len)
{
	const struct snapshot	*s = ui->snap;
	size_t			 i, n = 0;
	long			 since = 0;
	time_t			 now = time(NULL);

	buf[0] = '\0';
	if (s == NULL)
		return;
	for (i = 0; i < s->n_inst; i++) {
		if (!s->inst[i].reload.in_flight)
			continue;
		if (n++ == 0 && s->inst[i].reload.at != 0)
			since = (long)(now - s->inst[i].reload.at);
	}
	if (s->activity != NULL) {
		char	*p;

		text_fit_raw(buf, len, s->activity, 40, 0);
		p = buf + strlen(buf);
		if (n > 0)
			snprintf(p, len - (size_t)(p - buf), " %lds", since);
	} else if (n == 1)
		snprintf(buf, len, "reloading 1 instance... %lds", since);
	else if (n > 1)
		snprintf(buf, len, "reloading %zu instances... %lds", n, since);
}

/* Message line and footer (key hints from the key table). */
void
draw_footer(struct ui *ui)
{
	const struct keybind	*k;
	char			 act[128], buf[160];
	size_t			 n, i;
	int			 y = LINES - 1, x = 0, w;

	/* The message line. */
	draw_fill(LINES - 2, ROLE_NORMAL);
	if (ui->filter_edit) {
		x = 0;
		draw_put(LINES - 2, &x, COLS, ROLE_HEADER, "Filter: ");
		draw_put(LINES - 2, &x, COLS, ROLE_NORMAL, ui->filter);
		draw_put(LINES - 2, &x, COLS, ROLE_SELECTED, " ");
		draw_put(LINES - 2, &x, COLS, ROLE_DIM,
		    "  (Enter keeps, Esc clears)");
	} else if (ui->msg[0] != '\0')
		draw_text(LINES - 2, 0, COLS, ui->msg_role, ui->msg, 0);

	/* The footer: activity first, then the keys that fit. */
	draw_fill(y, ROLE_NORMAL);
	x = 0;
	draw_activity(ui, act, sizeof act);
	if (act[0] != '\0') {
		snprintf(buf, sizeof buf, "%s %s ",
		    draw_glyph("\xe2\x9f\xb3", "*"), act);
		draw_put(y, &x, COLS, ROLE_WARN, buf);
	}
	if (ui->snap != NULL && ui->snap->paused) {
		draw_put(y, &x, COLS, ROLE_STALE, "PAUSED");
		draw_put(y, &x, COLS, ROLE_NORMAL, " ");
	}
	k = keys_table(&n);
	for (i = 0; i < n; i++) {
		if (k[i].fkey == NULL || !keys_enabled(&k[i], ui->readonly))
			continue;
		snprintf(buf, sizeof buf, "%s",
		    k[i].action == ACT_PAUSE && ui->snap != NULL &&
		    ui->snap->paused ? "Resume" : k[i].word);
		w = text_width(k[i].fkey) + text_width(buf) + 1;
		if (x + w > COLS)
			break;
		draw_put(y, &x, COLS, ROLE_NORMAL, k[i].fkey);
		draw_put(y, &x, COLS, ROLE_KEY, buf);
		draw_put(y, &x, COLS, ROLE_NORMAL, " ");
	}
}

/* Draw a box with a border in role r. */
static void
draw_box(int y, int x, int h, int w, enum role r)
{
	int	i;

	attrset(color_attr(r));
	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
}

/* The confirmation modal: names the action and its target; default No. */
void
draw_modal(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	const char		*title, *lines[16];
	const char		*raw[16];
	char			 l0[256], more[64];
	enum role		 r;
	size_t			 n = 0, i, shown;
	int			 w, h, y, x;

	if (ui->modal == MODAL_NONE || s == NULL)
		return;
	memset(raw, 0, sizeof raw);
	if (ui->modal == MODAL_RELOAD_CLUSTER) {
		title = " Reload the whole cluster ";
		r = ROLE_WARN;
		lines[n++] = "Send a full reload (remote schemas and sources)";
		lines[n++] = "through a healthy instance. Every instance";
		lines[n++] = "rebuilds its schema cache.";
		lines[n++] = "";
		lines[n++] = "Reload the cluster? [y/N]";
	} else {
		title = " Drop inconsistent metadata ";
		r = ROLE_ERROR;
		snprintf(l0, sizeof l0, "This removes %zu inconsistent object%s"
		    " from the metadata:", s->n_objects,
		    s->n_objects == 1 ? "" : "s");
		lines[n++] = l0;
		shown = s->n_objects < 5 ? s->n_objects : 5;
		for (i = 0; i < shown; i++) {
			raw[n] = view_object_name(s->objects[i].obj);
			lines[n++] = s->objects[i].obj->type;
		}
		if (s->n_objects > shown) {
			snprintf(more, sizeof more, "  ... and %zu more",
			    s->n_objects - shown);
			lines[n++] = more;
		}
		lines[n++] = "";
		lines[n++] = "Drop them? Type y to drop, anything else keeps"
		    " them. [y/N]";
	}
	w = COLS - 4 < 72 ? COLS - 4 : 72;
	h = (int)n + 4;
	if (h > LINES - 2)
		h = LINES - 2;
	if (w < 10 || h < 4)
		return;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	draw_box(y, x, h, w, r);
	draw_text(y, x + 2, w - 4, r, title, 0);
	for (i = 0; i < n && (int)i < h - 4; i++) {
		if (raw[i] != NULL) {
			int	cx = x + 2;

			draw_put(y + 2 + (int)i, &cx, x + w - 2,
			    ROLE_NORMAL, "  - ");
			draw_put_raw(y + 2 + (int)i, &cx, x + w - 2,
			    ROLE_NORMAL, lines[i], 24);
			draw_put(y + 2 + (int)i, &cx, x + w - 2,
			    ROLE_NORMAL, " ");
			draw_put_raw(y + 2 + (int)i, &cx, x + w - 2,
			    ROLE_NORMAL, raw[i], w);
		} else
			draw_text(y + 2 + (int)i, x + 2, w - 4,
			    i + 1 == n ? r : ROLE_NORMAL, lines[i], 0);
	}
}

/* The whole screen when the terminal is below 60x15. */
void
draw_too_small(void)
{
	char	 msg[128];
	char	**lines;
	size_t	 n, i;
	int	 y;

	snprintf(msg, sizeof msg, "terminal too small (%dx%d, need %dx%d); "
	    "q quits", COLS, LINES, UI_MIN_COLS, UI_MIN_LINES);
	n = text_wrap(msg, COLS, &lines);
	y = (LINES - (int)n) / 2;
	if (y < 0)
		y = 0;
	for (i = 0; i < n && y + (int)i < LINES; i++)
		draw_text(y + (int)i, 0, COLS, ROLE_NORMAL, lines[i], 0);
	text_lines_free(lines, n);
}
