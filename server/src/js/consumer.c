/* The consumer state machine (see consumer.h). Semantics follow nats-server
 * 2.9's consumer.go: the delivery loop, the pending-ack bookkeeping with
 * its ack floor, the redelivery queue fed by the ack-wait/backoff timer,
 * the pull request queue with its status replies, push flow control and
 * heartbeats, and the inactive-threshold clean-up. */
#include "js/consumer.h"

#include "ballast/duration.h"
#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/map.h"
#include "ballast/mem.h"
#include "subj/subject.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE "state"
#define STATE_TMP_FILE "state.tmp"
#define STATE_MAGIC "BLCONS01"
#define STATE_MAGIC_LEN 8

/* Push flow control: nats-server starts with a window of 1/16 of 32 MiB and
 * doubles it on every answered request up to the whole. */
#define FC_MAX_PENDING (32ull * 1024 * 1024)
/* How often an inactive push consumer looks for interest again. The host
 * does not announce interest changes, so we poll while nobody listens. */
#define INTEREST_POLL_MS 250
/* Added to every ack-wait timer so bursts expire together (ackWaitDelay). */
#define ACK_WAIT_DELAY_NS 1000000ll
/* A restored consumer looks at its pending acks this soon after opening. */
#define RESTORE_CHECK_NS (1000ll * 1000000)
#define NS_PER_MS 1000000ull

/* One message delivered and not yet acked. The array of them stays sorted
 * by stream sequence; removed entries stay as tombstones (dc == 0) until the
 * array is compacted, so removal is a binary search. */
struct pend {
    uint64_t sseq;
    uint64_t dseq;  /* consumer sequence of its first delivery */
    uint64_t ts_ns; /* wall time of the last delivery or progress */
    uint32_t dc;    /* deliveries so far; 0: tombstone */
    bool in_rdq;    /* queued for redelivery */
};

/* A waiting pull request. */
struct pull_req {
    char *reply;
    size_t reply_len;
    int64_t n;             /* messages still wanted */
    int64_t b;             /* bytes still allowed; 0: no limit */
    uint64_t d;            /* messages delivered to it */
    uint64_t expires_mono; /* 0: never */
    uint64_t hb_ns;        /* idle heartbeat interval; 0: none */
    uint64_t hb_next_mono; /* next heartbeat due */
    bool no_wait;
};

/* What js_host_defer() is given: a deferred write may run after the
 * consumer is gone, so it holds this small block instead. */
struct defer_token {
    struct consumer *c; /* NULL once the consumer is closed */
    bool pending;
};

enum next_src { SRC_NEW, SRC_RDQ, SRC_LSS };

struct consumer {
    struct stream *stream;
    struct store *store;
    const struct js_host *host;
    size_t acc;
    char *name;
    char *stream_name;
    struct js_consumer_config cfg;
    uint64_t created_ns;
    char *state_dir;  /* NULL: memory only */
    char *ack_prefix; /* "$JS.ACK.<stream>.<consumer>." */
    size_t ack_prefix_len;
    bool interest_retention; /* stream retention is not limits */

    /* ---- Durable state (changed by consumer_apply() only) ---- */
    uint64_t next_sseq; /* next stream sequence to look at */
    uint64_t next_dseq; /* next consumer sequence to hand out */
    uint64_t ack_sseq;  /* ack floor, stream side */
    uint64_t ack_dseq;  /* ack floor, consumer side */
    uint64_t delivered_last_ns;
    uint64_t ack_last_ns;
    struct pend *pend;
    size_t pend_n; /* entries, tombstones included */
    size_t pend_cap;
    size_t pend_live; /* num_ack_pending */
    size_t pend_dead;
    uint64_t n_redelivered; /* live entries with dc > 1 */
    bool dirty;             /* not yet written to state_dir */
    bool unsynced;          /* written without fsync */
    struct defer_token *defer;

    /* ---- Leader-local delivery state ---- */
    uint64_t *rdq; /* stream sequences to redeliver, in order */
    size_t rdq_head, rdq_n, rdq_cap;
    uint64_t npc; /* matching messages in [next_sseq, npc_hi] */
    uint64_t npc_hi;
    bool npc_valid;
    uint64_t *lss; /* deliver last_per_subject: the start list */
    size_t lss_n, lss_i;
    uint64_t lss_resume; /* go on from here + 1 after the list */

    struct js_isub *ack_sub;
    struct js_timer *ack_timer;
    uint64_t ack_timer_due; /* wall ns */

    /* pull */
    struct pull_req **wq;
    size_t wq_n, wq_cap;
    struct js_timer *wait_timer;
    uint64_t wait_due; /* mono ns; 0: not armed */
    uint64_t last_activity_mono;

    /* push */
    bool active; /* deliver subject has interest */
    struct js_timer *interest_timer;
    struct js_timer *hb_timer;
    uint64_t last_send_mono;
    struct js_isub *fc_sub;
    uint64_t maxpb, pbytes, fcsz;
    char fc_reply[JS_MAX_NAME_LEN * 2 + 32];
    uint64_t fc_counter;

    /* pacing: replay original, rate limit */
    struct js_timer *pace_timer;
    bool replay;
    uint64_t replay_lseq;
    uint64_t replay_last_ts;
    uint64_t replay_last_mono;
    uint64_t rate_next_mono;

    /* inactive threshold */
    struct js_timer *del_timer;
    consumer_delete_cb on_delete;
    void *on_delete_ctx;

    /* re-entrancy: callbacks may close us or call back in */
    int busy;
    bool closed;
    bool in_kick, kick_again;

    struct store_msg msg;
    struct bl_buf hdrbuf;
    struct bl_buf scratch;
    struct js_consumer_state info_state;
};

static void kick(struct consumer *c);
static void arm_ack_timer(struct consumer *c, int64_t in_ns);
static void schedule_wait_timer(struct consumer *c);
static void check_active(struct consumer *c);
static void free_consumer(struct consumer *c);

/* ---- Small helpers ------------------------------------------------------- */

static uint64_t mono_now(const struct consumer *c)
{
    return bl_clock_mono_ns(c->host->clock);
}

static uint64_t wall_now(const struct consumer *c)
{
    return bl_clock_wall_ns(c->host->clock);
}

static uint64_t ns_to_ms_ceil(int64_t ns)
{
    if (ns <= 0)
        return 1;
    uint64_t ms = ((uint64_t)ns + NS_PER_MS - 1) / NS_PER_MS;
    return ms == 0 ? 1 : ms;
}

static bool is_push(const struct consumer *c)
{
    return c->cfg.deliver_subject != NULL;
}

static struct bl_slice filter_of(const struct consumer *c)
{
    return bl_slice_of(c->cfg.filter_subject);
}

static void enter(struct consumer *c)
{
    c->busy++;
}

/* Returns false when the consumer was freed. */
static bool leave(struct consumer *c)
{
    if (--c->busy == 0 && c->closed) {
        free_consumer(c);
        return false;
    }
    return true;
}

static void stop_timer(struct consumer *c, struct js_timer **t)
{
    if (*t != NULL) {
        js_host_timer_stop(c->host, *t);
        *t = NULL;
    }
}

static void publish(struct consumer *c, struct bl_slice subject,
                    struct bl_slice reply, size_t hdr_len, struct bl_slice data)
{
    js_host_publish(c->host, c->acc, subject, reply, hdr_len, data);
}

/* Sends a stream message: routed to `to` (the deliver subject or the pull
 * request's reply), where nats-server shows the subscriber the stream
 * subject `subject`, as JetStream deliveries are. */
static void send_msg(struct consumer *c, struct bl_slice to,
                     struct bl_slice subject, struct bl_slice reply,
                     size_t hdr_len, struct bl_slice data)
{
    js_host_deliver(c->host, c->acc, to, subject, reply,
                    hdr_len, data);
}

/* Publishes a header-only status message ("NATS/1.0 408 Request Timeout")
 * with optional extra header lines (each ending in CRLF). */
static void send_status(struct consumer *c, struct bl_slice to,
                        const char *status, const char *extra)
{
    struct bl_buf *b = &c->scratch;
    bl_buf_clear(b);
    bl_buf_printf(b, "NATS/1.0 %s\r\n%s\r\n", status, extra ? extra : "");
    publish(c, to, (struct bl_slice){NULL, 0}, b->len,
            (struct bl_slice){b->p, b->len});
}


/* ---- Pending acks -------------------------------------------------------- */

/* Index of the live-or-dead entry for sseq, or -1. */
static ssize_t pend_find_any(const struct consumer *c, uint64_t sseq)
{
    size_t lo = 0, hi = c->pend_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->pend[mid].sseq < sseq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->pend_n && c->pend[lo].sseq == sseq)
        return (ssize_t)lo;
    return -(ssize_t)lo - 1;
}

static struct pend *pend_get(const struct consumer *c, uint64_t sseq)
{
    ssize_t i = pend_find_any(c, sseq);
    if (i < 0 || c->pend[i].dc == 0)
        return NULL;
    return &c->pend[i];
}

static void pend_compact(struct consumer *c)
{
    size_t j = 0;
    for (size_t i = 0; i < c->pend_n; i++)
        if (c->pend[i].dc != 0)
            c->pend[j++] = c->pend[i];
    c->pend_n = j;
    c->pend_dead = 0;
}

