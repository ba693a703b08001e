/*
 * scr_instances.c: the instances pane: one row per configured endpoint with
 * its health (as a word), latency, server version, inconsistent count,
 * in-memory resource_version (BEHIND when it lags), and the last reload or
 * the last error with a retry countdown. Sortable; the selection follows
 * the same endpoint across refreshes. UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/xmalloc.h"

enum inst_col {
	COL_NUM, COL_ENDPOINT, COL_HEALTH, COL_LATENCY, COL_VERSION,
	COL_INCONS, COL_MEMVER, COL_LAST, COL_COUNT,
};

struct inst_coldef {
	const char	*title;
	int		 width;		/* 0: flexible */
	int		 prio;		/* dropped lowest first when narrow */
	int		 flags;		/* TEXT_RIGHT */
	enum view_sort	 sort;		/* the sort key it shows, or -1 */
};

static const struct inst_coldef inst_cols[COL_COUNT] = {
	{ "#", 2, 9, TEXT_RIGHT, -1 },
	{ "endpoint", 0, 10, 0, VIEW_SORT_ENDPOINT },
	{ "health", 12, 9, 0, VIEW_SORT_HEALTH },
	{ "latency", 7, 5, TEXT_RIGHT, VIEW_SORT_LATENCY },
	{ "version", 9, 3, 0, VIEW_SORT_VERSION },
	{ "incons", 7, 7, TEXT_RIGHT, VIEW_SORT_INCONSISTENT },
	{ "in-memory", 13, 6, TEXT_RIGHT, VIEW_SORT_MEMVER },
	{ "last reload / error", 0, 4, 0, -1 },
};

#define INST_MIN_ENDPOINT	16
#define INST_MIN_LAST		12

/* Work out which columns fit in COLS and their widths. */
static void
scr_instances_layout(struct ui *ui, int *w)
{
	int	total, i, drop, c, ep, want = INST_MIN_ENDPOINT;
	size_t	k;

	for (k = 0; ui->snap != NULL && k < ui->snap->n_inst; k++) {
		i = text_width(ui->snap->inst[k].endpoint);
		if (i > want)
			want = i;
	}
	if (want > 48)
		want = 48;
	for (i = 0; i < COL_COUNT; i++)
		w[i] = inst_cols[i].width;
	for (;;) {
		total = 0;
		for (i = 0; i < COL_COUNT; i++)
			if (w[i] > 0)
				total += w[i] + 1;
		total += INST_MIN_ENDPOINT + 1;
		if (w[COL_LAST] >= 0)
			total += INST_MIN_LAST + 1;
		if (total <= COLS)
			break;
		/* Drop the visible column with the lowest priority. */
		drop = -1;
		for (i = 0; i < COL_COUNT; i++) {
			if (i == COL_ENDPOINT || w[i] < 0)
				continue;
			if (i != COL_LAST && w[i] == 0)
				continue;
			if (drop == -1 || inst_cols[i].prio < inst_cols[drop].prio)
				drop = i;
		}
		if (drop == -1)
			break;
		w[drop] = -1;
	}
	/* The endpoint gets what it needs; the last column the rest. */
	c = COLS;
	for (i = 0; i < COL_COUNT; i++)
		if (w[i] > 0)
			c -= w[i] + 1;
	if (w[COL_LAST] >= 0) {
		c -= 2;
		ep = want < c - INST_MIN_LAST ? want : c - INST_MIN_LAST;
		if (ep < INST_MIN_ENDPOINT)
			ep = INST_MIN_ENDPOINT;
		w[COL_ENDPOINT] = ep;
		w[COL_LAST] = c - ep > 1 ? c - ep : 1;
	} else
		w[COL_ENDPOINT] = c - 1 > 1 ? c - 1 : 1;
}

/* Role for a verdict (the word is always shown as well): green only when
 * all is fine. */
static enum role
scr_instances_verdict_role(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return (ROLE_OK);
	case VERDICT_SYNCING:
	case VERDICT_UNKNOWN:
		return (ROLE_DIM);
	case VERDICT_INCONSISTENT:
	case VERDICT_DISAGREES:
	case VERDICT_BEHIND:
		return (ROLE_WARN);
	default:
		return (ROLE_ERROR);
	}
}

