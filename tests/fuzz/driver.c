/*
 * driver.c: a main() for the fuzz targets without libFuzzer, so that the
 * seed corpus and every input that once crashed run in make check with
 * whatever compiler configure chose (and under ASan/UBSan or valgrind).
 *
 * usage: replay_TARGET FILE|DIR...  (a directory means each file in it)
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int	driver_files;

/* Read all of path into a buffer of exactly its size, and run it. */
static int
driver_run_file(const char *path)
{
	FILE		*fp;
	uint8_t		*buf = NULL, *nbuf;
	size_t		 len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(fp);
		free(buf);
		return (-1);
	}
	fclose(fp);
	/* An exact-size copy, so that reading past the end is caught. */
	nbuf = malloc(len > 0 ? len : 1);
	if (nbuf == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	if (len > 0)
		memcpy(nbuf, buf, len);
	free(buf);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(nbuf, len);
	free(nbuf);
	driver_files++;
	return (0);
}

static int
driver_cmp(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

/* Run every regular file in dir, in name order (hidden files skipped). */
static int
driver_run_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nnames, *path;
	size_t		 n = 0, i;
	int		 rc = 0;
	struct stat	 sb;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nnames = realloc(names, (n + 1) * sizeof(*names))) ==
		    NULL || (nnames[n] = strdup(de->d_name)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		names = nnames;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), driver_cmp);
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) == -1) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    driver_run_file(path) == -1)
			rc = -1;
		free(path);
		free(names[i]);
	}
	free(names);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct stat	 sb;
	int		 i, rc = 0;

	/* Optional, as in libFuzzer: only targets that need it define it. */
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (driver_run_dir(argv[i]) == -1)
				rc = 1;
		} else if (driver_run_file(argv[i]) == -1)
			rc = 1;
	}
	printf("replayed %d inputs\n", driver_files);
	return (rc);
}
