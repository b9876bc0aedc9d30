/* The monitoring HTTP server: /varz, /connz, /subsz, /healthz, /metrics.
 *
 * libmicrohttpd accepts and parses requests on its own thread; every
 * request that needs server state is handed to the libuv loop thread, which
 * calls the stats_provider there (the provider never sees another thread)
 * and renders the reply. Knows nothing of clients or subscriptions beyond
 * the snapshots in stats.h. */
#ifndef BALLAST_HTTP_MONITOR_H
#define BALLAST_HTTP_MONITOR_H

#include "http/stats.h"

#include <uv.h>

struct monitor; /* opaque */

/* Starts serving on host:port (port -1, or 0, = a random free port; host
 * NULL or "" = every IPv4 interface) with libmicrohttpd's own thread. Call
 * on the loop thread. Requests are answered by calling the provider's
 * callbacks ON THE LIBUV LOOP THREAD: the HTTP thread posts the request
 * with uv_async_send and waits on a condition variable until the loop has
 * rendered the reply (at most 10 s while the loop has not picked it up,
 * then 503). The provider is copied; its ctx is borrowed until
 * monitor_stop(). Returns 0 and sets *out, or a BL_E* code with errmsg. */
int monitor_start(uv_loop_t *loop, const char *host, int port,
                  const struct stats_provider *p, struct monitor **out,
                  char *errmsg);

/* Returns the bound port. */
int monitor_port(const struct monitor *m);

/* Stops the HTTP server; call on the loop thread. Requests waiting on the
 * loop are answered 503 first, and replies being sent get up to a second
 * to finish; then the listener and connections are closed. The async
 * handle is closed and the struct freed in its close callback, so the loop
 * must run once more. Called from inside a provider callback, the stop
 * happens as soon as that request's reply is rendered. Safe on NULL. */
void monitor_stop(struct monitor *m);

#endif
