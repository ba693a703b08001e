/*
 * ui.c: the console's entry point. UI thread.
 *
 * Placeholder until the console lands (issue: the console).
 */
#include "config.h"

#include <stdio.h>

#include "hasync/exitcode.h"
#include "hasync/ui.h"

int
ui_run(const struct config *c)
{
	(void)c;
	fprintf(stderr, "hasync: the console is not built yet; use --batch\n");
	return (EXIT_USAGE);
}
