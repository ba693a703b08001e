/*
 * ui_internal.h: the console's shared state and the functions its files
 * give each other (ui.c loop, draw.c primitives, color.c roles, the
 * scr_*.c screens). Curses is used here and only here, on the UI thread.
 *
 * The UI holds one borrowed snapshot at a time (ui->snap) and keeps
 * identities (endpoint, object key), never pointers, across snapshots.
 */
#ifndef HASYNC_UI_INTERNAL_H
#define HASYNC_UI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <curses.h>

#include "hasync/ui_keys.h"
#include "hasync/ui_view.h"

struct config;
struct snapshot;

/* Semantic colour roles; color.c maps them to colours or mono attributes. */
enum role {
	ROLE_NORMAL = 0,
	ROLE_TITLE,		/* top line */
	ROLE_HEADER,		/* column headings */
	ROLE_BAR,		/* pane title bar */
	ROLE_BAR_FOCUS,		/* pane title bar of the focused pane */
	ROLE_SELECTED,		/* selected row, focused pane */
	ROLE_SELECTED_DIM,	/* selected row, other pane */
	ROLE_KEY,		/* footer key labels */
	ROLE_OK,
	ROLE_WARN,
	ROLE_ERROR,
	ROLE_STALE,
	ROLE_DIM,
	ROLE_COUNT,
};

enum ui_pane {
	PANE_INSTANCES = 0,
	PANE_OBJECTS,
	PANE_EVENTS,
	PANE_COUNT,
};

enum ui_screen {
	SCREEN_MAIN = 0,
	SCREEN_DETAIL,
	SCREEN_HELP,
};

enum ui_modal {
	MODAL_NONE = 0,
	MODAL_RELOAD_CLUSTER,
	MODAL_DROP,
};

#define UI_DIRTY_DATA	0x01	/* a new snapshot arrived */
#define UI_DIRTY_KEY	0x02	/* a key changed what is shown */
#define UI_DIRTY_CLOCK	0x04	/* "Ns ago", countdowns, flash expiry */
#define UI_DIRTY_ALL	0x07

#define UI_MIN_COLS	60
#define UI_MIN_LINES	15

/* A scrolling list: the selected row and the first row shown. */
struct ui_list {
	size_t	sel;
	size_t	top;
};

struct ui {
	const struct config	*cfg;
	struct snapshot		*snap;		/* borrowed; NULL at first */
	bool			 readonly;
	bool			 quit;
	int			 exit_code;
	unsigned int		 dirty;

	enum ui_screen		 screen;
	enum ui_pane		 pane;
	enum ui_modal		 modal;

	/* Instances: order and selection (by endpoint). */
	size_t			*inst_order;
	size_t			 n_inst;
	enum view_sort		 sort;
	bool			 sort_reverse;
	struct ui_list		 inst;
	char			*inst_sel_ep;

	/* Objects: filtered view and selection (by key). */
	size_t			*obj_idx;
	size_t			 n_obj_idx;
	size_t			 obj_cap;
	struct ui_list		 obj;
	char			*obj_sel_key;
	char			 filter[128];
	bool			 filter_edit;

	/* Events: scroll position. */
	struct ui_list		 ev;

	/* Detail and help screens. */
	char			*detail_key;
	size_t			 detail_top;
	size_t			 help_top;
	int			 page_rows;	/* rows of the focused list */

	/* Message line: info expires, errors stay until a success. */
	char			 msg[256];
	bool			 msg_error;
	double			 msg_until;	/* monotonic; 0 = until replaced */
	uint64_t		 ev_seen;	/* newest event already flashed */

	double			 last_draw;	/* monotonic */
	FILE			*trace;		/* HASYNC_UI_TRACE */
};

/* ui.c */
double	 ui_now(void);
void	 ui_flash(struct ui *, bool, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 ui_refilter(struct ui *);
void	 ui_resort(struct ui *);
bool	 ui_list_key(struct ui_list *, size_t, enum ui_action, int);

/* color.c */
void	 color_init(bool);
attr_t	 color_attr(enum role);

/* draw.c */
void	 draw_text(int, int, int, enum role, const char *, int);
void	 draw_raw(int, int, int, enum role, const char *, int);
void	 draw_fill(int, enum role);
void	 draw_bar(int, const char *, const char *, bool);
void	 draw_header(struct ui *);
void	 draw_footer(struct ui *);
void	 draw_modal(struct ui *);
void	 draw_too_small(void);
void	 draw_list_clamp(struct ui_list *, size_t, int);
const char *draw_clock(time_t, char *, size_t);
const char *draw_glyph(const char *, const char *);

/* scr_instances.c */
void	 scr_instances_draw(struct ui *, int, int, bool);
bool	 scr_instances_key(struct ui *, enum ui_action);
long	 scr_instances_selected(struct ui *);

/* scr_objects.c */
void	 scr_objects_draw(struct ui *, int, int, bool);
bool	 scr_objects_key(struct ui *, enum ui_action);

/* scr_events.c */
void	 scr_events_draw(struct ui *, int, int, bool);
bool	 scr_events_key(struct ui *, enum ui_action);

/* scr_detail.c */
void	 scr_detail_draw(struct ui *, int, int);
bool	 scr_detail_key(struct ui *, enum ui_action);

/* scr_help.c */
void	 scr_help_draw(struct ui *, int, int);
bool	 scr_help_key(struct ui *, enum ui_action);

#endif
