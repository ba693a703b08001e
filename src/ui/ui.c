/*
 * ui.c: the console's entry point, main loop and teardown. Runs on the
 * main thread, which is the UI thread: the only thread that calls curses.
 *
 * Shape (style-anchors §3.2): block INT/TERM/HUP/WINCH, start the engine
 * (its threads inherit the mask), unblock them here, then loop: poll()
 * stdin + the engine's wake pipe + our signal self-pipe with the next timer
 * as timeout; take the newest snapshot when woken; read every pending key
 * (getch in nodelay mode); draw only when something is dirty, with one
 * doupdate() per frame and data-driven frames capped at 10 per second.
 * Idle, the loop wakes once a second for the "Ns ago" clock.
 *
 * Signal handlers only set a flag and write to the self-pipe. q, F10,
 * Ctrl-C, SIGTERM, SIGHUP and a hung-up stdin all restore the terminal and
 * return 0; SIGQUIT (Ctrl-\) restores it too and returns 128+3. stderr is
 * parked in a temporary file while curses owns the screen and replayed
 * afterwards. fatal() on another thread (the worker running out of memory)
 * must not call curses: it puts back the terminal modes saved at start-up
 * and writes the saved "leave the alternate screen, show the cursor"
 * sequences itself; only this thread ever calls endwin().
 *
 * HASYNC_UI_TRACE=FILE (for tests/bench/tui-bench.sh): append one line
 * "key MS" per frame drawn after keys, MS being the milliseconds from poll()
 * reporting the key to doupdate() returning, and "frame MS" for the first
 * frame (since ui_run was entered).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "hasync/config.h"
#include "hasync/engine.h"
#include "hasync/err.h"
#include "hasync/exitcode.h"
#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/xmalloc.h"

#define UI_FRAME_MIN	0.1	/* seconds between data-driven frames */
#define UI_FLASH_S	3.0	/* how long an info message stays */
#define UI_DEAD_TTY	100	/* readable stdin with no key, in a row */

enum ui_msg {
	MSG_INFO,		/* flashes; does not hide a standing error */
	MSG_ERROR,		/* stays until the next success */
};

static volatile sig_atomic_t	 ui_signal;
static int			 ui_sigpipe[2] = { -1, -1 };
static int			 ui_saved_stderr = -1;
static FILE			*ui_parked_stderr;
static atomic_bool		 ui_curses_up;	/* UI thread sets; any clears */
static pthread_t		 ui_thread;
/* For fatal() on another thread: the terminal as we found it. */
static struct termios		 ui_tty_modes[2];	/* stdin, stdout */
static bool			 ui_tty_saved[2];
static char			 ui_tty_leave[256];	/* rmkx sgr0 cnorm rmcup */

/* Monotonic seconds. */
double
ui_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Signal handler: remember the signal and wake the loop. Nothing else. */
static void
ui_on_signal(int sig)
{
	int	saved = errno;

	ui_signal = sig;
	if (ui_sigpipe[1] != -1)
		(void)write(ui_sigpipe[1], "", 1);
	errno = saved;
}

/* Move stderr into a temporary file while curses owns the terminal. */
static void
ui_stderr_park(void)
{
	fflush(stderr);
	if ((ui_parked_stderr = tmpfile()) == NULL)
		return;
	if ((ui_saved_stderr = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(ui_parked_stderr), STDERR_FILENO) == -1) {
		if (ui_saved_stderr != -1)
			close(ui_saved_stderr);
		ui_saved_stderr = -1;
		fclose(ui_parked_stderr);
		ui_parked_stderr = NULL;
	}
}

/* Put stderr back and replay what was written to it meanwhile. */
static void
ui_stderr_restore(void)
{
	char	buf[4096];
	size_t	n;

	if (ui_saved_stderr == -1)
		return;
	fflush(stderr);
	dup2(ui_saved_stderr, STDERR_FILENO);
	close(ui_saved_stderr);
	ui_saved_stderr = -1;
	rewind(ui_parked_stderr);
	while ((n = fread(buf, 1, sizeof buf, ui_parked_stderr)) > 0)
		if (write(STDERR_FILENO, buf, n) == -1)
			break;
	fclose(ui_parked_stderr);
	ui_parked_stderr = NULL;
}

