/*
 * snapshot.h: the immutable picture of the cluster that the engine's worker
 * publishes and every reader (console, batch printer) borrows.
 *
 * The worker builds a new snapshot after every change and swaps it in under a
 * mutex; readers call snapshot_acquire(), read freely without locks, then
 * snapshot_release(). Nothing in a published snapshot ever changes. Strings
 * are raw server text: sanitise before showing them on a terminal.
 *
 * Plain C only: no libpq, curl, jansson or curses types, so both src/ui and
 * src/core may include it.
 */
#ifndef HASYNC_SNAPSHOT_H
#define HASYNC_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum health {
	HEALTH_UNKNOWN = 0,	/* not probed yet */
	HEALTH_OK,		/* /healthz OK */
	HEALTH_WARN,		/* /healthz WARN: inconsistent objects */
	HEALTH_ERROR,		/* /healthz ERROR, HTTP 5xx, malformed answer */
	HEALTH_UNREACHABLE,	/* connection refused, timeout, reset */
	HEALTH_AUTH,		/* admin secret refused (401) */
};

/*
 * One verdict per instance, the worst of its reachability, its sync with
 * the catalog and its consistency; the one vocabulary of the console,
 * batch output, --watch and the manual. Listed worst first.
 */
enum verdict {
	VERDICT_UNREACHABLE = 0,	/* refused, timed out, reset */
	VERDICT_AUTH,		/* admin secret refused */
	VERDICT_ERROR,		/* /healthz ERROR, HTTP 5xx, malformed answer */
	VERDICT_STALE,		/* shown data too old (readers decide) */
	VERDICT_BEHIND,		/* serves an older resource_version past the grace */
	VERDICT_DISAGREES,	/* its inconsistent objects differ from others' */
	VERDICT_INCONSISTENT,	/* reports inconsistent objects */
	VERDICT_SYNCING,	/* a version change is on its way to it */
	VERDICT_UNKNOWN,	/* not probed yet */
	VERDICT_OK,
};

enum db_state {
	DB_NONE = 0,		/* no --database-url: instances only */
	DB_CONNECTING,		/* first connection attempt */
	DB_OK,
	DB_LOST,		/* retrying every second */
	DB_STUCK,		/* the server answers, but catalog queries time
				   out ("catalog query timed out (lock?)");
				   retrying */
};

/*
 * One inconsistent object as an instance reported it. It lives in its
 * objset (which owns every byte of it) and is as immutable as the set.
 * Only the few fields hasync reads are kept apart; the rest stays in raw,
 * the bytes of the answer, and is pretty-printed only when a person asks
 * (object_definition_text, object_message_text).
 */
struct object {
	const char	*key;		/* identity: type + '\t' + name; NULL
					   unless the set is indexed */
	const char	*type;		/* "remote_schema", "table", ... */
	const char	*name;		/* "remote_schema rs1", may be "" */
	const char	*reason;
	const char	*cause;		/* the root cause in a few words: the
					   message's own text when there is one
					   ("Connection failure: ..."), else the
					   reason without "Inconsistent object: " */
	const char	*raw;		/* the object's JSON as received (only
					   insignificant whitespace taken out);
					   not NUL-terminated; NULL in a
					   names-only set */
	size_t		 raw_len;
};

/*
 * The objects one instance reported; shared by equal instances. v is the
 * list exactly as the instance sent it (its order, duplicates kept): what
 * every output shows. uniq is the same objects once per key, sorted by key:
 * what comparisons and the union use (NULL unless the set is indexed).
 * The set owns the answer's bytes and one arena for everything else.
 */
struct objset {
	uint32_t	  refs;		/* engine-internal */
	uint64_t	  hash;		/* of the sorted distinct keys */
	struct object	 *v;		/* as received */
	size_t		  n;
	struct object	**uniq;		/* into v: distinct, sorted by key */
	size_t		  n_uniq;
	char		 *body;		/* the answer raw points into */
	size_t		  body_len;
	const char	 *list;		/* the array as received, when it can be
					   written as it is (objects only, no
					   whitespace), else NULL */
	size_t		  list_len;
	struct arena	 *arena;	/* strings and uniq */
	bool		  consistent;	/* the answer's verdict: is_consistent
					   and no object listed */
};

