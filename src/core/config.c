/*
 * config.c: parse hasync's settings from argv, the environment and a config
 * file, with the precedence flag > environment > file > default.
 *
 * One table, opts[], names every setting: its long and short flag, its
 * environment variables, its --help line, and whether the config file may
 * set it. Each source is turned into (option, value) pairs and applied in
 * order file, environment, flags; a repeatable option (--endpoint) set by a
 * later source replaces what an earlier source set. Main thread only.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/url.h"
#include "hasync/xmalloc.h"

#define OPT_ARG		0x01	/* takes a value */
#define OPT_NOFILE	0x02	/* not allowed in the config file */
#define OPT_RELOAD	0x04	/* only for "hasync reload" (the old tool's names) */
#define OPT_LIST	0x08	/* env value is a comma-separated list */
#define OPT_SERVER	0x10	/* only for "hasync server" (the old tool's PORT) */

enum opt_id {
	O_ENDPOINT, O_SECRET_FILE, O_SECRET, O_DATABASE_URL, O_POLL, O_PROBE,
	O_TIMEOUT, O_CONNECT_TIMEOUT, O_RELOAD_SCOPE, O_WAIT, O_AUTO_RELOAD,
	O_SENTRY_DSN, O_SENTRY_ENV, O_FORMAT, O_CONFIG, O_READONLY, O_NO_COLOR,
	O_CACERT, O_INSECURE, O_AUDIT_LOG, O_MAX_BODY, O_BATCH, O_RELOAD,
	O_WATCH, O_HELP, O_VERSION, O_LISTEN, O_LISTEN_PUBLIC, O_TOKEN_FILE,
	O_READY_MAX_BEHIND, O_READY_STRICT, O_PORT,
};

struct opt {
	enum opt_id	 id;
	const char	*name;
	char		 short_name;
	int		 flags;
	const char	*env[2];
	const char	*metavar;
	const char	*help;
};

