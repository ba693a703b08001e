/*
 * scr_help.c: the help screen, generated from the key table (keys.c), so
 * it lists exactly the keys that work; --readonly leaves out r, R and D.
 * UI thread only.
 */
#include "config.h"

#include <stdio.h>

#include <curses.h>

#include "hasync/ui_internal.h"
#include "hasync/ui_keys.h"

#define HELP_KEYCOL	16

/* Draw the help screen in lines y .. y+h-1. */
void
scr_help_draw(struct ui *ui, int y, int h)
{
	const struct keybind	*k;
	size_t			 n, i, row = 0, shown = 0;
	int			 line;

	draw_bar(y, "Help", ui->readonly ? "read-only: no reload or drop keys"
	    : "Esc or q goes back", true);
	ui->page_rows = h - 1;
	k = keys_table(&n);
	for (i = 0; i < n; i++)
		if (keys_enabled(&k[i], ui->readonly))
			row++;
	if (ui->help_top >= row)
		ui->help_top = row > 0 ? row - 1 : 0;
	row = 0;
	for (i = 0; i < n; i++) {
		if (!keys_enabled(&k[i], ui->readonly))
			continue;
		if (row++ < ui->help_top)
			continue;
		line = y + 1 + (int)shown;
		if (line >= y + h)
			break;
		draw_text(line, 1, HELP_KEYCOL - 1, ROLE_HEADER, k[i].label, 0);
		draw_text(line, HELP_KEYCOL, COLS - HELP_KEYCOL, ROLE_NORMAL,
		    k[i].help, 0);
		shown++;
	}
	line = y + 1 + (int)shown + 1;
	if (line < y + h)
		draw_text(line, 1, COLS - 1, ROLE_DIM, "Health is shown as "
		    "words: ok, warn, error, unreachable, auth. BEHIND, DIFF, "
		    "STALE and PAUSED mark lagging or old data.", 0);
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
	case ACT_UP:
	case ACT_PGUP:
	case ACT_HOME:
		ui->help_top = 0;
		return (true);
	case ACT_DOWN:
	case ACT_PGDN:
		ui->help_top++;
		return (true);
	default:
		return (true);	/* nothing else acts behind the help */
	}
}
