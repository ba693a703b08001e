/*
 * main.c: hasync's entry point. Parses the settings, chooses the console,
 * batch mode or serve, and turns the outcome into the exit code. The only
 * place, with fatal(), that calls exit() (or _exit(), after a batch run).
 * Main thread.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hasync/batch.h"
#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/exitcode.h"
#include "hasync/jsonl.h"
#include "hasync/serve.h"
#include "hasync/ui.h"

extern char **environ;

int
main(int argc, char **argv)
{
	struct config	c;
	struct err	e = { 0 };
	size_t		i;
	int		rc;

	config_defaults(&c);
	if (config_load(&c, argc, argv, environ, &e) == -1 ||
	    config_check(&c, isatty(STDOUT_FILENO), &e) == -1) {
		jsonl_stderr(config_json_output(&c), "error", "%s", e.msg);
		config_free(&c);
		return (EXIT_USAGE);
	}
	if (c.help) {
		config_usage(stdout, &c);
		config_free(&c);
		return (EXIT_OK);
	}
	if (c.version) {
		printf("hasync %s\n", PACKAGE_VERSION);
		config_free(&c);
		return (EXIT_OK);
	}
	for (i = 0; i < c.n_warnings; i++)
		jsonl_stderr(config_json_output(&c), "warn", "%s",
		    c.warnings[i]);

	/* libcurl's global state must be set up before any thread starts. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		jsonl_stderr(config_json_output(&c), "error",
		    "cannot initialise libcurl");
		config_free(&c);
		return (EXIT_USAGE);
	}
	if (c.serve)
		rc = serve_run(&c);
	else if (c.mode == MODE_BATCH) {
		rc = batch_run(&c);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
		/* Every line is written and the Sentry event delivered
		 * (batch_run stopped the engine): leave without tearing
		 * libraries down, whose exit handlers (OpenSSL's, curl's
		 * cleanup) cost a millisecond of a 28 ms reload. Sanitized
		 * builds exit(): their leak and thread checks run there. */
		fflush(NULL);
		_exit(rc);
#endif
	} else
		rc = ui_run(&c);
	curl_global_cleanup();
	config_free(&c);
	return (rc);
}
