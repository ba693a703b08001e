/*
 * color.c: semantic colour roles. Each role has a colour pair and a
 * monochrome attribute; the monochrome row is used when the terminal has
 * no colours or when colour is turned off (--no-color, NO_COLOR). State is
 * never shown by colour alone: the screens always print a word too. UI
 * thread only.
 */
#include "config.h"

#include <curses.h>

#include "hasync/ui_internal.h"

struct color_role {
	short	fg, bg;		/* -1: terminal default */
	attr_t	color_attr;	/* added to the pair */
	attr_t	mono;		/* without colour */
};

static const struct color_role color_roles[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_HEADER] = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_BAR] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_UNDERLINE },
	[ROLE_BAR_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_BOLD,
	    A_BOLD | A_REVERSE },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_SELECTED_DIM] = { -1, -1, A_REVERSE, A_BOLD },
	[ROLE_KEY] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[ROLE_STALE] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE },
	[ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
};

static bool	color_on;

/* Pick colour or monochrome; call after initscr(). */
void
color_init(bool no_color)
{
	short	i;
	short	fg, bg;

	color_on = false;
	if (no_color || !has_colors())
		return;
	if (start_color() == ERR)
		return;
#ifdef HAVE_USE_DEFAULT_COLORS
	if (use_default_colors() == ERR)
#endif
	{
		/* No default colours: fall back to white on black. */
		for (i = 1; i < ROLE_COUNT; i++) {
			fg = color_roles[i].fg == -1 ? COLOR_WHITE :
			    color_roles[i].fg;
			bg = color_roles[i].bg == -1 ? COLOR_BLACK :
			    color_roles[i].bg;
			init_pair(i, fg, bg);
		}
		color_on = COLOR_PAIRS > ROLE_COUNT;
		return;
	}
	if (COLOR_PAIRS <= ROLE_COUNT)
		return;
	for (i = 1; i < ROLE_COUNT; i++)
		init_pair(i, color_roles[i].fg, color_roles[i].bg);
	color_on = true;
}

/* The attributes that draw role r. */
attr_t
color_attr(enum role r)
{
	if (r <= ROLE_NORMAL || r >= ROLE_COUNT)
		return (A_NORMAL);
	if (!color_on)
		return (color_roles[r].mono);
	return (COLOR_PAIR(r) | color_roles[r].color_attr);
}
