/*
 * audit.c: the --audit-log writer (see audit.h). Lines go through the one
 * JSON-lines writer, so they look like every other hasync log line. Opened
 * by the main thread; written by the worker.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/audit.h"
#include "hasync/err.h"
#include "hasync/jsonl.h"

static FILE	*audit_fp;

int
audit_open(const char *path, struct err *e)
{
	if (path == NULL)
		return (0);
	if ((audit_fp = fopen(path, "a")) == NULL)
		return (err_set(e, ERR_USAGE, "--audit-log: cannot open %s: %s",
		    path, strerror(errno)));
	return (0);
}

void
audit_close(void)
{
	if (audit_fp != NULL)
		fclose(audit_fp);
	audit_fp = NULL;
}

void
audit_write(const char *action, const char *target, json_t *args, bool ok,
    bool consistent, const char *result)
{
	json_t		*f;
	const char	*user, *ssh;
	char		 client[128];

	if (audit_fp == NULL)
		return;
	f = json_object();
	json_object_set_new(f, "action", json_string(action));
	json_object_set_new(f, "target", jsonl_string(target));
	json_object_set(f, "args", args != NULL ? args : json_null());
	user = getenv("USER");
	json_object_set_new(f, "user", jsonl_string(user != NULL ? user :
	    "unknown"));
	/* SSH_CONNECTION is "client_ip client_port server_ip server_port". */
	if ((ssh = getenv("SSH_CONNECTION")) != NULL && *ssh != '\0') {
		snprintf(client, sizeof(client), "%s", ssh);
		client[strcspn(client, " ")] = '\0';
		json_object_set_new(f, "ssh_client", jsonl_string(client));
	}
	json_object_set_new(f, "ok", json_boolean(ok));
	json_object_set_new(f, "is_consistent", json_boolean(consistent));
	json_object_set_new(f, "result", jsonl_string(result));
	jsonl_write(audit_fp, ok ? "info" : "error", "audit", f);
	json_decref(f);
}
