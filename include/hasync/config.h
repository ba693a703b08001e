/*
 * config.h: hasync's settings, from the command line, the environment and a
 * config file (in that order of precedence).
 *
 * One table of options (config.c) drives parsing, the config file keys,
 * --help and the checks in tests/unit/test_config.c. Main thread only, before
 * any other thread starts; afterwards the struct is read-only.
 */
#ifndef HASYNC_CONFIG_H
#define HASYNC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* --max-body-mb's maximum: 4 GiB. */
#define MAX_BODY_MB_MAX	4096

/* A run on at most this many endpoints trades memory for speed (1 MiB
 * receive buffers, answers taken from the heap); a fleet reads with
 * smaller buffers (http.c) and gives every answer's memory back at once. */
#define FEW_ENDPOINTS	4

struct err;

enum reload_scope {
	RELOAD_AUTO = 0,	/* the inconsistent remote schemas, every source */
	RELOAD_TARGETED,	/* only the inconsistent remote schemas and
				   sources; nothing when consistent */
	RELOAD_FULL,		/* {}: the server's defaults, as the reloader */
};

enum output_format {
	FORMAT_JSON = 0,
	FORMAT_TEXT,
};

enum run_mode {
	MODE_CONSOLE = 0,
	MODE_BATCH,
};

/* The subcommand hasync was invoked with. */
enum subcommand {
	SUB_NONE = 0,
	SUB_RELOAD,		/* hasync reload: --batch --reload */
	SUB_SERVE,		/* hasync serve: --watch plus an HTTP server */
	SUB_SERVER,		/* hasync server: serve, with the flags and
				   defaults of hasura-metadata-reloader server */
};

/* hasync serve's default --listen: loopback, outside Prometheus' exporter
 * port range (9100-9999), not Hasura's 8080. */
#define SERVE_DEFAULT_LISTEN	"127.0.0.1:8719"

struct config {
	char		**endpoints;		/* base URLs, no trailing slash */
	char		**labels;		/* from -e name=URL; NULL: none */
	size_t		  n_endpoints;
	char		 *admin_secret;		/* never printed or logged */
	char		 *database_url;		/* libpq URL or conninfo, or NULL */
	long		  poll_interval_ms;
	long		  probe_interval_ms;
	long		  timeout_ms;
	long		  connect_timeout_ms;
	enum reload_scope reload_scope;
	long		  wait_s;
	bool		  auto_reload;
	char		 *sentry_dsn;
	char		 *sentry_env;
	enum output_format format;
	char		 *config_file;		/* the file actually read, or NULL */
	bool		  readonly;
	bool		  no_color;
	char		 *cacert;
	bool		  insecure;
	char		 *audit_log;
	enum run_mode	  mode;
	bool		  reload;
	bool		  watch;
	bool		  reload_command;	/* invoked as "hasync reload" */
	enum subcommand	  command;
	/* hasync serve / hasync server (serve implies mode batch, watch) */
	bool		  serve;
	char		 *listen;		/* ADDR:PORT, checked; set by
						   config_load when serving */
	bool		  listen_public;
	char		 *metrics_token;	/* never printed or logged */
	long		  ready_max_behind_ms;	/* -1: 2 x poll + the grace */
	bool		  ready_strict;
	long		  port;			/* hasync server: PORT, or -1 */
	bool		  help;
	bool		  version;
	int64_t		  max_body_bytes;	/* largest response body accepted */
	/* Warnings for the caller to print (e.g. secret visible in argv),
	 * without a "warning:" prefix. */
	char		 *warnings[4];
	size_t		  n_warnings;
};

/* Fill c with defaults. */
void	config_defaults(struct config *);

/*
 * Parse argv (argv[0] is skipped), the environment (envp, NULL-terminated
 * "NAME=value" strings) and the config file. Returns 0, or -1 with e set to
 * one line (kind ERR_USAGE). May overwrite an --admin-secret value in argv so
 * that it does not stay visible in ps. Does not check mode requirements; see
 * config_check().
 */
int	config_load(struct config *, int, char **, char **, struct err *);

/*
 * Check what the chosen mode needs: an endpoint for batch mode, a terminal
 * for the console (stdout_is_tty). Returns 0 or -1 with e set.
 */
int	config_check(const struct config *, bool, struct err *);

/* True when stderr must carry JSON lines too (batch mode, JSON format). */
bool	config_json_output(const struct config *);

/* Free everything config_load() allocated. */
void	config_free(struct config *);

/* Print the --help text (generated from the option table) to fp, for the
 * subcommand c was invoked with. */
void	config_usage(FILE *, const struct config *);

/* Parse a whole decimal number in [min, max]. Returns 0 or -1. */
int	config_parse_long(const char *, long, long, long *);

#endif
