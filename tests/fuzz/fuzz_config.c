/*
 * fuzz_config.c: libFuzzer target for the settings parser
 * (src/core/config.c). The first byte picks what the rest of the input is:
 *   '0' the config file (written to a temporary file, read with -c FILE)
 *   '1' argv, NUL-separated          '2' "hasync reload" and argv
 *   '3' the environment, NUL-separated "NAME=value" strings
 * Inputs that name device or proc files are skipped: reading /dev/stdin or
 * a FIFO would block, and that is not a parser bug.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hasync/config.h"
#include "hasync/err.h"
#include "hasync/url.h"
#include "hasync/xmalloc.h"

#include "fuzz.h"

static char	 fuzz_path[4096];
static int	 fuzz_fd = -1;

static void
fuzz_cleanup(void)
{
	if (fuzz_fd != -1) {
		close(fuzz_fd);
		unlink(fuzz_path);
		fuzz_fd = -1;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*dir;

	(void)argc;
	(void)argv;
	if (access("/dev/shm", W_OK) == 0)
		dir = "/dev/shm";
	else if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/hasync-fuzz-config.XXXXXX",
	    dir);
	if ((fuzz_fd = mkstemp(fuzz_path)) == -1) {
		fprintf(stderr, "fuzz_config: mkstemp %s: %s\n", fuzz_path,
		    strerror(errno));
		exit(1);
	}
	atexit(fuzz_cleanup);
	return (0);
}

/* Does data[0..size) contain needle? */
static int
fuzz_has(const uint8_t *data, size_t size, const char *needle)
{
	return (memmem(data, size, needle, strlen(needle)) != NULL);
}

/* Split data[0..size) at NULs into a NULL-terminated vector of copies. */
static char **
fuzz_split(const uint8_t *data, size_t size, const char **pre, size_t npre,
    int *count)
{
	char		**v;
	size_t		 i, n = npre, start;

	for (i = 0; i < size; i++) {
		if (data[i] == '\0')
			n++;
	}
	if (size > 0)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < npre; i++)
		v[i] = xstrdup(pre[i]);
	n = npre;
	for (start = i = 0; i <= size && size > 0; i++) {
		if (i == size || data[i] == '\0') {
			v[n++] = xstrndup((const char *)data + start,
			    i - start);
			start = i + 1;
		}
	}
	*count = (int)n;
	return (v);
}

static void
fuzz_free_vec(char **v)
{
	size_t	i;

	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
fuzz_load(int argc, char **argv, char **envp)
{
	struct config	 c;
	struct err	 e;
	char		 buf[2048];
	size_t		 i;

	memset(&e, 0, sizeof(e));
	config_defaults(&c);
	if (config_load(&c, argc, argv, envp, &e) == -1) {
		FUZZ_ASSERT(e.kind == ERR_USAGE);
		FUZZ_ASSERT(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
		FUZZ_ASSERT(strchr(e.msg, '\n') == NULL);
		config_free(&c);
		return;
	}
	FUZZ_ASSERT(c.n_endpoints <= 10000);
	for (i = 0; i < c.n_endpoints; i++) {
		FUZZ_ASSERT(url_check_http(c.endpoints[i], "endpoint", buf,
		    sizeof(buf), NULL) == 0);
		FUZZ_ASSERT(strcmp(buf, c.endpoints[i]) == 0);
	}
	FUZZ_ASSERT(c.admin_secret == NULL || c.admin_secret[0] != '\0');
	FUZZ_ASSERT(c.database_url == NULL || url_check_pg(c.database_url,
	    NULL) == 0);
	FUZZ_ASSERT(c.n_warnings <= 4);
	/* hasync serve: a listen address that parses, a token of bearer
	 * characters only. */
	if (c.serve) {
		struct listen_addr	la;

		FUZZ_ASSERT(c.watch && c.mode == MODE_BATCH);
		FUZZ_ASSERT(c.listen != NULL &&
		    url_parse_listen(c.listen, &la, NULL) == 0);
	}
	FUZZ_ASSERT(c.metrics_token == NULL || (c.metrics_token[0] != '\0' &&
	    strchr(c.metrics_token, ' ') == NULL));
	(void)config_check(&c, false, NULL);
	(void)config_check(&c, true, &e);
	config_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*pre_file[] = { "hasync", "-c", NULL };
	static const char	*pre_argv[] = { "hasync" };
	static const char	*pre_reload[] = { "hasync", "reload" };
	char			*noenv[] = { NULL };
	char			**argv, **envp;
	int			 argc, envc;

	if (size == 0)
		return (0);
	if (fuzz_has(data, size, "dev/") || fuzz_has(data, size, "proc/") ||
	    fuzz_has(data, size, "sys/") || fuzz_has(data, size, "fd/"))
		return (0);
	switch (data[0] % 4) {
	case 0:
		if (ftruncate(fuzz_fd, 0) == -1 ||
		    pwrite(fuzz_fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
			abort();
		pre_file[2] = fuzz_path;
		argv = fuzz_split(NULL, 0, pre_file, 3, &argc);
		fuzz_load(argc, argv, noenv);
		fuzz_free_vec(argv);
		break;
	case 1:
	case 2:
		argv = fuzz_split(data + 1, size - 1, data[0] % 4 == 1 ?
		    pre_argv : pre_reload, data[0] % 4 == 1 ? 1 : 2, &argc);
		fuzz_load(argc, argv, noenv);
		fuzz_free_vec(argv);
		break;
	default:
		argv = fuzz_split(NULL, 0, pre_argv, 1, &argc);
		envp = fuzz_split(data + 1, size - 1, NULL, 0, &envc);
		fuzz_load(argc, argv, envp);
		fuzz_free_vec(envp);
		fuzz_free_vec(argv);
		break;
	}
	return (0);
}
