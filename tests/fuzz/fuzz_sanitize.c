/*
 * fuzz_sanitize.c: libFuzzer target for the text sanitiser
 * (src/core/sanitize.c). The first byte gives the flags and a read limit;
 * the rest is the text. Checks what sanitize.h promises: the output of
 * sanitize_text is valid UTF-8 without control characters (but '\n' when
 * asked) or bidi overrides, and sanitize_utf8 gives valid UTF-8 of the same
 * or greater length without NUL.
 */
#include "config.h"

#include <string.h>

#include "hasync/sanitize.h"
#include "hasync/xmalloc.h"

#include "fuzz.h"

/* Every byte of s[0..len) is part of a valid sequence; no NUL. */
static void
fuzz_check_utf8(const char *s, size_t len, int flags, int strict)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned int		 cp;
	size_t			 n;

	while (len > 0) {
		n = sanitize_utf8_seq(p, len, &cp);
		FUZZ_ASSERT(n > 0 && n <= len);
		FUZZ_ASSERT(cp != 0);
		if (strict) {
			FUZZ_ASSERT(cp >= 0x20 || (cp == '\n' &&
			    (flags & SANITIZE_KEEP_NEWLINES)));
			FUZZ_ASSERT(cp != 0x7f && (cp < 0x80 || cp >= 0xa0));
			FUZZ_ASSERT(cp < 0x2028 || cp > 0x202e);
		}
		p += n;
		len -= n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;
	size_t		 len, maxlen, i;
	unsigned int	 cp;
	char		*out;
	int		 flags;

	if (size == 0)
		return (0);
	len = size - 1;
	flags = data[0] & SANITIZE_KEEP_NEWLINES;
	/* Mostly the whole text; sometimes a read limit inside it. */
	maxlen = (data[0] & 0x80) ? (len * (data[0] & 0x0f)) / 16 : len;

	out = sanitize_text(s, maxlen, flags);
	fuzz_check_utf8(out, strlen(out), flags, 1);
	/* At most 6 output bytes ("\u009b") for each input byte. */
	FUZZ_ASSERT(strlen(out) <= 6 * maxlen);
	free(out);

	out = sanitize_utf8(s, len);
	FUZZ_ASSERT(strlen(out) >= len);
	fuzz_check_utf8(out, strlen(out), flags, 0);
	free(out);

	out = sanitize_text(NULL, len, flags);
	FUZZ_ASSERT(out[0] == '\0');
	free(out);

	for (i = 0; i < len; i++)
		(void)sanitize_utf8_seq((const unsigned char *)s + i, len - i,
		    &cp);
	return (0);
}