static struct pend *pend_insert(struct consumer *c, uint64_t sseq)
{
    if (c->pend_dead > 64 && c->pend_dead > c->pend_live)
        pend_compact(c);
    ssize_t i = pend_find_any(c, sseq);
    if (i >= 0) {
        if (c->pend[i].dc == 0) {
            c->pend_dead--;
            c->pend_live++;
            c->pend[i].in_rdq = false;
        }
        return &c->pend[i];
    }
    size_t at = (size_t)(-i - 1);
    if (c->pend_n == c->pend_cap) {
        c->pend_cap = c->pend_cap ? c->pend_cap * 2 : 64;
        c->pend = bl_xrealloc(c->pend, c->pend_cap * sizeof(*c->pend));
    }
    memmove(&c->pend[at + 1], &c->pend[at],
            (c->pend_n - at) * sizeof(*c->pend));
    c->pend_n++;
    c->pend_live++;
    memset(&c->pend[at], 0, sizeof(c->pend[at]));
    c->pend[at].sseq = sseq;
    return &c->pend[at];
}

static void pend_remove(struct consumer *c, struct pend *p)
{
    if (p->dc > 1)
        c->n_redelivered--;
    p->dc = 0;
    p->in_rdq = false;
    c->pend_live--;
    c->pend_dead++;
    if (c->pend_live == 0) {
        c->pend_n = 0;
        c->pend_dead = 0;
    }
}

static const struct pend *pend_first(const struct consumer *c)
{
    for (size_t i = 0; i < c->pend_n; i++)
        if (c->pend[i].dc != 0)
            return &c->pend[i];
    return NULL;
}

/* The ack floor after pending entries went away: everything below the
 * oldest pending message is done; with nothing pending, everything
 * delivered is. */
static void advance_floor(struct consumer *c)
{
    if (c->pend_live == 0) {
        c->ack_dseq = c->next_dseq - 1;
        c->ack_sseq = c->next_sseq - 1;
        return;
    }
    const struct pend *p = pend_first(c);
    if (p->sseq - 1 > c->ack_sseq)
        c->ack_sseq = p->sseq - 1;
    if (p->dseq - 1 > c->ack_dseq)
        c->ack_dseq = p->dseq - 1;
}

/* ---- Redelivery queue ---------------------------------------------------- */

static void rdq_push(struct consumer *c, uint64_t sseq)
{
    if (c->rdq_head > 0 && c->rdq_head == c->rdq_n) {
        c->rdq_head = c->rdq_n = 0;
    }
    if (c->rdq_n == c->rdq_cap) {
        if (c->rdq_head > 0) {
            memmove(c->rdq, c->rdq + c->rdq_head,
                    (c->rdq_n - c->rdq_head) * sizeof(*c->rdq));
            c->rdq_n -= c->rdq_head;
            c->rdq_head = 0;
        } else {
            c->rdq_cap = c->rdq_cap ? c->rdq_cap * 2 : 32;
            c->rdq = bl_xrealloc(c->rdq, c->rdq_cap * sizeof(*c->rdq));
        }
    }
    c->rdq[c->rdq_n++] = sseq;
}

/* The next sequence queued for redelivery that is still pending, or 0;
 * stale entries (acked meanwhile) are dropped on the way. */
static uint64_t rdq_peek(struct consumer *c)
{
    while (c->rdq_head < c->rdq_n) {
        uint64_t seq = c->rdq[c->rdq_head];
        struct pend *p = pend_get(c, seq);
        if (p != NULL && p->in_rdq)
            return seq;
        c->rdq_head++;
    }
    c->rdq_head = c->rdq_n = 0;
    return 0;
}

static void rdq_pop(struct consumer *c)
{
    uint64_t seq = c->rdq[c->rdq_head++];
    struct pend *p = pend_get(c, seq);
    if (p != NULL)
        p->in_rdq = false;
}

static size_t rdq_len(const struct consumer *c)
{
    size_t n = 0;
    for (size_t i = c->rdq_head; i < c->rdq_n; i++) {
        const struct pend *p = pend_get(c, c->rdq[i]);
        if (p != NULL && p->in_rdq)
            n++;
    }
    return n;
}

static void queue_redelivery(struct consumer *c, struct pend *p)
{
    if (!p->in_rdq) {
        p->in_rdq = true;
        rdq_push(c, p->sseq);
    }
}

/* ---- Num pending --------------------------------------------------------- */

struct lss_walk {
    uint64_t *seqs;
    size_t n, cap;
    uint64_t from; /* count subjects whose last is >= from */
    uint64_t count;
};

static int lss_collect(void *ctx, struct bl_slice subject,
                       const struct store_subject_state *st)
{
    struct lss_walk *w = ctx;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->seqs = bl_xrealloc(w->seqs, w->cap * sizeof(*w->seqs));
    }
    w->seqs[w->n++] = st->last_seq;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Messages the consumer has still to deliver for the first time. Exact
 * recounts the store; otherwise the cached count is topped up with what
 * was appended since (deliveries decrement it in apply). */
static uint64_t num_pending(struct consumer *c, bool exact)
{
    struct store_state st;
    store_state(c->store, &st);
    if (c->lss != NULL && c->lss_i < c->lss_n) {
        struct store_subject_state fs;
        store_filtered_state(c->store, filter_of(c), c->lss_resume + 1, &fs);
        return (c->lss_n - c->lss_i) + fs.msgs;
    }
    if (exact || !c->npc_valid) {
        struct store_subject_state fs;
        store_filtered_state(c->store, filter_of(c), c->next_sseq, &fs);
        c->npc = fs.msgs;
        c->npc_hi = st.last_seq;
        c->npc_valid = true;
    } else if (st.last_seq > c->npc_hi) {
        uint64_t from = c->npc_hi + 1;
        if (from < c->next_sseq)
            from = c->next_sseq;
        struct store_subject_state fs;
        store_filtered_state(c->store, filter_of(c), from, &fs);
        c->npc += fs.msgs;
        c->npc_hi = st.last_seq;
    }
    if (c->npc > st.msgs)
        c->npc = st.msgs;
    return c->npc;
}

/* ---- State persistence --------------------------------------------------- */

