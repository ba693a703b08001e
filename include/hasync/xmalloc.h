/*
 * xmalloc.h: allocation that never returns NULL, and fatal() for impossible
 * states. Any thread.
 */
#ifndef HASYNC_XMALLOC_H
#define HASYNC_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/*
 * At least *size bytes; once enabled, rounded up to whole huge pages (the
 * size stored back) in transparent huge pages where the kernel allows them
 * (madvise mode): a 6 MB answer or object list faults in a few times, not
 * 1,500 (a page fault costs 10-15 us on a VM). For blocks of half a
 * huge page or more; freed with free(), grown with xreallocarray().
 */
#define HUGE_PAGE	(2 * 1024 * 1024)
void	*xmalloc_huge(size_t *);

/*
 * Whether xmalloc_huge() uses huge pages (default: no, and it is plain
 * xmalloc): set by a one-shot batch pass, whose memory goes with the
 * process. A long-running mode would keep freed huge pages resident (the
 * console with 20,000 objects: 51 MiB instead of 24). Before any thread.
 */
void	 xmalloc_huge_enable(void);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Print "hasync: fatal: ..." to stderr after running the hook (the console
 * registers one that restores the terminal), then exit(70).
 */
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Set the function fatal() calls first (UI: restore the terminal). */
void	 fatal_set_hook(void (*)(void));

#endif
