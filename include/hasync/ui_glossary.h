/*
 * ui_glossary.h: THE vocabulary of the console: every verdict word, every
 * column and every mark on screen with what it means. The help screen
 * (scr_help.c) and the manual's CONSOLE WORDS section (tests/unit/
 * keys_mdoc.c, make man-keys) both print this one table, so the screen,
 * its help and the manual use one set of words. No curses; UI thread.
 */
#ifndef HASYNC_UI_GLOSSARY_H
#define HASYNC_UI_GLOSSARY_H

#include <stddef.h>

struct glossary_entry {
	const char	*term;		/* as it appears on screen */
	const char	*text;		/* one sentence or two */
};

struct glossary_section {
	const char			*title;
	const struct glossary_entry	*v;
	size_t				 n;
};

/* Every section, in help order; *n receives how many. */
const struct glossary_section	*glossary(size_t *);

/* The verdict words in rank order, worst first, as verdict_word() spells
 * them (tests/unit/test_ui_text.c checks both agree); *n gets how many. */
const struct glossary_entry	*glossary_verdicts(size_t *);

#endif