/* The last reload sent to an instance and what came of it. */
struct reload_info {
	time_t		 at;		/* wall clock; 0 = never */
	bool		 in_flight;
	bool		 ok;		/* request succeeded */
	bool		 consistent;	/* confirmed afterwards */
	char		*result;	/* one line, e.g. "consistent (1.2 s)" */
};

struct snap_instance {
	char		*endpoint;
	enum health	 health;
	char		*health_text;	/* one line: "OK", "connection refused" */
	long		 latency_ms;	/* of /healthz; -1 unknown */
	char		*server_version; /* "v2.36.0" or NULL */
	bool		 consistency_known;
	bool		 consistent;	/* said is_consistent, listed nothing */
	struct objset	*objects;	/* never NULL; n == 0 when consistent */
	int64_t		 mem_version;	/* in-memory resource_version; -1 unknown */
	bool		 behind;	/* mem_version < catalog past the grace */
	bool		 disagrees;	/* its object set differs from others' */
	char		*last_error;	/* NULL when the last probe was fine */
	int		 failures;	/* consecutive failed probes */
	time_t		 last_ok;	/* wall clock of the last good probe */
	struct reload_info reload;
	char		*label;		/* from -e name=URL, or NULL */
	enum verdict	 verdict;
	char		*verdict_text;	/* why, one line: "behind by 3 for 12 s" */
	int64_t		 behind_by;	/* versions; 0 when in sync or unknown */
	double		 lag_seconds;	/* since the catalog moved past it; 0 */
	char		*instance_id;	/* its Hasura instance id, learned when
					   a reload hasync sent through it
					   changed the catalog; or NULL */
};

/* One object of the union over instances. */
struct snap_object {
	struct object	*obj;
	uint32_t	 n_instances;	/* how many instances report it */
	uint8_t		*instances;	/* bitmap over snapshot->inst */
};

enum event_kind {
	EV_DB_CONNECTED, EV_DB_LOST, EV_DB_RESTORED, EV_LISTEN_STARTED,
	EV_VERSION, EV_HEALTH, EV_CONSISTENCY, EV_BEHIND, EV_RELOAD_SENT,
	EV_RELOAD_RESULT, EV_DROP_RESULT, EV_INFO, EV_ERROR,
};

struct snap_event {
	uint64_t	 seq;		/* increasing; never reused */
	time_t		 at;		/* wall clock */
	enum event_kind	 kind;
	int		 instance;	/* index into inst, or -1 */
	int64_t		 old_version, new_version;	/* EV_VERSION */
	char		*writer;	/* EV_VERSION: instance id, or NULL */
	bool		 ok;		/* reload/drop results: it worked */
	char		*text;		/* one line for people */
};

struct meta_summary {
	bool	known;
	int	sources, tables, remote_schemas, actions, event_triggers,
		cron_triggers;
};

/* What a reload request came to, for the counters. */
enum reload_result {
	RELOAD_RESULT_CONSISTENT = 0,	/* answered: consistent */
	RELOAD_RESULT_INCONSISTENT,	/* answered: objects still listed */
	RELOAD_RESULT_FAILED,		/* not answered, refused, HTTP error,
					   or no reachable instance to send to */
	RELOAD_RESULT_SKIPPED,		/* not sent: nothing to reload, or
					   read-only */
	RELOAD_RESULT_COUNT,
};

/* Upper bounds (seconds) of the reload duration histogram's buckets. */
#define SNAP_RELOAD_BOUNDS	{ 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120 }
#define SNAP_RELOAD_BUCKETS	10

/*
 * Counters since the engine started, kept by the worker and copied into
 * every snapshot (hasync serve's /metrics).
 */
