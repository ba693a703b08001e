/*
 * worker.h: the worker thread's private state, shared by its three files:
 * worker.c (loop, events, snapshots), probe.c (probe rounds) and reload.c
 * (reload and drop cycles). Worker thread only; nothing here is touched by
 * another thread.
 */
#ifndef HASYNC_WORKER_H
#define HASYNC_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hasync/config.h"
#include "hasync/http.h"
#include "hasync/inbox.h"
#include "hasync/snapshot.h"

#define EVENT_RING	200
#define N_CHAINS	3	/* requests an instance has in flight at once */

struct config;

struct inst {
	char		*endpoint;
	enum health	 health;
	char		*health_text;
	long		 latency_ms;
	char		*server_version;
	bool		 need_version;
	bool		 consistency_known;
	bool		 consistent;	/* is_consistent, and no objects */
	struct objset	*objects;
	int64_t		 mem_version;
	int64_t		 mem_checked_rv; /* catalog rv of the last dump */
	double		 lag_since;	/* monotonic: the catalog moved past
					   mem_version; 0 = not known behind */
	bool		 behind;	/* set past the grace; cleared only by
					   an observed mem_version >= catalog */
	bool		 sync_pending;	/* a reload we sent is on its way to it:
					   what it said before is about to go */
	bool		 disagrees;
	char		*last_error;
	int		 failures;
	time_t		 last_ok;
	struct reload_info reload;
	/* One probe round: two chains run side by side on two keep-alive
	 * connections, health (/healthz, /v1/version, export_metadata) and
	 * metadata (get_inconsistent_metadata, dump_internal_state),
	 * so a round costs one round trip more than the slowest request. */
	struct http_req	 req[N_CHAINS];
	int		 step[N_CHAINS];
	int		 chains_left;
	bool		 round_failed;
	enum health	 round_health;
	char		 round_text[300];
	char		 round_error[300];
	struct objset	*round_objects;
	bool		 round_consistency;
	bool		 round_committed;	/* results already folded in */
	char		*instance_id;	/* learned: the writer id of a catalog
					   change its reload caused; or NULL */
};

struct worker {
	const struct config	*c;
	struct http		*http;
	struct inst		*inst;
	size_t			 n_inst;
	struct catalog_state	 cat;
	bool			 cat_known;
	int64_t			 export_rv;	/* no database: from export_metadata */
	struct meta_summary	 export_meta;
	struct snap_event	 ring[EVENT_RING];	/* oldest first */
	size_t			 n_ring;
	uint64_t		 event_seq;
	uint64_t		 snap_seq;
	struct inbox_cmd	 cmds[INBOX_CMDS];	/* taken, not yet run */
	int			 n_cmds;
	bool			 paused;
	bool			 refresh_once;	/* F5 while paused: one round */
	bool			 probing;
	double			 round_started;	/* monotonic, of the current round */
	time_t			 probed_at;
	double			 probed_mono;
	uint64_t		 rounds;
	double			 next_probe;	/* monotonic */
	double			 verify_after;	/* a round starting then verifies */
	double			 behind_since;	/* catalog rv change time */
	double			 started;	/* monotonic, at worker_new */
	double			 slowest_reload;	/* seconds, recent */
	double			 last_publish;	/* monotonic */
	bool			 publish_due;	/* results held back by the
						   publish rate limit */
	struct {
		char	 key[256];
		double	 at;
	}			 sentry_sent[32];	/* rate limit */
	bool			 reload_pending;
	bool			 last_reload_consistent;
	uint64_t		 reloads_done;
	struct snap_stats	 stats;		/* counters (snapshot.h) */
	int			 stats_scope;	/* of the reload under way */
	char			*reload_answer;	/* the cycle's answer, or NULL */
	size_t			 reload_answer_len;
	char			*reload_outcome;	/* how the last cycle ended */
	int			 reload_via;
	char			*activity;
	double			 auto_reload_at;
	double			 auto_backoff;
	bool			 stopping;
	/* Learning instance ids: the next catalog change past id_after_rv
	 * before id_until was written by instance id_from (-1: none). */
	int			 id_from;
	int64_t			 id_after_rv;
	double			 id_until;
};

/* worker.c */
struct worker *worker_new(const struct config *, struct http *);
void	worker_free(struct worker *);
void	*worker_main(void *);
void	worker_event(struct worker *, enum event_kind, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	worker_publish(struct worker *);
void	worker_poll_inbox(struct worker *, double);
double	worker_grace(const struct worker *);
/* The slowest recent reload after one that took `took` seconds: it
 * follows a slower reload at once and halves towards faster ones. */
double	worker_slowest_after(double slowest, double took);
/* A one-shot pass (--batch without --watch): no round unless asked for
 * (the first, --wait's refreshes, a reload's verification, the end of a
 * grace), none on a timer. */
bool	worker_one_shot(const struct worker *);
/* How to parse inconsistency answers: indexed when sets are compared
 * (several instances) or browsed (the console). */
unsigned worker_ic_flags(const struct worker *);
/* Probe no later than monotonic time t (an earlier plan stands). */
void	worker_probe_by(struct worker *, double);
int64_t	worker_catalog_rv(const struct worker *);

/* Report to Sentry from a long-running mode (--watch, console); the same
 * fingerprint at most once every 10 minutes. */
void	worker_sentry(struct worker *, const char *, const char *, int);

/* verdict.c */
enum verdict verdict_of(const struct worker *, size_t, char *, size_t);
char	*verdict_line(const struct worker *, int *);

/* probe.c */
void	probe_round(struct worker *);
void	probe_evaluate(struct worker *);

/* reload.c */
void	reload_run(struct worker *, int, enum reload_scope);
void	reload_drop(struct worker *);
void	reload_verified(struct worker *, double);

#endif
