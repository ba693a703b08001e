/*
 * sigpipe.c: the self-pipe for SIGINT, SIGTERM and SIGHUP: the handler
 * only writes the signal's number, the waiting main thread polls the read
 * end beside the engine's wake fd. Shared by batch.c and serve/serve.c.
 * Handlers run on the main thread (the others block the signals).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "hasync/sigpipe.h"

static int	sigpipe_fds[2] = { -1, -1 };

static void
sigpipe_on_signal(int sig)
{
	int		saved = errno;
	unsigned char	b = (unsigned char)sig;

	(void)!write(sigpipe_fds[1], &b, 1);
	errno = saved;
}

int
sigpipe_install(sigset_t *set)
{
	struct sigaction	sa;

	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigpipe_fds[0] == -1 && pipe(sigpipe_fds) == -1)
		return (-1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigpipe_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return (pthread_sigmask(SIG_BLOCK, set, NULL));
}

int
sigpipe_fd(void)
{
	return (sigpipe_fds[0]);
}

int
sigpipe_read(void)
{
	unsigned char	b = 0;

	return (read(sigpipe_fds[0], &b, 1) == 1 ? b : SIGTERM);
}
