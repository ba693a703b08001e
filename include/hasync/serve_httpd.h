/*
 * serve_httpd.h: hasync serve's HTTP server (libmicrohttpd, on its own
 * thread). GET requests are answered on that thread from the newest
 * snapshot; POST /reload_metadata requests are parked (suspended) until the
 * main thread, which runs the reload through engine_command(), answers
 * them all at once. Start and stop from the main thread.
 */
#ifndef HASYNC_SERVE_HTTPD_H
#define HASYNC_SERVE_HTTPD_H

#include <stddef.h>

struct config;
struct err;
struct httpd;

/*
 * Bind c->listen and start serving. Returns the server, or NULL with e set
 * to one line ("cannot listen on 127.0.0.1:8719: Address already in use").
 * Block the signals the main thread handles before calling: the server
 * thread inherits the mask.
 */
struct httpd	*httpd_start(const struct config *, struct err *);

/* The address actually bound, "127.0.0.1:41234" (port 0 resolved). */
const char	*httpd_address(const struct httpd *);

/* Readable when reload requests arrived; then call httpd_reload_join(). */
int		 httpd_wake_fd(const struct httpd *);

/*
 * Main thread: move the reload requests that arrived into the batch being
 * served (the reload under way, or the one about to start). Returns how
 * many joined; *batch gets the size of the batch.
 */
size_t		 httpd_reload_join(struct httpd *, size_t *);

/* Main thread: answer every request of the batch with status and body
 * (copied; content type JSON), and empty it. all: the requests that have
 * not joined yet too (shutting down). */
void		 httpd_reload_answer(struct httpd *, int, const char *, size_t,
		    int);

/* Answer what is left with 503, stop the thread, close the socket. NULL
 * is fine. */
void		 httpd_stop(struct httpd *);

#endif