static void put_u64(struct bl_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    bl_buf_append(b, x, 8);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void path_of(char *out, size_t size, const char *dir, const char *f)
{
    snprintf(out, size, "%s/%s", dir, f);
}

/* Layout, little endian: magic, delivered {consumer, stream, last_ns}, ack
 * floor {consumer, stream, last_ns}, n_pending, n x {sseq, dseq, ts_ns, dc},
 * then bl_hash() of everything before it. */
static void encode_state(const struct consumer *c, struct bl_buf *b)
{
    bl_buf_append(b, STATE_MAGIC, STATE_MAGIC_LEN);
    put_u64(b, c->next_dseq - 1);
    put_u64(b, c->next_sseq - 1);
    put_u64(b, c->delivered_last_ns);
    put_u64(b, c->ack_dseq);
    put_u64(b, c->ack_sseq);
    put_u64(b, c->ack_last_ns);
    put_u64(b, c->pend_live);
    for (size_t i = 0; i < c->pend_n; i++) {
        const struct pend *p = &c->pend[i];
        if (p->dc == 0)
            continue;
        put_u64(b, p->sseq);
        put_u64(b, p->dseq);
        put_u64(b, p->ts_ns);
        put_u64(b, p->dc);
    }
    put_u64(b, bl_hash(b->p, b->len));
}

/* Replaces the state file: write a temp file, rename it over. With `sync`
 * the file and directory are fsynced too; the per-iteration writes skip
 * that (they survive a crash of the process, as nats-server's consumer
 * store does), consumer_flush() and close do not. */
static int write_state(struct consumer *c, bool sync, char *errmsg)
{
    if (c->state_dir == NULL || !(c->dirty || (sync && c->unsynced)))
        return 0;
    char tmp[4096], dst[4096];
    path_of(tmp, sizeof tmp, c->state_dir, STATE_TMP_FILE);
    path_of(dst, sizeof dst, c->state_dir, STATE_FILE);
    struct bl_buf b;
    bl_buf_init(&b);
    encode_state(c, &b);
    int rv = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "open %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, b.p, b.len) != 0 || (sync && fsync(fd) != 0)) {
        rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (sync) {
        int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    c->dirty = false;
    c->unsynced = !sync;
out:
    bl_buf_close(&b);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "consumer %s > %s: save state", c->stream_name,
                         c->name);
    return rv;
}

int consumer_flush(struct consumer *c, char *errmsg)
{
    return write_state(c, true, errmsg);
}

static void deferred_flush(void *ctx)
{
    struct defer_token *t = ctx;
    t->pending = false;
    if (t->c == NULL) {
        bl_free(t);
        return;
    }
    char errmsg[BL_ERRMSG_SIZE];
    if (write_state(t->c, false, errmsg) != 0)
        bl_log_error("js: %s, will retry on the next change", errmsg);
}

static void mark_dirty(struct consumer *c)
{
    if (c->state_dir == NULL || c->defer == NULL)
        return;
    c->dirty = true;
    if (!c->defer->pending) {
        c->defer->pending = true;
        js_host_defer(c->host, deferred_flush, c->defer);
    }
}

/* Reads <state_dir>/state. Returns 1 when loaded, 0 when there is none,
 * or a BL_E* code. */
static int load_state(struct consumer *c, char *errmsg)
{
    char path[4096];
    path_of(path, sizeof path, c->state_dir, STATE_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        bl_errmsg_set(errmsg, "open %s: %s", path, strerror(errno));
        return bl_err_from_errno(errno);
    }
    struct bl_buf b;
    bl_buf_init(&b);
    int rv = 0;
    for (;;) {
        bl_buf_reserve(&b, 4096);
        ssize_t n = read(fd, b.p + b.len, b.cap - b.len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rv = bl_err_from_errno(errno);
            bl_errmsg_set(errmsg, "read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
    }
    const size_t fixed = STATE_MAGIC_LEN + 7 * 8;
    const unsigned char *p = (const unsigned char *)b.p;
    if (b.len < fixed + 8 || memcmp(p, STATE_MAGIC, STATE_MAGIC_LEN) != 0) {
        rv = BL_EIO;
        bl_errmsg_set(errmsg, "%s: not a consumer state file", path);
        goto out;
    }
    uint64_t n_pend = get_u64(p + STATE_MAGIC_LEN + 6 * 8);
    if (n_pend > (b.len - fixed) / 32 || b.len != fixed + n_pend * 32 + 8 ||
        get_u64(p + b.len - 8) != bl_hash(b.p, b.len - 8)) {
        rv = BL_EIO;
        bl_errmsg_set(errmsg, "%s: corrupt (bad length or checksum)", path);
        goto out;
    }
    const unsigned char *q = p + STATE_MAGIC_LEN;
    c->next_dseq = get_u64(q) + 1;
    c->next_sseq = get_u64(q + 8) + 1;
    c->delivered_last_ns = get_u64(q + 16);
    c->ack_dseq = get_u64(q + 24);
    c->ack_sseq = get_u64(q + 32);
    c->ack_last_ns = get_u64(q + 40);
    q = p + fixed;
    for (uint64_t i = 0; i < n_pend; i++, q += 32) {
        uint64_t sseq = get_u64(q);
        if (sseq == 0)
            continue;
        struct pend *e = pend_insert(c, sseq);
        e->dseq = get_u64(q + 8);
        e->ts_ns = get_u64(q + 16);
        uint64_t dc = get_u64(q + 24);
        e->dc = dc == 0 ? 1 : (dc > UINT32_MAX ? UINT32_MAX : (uint32_t)dc);
        if (e->dc > 1)
            c->n_redelivered++;
    }
    rv = 1;
out:
    close(fd);
    bl_buf_close(&b);
    return rv;
}

/* ---- Apply ----------------------------------------------------------------
 */

static void notify_acked(struct consumer *c, uint64_t sseq)
{
    if (c->interest_retention)
        stream_msg_acked(c->stream, sseq);
}

static int apply_ack(struct consumer *c, const struct consumer_cmd *cmd)
{
    switch (c->cfg.ack_policy) {
    case JS_ACK_NONE:
        return BL_ENOENT;
    case JS_ACK_EXPLICIT: {
        struct pend *p = pend_get(c, cmd->sseq);
        if (p == NULL) {
            /* Given up on (max_deliver) but acked late: the stream may
             * still drop it, as nats-server's does. */
            if (cmd->sseq > c->ack_sseq && cmd->sseq < c->next_sseq)
                notify_acked(c, cmd->sseq);
            return BL_ENOENT;
        }
        pend_remove(c, p);
        advance_floor(c);
        c->ack_last_ns = cmd->now_ns;
        mark_dirty(c);
        notify_acked(c, cmd->sseq);
        return 0;
    }
    case JS_ACK_ALL: {
        if (cmd->dseq <= c->ack_dseq || cmd->sseq <= c->ack_sseq ||
            cmd->sseq >= c->next_sseq || cmd->dseq >= c->next_dseq)
            return BL_ENOENT;
        uint64_t old = c->ack_sseq;
        c->ack_dseq = cmd->dseq;
        c->ack_sseq = cmd->sseq;
        for (size_t i = 0; i < c->pend_n && c->pend[i].sseq <= cmd->sseq; i++)
            if (c->pend[i].dc != 0)
                pend_remove(c, &c->pend[i]);
        c->ack_last_ns = cmd->now_ns;
        mark_dirty(c);
        for (uint64_t s = old + 1; s <= cmd->sseq && !c->closed; s++)
            notify_acked(c, s);
        return 0;
    }
    }
    return BL_ENOENT;
}

int consumer_apply(struct consumer *c, const struct consumer_cmd *cmd)
{
    switch (cmd->kind) {
    case CONSUMER_CMD_DELIVERED: {
        if (cmd->sseq == 0 || cmd->dseq == 0)
            return BL_ENOENT;
        if (cmd->sseq >= c->next_sseq) {
            if (c->npc_valid && cmd->sseq <= c->npc_hi && c->npc > 0)
                c->npc--;
            c->next_sseq = cmd->sseq + 1;
        }
        if (cmd->dseq >= c->next_dseq)
            c->next_dseq = cmd->dseq + 1;
        c->delivered_last_ns = cmd->now_ns;
        if (c->cfg.ack_policy == JS_ACK_NONE) {
            c->ack_dseq = cmd->dseq;
            c->ack_sseq = cmd->sseq;
            mark_dirty(c);
            notify_acked(c, cmd->sseq);
            return 0;
        }
        struct pend *p = pend_get(c, cmd->sseq);
        if (p == NULL) {
            p = pend_insert(c, cmd->sseq);
            p->dseq = cmd->dseq;
            p->dc = 1;
        }
        uint32_t dc = cmd->dc == 0           ? 1
                      : cmd->dc > UINT32_MAX ? UINT32_MAX
                                             : (uint32_t)cmd->dc;
        if (p->dc <= 1 && dc > 1)
            c->n_redelivered++;
        else if (p->dc > 1 && dc <= 1)
            c->n_redelivered--;
        p->dc = dc;
        p->ts_ns = cmd->now_ns;
        mark_dirty(c);
        return 0;
    }
    case CONSUMER_CMD_ACK:
    case CONSUMER_CMD_TERM:
        return apply_ack(c, cmd);
    case CONSUMER_CMD_NAK: {
        if (c->cfg.ack_policy == JS_ACK_NONE || cmd->dseq <= c->ack_dseq ||
            cmd->dseq > c->next_dseq)
            return BL_ENOENT;
        struct pend *p = pend_get(c, cmd->sseq);
        if (p == NULL)
            return BL_ENOENT;
        if (cmd->has_delay) {
            /* Expire `delay` from now: as if delivered one ack wait ago,
             * plus the delay. */
            p->ts_ns = cmd->now_ns - (uint64_t)c->cfg.ack_wait_ns +
                       (uint64_t)cmd->delay_ns;
            p->in_rdq = false;
            mark_dirty(c);
        } else {
            queue_redelivery(c, p);
        }
        return 0;
    }
    case CONSUMER_CMD_PROGRESS: {
        struct pend *p = pend_get(c, cmd->sseq);
        if (p == NULL)
            return BL_ENOENT;
        p->ts_ns = cmd->now_ns;
        mark_dirty(c);
        return 0;
    }
    case CONSUMER_CMD_SKIP:
        if (cmd->sseq <= c->next_sseq)
            return BL_ENOENT;
        c->next_sseq = cmd->sseq;
        c->npc_valid = false;
        mark_dirty(c);
        return 0;
    case CONSUMER_CMD_DROP: {
        struct pend *p = pend_get(c, cmd->sseq);
        if (p == NULL)
            return BL_ENOENT;
        pend_remove(c, p);
        advance_floor(c);
        mark_dirty(c);
        return 0;
    }
    case CONSUMER_CMD_PURGED: {
        bool changed = false;
        if (c->next_sseq < cmd->sseq) {
            c->next_sseq = cmd->sseq;
            changed = true;
        }
        for (size_t i = 0; i < c->pend_n && c->pend[i].sseq < cmd->sseq; i++) {
            if (c->pend[i].dc != 0) {
                pend_remove(c, &c->pend[i]);
                changed = true;
            }
        }
        if (c->ack_sseq + 1 < cmd->sseq) {
            c->ack_sseq = cmd->sseq - 1;
            c->ack_dseq = c->next_dseq - 1;
            changed = true;
        }
        if (changed) {
            advance_floor(c);
            c->npc_valid = false;
            mark_dirty(c);
        }
        return changed ? 0 : BL_ENOENT;
    }
    }
    return BL_ENOENT;
}

/* Our view of the stream went stale when messages we had not delivered, or
 * pending ones, were removed under us (purge, limits): catch up through a
 * PURGED command. */
static void sync_with_stream(struct consumer *c)
{
    struct store_state st;
    store_state(c->store, &st);
    uint64_t first = st.first_seq;
    if (first == 0)
        return;
    const struct pend *p = c->pend_live > 0 ? pend_first(c) : NULL;
    if (first > c->next_sseq || (p != NULL && p->sseq < first) ||
        (c->ack_sseq + 1 < first && c->pend_live == 0 &&
         c->next_sseq >= first)) {
        struct consumer_cmd cmd = {
            .kind = CONSUMER_CMD_PURGED, .sseq = first, .now_ns = wall_now(c)};
        consumer_apply(c, &cmd);
    }
}

/* ---- Ack timer ------------------------------------------------------------
 */

static int64_t pend_deadline(const struct consumer *c, const struct pend *p)
{
    if (c->cfg.n_backoff > 0) {
        size_t i = p->dc > 0 ? p->dc - 1 : 0;
        if (i >= c->cfg.n_backoff)
            i = c->cfg.n_backoff - 1;
        return c->cfg.backoff_ns[i];
    }
    return c->cfg.ack_wait_ns;
}

static void on_ack_timer(void *ctx);

static void arm_ack_timer(struct consumer *c, int64_t in_ns)
{
    if (c->closed)
        return;
    stop_timer(c, &c->ack_timer);
    if (in_ns < 0)
        in_ns = 0;
    c->ack_timer_due = wall_now(c) + (uint64_t)in_ns;
    c->ack_timer =
        js_host_timer_start(c->host, ns_to_ms_ceil(in_ns), 0, on_ack_timer, c);
}

/* Arms the timer for a message just delivered unless it already fires
 * earlier. */
static void ack_timer_for(struct consumer *c, const struct pend *p)
{
    int64_t d = pend_deadline(c, p) + ACK_WAIT_DELAY_NS;
    uint64_t due = wall_now(c) + (uint64_t)d;
    if (c->ack_timer == NULL || due < c->ack_timer_due)
        arm_ack_timer(c, d);
}

/* nats-server's checkPending: queue what outlived its ack wait (or its
 * backoff step) for redelivery, forget what left the stream, re-arm for
 * the next deadline. */
static void check_pending(struct consumer *c)
{
    stop_timer(c, &c->ack_timer); /* one-shot: ours to free, even here */
    if (c->pend_live == 0)
        return;
    uint64_t now = wall_now(c);
    int64_t next = c->cfg.ack_wait_ns;
    if (c->cfg.n_backoff > 0)
        next = c->cfg.backoff_ns[c->cfg.n_backoff - 1];
    struct store_state st;
    store_state(c->store, &st);
    bool expired = false, gone = false;
    for (size_t i = 0; i < c->pend_n; i++) {
        struct pend *p = &c->pend[i];
        if (p->dc == 0)
            continue;
        if (p->sseq < st.first_seq) {
            gone = true;
            continue;
        }
        if (p->in_rdq)
            continue;
        int64_t elapsed = now > p->ts_ns ? (int64_t)(now - p->ts_ns)
                                         : -(int64_t)(p->ts_ns - now);
        int64_t deadline = pend_deadline(c, p);
        if (c->cfg.n_backoff > 0) {
            size_t nbi = p->dc;
            if (nbi >= c->cfg.n_backoff)
                nbi = c->cfg.n_backoff - 1;
            if (c->cfg.backoff_ns[nbi] < next)
                next = c->cfg.backoff_ns[nbi];
        }
        if (elapsed >= deadline) {
            queue_redelivery(c, p);
            expired = true;
        } else if (deadline - elapsed < next) {
            next = deadline - elapsed;
        }
    }
    if (gone)
        sync_with_stream(c);
    if (c->pend_live > 0)
        arm_ack_timer(c, next + ACK_WAIT_DELAY_NS);
    if (expired)
        kick(c);
}

static void on_ack_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    if (!c->closed)
        check_pending(c);
    leave(c);
}

/* ---- Inactive threshold ---------------------------------------------------
 */

static void on_del_timer(void *ctx);

static void arm_del_timer(struct consumer *c, int64_t in_ns)
{
    stop_timer(c, &c->del_timer);
    if (c->closed || c->cfg.inactive_threshold_ns <= 0)
        return;
    c->del_timer =
        js_host_timer_start(c->host, ns_to_ms_ceil(in_ns), 0, on_del_timer, c);
}

static void process_waiting(struct consumer *c, bool eos, int64_t *brp);

static void go_away(struct consumer *c)
{
    bl_log_debug("js: consumer %s > %s inactive for %" PRId64 "ms, deleting",
                 c->stream_name, c->name,
                 c->cfg.inactive_threshold_ns / (int64_t)NS_PER_MS);
    if (c->on_delete != NULL)
        c->on_delete(c->on_delete_ctx, c);
    else
        consumer_close(c, true);
}

static void on_del_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    stop_timer(c, &c->del_timer);
    if (c->closed)
        goto out;
    int64_t thresh = c->cfg.inactive_threshold_ns;
    if (is_push(c)) {
        check_active(c);
        if (!c->active && !c->closed)
            go_away(c);
        goto out;
    }
    uint64_t now = mono_now(c);
    int64_t elapsed = (int64_t)(now - c->last_activity_mono);
    if (elapsed < thresh) {
        arm_del_timer(c, thresh - elapsed);
        goto out;
    }
    process_waiting(c, false, NULL);
    if (c->wq_n > 0) {
        arm_del_timer(c, thresh);
        goto out;
    }
    go_away(c);
out:
    leave(c);
}

/* Ack activity postpones the clean-up (nats-server's suppressDeletion). */
static void note_activity(struct consumer *c)
{
    c->last_activity_mono = mono_now(c);
    if (is_push(c) && c->del_timer != NULL)
        arm_del_timer(c, c->cfg.inactive_threshold_ns);
}

/* ---- Push: interest, heartbeats, flow control -----------------------------
 */

static void on_interest_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    if (!c->closed) {
        bool was = c->active;
        check_active(c);
        if (c->active && !was)
            kick(c);
    }
    leave(c);
}

