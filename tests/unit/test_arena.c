/*
 * test_arena.c: the bump allocator every answer's objects live in. What it
 * hands out is aligned, never overlaps (each allocation keeps its bytes
 * while hundreds of thousands follow, across growing blocks, huge-page
 * blocks and blocks of their own), and the arena holds at most about twice
 * what was asked for, plus one huge page of rounding.
 */
#include "config.h"

#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/arena.h"
#include "hasync/xmalloc.h"

struct rec {
	unsigned char	*p;
	size_t		 n;
	unsigned char	 fill;
};

/* Fill n allocations of sizes from sizes(i), then check every one. */
static void
fill_and_check(size_t hint, size_t count, size_t (*sizes)(size_t))
{
	struct arena	*a = arena_new(hint);
	struct rec	*r = xcalloc(count, sizeof(*r));
	size_t		 i, k, asked = 0;

	for (i = 0; i < count; i++) {
		r[i].n = sizes(i);
		r[i].fill = (unsigned char)(i * 131 + 7);
		r[i].p = arena_alloc(a, r[i].n);
		assert_non_null(r[i].p);
		assert_int_equal((uintptr_t)r[i].p % alignof(max_align_t), 0);
		memset(r[i].p, r[i].fill, r[i].n);
		asked += r[i].n;
	}
	for (i = 0; i < count; i++) {
		for (k = 0; k < r[i].n; k++) {
			if (r[i].p[k] != r[i].fill)
				fail_msg("allocation %zu (%zu bytes) overwritten "
				    "at byte %zu", i, r[i].n, k);
		}
	}
	/* Each allocation may waste its alignment; blocks at most double;
	 * a huge block rounds up to a huge page; the first holds hint. */
	asked += count * alignof(max_align_t);
	if (arena_size(a) > 2 * asked + hint + HUGE_PAGE)
		fail_msg("arena holds %zu bytes for %zu asked", arena_size(a),
		    asked);
	arena_free(a);
	free(r);
}

/* Sizes: small ones; some over 16 kB (blocks of their own) among them,
 * and zero; 3 MB ones (huge blocks) among small ones. */
static size_t
small_sizes(size_t i)
{
	return (i % 97 + 1);
}

static size_t
mixed_sizes(size_t i)
{
	return (i % 50 == 0 ? 20000 + i % 7 : i % 300);
}

static size_t
huge_sizes(size_t i)
{
	return (i % 3 == 0 ? 3 * 1024 * 1024 : 64);
}

static void
test_small_many(void **state)
{
	(void)state;
	fill_and_check(0, 400000, small_sizes);	/* ~20 MB in growing blocks */
}

static void
test_mixed(void **state)
{
	(void)state;
	fill_and_check(4096, 50000, mixed_sizes);	/* own blocks too */
}

static void
test_huge_hint(void **state)
{
	(void)state;
	/* Huge pages on, as a one-shot pass has them (the tests before ran
	 * with them off, as the console). A first block of 1.5 MB: rounded
	 * up to a huge page. */
	xmalloc_huge_enable();
	fill_and_check(3 * 512 * 1024, 100000, small_sizes);
	fill_and_check(3 * 1024 * 1024 - 5, 10, huge_sizes);
}

static void
test_strndup(void **state)
{
	struct arena	*a = arena_new(0);
	const char	*s = arena_strndup(a, "inconsistent object", 12);

	(void)state;
	assert_string_equal(s, "inconsistent");
	assert_string_equal(arena_strndup(a, "", 0), "");
	arena_free(a);
	arena_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_many),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_huge_hint),
		cmocka_unit_test(test_strndup),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
