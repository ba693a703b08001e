/*
 * doc.c: a scrolling document of labelled lines, for the screens that are
 * read rather than navigated: the detail views and the help. A screen
 * builds the lines for the current width on every frame (cheap: a few
 * hundred at most), draws them from ui->detail_top or ui->help_top, and
 * shows "more" at the bottom while there is more below. UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "hasync/sanitize.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/xmalloc.h"

/* Add one line of clean text, as is. */
void
doc_add(struct doc *d, enum role r, const char *label, const char *clean)
{
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 64 : d->cap * 2;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n].role = r;
	d->v[d->n].label = label;
	d->v[d->n].text = xstrdup(clean != NULL ? clean : "");
	d->n++;
}

/* Add clean text wrapped to cols (newlines kept). */
void
doc_add_clean(struct doc *d, enum role r, const char *label,
    const char *clean, int cols)
{
	char	**lines;
	size_t	  n, i;

	n = text_wrap(clean != NULL ? clean : "-", cols, &lines);
	for (i = 0; i < n; i++)
		doc_add(d, r, i == 0 ? label : NULL, lines[i]);
	text_lines_free(lines, n);
}

/* Add raw server text: sanitised (newlines kept), then wrapped to cols. */
void
doc_add_raw(struct doc *d, enum role r, const char *label, const char *raw,
    int cols)
{
	char	*clean;

	clean = sanitize_text(raw != NULL ? raw : "-", (size_t)-1,
	    SANITIZE_KEEP_NEWLINES);
	doc_add_clean(d, r, label, clean, cols);
	free(clean);
}

/* Free the lines. */
void
doc_free(struct doc *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/* The scroll position of the screen being shown. */
static size_t *
doc_top(struct ui *ui)
{
	return (ui->screen == SCREEN_HELP ? &ui->help_top : &ui->detail_top);
}

/*
 * Draw d in lines y .. y+h-1 under a bar titled title: the lines from the
 * screen's scroll position, and a "more" mark on the last line while
 * there is more below.
 */
void
doc_draw(struct ui *ui, struct doc *d, int y, int h, const char *title)
{
	size_t	*top = doc_top(ui), rows, i, last;
	char	 info[96], more[96];
	bool	 below;
	int	 line;

	rows = h > 1 ? (size_t)(h - 1) : 1;
	if (*top + rows > d->n)
		*top = d->n > rows ? d->n - rows : 0;
	below = *top + rows < d->n;
	/* The last row carries the mark when there is more. */
	last = *top + (below ? rows - 1 : rows);
	if (last > d->n)
		last = d->n;
	snprintf(info, sizeof info, "lines %zu-%zu of %zu  Esc back",
	    d->n > 0 ? *top + 1 : 0, last, d->n);
	draw_bar(y, title, info, true);
	ui->page_rows = (int)rows;
	for (i = *top; i < last; i++) {
		line = y + 1 + (int)(i - *top);
		if (d->v[i].label != NULL)
			draw_text(line, 0, d->label_w, ROLE_HEADER,
			    d->v[i].label, 0);
		draw_text(line, d->label_w + 1, COLS - d->label_w - 1,
		    d->v[i].role, d->v[i].text, 0);
	}
	if (below) {
		snprintf(more, sizeof more, " %s more: %zu line%s below "
		    "(Down, PgDn, End) ", draw_glyph("\xe2\x96\xbc", "v"),
		    d->n - last, d->n - last == 1 ? "" : "s");
		draw_text(y + (int)rows, 0, COLS, ROLE_KEY, more, 0);
	}
}

/* Scroll the document shown; false if a is not a scrolling action. */
bool
doc_key(struct ui *ui, enum ui_action a)
{
	size_t	*top = doc_top(ui);
	size_t	 page = ui->page_rows > 2 ? (size_t)ui->page_rows - 2 : 1;

	switch (a) {
	case ACT_UP:
		if (*top > 0)
			(*top)--;
		return (true);
	case ACT_DOWN:
		(*top)++;
		return (true);
	case ACT_PGUP:
		*top = *top > page ? *top - page : 0;
		return (true);
	case ACT_PGDN:
		*top += page;
		return (true);
	case ACT_HOME:
		*top = 0;
		return (true);
	case ACT_END:
		*top = (size_t)-1 / 2;
		return (true);
	default:
		return (false);
	}
}
