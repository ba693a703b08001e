/*
 * exitcode.h: the exit codes of the whole tool, and how they combine.
 */
#ifndef HASYNC_EXITCODE_H
#define HASYNC_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,		/* consistent, every instance healthy and in sync */
	EXIT_INCONSISTENT = 1,	/* metadata is inconsistent */
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_UNREACHABLE = 3,	/* instance or database unreachable, or auth refused */
	EXIT_DISAGREE = 4,	/* instances disagree (inconsistencies or version) */
};

/* Combine two outcomes by severity: 2 > 3 > 1 > 4 > 0. */
int	exitcode_worst(int, int);

/* What a code means, for the last line of --format text. */
const char *exitcode_meaning(int);

#endif
