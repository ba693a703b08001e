/*
 * sigpipe.h: SIGINT, SIGTERM and SIGHUP turned into bytes on a pipe, for a
 * main thread that waits with poll() (batch, --watch, hasync serve).
 * Main thread.
 */
#ifndef HASYNC_SIGPIPE_H
#define HASYNC_SIGPIPE_H

#include <signal.h>

/* Catch the three signals into the pipe, ignore SIGPIPE, and block them
 * in the calling thread (threads started next inherit the mask; unblock
 * them here afterwards with pthread_sigmask(SIG_UNBLOCK, set)). 0 or -1
 * (errno set). */
int	sigpipe_install(sigset_t *set);

/* The pipe's read end: readable once a signal came. */
int	sigpipe_fd(void);

/* The signal that came (its byte from the pipe; SIGTERM if unreadable). */
int	sigpipe_read(void);

#endif