static const struct opt opts[] = {
	{ O_ENDPOINT, "endpoint", 'e', OPT_ARG | OPT_LIST,
	    { "HASURA_GRAPHQL_ENDPOINT", NULL }, "URL",
	    "Hasura instance base URL, e.g. http://hasura-0:8080, or NAME=URL "
	    "to show NAME (repeat for each replica)" },
	{ O_SECRET_FILE, "admin-secret-file", 0, OPT_ARG, { NULL, NULL },
	    "FILE", "read the admin secret from FILE (first line)" },
	{ O_SECRET, "admin-secret", 0, OPT_ARG,
	    { "HASURA_GRAPHQL_ADMIN_SECRET", NULL }, "SECRET",
	    "admin secret; visible to other users in ps, prefer the "
	    "environment or --admin-secret-file" },
	{ O_DATABASE_URL, "database-url", 'd', OPT_ARG,
	    { "HASURA_GRAPHQL_METADATA_DATABASE_URL",
	    "HASURA_GRAPHQL_DATABASE_URL" }, "URL",
	    "Hasura's metadata database (libpq URL or conninfo); without it "
	    "hasync watches the instances only" },
	{ O_POLL, "poll-interval", 0, OPT_ARG, { NULL, NULL }, "MS",
	    "how often to poll the catalog's resource_version (default 1000, "
	    "as Hasura)" },
	{ O_PROBE, "probe-interval", 0, OPT_ARG, { NULL, NULL }, "MS",
	    "how often to probe every instance (default 5000)" },
	{ O_TIMEOUT, "timeout", 0, OPT_ARG, { NULL, NULL }, "MS",
	    "limit for each HTTP request (default 10000)" },
	{ O_CONNECT_TIMEOUT, "connect-timeout", 0, OPT_ARG, { NULL, NULL },
	    "MS", "limit for each connection attempt (default 3000)" },
	{ O_RELOAD_SCOPE, "reload-scope", 0, OPT_ARG, { NULL, NULL },
	    "auto|targeted|full", "auto (default): every source and the "
	    "inconsistent remote schemas; targeted: only what is inconsistent, "
	    "nothing when consistent; full: {}, everything (see hasync(1))" },
	{ O_WAIT, "wait", 0, OPT_ARG, { NULL, NULL }, "SECONDS",
	    "retry reloads with backoff until consistent or SECONDS pass "
	    "(default 0)" },
	{ O_AUTO_RELOAD, "auto-reload", 0, 0, { NULL, NULL }, NULL,
	    "reload automatically when metadata turns inconsistent" },
	{ O_SENTRY_DSN, "sentry-dsn", 0, OPT_ARG, { "SENTRY_DSN", NULL },
	    "DSN", "report inconsistency and outages to this Sentry project" },
	{ O_SENTRY_ENV, "sentry-env", 0, OPT_ARG,
	    { "SENTRY_ENVIRONMENT", NULL }, "ENV",
	    "Sentry environment name" },
	{ O_FORMAT, "format", 0, OPT_ARG, { NULL, NULL }, "json|text",
	    "batch output: JSON lines (default) or a table for people" },
	{ O_CONFIG, "config", 'c', OPT_ARG | OPT_NOFILE,
	    { "HASYNC_CONFIG", NULL }, "FILE",
	    "config file (default $XDG_CONFIG_HOME/hasync/config if it "
	    "exists)" },
	{ O_READONLY, "readonly", 0, 0, { NULL, NULL }, NULL,
	    "never send a modifying request (no reload, no drop)" },
	{ O_NO_COLOR, "no-color", 0, 0, { "NO_COLOR", NULL }, NULL,
	    "no colours in the console" },
	{ O_CACERT, "cacert", 0, OPT_ARG, { NULL, NULL }, "FILE",
	    "trust the CA certificates in FILE for https endpoints" },
	{ O_INSECURE, "insecure", 0, 0, { NULL, NULL }, NULL,
	    "do not verify TLS certificates (dangerous)" },
	{ O_AUDIT_LOG, "audit-log", 0, OPT_ARG, { NULL, NULL }, "FILE",
	    "append one JSON line per reload or drop to FILE" },
	{ O_MAX_BODY, "max-body-mb", 0, OPT_ARG, { NULL, NULL }, "MB",
	    "refuse HTTP responses larger than MB mebibytes (default 64)" },
	{ O_BATCH, "batch", 0, OPT_NOFILE, { NULL, NULL }, NULL,
	    "no console: one pass, JSON lines on stdout, exit code" },
	{ O_RELOAD, "reload", 0, OPT_NOFILE, { NULL, NULL }, NULL,
	    "batch: reload metadata first (implies --batch)" },
	{ O_WATCH, "watch", 0, OPT_NOFILE, { NULL, NULL }, NULL,
	    "batch: run until interrupted, one line per event (implies "
	    "--batch)" },
	/* hasync serve (and hasync server). */
	{ O_LISTEN, "listen", 0, OPT_ARG, { NULL, NULL }, "ADDR:PORT",
	    "serve: answer HTTP at ADDR:PORT (default " SERVE_DEFAULT_LISTEN
	    "; port 0: any free port, printed at start)" },
	{ O_LISTEN_PUBLIC, "listen-public", 0, 0, { NULL, NULL }, NULL,
	    "serve: allow a --listen address other than loopback without "
	    "--metrics-token-file" },
	{ O_TOKEN_FILE, "metrics-token-file", 0, OPT_ARG, { NULL, NULL },
	    "FILE", "serve: require 'Authorization: Bearer TOKEN' (TOKEN: "
	    "the first line of FILE) for /metrics and POST /reload_metadata" },
	{ O_READY_MAX_BEHIND, "ready-max-behind", 0, OPT_ARG, { NULL, NULL },
	    "MS", "serve: /readyz fails once a replica has been behind the "
	    "catalog this long (default 2 x --poll-interval plus the grace "
	    "period)" },
	{ O_READY_STRICT, "ready-strict", 0, 0, { NULL, NULL }, NULL,
	    "serve: /readyz fails on inconsistent metadata too" },
	{ O_HELP, "help", 'h', OPT_NOFILE, { NULL, NULL }, NULL,
	    "show this help and exit" },
	{ O_VERSION, "version", 'V', OPT_NOFILE, { NULL, NULL }, NULL,
	    "show the version and exit" },
	/* The names of hasura-metadata-reloader, for "hasync reload". */
	{ O_ENDPOINT, "hasura-endpoint", 0, OPT_ARG | OPT_RELOAD | OPT_NOFILE,
	    { "HASURA_ENDPOINT", NULL }, "URL", "same as --endpoint" },
	{ O_SECRET, "hasura-admin-secret", 0,
	    OPT_ARG | OPT_RELOAD | OPT_NOFILE, { "HASURA_ADMIN_SECRET", NULL },
	    "SECRET", "same as --admin-secret" },
	{ O_SENTRY_ENV, "sentry-env", 0, OPT_ARG | OPT_RELOAD | OPT_NOFILE,
	    { "SENTRY_ENV", NULL }, "ENV", "same as --sentry-env" },
	{ O_PORT, "port", 0, OPT_ARG | OPT_SERVER | OPT_NOFILE,
	    { "PORT", NULL }, "PORT", "listen on every interface at PORT "
	    "(default 8080, as hasura-metadata-reloader server)" },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

/* Where a value came from; a later source wins. */
enum source { SRC_FILE, SRC_ENV, SRC_FLAG };

struct load_state {
	struct config	*c;
	bool		 endpoints_from[3];	/* which source set endpoints */
	enum source	 secret_src;
	bool		 have_secret;
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->poll_interval_ms = 1000;
	c->probe_interval_ms = 5000;
	c->timeout_ms = 10000;
	c->connect_timeout_ms = 3000;
	c->reload_scope = RELOAD_AUTO;
	c->format = FORMAT_JSON;
	c->mode = MODE_CONSOLE;
	c->max_body_bytes = (int64_t)64 << 20;
	c->ready_max_behind_ms = -1;
	c->port = -1;
}

int
config_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return (-1);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

static void
config_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Wipe and free a string that holds a secret. */
static void
config_free_secret(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* Split "name=URL" into a label and the URL; a plain URL has no label. */
static int
config_endpoint_label(const char *v, char *label, size_t len, const char **url,
    struct err *e)
{
	const char	*eq = strchr(v, '='), *scheme = strstr(v, "://");
	size_t		 n;

	*url = v;
	label[0] = '\0';
	if (eq == NULL || (scheme != NULL && scheme < eq))
		return (0);
	n = (size_t)(eq - v);
	if (n == 0 || n >= len || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return (err_set(e, ERR_USAGE, "endpoint: label '%.*s' must be 1 "
		    "to %zu letters, digits, '.', '_' or '-' (NAME=URL)",
		    (int)(n < 40 ? n : 40), v, len - 1));
	memcpy(label, v, n);
	label[n] = '\0';
	*url = eq + 1;
	return (0);
}

static int
config_add_endpoint(struct load_state *st, enum source src, const char *v,
    struct err *e)
{
	struct config	*c = st->c;
	char		 buf[2048], label[64];
	const char	*url;
	size_t		 i;

	if (!st->endpoints_from[src]) {
		/* A higher-precedence source replaces the list. */
		for (i = 0; i < c->n_endpoints; i++) {
			free(c->endpoints[i]);
			free(c->labels[i]);
		}
		c->n_endpoints = 0;
		st->endpoints_from[src] = true;
	}
	if (config_endpoint_label(v, label, sizeof(label), &url, e) == -1 ||
	    url_check_http(url, "endpoint", buf, sizeof(buf), e) == -1)
		return (-1);
	for (i = 0; i < c->n_endpoints; i++) {
		if (strcmp(c->endpoints[i], buf) == 0)
			return (0);	/* same replica named twice */
	}
	if (c->n_endpoints >= 10000)
		return (err_set(e, ERR_USAGE, "endpoint: too many endpoints "
		    "(at most 10000)"));
	c->endpoints = xreallocarray(c->endpoints, c->n_endpoints + 1,
	    sizeof(*c->endpoints));
	c->labels = xreallocarray(c->labels, c->n_endpoints + 1,
	    sizeof(*c->labels));
	c->labels[c->n_endpoints] = label[0] != '\0' ? xstrdup(label) : NULL;
	c->endpoints[c->n_endpoints++] = xstrdup(buf);
	return (0);
}

/* Read the first line of a secret file (what: "admin secret") into *dst. */
static int
config_read_secret_file(char **dst, const char *what, const char *path,
    struct err *e)
{
	FILE	*fp;
	char	 buf[4096];
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return (err_set(e, ERR_USAGE, "cannot read %s file %s: %s",
		    what, path, strerror(errno)));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (ferror(fp)) {
		fclose(fp);
		return (err_set(e, ERR_USAGE, "cannot read %s file %s: %s",
		    what, path, strerror(errno)));
	}
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		explicit_bzero(buf, sizeof(buf));
		return (err_set(e, ERR_USAGE, "%s file %s is empty", what,
		    path));
	}
	config_free_secret(dst);
	*dst = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return (0);
}

static int
config_interval(const char *name, const char *v, long min, long max,
    long *out, struct err *e)
{
	if (config_parse_long(v, min, max, out) == -1)
		return (err_set(e, ERR_USAGE, "--%s: '%.40s' is not a whole "
		    "number from %ld to %ld", name, v, min, max));
	return (0);
}

static bool
config_bool_value(const char *v)
{
	return (v == NULL || (strcmp(v, "0") != 0 &&
	    strcasecmp(v, "false") != 0 && strcasecmp(v, "no") != 0 &&
	    strcasecmp(v, "off") != 0));
}

/* Apply one (option, value) pair from source src. */
static int
config_apply(struct load_state *st, const struct opt *o, const char *v,
    enum source src, struct err *e)
{
	struct config	*c = st->c;
	long		 n;

	switch (o->id) {
	case O_ENDPOINT:
		return (config_add_endpoint(st, src, v, e));
	case O_SECRET_FILE:
		if (st->have_secret && st->secret_src > src)
			return (0);
		st->have_secret = true;
		st->secret_src = src;
		return (config_read_secret_file(&c->admin_secret,
		    "admin secret", v, e));
	case O_SECRET:
		if (st->have_secret && st->secret_src > src)
			return (0);
		if (*v == '\0')
			return (err_set(e, ERR_USAGE, "admin secret is empty"));
		st->have_secret = true;
		st->secret_src = src;
		config_free_secret(&c->admin_secret);
		c->admin_secret = xstrdup(v);
		return (0);
	case O_DATABASE_URL:
		if (url_check_pg(v, e) == -1)
			return (-1);
		config_set_str(&c->database_url, v);
		return (0);
	case O_POLL:
		return (config_interval(o->name, v, 10, 3600000,
		    &c->poll_interval_ms, e));
	case O_PROBE:
		return (config_interval(o->name, v, 100, 3600000,
		    &c->probe_interval_ms, e));
	case O_TIMEOUT:
		return (config_interval(o->name, v, 100, 600000,
		    &c->timeout_ms, e));
	case O_CONNECT_TIMEOUT:
		return (config_interval(o->name, v, 100, 600000,
		    &c->connect_timeout_ms, e));
	case O_WAIT:
		return (config_interval(o->name, v, 0, 86400, &c->wait_s, e));
	case O_MAX_BODY:
		/* Above the maximum is not "not a number": say what it is. */
		if (config_parse_long(v, 1, LONG_MAX, &n) == 0 &&
		    n > MAX_BODY_MB_MAX)
			return (err_set(e, ERR_USAGE, "--%s: %ld is above the "
			    "maximum of %d (%d GiB)", o->name, n,
			    MAX_BODY_MB_MAX, MAX_BODY_MB_MAX / 1024));
		if (config_interval(o->name, v, 1, MAX_BODY_MB_MAX, &n,
		    e) == -1)
			return (-1);
		/* 64-bit arithmetic: 2048 MiB and more do not fit a 32-bit
		 * long. */
		c->max_body_bytes = (int64_t)n << 20;
		return (0);
	case O_RELOAD_SCOPE:
		if (strcmp(v, "auto") == 0)
			c->reload_scope = RELOAD_AUTO;
		else if (strcmp(v, "targeted") == 0)
			c->reload_scope = RELOAD_TARGETED;
		else if (strcmp(v, "full") == 0)
			c->reload_scope = RELOAD_FULL;
		else
			return (err_set(e, ERR_USAGE, "--reload-scope: '%.40s' "
			    "is not 'auto', 'targeted' or 'full'", v));
		return (0);
	case O_FORMAT:
		if (strcmp(v, "json") == 0)
			c->format = FORMAT_JSON;
		else if (strcmp(v, "text") == 0)
			c->format = FORMAT_TEXT;
		else
			return (err_set(e, ERR_USAGE, "--format: '%.40s' is not "
			    "'json' or 'text'", v));
		return (0);
	case O_SENTRY_DSN:
		{
			struct sentry_dsn	 d;

			if (*v == '\0')		/* SENTRY_DSN= means off */
				return (0);
			if (url_parse_sentry_dsn(v, &d, e) == -1)
				return (-1);
			config_set_str(&c->sentry_dsn, v);
			return (0);
		}
	case O_SENTRY_ENV:
		config_set_str(&c->sentry_env, v);
		return (0);
	case O_CONFIG:
		return (0);	/* handled before the file is read */
	case O_CACERT:
		if (access(v, R_OK) == -1)
			return (err_set(e, ERR_USAGE, "--cacert: cannot read "
			    "%s: %s", v, strerror(errno)));
		config_set_str(&c->cacert, v);
		return (0);
	case O_AUDIT_LOG:
		config_set_str(&c->audit_log, v);
		return (0);
	case O_AUTO_RELOAD:
		c->auto_reload = config_bool_value(v);
		return (0);
	case O_READONLY:
		c->readonly = config_bool_value(v);
		return (0);
	case O_NO_COLOR:
		/* NO_COLOR: any non-empty value disables colour. */
		c->no_color = src == SRC_ENV ? *v != '\0' :
		    config_bool_value(v);
		return (0);
	case O_INSECURE:
		c->insecure = config_bool_value(v);
		return (0);
	case O_BATCH:
		c->mode = MODE_BATCH;
		return (0);
	case O_RELOAD:
		c->reload = true;
		c->mode = MODE_BATCH;
		return (0);
	case O_WATCH:
		c->watch = true;
		c->mode = MODE_BATCH;
		return (0);
	case O_LISTEN:
		{
			struct listen_addr	a;

			if (url_parse_listen(v, &a, e) == -1)
				return (-1);
			config_set_str(&c->listen, v);
			return (0);
		}
	case O_LISTEN_PUBLIC:
		c->listen_public = config_bool_value(v);
		return (0);
	case O_TOKEN_FILE:
		if (config_read_secret_file(&c->metrics_token, "metrics token",
		    v, e) == -1)
			return (-1);
		if (strspn(c->metrics_token, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=") !=
		    strlen(c->metrics_token))
			return (err_set(e, ERR_USAGE, "metrics token file %s: "
			    "the token must be letters, digits and -._~+/= "
			    "(RFC 6750)", v));
		return (0);
	case O_READY_MAX_BEHIND:
		return (config_interval(o->name, v, 0, 86400000,
		    &c->ready_max_behind_ms, e));
	case O_READY_STRICT:
		c->ready_strict = config_bool_value(v);
		return (0);
	case O_PORT:
		if (config_parse_long(v, 0, 65535, &c->port) == -1)
			return (err_set(e, ERR_USAGE, "%s: '%.40s' is not a "
			    "port number from 0 to 65535", src == SRC_ENV ?
			    "PORT" : "--port", v));
		return (0);
	case O_HELP:
		c->help = true;
		return (0);
	case O_VERSION:
		c->version = true;
		return (0);
	}
	return (err_set(e, ERR_USAGE, "internal: unhandled option"));
}

/* The compatibility options (OPT_RELOAD, OPT_SERVER) a subcommand takes. */
static int
config_compat_flags(enum subcommand cmd)
{
	switch (cmd) {
	case SUB_RELOAD:
		return (OPT_RELOAD);
	case SUB_SERVER:
		return (OPT_RELOAD | OPT_SERVER);
	default:
		return (0);
	}
}

/* The option called name; compat: the compatibility flags allowed. */
static const struct opt *
config_find_long(const char *name, size_t len, int compat)
{
	size_t	i;

	for (i = 0; i < N_OPTS; i++) {
		if ((opts[i].flags & (OPT_RELOAD | OPT_SERVER)) &&
		    !(opts[i].flags & compat))
			continue;
		if (strlen(opts[i].name) == len &&
		    strncmp(opts[i].name, name, len) == 0)
			return (&opts[i]);
	}
	return (NULL);
}

static const struct opt *
config_find_short(char ch)
{
	size_t	i;

	for (i = 0; i < N_OPTS; i++) {
		if (opts[i].short_name == ch)
			return (&opts[i]);
	}
	return (NULL);
}

/* One (option, value) pair collected from argv before it is applied. */
struct pair {
	const struct opt	*o;
	char			*v;	/* points into argv, or NULL */
};

/* The subcommand a names, or SUB_NONE. */
static enum subcommand
config_subcommand(const char *a)
{
	if (strcmp(a, "reload") == 0)
		return (SUB_RELOAD);
	if (strcmp(a, "serve") == 0)
		return (SUB_SERVE);
	if (strcmp(a, "server") == 0)
		return (SUB_SERVER);
	return (SUB_NONE);
}

/*
 * Where the subcommand ("reload", "serve", "server") stands, or 0; *cmd
 * gets it. Options may come before it, as hasura-metadata-reloader's
 * global flags do (hasync --sentry-env x reload ...); the values of
 * options that take one are skipped.
 */
static int
config_find_command(int argc, char **argv, enum subcommand *cmd)
{
	const struct opt	*o;
	const char		*a;
	int			 i;

	*cmd = SUB_NONE;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			return (0);
		if (a[0] != '-' || a[1] == '\0') {
			*cmd = config_subcommand(a);
			return (*cmd != SUB_NONE ? i : 0);
		}
		if (a[1] == '-') {
			if (strchr(a, '=') != NULL)
				continue;
			o = config_find_long(a + 2, strlen(a + 2),
			    OPT_RELOAD | OPT_SERVER);
		} else
			o = a[2] == '\0' ? config_find_short(a[1]) : NULL;
		if (o != NULL && (o->flags & OPT_ARG))
			i++;
	}
	return (0);
}

/* Split argv into pairs; validate option names and arity. */
static int
config_scan_argv(struct config *c, int argc, char **argv, struct pair *pairs,
    size_t *npairs, struct err *e)
{
	const struct opt	*o;
	const char		*name, *eq;
	char			*v;
	int			 i, cmd;
	bool			 only_args = false;

	*npairs = 0;
	if ((cmd = config_find_command(argc, argv, &c->command)) > 0)
		c->reload_command = c->command == SUB_RELOAD;
	for (i = 1; i < argc; i++) {
		char	*a = argv[i];

		if (i == cmd)
			continue;
		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (config_subcommand(a) != SUB_NONE)
				return (err_set(e, ERR_USAGE, "'%s' given "
				    "twice, after another subcommand or after "
				    "'--'; usage: hasync %s [options]", a, a));
			return (err_set(e, ERR_USAGE, "unexpected argument "
			    "'%.60s'; see hasync --help", a));
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		v = NULL;
		if (a[1] == '-') {
			name = a + 2;
			eq = strchr(name, '=');
			o = config_find_long(name, eq != NULL ?
			    (size_t)(eq - name) : strlen(name),
			    config_compat_flags(c->command));
			if (o == NULL)
				return (err_set(e, ERR_USAGE, "unknown option "
				    "'--%.*s'; see hasync --help",
				    eq != NULL ? (int)(eq - name) : 60, name));
			if (eq != NULL) {
				if (!(o->flags & OPT_ARG))
					return (err_set(e, ERR_USAGE, "option "
					    "--%s takes no value", o->name));
				v = (char *)eq + 1;
			}
		} else {
			o = config_find_short(a[1]);
			if (o == NULL)
				return (err_set(e, ERR_USAGE, "unknown option "
				    "'-%c'; see hasync --help", a[1]));
			if (a[2] != '\0') {
				if (!(o->flags & OPT_ARG))
					return (err_set(e, ERR_USAGE, "option "
					    "-%c takes no value (write flags "
					    "separately)", a[1]));
				v = a + 2;
			}
		}
		if ((o->flags & OPT_ARG) && v == NULL) {
			if (i + 1 >= argc)
				return (err_set(e, ERR_USAGE, "option --%s "
				    "needs a value (%s)", o->name,
				    o->metavar));
			v = argv[++i];
		}
		pairs[(*npairs)++] = (struct pair){ o, v };
	}
	return (0);
}

static const char *
config_getenv(char **envp, const char *name)
{
	size_t	len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return (*envp + len + 1);
	}
	return (NULL);
}

/* Trim spaces at both ends in place. */
static char *
config_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return (s);
}

