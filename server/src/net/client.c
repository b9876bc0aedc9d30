/* One client connection: reading and parsing, CONNECT and auth, SUB/UNSUB,
 * coalesced writes, pings, and closing. Message routing lives in route.c. */
#include "net/internal.h"

#include "proto/encode.h"
#include "subj/subject.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void on_close(uv_handle_t *h);
static void client_free(struct client *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);
static void feed(struct client *c, const char *p, size_t n);
static void on_timer(uv_timer_t *t);
static void on_write(uv_write_t *req, int status);

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = (struct client *)h;
    /* Every read is parsed whole before the next alloc, and the parser
     * copies what it keeps, so one buffer serves every connection. */
    *buf = uv_buf_init(c->srv->read_buf, sizeof(c->srv->read_buf));
}

static bool auth_needed(const struct client *c)
{
    return auth_required(c->srv->auth);
}

void client_want_flush(struct client *c)
{
    if (c->in_flush_list || c->closing)
        return;
    c->in_flush_list = true;
    c->flush_next = c->srv->flush_list;
    c->srv->flush_list = c;
    server_wake(c->srv);
}

void client_send(struct client *c, const char *p, size_t n)
{
    if (c->closing)
        return;
    bl_buf_append(&c->out, p, n);
    client_want_flush(c);
}

void client_send_err(struct client *c, const char *text)
{
    if (c->closing)
        return;
    encode_err(&c->out, text);
    client_want_flush(c);
}

void client_flush(struct client *c)
{
    if (c->writing || c->out.len == 0 || c->closing)
        return;
    uv_buf_t b = uv_buf_init(c->out.p, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == (int)c->out.len) {
        bl_buf_clear(&c->out);
        return;
    }
    if (n < 0 && n != UV_EAGAIN) {
        client_close(c, NULL, "Write Error");
        return;
    }
    size_t off = n > 0 ? (size_t)n : 0;
    /* Hand the rest to libuv; new output accumulates in `out`. */
    struct bl_buf tmp = c->inflight;
    c->inflight = c->out;
    c->out = tmp;
    bl_buf_clear(&c->out);
    c->writing = true;
    c->write_start_ms = server_now_ms(c->srv);
    b = uv_buf_init(c->inflight.p + off, (unsigned)(c->inflight.len - off));
    int rv = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (rv != 0) {
        c->writing = false;
        client_close(c, NULL, "Write Error");
    }
}

#define STALL_MAX_MS 250

