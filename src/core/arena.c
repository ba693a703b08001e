/*
 * arena.c: a bump allocator. Blocks are chained, each new one as large as
 * the arena so far; a request over 16 kB gets a block of its own, so
 * nothing is ever copied. Any thread (one owner at a time).
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static struct block *
arena_block(struct arena *a, size_t size)
{
	struct block	*b;

	/* A big block in huge pages, rounded up from half of one: a few
	 * page faults instead of one per 4 kB. */
	if (sizeof(*b) + size >= HUGE_PAGE / 2) {
		size += sizeof(*b);
		b = xmalloc_huge(&size);
		size -= sizeof(*b);
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
		/* Blocks grow with the arena (each as large as all before
		 * it): a few for megabytes of strings, not one per 64 kB. */
		b = arena_block(a, a->total > ARENA_BLOCK ? a->total :
		    ARENA_BLOCK);
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