/* Read "name = value" lines from path. missing_ok: no file is fine. */
static int
config_read_file(struct load_state *st, const char *path, bool missing_ok,
    struct err *e)
{
	const struct opt	*o;
	FILE			*fp;
	char			 line[4096], *p, *eq, *k, *v;
	int			 lineno = 0, rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		if (missing_ok && errno == ENOENT)
			return (0);
		return (err_set(e, ERR_USAGE, "cannot read config file %s: %s",
		    path, strerror(errno)));
	}
	config_set_str(&st->c->config_file, path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			rc = err_set(e, ERR_USAGE, "%s:%d: line too long",
			    path, lineno);
			break;
		}
		p = config_trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			k = config_trim(p);
			v = config_trim(eq + 1);
		} else {	/* a bare flag such as "readonly" */
			k = p;
			v = (char *)"";
		}
		o = config_find_long(k, strlen(k), 0);
		if (o == NULL || (o->flags & OPT_NOFILE)) {
			rc = err_set(e, ERR_USAGE, "%s:%d: unknown setting "
			    "'%.60s'", path, lineno, k);
			break;
		}
		if (!(o->flags & OPT_ARG) && *v == '\0')
			v = (char *)"true";
		else if ((o->flags & OPT_ARG) && eq == NULL) {
			rc = err_set(e, ERR_USAGE, "%s:%d: expected "
			    "'%s = value'", path, lineno, o->name);
			break;
		}
		if (config_apply(st, o, v, SRC_FILE, e) == -1) {
			/* Prefix the location without losing the message. */
			char	msg[sizeof(e->msg)];

			if (e != NULL) {
				snprintf(msg, sizeof(msg), "%s", e->msg);
				err_set(e, ERR_USAGE, "%s:%d: %s", path, lineno,
				    msg);
			}
			rc = -1;
			break;
		}
	}
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return (rc);
}

