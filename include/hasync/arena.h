/*
 * arena.h: a bump allocator for everything one answer owns (its objects'
 * strings and arrays), freed in one call. Not thread-safe: one owner fills
 * it; once published it is only read. Any thread.
 */
#ifndef HASYNC_ARENA_H
#define HASYNC_ARENA_H

#include <stddef.h>

struct arena;

/* A new arena whose first block holds at least hint bytes. */
struct arena	*arena_new(size_t);

/* n bytes aligned for any type; never NULL. */
void		*arena_alloc(struct arena *, size_t);

/* A NUL-terminated copy of s[0..n). */
char		*arena_strndup(struct arena *, const char *, size_t);

/* Free the arena and everything in it. NULL is fine. */
void		 arena_free(struct arena *);

/* Bytes the arena holds (blocks, not what was asked for). */
size_t		 arena_size(const struct arena *);

#endif
