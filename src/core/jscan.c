/*
 * jscan.c: a validating JSON scanner (see jscan.h). Its verdicts match
 * jansson's json_loadb(JSON_ALLOW_NUL) on what it accepts and refuses
 * (tests/fuzz/fuzz_hasura.c checks that), with one deliberate difference:
 * jansson lets a raw NUL byte right after a number or a literal vanish in
 * its one-byte pushback ("4\0" loads); every raw NUL is refused here. The hot path is strings:
 * one table lookup per byte until a quote, a backslash, a control byte or
 * a non-ASCII byte. Any thread.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/jscan.h"

#define JSCAN_MAX_DEPTH	2048	/* jansson's JSON_PARSER_MAX_DEPTH */

/* 1: a byte a string scan must stop at ('"', '\\', < 0x20, >= 0x80). */
static const unsigned char jscan_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Eight bytes at a time: non-zero if any of them is one a string scan must
 * stop at: '"', '\\', below 0x20, or 0x80 and above (the classic bit tricks
 * for "has a zero byte" and "has a byte less than n").
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static inline uint64_t
jscan_stop8(uint64_t v)
{
	uint64_t	q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((v - ONES * 0x20) & ~v) | v) & HIGHS;
}

static int
jscan_fail(struct jscan *j, const char *what)
{
	if (j->err == NULL) {
		j->err = what;
		j->err_at = (size_t)(j->p - j->base);
	}
	return (-1);
}

void
jscan_init(struct jscan *j, const char *buf, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->p = j->base = buf;
	j->end = buf + len;
}

static inline void
jscan_ws(struct jscan *j)
{
	const char	*p = j->p;

	/* Compact JSON, the usual case: no whitespace at all. */
	if (p < j->end && (unsigned char)*p > ' ')
		return;

	while (p < j->end && (*p == ' ' || *p == '\n' || *p == '\t' ||
	    *p == '\r'))
		p++;
	if (p != j->p)
		j->ws = true;
	j->p = p;
}

bool
jscan_peek(struct jscan *j, char c)
{
	jscan_ws(j);
	return (j->p < j->end && *j->p == c);
}

int
jscan_expect(struct jscan *j, char c)
{
	if (!jscan_peek(j, c))
		return (jscan_fail(j, c == ':' ? "':' expected" : c == '{' ?
		    "'{' expected" : "unexpected token"));
	if ((c == '{' || c == '[') && j->depth++ >= JSCAN_MAX_DEPTH)
		return (jscan_fail(j, "maximum parsing depth reached"));
	j->p++;
	return (0);
}

/* The length of a valid UTF-8 sequence at p (first byte >= 0x80), or 0. */
static size_t
jscan_utf8(const unsigned char *p, const unsigned char *end)
{
	uint32_t	v;
	size_t		n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, v = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, v = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, v = p[0] & 0x07;
	else
		return (0);
	if ((size_t)(end - p) < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return (0);
	return (n);
}

static int
jscan_hex4(const char *p, uint32_t *out)
{
	uint32_t	v = 0;
	int		i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return (-1);
	}
	*out = v;
	return (0);
}

int
jscan_string(struct jscan *j, struct jstr *out, bool key)
{
	const unsigned char	*p, *end = (const unsigned char *)j->end;
	uint32_t		 u, lo;
	size_t			 n;

	if (j->p >= j->end || *j->p != '"')
		return (jscan_fail(j, "string expected"));
	p = (const unsigned char *)j->p + 1;
	out->s = (const char *)p;
	out->escaped = false;
	for (;;) {
		uint64_t	v;

		while (end - p >= 8) {
			memcpy(&v, p, 8);
			if (jscan_stop8(v) != 0)
				break;
			p += 8;
		}
		while (p < end && !jscan_stop[*p])
			p++;
		if (p >= end) {
			j->p = (const char *)p;
			return (jscan_fail(j, "premature end of input"));
		}
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			if ((n = jscan_utf8(p, end)) == 0) {
				j->p = (const char *)p;
				return (jscan_fail(j, "invalid UTF-8"));
			}
			p += n;
			continue;
		}
		if (*p != '\\') {
			j->p = (const char *)p;
			return (jscan_fail(j, "control character in string"));
		}
		out->escaped = true;
		if (end - p < 2)
			goto short_input;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			continue;
		case 'u':
			break;
		default:
			j->p = (const char *)p;
			return (jscan_fail(j, "invalid escape"));
		}
		if (end - p < 6 || jscan_hex4((const char *)p + 2, &u) == -1) {
			j->p = (const char *)p;
			return (jscan_fail(j, "invalid escape"));
		}
		p += 6;
		if (u >= 0xd800 && u <= 0xdbff) {
			/* A high surrogate needs a low one right after. */
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    jscan_hex4((const char *)p + 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff) {
				j->p = (const char *)p;
				return (jscan_fail(j, "invalid Unicode "
				    "surrogate"));
			}
			p += 6;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			j->p = (const char *)p;
			return (jscan_fail(j, "invalid Unicode surrogate"));
		} else if (u == 0 && key) {
			j->p = (const char *)p;
			return (jscan_fail(j, "NUL byte in object key"));
		}
	}
	out->len = (size_t)(p - (const unsigned char *)out->s);
	j->p = (const char *)p + 1;
	return (0);