static int
config_apply_env(struct load_state *st, char **envp, int compat,
    struct err *e)
{
	const struct opt	*o;
	const char		*v;
	char			*list, *tok, *save;
	size_t			 i, j;
	int			 rc;

	for (i = 0; i < N_OPTS; i++) {
		o = &opts[i];
		if ((o->flags & (OPT_RELOAD | OPT_SERVER)) &&
		    !(o->flags & compat))
			continue;
		if (o->id == O_CONFIG)
			continue;
		for (j = 0; j < 2 && o->env[j] != NULL; j++) {
			if ((v = config_getenv(envp, o->env[j])) == NULL)
				continue;
			if (*v == '\0' && o->id != O_NO_COLOR)
				continue;	/* VAR= means unset */
			if (!(o->flags & OPT_LIST)) {
				if (config_apply(st, o, v, SRC_ENV, e) == -1)
					return (-1);
				break;	/* the first variable found wins */
			}
			list = xstrdup(v);
			rc = 0;
			for (tok = strtok_r(list, ",", &save); tok != NULL &&
			    rc == 0; tok = strtok_r(NULL, ",", &save)) {
				tok = config_trim(tok);
				if (*tok != '\0')
					rc = config_apply(st, o, tok, SRC_ENV,
					    e);
			}
			free(list);
			if (rc == -1)
				return (-1);
			break;
		}
	}
	return (0);
}

