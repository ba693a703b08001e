/*
 * scr_instances.c: the instances pane: one row per configured endpoint,
 * led by its verdict (the one word, in the one colour that is green only
 * when all is fine), then its number, its endpoint (host:port, the label
 * of -e NAME=URL first), and as far as they fit its in-memory
 * resource_version, inconsistent object count, latency, server version,
 * and why the verdict is not ok (or the last reload). When the terminal
 * is narrow, low-priority columns go before the endpoint shrinks, and an
 * endpoint that must shrink loses its middle, never the part that tells it
 * apart from the others. When the whole picture is stale every row says
 * so. Sorted worst first by default; the selection follows the same
 * endpoint across refreshes. UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"
#include "hasync/xmalloc.h"

enum inst_col {
	COL_VERDICT, COL_NUM, COL_ENDPOINT, COL_MEMVER, COL_INCONS,
	COL_LATENCY, COL_VERSION, COL_WHY, COL_COUNT,
};

struct inst_coldef {
	const char	*title;
	int		 width;		/* 0: flexible */
	int		 prio;		/* dropped lowest first when narrow */
	int		 flags;		/* TEXT_RIGHT */
	int		 sort;		/* the enum view_sort it shows, or -1 */
};

static const struct inst_coldef inst_cols[COL_COUNT] = {
	{ "verdict", 12, 10, 0, VIEW_SORT_VERDICT },
	{ "#", 2, 10, TEXT_RIGHT, VIEW_SORT_NUMBER },
	{ "endpoint", 0, 10, 0, VIEW_SORT_ENDPOINT },
	{ "in-memory", 9, 6, TEXT_RIGHT, VIEW_SORT_MEMVER },
	{ "objects", 7, 5, TEXT_RIGHT, VIEW_SORT_INCONSISTENT },
	{ "latency", 7, 3, TEXT_RIGHT, VIEW_SORT_LATENCY },
	{ "version", 9, 2, 0, VIEW_SORT_VERSION },
	{ "why / last reload", 0, 8, 0, -1 },
};

#define INST_MIN_ENDPOINT	12
#define INST_MIN_WHY		16
#define INST_MAX_ENDPOINT	60
#define INST_EP_LEN		512

/*
 * Work out which columns fit in COLS and their widths: the endpoint first
 * gets what its widest text needs; columns are dropped, lowest priority
 * first, before it shrinks; the why column gets the rest.
 */
static void
scr_instances_layout(int want, int *w)
{
	int	total, i, drop;

	if (want < INST_MIN_ENDPOINT)
		want = INST_MIN_ENDPOINT;
	if (want > INST_MAX_ENDPOINT)
		want = INST_MAX_ENDPOINT;
	for (i = 0; i < COL_COUNT; i++)
		w[i] = inst_cols[i].width;
	w[COL_ENDPOINT] = want;
	w[COL_WHY] = INST_MIN_WHY;
	for (;;) {
		total = 0;
		for (i = 0; i < COL_COUNT; i++)
			if (w[i] > 0)
				total += w[i] + 1;
		if (total - 1 <= COLS)
			break;
		drop = -1;
		for (i = 0; i < COL_COUNT; i++) {
			if (w[i] <= 0 || inst_cols[i].prio >= 10)
				continue;
			if (drop == -1 || inst_cols[i].prio < inst_cols[drop].prio)
				drop = i;
		}
		if (drop == -1) {
			/* Only the essentials left: the endpoint shrinks. */
			w[COL_ENDPOINT] -= total - 1 - COLS;
			if (w[COL_ENDPOINT] < 4)
				w[COL_ENDPOINT] = 4;
			return;
		}
		w[drop] = -1;
	}
	if (w[COL_WHY] > 0)
		w[COL_WHY] += COLS - (total - 1);
	else
		w[COL_ENDPOINT] += COLS - (total - 1);
}