/* Text of cell c for instance i (number n in the table); *raw if unsanitised. */
static const char *
scr_instances_cell(struct ui *ui, size_t i, enum inst_col c, char *buf,
    size_t len, bool *raw, enum role *r)
{
	const struct snapshot		*s = ui->snap;
	const struct snap_instance	*in = &s->inst[i];
	char				 clk[16], res[160];
	long				 retry;

	*raw = false;
	*r = ROLE_NORMAL;
	switch (c) {
	case COL_NUM:
		snprintf(buf, len, "%zu", i + 1);
		return (buf);
	case COL_ENDPOINT:
		*raw = true;
		return (in->endpoint);
	case COL_HEALTH:
		*r = scr_instances_verdict_role(in->verdict);
		return (verdict_word(in->verdict));
	case COL_LATENCY:
		if (in->latency_ms < 0)
			return ("-");
		snprintf(buf, len, "%ldms", in->latency_ms);
		return (buf);
	case COL_VERSION:
		*raw = true;
		return (in->server_version != NULL ? in->server_version : "-");
	case COL_INCONS:
		if (!in->consistency_known)
			return ("-");
		snprintf(buf, len, "%s%zu", in->disagrees ? "DIFF " : "",
		    in->objects->n);
		if (in->objects->n > 0 || in->disagrees)
			*r = ROLE_WARN;
		return (buf);
	case COL_MEMVER:
		if (in->mem_version < 0)
			return ("-");
		snprintf(buf, len, "%s%lld", in->behind ? "BEHIND " : "",
		    (long long)in->mem_version);
		if (in->behind)
			*r = ROLE_WARN;
		return (buf);
	case COL_LAST:
		if (in->last_error != NULL) {
			text_fit_raw(res, sizeof res, in->last_error, 40, 0);
			retry = (long)(s->probed_mono +
			    (double)s->probe_interval_ms / 1000.0 - ui_now() +
			    0.999);
			if (s->paused || retry <= 0)
				snprintf(buf, len, "%s", res);
			else
				snprintf(buf, len, "%s, retry in %lds", res,
				    retry);
			*r = ROLE_ERROR;
			return (buf);
		}
		if (in->reload.in_flight) {
			snprintf(buf, len, "reloading... %lds",
			    in->reload.at != 0 ?
			    (long)(time(NULL) - in->reload.at) : 0L);
			*r = ROLE_WARN;
			return (buf);
		}
		if (in->reload.at == 0)
			return ("-");
		text_fit_raw(res, sizeof res, in->reload.result != NULL ?
		    in->reload.result : (in->reload.ok ? "ok" : "failed"),
		    60, 0);
		snprintf(buf, len, "%s %s",
		    draw_clock(in->reload.at, clk, sizeof clk), res);
		if (!in->reload.ok || !in->reload.consistent)
			*r = ROLE_WARN;
		return (buf);
	default:
		return ("");
	}
}

/* Draw the pane at line y, h lines tall (bar + headings + rows). */
void
scr_instances_draw(struct ui *ui, int y, int h, bool focused)
{
	const struct snapshot	*s = ui->snap;
	const char		*txt;
	char			 info[96], buf[256];
	enum role		 r, rowrole;
	size_t			 k, i;
	int			 w[COL_COUNT], c, x, rows;
	bool			 raw;

	snprintf(info, sizeof info, "%zu  sort: %s %s", s != NULL ?
	    s->n_inst : (size_t)0, view_sort_name(ui->sort), ui->sort_reverse ?
	    draw_glyph("\xe2\x96\xbc", "v") : draw_glyph("\xe2\x96\xb2", "^"));
	draw_bar(y, "Instances", info, focused);
	if (h < 2)
		return;
	scr_instances_layout(ui, w);
	draw_fill(y + 1, ROLE_HEADER);
	x = 0;
	for (c = 0; c < COL_COUNT; c++) {
		if (w[c] <= 0)
			continue;
		snprintf(buf, sizeof buf, "%s%s", inst_cols[c].title,
		    (int)inst_cols[c].sort == (int)ui->sort && inst_cols[c].sort !=
		    (enum view_sort)-1 ? (ui->sort_reverse ?
		    draw_glyph("\xe2\x96\xbc", "v") :
		    draw_glyph("\xe2\x96\xb2", "^")) : "");
		draw_text(y + 1, x, w[c], ROLE_HEADER, buf, inst_cols[c].flags);
		x += w[c] + 1;
	}
	rows = h - 2;
	if (s == NULL || s->n_inst == 0)
		return;
	draw_list_clamp(&ui->inst, ui->n_inst, rows);
	if (focused)
		ui->page_rows = rows;
	for (k = ui->inst.top; k < ui->n_inst && (int)(k - ui->inst.top) < rows;
	    k++) {
		i = ui->inst_order[k];
		rowrole = ROLE_NORMAL;
		if (k == ui->inst.sel)
			rowrole = focused ? ROLE_SELECTED : ROLE_SELECTED_DIM;
		draw_fill(y + 2 + (int)(k - ui->inst.top), rowrole);
		x = 0;
		for (c = 0; c < COL_COUNT; c++) {
			if (w[c] <= 0)
				continue;
			txt = scr_instances_cell(ui, i, c, buf, sizeof buf,
			    &raw, &r);
			if (rowrole != ROLE_NORMAL)
				r = rowrole;
			if (raw)
				draw_raw(y + 2 + (int)(k - ui->inst.top), x,
				    w[c], r, txt, inst_cols[c].flags);
			else
				draw_text(y + 2 + (int)(k - ui->inst.top), x,
				    w[c], r, txt, inst_cols[c].flags);
			x += w[c] + 1;
		}
	}
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
	default:
		break;
	}
	if (ui_list_key(&ui->inst, ui->n_inst, a, ui->page_rows)) {
		scr_instances_remember(ui);
		return (true);
	}
	return (false);
}