static void resume_reading(struct client *c)
{
    if (!c->closing && !c->auth_in_flight)
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* Takes `pub` off its subscriber's waiter list and reads from it again. */
static void unstall(struct client *pub)
{
    struct client *sub = pub->stall_on;
    if (sub != NULL) {
        struct client **pp = &sub->stall_waiters;
        while (*pp != NULL && *pp != pub)
            pp = &(*pp)->stall_next;
        if (*pp == pub)
            *pp = pub->stall_next;
    }
    pub->stall_on = NULL;
    pub->stall_next = NULL;
    if (pub->stalled) {
        pub->stalled = false;
        uv_timer_stop(&pub->stall_timer);
        resume_reading(pub);
    }
}

static void wake_stalled(struct client *sub)
{
    while (sub->stall_waiters != NULL)
        unstall(sub->stall_waiters);
}

static void on_stall_timer(uv_timer_t *t)
{
    unstall(container_of(t, struct client, stall_timer));
}

void client_stall(struct client *pub, struct client *sub)
{
    if (pub->stall_on != NULL || pub == sub || pub->closing)
        return;
    /* Reading stops once the current read has been parsed (see feed()). */
    pub->stall_on = sub;
    pub->stall_next = sub->stall_waiters;
    sub->stall_waiters = pub;
}

static void on_write(uv_write_t *req, int status)
{
    struct client *c = container_of(req, struct client, write_req);
    c->writing = false;
    bl_buf_clear(&c->inflight);
    if (c->closing)
        return;
    if (status < 0) {
        client_close(c, NULL, "Write Error");
        return;
    }
    client_flush(c);
    if (c->stall_waiters != NULL &&
        (int64_t)(c->out.len + c->inflight.len) <
            c->srv->opts->max_pending / 4)
        wake_stalled(c);
}

void client_send_info(struct client *c)
{
    struct server *s = c->srv;
    struct bl_buf *o = &c->out;
    bl_buf_append_str(o, "INFO ");
    bl_buf_append_str(o, s->info_prefix);
    bl_buf_printf(o, ",\"client_id\":%llu,\"client_ip\":\"%s\"",
                  (unsigned long long)c->cid, c->ip);
    if (s->lame_duck)
        bl_buf_append_str(o, ",\"ldm\":true");
    bl_buf_append_str(o, "}\r\n");
    client_want_flush(c);
}

static void record_closed(struct client *c)
{
    struct server *s = c->srv;
    struct closed_conn *cc = &s->closed[s->closed_next];
    for (size_t i = 0; cc->st.subs && i < cc->st.n_subs; i++)
        bl_free(cc->st.subs[i]);
    bl_free(cc->st.subs);
    client_fill_stats(c, &cc->st, true);
    cc->st.stop_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    snprintf(cc->st.reason, sizeof(cc->st.reason), "%s", c->close_reason);
    s->closed_next = (s->closed_next + 1) % NET_MAX_CLOSED;
    if (s->n_closed < NET_MAX_CLOSED)
        s->n_closed++;
}

void client_close(struct client *c, const char *err, const char *reason)
{
    if (c->closing)
        return;
    struct server *s = c->srv;
    snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason);
    if (err != NULL) {
        encode_err(&c->out, err);
        bl_log_debug("net: client %llu error: %s", (unsigned long long)c->cid,
                     err);
    }
    /* Best effort: whatever is queued (say, the -ERR) goes out now if the
     * socket takes it; the connection is closing either way. */
    if (!c->writing && c->out.len > 0) {
        uv_buf_t b = uv_buf_init(c->out.p, (unsigned)c->out.len);
        (void)uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    }
    record_closed(c);
    c->closing = true;
    bl_log_debug("net: client %llu closed reason=%s",
                 (unsigned long long)c->cid, reason);

    size_t it = 0;
    void *v;
    while (bl_map_next(&c->sids, &it, NULL, &v)) {
        struct sub *sub = v;
        sublist_remove(s->sublists[c->acc],
                       (struct bl_slice){sub->subject, sub->subject_len},
                       (struct bl_slice){sub->queue, sub->queue_len}, sub);
        sub->removed = true;
        sub->next = s->graveyard;
        s->graveyard = sub;
    }
    bl_map_close(&c->sids);

    wake_stalled(c);
    unstall(c);
    server_client_gone(s, c);
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_close);
    uv_close((uv_handle_t *)&c->stall_timer, on_close);
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void on_close(uv_handle_t *h)
{
    struct client *c = h->data;
    /* Three handles share the client; the last close frees it. */
    if (--c->open_handles > 0)
        return;
    if (c->auth_in_flight) {
        /* The thread pool still holds a pointer to us. */
        c->free_after_auth = true;
        return;
    }
    client_free(c);
}

static void client_free(struct client *c)
{
    parser_close(&c->parser);
    bl_buf_close(&c->held);
    bl_buf_close(&c->out);
    bl_buf_close(&c->inflight);
    bl_map_close(&c->responses);
    bl_free(c->name);
    bl_free(c->lang);
    bl_free(c->version);
    bl_free(c);
}

static void send_ok(struct client *c)
{
    if (c->verbose)
        client_send(c, "+OK\r\n", 5);
}

static char *json_str_dup(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? bl_xstrdup(v) : NULL;
}