short_input:
	j->p = (const char *)p;
	return (jscan_fail(j, "premature end of input"));
}

/* A number, with jansson's range checks: an integer must fit long long,
 * a real must not overflow a double. */
static int
jscan_number(struct jscan *j)
{
	const char	*p = j->p, *start = p, *end = j->end;
	bool		 real = false;
	char		 buf[64], *copy, *stop;
	size_t		 n;
	double		 d;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		real = true;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	n = (size_t)(p - start);
	copy = n < sizeof(buf) ? buf : malloc(n + 1);
	if (copy == NULL)
		return (jscan_fail(j, "out of memory"));
	memcpy(copy, start, n);
	copy[n] = '\0';
	errno = 0;
	if (real) {
		d = strtod(copy, &stop);
		if (errno == ERANGE && (d > 1 || d < -1)) {
			if (copy != buf)
				free(copy);
			return (jscan_fail(j, "real number overflow"));
		}
	} else {
		(void)strtoll(copy, &stop, 10);
		if (errno == ERANGE) {
			if (copy != buf)
				free(copy);
			return (jscan_fail(j, "too big integer"));
		}
	}
	if (copy != buf)
		free(copy);
	j->p = p;
	return (0);
bad:
	j->p = p;
	return (jscan_fail(j, "invalid number"));
}

static int
jscan_literal(struct jscan *j, const char *lit, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return (jscan_fail(j, "invalid token"));
	j->p += n;
	return (0);
}

int
jscan_member(struct jscan *j, bool *first, struct jstr *key)
{
	jscan_ws(j);
	if (*first) {
		*first = false;
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			j->depth--;
			return (0);
		}
	} else {
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			j->depth--;
			return (0);
		}
		if (j->p >= j->end || *j->p != ',')
			return (jscan_fail(j, "'}' or ',' expected"));
		j->p++;
		jscan_ws(j);
	}
	if (jscan_string(j, key, true) == -1)
		return (-1);
	return (jscan_expect(j, ':') == -1 ? -1 : 1);
}

int
jscan_element(struct jscan *j, bool *first)
{
	jscan_ws(j);
	if (*first) {
		*first = false;
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			j->depth--;
			return (0);
		}
		return (1);
	}
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		j->depth--;
		return (0);
	}
	if (j->p >= j->end || *j->p != ',')
		return (jscan_fail(j, "']' or ',' expected"));
	j->p++;
	return (1);
}

int
jscan_value(struct jscan *j)
{
	struct jstr	s;
	bool		first = true;
	int		rc;

	jscan_ws(j);
	if (j->p >= j->end)
		return (jscan_fail(j, "premature end of input"));
	/* Like jansson, every value counts: a scalar inside 2048 arrays
	 * is too deep too. */
	if (j->depth >= JSCAN_MAX_DEPTH)
		return (jscan_fail(j, "maximum parsing depth reached"));
	switch (*j->p) {
	case '"':
		return (jscan_string(j, &s, false));
	case '{':
		j->depth++;
		j->p++;
		while ((rc = jscan_member(j, &first, &s)) == 1)
			if (jscan_value(j) == -1)
				return (-1);
		return (rc);
	case '[':
		j->depth++;
		j->p++;
		while ((rc = jscan_element(j, &first)) == 1)
			if (jscan_value(j) == -1)
				return (-1);
		return (rc);
	case 't':
		return (jscan_literal(j, "true", 4));
	case 'f':
		return (jscan_literal(j, "false", 5));
	case 'n':
		return (jscan_literal(j, "null", 4));
	default:
		return (jscan_number(j));
	}
}

int
jscan_end(struct jscan *j)
{
	jscan_ws(j);
	if (j->p != j->end)
		return (jscan_fail(j, "end of file expected"));
	return (0);
}

/* Write code point u as UTF-8; returns the bytes written. */
static size_t
jstr_put(char *o, uint32_t u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return (1);
	}
	if (u < 0x800) {
		o[0] = (char)(0xc0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3f));
		return (2);
	}
	if (u < 0x10000) {
		o[0] = (char)(0xe0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		o[2] = (char)(0x80 | (u & 0x3f));
		return (3);
	}
	o[0] = (char)(0xf0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[3] = (char)(0x80 | (u & 0x3f));
	return (4);
}

size_t
jstr_decode(const struct jstr *s, char *out)
{
	const char	*p = s->s, *end = s->s + s->len;
	uint32_t	 u, lo;
	size_t		 n = 0;

	if (!s->escaped) {
		memcpy(out, s->s, s->len);
		out[s->len] = '\0';
		return (s->len);
	}
	/* Already validated: every escape is well formed. */
	while (p < end) {
		if (*p != '\\') {
			/* The run up to the next escape, in one copy. */
			const char *q = memchr(p, '\\', (size_t)(end - p));
			size_t	    run = (size_t)((q != NULL ? q : end) - p);

			memcpy(out + n, p, run);
			n += run;
			p += run;
			continue;
		}
		switch (p[1]) {
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			(void)jscan_hex4(p + 2, &u);
			if (u >= 0xd800 && u <= 0xdbff) {
				(void)jscan_hex4(p + 8, &lo);
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			n += jstr_put(out + n, u);
			p += 6;
			continue;
		default:	/* '"', '\\', '/' */
			out[n++] = p[1];
			break;
		}
		p += 2;
	}
	out[n] = '\0';
	return (n);
}
