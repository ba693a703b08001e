/*
 * text.c: column arithmetic for the console: UTF-8 width through wcwidth,
 * truncation with "…" (or "~" in ASCII mode), padding and word wrapping.
 *
 * Pure functions; no curses. Called on the UI thread (and by the unit
 * tests). Input is expected to be sanitised already (text_fit_raw does it):
 * a control character that slips through is drawn as '?'.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "hasync/sanitize.h"
#include "hasync/ui_text.h"
#include "hasync/xmalloc.h"

static bool	text_is_utf8 = true;

/* Decode the next character of s; returns its length (at least 1). */
static size_t
text_next(const char *s, unsigned int *cp)
{
	size_t	n;

	n = sanitize_utf8_seq((const unsigned char *)s, strnlen(s, 4), cp);
	if (n == 0) {
		*cp = 0xfffd;
		return (1);
	}
	return (n);
}

/* Choose UTF-8 or ASCII output. */
void
text_set_utf8(bool on)
{
	text_is_utf8 = on;
}

/* Whether UTF-8 output is on. */
bool
text_utf8(void)
{
	return (text_is_utf8);
}

/* Width of one code point as it will be drawn. */
int
text_cp_width(unsigned int cp)
{
	int	w;

	if (cp < 0x20 || cp == 0x7f)
		return (1);		/* drawn as '?' */
	if (cp < 0x80)
		return (1);
	if (!text_is_utf8)
		return (1);		/* drawn as '?' */
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return (1);		/* drawn as U+FFFD */
	return (w);
}

/* Display width of s in columns. */
int
text_width(const char *s)
{
	unsigned int	cp;
	int		w = 0;

	if (s == NULL)
		return (0);
	while (*s != '\0') {
		s += text_next(s, &cp);
		w += text_cp_width(cp);
	}
	return (w);
}

/* Append n bytes to buf if they fit (keeping room for the NUL). */
static bool
text_put(char *buf, size_t bufsz, size_t *len, const char *p, size_t n)
{
	if (*len + n + 1 > bufsz)
		return (false);
	memcpy(buf + *len, p, n);
	*len += n;
	buf[*len] = '\0';
	return (true);
}

/* Append the drawable form of code point cp (bytes p, n) to buf. */
static bool
text_put_cp(char *buf, size_t bufsz, size_t *len, unsigned int cp,
    const char *p, size_t n)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && !text_is_utf8))
		return (text_put(buf, bufsz, len, "?", 1));
	if (cp >= 0x80 && wcwidth((wchar_t)cp) < 0)
		return (text_put(buf, bufsz, len, "\xef\xbf\xbd", 3));
	if (cp == 0xfffd && n == 1)
		return (text_put(buf, bufsz, len, "\xef\xbf\xbd", 3));
	return (text_put(buf, bufsz, len, p, n));
}

/* Fit s into cols columns of buf; see ui_text.h. */
int
text_fit(char *buf, size_t bufsz, const char *s, int cols, int flags)
{
	const char	*p, *ell;
	unsigned int	 cp;
	size_t		 len = 0, n;
	int		 w = 0, cw, total, pad, i;

	if (bufsz == 0)
		return (0);
	buf[0] = '\0';
	if (cols <= 0)
		return (0);
	if (s == NULL)
		s = "";
	if (flags & TEXT_RIGHT)
		flags |= TEXT_PAD;
	ell = text_is_utf8 ? "\xe2\x80\xa6" : "~";
	total = text_width(s);
	if (total <= cols) {
		if ((flags & TEXT_RIGHT) && total < cols) {
			for (i = 0; i < cols - total; i++)
				if (!text_put(buf, bufsz, &len, " ", 1))
					break;
			w = cols - total;
		}
		for (p = s; *p != '\0'; p += n) {
			n = text_next(p, &cp);
			if (!text_put_cp(buf, bufsz, &len, cp, p, n))
				break;
			w += text_cp_width(cp);
		}
	} else {
		/* Keep one column for the ellipsis. */
		for (p = s; *p != '\0'; p += n) {
			n = text_next(p, &cp);
			cw = text_cp_width(cp);
			if (w + cw > cols - 1)
				break;
			if (!text_put_cp(buf, bufsz, &len, cp, p, n))
				break;
			w += cw;
		}
		if (text_put(buf, bufsz, &len, ell, strlen(ell)))
			w++;
	}
	if (flags & TEXT_PAD) {
		for (pad = cols - w; pad > 0; pad--) {
			if (!text_put(buf, bufsz, &len, " ", 1))
				break;
			w++;
		}
	}
	return (w);
}

/* Bytes of the longest prefix of s no wider than cols. */
static size_t
text_prefix(const char *s, int cols)
{
	unsigned int	cp;
	size_t		n, off = 0;
	int		w = 0;

	while (s[off] != '\0') {
		n = text_next(s + off, &cp);
		if (w + text_cp_width(cp) > cols)
			break;
		w += text_cp_width(cp);
		off += n;
	}
	return (off);
}

/* Byte offset where the longest suffix of s no wider than cols starts,
 * never before byte min. */
static size_t
text_suffix(const char *s, int cols, size_t min)
{
	size_t	len = strlen(s), off = min;

	while (off < len && text_width(s + off) > cols) {
		unsigned int cp;

		off += text_next(s + off, &cp);
	}
	return (off);
}

