/* Query strings of monitoring requests: a copy of the request's arguments
 * that can cross from the HTTP thread to the event loop, and the parser of
 * /connz's arguments. Pure; knows nothing of HTTP. */
#ifndef BALLAST_HTTP_QUERY_H
#define BALLAST_HTTP_QUERY_H

#include "http/stats.h"

#include <stddef.h>

#define QUERY_MAX_ARGS 16

struct query_arg {
    char *key;
    char *value; /* "" for "?subs" without "=" */
};

struct query {
    size_t n_args;
    struct query_arg args[QUERY_MAX_ARGS];
};

void query_init(struct query *q);
void query_close(struct query *q);

/* Copies one argument; `value` may be NULL. Arguments beyond
 * QUERY_MAX_ARGS are dropped (no endpoint takes that many). */
void query_add(struct query *q, const char *key, const char *value);

/* Returns the value of the first argument named `key`, borrowed from q, or
 * NULL when there is none. */
const char *query_get(const struct query *q, const char *key);

/* Fills *out from offset, limit, subs (true/1/detail...), state (open or
 * closed) and sort (cid, start, subs, pending, msgs_to, msgs_from,
 * bytes_to, bytes_from, last, idle, uptime, rtt, stop, reason) with
 * nats-server's defaults for what is absent. Returns 0, or BL_EINVAL with
 * errmsg for a malformed or unsupported value. */
int query_connz(const struct query *q, struct stats_connz_query *out,
                char *errmsg);

/* Fills *out from /jsz's streams, consumers (details of streams; we have
 * no consumer detail), config, accounts and acc, like nats-server: streams
 * and acc=NAME imply accounts. leader-only (always true here: a single
 * server leads everything), offset and limit are checked but do not
 * change the page. Returns 0, or BL_EINVAL with errmsg for a malformed
 * value or an account name too long to be one. */
int query_jsz(const struct query *q, struct stats_jsz_query *out, char *errmsg);

#endif
