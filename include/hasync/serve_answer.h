/*
 * serve_answer.h: the JSON bodies hasync serve answers with: the outcome of
 * POST /reload_metadata, and errors. Pure functions of a snapshot; any
 * thread.
 */
#ifndef HASYNC_SERVE_ANSWER_H
#define HASYNC_SERVE_ANSWER_H

#include <stddef.h>

struct snapshot;

/*
 * The answer to POST /reload_metadata once the engine's reload cycle is
 * over in s: 200 with Hasura's own reload answer when every replica is
 * consistent afterwards (as hasura-metadata-reloader's server), else 500
 * with {"error", "message", "is_consistent", "resource_version",
 * "replicas", "inconsistent_objects"} (the objects as a replica sent
 * them). Sets *status; returns a new string (caller frees), *len its
 * length. Never contains the admin secret: nothing in a snapshot does.
 */
char	*answer_reload(const struct snapshot *, int *, size_t *);

/* {"error": text, "code": a word for status}: a new string, *len. */
char	*answer_error(int, const char *, size_t *);

/* Overwrite every occurrence of secret (NULL: none) in the len bytes of
 * body with '*': what replicas report (a header value in a definition)
 * may hold the admin secret, and no answer of hasync's ever does. */
void	 answer_redact(char *, size_t, const char *);

#endif
