/*
 * glossary.c: the console's vocabulary (see ui_glossary.h): verdicts,
 * columns and marks, each with what it means. Read by the help screen and
 * by the generator of the manual's CONSOLE WORDS section. Static data; any
 * thread.
 */
#include "config.h"

#include <stddef.h>

#include "hasync/ui_glossary.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Ranked worst first, as enum verdict in snapshot.h. */
static const struct glossary_entry glossary_verdict[] = {
	{ "unreachable", "It does not answer: connection refused, timed out "
	    "or reset." },
	{ "auth", "It refused the admin secret (HTTP 401)." },
	{ "error", "/healthz says ERROR, or it answered HTTP 5xx or something "
	    "malformed." },
	{ "stale", "What is shown is older than 3 probe intervals (STALE in "
	    "the title): the last known state, not the present one." },
	{ "behind", "It still serves an older resource_version than the "
	    "catalog's, past the grace: its schema sync is stuck." },
	{ "disagrees", "It reports other inconsistent objects than the "
	    "up-to-date replicas." },
	{ "inconsistent", "It reports inconsistent objects (the objects pane "
	    "lists them)." },
	{ "syncing", "A new resource_version or a reload is on its way to it, "
	    "within the grace (2 x --poll-interval plus the slowest recent "
	    "reload)." },
	{ "unknown", "Not probed yet." },
	{ "ok", "It answers, serves the catalog's resource_version and its "
	    "metadata is consistent. The only verdict shown green." },
};

static const struct glossary_entry glossary_instances[] = {
	{ "#", "The instance's number: its place among the -e options. "
	    "Everything else names it so (\"#2\")." },
	{ "verdict", "The worst of reachability, sync and consistency, one "
	    "word (above). Rows are sorted worst first, then by #." },
	{ "endpoint", "host:port of its URL, without the scheme, cut in the "
	    "middle when narrow; with -e NAME=URL the name comes first. Enter "
	    "shows the full URL." },
	{ "in-memory", "The resource_version its schema cache serves "
	    "(dump_internal_state); \"-\" when it does not say." },
	{ "objects", "How many inconsistent objects it reports." },
	{ "latency", "Time to answer its last /healthz." },
	{ "version", "The server version it reports." },
	{ "why / last reload", "Why the verdict is not ok; when ok, the last "
	    "reload sent through it and its result." },
};

static const struct glossary_entry glossary_objects[] = {
	{ "type", "The kind of metadata object: table, remote_schema, "
	    "array_relation, ..." },
	{ "name", "Its name, without the type." },
	{ "cause", "The root cause in a few words (a remote schema's own "
	    "error, or the reason Hasura gives)." },
	{ "on", "The instances that report it: \"all 3\" or \"1,3\"." },
};

static const struct glossary_entry glossary_marks[] = {
	{ "verdict line", "Second line: \"all 3 replicas ok at "
	    "resource_version 7\", or the problems, worst first." },
	{ "changed by #N", "When the catalog's resource_version last "
	    "changed and which instance wrote it: #N once hasync has seen "
	    "that instance's id (after a reload it sent through it), else "
	    "the id." },
	{ "READ-ONLY", "--readonly: r, R and D are off; nothing that "
	    "changes the cluster can be sent." },
	{ "PAUSED", "Probing is paused (p); F5 still probes once." },
	{ "STALE", "No probe round has finished for 3 probe intervals: "
	    "every row shows stale." },
	{ "status line", "The line above the keys: what the engine did with "
	    "the last r, R, D, F5 or p (sent, skipped, refused, failed, "
	    "verified), never what it was asked." },
	{ "N new", "In the events pane when scrolled: events that came "
	    "since; Home shows them." },
};

static const struct glossary_section glossary_all[] = {
	{ "Verdicts", glossary_verdict, N(glossary_verdict) },
	{ "Instances columns", glossary_instances, N(glossary_instances) },
	{ "Objects columns", glossary_objects, N(glossary_objects) },
	{ "Marks", glossary_marks, N(glossary_marks) },
};

/* Every section. */
const struct glossary_section *
glossary(size_t *n)
{
	*n = N(glossary_all);
	return (glossary_all);
}

/* The verdict words, worst first. */
const struct glossary_entry *
glossary_verdicts(size_t *n)
{
	*n = N(glossary_verdict);
	return (glossary_verdict);
}