/* Looks up interest on the deliver subject and reacts to a change: an
 * inactive consumer polls for interest and, with a threshold, counts down
 * to its deletion. */
static void check_active(struct consumer *c)
{
    if (!is_push(c) || c->closed)
        return;
    bool now_active = js_host_has_interest(c->host, c->acc,
                                           bl_slice_of(c->cfg.deliver_subject));
    bool thresh = c->cfg.inactive_threshold_ns > 0;
    /* Poll while nobody listens, and all the time with a threshold: losing
     * interest must start the countdown even when nothing is delivered. */
    bool want_poll = !now_active || thresh;
    if (want_poll && c->interest_timer == NULL)
        c->interest_timer = js_host_timer_start(
            c->host, INTEREST_POLL_MS, INTEREST_POLL_MS, on_interest_timer, c);
    else if (!want_poll)
        stop_timer(c, &c->interest_timer);
    if (now_active == c->active &&
        (now_active || !thresh || c->del_timer != NULL))
        return;
    c->active = now_active;
    if (now_active)
        stop_timer(c, &c->del_timer);
    else if (thresh && c->del_timer == NULL)
        arm_del_timer(c, c->cfg.inactive_threshold_ns);
}

static void send_heartbeat(struct consumer *c, struct bl_slice to)
{
    char extra[sizeof(((struct consumer *)0)->fc_reply) + 128];
    int n = snprintf(extra, sizeof extra,
                     "Nats-Last-Consumer: %" PRIu64
                     "\r\nNats-Last-Stream: %" PRIu64 "\r\n",
                     c->next_dseq - 1, c->next_sseq - 1);
    if (c->fc_reply[0] != '\0' && n > 0 && (size_t)n < sizeof extra)
        snprintf(extra + n, sizeof extra - (size_t)n,
                 "Nats-Consumer-Stalled: %s\r\n", c->fc_reply);
    send_status(c, to, "100 Idle Heartbeat", extra);
}

static void on_hb_timer(void *ctx);

static void arm_hb_timer(struct consumer *c, int64_t in_ns)
{
    stop_timer(c, &c->hb_timer);
    if (c->closed)
        return;
    c->hb_timer =
        js_host_timer_start(c->host, ns_to_ms_ceil(in_ns), 0, on_hb_timer, c);
}

static void on_hb_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    stop_timer(c, &c->hb_timer);
    if (c->closed)
        goto out;
    int64_t hb = c->cfg.idle_heartbeat_ns;
    uint64_t now = mono_now(c);
    int64_t idle = (int64_t)(now - c->last_send_mono);
    if (idle + (int64_t)NS_PER_MS >= hb) {
        check_active(c);
        if (c->active && !c->closed) {
            send_heartbeat(c, bl_slice_of(c->cfg.deliver_subject));
            c->last_send_mono = now;
        }
        arm_hb_timer(c, hb);
    } else {
        arm_hb_timer(c, hb - idle);
    }
out:
    leave(c);
}