static bool json_flag(json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static void start_ping_timer(struct client *c)
{
    uint64_t ms = (uint64_t)c->srv->opts->ping_interval_ms;
    if (ms == 0)
        ms = 1;
    uv_timer_start(&c->timer, on_timer, ms, ms);
}

/* Returned by the op callback to pause parsing while CONNECT's credentials
 * are checked on the thread pool: bcrypt takes ~100 ms, far too long for
 * the event loop. */
#define CLIENT_PAUSED 2

struct auth_work {
    uv_work_t req;
    struct client *c;
    char *user, *pass, *token;
    const struct auth_user *result;
    int rv;
};

static void auth_work_free(struct auth_work *w)
{
    bl_free(w->user);
    bl_free(w->pass);
    bl_free(w->token);
    bl_free(w);
}

static void accept_user(struct client *c, const struct auth_user *u)
{
    if (c->no_responders && !c->headers) {
        client_close(c, "'no responders requires headers support'",
                     "Protocol Violation");
        return;
    }
    if (!c->connect_received) {
        c->user = u;
        c->acc = auth_user_account_index(u);
        c->connect_received = true;
        start_ping_timer(c);
    }
    send_ok(c);
}

static void auth_failed(struct client *c)
{
    bl_log_info("net: client %llu (%s:%d) authentication failed",
                (unsigned long long)c->cid, c->ip, c->port);
    client_close(c, "'Authorization Violation'", "Authentication Failure");
}

static void on_auth_work(uv_work_t *req)
{
    /* Thread pool: auth_check() only reads the configuration. */
    struct auth_work *w = container_of(req, struct auth_work, req);
    struct auth_creds creds = {w->user, w->pass, w->token};
    w->rv = auth_check(w->c->srv->auth, &creds, &w->result);
}

static void on_auth_done(uv_work_t *req, int status)
{
    struct auth_work *w = container_of(req, struct auth_work, req);
    struct client *c = w->c;
    int rv = status == 0 ? w->rv : BL_EAUTH;
    const struct auth_user *u = w->result;
    auth_work_free(w);
    c->auth_in_flight = false;
    if (c->free_after_auth) {
        client_free(c);
        return;
    }
    if (c->closing)
        return;
    if (rv != 0)
        auth_failed(c);
    else
        accept_user(c, u);
    if (c->closing)
        return;
    /* Resume with whatever arrived while the check ran. */
    struct bl_buf held = c->held;
    bl_buf_init(&c->held);
    if (held.len > 0)
        feed(c, held.p, held.len);
    bl_buf_close(&held);
    if (!c->stalled)
        resume_reading(c);
    server_collect(c->srv);
}

static int process_connect(struct client *c, const struct op *op)
{
    json_error_t jerr;
    json_t *j = json_loadb(op->args.p, op->args.len, 0, &jerr);
    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        client_close(c, "'Invalid Connect Info'", "Protocol Violation");
        return 1;
    }
    /* nats-server reads CONNECT over defaults of verbose and pedantic on;
     * every client sends both, but a bare "CONNECT {}" gets +OK there. */
    c->verbose = json_flag(j, "verbose", true);
    c->pedantic = json_flag(j, "pedantic", true);
    c->echo = json_flag(j, "echo", true);
    c->headers = json_flag(j, "headers", false);
    c->no_responders = json_flag(j, "no_responders", false);
    bl_free(c->name);
    bl_free(c->lang);
    bl_free(c->version);
    c->name = json_str_dup(j, "name");
    c->lang = json_str_dup(j, "lang");
    c->version = json_str_dup(j, "version");
    if (!auth_needed(c)) {
        /* Nothing to verify: the anonymous user. */
        json_decref(j);
        const struct auth_user *u = c->user;
        if (u == NULL) {
            struct auth_creds none = {NULL, NULL, NULL};
            if (auth_check(c->srv->auth, &none, &u) != 0) {
                auth_failed(c);
                return 1;
            }
        }
        accept_user(c, u);
        return c->closing ? 1 : 0;
    }
    struct auth_work *w = bl_xcalloc(1, sizeof(*w));
    w->c = c;
    w->user = json_str_dup(j, "user");
    w->pass = json_str_dup(j, "pass");
    w->token = json_str_dup(j, "auth_token");
    json_decref(j);
    if (uv_queue_work(c->srv->loop, &w->req, on_auth_work, on_auth_done) !=
        0) {
        auth_work_free(w);
        client_close(c, "'Authorization Violation'", "Internal Error");
        return 1;
    }
    c->auth_in_flight = true;
    /* The auth timeout no longer applies; a repeated CONNECT (checked
     * again, as nats-server does) keeps its ping timer. */
    if (!c->connect_received)
        uv_timer_stop(&c->timer);
    return CLIENT_PAUSED;
}

