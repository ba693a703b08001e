/*
 * keys.c: THE key table. Dispatch (keys_lookup), the footer (draw.c) and
 * the help screen (scr_help.c) all read this one array (in this order: the
 * footer drops entries from the end when narrow), so a key that is
 * documented is a key that works, and --readonly removes r, R and D
 * everywhere at once. UI thread.
 */
#include "config.h"

#include <curses.h>

#include "hasync/ui_keys.h"

#define CTRL_KEY(c)	((c) & 0x1f)

static const struct keybind keys_all[] = {
	{ ACT_HELP, { '?', KEY_F(1), 'h', 0 }, "? F1 h", "?", "Help",
	    "show this help", 0 },
	{ ACT_QUIT, { 'q', KEY_F(10), 0 }, "q F10", "q", "Quit",
	    "quit (in a sub-screen: back)", 0 },
	{ ACT_UP, { KEY_UP, 'k', 0 }, "Up k", NULL, NULL,
	    "move up", 0 },
	{ ACT_DOWN, { KEY_DOWN, 'j', 0 }, "Down j", NULL, NULL,
	    "move down", 0 },
	{ ACT_PGUP, { KEY_PPAGE, CTRL_KEY('b'), 0 }, "PgUp ^B", NULL, NULL,
	    "page up", 0 },
	{ ACT_PGDN, { KEY_NPAGE, CTRL_KEY('f'), ' ', 0 }, "PgDn ^F Space",
	    NULL, NULL, "page down", 0 },
	{ ACT_HOME, { KEY_HOME, 'g', 0 }, "Home g", NULL, NULL,
	    "go to the first row", 0 },
	{ ACT_END, { KEY_END, 'G', 0 }, "End G", NULL, NULL,
	    "go to the last row", 0 },
	{ ACT_NEXT_PANE, { '\t', 0 }, "Tab", "Tab", "Pane",
	    "next pane: instances, objects, events", 0 },
	{ ACT_PREV_PANE, { KEY_BTAB, 0 }, "S-Tab", NULL, NULL,
	    "previous pane", 0 },
	{ ACT_ENTER, { '\n', '\r', KEY_ENTER, 'l', 0 }, "Enter l", "Enter",
	    "Detail", "details of the selected row (instance, object or event) "
	    "and what to do next", 0 },
	{ ACT_BACK, { 27, KEY_BACKSPACE, 127, 0 }, "Esc Bksp", NULL, NULL,
	    "back; in the objects pane, clear the filter first", 0 },
	{ ACT_FILTER, { '/', KEY_F(3), 0 }, "/ F3", "/", "Filter",
	    "filter objects by type, name, reason or cause (Esc clears)", 0 },
	{ ACT_SORT_PREV, { '<', 0 }, "<", NULL, NULL,
	    "sort instances by the previous column (verdict, worst first, "
	    "is the default)", 0 },
	{ ACT_SORT_NEXT, { '>', KEY_F(6), 0 }, "> F6", NULL, NULL,
	    "sort instances by the next column", 0 },
	{ ACT_SORT_INVERT, { 'I', 0 }, "I", NULL, NULL,
	    "invert the sort order", 0 },
	{ ACT_RELOAD_INSTANCE, { 'r', 0 }, "r", "r", "Reload",
	    "reload through the selected instance (--reload-scope)",
	    KEYF_MODIFY },
	{ ACT_RELOAD_CLUSTER, { 'R', 0 }, "R", "R", "Cluster",
	    "reload everything: scope full, {} (asks y/N)", KEYF_MODIFY },
	{ ACT_DROP, { 'D', 0 }, "D", "D", "Drop",
	    "drop the inconsistent metadata (names it; asks y/N)",
	    KEYF_MODIFY },
	{ ACT_PAUSE, { 'p', 'Z', 0 }, "p Z", "p", "Pause",
	    "pause or resume probing", 0 },
	{ ACT_REFRESH, { KEY_F(5), 0 }, "F5", "F5", "Refresh",
	    "probe every instance now", 0 },
	{ ACT_REDRAW, { CTRL_KEY('l'), 0 }, "^L", NULL, NULL,
	    "redraw the screen", 0 },
};

/* The whole table. */
const struct keybind *
keys_table(size_t *n)
{
	*n = sizeof keys_all / sizeof keys_all[0];
	return (keys_all);
}

/* Whether binding k is available. */
bool
keys_enabled(const struct keybind *k, bool readonly)
{
	return (!(readonly && (k->flags & KEYF_MODIFY)));
}

/* The action bound to ch. */
enum ui_action
keys_lookup(int ch, bool readonly)
{
	size_t	i, j;

	for (i = 0; i < sizeof keys_all / sizeof keys_all[0]; i++) {
		if (!keys_enabled(&keys_all[i], readonly))
			continue;
		for (j = 0; j < 5 && keys_all[i].keys[j] != 0; j++)
			if (keys_all[i].keys[j] == ch)
				return (keys_all[i].action);
	}
	return (ACT_NONE);
}
