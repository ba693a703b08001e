/*
 * keys_mdoc.c: print the CONSOLE KEYS and CONSOLE WORDS sections of
 * man/hasync.1 from the console's key table (src/ui/keys.c) and glossary
 * (src/ui/glossary.c), the same tables that drive the footer and the help
 * screen. tests/integration/man-options.sh compares the manual with this
 * output; `make man-keys` rewrites the sections.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hasync/ui_glossary.h"
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
	const struct keybind		*t;
	const struct glossary_section	*g;
	size_t				 i, j, n;

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
	    "engine refuses the commands they would send; pressed, they say\n"
	    "so on the status line, and the title shows READ-ONLY.\n");
	printf(".Sh CONSOLE WORDS\n"
	    "The console's one vocabulary, as its help screen shows it.\n");
	g = glossary(&n);
	for (i = 0; i < n; i++) {
		printf(".Ss ");
		mdoc_put(g[i].title);
		printf("\n.Bl -tag -width Ds\n");
		for (j = 0; j < g[i].n; j++) {
			printf(".It ");
			mdoc_put(g[i].v[j].term);
			printf("\n");
			mdoc_put(g[i].v[j].text);
			printf("\n");
		}
		printf(".El\n");
	}
	return (0);
}