/*
 * The mode and output format as the flags give them, before anything is
 * applied: an error in any later setting is then reported in the form the
 * caller reads (a JSON line in batch mode).
 */
static void
config_early_mode(struct config *c, const struct pair *pairs, size_t n)
{
	size_t	i;

	if (c->command != SUB_NONE)
		c->mode = MODE_BATCH;
	for (i = 0; i < n; i++) {
		switch (pairs[i].o->id) {
		case O_BATCH:
		case O_RELOAD:
		case O_WATCH:
			c->mode = MODE_BATCH;
			break;
		case O_FORMAT:
			if (strcmp(pairs[i].v, "text") == 0)
				c->format = FORMAT_TEXT;
			break;
		default:
			break;
		}
	}
}

/*
 * Where hasync serve listens unless --listen says: loopback at the default
 * port; hasync server, as hasura-metadata-reloader, every interface at
 * PORT (default 8080), open to anyone (one warning says so).
 */
static void
config_serve_defaults(struct config *c)
{
	char	buf[64];

	if (!c->serve)
		return;
	if (c->command == SUB_SERVER) {
		if (c->listen == NULL) {
			snprintf(buf, sizeof(buf), "*:%ld", c->port >= 0 ?
			    c->port : 8080);
			c->listen = xstrdup(buf);
		}
		c->listen_public = true;
		if (c->metrics_token == NULL && c->n_warnings < 4)
			c->warnings[c->n_warnings++] = xstrdup("hasync server: "
			    "/metrics and POST /reload_metadata answer anyone "
			    "who can reach the port, as hasura-metadata-reloader "
			    "server does; give --metrics-token-file FILE to "
			    "require a token");
	} else if (c->listen == NULL)
		c->listen = xstrdup(SERVE_DEFAULT_LISTEN);
}

