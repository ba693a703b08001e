/*
 * scr_help.c: the help screen: the keys from the key table (keys.c), so it
 * lists exactly the keys that work (--readonly leaves out r, R and D), then
 * every word and column on screen from the glossary (glossary.c), the same
 * text the manual prints. It scrolls, with a "more" mark while there is
 * more below (doc.c). UI thread only.
 */
#include "config.h"

#include <stdio.h>

#include <curses.h>

#include "hasync/ui_glossary.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_keys.h"

#define HELP_KEYCOL	16

/* Draw the help screen in lines y .. y+h-1. */
void
scr_help_draw(struct ui *ui, int y, int h)
{
	const struct glossary_section	*g;
	const struct keybind		*k;
	struct doc			 d = { NULL, 0, 0, HELP_KEYCOL - 1 };
	size_t				 n, i, j;
	int				 cols = COLS - HELP_KEYCOL - 1;

	if (cols < 8)
		cols = 8;
	doc_add(&d, ROLE_HEADER, NULL, ui->readonly ? "Keys (read-only: "
	    "no reload or drop keys)" : "Keys");
	k = keys_table(&n);
	for (i = 0; i < n; i++)
		if (keys_enabled(&k[i], ui->readonly))
			doc_add_clean(&d, ROLE_NORMAL, k[i].label, k[i].help,
			    cols);
	g = glossary(&n);
	for (i = 0; i < n; i++) {
		doc_add(&d, ROLE_NORMAL, NULL, "");
		doc_add(&d, ROLE_HEADER, NULL, g[i].title);
		for (j = 0; j < g[i].n; j++)
			doc_add_clean(&d, ROLE_NORMAL, g[i].v[j].term,
			    g[i].v[j].text, cols);
	}
	doc_draw(ui, &d, y, h, "Help");
	doc_free(&d);
}

/* Handle action a on the help screen. */
bool
scr_help_key(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case ACT_BACK:
	case ACT_QUIT:
	case ACT_HELP:
		ui->screen = SCREEN_MAIN;
		return (true);
	default:
		(void)doc_key(ui, a);
		return (true);	/* nothing else acts behind the help */
	}
}