/* Save what ui_tty_restore() needs, before curses changes anything. */
static void
ui_tty_save(void)
{
	int	i;

	for (i = 0; i < 2; i++)
		ui_tty_saved[i] = isatty(i) && tcgetattr(i, &ui_tty_modes[i]) ==
		    0;
}

/* Once curses knows the terminal: the sequences that leave its modes. */
static void
ui_tty_save_leave(void)
{
	static const char *const caps[] = { "rmkx", "sgr0", "cnorm",
					    "rmcup" };
	size_t	 i, len = 0, n;
	char	*v;

	ui_tty_leave[0] = '\0';
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		v = tigetstr(caps[i]);
		if (v == NULL || v == (char *)-1)
			continue;
		n = strlen(v);
		if (len + n >= sizeof(ui_tty_leave))
			break;
		memcpy(ui_tty_leave + len, v, n + 1);
		len += n;
	}
}

/* Give the terminal back without curses: any thread, async-signal-safe. */
static void
ui_tty_restore(void)
{
	int	i;

	if (ui_tty_leave[0] != '\0')
		(void)!write(STDOUT_FILENO, ui_tty_leave, strlen(ui_tty_leave));
	for (i = 0; i < 2; i++)
		if (ui_tty_saved[i])
			(void)tcsetattr(i, TCSADRAIN, &ui_tty_modes[i]);
}

/*
 * fatal() hook: give the terminal back before the message is printed. On
 * the UI thread through curses; on any other thread (the worker, the
 * listener) curses is the UI thread's alone, so only the tty modes and the
 * leave sequences are put back.
 */
static void
ui_fatal_hook(void)
{
	if (atomic_exchange(&ui_curses_up, false)) {
		if (pthread_equal(pthread_self(), ui_thread))
			endwin();
		else
			ui_tty_restore();
	}
	ui_stderr_restore();
}

/* Show a message on the message line. */
static void
ui_message(struct ui *ui, enum ui_msg kind, const char *fmt, va_list ap)
{
	if (kind == MSG_INFO && ui->msg_error && ui->msg[0] != '\0')
		return;
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	ui->msg_error = kind == MSG_ERROR;
	ui->msg_role = kind == MSG_ERROR ? ROLE_ERROR : ROLE_NORMAL;
	ui->msg_until = kind == MSG_ERROR ? 0 : ui_now() + UI_FLASH_S;
	ui->dirty |= UI_DIRTY_KEY;
}

/* Flash an info message (error = false) or show an error (error = true). */
void
ui_flash(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ui_message(ui, error ? MSG_ERROR : MSG_INFO, fmt, ap);
	va_end(ap);
}

/* The status line: what the engine did (outcome.c). Replaces whatever
 * is shown, errors too; stays secs seconds, or until replaced if 0. */
void
ui_status(struct ui *ui, enum role r, double secs, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_error = r == ROLE_ERROR;
	ui->msg_role = r;
	ui->msg_until = secs > 0 ? ui_now() + secs : 0;
	ui->dirty |= UI_DIRTY_KEY;
}

/* Recompute the instance order; keep the selection on the same endpoint. */
void
ui_resort(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	long			 pos;

	if (s == NULL)
		return;
	if (ui->n_inst != s->n_inst || ui->inst_order == NULL) {
		free(ui->inst_order);
		ui->inst_order = xcalloc(s->n_inst + 1, sizeof *ui->inst_order);
	}
	ui->n_inst = s->n_inst;
	view_sort_instances(s, ui->sort, ui->sort_reverse, ui->inst_order);
	pos = view_find_instance(s, ui->inst_order, ui->n_inst, ui->inst_sel_ep);
	if (pos >= 0)
		ui->inst.sel = (size_t)pos;
	else if (ui->n_inst > 0) {
		if (ui->inst.sel >= ui->n_inst)
			ui->inst.sel = ui->n_inst - 1;
		free(ui->inst_sel_ep);
		ui->inst_sel_ep = s->inst[ui->inst_order[ui->inst.sel]].endpoint
		    != NULL ? xstrdup(s->inst[ui->inst_order[ui->inst.sel]].
		    endpoint) : NULL;
	}
	ui->dirty |= UI_DIRTY_KEY;
}

