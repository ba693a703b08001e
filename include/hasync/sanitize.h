/*
 * sanitize.h: make text that came from a server safe to show. Pure
 * functions; any thread. Used by the console and by --format text.
 */
#ifndef HASYNC_SANITIZE_H
#define HASYNC_SANITIZE_H

#include <stddef.h>

#define SANITIZE_KEEP_NEWLINES	0x01	/* keep '\n' (detail views) */

/*
 * Return a new string (caller frees) in which every control character
 * (C0, DEL, C1) is written visibly escaped (\e, \n, \r, \t, \x07, \u009b),
 * and every byte that is not valid UTF-8 becomes \xNN. Printable UTF-8 is
 * kept. s may be NULL (gives ""). At most maxlen input bytes are read.
 */
char	*sanitize_text(const char *, size_t, int);

/* Return a copy of s where invalid UTF-8 is replaced by U+FFFD (for JSON). */
char	*sanitize_utf8(const char *, size_t);

/*
 * Length in bytes of the valid UTF-8 sequence at s (at most len bytes), or
 * 0 if it is not valid; *cp receives the code point.
 */
size_t	 sanitize_utf8_seq(const unsigned char *, size_t, unsigned int *);

#endif
