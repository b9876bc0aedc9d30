/* Message routing inside one server: match the subject in the account's
 * subscription index, deliver to every plain subscription and to one member
 * of each queue group, answer "no responders" when nobody listens. */
#include "net/internal.h"

#include "proto/encode.h"

#include "ballast/mem.h"

#include <stdio.h>

/* "NATS/1.0 503\r\n\r\n": the status header nats clients read as "no
 * responders". */
static const char no_responders_hdr[] = "NATS/1.0 503\r\n\r\n";

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
    /* xorshift64*: only used to spread queue-group deliveries. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static bool can_deliver_to(const struct sub *sub, const struct client *from)
{
    const struct client *c = sub->c;
    if (c == NULL)
        return !sub->removed;
    if (sub->removed || c->closing)
        return false;
    if (c == from && !c->echo)
        return false;
    return true;
}

static void remember_response(struct client *c, struct bl_slice reply)
{
    if (reply.len == 0 || c->user == NULL || !auth_allows_responses(c->user))
        return;
    /* Bounded so a client that never answers cannot grow this forever. */
    if (bl_map_count(&c->responses) >= 4096)
        bl_map_close(&c->responses);
    bl_map_put(&c->responses, reply, (void *)1);
}

/* Appends one MSG/HMSG for `sub`. Returns false if the subscriber's
 * permissions hide this subject. */
static bool deliver(struct server *s, struct client *from, struct sub *sub,
                    struct bl_slice route, struct bl_slice subject,
                    struct bl_slice reply, size_t hdr_len,
                    struct bl_slice data)
{
    struct client *c = sub->c;
    if (c == NULL) {
        /* The server's own subscription (JetStream): handled in place, and
         * it sees the subject the message was routed on. */
        struct js_inmsg m = {sub->acc, route, reply, hdr_len, data};
        s->out_msgs++;
        s->out_bytes += data.len;
        sub->cb(sub->cb_ctx, &m);
        return true;
    }
    if (c->user != NULL && !auth_can_deliver(c->user, subject))
        return false;
    if (hdr_len > 0 && !c->headers) {
        /* A client that did not ask for headers gets the payload only. */
        data.p += hdr_len;
        data.len -= hdr_len;
        hdr_len = 0;
    }
    encode_msg(&c->out, subject, (struct bl_slice){sub->sid, sub->sid_len},
               reply, hdr_len, data);
    c->out_msgs++;
    c->out_bytes += data.len;
    s->out_msgs++;
    s->out_bytes += data.len;
    remember_response(c, reply);

    sub->delivered++;
    if (sub->max_msgs > 0 && sub->delivered >= (uint64_t)sub->max_msgs)
        route_remove_sub(s, sub);

    size_t pending = c->out.len + c->inflight.len;
    if ((int64_t)pending > s->opts->max_pending ||
        (c->writing &&
         server_now_ms(s) - c->write_start_ms >
             (uint64_t)s->opts->write_deadline_ms)) {
        s->slow_consumers++;
        bl_log_warn("net: slow consumer detected, closing client %llu "
                    "(%s:%d) pending=%zu",
                    (unsigned long long)c->cid, c->ip, c->port, pending);
        /* The pending output is dropped; there is no room for more. */
        bl_buf_clear(&c->out);
        client_close(c, "'Slow Consumer'", "Slow Consumer (Pending Bytes)");
        return true;
    }
    if (c->out.len >= NET_FLUSH_EARLY_BYTES)
        client_flush(c);
    else
        client_want_flush(c);
    if (from != NULL &&
        (int64_t)(c->out.len + c->inflight.len) > s->opts->max_pending / 4 * 3)
        client_stall(from, c);
    return true;
}

static void send_no_responders(struct server *s, struct client *from,
                               size_t acc, struct bl_slice reply)
{
    /* Only the requester's own subscription on the reply subject gets the
     * status, as nats-server does. */
    struct sublist_result *r = sublist_match(s->sublists[acc], reply);
    for (size_t i = 0; i < r->n_psubs; i++) {
        struct sub *sub = r->psubs[i];
        if (sub->c == from && !sub->removed) {
            size_t n = sizeof(no_responders_hdr) - 1;
            deliver(s, from, sub, reply, reply, (struct bl_slice){NULL, 0}, n,
                    (struct bl_slice){no_responders_hdr, n});
            break;
        }
    }
    sublist_result_release(r);
}

void route_publish(struct server *s, struct client *from, size_t acc,
                   struct bl_slice subject, struct bl_slice reply,
                   size_t hdr_len, struct bl_slice data)
{
    route_publish_as(s, from, acc, subject, subject, reply, hdr_len, data);
}

void route_publish_as(struct server *s, struct client *from, size_t acc,
                      struct bl_slice route, struct bl_slice subject,
                      struct bl_slice reply, size_t hdr_len,
                      struct bl_slice data)
{
    struct sublist_result *r = sublist_match(s->sublists[acc], route);
    s->delivering++;
    size_t n_delivered = 0;
    for (size_t i = 0; i < r->n_psubs; i++) {
        struct sub *sub = r->psubs[i];
        if (can_deliver_to(sub, from) &&
            deliver(s, from, sub, route, subject, reply, hdr_len, data))
            n_delivered++;
    }
    for (size_t g = 0; g < r->n_qgroups; g++) {
        struct sublist_qgroup *q = &r->qgroups[g];
        if (q->n_subs == 0)
            continue;
        size_t start = (size_t)(rng_next() % q->n_subs);
        for (size_t k = 0; k < q->n_subs; k++) {
            struct sub *sub = q->subs[(start + k) % q->n_subs];
            if (can_deliver_to(sub, from) &&
                deliver(s, from, sub, route, subject, reply, hdr_len, data)) {
                n_delivered++;
                break;
            }
        }
    }
    sublist_result_release(r);
    if (n_delivered == 0 && reply.len > 0 && from != NULL &&
        from->no_responders)
        send_no_responders(s, from, acc, reply);
    s->delivering--;
}

void route_remove_sub(struct server *s, struct sub *sub)
{
    if (sub->removed)
        return;
    struct client *c = sub->c;
    sublist_remove(s->sublists[sub->acc],
                   (struct bl_slice){sub->subject, sub->subject_len},
                   (struct bl_slice){sub->queue, sub->queue_len}, sub);
    if (c != NULL)
        bl_map_del(&c->sids, (struct bl_slice){sub->sid, sub->sid_len});
    sub->removed = true;
    sub->next = s->graveyard;
    s->graveyard = sub;
}

void server_collect(struct server *s)
{
    if (s->delivering > 0)
        return;
    while (s->graveyard != NULL) {
        struct sub *sub = s->graveyard;
        s->graveyard = sub->next;
        bl_free(sub->subject);
        bl_free(sub->queue);
        bl_free(sub->sid);
        bl_free(sub);
    }
}
