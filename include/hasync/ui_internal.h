/*
 * ui_internal.h: the console's shared state and the functions its files
 * give each other (ui.c loop, draw.c primitives, color.c roles, outcome.c
 * the status line, doc.c scrolling documents, the scr_*.c screens). Curses
 * is used here and only here, on the UI thread.
 *
 * The UI holds one borrowed snapshot at a time (ui->snap) and keeps
 * identities (endpoint, object key, event seq), never pointers, across
 * snapshots.
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

/* What the detail screen shows. */
enum ui_detail {
	DETAIL_OBJECT = 0,	/* detail_key: the object's key */
	DETAIL_INSTANCE,	/* detail_inst: its index */
	DETAIL_EVENT,		/* detail_seq: its seq */
};

/* The command whose outcome the status line follows (outcome.c). */
struct ui_outcome {
	enum ui_action	 act;		/* ACT_NONE: nothing followed */
	int		 target;	/* r: instance index */
	uint64_t	 ev_base;	/* newest event seq when asked */
	uint64_t	 rounds_base;	/* F5: rounds when asked */
	bool		 was_probing;	/* F5: a round was under way */
	bool		 was_paused;	/* p */
	bool		 sent;		/* the engine sent it */
	bool		 done;		/* the engine said how it ended */
};

/* A scrolling document: the detail and help screens (doc.c). */
struct doc_line {
	int		 role;		/* enum role */
	const char	*label;		/* static; NULL on continuation lines */
	char		*text;		/* clean; owned */
};

struct doc {
	struct doc_line	*v;
	size_t		 n, cap;
	int		 label_w;	/* columns of the label gutter */
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

	/* Events: selection and scroll, kept on the same event (by seq)
	 * when new ones come in, unless following the newest. */
	struct ui_list		 ev;
	uint64_t		 ev_sel_seq;	/* 0: follow the newest */
	uint64_t		 ev_top_seq;
	uint64_t		 ev_mark;	/* newest seq when scrolled away */

	/* Detail and help screens. */
	enum ui_detail		 detail;
	char			*detail_key;
	size_t			 detail_inst;
	uint64_t		 detail_seq;
	size_t			 detail_top;
	size_t			 help_top;
	int			 page_rows;	/* rows of the focused list */

	/* Message line: info expires, errors stay until a success. */
	char			 msg[256];
	bool			 msg_error;
	enum role		 msg_role;
	double			 msg_until;	/* monotonic; 0 = until replaced */
	uint64_t		 ev_seen;	/* newest event already flashed */
	struct ui_outcome	 out;		/* the command followed */
	bool			 stale;		/* this frame: data too old */

	double			 last_draw;	/* monotonic */
	FILE			*trace;		/* HASYNC_UI_TRACE */
};

/* ui.c */
double	 ui_now(void);
void	 ui_flash(struct ui *, bool, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Show a status line message in role r for secs seconds (0: until
 * replaced). */
void	 ui_status(struct ui *, enum role, double, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 ui_refilter(struct ui *);
void	 ui_resort(struct ui *);
bool	 ui_list_key(struct ui_list *, size_t, enum ui_action, int);
void	 ui_open_detail(struct ui *, enum ui_detail);

/* outcome.c */
void	 outcome_start(struct ui *, enum ui_action, int);
void	 outcome_update(struct ui *);

/* doc.c */
void	 doc_add(struct doc *, enum role, const char *, const char *);
void	 doc_add_raw(struct doc *, enum role, const char *, const char *,
	    int);
void	 doc_add_clean(struct doc *, enum role, const char *, const char *,
	    int);
void	 doc_free(struct doc *);
void	 doc_draw(struct ui *, struct doc *, int, int, const char *);
bool	 doc_key(struct ui *, enum ui_action);

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
bool	 draw_stale(const struct snapshot *);
enum role draw_verdict_role(int);
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
void	 scr_events_follow(struct ui *);
const struct snap_event *scr_events_find(const struct snapshot *, uint64_t);

/* scr_detail.c */
void	 scr_detail_draw(struct ui *, int, int);
bool	 scr_detail_key(struct ui *, enum ui_action);

/* scr_help.c */
void	 scr_help_draw(struct ui *, int, int);
bool	 scr_help_key(struct ui *, enum ui_action);

#endif