static void send_flow_control(struct consumer *c)
{
    /* A unique reply; nats-server uses four random base-62 characters, any
     * token the client echoes back works. */
    static const char digits[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t v = ++c->fc_counter;
    char tok[12];
    size_t n = 0;
    do {
        tok[n++] = digits[v % 62];
        v /= 62;
    } while (v > 0 && n < sizeof tok - 1);
    tok[n] = '\0';
    snprintf(c->fc_reply, sizeof c->fc_reply, "$JS.FC.%s.%s.%s", c->stream_name,
             c->name, tok);
    c->fcsz = c->pbytes;
    static const char hdr[] = "NATS/1.0 100 FlowControl Request\r\n\r\n";
    publish(c, bl_slice_of(c->cfg.deliver_subject), bl_slice_of(c->fc_reply),
            sizeof hdr - 1, BL_SLICE_LIT(hdr));
}

static void flow_control_sent(struct consumer *c, uint64_t sz)
{
    if (c->maxpb == 0)
        return;
    c->pbytes += sz;
    /* Ask once past half the window; while a request is out, the bytes it
     * will release grow with what we send beyond a full window. */
    if (c->fc_reply[0] == '\0' && c->pbytes > c->maxpb / 2)
        send_flow_control(c);
    else if (c->fc_reply[0] != '\0' && c->pbytes - c->fcsz >= c->maxpb)
        c->fcsz += sz;
}

static void on_fc_reply(void *ctx, const struct js_inmsg *m)
{
    struct consumer *c = ctx;
    enter(c);
    if (!c->closed && c->fc_reply[0] != '\0' &&
        bl_slice_eq_str(m->subject, c->fc_reply)) {
        if (c->maxpb < FC_MAX_PENDING) {
            c->maxpb *= 2;
            if (c->maxpb > FC_MAX_PENDING)
                c->maxpb = FC_MAX_PENDING;
        }
        c->pbytes = c->pbytes > c->fcsz ? c->pbytes - c->fcsz : 0;
        c->fc_reply[0] = '\0';
        c->fcsz = 0;
        kick(c);
    }
    leave(c);
}

/* ---- Pull requests --------------------------------------------------------
 */

static void req_free(struct pull_req *r)
{
    if (r != NULL) {
        bl_free(r->reply);
        bl_free(r);
    }
}

static void wq_remove_at(struct consumer *c, size_t i)
{
    memmove(&c->wq[i], &c->wq[i + 1], (c->wq_n - i - 1) * sizeof(*c->wq));
    c->wq_n--;
}

static void send_req_status(struct consumer *c, const struct pull_req *r,
                            const char *status)
{
    char extra[128];
    snprintf(extra, sizeof extra,
             "Nats-Pending-Messages: %" PRId64
             "\r\nNats-Pending-Bytes: %" PRId64 "\r\n",
             r->n, r->b);
    send_status(c, (struct bl_slice){r->reply, r->reply_len}, status, extra);
}

static bool req_has_interest(struct consumer *c, const struct pull_req *r)
{
    return js_host_has_interest(c->host, c->acc,
                                (struct bl_slice){r->reply, r->reply_len});
}

/* nats-server's processWaiting: expire requests (and with `eos`, no_wait
 * requests that got something and can get no more), drop those whose
 * reply nobody listens to, send due heartbeats, re-arm the timer. *brp
 * gets the messages still asked for by live requests. */
static void process_waiting(struct consumer *c, bool eos, int64_t *brp)
{
    uint64_t now = mono_now(c);
    int64_t sum = 0;
    for (size_t i = 0; i < c->wq_n && !c->closed;) {
        struct pull_req *r = c->wq[i];
        if ((eos && r->no_wait && r->d > 0) ||
            (r->expires_mono != 0 && now >= r->expires_mono)) {
            wq_remove_at(c, i);
            send_req_status(c, r, "408 Request Timeout");
            req_free(r);
            continue;
        }
        if (!req_has_interest(c, r)) {
            wq_remove_at(c, i);
            req_free(r);
            continue;
        }
        sum += r->n;
        if (r->hb_ns > 0 && now >= r->hb_next_mono) {
            send_heartbeat(c, (struct bl_slice){r->reply, r->reply_len});
            r->hb_next_mono = now + r->hb_ns;
        }
        i++;
    }
    if (brp != NULL)
        *brp = sum;
    schedule_wait_timer(c);
}

static void on_wait_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    stop_timer(c, &c->wait_timer);
    c->wait_due = 0;
    if (!c->closed)
        process_waiting(c, false, NULL);
    leave(c);
}

static void schedule_wait_timer(struct consumer *c)
{
    if (c->closed)
        return;
    uint64_t due = 0;
    for (size_t i = 0; i < c->wq_n; i++) {
        const struct pull_req *r = c->wq[i];
        if (r->expires_mono != 0 && (due == 0 || r->expires_mono < due))
            due = r->expires_mono;
        if (r->hb_ns > 0 && (due == 0 || r->hb_next_mono < due))
            due = r->hb_next_mono;
    }
    if (due == 0) {
        stop_timer(c, &c->wait_timer);
        c->wait_due = 0;
        return;
    }
    if (c->wait_timer != NULL && c->wait_due == due)
        return;
    stop_timer(c, &c->wait_timer);
    uint64_t now = mono_now(c);
    c->wait_due = due;
    c->wait_timer = js_host_timer_start(
        c->host, due > now ? ns_to_ms_ceil((int64_t)(due - now)) : 1, 0,
        on_wait_timer, c);
}

/* nats-server's nextWaiting: the request the next message of `sz` bytes
 * goes to, taken off the queue when this message completes it (then *done
 * and the caller frees it), or moved to the back when it wants more. */
static struct pull_req *next_waiting(struct consumer *c, uint64_t sz,
                                     bool *done)
{
    uint64_t now = mono_now(c);
    while (c->wq_n > 0 && !c->closed) {
        struct pull_req *r = c->wq[0];
        if (r->b > 0) {
            if ((int64_t)sz <= r->b) {
                r->b -= (int64_t)sz;
                if (r->b == 0)
                    r->n = 1;
            } else {
                wq_remove_at(c, 0);
                send_req_status(c, r, "409 Message Size Exceeds MaxBytes");
                req_free(r);
                continue;
            }
        }
        bool expired = r->expires_mono != 0 && now >= r->expires_mono;
        if (!expired && req_has_interest(c, r)) {
            r->d++;
            r->n--;
            wq_remove_at(c, 0);
            if (r->n > 0) {
                c->wq[c->wq_n++] = r;
                *done = false;
            } else {
                *done = true;
            }
            return r;
        }
        wq_remove_at(c, 0);
        if (expired)
            send_req_status(c, r, "408 Request Timeout");
        req_free(r);
    }
    return NULL;
}

/* ---- Delivery -------------------------------------------------------------
 */

struct next {
    uint64_t sseq;
    uint64_t dc;
    enum next_src src;
};

enum next_rv { NEXT_OK, NEXT_EMPTY, NEXT_STALLED };

static void drop(struct consumer *c, uint64_t sseq)
{
    struct consumer_cmd cmd = {
        .kind = CONSUMER_CMD_DROP, .sseq = sseq, .now_ns = wall_now(c)};
    consumer_apply(c, &cmd);
}

/* nats-server's getNextMsg without side effects on the happy path: the
 * message to send next (loaded into c->msg) and where it came from; the
 * caller commits with commit_next() once it is really sent. */
static enum next_rv next_msg(struct consumer *c, struct next *nx)
{
    char errmsg[BL_ERRMSG_SIZE];
    for (uint64_t seq; (seq = rdq_peek(c)) != 0;) {
        struct pend *p = pend_get(c, seq);
        uint64_t dc = (uint64_t)p->dc + 1;
        if (c->cfg.max_deliver > 0 && dc > (uint64_t)c->cfg.max_deliver) {
            rdq_pop(c);
            drop(c, seq);
            continue;
        }
        int rv = store_load(c->store, seq, &c->msg, errmsg);
        if (rv != 0) {
            if (rv != BL_ENOENT)
                bl_log_warn("js: consumer %s > %s: redeliver: %s",
                            c->stream_name, c->name, errmsg);
            rdq_pop(c);
            drop(c, seq);
            continue;
        }
        *nx = (struct next){seq, dc, SRC_RDQ};
        return NEXT_OK;
    }
    if (c->cfg.ack_policy != JS_ACK_NONE && c->cfg.max_ack_pending > 0 &&
        c->pend_live >= (uint64_t)c->cfg.max_ack_pending)
        return NEXT_STALLED;
    while (c->lss != NULL && c->lss_i < c->lss_n) {
        uint64_t seq = c->lss[c->lss_i];
        int rv = store_load(c->store, seq, &c->msg, errmsg);
        if (rv == 0 && seq >= c->next_sseq) {
            *nx = (struct next){seq, 1, SRC_LSS};
            return NEXT_OK;
        }
        /* Gone since the list was made: go on with the next subject. */
        c->lss_i++;
        if (c->lss_i == c->lss_n) {
            struct consumer_cmd cmd = {.kind = CONSUMER_CMD_SKIP,
                                       .sseq = c->lss_resume + 1,
                                       .now_ns = wall_now(c)};
            consumer_apply(c, &cmd);
        }
    }
    int rv =
        store_load_next(c->store, filter_of(c), c->next_sseq, &c->msg, errmsg);
    if (rv == 0) {
        *nx = (struct next){c->msg.seq, 1, SRC_NEW};
        return NEXT_OK;
    }
    if (rv == BL_ENOENT) {
        /* Nothing matches up to the end: remember we looked, so the
         * delivered stream sequence moves on as in nats-server. */
        struct store_state st;
        store_state(c->store, &st);
        if (st.last_seq + 1 > c->next_sseq) {
            struct consumer_cmd cmd = {.kind = CONSUMER_CMD_SKIP,
                                       .sseq = st.last_seq + 1,
                                       .now_ns = wall_now(c)};
            consumer_apply(c, &cmd);
        }
    } else {
        bl_log_warn("js: consumer %s > %s: load next from %" PRIu64 ": %s",
                    c->stream_name, c->name, c->next_sseq, errmsg);
    }
    return NEXT_EMPTY;
}

static void commit_next(struct consumer *c, const struct next *nx)
{
    if (nx->src == SRC_RDQ) {
        rdq_pop(c);
    } else if (nx->src == SRC_LSS) {
        c->lss_i++;
        if (c->lss_i == c->lss_n) {
            /* Done with the list; resume after the stream's end at
             * creation (a SKIP after the DELIVERED below). */
        }
    }
}

/* Builds the headers-only form: the stored headers (or a bare version
 * line) plus Nats-Msg-Size with the payload length. */
static void headers_only(struct consumer *c, struct bl_slice hdr,
                         size_t data_len)
{
    struct bl_buf *b = &c->hdrbuf;
    bl_buf_clear(b);
    if (hdr.len >= 4) {
        bl_buf_append(b, hdr.p, hdr.len - 2); /* drop the final CRLF */
    } else {
        bl_buf_append_str(b, "NATS/1.0\r\n");
    }
    bl_buf_printf(b, "Nats-Msg-Size: %zu\r\n\r\n", data_len);
}

static void on_pace_timer(void *ctx)
{
    struct consumer *c = ctx;
    enter(c);
    stop_timer(c, &c->pace_timer);
    if (!c->closed)
        kick(c);
    leave(c);
}

/* Replay original and rate limit: returns true (and arms the pace timer)
 * when the message must wait. */
