/* The client-facing server: one libuv loop, a TCP listener, client
 * connections and message routing between them through per-account
 * subscription indexes. Signals: SIGTERM enters lame-duck mode, SIGINT
 * shuts down at once. Owns the monitoring server's data provider.
 *
 * Everything here runs on the loop thread. */
#ifndef BALLAST_NET_SERVER_H
#define BALLAST_NET_SERVER_H

#include "conf/opts.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct server;

/* Creates a server for the options (borrowed; they must outlive it) on
 * `loop`. Returns 0 or a BL_E* code with errmsg. */
int server_new(uv_loop_t *loop, const struct server_opts *opts,
               struct server **out, char *errmsg);

/* Binds the client listener and the monitoring port and installs signal
 * handlers. Returns 0 or a BL_E* code with errmsg. */
int server_start(struct server *s, char *errmsg);

/* Bound ports, once started. */
int server_port(const struct server *s);
int server_http_port(const struct server *s);

/* Closes every connection and handle now; the loop then runs dry. */
void server_shutdown(struct server *s);

/* Stops accepting, tells clients (INFO ldm), and closes them over the lame
 * duck duration, then shuts down. */
void server_lame_duck(struct server *s);

/* Frees the server after the loop has stopped. Safe on NULL. */
void server_free(struct server *s);

#endif
