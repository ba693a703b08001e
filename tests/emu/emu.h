/*
 * tests/emu/emu.h: shared declarations of hasura-emu, a test emulator of
 * Hasura GraphQL Engine v2 (facts: shared/hasura-facts.md).
 *
 * One process runs N independent "instances" (own port, instance id, schema
 * cache and sync state) against one metadata database.  Threads: the main
 * thread (startup, signals), one MHD daemon per instance with a thread per
 * connection (HTTP handlers), a few sync threads (sync.c) that poll for all
 * instances.  Ownership rules are given next to each declaration.
 */

#ifndef HASYNC_TESTS_EMU_EMU_H
#define HASYNC_TESTS_EMU_EMU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct MHD_Daemon;

#define EMU_MAX_INSTANCES	1000
#define EMU_POOL_MAX		16
#define EMU_BODY_MAX		(64UL * 1024 * 1024)
#define EMU_HEAL_CAP_MS		120000

/* Process-wide options, set by main.c before any thread starts. */
struct emu_config {
	const char	*database_url;
	const char	*admin_secret;
	unsigned	 port;
	int		 instances;
	int		 poll_ms;
	const char	*server_version;
	int		 healing_ms;	/* 0 = healing off */
	bool		 verbose;
	bool		 pre_v24;	/* server version < v2.4.0 */
	char		*tls_cert;	/* PEM text; NULL = plain HTTP */
	char		*tls_key;	/* PEM text, with tls_cert */
};
extern struct emu_config global_cfg;
extern atomic_int global_quit;
/*
 * Held for writing across a writer's two transactions (hdb_metadata, then
 * hdb_schema_notifications) and for reading around each poll and around the
 * processor's two reads (metadata, then notifications). Real Hasura has
 * windows between those where a peer sees a new version with an older (or
 * no) notification and skips part of the rebuild (facts §2.5); across
 * processes they stay, but instances in one emulator process never fall
 * into them, so tests of convergence are deterministic.
 */
extern pthread_rwlock_t global_write_lock;

/* ---- util.c ---- */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 util_uuid4(char out[37]);
int64_t	 util_now_ms(void);
void	 util_timestamp(char *, size_t);
void	 util_sleep_ms(int64_t);
int	 util_sleep_quit(int64_t, atomic_int *);
char	*util_dumps(const json_t *);
const char *util_jstr(const json_t *, const char *);
int	 util_strarr_has(const json_t *, const char *);

/* ---- log.c: Hasura-shaped JSON lines on stderr ---- */
struct instance;
void	 log_line(const struct instance *, const char *level, const char *type,
	    json_t *detail);
void	 log_sync(const struct instance *, const char *level,
	    const char *thread_type, json_t *info);
void	 log_syncf(const struct instance *, const char *thread_type,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	 log_fatal_usage(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));

/* ---- pool.c: bounded PostgreSQL connection pool, any thread ---- */
struct pg_conn;
struct pg_result;
struct dberr {
	bool	 conn;		/* connection problem (vs. query error) */
	char	 msg[512];	/* on one line, for logs and answers */
	char	 raw[512];	/* libpq's text as is (trailing newline kept) */
};
void	 pool_init(int);
void	 pool_shutdown(void);
struct pg_conn *pool_get(const char *url, struct dberr *);
void	 pool_put(struct pg_conn *);
int	 pool_exec(struct pg_conn *, const char *sql, int n,
	    const char *const *params, struct pg_result **, struct dberr *);
int	 pool_tx(struct pg_conn *, const char *sql, int n,
	    const char *const *params, struct pg_result **, struct dberr *);

/* ---- catalog.c: hdb_catalog DDL and the exact SQL of facts §1, §2 ---- */
int	 catalog_init(struct dberr *);
void	 catalog_shutdown(void);
int	 catalog_fetch_metadata(json_t **, long *, struct dberr *);
int	 catalog_poll_version(long *, struct dberr *);
#define CATALOG_CONFLICT	1
int	 catalog_set_metadata(const json_t *, long, long *, struct dberr *);
int	 catalog_notify(long, const char *, const json_t *, struct dberr *);
int	 catalog_notifications(long, const char *, json_t **, struct dberr *);
int	 catalog_health(void);
json_t	*catalog_initial_metadata(void);

/* ---- source.c: introspection of a source database, immutable snapshots ---- */
struct src_fk {
	char		**cols;
	size_t		  ncols;
	char		 *rschema;
	char		 *rname;
	char		**rcols;
};
struct src_table {
	char		 *schema;
	char		 *name;
	char		**cols;
	size_t		  ncols;
	struct src_fk	 *fks;
	size_t		  nfks;
};
struct source_snap {
	atomic_int	  refs;
	char		 *name;
	char		 *url;		/* resolved URL, NULL if unresolved */
	char		 *defkey;	/* serialised configuration */
	bool		  ok;
	char		 *reason;	/* when !ok */
	char		 *message;	/* when !ok, may be NULL */
	struct src_table *tables;	/* sorted by (schema, name) */
	size_t		  ntables;
};
struct source_snap *source_fetch(const char *, const json_t *, const char *);
struct source_snap *source_ref(struct source_snap *);
void	 source_shutdown(void);
void	 source_unref(struct source_snap *);
const struct src_table *source_table(const struct source_snap *, const char *,
	    const char *);