int
config_load(struct config *c, int argc, char **argv, char **envp,
    struct err *e)
{
	struct load_state	 st;
	struct pair		*pairs;
	size_t			 npairs, i;
	const char		*cfg = NULL, *xdg, *home;
	char			 path[4096];
	bool			 missing_ok = false;
	int			 rc = -1;

	memset(&st, 0, sizeof(st));
	st.c = c;
	pairs = xcalloc((size_t)argc + 1, sizeof(*pairs));
	i = config_scan_argv(c, argc, argv, pairs, &npairs, e) == -1;
	config_early_mode(c, pairs, npairs);
	if (i)
		goto out;
	for (i = 0; i < npairs; i++) {
		if (pairs[i].o->id == O_HELP || pairs[i].o->id == O_VERSION) {
			config_apply(&st, pairs[i].o, NULL, SRC_FLAG, e);
			rc = 0;
			goto out;	/* --help wins over everything */
		}
		if (pairs[i].o->id == O_CONFIG)
			cfg = pairs[i].v;
	}

	/* The config file: -c, then HASYNC_CONFIG, then the XDG default. */
	if (cfg == NULL)
		cfg = config_getenv(envp, "HASYNC_CONFIG");
	if (cfg != NULL && *cfg == '\0')
		cfg = NULL;
	if (cfg == NULL) {
		xdg = config_getenv(envp, "XDG_CONFIG_HOME");
		home = config_getenv(envp, "HOME");
		if (xdg != NULL && *xdg != '\0')
			snprintf(path, sizeof(path), "%s/hasync/config", xdg);
		else if (home != NULL && *home != '\0')
			snprintf(path, sizeof(path), "%s/.config/hasync/config",
			    home);
		else
			path[0] = '\0';
		if (path[0] != '\0') {
			cfg = path;
			missing_ok = true;
		}
	}
	if (cfg != NULL && config_read_file(&st, cfg, missing_ok, e) == -1)
		goto out;
	if (c->reload_command) {
		c->mode = MODE_BATCH;
		c->reload = true;
	}
	if (c->command == SUB_SERVE || c->command == SUB_SERVER) {
		/* The engine as --watch runs it, and an HTTP server. */
		c->mode = MODE_BATCH;
		c->watch = true;
		c->serve = true;
	}
	if (config_apply_env(&st, envp, config_compat_flags(c->command), e) ==
	    -1)
		goto out;
	for (i = 0; i < npairs; i++) {
		if (config_apply(&st, pairs[i].o, pairs[i].v, SRC_FLAG, e) ==
		    -1)
			goto out;
		if (pairs[i].o->id == O_SECRET) {
			/* Do not leave the secret readable in ps. */
			explicit_bzero(pairs[i].v, strlen(pairs[i].v));
			if (c->n_warnings < 4)
				c->warnings[c->n_warnings++] = xstrdup(
				    "--admin-secret is visible to other users "
				    "in ps; use HASURA_GRAPHQL_ADMIN_SECRET or "
				    "--admin-secret-file");
		}
	}
	if (c->insecure && c->n_warnings < 4)
		c->warnings[c->n_warnings++] = xstrdup("--insecure: TLS "
		    "certificates are not verified");
	config_serve_defaults(c);
	rc = 0;
out:
	free(pairs);
	return (rc);
}

