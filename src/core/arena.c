/*
 * arena.c: a bump allocator. Blocks are chained; a request larger than a
 * block gets a block of its own, so nothing is ever copied. Any thread (one
 * owner at a time).
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hasync/arena.h"
#include "hasync/xmalloc.h"

#define ARENA_BLOCK	(64 * 1024)

struct block {
	struct block	*next;
	size_t		 size, used;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct block	*head;
	size_t		 total;
};

#define ARENA_HUGE	(2 * 1024 * 1024)

static struct block *
arena_block(struct arena *a, size_t size)
{
	struct block	*b;

	/* A big first block in huge pages: few page faults. */
	if (sizeof(*b) + size >= ARENA_HUGE) {
		size = ((sizeof(*b) + size + ARENA_HUGE - 1) &
		    ~(size_t)(ARENA_HUGE - 1)) - sizeof(*b);
		if ((b = aligned_alloc(ARENA_HUGE, sizeof(*b) + size)) == NULL)
			fatal("out of memory (%zu bytes)", size);
		(void)madvise(b, sizeof(*b) + size, MADV_HUGEPAGE);
	} else
		b = xmalloc(sizeof(*b) + size);

	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	a->total += size;
	return (b);
}

struct arena *
arena_new(size_t hint)
{
	struct arena	*a = xcalloc(1, sizeof(*a));

	arena_block(a, hint > ARENA_BLOCK ? hint : ARENA_BLOCK);
	return (a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block	*b = a->head;
	size_t		 at = (b->used + alignof(max_align_t) - 1) &
			    ~(alignof(max_align_t) - 1);

	if (n == 0)
		n = 1;
	if (at + n > b->size) {
		if (n > ARENA_BLOCK / 4) {
			/* A big one: a block of its own, behind the head so
			 * the head's free space is not wasted. */
			b = xmalloc(sizeof(*b) + n);
			b->size = b->used = n;
			b->next = a->head->next;
			a->head->next = b;
			a->total += n;
			return (b->data);
		}
		b = arena_block(a, ARENA_BLOCK);
		at = 0;
	}
	b->used = at + n;
	return (b->data + at);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return (d);
}

void
arena_free(struct arena *a)
{
	struct block	*b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

size_t
arena_size(const struct arena *a)
{
	return (a != NULL ? a->total : 0);
}
