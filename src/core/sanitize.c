/*
 * sanitize.c: neutralise control characters, escape sequences and invalid
 * UTF-8 in server-provided text before it reaches a terminal. Pure
 * functions; any thread.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hasync/sanitize.h"
#include "hasync/xmalloc.h"

size_t
sanitize_utf8_seq(const unsigned char *s, size_t len, unsigned int *cp)
{
	unsigned int	c;
	size_t		n, i;

	if (len == 0)
		return (0);
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return (0);
	*cp = c;
	return (n);
}

/* Grow-as-needed output buffer. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
};

static void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 64 : b->cap * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

char *
sanitize_text(const char *s, size_t maxlen, int flags)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct sbuf		 b = { NULL, 0, 0 };
	unsigned int		 cp;
	size_t			 len, n;
	char			 esc[16];

	sbuf_add(&b, "", 0);
	if (s == NULL)
		return (b.p);
	len = strnlen(s, maxlen);
	while (len > 0) {
		n = sanitize_utf8_seq(p, len, &cp);
		if (n == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			sbuf_add(&b, esc, strlen(esc));
			n = 1;
		} else if (cp == '\n' && (flags & SANITIZE_KEEP_NEWLINES))
			sbuf_add(&b, "\n", 1);
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			switch (cp) {
			case 0x1b:
				sbuf_add(&b, "\\e", 2);
				break;
			case '\n':
				sbuf_add(&b, "\\n", 2);
				break;
			case '\r':
				sbuf_add(&b, "\\r", 2);
				break;
			case '\t':
				sbuf_add(&b, "\\t", 2);
				break;
			default:
				snprintf(esc, sizeof(esc), cp < 0x80 ?
				    "\\x%02x" : "\\u%04x", cp);
				sbuf_add(&b, esc, strlen(esc));
			}
		} else if (cp >= 0x2028 && cp <= 0x202e) {
			/* Line/paragraph separators and bidi overrides. */
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			sbuf_add(&b, esc, strlen(esc));
		} else
			sbuf_add(&b, (const char *)p, n);
		p += n;
		len -= n;
	}
	return (b.p);
}

char *
sanitize_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct sbuf		 b = { NULL, 0, 0 };
	unsigned int		 cp;
	size_t			 n;

	sbuf_add(&b, "", 0);
	while (len > 0) {
		n = sanitize_utf8_seq(p, len, &cp);
		if (n == 0 || cp == 0) {
			sbuf_add(&b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			n = 1;
		} else
			sbuf_add(&b, (const char *)p, n);
		p += n;
		len -= n;
	}
	return (b.p);
}
