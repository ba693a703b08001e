/*
 * batch.c: --batch, --watch and "hasync reload". Main thread.
 *
 * Placeholder until the engine lands (issue: sync and reload engine).
 */
#include "config.h"

#include <stdio.h>

#include "hasync/batch.h"
#include "hasync/config.h"
#include "hasync/exitcode.h"

int
batch_run(const struct config *c)
{
	(void)c;
	fprintf(stderr, "hasync: batch mode is not built yet\n");
	return (EXIT_USAGE);
}