/* Recompute the filtered objects; keep the selection on the same key. */
void
ui_refilter(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	long			 pos;

	if (s == NULL)
		return;
	if (ui->obj_cap < s->n_objects + 1) {
		free(ui->obj_idx);
		ui->obj_cap = s->n_objects + 1;
		ui->obj_idx = xcalloc(ui->obj_cap, sizeof *ui->obj_idx);
	}
	ui->n_obj_idx = view_filter_objects(s, ui->filter, ui->obj_idx);
	pos = view_find_object(s, ui->obj_idx, ui->n_obj_idx, ui->obj_sel_key);
	if (pos >= 0)
		ui->obj.sel = (size_t)pos;
	else if (ui->obj.sel >= ui->n_obj_idx)
		ui->obj.sel = ui->n_obj_idx > 0 ? ui->n_obj_idx - 1 : 0;
	ui->dirty |= UI_DIRTY_KEY;
}

/* Move a list selection for a navigation action; false if a is not one. */
bool
ui_list_key(struct ui_list *l, size_t n, enum ui_action a, int page)
{
	size_t	p = page > 1 ? (size_t)page - 1 : 1;

	switch (a) {
	case ACT_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case ACT_DOWN:
		if (l->sel + 1 < n)
			l->sel++;
		break;
	case ACT_PGUP:
		l->sel = l->sel > p ? l->sel - p : 0;
		break;
	case ACT_PGDN:
		l->sel = l->sel + p < n ? l->sel + p : (n > 0 ? n - 1 : 0);
		break;
	case ACT_HOME:
		l->sel = 0;
		break;
	case ACT_END:
		l->sel = n > 0 ? n - 1 : 0;
		break;
	default:
		return (false);
	}
	return (true);
}

/* Open the detail screen on the selected row of the focused pane. */
void
ui_open_detail(struct ui *ui, enum ui_detail kind)
{
	ui->detail = kind;
	ui->detail_top = 0;
	ui->screen = SCREEN_DETAIL;
	ui->dirty |= UI_DIRTY_KEY;
}

/* Take the newest snapshot, if there is a newer one. */
static void
ui_take_snapshot(struct ui *ui)
{
	struct snapshot	*s;

	if ((s = snapshot_acquire()) == NULL)
		return;
	if (ui->snap != NULL && s->seq == ui->snap->seq) {
		snapshot_release(s);
		return;
	}
	if (ui->snap != NULL)
		snapshot_release(ui->snap);
	ui->snap = s;
	ui->readonly = ui->cfg->readonly || s->readonly;
	ui_resort(ui);
	ui_refilter(ui);
	scr_events_follow(ui);
	outcome_update(ui);
	ui->dirty |= UI_DIRTY_DATA;
}

/*
 * Lay out and draw the main screen's three panes in h lines. Each pane
 * first gets its least (a bar, headings and one row), then the instances
 * all their rows (up to half the height), then the objects and events
 * share the rest by what they have to show: spare rows go where there is
 * content, and neither is starved.
 */