static bool must_wait(struct consumer *c, uint64_t now, uint64_t sz)
{
    uint64_t due = 0;
    if (c->replay && c->replay_last_ts > 0 &&
        c->msg.ts_ns > c->replay_last_ts) {
        uint64_t d = c->replay_last_mono + (c->msg.ts_ns - c->replay_last_ts);
        if (d > now + NS_PER_MS)
            due = d;
    }
    if (c->cfg.rate_limit_bps > 0 && c->rate_next_mono > now &&
        c->rate_next_mono > due)
        due = c->rate_next_mono;
    if (due == 0)
        return false;
    c->pace_timer = js_host_timer_start(
        c->host, ns_to_ms_ceil((int64_t)(due - now)), 0, on_pace_timer, c);
    return true;
}

static void deliver_loop(struct consumer *c)
{
    bool stalled = false;
    char reply[512];
    if (is_push(c)) {
        check_active(c);
        if (c->closed)
            return;
    } else if (c->wq_n > 0) {
        sync_with_stream(c);
    }
    for (;;) {
        if (c->closed)
            return;
        if (is_push(c)) {
            if (!c->active || (c->maxpb > 0 && c->pbytes > c->maxpb))
                break;
        } else if (c->wq_n == 0) {
            break;
        }
        if (c->pace_timer != NULL)
            break;
        struct next nx;
        enum next_rv nrv = next_msg(c, &nx);
        if (nrv == NEXT_STALLED)
            stalled = true;
        if (nrv != NEXT_OK)
            break;
        uint64_t pending = num_pending(c, false);
        if (nx.src != SRC_RDQ && pending > 0)
            pending--;
        uint64_t dseq = c->next_dseq;
        struct store_msg *m = &c->msg;
        int rn = snprintf(
            reply, sizeof reply,
            "%s%" PRIu64 ".%" PRIu64 ".%" PRIu64 ".%" PRIu64 ".%" PRIu64,
            c->ack_prefix, nx.dc, nx.sseq, dseq, m->ts_ns, pending);
        struct bl_slice rs = {reply, (size_t)rn};
        struct bl_slice hdr = m->hdr, data = m->data;
        if (c->cfg.headers_only) {
            headers_only(c, m->hdr, m->data.len);
            hdr = (struct bl_slice){c->hdrbuf.p, c->hdrbuf.len};
            data = (struct bl_slice){NULL, 0};
        }
        uint64_t sz = m->subject.len + rs.len + hdr.len + data.len;
        uint64_t now = mono_now(c);
        if (must_wait(c, now, sz))
            break;
        struct pull_req *req = NULL;
        bool req_done = false;
        struct bl_slice to;
        if (is_push(c)) {
            to = bl_slice_of(c->cfg.deliver_subject);
        } else {
            req = next_waiting(c, sz, &req_done);
            if (req == NULL || c->closed)
                break;
            to = (struct bl_slice){req->reply, req->reply_len};
        }
        commit_next(c, &nx);
        struct bl_slice body;
        if (data.len == 0)
            body = hdr;
        else if (hdr.len == 0)
            body = data;
        else if (hdr.p + hdr.len == data.p)
            body = (struct bl_slice){hdr.p, hdr.len + data.len};
        else {
            bl_buf_clear(&c->scratch);
            bl_buf_append(&c->scratch, hdr.p, hdr.len);
            bl_buf_append(&c->scratch, data.p, data.len);
            body = (struct bl_slice){c->scratch.p, c->scratch.len};
        }
        uint64_t sseq = nx.sseq, ts = m->ts_ns;
        send_msg(c, to, m->subject, rs, hdr.len, body);
        if (req != NULL) {
            if (req_done)
                req_free(req);
            else if (req->hb_ns > 0)
                req->hb_next_mono = now + req->hb_ns;
        }
        c->last_send_mono = now;
        c->last_activity_mono = now;
        if (c->replay) {
            c->replay_last_ts = ts;
            c->replay_last_mono = now;
        }
        if (c->cfg.rate_limit_bps > 0) {
            uint64_t base = c->rate_next_mono > now ? c->rate_next_mono : now;
            c->rate_next_mono =
                base + sz * 8ull * 1000000000ull / c->cfg.rate_limit_bps;
        }
        struct consumer_cmd cmd = {.kind = CONSUMER_CMD_DELIVERED,
                                   .sseq = sseq,
                                   .dseq = dseq,
                                   .dc = nx.dc,
                                   .now_ns = wall_now(c)};
        consumer_apply(c, &cmd);
        if (c->closed)
            return;
        if (nx.src == SRC_LSS && c->lss_i == c->lss_n) {
            struct consumer_cmd skip = {.kind = CONSUMER_CMD_SKIP,
                                        .sseq = c->lss_resume + 1,
                                        .now_ns = cmd.now_ns};
            consumer_apply(c, &skip);
        }
        if (c->replay && c->next_sseq > c->replay_lseq)
            c->replay = false;
        if (c->cfg.ack_policy != JS_ACK_NONE) {
            const struct pend *p = pend_get(c, sseq);
            if (p != NULL)
                ack_timer_for(c, p);
        }
        if (is_push(c))
            flow_control_sent(c, sz);
    }
    if (c->replay && c->next_sseq > c->replay_lseq)
        c->replay = false;
    if (!is_push(c) && c->wq_n > 0)
        process_waiting(c, !stalled, NULL);
}

static void kick(struct consumer *c)
{
    if (c->closed)
        return;
    if (c->in_kick) {
        c->kick_again = true;
        return;
    }
    enter(c);
    c->in_kick = true;
    do {
        c->kick_again = false;
        deliver_loop(c);
    } while (c->kick_again && !c->closed);
    c->in_kick = false;
    leave(c);
}

/* ---- Pull entry points ----------------------------------------------------
 */

int consumer_pull(struct consumer *c, struct bl_slice reply,
                  const struct js_pull_request *req)
{
    if (reply.len == 0)
        return BL_EINVAL;
    if (c->closed)
        return 0;
    enter(c);
    char status[128], dur[64];
    if (is_push(c)) {
        send_status(c, reply, "409 Consumer is push based", NULL);
        goto out;
    }
    int64_t batch = req->batch > 0 ? req->batch : 1;
    if (c->cfg.max_batch > 0 && batch > c->cfg.max_batch) {
        snprintf(status, sizeof status,
                 "409 Exceeded MaxRequestBatch of %" PRId64, c->cfg.max_batch);
        send_status(c, reply, status, NULL);
        goto out;
    }
    if (req->expires_ns > 0 && c->cfg.max_expires_ns > 0 &&
        req->expires_ns > c->cfg.max_expires_ns) {
        bl_duration_format(c->cfg.max_expires_ns, dur, sizeof dur);
        snprintf(status, sizeof status, "409 Exceeded MaxRequestExpires of %s",
                 dur);
        send_status(c, reply, status, NULL);
        goto out;
    }
    if (req->max_bytes > 0 && c->cfg.max_bytes > 0 &&
        req->max_bytes > c->cfg.max_bytes) {
        snprintf(status, sizeof status,
                 "409 Exceeded MaxRequestMaxBytes of %" PRId64,
                 c->cfg.max_bytes);
        send_status(c, reply, status, NULL);
        goto out;
    }
    sync_with_stream(c);
    size_t cap = c->cfg.max_waiting > 0 ? (size_t)c->cfg.max_waiting
                                        : JS_DEFAULT_MAX_WAITING;
    if (c->wq_n >= cap)
        process_waiting(c, false, NULL);
    uint64_t now = mono_now(c);
    if (req->no_wait) {
        uint64_t avail = num_pending(c, false) + rdq_len(c);
        if (avail == 0 && req->expires_ns <= 0) {
            c->last_activity_mono = now;
            send_status(c, reply, "404 No Messages", NULL);
            goto out;
        }
        if (avail > 0) {
            int64_t brp = 0;
            process_waiting(c, false, &brp);
            if ((int64_t)avail < brp) {
                c->last_activity_mono = now;
                send_status(c, reply, "408 Requests Pending", NULL);
                goto out;
            }
        }
    }
    if (c->wq_n >= cap) {
        send_status(c, reply, "409 Exceeded MaxWaiting", NULL);
        goto out;
    }
    struct pull_req *r = bl_xcalloc(1, sizeof(*r));
    r->reply = bl_xstrndup(reply.p, reply.len);
    r->reply_len = reply.len;
    r->n = batch;
    r->b = req->max_bytes > 0 ? req->max_bytes : 0;
    r->no_wait = req->no_wait;
    if (req->expires_ns > 0)
        r->expires_mono = now + (uint64_t)req->expires_ns;
    if (req->idle_heartbeat_ns > 0) {
        r->hb_ns = (uint64_t)req->idle_heartbeat_ns;
        r->hb_next_mono = now + r->hb_ns;
    }
    if (c->wq_n == c->wq_cap) {
        c->wq_cap = c->wq_cap ? c->wq_cap * 2 : 16;
        c->wq = bl_xrealloc(c->wq, c->wq_cap * sizeof(*c->wq));
    }
    c->wq[c->wq_n++] = r;
    c->last_activity_mono = now;
    kick(c);
    schedule_wait_timer(c);
out:
    leave(c);
    return 0;
}

int consumer_pull_msg(struct consumer *c, struct bl_slice reply,
                      struct bl_slice body)
{
    if (reply.len == 0)
        return BL_EINVAL;
    struct js_pull_request req;
    struct js_error err;
    js_error_clear(&err);
    if (js_pull_request_parse(&req, body.p, body.len, &err) != 0) {
        char status[JS_ERROR_DESC_SIZE + 32];
        snprintf(status, sizeof status, "400 Bad Request - %s",
                 err.description);
        enter(c);
        send_status(c, reply, status, NULL);
        leave(c);
        return 0;
    }
    return consumer_pull(c, reply, &req);
}