int
config_check(const struct config *c, bool stdout_is_tty, struct err *e)
{
	if (c->help || c->version)
		return (0);
	if (c->serve && c->reload)
		return (err_set(e, ERR_USAGE, "hasync serve: --reload does not "
		    "apply (POST /reload_metadata reloads; --auto-reload "
		    "reloads on its own)"));
	if (c->serve) {
		struct listen_addr	a;

		if (url_parse_listen(c->listen, &a, e) == -1)
			return (-1);
		if (!a.loopback && !c->listen_public &&
		    c->metrics_token == NULL)
			return (err_set(e, ERR_USAGE, "--listen %s is not a "
			    "loopback address: give --metrics-token-file FILE "
			    "(a bearer token for /metrics and POST "
			    "/reload_metadata) or --listen-public",
			    c->listen));
	}
	if (c->mode == MODE_BATCH && c->n_endpoints == 0)
		return (err_set(e, ERR_USAGE, "no Hasura endpoint: pass "
		    "--endpoint URL or set HASURA_GRAPHQL_ENDPOINT"));
	if (c->mode == MODE_CONSOLE && c->n_endpoints == 0 &&
	    c->database_url == NULL)
		return (err_set(e, ERR_USAGE, "no Hasura endpoint: pass "
		    "--endpoint URL or set HASURA_GRAPHQL_ENDPOINT"));
	if (c->mode == MODE_CONSOLE && !stdout_is_tty)
		return (err_set(e, ERR_USAGE, "stdout is not a terminal: use "
		    "--batch for scripts and cron jobs"));
	if (c->watch && c->reload)
		return (err_set(e, ERR_USAGE, "--watch and --reload do not go "
		    "together; use --watch --auto-reload"));
	if (c->cacert != NULL && c->insecure)
		return (err_set(e, ERR_USAGE, "--cacert and --insecure do not "
		    "go together"));
	return (0);
}