int	 source_has_col(const struct src_table *, const char *);

/* ---- remote.c: remote schema introspection (libcurl) and test server ---- */
struct rs_result {
	atomic_int	  refs;
	char		 *name;
	char		 *defkey;	/* serialised definition */
	bool		  ok;
	json_t		 *schema;	/* __schema when ok */
	char		 *reason;	/* when !ok */
	json_t		 *message;	/* when !ok, may be NULL */
};
struct rs_result *remote_introspect(const json_t *);
struct rs_result *remote_ref(struct rs_result *);
void	 remote_unref(struct rs_result *);
int	 remote_server_main(unsigned);

/* ---- cache.c: schema cache, immutable once published ---- */
struct inval {
	bool	 metadata;
	bool	 all_remote;
	bool	 all_sources;
	json_t	*remote;	/* array of names (owned) */
	json_t	*sources;	/* array of names (owned) */
};
struct cache_table {
	char	*source;
	char	*schema;
	char	*name;
	const struct src_table *st;	/* borrowed from a snapshot we hold */
};
struct cache {
	atomic_int	    refs;
	json_t		   *metadata;
	json_t		   *incons;
	char		   *incons_body;	/* get_inconsistent_metadata */
	struct source_snap **srcs;
	size_t		    nsrcs;
	struct rs_result  **rss;
	size_t		    nrss;
	struct cache_table *tables;		/* consistent tables */
	size_t		    ntables;
};
void	 inval_init(struct inval *);
void	 inval_free(struct inval *);
json_t	*inval_json(const struct inval *);
void	 inval_add_json(struct inval *, const json_t *);
struct cache *cache_build(json_t *, const struct cache *, const struct inval *);
struct cache *cache_ref(struct cache *);
void	 cache_unref(struct cache *);
char	*cache_render_table(const char *, const char *);
int	 cache_table_key(const json_t *, const char **, const char **);
json_t	*cache_dump(const struct cache *, long);

/* ---- fault.c: per-instance test faults and counters ---- */
struct fault {
	int	 latency_ms;
	bool	 healthz_error;
	bool	 sync_paused;
	bool	 hang;
	bool	 malformed;
	bool	 close;
	int	 status;
	int	 body_mb;
};
int	 fault_parse(const json_t *, struct fault *, char *, size_t);
void	 fault_count(struct instance *, const char *, const json_t *);
char	*fault_stats(struct instance *);
int	 fault_error_status(int, const char **, const char **);

/* ---- instance.c: one emulated server ---- */
struct heal_state {
	char	*name;
	char	*defkey;
	int64_t	 backoff_ms;
	int64_t	 next_at;
	int64_t	 since;
	int	 attempts;
	bool	 warned;
};
struct instance {
	int		 idx;
	char		 id[37];
	unsigned	 port;
	struct MHD_Daemon *mhd;

	pthread_mutex_t	 lock;		/* cache, version, fault, stats */
	pthread_mutex_t	 update;	/* serialises cache rebuilds */
	struct cache	*cache;
	long		 version;	/* in-memory resource version */
	struct fault	 fault;
	json_t		*stat_counts;
	long		 stat_modifying;
	json_t		*stat_last_reload;

	/* sync thread only */
	int64_t		 next_poll;
	long		 db_version;
	char		*last_err;
	bool		 in_error;
	struct heal_state *heal;
	size_t		 nheal;
	int64_t		 next_heal;
};
int	 instance_start(struct instance *, int, unsigned);
void	 instance_stop(struct instance *);
struct cache *instance_cache(struct instance *, long *);
void	 instance_publish(struct instance *, struct cache *, long);
void	 instance_set_version(struct instance *, long);
struct fault instance_fault(struct instance *);

/* ---- http.c: replies shared by the handlers ---- */
struct reply {
	int	 status;
	char	*body;		/* owned */
	const char *ctype;
	size_t	 stream_bytes;	/* > 0: stream padding JSON of this size */
};
void	 reply_json(struct reply *, int, json_t *);
void	 reply_text(struct reply *, int, const char *);
void	 reply_error(struct reply *, int, const char *, const char *, json_t *,
	    const char *, ...) __attribute__((format(printf, 6, 7)));
void	 reply_dberr(struct reply *, const struct dberr *);

/* ---- metadata_api.c ---- */
struct api_req {
	json_t	*body;
	const char *type;
	const json_t *args;
	long	 resource_version;	/* -1 if absent */
	int	 version;		/* 1 or 2; 0 if absent */
};
void	 api_metadata(struct instance *, const char *, size_t, bool,
	    const struct fault *, struct reply *);
int	 api_validate_metadata(const json_t *, char *, size_t, char *, size_t);
json_t	*api_drop_inconsistent(const json_t *, const json_t *);

/* ---- graphql.c ---- */
void	 graphql_handle(struct instance *, const char *, size_t, struct reply *);

/* ---- sync.c ---- */
void	 sync_start(struct instance *, int);
void	 sync_kick(void);
void	 sync_stop(void);
int	 sync_rebuild(struct instance *, const char *thread, json_t *, long,
	    const struct inval *);

#endif
