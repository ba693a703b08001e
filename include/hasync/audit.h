/*
 * audit.h: --audit-log: one JSON line per operator or automatic action
 * (reload, drop): what, its arguments, the target, who ($USER and the ssh
 * client address), and the result. Never the admin secret. Worker thread
 * (audit_open from the main thread before it starts).
 */
#ifndef HASYNC_AUDIT_H
#define HASYNC_AUDIT_H

#include <stdbool.h>

#include <jansson.h>

struct err;

/* Open path for appending (NULL: auditing off). Returns 0 or -1 with e set. */
int	audit_open(const char *, struct err *);
void	audit_close(void);

/* Append one line; args is borrowed and may be NULL. */
void	audit_write(const char *, const char *, json_t *, bool, bool,
	    const char *);

#endif