static bool may_publish(struct client *c, struct bl_slice subject)
{
    if (auth_can_publish(c->user, subject))
        return true;
    /* allow_responses: a reply subject this client was handed may be
     * published to once. */
    if (bl_map_count(&c->responses) > 0 &&
        bl_map_del(&c->responses, subject) != NULL)
        return true;
    return false;
}

static int process_pub(struct client *c, const struct op *op)
{
    if (op->kind == OP_HPUB && !c->headers) {
        client_close(c, "'Unknown Protocol Operation'", "Protocol Violation");
        return 1;
    }
    if (c->pedantic && !subject_valid_publish(op->subject)) {
        client_send_err(c, "'Invalid Publish Subject'");
        return 0;
    }
    if (!may_publish(c, op->subject)) {
        char msg[600];
        snprintf(msg, sizeof(msg),
                 "'Permissions Violation for Publish to \"%.*s\"'",
                 (int)(op->subject.len > 500 ? 500 : op->subject.len),
                 op->subject.p);
        client_send_err(c, msg);
        return 0;
    }
    struct server *s = c->srv;
    c->in_msgs++;
    c->in_bytes += op->data.len;
    s->in_msgs++;
    s->in_bytes += op->data.len;
    /* +OK first, as nats-server: the publisher may be its own subscriber. */
    send_ok(c);
    route_publish(s, c, c->acc, op->subject, op->reply, op->hdr_len,
                  op->data);
    return c->closing ? 1 : 0;
}

static int process_sub(struct client *c, const struct op *op)
{
    struct server *s = c->srv;
    if (!subject_valid_subscribe(op->subject)) {
        client_send_err(c, "'Invalid Subject'");
        return 0;
    }
    if (op->queue.len > 0 && !queue_name_valid(op->queue)) {
        client_send_err(c, "'Invalid Queue Name'");
        return 0;
    }
    if (!auth_can_subscribe(c->user, op->subject, op->queue)) {
        char msg[600];
        int sl = (int)(op->subject.len > 500 ? 500 : op->subject.len);
        if (op->queue.len > 0)
            snprintf(msg, sizeof(msg),
                     "'Permissions Violation for Subscription to \"%.*s\" "
                     "using queue \"%.*s\"'",
                     sl, op->subject.p,
                     (int)(op->queue.len > 50 ? 50 : op->queue.len),
                     op->queue.p);
        else
            snprintf(msg, sizeof(msg),
                     "'Permissions Violation for Subscription to \"%.*s\"'",
                     sl, op->subject.p);
        client_send_err(c, msg);
        return 0;
    }
    int max_subs = s->opts->max_subscriptions;
    if (max_subs > 0 && bl_map_count(&c->sids) >= (size_t)max_subs) {
        client_send_err(c, "'maximum subscriptions exceeded'");
        return 0;
    }
    if (bl_map_get(&c->sids, op->sid) != NULL) {
        /* nats-server keeps the first subscription for a reused sid. */
        send_ok(c);
        return 0;
    }
    struct sub *sub = bl_xcalloc(1, sizeof(*sub));
    sub->c = c;
    sub->acc = c->acc;
    sub->subject = bl_xstrndup(op->subject.p, op->subject.len);
    sub->subject_len = op->subject.len;
    if (op->queue.len > 0) {
        sub->queue = bl_xstrndup(op->queue.p, op->queue.len);
        sub->queue_len = op->queue.len;
    }
    sub->sid = bl_xstrndup(op->sid.p, op->sid.len);
    sub->sid_len = op->sid.len;
    int rv = sublist_insert(s->sublists[c->acc], op->subject, op->queue, sub);
    if (rv != 0) {
        bl_free(sub->subject);
        bl_free(sub->queue);
        bl_free(sub->sid);
        bl_free(sub);
        client_send_err(c, "'Invalid Subject'");
        return 0;
    }
    bl_map_put(&c->sids, op->sid, sub);
    send_ok(c);
    return 0;
}