static void
ui_draw_main(struct ui *ui, int y, int h)
{
	const struct snapshot	*s = ui->snap;
	int	inst, obj, ev, want_obj, want_ev, spare, give, n;

	n = s != NULL ? (int)s->n_inst : 0;
	want_obj = (int)ui->n_obj_idx > 1 ? (int)ui->n_obj_idx : 1;
	want_ev = s != NULL ? (int)s->n_events : 0;
	inst = 3;
	obj = 3;
	ev = 2;
	spare = h - inst - obj - ev;
	/* The instances: every row, up to half the screen. */
	give = (n > 1 ? n - 1 : 0);
	if (give > h / 2 - inst)
		give = h / 2 - inst > 0 ? h / 2 - inst : 0;
	if (give > spare)
		give = spare > 0 ? spare : 0;
	inst += give;
	spare -= give;
	/* Objects and events: each what it can show, the rest split. */
	while (spare > 0) {
		bool	o_more = obj - 2 < want_obj, e_more = ev - 1 < want_ev;

		if (!o_more && !e_more) {
			/* Nothing more to show: the objects pane keeps the
			 * room, as its list is the one that grows. */
			obj += spare;
			break;
		}
		if (o_more && (!e_more || obj - 2 <= 2 * (ev - 1)))
			obj++;
		else
			ev++;
		spare--;
	}
	if (spare < 0) {
		/* Too short: take from the instances, then the events. */
		while (spare < 0 && inst > 3) {
			inst--;
			spare++;
		}
		while (spare < 0 && ev > 1) {
			ev--;
			spare++;
		}
	}
	scr_instances_draw(ui, y, inst, ui->pane == PANE_INSTANCES);
	y += inst;
	scr_objects_draw(ui, y, obj, ui->pane == PANE_OBJECTS);
	y += obj;
	scr_events_draw(ui, y, ev, ui->pane == PANE_EVENTS);
}

/* Draw one frame and send it to the terminal (the one doupdate). */
static void
ui_render(struct ui *ui)
{
	erase();
	ui->stale = draw_stale(ui->snap);
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES)
		draw_too_small();
	else {
		draw_header(ui);
		switch (ui->screen) {
		case SCREEN_MAIN:
			ui_draw_main(ui, 3, LINES - 5);
			break;
		case SCREEN_DETAIL:
			scr_detail_draw(ui, 3, LINES - 5);
			break;
		case SCREEN_HELP:
			scr_help_draw(ui, 3, LINES - 5);
			break;
		}
		draw_footer(ui);
		draw_modal(ui);
	}
	wnoutrefresh(stdscr);
	doupdate();
	ui->dirty = 0;
	ui->last_draw = ui_now();
}

/* Answer the confirmation modal: only 'y' acts; anything else cancels. */
static void
ui_modal_key(struct ui *ui, int ch)
{
	enum ui_modal	m = ui->modal;
	size_t		n = ui->snap != NULL ? ui->snap->n_objects : 0;

	ui->modal = MODAL_NONE;
	ui->dirty |= UI_DIRTY_KEY;
	ui_take_snapshot(ui);		/* refresh was frozen meanwhile */
	if (ch != 'y') {
		ui_status(ui, ROLE_NORMAL, UI_FLASH_S, "%s: cancelled; nothing "
		    "was sent", m == MODAL_DROP ? "D" : "R");
		return;
	}
	(void)n;
	if (m == MODAL_RELOAD_CLUSTER) {
		if (engine_command(CMD_RELOAD_CLUSTER, 0) == -1)
			ui_status(ui, ROLE_ERROR, 0, "R: the engine refused the "
			    "command; nothing was sent");
		else
			outcome_start(ui, ACT_RELOAD_CLUSTER, -1);
	} else if (m == MODAL_DROP) {
		if (engine_command(CMD_DROP_INCONSISTENT, 0) == -1)
			ui_status(ui, ROLE_ERROR, 0, "D: the engine refused the "
			    "command; nothing was sent");
		else
			outcome_start(ui, ACT_DROP, -1);
	}
}

