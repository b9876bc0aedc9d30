/* Shared by the files of net/: the server and client structs and the
 * helpers that cross between server.c, client.c and route.c. */
#ifndef BALLAST_NET_INTERNAL_H
#define BALLAST_NET_INTERNAL_H

#include "auth/auth.h"
#include "conf/opts.h"
#include "http/monitor.h"
#include "http/stats.h"
#include "js/host.h"
#include "js/jetstream.h"
#include "net/server.h"
#include "proto/parser.h"
#include "subj/sublist.h"

#include "ballast/buf.h"
#include "ballast/clock.h"
#include "ballast/log.h"
#include "ballast/map.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define NET_READ_BUF_SIZE (64 * 1024)
/* Output above this is written at once instead of waiting for the end of
 * the loop iteration, which bounds memory for fast fan-out. */
#define NET_FLUSH_EARLY_BYTES (256 * 1024)
#define NET_MAX_CLOSED 1024
#define NET_SERVER_ID_LEN 56

struct client;

/* One subscription. Owned by its client (sids map); the account's sublist
 * holds a borrowed pointer. Freed through the server's graveyard so that a
 * match result in use during delivery never points at freed memory. */
struct sub {
    struct client *c; /* NULL for the server's internal subscriptions */
    size_t acc;       /* account whose index holds it */
    js_msg_cb cb;     /* internal subscriptions: called per message */
    void *cb_ctx;
    char *subject;
    size_t subject_len;
    char *queue; /* NULL when not in a queue group */
    size_t queue_len;
    char *sid;
    size_t sid_len;
    int64_t max_msgs; /* auto-unsubscribe after this many; 0 = never */
    uint64_t delivered;
    bool removed;     /* out of the sublist and the client's map */
    struct sub *next; /* graveyard link */
};

struct client {
    uv_tcp_t tcp; /* first member: handle->data is not needed */
    uv_timer_t timer; /* auth timeout, then ping interval */
    uv_timer_t stall_timer; /* bounds a publisher's stall */
    int open_handles;       /* freed when the last one has closed */
    struct server *srv;
    uint64_t cid;
    struct client *prev, *next; /* server's client list */
    struct client *flush_next;  /* server's pending-flush list */
    bool in_flush_list;

    struct parser parser;
    struct bl_buf out;      /* accumulating output */
    struct bl_buf inflight; /* being written by uv_write */
    uv_write_t write_req;
    bool writing;
    uint64_t write_start_ms; /* when the in-flight write began */

    /* From CONNECT. */
    bool connect_received;
    bool auth_in_flight; /* credentials are being checked off the loop */
    bool free_after_auth; /* closed meanwhile: free when the check ends */
    struct bl_buf held;  /* input received while auth_in_flight */
    bool verbose;
    bool pedantic;
    bool echo;
    bool headers;
    bool no_responders;
    char *name;
    char *lang;
    char *version;

    const struct auth_user *user;
    size_t acc; /* account index */
    struct bl_map sids; /* sid -> struct sub */
    struct bl_map responses; /* reply subjects it may publish to */

    /* Producer flow control, as nats-server does it: a publisher whose
     * messages push a subscriber's pending output past 3/4 of max_pending
     * stops being read until that subscriber drains or a short while
     * passes, instead of the subscriber being cut off at once. */
    struct client *stall_on;      /* subscriber we wait for, if stalled */
    struct client *stall_waiters; /* publishers stalled on us */
    struct client *stall_next;    /* link in stall_on's waiters */
    bool stalled;

    int pings_out;
    uint64_t ping_sent_ms;
    uint64_t rtt_ns;
    bool closing;
    char close_reason[64];

    char ip[64];
    int port;
    uint64_t start_wall_ns;
    uint64_t last_activity_wall_ns;
    uint64_t in_msgs, out_msgs, in_bytes, out_bytes;
};

struct deferred {
    js_timer_cb cb; /* NULL once cancelled */
    void *ctx;
};

/* A message JetStream published, routed from the check phase so that no
 * engine code runs inside another engine callback's delivery loop. */
struct queued_msg {
    struct queued_msg *next;
    size_t acc;
    size_t route_len, shown_len, reply_len, hdr_len, data_len;
    char bytes[]; /* route, shown, reply, data */
};

