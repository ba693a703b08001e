/*
 * err.h: a small error record filled by functions that can fail.
 *
 * Functions return 0/-1 (or pointer/NULL) and fill an optional struct err
 * with one line that names the thing and what went wrong. Nothing in
 * src/core prints; callers decide what to show. Any thread.
 */
#ifndef HASYNC_ERR_H
#define HASYNC_ERR_H

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad option, value or configuration: exit 2 */
	ERR_CONNECT,	/* cannot reach a server */
	ERR_AUTH,	/* admin secret refused */
	ERR_PROTO,	/* malformed or unexpected answer */
	ERR_SYS,	/* a system call failed */
};

struct err {
	enum err_kind	kind;
	char		msg[512];
};

/* Record why an operation failed; cut at the first newline. Returns -1. */
int	err_set(struct err *, enum err_kind, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
