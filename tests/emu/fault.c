/*
 * tests/emu/fault.c: the test-only faults of POST /emu/fault and the request
 * counters of GET /emu/stats.  Called from HTTP handler threads; the caller
 * of fault_count holds nothing, the counters are guarded by in->lock.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Commands that bump resource_version (facts §3.1), as far as emulated. */
static const char *fault_modifying[] = {
	"reload_metadata", "replace_metadata", "clear_metadata",
	"drop_inconsistent_metadata", "reload_remote_schema", NULL
};

static int
fault_bool(const json_t *v, bool *out, const char *key, char *msg, size_t len)
{
	if (!json_is_boolean(v)) {
		snprintf(msg, len, "%s: expected a boolean", key);
		return (-1);
	}
	*out = json_is_true(v);
	return (0);
}

static int
fault_int(const json_t *v, int *out, const char *key, int max, char *msg,
    size_t len)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max) {
		snprintf(msg, len, "%s: expected an integer 0..%d", key, max);
		return (-1);
	}
	*out = (int)json_integer_value(v);
	return (0);
}

/*
 * Parse a fault object into f (all other fields cleared; {} clears all).
 * Returns 0, or -1 with msg.
 */
int
fault_parse(const json_t *j, struct fault *f, char *msg, size_t len)
{
	const char	*k;
	json_t		*v;
	int		 rc = 0;

	memset(f, 0, sizeof *f);
	if (!json_is_object(j)) {
		snprintf(msg, len, "expected an object");
		return (-1);
	}
	json_object_foreach((json_t *)j, k, v) {
		if (strcmp(k, "latency_ms") == 0)
			rc = fault_int(v, &f->latency_ms, k, 600000, msg, len);
		else if (strcmp(k, "healthz_error") == 0)
			rc = fault_bool(v, &f->healthz_error, k, msg, len);
		else if (strcmp(k, "sync_paused") == 0)
			rc = fault_bool(v, &f->sync_paused, k, msg, len);
		else if (strcmp(k, "hang") == 0)
			rc = fault_bool(v, &f->hang, k, msg, len);
		else if (strcmp(k, "malformed") == 0)
			rc = fault_bool(v, &f->malformed, k, msg, len);
		else if (strcmp(k, "close") == 0)
			rc = fault_bool(v, &f->close, k, msg, len);
		else if (strcmp(k, "status") == 0)
			rc = fault_int(v, &f->status, k, 599, msg, len);
		else if (strcmp(k, "body_mb") == 0)
			rc = fault_int(v, &f->body_mb, k, 4096, msg, len);
		else {
			snprintf(msg, len, "unknown fault \"%s\"", k);
			rc = -1;
		}
		if (rc == -1)
			return (-1);
	}
	if (f->status != 0 && f->status < 100) {
		snprintf(msg, len, "status: expected 100..599");
		return (-1);
	}
	return (0);
}

/* Count one metadata request of command type (args may be NULL). */
void
fault_count(struct instance *in, const char *type, const json_t *args)
{
	json_t	*n;

	pthread_mutex_lock(&in->lock);
	n = json_object_get(in->stat_counts, type);
	json_object_set_new(in->stat_counts, type, json_integer(
	    json_integer_value(n) + 1));
	for (int i = 0; fault_modifying[i] != NULL; i++)
		if (strcmp(type, fault_modifying[i]) == 0)
			in->stat_modifying++;
	if (strcmp(type, "reload_metadata") == 0) {
		json_decref(in->stat_last_reload);
		in->stat_last_reload = args != NULL ? json_deep_copy(args) :
		    json_object();
	}
	pthread_mutex_unlock(&in->lock);
}

/* Serialise GET /emu/stats for this instance (new string). */
char *
fault_stats(struct instance *in)
{
	json_t	*o;
	char	*s;

	pthread_mutex_lock(&in->lock);
	o = json_pack("{s:O,s:I,s:O?,s:I,s:s}", "metadata_requests",
	    in->stat_counts, "modifying_requests", (json_int_t)in->stat_modifying,
	    "last_reload_args", in->stat_last_reload,
	    "in_memory_resource_version", (json_int_t)in->version,
	    "instance_id", in->id);
	s = util_dumps(o);
	pthread_mutex_unlock(&in->lock);
	json_decref(o);
	return (s);
}

/* Code and message of a status fault's Hasura error body (facts §3.8). */
int
fault_error_status(int status, const char **code, const char **msg)
{
	switch (status) {
	case 400:
		*code = "bad-request";
		*msg = "bad request";
		break;
	case 401:
	case 403:
		*code = "access-denied";
		*msg = "invalid x-hasura-admin-secret/x-hasura-access-key";
		break;
	case 404:
		*code = "not-found";
		*msg = "resource does not exist";
		break;
	case 409:
		*code = "conflict";
		*msg = "metadata resource version referenced (0) did not "
		    "match current version";
		break;
	default:
		*code = "unexpected";
		*msg = status >= 500 ? "internal error" : "emulated fault";
		break;
	}
	return (status);
}