bool
config_json_output(const struct config *c)
{
	return (c->mode == MODE_BATCH && c->format == FORMAT_JSON);
}

void
config_free(struct config *c)
{
	size_t	i;

	for (i = 0; i < c->n_endpoints; i++) {
		free(c->endpoints[i]);
		free(c->labels[i]);
	}
	free(c->endpoints);
	free(c->labels);
	config_free_secret(&c->admin_secret);
	free(c->database_url);
	free(c->sentry_dsn);
	free(c->sentry_env);
	free(c->config_file);
	free(c->cacert);
	free(c->audit_log);
	free(c->listen);
	config_free_secret(&c->metrics_token);
	for (i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	memset(c, 0, sizeof(*c));
}

/* Print text word-wrapped to 79 columns, continuing lines at column indent. */
static void
config_wrap(FILE *fp, const char *text, size_t col, size_t indent)
{
	const char	*p = text;
	size_t		 w;

	while (*p != '\0') {
		w = strcspn(p, " ");
		if (col + 1 + w > 79 && col > indent) {
			fprintf(fp, "\n%*s", (int)indent, "");
			col = indent;
		} else if (p != text) {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, w, fp);
		col += w;
		p += w;
		p += strspn(p, " ");
	}
	fputc('\n', fp);
}

void
config_usage(FILE *fp, const struct config *c)
{
	const struct opt	*o;
	char			 left[64], text[512];
	size_t			 i, j, n;
	int			 compat = config_compat_flags(c->command);

	if (c->command == SUB_RELOAD)
		fprintf(fp, "usage: hasync reload [options]\n\n"
		    "Reload Hasura metadata once and report inconsistencies "
		    "(same as\nhasync --batch --reload). Accepts the flags "
		    "and variables of\nhasura-metadata-reloader.\n\n");
	else if (c->command == SUB_SERVER)
		fprintf(fp, "usage: hasync server [options]\n\n"
		    "hasura-metadata-reloader's server mode: POST "
		    "/reload_metadata on every interface\nat PORT (default "
		    "8080), with its flags and variables; and everything\n"
		    "hasync serve answers (/metrics, /readyz, /healthz).\n\n");
	else if (c->command == SUB_SERVE)
		fprintf(fp, "usage: hasync serve [--listen ADDR:PORT] "
		    "[options]\n\n"
		    "Watch the cluster as --watch does and answer HTTP from "
		    "the newest snapshot:\nGET /metrics (Prometheus), GET "
		    "/readyz[/REPLICA] (a readiness gate for\nstale "
		    "replicas), GET /healthz, POST /reload_metadata. Default "
		    "--listen\n" SERVE_DEFAULT_LISTEN ".\n\n");
	else
		fprintf(fp, "usage: hasync [options]            console\n"
		    "       hasync --batch [options]    one pass, JSON lines, "
		    "exit code\n"
		    "       hasync reload [options]     reload metadata "
		    "(CronJob)\n"
		    "       hasync serve [options]      /metrics, /readyz, "
		    "POST /reload_metadata\n"
		    "       hasync server [options]     hasura-metadata-reloader "
		    "server mode\n\n"
		    "Watch a Hasura GraphQL Engine cluster: catalog "
		    "resource_version, instance\nhealth and metadata "
		    "consistency; reload what is broken.\n\n");
	fprintf(fp, "options:\n");
	for (i = 0; i < N_OPTS; i++) {
		o = &opts[i];
		if ((o->flags & (OPT_RELOAD | OPT_SERVER)) &&
		    !(o->flags & compat))
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    o->short_name ? "-" : "   ", o->short_name ? o->short_name :
		    ' ', o->short_name ? ", " : "", o->name,
		    o->metavar ? " " : "", o->metavar ? o->metavar : "");
		n = (size_t)snprintf(text, sizeof(text), "%s", o->help);
		for (j = 0; j < 2 && o->env[j] != NULL && n < sizeof(text); j++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s%s", j == 0 ? " [env " : ", ", o->env[j]);
		if (o->env[0] != NULL && n < sizeof(text))
			snprintf(text + n, sizeof(text) - n, "]");
		if (strlen(left) > 28) {
			fprintf(fp, "  %s\n%*s", left, 32, "");
			config_wrap(fp, text, 32, 32);
		} else {
			fprintf(fp, "  %-29s ", left);
			config_wrap(fp, text, 32, 32);
		}
	}
	fprintf(fp, "\nexit codes: 0 ok, 1 inconsistent metadata, 2 usage "
	    "error, 3 unreachable,\nunhealthy or auth refused, 4 instances "
	    "disagree, 128+N signal N. See hasync(1).\n");
}
