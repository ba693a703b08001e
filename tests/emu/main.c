/*
 * tests/emu/main.c: options, startup and shutdown of hasura-emu.
 *
 * The main thread parses options, creates the catalog (facts §1), builds
 * every instance's first schema cache (a few helper threads), starts the
 * HTTP daemons and sync threads, prints one "ready" line per instance, then
 * waits for SIGTERM/SIGINT.  Shutdown is bounded: a watchdog ends the
 * process with status 0 if cleanup takes longer than 700 ms.
 *
 * With --tls-cert/--tls-key (PEM files, read into memory at startup) every
 * instance serves HTTPS instead of HTTP and says so in its ready line.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "emu.h"

struct emu_config	 global_cfg;
atomic_int		 global_quit;
pthread_rwlock_t	 global_write_lock = PTHREAD_RWLOCK_INITIALIZER;

static struct instance	*main_insts;
static atomic_int	 main_next_build;
static json_t		*main_md;
static long		 main_ver;

static void
main_usage(void)
{
	fputs("usage: hasura-emu --database-url URL [--admin-secret S] "
	    "[--port P] [--instances N]\n"
	    "                  [--poll-interval MS] [--server-version V] "
	    "[--healing-interval MS] [-v]\n"
	    "                  [--tls-cert FILE --tls-key FILE]\n"
	    "       hasura-emu --remote-schema [--port P]\n", stderr);
	exit(2);
}

static long
main_number(const char *opt, const char *s, long lo, long hi)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi)
		log_fatal_usage("%s must be an integer in %ld..%ld, not '%s'",
		    opt, lo, hi, s);
	return (v);
}

/* Is version "vX.Y.Z..." older than v2.4.0 (facts §3.2)? */
static bool
main_pre_v24(const char *v)
{
	int	maj = 0, min = 0;

	if (*v == 'v')
		v++;
	if (sscanf(v, "%d.%d", &maj, &min) < 1)
		log_fatal_usage("--server-version must look like v2.36.0");
	return (maj < 2 || (maj == 2 && min < 4));
}

/* Read a PEM file into a NUL-terminated string, or exit 2. */
static char *
main_read_pem(const char *opt, const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		log_fatal_usage("%s: cannot read %s: %s", opt, path,
		    strerror(errno));
	do {
		buf = xrealloc(buf, len + 4096 + 1);
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0 && len < 1024 * 1024);
	if (ferror(f) || len >= 1024 * 1024)
		log_fatal_usage("%s: cannot read %s", opt, path);
	fclose(f);
	buf[len] = '\0';
	if (strstr(buf, "-----BEGIN ") == NULL)
		log_fatal_usage("%s: %s is not a PEM file", opt, path);
	return (buf);
}

/* Check and load --tls-cert/--tls-key (both or neither). */
static void
main_tls(const char *cert, const char *key, bool remote)
{
	if (cert == NULL && key == NULL)
		return;
	if (cert == NULL || key == NULL)
		log_fatal_usage("--tls-cert and --tls-key go together");
	if (remote)
		log_fatal_usage("--tls-cert is not supported with "
		    "--remote-schema");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		log_fatal_usage("--tls-cert: this libmicrohttpd is built "
		    "without TLS support");
	global_cfg.tls_cert = main_read_pem("--tls-cert", cert);
	global_cfg.tls_key = main_read_pem("--tls-key", key);
}

static bool
main_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "database-url", required_argument, NULL, 'd' },
		{ "admin-secret", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "instances", required_argument, NULL, 'n' },
		{ "poll-interval", required_argument, NULL, 'i' },
		{ "server-version", required_argument, NULL, 's' },
		{ "healing-interval", required_argument, NULL, 'h' },
		{ "remote-schema", no_argument, NULL, 'r' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*cert = NULL, *key = NULL;
	bool		 remote = false;
	int		 c;

	global_cfg.instances = 1;
	global_cfg.poll_ms = 1000;
	global_cfg.server_version = "v2.36.0";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd': global_cfg.database_url = optarg; break;
		case 'a': global_cfg.admin_secret = optarg; break;
		case 'p': global_cfg.port = (unsigned)main_number("--port",
		    optarg, 0, 65535); break;
		case 'n': global_cfg.instances = (int)main_number("--instances",
		    optarg, 1, EMU_MAX_INSTANCES); break;
		case 'i': global_cfg.poll_ms = (int)main_number(
		    "--poll-interval", optarg, 0, 3600000); break;
		case 's': global_cfg.server_version = optarg; break;
		case 'h': global_cfg.healing_ms = (int)main_number(
		    "--healing-interval", optarg, 0, 3600000); break;
		case 'r': remote = true; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'v': global_cfg.verbose = true; break;
		case 'H': main_usage(); break;
		default:
			log_fatal_usage("unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		log_fatal_usage("unexpected argument '%s'", argv[optind]);
	global_cfg.pre_v24 = main_pre_v24(global_cfg.server_version);
	if (!remote && global_cfg.database_url == NULL)
		log_fatal_usage("--database-url is required");
	if (global_cfg.port != 0 && global_cfg.port + (unsigned)
	    global_cfg.instances - 1 > 65535)
		log_fatal_usage("--port + --instances exceeds 65535");
	main_tls(cert, key, remote);
	return (remote);
}

static void
main_rlimit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Build the first cache of each instance; run by a few helper threads. */
static void *
main_build(void *arg)
{
	struct inval	 inv;
	int		 i;

	(void)arg;
	inval_init(&inv);
	inv.metadata = inv.all_remote = inv.all_sources = true;
	while ((i = atomic_fetch_add(&main_next_build, 1)) <
	    global_cfg.instances) {
		struct instance *in = &main_insts[i];
		in->cache = cache_build(main_md, NULL, &inv);
		in->version = main_ver;
	}
	inval_free(&inv);
	return (NULL);
}

static void
main_build_all(void)
{
	pthread_t	t[8];
	int		n = global_cfg.instances < 8 ? global_cfg.instances : 8;

	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, main_build, NULL) != 0)
			log_fatal_usage("cannot create threads");
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void
main_log_startup(struct instance *in)
{
	if (!global_cfg.verbose)
		return;
	for (int k = 0; k < 2 && global_cfg.poll_ms > 0; k++)
		log_line(in, "info", "startup", json_pack("{s:{s:s,s:s,s:s},s:s}",
		    "info", "instance_id", in->id, "message", k == 0 ?
		    "listener thread started" : "processor thread started",
		    "thread_id", "ThreadId 24", "kind", "schema-sync"));
}

