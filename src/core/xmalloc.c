/*
 * xmalloc.c: allocation wrappers that call fatal() on out-of-memory, and
 * fatal() itself. Any thread.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hasync/xmalloc.h"

static void (*fatal_hook)(void);

void
fatal_set_hook(void (*hook)(void))
{
	__atomic_store_n(&fatal_hook, hook, __ATOMIC_RELEASE);
}

void
fatal(const char *fmt, ...)
{
	void	(*hook)(void) = __atomic_load_n(&fatal_hook, __ATOMIC_ACQUIRE);
	va_list	ap;

	if (hook != NULL)
		hook();
	fprintf(stderr, "hasync: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

static bool huge_enabled;

void
xmalloc_huge_enable(void)
{
	huge_enabled = true;
}

void *
xmalloc_huge(size_t *size)
{
	size_t	 n = (*size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	void	*p;

	if (!huge_enabled)
		return (xmalloc(*size));
	if (n < *size || (p = aligned_alloc(HUGE_PAGE, n)) == NULL)
		fatal("out of memory (%zu bytes)", *size);
	(void)madvise(p, n, MADV_HUGEPAGE);
	*size = n;
	return (p);
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("out of memory (%zu bytes)", n);
	return (p);
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, sz);
	return (p);
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		fatal("allocation overflow (%zu x %zu)", n, sz);
	if ((p = realloc(p, n * sz == 0 ? 1 : n * sz)) == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, sz);
	return (p);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("out of memory");
	return (p);
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("out of memory");
	return (p);
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("out of memory");
	return (n);
}
