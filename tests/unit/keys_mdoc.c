/*
 * keys_mdoc.c: print the CONSOLE KEYS section of man/hasync.1 from the
 * console's key table (src/ui/keys.c), the same table that drives the
 * footer and the help screen. tests/integration/man-options.sh compares
 * the manual with this output; `make man-keys` rewrites the section.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hasync/ui_keys.h"

/* mdoc escapes: a backslash is written \e. */
static void
mdoc_put(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else
			putchar(*s);
	}
}

int
main(void)
{
	const struct keybind	*t;
	size_t			 i, n;

	t = keys_table(&n);
	printf(".Sh CONSOLE KEYS\n.Bl -tag -width \"PgDn ^F Space\" -compact\n");
	for (i = 0; i < n; i++) {
		printf(".It ");
		mdoc_put(t[i].label);
		printf("\n");
		mdoc_put(t[i].help);
		printf("\n");
	}
	printf(".El\n.Pp\nWith\n.Fl \\-readonly\nthe keys");
	for (i = 0; i < n; i++) {
		if (t[i].flags & KEYF_MODIFY)
			printf(" %s", t[i].label);
	}
	printf(" do not exist: not in the footer, not in the help, and the\n"
	    "engine refuses the commands they would send.\n");
	return (0);
}