struct snap_stats {
	uint64_t	 reloads[3][RELOAD_RESULT_COUNT]; /* [enum reload_scope]
					   (auto, targeted, full)[result] */
	uint64_t	 reload_buckets[SNAP_RELOAD_BUCKETS]; /* requests that
					   took at most the bound, and more
					   than the bound before (not
					   cumulative) */
	uint64_t	 reload_count;	/* reload requests answered or failed */
	double		 reload_seconds; /* their total duration */
	uint64_t	 drops;		/* drop_inconsistent_metadata sent */
	uint64_t	 sentry_sent, sentry_failed, sentry_suppressed;
	double		 round_seconds;	/* the last complete probe round; -1 */
};

struct snapshot {
	uint32_t	 refs;		/* engine-internal */
	uint64_t	 seq;		/* increases with every publish */
	time_t		 built_at;	/* wall clock */
	double		 built_mono;	/* CLOCK_MONOTONIC seconds */

	char		*label;		/* database host or first endpoint */
	enum db_state	 db;
	char		*db_error;	/* last database error, or NULL */
	int		 db_attempt;	/* reconnect attempts since lost */
	char		*catalog_kind;	/* "v2", "v1" or NULL */
	char		*catalog_version; /* hdb_version.version, e.g. "48" */
	int64_t		 resource_version; /* -1 unknown */
	time_t		 version_changed_at; /* wall clock; 0 unknown */
	char		*version_writer; /* instance id of the last writer */
	struct meta_summary meta;

	/* Data freshness: when the last complete probe round finished. */
	time_t		 probed_at;	/* wall clock; 0 = never */
	double		 probed_mono;
	long		 probe_interval_ms;
	bool		 paused;
	bool		 probing;	/* a round is under way */
	char		*activity;	/* "reloading cluster..." or NULL */

	struct snap_instance *inst;
	size_t		 n_inst;
	struct snap_object *objects;	/* union, sorted by type then name */
	size_t		 n_objects;
	uint8_t		*masks;		/* the objects' bitmaps, one block
					 * (NULL: each allocated alone) */
	struct snap_event *events;	/* newest first */
	size_t		 n_events;

	uint64_t	 rounds;	/* completed probe rounds */
	uint64_t	 reloads_done;	/* reload/drop cycles sent and verified */
	bool		 reload_pending; /* a reload or drop not yet verified */
	bool		 last_reload_consistent; /* outcome of the last cycle */
	int		 exit_code;	/* what --batch would exit with now */
	bool		 readonly;
	char		*verdict_line;	/* "all 3 replicas ok at resource_version
					   7" or "2 problems: ..." */
	int		 problems;	/* how many items verdict_line names */

	struct snap_stats stats;
	double		 grace_seconds;	/* how long a replica may take to follow
					   a catalog change before it is behind */
	char		*reload_answer;	/* the last reload cycle's
					   reload_metadata answer (HTTP 200
					   body) as received; NULL: none, or
					   over 64 KiB. NUL-terminated. */
	size_t		 reload_answer_len;
	char		*reload_outcome; /* one line: how the last reload cycle
					   ended; NULL before the first */
	int		 reload_via;	/* instance it went through, or -1 */
};

/* Borrow the newest snapshot (NULL before the first). Any thread. */
struct snapshot	*snapshot_acquire(void);

/* Return a borrowed snapshot. Any thread. */
void		 snapshot_release(struct snapshot *);

/* True if union object obj (index into objects) is reported by instance
 * inst (index into inst). */
bool		 snapshot_object_on(const struct snapshot *, size_t obj,
		    size_t inst);

/* What describes the object (its definition, or its entity, definitions
 * or objects) as indented JSON for people; "null" if nothing. Caller
 * frees. Any thread. */
char		*object_definition_text(const struct object *);

/* Its message as indented JSON, or NULL when it has none. Caller frees. */
char		*object_message_text(const struct object *);

/* Short word for a health state: "ok", "warn", "error", "unreachable", ... */
const char	*health_word(enum health);

/* The verdict's word: "ok", "inconsistent", "behind", ... */
const char	*verdict_word(enum verdict);

#endif