/* Head bytes [0, hb), the ellipsis, and s from tb on, into buf. */
static int
text_join(char *buf, size_t bufsz, const char *s, size_t hb, size_t tb)
{
	const char	*ell = text_is_utf8 ? "\xe2\x80\xa6" : "~";
	char		*head;
	int		 w;

	head = xstrndup(s, hb);
	w = text_fit(buf, bufsz, head, text_width(head) + 1, 0);
	free(head);
	if (strlen(buf) + strlen(ell) + strlen(s + tb) + 1 > bufsz)
		return (w);
	strcat(buf, ell);
	strcat(buf, s + tb);
	return (w + 1 + text_width(s + tb));
}

/* Fit s into cols, eliding in the middle; see ui_text.h. */
int
text_elide(char *buf, size_t bufsz, const char *s, int cols, size_t a,
    size_t b)
{
	size_t	len, hb, tb;
	int	hw;

	if (s == NULL)
		s = "";
	len = strlen(s);
	if (text_width(s) <= cols || cols < 4)
		return (text_fit(buf, bufsz, s, cols, 0));
	if (a > len)
		a = len;
	if (b > len)
		b = len;
	/* The halves, if they show what tells s apart. */
	hb = text_prefix(s, (cols - 1) / 2);
	hw = text_width(s) - text_width(s + hb);
	tb = text_suffix(s, cols - 1 - hw, hb);
	if (a >= b || b <= hb || a >= tb)
		return (text_join(buf, bufsz, s, hb, tb));
	/* The tail from where it differs on. */
	if (text_width(s + a) <= cols - 2) {
		hb = text_prefix(s, cols - 1 - text_width(s + a));
		return (text_join(buf, bufsz, s, hb, a));
	}
	/* The head up to where it stops differing. */
	hb = text_prefix(s, cols - 2);
	if (b <= hb) {
		hw = text_width(s) - text_width(s + b);
		tb = text_suffix(s, cols - 1 - hw, b);
		return (text_join(buf, bufsz, s, b, tb));
	}
	/* What differs, from its start. */
	{
		char	rest[1024];

		snprintf(buf, bufsz, "%s", text_is_utf8 ? "\xe2\x80\xa6" :
		    "~");
		text_fit(rest, sizeof rest, s + a, cols - 1, 0);
		if (strlen(buf) + strlen(rest) + 1 <= bufsz)
			strcat(buf, rest);
	}
	return (text_width(buf));
}

/* Sanitise raw and fit it. */
int
text_fit_raw(char *buf, size_t bufsz, const char *raw, int cols, int flags)
{
	char	*clean;
	int	 w;

	if (raw == NULL)
		return (text_fit(buf, bufsz, "-", cols, flags));
	/* Nothing past what could ever be drawn needs sanitising. */
	clean = sanitize_text(raw, (size_t)(cols > 0 ? cols : 1) * 8 + 64, 0);
	w = text_fit(buf, bufsz, clean, cols, flags);
	free(clean);
	return (w);
}

/* Add a line (bytes s..s+n) to the growing array. */
static void
text_add_line(char ***lines, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	(*lines)[(*n)++] = xstrndup(s, len);
}

/* Wrap one line without '\n' into pieces of at most cols columns. */
static void
text_wrap_line(const char *s, size_t slen, int cols, char ***lines, size_t *n,
    size_t *cap)
{
	const char	*start = s, *end = s + slen, *p, *brk;
	unsigned int	 cp;
	size_t		 k;
	int		 w;

	for (;;) {
		w = 0;
		brk = NULL;
		for (p = start; p < end; p += k) {
			k = text_next(p, &cp);
			if (w + text_cp_width(cp) > cols)
				break;
			w += text_cp_width(cp);
			if (cp == ' ' && p > start)
				brk = p;
		}
		if (p >= end) {
			text_add_line(lines, n, cap, start, (size_t)(end - start));
			return;
		}
		if (p == start)		/* a character wider than cols */
			p += text_next(p, &cp);
		else if (brk != NULL && *p != ' ')
			p = brk;
		text_add_line(lines, n, cap, start, (size_t)(p - start));
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return;
		start = p;
	}
}

/* Split s into lines of at most cols columns; see ui_text.h. */
size_t
text_wrap(const char *s, int cols, char ***lines)
{
	const char	*nl;
	size_t		 n = 0, cap = 0;

	*lines = NULL;
	if (cols < 1)
		cols = 1;
	if (s == NULL)
		s = "";
	for (;;) {
		nl = strchr(s, '\n');
		text_wrap_line(s, nl != NULL ? (size_t)(nl - s) : strlen(s), cols,
		    lines, &n, &cap);
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	return (n);
}

/* Free an array from text_wrap(). */
void
text_lines_free(char **lines, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Case-insensitive ASCII substring test. */
bool
text_contains(const char *hay, const char *needle)
{
	size_t	i, nlen;
	int	first;

	if (needle == NULL || *needle == '\0')
		return (true);
	if (hay == NULL)
		return (false);
	nlen = strlen(needle);
	first = tolower((unsigned char)needle[0]);
	for (; *hay != '\0'; hay++) {
		if (tolower((unsigned char)*hay) != first)
			continue;
		for (i = 1; i < nlen; i++) {
			if (hay[i] == '\0')
				return (false);
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == nlen)
			return (true);
	}
	return (false);
}
