/*
 * ui_keys.h: THE key table of the console. One table drives the dispatch
 * of keys to actions, the footer hints and the help screen, so the three
 * can never disagree; --readonly removes the bindings that change the
 * cluster from all three at once. No curses types; UI thread.
 */
#ifndef HASYNC_UI_KEYS_H
#define HASYNC_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum ui_action {
	ACT_NONE = 0,
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_NEXT_PANE,
	ACT_PREV_PANE,
	ACT_ENTER,
	ACT_BACK,
	ACT_FILTER,
	ACT_SORT_PREV,
	ACT_SORT_NEXT,
	ACT_SORT_INVERT,
	ACT_RELOAD_INSTANCE,
	ACT_RELOAD_CLUSTER,
	ACT_DROP,
	ACT_PAUSE,
	ACT_REFRESH,
	ACT_REDRAW,
	ACT_HELP,
	ACT_QUIT,
};

#define KEYF_MODIFY	0x01	/* changes the cluster: gone with --readonly */

struct keybind {
	enum ui_action	 action;
	int		 keys[5];	/* curses key codes; 0 ends the list */
	const char	*label;		/* the keys as help shows them */
	const char	*fkey;		/* footer key label, or NULL: not shown */
	const char	*word;		/* footer word, e.g. "Reload" */
	const char	*help;		/* one line for the help screen */
	int		 flags;
};

/* The whole table, in help order; *n receives its length. */
const struct keybind	*keys_table(size_t *);

/* Whether binding k is available (readonly hides KEYF_MODIFY). */
bool			 keys_enabled(const struct keybind *, bool);

/* The action bound to curses key ch, or ACT_NONE. */
enum ui_action		 keys_lookup(int, bool);

#endif