/* The why column: the verdict's reason, or for ok the last reload. */
static const char *
scr_instances_why(struct ui *ui, const struct snap_instance *in, char *buf,
    size_t len, enum role *r)
{
	const struct snapshot	*s = ui->snap;
	char			 clk[16], res[200];
	long			 retry;

	if (ui->stale) {
		*r = ROLE_DIM;
		text_fit_raw(res, sizeof res, in->verdict_text, 120, 0);
		snprintf(buf, len, "last known: %s (%s)",
		    verdict_word(in->verdict), res);
		return (buf);
	}
	if (in->reload.in_flight) {
		*r = ROLE_WARN;
		snprintf(buf, len, "reloading... %lds", in->reload.at != 0 ?
		    (long)(time(NULL) - in->reload.at) : 0L);
		return (buf);
	}
	if (in->verdict != VERDICT_OK) {
		*r = draw_verdict_role(in->verdict);
		if (*r == ROLE_OK || *r == ROLE_STALE)
			*r = ROLE_NORMAL;
		text_fit_raw(res, sizeof res, in->verdict_text, 150, 0);
		retry = (long)(s->probed_mono + (double)s->probe_interval_ms /
		    1000.0 - ui_now() + 0.999);
		if (in->last_error != NULL && !s->paused && retry > 0)
			snprintf(buf, len, "%s, retry in %lds", res, retry);
		else
			snprintf(buf, len, "%s", res);
		return (buf);
	}
	*r = ROLE_NORMAL;
	if (in->reload.at == 0)
		return ("-");
	text_fit_raw(res, sizeof res, in->reload.result != NULL ?
	    in->reload.result : (in->reload.ok ? "ok" : "failed"), 60, 0);
	snprintf(buf, len, "reload %s: %s", draw_clock(in->reload.at, clk,
	    sizeof clk), res);
	return (buf);
}

/* Text of cell c for instance i; *r its role. Clean text. */
static const char *
scr_instances_cell(struct ui *ui, size_t i, enum inst_col c, char *buf,
    size_t len, enum role *r)
{
	const struct snapshot		*s = ui->snap;
	const struct snap_instance	*in = &s->inst[i];

	*r = ui->stale ? ROLE_DIM : ROLE_NORMAL;
	switch (c) {
	case COL_NUM:
		snprintf(buf, len, "%zu", i + 1);
		return (buf);
	case COL_VERDICT:
		if (ui->stale) {
			*r = ROLE_STALE;
			return (verdict_word(VERDICT_STALE));
		}
		*r = draw_verdict_role(in->verdict);
		return (verdict_word(in->verdict));
	case COL_LATENCY:
		if (in->latency_ms < 0)
			return ("-");
		snprintf(buf, len, "%ldms", in->latency_ms);
		return (buf);
	case COL_VERSION:
		text_fit_raw(buf, len, in->server_version != NULL ?
		    in->server_version : "-", 40, 0);
		return (buf);
	case COL_INCONS:
		if (!in->consistency_known)
			return ("-");
		snprintf(buf, len, "%zu", in->objects->n);
		if (in->objects->n > 0 && !ui->stale)
			*r = ROLE_WARN;
		return (buf);
	case COL_MEMVER:
		if (in->mem_version < 0)
			return ("-");
		if (in->behind_by > 0)
			snprintf(buf, len, "%lld -%lld",
			    (long long)in->mem_version,
			    (long long)in->behind_by);
		else
			snprintf(buf, len, "%lld", (long long)in->mem_version);
		if (in->verdict == VERDICT_BEHIND && !ui->stale)
			*r = ROLE_WARN;
		return (buf);
	case COL_WHY:
		return (scr_instances_why(ui, in, buf, len, r));
	default:
		return ("");
	}
}

/* A column heading: its name always, the sort arrow only if it fits. */
static void
scr_instances_heading(struct ui *ui, int y, int x, int c, int w)
{
	char		 buf[64];
	const char	*arrow = ui->sort_reverse ?
			    draw_glyph("\xe2\x96\xbc", "v") :
			    draw_glyph("\xe2\x96\xb2", "^");
	bool		 sorted = inst_cols[c].sort >= 0 &&
			    inst_cols[c].sort == (int)ui->sort;

	if (sorted && text_width(inst_cols[c].title) + 1 <= w)
		snprintf(buf, sizeof buf, "%s%s", inst_cols[c].title, arrow);
	else
		snprintf(buf, sizeof buf, "%s", inst_cols[c].title);
	draw_text(y, x, w, ROLE_HEADER, buf, inst_cols[c].flags);
}

