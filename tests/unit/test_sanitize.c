/*
 * test_sanitize.c: server text is neutralised before it reaches a terminal.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/sanitize.h"

static void
check(const char *in, int flags, const char *want)
{
	char	*out = sanitize_text(in, 1 << 20, flags);

	assert_string_equal(out, want);
	free(out);
}

static void
test_controls(void **state)
{
	(void)state;
	check("plain text", 0, "plain text");
	check("\x1b[2J\x1b]0;pwned\x07", 0, "\\e[2J\\e]0;pwned\\x07");
	check("a\nb\tc\rd", 0, "a\\nb\\tc\\rd");
	check("a\nb", SANITIZE_KEEP_NEWLINES, "a\nb");
	check("del\x7f", 0, "del\\x7f");
	check("c1 \xc2\x9b" "31m", 0, "c1 \\u009b31m");	/* 8-bit CSI */
	check("bidi \xe2\x80\xae", 0, "bidi \\u202e");
	check(NULL, 0, "");
}

static void
test_utf8(void **state)
{
	(void)state;
	check("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 0,
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	check("bad \xff\xfe", 0, "bad \\xff\\xfe");
	check("overlong \xc0\xaf", 0, "overlong \\xc0\\xaf");
	check("overlong3 \xe0\x80\xaf", 0, "overlong3 \\xe0\\x80\\xaf");
	check("overlong4 \xf0\x80\x80\xaf", 0,
	    "overlong4 \\xf0\\x80\\x80\\xaf");
	check("past max \xf4\x90\x80\x80", 0,
	    "past max \\xf4\\x90\\x80\\x80");
	check("surrogate \xed\xa0\x80", 0, "surrogate \\xed\\xa0\\x80");
	check("cut \xe6\x97", 0, "cut \\xe6\\x97");
}

static void
test_maxlen(void **state)
{
	char	*out = sanitize_text("abcdef", 3, 0);

	(void)state;
	assert_string_equal(out, "abc");
	free(out);
}

static void
test_utf8_for_json(void **state)
{
	char	*out = sanitize_utf8("ok\xff!", 4);

	(void)state;
	assert_string_equal(out, "ok\xef\xbf\xbd!");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_maxlen),
		cmocka_unit_test(test_utf8_for_json),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
