/*
 * hasura.h: the Hasura metadata API as hasync speaks it: request bodies and
 * the parsers of every answer (untrusted input: each parser takes any bytes
 * and fails with a one-line error, never crashes). Pure functions; any
 * thread. Shapes are those of shared/hasura-facts.md §3–§5.
 */
#ifndef HASYNC_HASURA_H
#define HASYNC_HASURA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hasync/config.h"

struct err;
struct meta_summary;
struct object;
struct objset;

/* What get_inconsistent_metadata or reload_metadata answered. */
struct inconsistency {
	bool		 has_is_consistent;	/* false: pre-v2.4 {"message":"success"} */
	bool		 is_consistent;
	struct objset	*objects;		/* never NULL after success */
};

/* How hasura_parse_inconsistency_take parses. */
#define IC_INDEX	0x01	/* build the keyed view (keys, uniq, hash):
				   needed to compare sets and for the union */
#define IC_NAMES_ONLY	0x02	/* keep type, name and reason only, and give
				   the answer's bytes back at once: enough to
				   name what a reload must reload */

/*
 * Parse a get_inconsistent_metadata answer (or a reload_metadata answer when
 * reload is true, where is_consistent may be missing) in one pass. Takes
 * buf (malloc'd, len bytes; freed with the set, or at once on error).
 * Returns 0 or -1 with e set to one line.
 */
int	hasura_parse_inconsistency_take(char *, size_t, bool, unsigned,
	    struct inconsistency *, struct err *);

/* The same on a copy of borrowed bytes, indexed. */
int	hasura_parse_inconsistency(const char *, size_t, bool,
	    struct inconsistency *, struct err *);

/* Write the objects of a set to fp as a JSON array, the bytes each
 * instance sent, in its order; at most max of them (0: all). */
void	hasura_objects_write(FILE *, const struct objset *, size_t);

/* "v2.36.0" from /v1/version into buf. Returns 0 or -1. */
int	hasura_parse_version(const char *, size_t, char *, size_t,
	    struct err *);

/* metadata_resource_version from dump_internal_state. Returns 0 or -1. */
int	hasura_parse_dump_version(const char *, size_t, int64_t *,
	    struct err *);

/* resource_version and summary from export_metadata v2. Returns 0 or -1. */
int	hasura_parse_export(const char *, size_t, int64_t *,
	    struct meta_summary *, struct err *);

/* Count sources, tables, remote schemas... of a metadata object. */
void	hasura_summarise(json_t *, struct meta_summary *);

/* The same from the metadata's JSON text, without building a tree; not
 * known unless the text is a valid JSON object. */
void	hasura_summarise_text(const char *, size_t, struct meta_summary *);

/*
 * The objects of a set as Hasura returned them, parsed (for Sentry events),
 * at most max of them (0: all). New reference.
 */
json_t	*hasura_objects_json(const struct objset *, size_t);

/* One line from a Hasura error body: "code: error" (or a snippet). */
void	hasura_error_line(const char *, size_t, char *, size_t);

/*
 * The args of a reload_metadata request for a scope (config.h): targeted
 * names the remote schemas and sources of the objects in set; auto names
 * the same remote schemas and every source (true); both are explicit about
 * every argument, since Hasura's defaults changed across versions (facts
 * §3.2). full is {}: the server's defaults, exactly what `hasura metadata
 * reload` and hasura-metadata-reloader send. New reference.
 */
json_t	*hasura_reload_args(const struct objset *const *, size_t,
	    enum reload_scope);

/* A complete request body {"type": type, "args": args(stolen)}; caller frees. */
char	*hasura_request(const char *, json_t *);

#endif