static int process_unsub(struct client *c, const struct op *op)
{
    struct sub *sub = bl_map_get(&c->sids, op->sid);
    if (sub != NULL) {
        if (op->max_msgs > 0 && sub->delivered < (uint64_t)op->max_msgs)
            sub->max_msgs = op->max_msgs;
        else
            route_remove_sub(c->srv, sub);
    }
    send_ok(c);
    return 0;
}

static int on_op(void *ctx, const struct op *op)
{
    struct client *c = ctx;
    if (!c->connect_received && op->kind != OP_CONNECT && auth_needed(c)) {
        client_close(c, "'Authorization Violation'", "Authentication Failure");
        return 1;
    }
    switch (op->kind) {
    case OP_CONNECT:
        return process_connect(c, op);
    case OP_PUB:
    case OP_HPUB:
        return process_pub(c, op);
    case OP_SUB:
        return process_sub(c, op);
    case OP_UNSUB:
        return process_unsub(c, op);
    case OP_PING:
        client_send(c, "PONG\r\n", 6);
        return 0;
    case OP_PONG:
        if (c->pings_out > 0 && c->ping_sent_ms > 0)
            c->rtt_ns =
                (server_now_ms(c->srv) - c->ping_sent_ms) * 1000000ull;
        c->pings_out = 0;
        return 0;
    case OP_INFO:
    case OP_OK:
        return 0;
    case OP_ERR:
        /* A client reporting an error is done, as nats-server sees it. */
        bl_log_debug("net: client %llu sent -ERR %.*s",
                     (unsigned long long)c->cid, (int)op->args.len,
                     op->args.p);
        client_close(c, NULL, "Client Error");
        return 1;
    }
    return 0;
}

/* Parses input; on a pause keeps the unparsed rest for later. */
static void feed(struct client *c, const char *p, size_t n)
{
    int rv = parser_feed(&c->parser, p, n, on_op, c);
    if (rv == CLIENT_PAUSED) {
        size_t used = c->parser.consumed;
        bl_buf_append(&c->held, p + used, n - used);
        uv_read_stop((uv_stream_t *)&c->tcp);
    } else if (rv < 0) {
        client_close(c, parser_error_text(c->parser.error), "Parse Error");
    }
    if (c->stall_on != NULL && !c->stalled && !c->closing) {
        c->stalled = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
        uv_timer_start(&c->stall_timer, on_stall_timer, STALL_MAX_MS, 0);
    }
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = (struct client *)st;
    struct server *s = c->srv;
    if (nread < 0) {
        client_close(c, NULL, nread == UV_EOF ? "Client Closed" : "Read Error");
        return;
    }
    if (nread == 0)
        return;
    c->last_activity_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    if (c->auth_in_flight) {
        /* A read that was already under way when we paused. */
        bl_buf_append(&c->held, buf->base, (size_t)nread);
        return;
    }
    feed(c, buf->base, (size_t)nread);
    server_collect(s);
}

static void on_timer(uv_timer_t *t)
{
    struct client *c = container_of(t, struct client, timer);
    struct server *s = c->srv;
    if (!c->connect_received && auth_needed(c)) {
        client_close(c, "'Authentication Timeout'", "Authentication Timeout");
        return;
    }
    if (!c->connect_received) {
        /* No auth: the auth timer never ran, this is the first ping. */
    }
    if (c->pings_out + 1 > s->opts->max_pings_out) {
        client_close(c, "'Stale Connection'", "Stale Connection");
        return;
    }
    c->pings_out++;
    c->ping_sent_ms = server_now_ms(s);
    client_send(c, "PING\r\n", 6);
}

