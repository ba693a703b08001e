/*
 * advice.c: what to do next for each kind of problem the console shows,
 * in the words of the console's keys (r, R, D, F5). The detail views
 * (scr_detail.c) print it under "What to do". Pure; UI thread.
 */
#include "config.h"

#include <string.h>

#include "hasync/snapshot.h"
#include "hasync/ui_advice.h"
#include "hasync/ui_text.h"

/* What to do about an instance with verdict v. */
const char *
advice_instance(enum verdict v)
{
	switch (v) {
	case VERDICT_UNREACHABLE:
		return ("Check that the instance runs and that this host can "
		    "reach its URL (DNS, port, network policy); hasync tries "
		    "again every probe interval.");
	case VERDICT_AUTH:
		return ("The admin secret was refused: give hasync this "
		    "instance's HASURA_GRAPHQL_ADMIN_SECRET (or "
		    "--admin-secret-file).");
	case VERDICT_ERROR:
		return ("It answers, but badly: read its logs; /healthz ERROR "
		    "usually means it cannot reach its metadata database.");
	case VERDICT_STALE:
		return ("No probe round finished lately: check the network "
		    "between hasync and the instances; p resumes probing if "
		    "paused, F5 probes now.");
	case VERDICT_BEHIND:
		return ("Its schema sync is stuck: check that replica's sync "
		    "(its logs, its connection to the metadata database, "
		    "HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL) or restart it; "
		    "r with it selected reloads it directly.");
	case VERDICT_DISAGREES:
		return ("It reports other objects than its peers: press r with "
		    "it selected so it rebuilds from the catalog; restart it "
		    "if that does not help.");
	case VERDICT_INCONSISTENT:
		return ("Fix what each object below names, then press r; or "
		    "press D to drop the inconsistent metadata.");
	case VERDICT_SYNCING:
		return ("Nothing yet: a change is on its way to it. Wait for "
		    "the grace (2 x --poll-interval); it then shows ok or "
		    "behind.");
	case VERDICT_UNKNOWN:
		return ("Not probed yet: wait for the first round, or press "
		    "F5.");
	case VERDICT_OK:
	default:
		return ("Nothing to do.");
	}
}

/* What to do about inconsistent object o. */
const char *
advice_object(const struct object *o)
{
	const char	*type = o->type != NULL ? o->type : "";
	const char	*why = o->cause != NULL ? o->cause : o->reason;

	if (strcmp(type, "remote_schema") == 0)
		return ("The remote schema is down or unreachable: start it "
		    "(or fix its URL), then press r to reload it. D drops it "
		    "from the metadata instead.");
	if (text_contains(why, "no such table") ||
	    text_contains(why, "does not exist") ||
	    text_contains(why, "no such column"))
		return ("Something it needs was dropped or renamed behind "
		    "Hasura's back: recreate it and press r, or press D to "
		    "drop what depends on it from the metadata.");
	if (strcmp(type, "action") == 0 || strcmp(type, "custom_types") == 0)
		return ("Fix the action's definition or its types (hasura "
		    "metadata apply), then press r; or D to drop it.");
	if (strcmp(type, "source") == 0)
		return ("The source database is unreachable or refused the "
		    "connection: fix it, then press r (scope auto reloads "
		    "every source).");
	return ("Fix what the cause names, then press r; or press D to drop "
	    "the inconsistent metadata.");
}
