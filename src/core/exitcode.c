/*
 * exitcode.c: combine outcomes into one exit code. Any thread.
 */
#include "config.h"

#include "hasync/exitcode.h"

/* Rank by severity: usage 2 > unreachable 3 > inconsistent 1 > disagree 4. */
static int
exitcode_rank(int code)
{
	switch (code) {
	case EXIT_USAGE:
		return (4);
	case EXIT_UNREACHABLE:
		return (3);
	case EXIT_INCONSISTENT:
		return (2);
	case EXIT_DISAGREE:
		return (1);
	default:
		return (0);
	}
}

int
exitcode_worst(int a, int b)
{
	return (exitcode_rank(a) >= exitcode_rank(b) ? a : b);
}

const char *
exitcode_meaning(int code)
{
	switch (code) {
	case EXIT_OK:
		return ("every replica healthy, consistent and in sync");
	case EXIT_INCONSISTENT:
		return ("metadata is inconsistent");
	case EXIT_USAGE:
		return ("usage or configuration error");
	case EXIT_UNREACHABLE:
		return ("an instance or the database is unreachable or "
		    "unhealthy, or the admin secret was refused");
	case EXIT_DISAGREE:
		return ("replicas disagree, or one serves an older "
		    "resource_version than the catalog");
	default:
		return (code > 128 ? "interrupted by a signal" : "unknown");
	}
}