void client_accept(struct server *s)
{
    struct client *c = bl_xcalloc(1, sizeof(*c));
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    uv_timer_init(s->loop, &c->stall_timer);
    c->stall_timer.data = c;
    c->open_handles = 3;
    if (uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&c->tcp) != 0) {
        c->closing = true;
        uv_close((uv_handle_t *)&c->timer, on_close);
        uv_close((uv_handle_t *)&c->stall_timer, on_close);
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    c->cid = ++s->next_cid;
    /* nats-server's defaults until CONNECT says otherwise. */
    c->echo = true;
    c->verbose = true;
    c->pedantic = true;
    c->start_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    c->last_activity_wall_ns = c->start_wall_ns;
    parser_init(&c->parser, &s->limits);
    bl_map_init(&c->sids);
    bl_map_init(&c->responses);
    uv_tcp_nodelay(&c->tcp, 1);

    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
            uv_ip6_name(a6, c->ip, sizeof(c->ip));
            c->port = ntohs(a6->sin6_port);
        } else {
            struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
            uv_ip4_name(a4, c->ip, sizeof(c->ip));
            c->port = ntohs(a4->sin_port);
        }
    }

    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->n_clients++;
    s->total_connections++;

    client_send_info(c);
    if (s->n_clients > (uint64_t)s->opts->max_connections) {
        bl_log_warn("net: maximum connections (%d) exceeded, refusing %s:%d",
                    s->opts->max_connections, c->ip, c->port);
        client_close(c, "'maximum connections exceeded'",
                     "Maximum Connections Exceeded");
        return;
    }
    bl_log_debug("net: client %llu connected from %s:%d",
                 (unsigned long long)c->cid, c->ip, c->port);
    if (auth_needed(c)) {
        uv_timer_start(&c->timer, on_timer,
                       (uint64_t)s->opts->auth_timeout_ms, 0);
    } else {
        /* Without auth a client may send PUB or SUB before CONNECT (as
         * nats-server allows): it is the anonymous user from the start. */
        struct auth_creds none = {NULL, NULL, NULL};
        if (auth_check(s->auth, &none, &c->user) == 0)
            c->acc = auth_user_account_index(c->user);
        start_ping_timer(c);
    }
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

void client_fill_stats(const struct client *c, struct stats_conn *st,
                       bool with_subs)
{
    memset(st, 0, sizeof(*st));
    st->cid = c->cid;
    snprintf(st->ip, sizeof(st->ip), "%s", c->ip);
    st->port = c->port;
    snprintf(st->name, sizeof(st->name), "%s", c->name ? c->name : "");
    snprintf(st->lang, sizeof(st->lang), "%s", c->lang ? c->lang : "");
    snprintf(st->version, sizeof(st->version), "%s",
             c->version ? c->version : "");
    if (c->user != NULL) {
        snprintf(st->account, sizeof(st->account), "%s",
                 auth_user_account(c->user));
        snprintf(st->username, sizeof(st->username), "%s",
                 auth_user_name(c->user));
    }
    st->start_wall_ns = c->start_wall_ns;
    st->last_activity_wall_ns = c->last_activity_wall_ns;
    st->rtt_ns = c->rtt_ns;
    st->pending_bytes = c->out.len + c->inflight.len;
    st->in_msgs = c->in_msgs;
    st->out_msgs = c->out_msgs;
    st->in_bytes = c->in_bytes;
    st->out_bytes = c->out_bytes;
    st->n_subs = (uint32_t)bl_map_count(&c->sids);
    if (with_subs && st->n_subs > 0) {
        st->subs = bl_xcalloc(st->n_subs, sizeof(char *));
        size_t it = 0, i = 0;
        void *v;
        while (bl_map_next(&c->sids, &it, NULL, &v) && i < st->n_subs)
            st->subs[i++] = bl_xstrdup(((struct sub *)v)->subject);
    }
}
