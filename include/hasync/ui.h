/*
 * ui.h: the ncurses console. Runs on the main (UI) thread; the only code
 * that calls curses.
 */
#ifndef HASYNC_UI_H
#define HASYNC_UI_H

struct config;

/* Run the console until the user quits; returns the process exit code. */
int	ui_run(const struct config *);

#endif