/* ---- Acks ------------------------------------------------------------------
 */

static bool parse_u64_tok(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s >= end || *s < '0' || *s > '9')
        return false;
    while (s < end && *s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s - '0');
        s++;
    }
    if (s < end) {
        if (*s != '.')
            return false;
        s++;
    }
    *p = s;
    *out = v;
    return true;
}

static bool starts_with(struct bl_slice s, const char *pre)
{
    size_t n = strlen(pre);
    return s.len >= n && memcmp(s.p, pre, n) == 0;
}

static struct bl_slice trim(struct bl_slice s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' ||
                         s.p[0] == '\n')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
                         s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
        s.len--;
    return s;
}

/* "-NAK", "-NAK {\"delay\": ns}" or "-NAK 5s". */
static bool nak_delay(struct consumer *c, struct bl_slice arg, int64_t *out)
{
    arg = trim(arg);
    if (arg.len == 0)
        return false;
    bool ok = false;
    if (arg.p[0] == '{') {
        json_t *obj = json_loadb(arg.p, arg.len, 0, NULL);
        json_t *d = obj ? json_object_get(obj, "delay") : NULL;
        if (obj != NULL && json_is_object(obj)) {
            ok = true;
            *out = json_is_integer(d) ? (int64_t)json_integer_value(d) : 0;
        }
        json_decref(obj);
    } else {
        ok = bl_duration_parse(arg.p, arg.len, out) == 0;
    }
    if (!ok)
        bl_log_warn("js: consumer %s > %s: bad NAK delay value %.*s",
                    c->stream_name, c->name, (int)arg.len, arg.p);
    return ok;
}

static void on_ack(void *ctx, const struct js_inmsg *m)
{
    struct consumer *c = ctx;
    enter(c);
    if (c->closed)
        goto out;
    uint64_t dc = 0, sseq = 0, dseq = 0, ts = 0, pend = 0;
    bool valid = false;
    if (m->subject.len > c->ack_prefix_len &&
        memcmp(m->subject.p, c->ack_prefix, c->ack_prefix_len) == 0) {
        const char *p = m->subject.p + c->ack_prefix_len;
        const char *end = m->subject.p + m->subject.len;
        valid = parse_u64_tok(&p, end, &dc) && parse_u64_tok(&p, end, &sseq) &&
                parse_u64_tok(&p, end, &dseq) && parse_u64_tok(&p, end, &ts) &&
                parse_u64_tok(&p, end, &pend) && p == end;
    }
    if (!valid)
        sseq = 0;
    size_t hl = m->hdr_len <= m->data.len ? m->hdr_len : m->data.len;
    struct bl_slice body = {m->data.p + hl, m->data.len - hl};
    struct consumer_cmd cmd = {
        .sseq = sseq, .dseq = dseq, .dc = dc, .now_ns = wall_now(c)};
    bool skip_reply = sseq == 0, applied = false, next = false;
    if (body.len == 0 || bl_slice_eq_str(body, "+ACK") ||
        bl_slice_eq_str(body, "+OK")) {
        cmd.kind = CONSUMER_CMD_ACK;
        applied = true;
    } else if (starts_with(body, "+NXT")) {
        cmd.kind = CONSUMER_CMD_ACK;
        applied = true;
        next = true;
        skip_reply = true;
    } else if (starts_with(body, "-NAK")) {
        cmd.kind = CONSUMER_CMD_NAK;
        applied = true;
        struct bl_slice arg = {body.p + 4, body.len - 4};
        cmd.has_delay = nak_delay(c, arg, &cmd.delay_ns);
    } else if (bl_slice_eq_str(body, "+WPI")) {
        cmd.kind = CONSUMER_CMD_PROGRESS;
        applied = true;
    } else if (bl_slice_eq_str(body, "+TERM") || starts_with(body, "+TERM ")) {
        cmd.kind = CONSUMER_CMD_TERM;
        applied = true;
    }
    bool changed = false;
    if (applied && sseq != 0) {
        bool was_stalled = c->cfg.max_ack_pending > 0 &&
                           c->pend_live >= (uint64_t)c->cfg.max_ack_pending;
        changed = consumer_apply(c, &cmd) == 0;
        if (c->closed)
            goto out;
        if (changed && cmd.kind == CONSUMER_CMD_NAK) {
            if (cmd.has_delay)
                arm_ack_timer(c, 10 * (int64_t)NS_PER_MS);
            else
                kick(c);
        } else if (changed && was_stalled &&
                   (cmd.kind == CONSUMER_CMD_ACK ||
                    cmd.kind == CONSUMER_CMD_TERM)) {
            kick(c);
        }
        if (c->pend_live == 0)
            stop_timer(c, &c->ack_timer);
    }
    if (c->closed)
        goto out;
    note_activity(c);
    if (m->reply.len > 0 && !skip_reply)
        publish(c, m->reply, (struct bl_slice){NULL, 0}, 0,
                (struct bl_slice){NULL, 0});
    if (next && !c->closed) {
        struct bl_slice rest = {body.p + 4, body.len - 4};
        if (m->reply.len > 0)
            consumer_pull_msg(c, m->reply, rest);
    }
out:
    leave(c);
}

/* ---- Stream hooks ----------------------------------------------------------
 */

void consumer_signal(struct consumer *c)
{
    if (c == NULL || c->closed)
        return;
    enter(c);
    sync_with_stream(c);
    kick(c);
    leave(c);
}

void consumer_purged(struct consumer *c, uint64_t first_seq)
{
    if (c == NULL || c->closed || first_seq == 0)
        return;
    struct consumer_cmd cmd = {
        .kind = CONSUMER_CMD_PURGED, .sseq = first_seq, .now_ns = wall_now(c)};
    consumer_apply(c, &cmd);
    if (c->pend_live == 0)
        stop_timer(c, &c->ack_timer);
}

bool consumer_needs_msg(const struct consumer *c, uint64_t seq)
{
    if (c == NULL || c->closed || seq <= c->ack_sseq)
        return false;
    if (seq < c->next_sseq) {
        if (c->cfg.ack_policy == JS_ACK_EXPLICIT)
            return pend_get(c, seq) != NULL;
        if (c->cfg.ack_policy == JS_ACK_NONE)
            return false;
    }
    /* Not yet delivered (or ack all within the window): only if ours. */
    if (c->cfg.filter_subject == NULL)
        return true;
    struct store_msg m;
    store_msg_init(&m);
    bool match = false;
    if (store_load(c->store, seq, &m, NULL) == 0)
        match = subject_matches(filter_of(c), m.subject);
    store_msg_close(&m);
    return match;
}

/* ---- Life cycle ------------------------------------------------------------
 */

static void select_start(struct consumer *c)
{
    struct store_state st;
    store_state(c->store, &st);
    uint64_t start;
    const struct js_consumer_config *cfg = &c->cfg;
    if (cfg->opt_start_seq != 0) {
        start = cfg->opt_start_seq;
    } else {
        switch (cfg->deliver_policy) {
        case JS_DELIVER_LAST:
            start = st.last_seq;
            if (cfg->filter_subject != NULL) {
                struct store_subject_state fs;
                store_filtered_state(c->store, filter_of(c), 1, &fs);
                start = fs.last_seq;
            }
            break;
        case JS_DELIVER_LAST_PER_SUBJECT: {
            struct lss_walk w = {0};
            store_subjects(c->store, filter_of(c), lss_collect, &w);
            if (w.n > 0) {
                qsort(w.seqs, w.n, sizeof(*w.seqs), cmp_u64);
                c->lss = w.seqs;
                c->lss_n = w.n;
                c->lss_i = 0;
                c->lss_resume = st.last_seq;
                start = w.seqs[0];
            } else {
                bl_free(w.seqs);
                start = st.last_seq;
            }
            break;
        }
        case JS_DELIVER_BY_START_TIME:
            start = cfg->has_opt_start_time && cfg->opt_start_time_ns > 0
                        ? store_seq_from_time(c->store,
                                              (uint64_t)cfg->opt_start_time_ns)
                        : st.first_seq;
            break;
        case JS_DELIVER_NEW:
            start = st.last_seq + 1;
            break;
        case JS_DELIVER_ALL:
        case JS_DELIVER_BY_START_SEQUENCE:
        default:
            start = st.first_seq;
            break;
        }
    }
    if (st.first_seq == 0)
        start = 1;
    else if (start < st.first_seq)
        start = st.first_seq;
    else if (start > st.last_seq)
        start = st.last_seq + 1;
    if (start == 0)
        start = 1;
    c->next_sseq = start;
    c->next_dseq = 1;
    c->ack_dseq = 0;
    c->ack_sseq = start - 1;
}

static int make_dir(const char *dir, char *errmsg)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    int rv = bl_err_from_errno(errno);
    bl_errmsg_set(errmsg, "mkdir %s: %s", dir, strerror(errno));
    return rv;
}

static void free_consumer(struct consumer *c)
{
    js_consumer_config_close(&c->cfg);
    bl_free(c->name);
    bl_free(c->stream_name);
    bl_free(c->state_dir);
    bl_free(c->ack_prefix);
    bl_free(c->pend);
    bl_free(c->rdq);
    bl_free(c->lss);
    bl_free(c->wq);
    store_msg_close(&c->msg);
    bl_buf_close(&c->hdrbuf);
    bl_buf_close(&c->scratch);
    bl_free(c);
}

