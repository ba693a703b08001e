/*
 * jscan.h: a validating JSON scanner that builds nothing. It walks a buffer
 * once, checks it exactly as jansson would (RFC 8259 grammar, UTF-8, escapes,
 * surrogates, number range, depth 2048, a raw NUL refused, \u0000 allowed in
 * values but not in keys), and lets the caller look at what it needs: the
 * span of a value, the raw bytes of a string. Parsers of big answers use it
 * to record where things are instead of copying them. Any thread.
 */
#ifndef HASYNC_JSCAN_H
#define HASYNC_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jscan {
	const char	*p, *end;
	int		 depth;
	bool		 ws;		/* whitespace skipped since last reset */
	const char	*err;		/* static text, NULL until an error */
	size_t		 err_at;	/* byte offset of the error */
	const char	*base;
};

/* A string as it stands in the buffer, between its quotes. */
struct jstr {
	const char	*s;
	size_t		 len;
	bool		 escaped;	/* holds a backslash: decode before use */
};

void	jscan_init(struct jscan *, const char *, size_t);

/* Skip whitespace; true if the next byte is c (not consumed). */
bool	jscan_peek(struct jscan *, char);

/* Consume c after whitespace, or fail. Returns 0 or -1. */
int	jscan_expect(struct jscan *, char);

/* Validate and skip one value of any kind. Returns 0 or -1. */
int	jscan_value(struct jscan *);

/* Validate one string (at '"'); its raw bytes into *out. 0 or -1. */
int	jscan_string(struct jscan *, struct jstr *, bool);

/*
 * Walk an object member by member: call with *first true before the first
 * member. Returns 1 with the key in *key and the scanner before the value,
 * 0 at the closing brace (consumed), -1 on error.
 */
int	jscan_member(struct jscan *, bool *, struct jstr *);

/* The same for array elements: 1 before an element, 0 at ']', -1. */
int	jscan_element(struct jscan *, bool *);

/* After the top-level value: only whitespace may follow. 0 or -1. */
int	jscan_end(struct jscan *);

/* True if the string equals the C string lit (raw compare, unescaped).
 * Inline: with a literal, strlen folds and memcmp is a few instructions
 * (a call to each was an eighth of a 20,000-object parse). */
static inline bool
jstr_is(const struct jstr *s, const char *lit)
{
	size_t	n = strlen(lit);

	return (!s->escaped && s->len == n && memcmp(s->s, lit, n) == 0);
}

/* Decode a string into out (room for len + 1 bytes); returns its length. */
size_t	jstr_decode(const struct jstr *, char *);

#endif