/* Edit the filter: printable bytes, Backspace, Enter keeps, Esc clears. */
static bool
ui_filter_key(struct ui *ui, int ch)
{
	size_t	len = strlen(ui->filter);

	switch (ch) {
	case 27:
		ui->filter[0] = '\0';
		ui->filter_edit = false;
		ui_refilter(ui);
		return (true);
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui->filter_edit = false;
		ui->dirty |= UI_DIRTY_KEY;
		return (true);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* Remove one whole UTF-8 character. */
		while (len > 0 && (ui->filter[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		ui->filter[len] = '\0';
		ui_refilter(ui);
		return (true);
	default:
		if (ch >= 0x20 && ch < 0x100 && ch != 0x7f) {
			if (len + 1 < sizeof ui->filter) {
				ui->filter[len] = (char)ch;
				ui->filter[len + 1] = '\0';
			}
			ui_refilter(ui);
			return (true);
		}
		return (false);		/* arrows and the like move */
	}
}

/* The actions that work the same on every pane of the main screen. */
static void
ui_main_action(struct ui *ui, enum ui_action a)
{
	long	i;

	switch (a) {
	case ACT_QUIT:
		ui->quit = true;
		return;
	case ACT_NEXT_PANE:
		ui->pane = (ui->pane + 1) % PANE_COUNT;
		return;
	case ACT_PREV_PANE:
		ui->pane = (ui->pane + PANE_COUNT - 1) % PANE_COUNT;
		return;
	case ACT_FILTER:
		ui->pane = PANE_OBJECTS;
		ui->filter_edit = true;
		return;
	case ACT_RELOAD_INSTANCE:
		if ((i = scr_instances_selected(ui)) < 0) {
			ui_status(ui, ROLE_ERROR, UI_FLASH_S, "r: no instance "
			    "selected; nothing was sent");
			return;
		}
		if (engine_command(CMD_RELOAD_INSTANCE, (int)i) == -1)
			ui_status(ui, ROLE_ERROR, 0, "r #%ld: the engine refused "
			    "the command; nothing was sent", i + 1);
		else
			outcome_start(ui, ACT_RELOAD_INSTANCE, (int)i);
		return;
	case ACT_RELOAD_CLUSTER:
		if (ui->snap != NULL)
			ui->modal = MODAL_RELOAD_CLUSTER;
		return;
	case ACT_DROP:
		if (ui->snap == NULL || ui->snap->n_objects == 0)
			ui_status(ui, ROLE_NORMAL, UI_FLASH_S, "D: nothing to "
			    "drop: no instance reports inconsistent objects; "
			    "nothing was sent");
		else
			ui->modal = MODAL_DROP;
		return;
	case ACT_PAUSE:
		if (engine_command(CMD_PAUSE, 0) == -1)
			ui_status(ui, ROLE_ERROR, 0, "p: the engine refused the "
			    "command");
		else
			outcome_start(ui, ACT_PAUSE, -1);
		return;
	case ACT_REFRESH:
		if (engine_command(CMD_REFRESH, 0) == -1)
			ui_status(ui, ROLE_ERROR, 0, "F5: the engine refused the "
			    "command");
		else
			outcome_start(ui, ACT_REFRESH, -1);
		return;
	default:
		break;
	}
	switch (ui->pane) {
	case PANE_INSTANCES:
		(void)scr_instances_key(ui, a);
		break;
	case PANE_OBJECTS:
		if (!scr_objects_key(ui, a) && a == ACT_ENTER)
			ui_flash(ui, false, "no object selected");
		break;
	case PANE_EVENTS:
		(void)scr_events_key(ui, a);
		break;
	default:
		break;
	}
}

/* Handle one key. */
static void
ui_key(struct ui *ui, int ch)
{
	enum ui_action	a;

	ui->dirty |= UI_DIRTY_KEY;
	if (ch == KEY_RESIZE)
		return;			/* ncurses has resized; redraw */
	if (ui->modal != MODAL_NONE) {
		ui_modal_key(ui, ch);
		return;
	}
	if (ui->filter_edit && ui_filter_key(ui, ch))
		return;
	a = keys_lookup(ch, ui->readonly);
	if (a == ACT_NONE) {
		/* A key --readonly took away: say so, rather than nothing. */
		if (ui->readonly && (a = keys_lookup(ch, false)) != ACT_NONE)
			ui_status(ui, ROLE_ERROR, UI_FLASH_S * 2, "read-only "
			    "(--readonly): %s is off; nothing was sent",
			    a == ACT_RELOAD_INSTANCE ? "r (reload)" :
			    a == ACT_RELOAD_CLUSTER ? "R (reload the cluster)" :
			    a == ACT_DROP ? "D (drop)" : "that key");
		return;
	}
	if (a == ACT_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	switch (ui->screen) {
	case SCREEN_HELP:
		(void)scr_help_key(ui, a);
		return;
	case SCREEN_DETAIL:
		if (a == ACT_HELP) {
			ui->screen = SCREEN_HELP;
			ui->help_top = 0;
		} else if (!scr_detail_key(ui, a) && a != ACT_ENTER &&
		    a != ACT_NEXT_PANE && a != ACT_PREV_PANE &&
		    a != ACT_FILTER)
			ui_main_action(ui, a);
		return;
	case SCREEN_MAIN:
		if (a == ACT_HELP) {
			ui->screen = SCREEN_HELP;
			ui->help_top = 0;
			return;
		}
		ui_main_action(ui, a);
		return;
	}
}

/* Milliseconds until the next timer: the clock tick or a flash expiry. */
static int
ui_next_timer(struct ui *ui, double now)
{
	double	next, frac;

	/* The "Ns ago" clock: just after the next whole second. */
	frac = now - (double)(long)now;
	next = 1.0 - frac + 0.005;
	if (ui->msg[0] != '\0' && ui->msg_until > 0 &&
	    ui->msg_until - now < next)
		next = ui->msg_until - now;
	if (ui->dirty != 0)
		next = ui->last_draw + UI_FRAME_MIN - now;
	if (next < 0)
		next = 0;
	return ((int)(next * 1000.0) + 1);
}

/* Timers: flash expiry and the once-a-second clock. */
static void
ui_run_timers(struct ui *ui, double now, long *last_sec)
{
	if (ui->msg[0] != '\0' && ui->msg_until > 0 && now >= ui->msg_until) {
		ui->msg[0] = '\0';
		ui->dirty |= UI_DIRTY_CLOCK;
	}
	if ((long)now != *last_sec) {
		*last_sec = (long)now;
		ui->dirty |= UI_DIRTY_CLOCK;
	}
}

/* Set up signals: handlers that only flag and wake; unblock them here. */
static int
ui_signals(const sigset_t *set)
{
	struct sigaction	sa;
	int			i, fl;

	if (pipe(ui_sigpipe) == -1)
		return (-1);
	for (i = 0; i < 2; i++) {
		fl = fcntl(ui_sigpipe[i], F_GETFL);
		fcntl(ui_sigpipe[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(ui_sigpipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);	/* Ctrl-\: no core, a sane tty */
	pthread_sigmask(SIG_UNBLOCK, set, NULL);
	return (0);
}

/* Start curses. Returns 0 or -1 (no usable terminal). */
static int
ui_curses_start(const struct config *c)
{
	SCREEN	*scr;

	ui_tty_save();
	if ((scr = newterm(NULL, stdout, stdin)) == NULL)
		return (-1);
	set_term(scr);
	ui_tty_save_leave();
	atomic_store(&ui_curses_up, true);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
#ifdef HAVE_SET_ESCDELAY
	set_escdelay(25);
#endif
	curs_set(0);
	color_init(c->no_color);
	return (0);
}

/* The loop. Returns the exit code. */
static int
ui_loop(struct ui *ui, double t0)
{
	struct pollfd	pfd[3];
	double		now, tkey = 0;
	long		last_sec = 0;
	int		n, ch, keys, dead = 0;
	bool		first = true;

	ui->dirty = UI_DIRTY_ALL;
	ui_take_snapshot(ui);
	while (!ui->quit) {
		if (ui_signal != 0)
			break;
		now = ui_now();
		if (ui->dirty != 0 && ((ui->dirty & ~UI_DIRTY_DATA) != 0 ||
		    now - ui->last_draw >= UI_FRAME_MIN)) {
			ui_render(ui);
			if (ui->trace != NULL && (first || tkey > 0)) {
				fprintf(ui->trace, "%s %.3f\n", first ?
				    "frame" : "key", (ui_now() -
				    (first ? t0 : tkey)) * 1000.0);
				fflush(ui->trace);
			}
			first = false;
			tkey = 0;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = engine_wake_fd();
		pfd[1].events = POLLIN;
		pfd[2].fd = ui_sigpipe[0];
		pfd[2].events = POLLIN;
		n = poll(pfd, 3, ui_next_timer(ui, ui_now()));
		if (n == -1 && errno != EINTR)
			break;
		now = ui_now();
		if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;			/* the terminal is gone */
		if (n > 0 && (pfd[2].revents & POLLIN)) {
			char	buf[64];

			while (read(ui_sigpipe[0], buf, sizeof buf) > 0)
				continue;
		}
		if (n > 0 && (pfd[1].revents & POLLIN)) {
			engine_drain_wake();
			if (ui->modal == MODAL_NONE)
				ui_take_snapshot(ui);
		}
		keys = 0;
		while ((ch = getch()) != ERR) {
			if (keys++ == 0 && tkey == 0)
				tkey = now;
			ui_key(ui, ch);
			if (ui->quit)
				break;
		}
		/* A readable tty that yields no key again and again is dead. */
		if (n > 0 && (pfd[0].revents & POLLIN) && keys == 0) {
			if (++dead >= UI_DEAD_TTY)
				break;
		} else if (keys > 0)
			dead = 0;
		if (ui->snap == NULL)
			ui_take_snapshot(ui);
		ui_run_timers(ui, ui_now(), &last_sec);
	}
	/* SIGQUIT says "quit abnormally": the shell's 128+3, minus the core
	 * dump and the broken terminal. */
	return (ui_signal == SIGQUIT ? 128 + SIGQUIT : EXIT_OK);
}

/* Run the console until the user quits; returns the process exit code. */
int
ui_run(const struct config *c)
{
	struct ui	 ui;
	struct err	 e = { 0 };
	sigset_t	 set, old;
	const char	*trace;
	double		 t0 = ui_now();
	int		 rc;

	memset(&ui, 0, sizeof ui);
	ui.cfg = c;
	ui.readonly = c->readonly;
	ui.sort = VIEW_SORT_VERDICT;
	ui.exit_code = EXIT_OK;

	setlocale(LC_ALL, "");
	text_set_utf8(strcmp(nl_langinfo(CODESET), "UTF-8") == 0);

	/* Engine threads inherit this mask: signals come to this thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	ui_thread = pthread_self();
	if (engine_start(c, &e) == -1) {
		/* What did start (the listener, say) must not outlive c. */
		engine_stop();
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "hasync: %s\n", e.msg);
		return (e.kind == ERR_USAGE ? EXIT_USAGE : EXIT_UNREACHABLE);
	}
	if (ui_signals(&set) == -1) {
		engine_stop();
		fprintf(stderr, "hasync: pipe: %s\n", strerror(errno));
		return (EXIT_USAGE);
	}
	fatal_set_hook(ui_fatal_hook);
	if ((trace = getenv("HASYNC_UI_TRACE")) != NULL && *trace != '\0')
		ui.trace = fopen(trace, "a");
	if (ui_curses_start(c) == -1) {
		engine_stop();
		fprintf(stderr, "hasync: cannot start the console (TERM=%s)\n",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return (EXIT_USAGE);
	}
	ui_stderr_park();

	rc = ui_loop(&ui, t0);

	if (atomic_exchange(&ui_curses_up, false))
		endwin();
	ui_stderr_restore();
	if (ui.snap != NULL)
		snapshot_release(ui.snap);
	ui.snap = NULL;
	engine_stop();
	fatal_set_hook(NULL);
	if (ui.trace != NULL)
		fclose(ui.trace);
	free(ui.inst_order);
	free(ui.inst_sel_ep);
	free(ui.obj_idx);
	free(ui.obj_sel_key);
	free(ui.detail_key);
	close(ui_sigpipe[0]);
	close(ui_sigpipe[1]);
	ui_sigpipe[0] = ui_sigpipe[1] = -1;
	return (rc);
}