struct closed_conn {
    struct stats_conn st;
};

struct server {
    uv_loop_t *loop;
    const struct server_opts *opts;
    struct auth *auth;
    struct sublist **sublists; /* one per account, index as in auth */
    size_t n_accounts;
    struct proto_limits limits;

    uv_tcp_t listener;
    bool listening;
    uv_signal_t sig_int, sig_term;
    uv_check_t flush_check;
    uv_timer_t ldm_timer;
    struct monitor *monitor;
    int port;
    int http_port;

    char server_id[NET_SERVER_ID_LEN + 1];
    char *info_prefix; /* INFO JSON without its closing brace */

    struct client *clients; /* doubly-linked list */
    uint64_t n_clients;
    uint64_t next_cid;
    struct client *flush_list;
    struct sub *graveyard;
    struct deferred *deferred; /* js_host defer queue */
    size_t n_deferred, cap_deferred;
    struct deferred *running; /* the batch being run, cancellable */
    size_t n_running, run_pos;
    struct queued_msg *sendq, *sendq_tail;
    uv_idle_t flush_idle; /* makes the loop reach the check phase at once */
    bool idle_active;
    struct js_host js_host; /* this server as seen by the JetStream engine */
    struct jetstream *js;   /* NULL unless JetStream is enabled */
    int delivering; /* nesting depth of message routing */

    bool lame_duck;
    bool shutting_down;
    uint64_t ldm_close_interval_ms;

    struct closed_conn closed[NET_MAX_CLOSED];
    size_t closed_next;
    size_t n_closed;

    uint64_t start_wall_ns;
    uint64_t total_connections;
    uint64_t slow_consumers;
    uint64_t in_msgs, out_msgs, in_bytes, out_bytes;

    char read_buf[NET_READ_BUF_SIZE]; /* shared: reads are handled whole */
};

/* client.c */
void client_accept(struct server *s);
/* Closes the connection with a reason for /connz; `err` (may be NULL) is
 * sent first as "-ERR <err>". */
void client_close(struct client *c, const char *err, const char *reason);
void client_send(struct client *c, const char *p, size_t n);
void client_send_err(struct client *c, const char *text);
/* Queues the client for writing at the end of the loop iteration. */
void client_want_flush(struct client *c);
void client_flush(struct client *c);
void client_fill_stats(const struct client *c, struct stats_conn *st,
                       bool with_subs);
void client_send_info(struct client *c);

/* Stops reading from `pub` until `sub` drains (see struct client). */
void client_stall(struct client *pub, struct client *sub);

/* route.c */
/* Delivers a message published by `from` (NULL for the server itself) in
 * account `acc`. */
void route_publish(struct server *s, struct client *from, size_t acc,
                   struct bl_slice subject, struct bl_slice reply,
                   size_t hdr_len, struct bl_slice data);
/* The same, matched on `route` while subscribers see `shown` as the
 * message's subject (JetStream deliveries). */
void route_publish_as(struct server *s, struct client *from, size_t acc,
                      struct bl_slice route, struct bl_slice shown,
                      struct bl_slice reply, size_t hdr_len,
                      struct bl_slice data);
/* Takes a subscription out of the index and the client's map; its memory
 * goes to the graveyard, freed by server_collect(). */
void route_remove_sub(struct server *s, struct sub *sub);
/* Frees graveyard subscriptions; a no-op while routing is in progress. */
void server_collect(struct server *s);

/* jshost.c */
/* Fills s->js_host. */
void jshost_init(struct server *s);
/* Runs the deferred callbacks and routes queued JetStream messages until
 * both queues are empty (at most `max_rounds` rounds); returns true if
 * work is left. */
bool jshost_run(struct server *s, int max_rounds);
/* Drops whatever is still queued (shutdown). */
void jshost_clear(struct server *s);

/* server.c */
void server_client_gone(struct server *s, struct client *c);
/* Makes the current loop iteration reach the flush (check) phase without
 * waiting in poll: output queued from a timer goes out at once. */
void server_wake(struct server *s);
uint64_t server_now_ms(const struct server *s);

#endif