int consumer_open(struct stream *s, const char *name,
                  const struct js_consumer_config *cfg,
                  const struct js_host *host, const char *state_dir,
                  uint64_t created_ns, struct consumer **out,
                  struct js_error *err, char *errmsg)
{
    struct consumer *c = bl_xcalloc(1, sizeof(*c));
    c->stream = s;
    c->store = stream_store(s);
    c->host = host;
    c->acc = stream_account(s);
    c->name = bl_xstrdup(name);
    c->stream_name = bl_xstrdup(stream_name(s));
    js_consumer_config_copy(&c->cfg, cfg);
    c->created_ns = created_ns;
    c->interest_retention = stream_config(s)->retention != JS_RETENTION_LIMITS;
    store_msg_init(&c->msg);
    bl_buf_init(&c->hdrbuf);
    bl_buf_init(&c->scratch);
    c->defer = bl_xcalloc(1, sizeof(*c->defer));
    c->defer->c = c;
    struct bl_buf b;
    bl_buf_init(&b);
    bl_buf_printf(&b, "$JS.ACK.%s.%s.", c->stream_name, c->name);
    c->ack_prefix_len = b.len;
    c->ack_prefix = bl_buf_steal(&b);

    int rv = 0;
    bool restored = false;
    if (state_dir != NULL) {
        c->state_dir = bl_xstrdup(state_dir);
        rv = make_dir(state_dir, errmsg);
        if (rv == 0) {
            rv = load_state(c, errmsg);
            restored = rv == 1;
            if (rv > 0)
                rv = 0;
        }
        if (rv != 0) {
            js_error_setf(err, JS_ERR_CONSUMER_STORE_FAILED, "%s",
                          bl_strerror(rv));
            goto fail;
        }
    }
    if (!restored) {
        select_start(c);
        mark_dirty(c);
    }
    c->last_activity_mono = mono_now(c);
    c->last_send_mono = c->last_activity_mono;

    bl_buf_printf(&b, "%s>", c->ack_prefix);
    c->ack_sub = js_host_subscribe(host, c->acc, b.p, NULL, on_ack, c);
    if (c->ack_sub == NULL) {
        rv = BL_EINVAL;
        bl_errmsg_set(errmsg, "subscribe %s: invalid subject", b.p);
        js_error_setf(err, JS_ERR_CONSUMER_CREATE, "%s", errmsg);
        goto fail;
    }
    if (is_push(c) && c->cfg.flow_control) {
        bl_buf_clear(&b);
        bl_buf_printf(&b, "$JS.FC.%s.%s.*", c->stream_name, c->name);
        c->fc_sub = js_host_subscribe(host, c->acc, b.p, NULL, on_fc_reply, c);
        if (c->fc_sub == NULL) {
            rv = BL_EINVAL;
            bl_errmsg_set(errmsg, "subscribe %s: invalid subject", b.p);
            js_error_setf(err, JS_ERR_CONSUMER_CREATE, "%s", errmsg);
            goto fail_ack;
        }
        c->maxpb = FC_MAX_PENDING / 16;
    }
    bl_buf_close(&b);
    if (c->cfg.replay_policy == JS_REPLAY_ORIGINAL) {
        struct store_state st;
        store_state(c->store, &st);
        c->replay = true;
        c->replay_lseq = st.last_seq;
    }
    stream_attach_consumer(s, c);
    if (c->pend_live > 0) {
        int64_t d = c->cfg.ack_wait_ns < RESTORE_CHECK_NS
                        ? c->cfg.ack_wait_ns + ACK_WAIT_DELAY_NS
                        : RESTORE_CHECK_NS;
        arm_ack_timer(c, d);
    }
    if (!is_push(c) && c->cfg.inactive_threshold_ns > 0)
        arm_del_timer(c, c->cfg.inactive_threshold_ns);
    if (is_push(c) && c->cfg.idle_heartbeat_ns > 0)
        arm_hb_timer(c, c->cfg.idle_heartbeat_ns);
    *out = c;
    enter(c);
    sync_with_stream(c);
    kick(c);
    leave(c);
    return 0;

fail_ack:
    js_host_unsubscribe(host, c->ack_sub);
fail:
    bl_buf_close(&b);
    bl_errmsg_prefix(errmsg, "open consumer %s > %s", c->stream_name, name);
    if (c->defer->pending)
        c->defer->c = NULL;
    else
        bl_free(c->defer);
    free_consumer(c);
    return rv;
}

void consumer_close(struct consumer *c, bool delete_state)
{
    if (c == NULL || c->closed)
        return;
    enter(c);
    c->closed = true;
    stop_timer(c, &c->ack_timer);
    stop_timer(c, &c->wait_timer);
    stop_timer(c, &c->interest_timer);
    stop_timer(c, &c->hb_timer);
    stop_timer(c, &c->pace_timer);
    stop_timer(c, &c->del_timer);
    js_host_unsubscribe(c->host, c->ack_sub);
    js_host_unsubscribe(c->host, c->fc_sub);
    c->ack_sub = c->fc_sub = NULL;
    stream_detach_consumer(c->stream, c);
    for (size_t i = 0; i < c->wq_n; i++) {
        struct pull_req *r = c->wq[i];
        if (delete_state)
            send_status(c, (struct bl_slice){r->reply, r->reply_len},
                        "409 Consumer Deleted", NULL);
        req_free(r);
    }
    c->wq_n = 0;
    if (c->state_dir != NULL) {
        if (delete_state) {
            char path[4096];
            path_of(path, sizeof path, c->state_dir, STATE_FILE);
            unlink(path);
            path_of(path, sizeof path, c->state_dir, STATE_TMP_FILE);
            unlink(path);
            rmdir(c->state_dir); /* fails harmlessly if others' files remain */
        } else {
            char errmsg[BL_ERRMSG_SIZE];
            if (consumer_flush(c, errmsg) != 0)
                bl_log_error("js: %s", errmsg);
        }
    }
    if (c->defer->pending)
        c->defer->c = NULL; /* the deferred call frees it */
    else
        bl_free(c->defer);
    c->defer = NULL;
    leave(c);
}

void consumer_set_on_delete(struct consumer *c, consumer_delete_cb cb,
                            void *ctx)
{
    c->on_delete = cb;
    c->on_delete_ctx = ctx;
}

/* ---- Accessors --------------------------------------------------------------
 */

const char *consumer_name(const struct consumer *c)
{
    return c->name;
}

const struct js_consumer_config *consumer_config(const struct consumer *c)
{
    return &c->cfg;
}

struct stream *consumer_stream(const struct consumer *c)
{
    return c->stream;
}

uint64_t consumer_created(const struct consumer *c)
{
    return c->created_ns;
}

bool consumer_is_active(const struct consumer *c)
{
    return is_push(c) && c->active;
}

void consumer_state(struct consumer *c, struct js_consumer_state *out)
{
    enter(c);
    if (!c->closed) {
        sync_with_stream(c);
        if (!is_push(c) && c->wq_n > 0)
            process_waiting(c, false, NULL);
    }
    memset(out, 0, sizeof(*out));
    out->delivered.consumer_seq = c->next_dseq - 1;
    out->delivered.stream_seq = c->next_sseq - 1;
    out->delivered.last_active_ns = c->delivered_last_ns;
    out->ack_floor.consumer_seq = c->ack_dseq;
    out->ack_floor.stream_seq = c->ack_sseq;
    out->ack_floor.last_active_ns = c->ack_last_ns;
    out->num_ack_pending = c->pend_live;
    out->num_redelivered = c->n_redelivered;
    out->num_waiting = c->wq_n;
    out->num_pending = num_pending(c, true);
    out->push_bound = is_push(c) && c->active;
    leave(c);
}

void consumer_info(struct consumer *c, struct js_consumer_info *out)
{
    consumer_state(c, &c->info_state);
    memset(out, 0, sizeof(*out));
    out->stream_name = c->stream_name;
    out->name = c->name;
    out->created_ns = c->created_ns;
    out->config = &c->cfg;
    out->state = &c->info_state;
}

int consumer_update(struct consumer *c, const struct js_consumer_config *cfg,
                    struct js_error *err)
{
    bool old_interest = false;
    if (c->cfg.deliver_subject != NULL && cfg->deliver_subject != NULL &&
        strcmp(c->cfg.deliver_subject, cfg->deliver_subject) != 0)
        old_interest = js_host_has_interest(
            c->host, c->acc, bl_slice_of(c->cfg.deliver_subject));
    int rv = js_consumer_config_check_update(&c->cfg, cfg, old_interest, err);
    if (rv != 0)
        return rv;
    struct js_consumer_config old = c->cfg;
    js_consumer_config_copy(&c->cfg, cfg);
    bool deliver_changed =
        old.deliver_subject != NULL && c->cfg.deliver_subject != NULL &&
        strcmp(old.deliver_subject, c->cfg.deliver_subject) != 0;
    bool thresh_changed =
        old.inactive_threshold_ns != c->cfg.inactive_threshold_ns;
    js_consumer_config_close(&old);
    enter(c);
    if (deliver_changed) {
        c->active = false;
        stop_timer(c, &c->interest_timer);
        stop_timer(c, &c->del_timer);
        check_active(c);
    }
    if (thresh_changed) {
        stop_timer(c, &c->del_timer);
        if (c->cfg.inactive_threshold_ns > 0) {
            if (!is_push(c))
                arm_del_timer(c, c->cfg.inactive_threshold_ns);
            else if (!c->active)
                arm_del_timer(c, c->cfg.inactive_threshold_ns);
        }
    }
    if (c->pend_live > 0)
        arm_ack_timer(c, ACK_WAIT_DELAY_NS);
    kick(c);
    leave(c);
    return 0;
}