/* Draw the pane at line y, h lines tall (bar + headings + rows). */
void
scr_instances_draw(struct ui *ui, int y, int h, bool focused)
{
	const struct snapshot	*s = ui->snap;
	const char		*txt;
	char			 info[96], buf[512], **eps = NULL;
	enum role		 r, rowrole;
	size_t			 k, i, a, b;
	int			 w[COL_COUNT], c, x, rows, want = 0, line;

	snprintf(info, sizeof info, "%zu  sort: %s %s", s != NULL ?
	    s->n_inst : (size_t)0, view_sort_name(ui->sort), ui->sort_reverse ?
	    draw_glyph("\xe2\x96\xbc", "v") : draw_glyph("\xe2\x96\xb2", "^"));
	draw_bar(y, "Instances", info, focused);
	if (h < 2)
		return;
	if (s != NULL && s->n_inst > 0) {
		eps = xcalloc(s->n_inst, sizeof *eps);
		for (i = 0; i < s->n_inst; i++) {
			eps[i] = xmalloc(INST_EP_LEN);
			view_endpoint(s, i, eps[i], INST_EP_LEN);
			if (text_width(eps[i]) > want)
				want = text_width(eps[i]);
		}
	}
	scr_instances_layout(want, w);
	draw_fill(y + 1, ROLE_HEADER);
	x = 0;
	for (c = 0; c < COL_COUNT; c++) {
		if (w[c] <= 0)
			continue;
		scr_instances_heading(ui, y + 1, x, c, w[c]);
		x += w[c] + 1;
	}
	rows = h - 2;
	if (s == NULL || s->n_inst == 0)
		goto out;
	draw_list_clamp(&ui->inst, ui->n_inst, rows);
	if (focused)
		ui->page_rows = rows;
	for (k = ui->inst.top; k < ui->n_inst && (int)(k - ui->inst.top) < rows;
	    k++) {
		i = ui->inst_order[k];
		line = y + 2 + (int)(k - ui->inst.top);
		rowrole = ROLE_NORMAL;
		if (k == ui->inst.sel)
			rowrole = focused ? ROLE_SELECTED : ROLE_SELECTED_DIM;
		draw_fill(line, rowrole);
		x = 0;
		for (c = 0; c < COL_COUNT; c++) {
			if (w[c] <= 0)
				continue;
			if (c == COL_ENDPOINT) {
				view_differs(eps, s->n_inst, i, &a, &b);
				text_elide(buf, sizeof buf, eps[i], w[c], a, b);
				txt = buf;
				r = ui->stale ? ROLE_DIM : ROLE_NORMAL;
			} else
				txt = scr_instances_cell(ui, i, c, buf,
				    sizeof buf, &r);
			/* The verdict keeps its colour on the selected row. */
			if (rowrole != ROLE_NORMAL && c != COL_VERDICT)
				r = rowrole;
			draw_text(line, x, w[c], r, txt, inst_cols[c].flags);
			x += w[c] + 1;
		}
	}
out:
	for (i = 0; eps != NULL && i < s->n_inst; i++)
		free(eps[i]);
	free(eps);
}

/* Index in snap->inst of the selected instance, or -1. */
long
scr_instances_selected(struct ui *ui)
{
	if (ui->snap == NULL || ui->n_inst == 0 || ui->inst.sel >= ui->n_inst)
		return (-1);
	return ((long)ui->inst_order[ui->inst.sel]);
}

/* Remember the selected endpoint so the selection survives a refresh. */
static void
scr_instances_remember(struct ui *ui)
{
	long	i = scr_instances_selected(ui);

	free(ui->inst_sel_ep);
	ui->inst_sel_ep = i >= 0 && ui->snap->inst[i].endpoint != NULL ?
	    xstrdup(ui->snap->inst[i].endpoint) : NULL;
}

/* Handle action a in the instances pane; false if not ours. */
bool
scr_instances_key(struct ui *ui, enum ui_action a)
{
	long	i;

	switch (a) {
	case ACT_SORT_NEXT:
		ui->sort = (ui->sort + 1) % VIEW_SORT_COUNT;
		ui_resort(ui);
		return (true);
	case ACT_SORT_PREV:
		ui->sort = (ui->sort + VIEW_SORT_COUNT - 1) % VIEW_SORT_COUNT;
		ui_resort(ui);
		return (true);
	case ACT_SORT_INVERT:
		ui->sort_reverse = !ui->sort_reverse;
		ui_resort(ui);
		return (true);
	case ACT_ENTER:
		if ((i = scr_instances_selected(ui)) < 0)
			return (true);
		ui->detail_inst = (size_t)i;
		ui_open_detail(ui, DETAIL_INSTANCE);
		return (true);
	default:
		break;
	}
	if (ui_list_key(&ui->inst, ui->n_inst, a, ui->page_rows)) {
		scr_instances_remember(ui);
		return (true);
	}
	return (false);
}
