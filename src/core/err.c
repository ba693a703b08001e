/*
 * err.c: fill a struct err with a one-line message. Any thread.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hasync/err.h"

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list	 ap;
	char	*nl;

	if (e == NULL)
		return (-1);
	e->kind = kind;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* libpq and curl end messages with a newline; keep one line. */
	while ((nl = strpbrk(e->msg, "\r\n")) != NULL) {
		if (nl[strspn(nl, "\r\n\t ")] == '\0') {
			*nl = '\0';
			break;
		}
		*nl = ' ';
	}
	return (-1);
}