static void
main_init_instances(void)
{
	struct dberr	e;
	char		msg[128];

	main_insts = xcalloc((size_t)global_cfg.instances, sizeof *main_insts);
	for (int i = 0; i < global_cfg.instances; i++) {
		struct instance *in = &main_insts[i];
		util_uuid4(in->id);
		pthread_mutex_init(&in->lock, NULL);
		pthread_mutex_init(&in->update, NULL);
		in->stat_counts = json_object();
		in->idx = i;
	}
	if (catalog_fetch_metadata(&main_md, &main_ver, &e) == -1)
		log_fatal_usage("cannot read hdb_catalog.hdb_metadata: %s", e.msg);
	main_build_all();
	json_decref(main_md);
	if (global_cfg.poll_ms > 0)
		snprintf(msg, sizeof msg, "Schema sync enabled. Polling at "
		    "Refined (Milliseconds {milliseconds = %gs})",
		    global_cfg.poll_ms / 1000.0);
	else
		snprintf(msg, sizeof msg, "Schema sync disabled");
	if (global_cfg.verbose)
		log_line(NULL, "info", "startup", json_pack("{s:s,s:s}", "info",
		    msg, "kind", "schema-sync"));
}

static void
main_listen(void)
{
	for (int i = 0; i < global_cfg.instances; i++) {
		unsigned port = global_cfg.port ? global_cfg.port +
		    (unsigned)i : 0;
		main_log_startup(&main_insts[i]);
		if (instance_start(&main_insts[i], i, port) == -1)
			log_fatal_usage("cannot listen on 127.0.0.1:%u%s", port,
			    global_cfg.tls_cert ? " with TLS (do --tls-cert "
			    "and --tls-key match?)" : "");
	}
	for (int i = 0; i < global_cfg.instances; i++)
		printf("ready %s://127.0.0.1:%u %s\n", global_cfg.tls_cert ?
		    "https" : "http", main_insts[i].port, main_insts[i].id);
	fflush(stdout);
}

/* End the process if cleanup hangs (HASURA_EMU_WATCHDOG_MS for valgrind). */
static void *
main_watchdog(void *arg)
{
	const char	*ms = getenv("HASURA_EMU_WATCHDOG_MS");

	(void)arg;
	util_sleep_ms(ms != NULL ? atoi(ms) : 700);
	_exit(0);
	return (NULL);
}

static void
main_shutdown(void)
{
	pthread_t	t;

	atomic_store(&global_quit, 1);
	if (pthread_create(&t, NULL, main_watchdog, NULL) == 0)
		pthread_detach(t);
	sync_stop();
	for (int i = 0; i < global_cfg.instances; i++)
		instance_stop(&main_insts[i]);
	for (int i = 0; i < global_cfg.instances; i++) {
		struct instance *in = &main_insts[i];
		cache_unref(in->cache);
		json_decref(in->stat_counts);
		json_decref(in->stat_last_reload);
		pthread_mutex_destroy(&in->lock);
		pthread_mutex_destroy(&in->update);
	}
	free(main_insts);
	free(global_cfg.tls_cert);
	free(global_cfg.tls_key);
	catalog_shutdown();
	source_shutdown();
	pool_shutdown();
	curl_global_cleanup();
}

int
main(int argc, char **argv)
{
	sigset_t	 set;
	struct dberr	 e;
	int		 sig;
	bool		 remote;

	remote = main_options(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (remote)
		return (remote_server_main(global_cfg.port));
	main_rlimit();
	/* Make the default source resolve to the same database (issue 1). */
	if (getenv("HASURA_GRAPHQL_DATABASE_URL") == NULL)
		setenv("HASURA_GRAPHQL_DATABASE_URL", global_cfg.database_url, 1);
	pool_init(EMU_POOL_MAX);
	if (catalog_init(&e) == -1) {
		e.msg[strcspn(e.msg, "\n")] = '\0';	/* one line */
		log_fatal_usage("cannot use the database: %s", e.msg);
	}
	main_init_instances();
	main_listen();
	sync_start(main_insts, global_cfg.instances);
	sigwait(&set, &sig);
	main_shutdown();
	return (0);
}
