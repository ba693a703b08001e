/*
 * ui_text.h: column arithmetic for the console: display width of UTF-8
 * text (wcwidth), truncation with an ellipsis, padding and word wrapping.
 * Pure functions with no curses; the UI thread calls them, and so do the
 * unit tests (tests/unit/test_ui_text.c).
 */
#ifndef HASYNC_UI_TEXT_H
#define HASYNC_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_PAD	0x01	/* pad with spaces to exactly cols */
#define TEXT_RIGHT	0x02	/* right-align (implies TEXT_PAD) */

/*
 * Choose UTF-8 output (glyphs, "…") or plain ASCII (non-ASCII code points
 * become '?', truncation ends with '~'). Set once at start-up.
 */
void	 text_set_utf8(bool);
bool	 text_utf8(void);

/* Display width of code point cp (0, 1 or 2) as text_fit() will draw it. */
int	 text_cp_width(unsigned int);

/* Display width in columns of the UTF-8 string s. Invalid bytes count 1. */
int	 text_width(const char *);

/*
 * Write into buf (bufsz bytes, always NUL-terminated) the longest prefix of
 * s that fits in cols columns. If s is wider, the last column holds the
 * ellipsis. A wide character never straddles the edge. s must already be
 * sanitised (no control characters). Returns the columns written.
 */
int	 text_fit(char *, size_t, const char *, int, int);

/*
 * Fit clean text s into cols columns by eliding its middle ("host…:8081"),
 * so that both ends stay. Bytes [a, b) are what tells s apart from its
 * neighbours (a >= b: nothing in particular): the elision is placed so
 * that they stay visible when they can. Returns the columns written.
 */
int	 text_elide(char *, size_t, const char *, int, size_t, size_t);

/*
 * Sanitise raw server text (sanitize_text) and fit it as text_fit() does.
 * raw may be NULL (drawn as "-").
 */
int	 text_fit_raw(char *, size_t, const char *, int, int);

/*
 * Split s into lines of at most cols columns: at '\n', and between words
 * when a line would overflow (a word wider than cols is cut). *lines
 * receives an array of new strings (free with text_lines_free). Returns
 * the number of lines (at least 1 for "").
 */
size_t	 text_wrap(const char *, int, char ***);
void	 text_lines_free(char **, size_t);

/* Case-insensitive ASCII substring test; "" matches everything. */
bool	 text_contains(const char *, const char *);

#endif
