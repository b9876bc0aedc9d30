/* The stream state machine: see stream.h. Message semantics follow
 * nats-server 2.9's processJetStreamMsg and its stores' limit handling. */
#include "js/stream.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"
#include "subj/subject.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

/* Header names nats-server reads on a publish to a stream. */
#define HDR_MSG_ID "Nats-Msg-Id"
#define HDR_EXPECTED_STREAM "Nats-Expected-Stream"
#define HDR_EXPECTED_LAST_SEQ "Nats-Expected-Last-Sequence"
#define HDR_EXPECTED_LAST_SUBJ_SEQ "Nats-Expected-Last-Subject-Sequence"
#define HDR_EXPECTED_LAST_MSG_ID "Nats-Expected-Last-Msg-Id"
#define HDR_ROLLUP "Nats-Rollup"

/* Longest header block nats-server accepts in a stream (math.MaxUint16). */
#define MAX_HDR_LEN 65535u

/* The max_age timer fires at most this far apart. */
#define EXPIRE_INTERVAL_MAX_MS 1000u

/* One Nats-Msg-Id seen within the duplicate window. Entries sit in a hash
 * chain (lookup by id) and in a FIFO by arrival (pruning by age). An id
 * stored again after its window leaves the old entry in the FIFO with
 * in_hash false until it is pruned. */
struct dd_entry {
    char *id;
    uint64_t seq;
    uint64_t ts_ns;
    bool in_hash;
    struct dd_entry *hnext; /* hash chain */
    struct dd_entry *qnext; /* FIFO, oldest first */
};

struct dd_table {
    struct dd_entry **buckets;
    size_t n_buckets; /* a power of two */
    size_t n_hashed;
    struct dd_entry *head; /* oldest */
    struct dd_entry *tail;
};

/* A PubAck waiting for the group commit. */
struct pending_ack {
    char *reply; /* owned, NUL-terminated */
    size_t reply_len;
    uint64_t seq;
    bool duplicate;
    bool needs_sync;      /* success ack of a change the sync must cover */
    struct js_error *err; /* owned; NULL: success */
};

/* The deferred flush's context. The host cannot cancel a deferred call, so
 * a stream closed while its flush is scheduled leaves the token behind with
 * s = NULL for the callback to free. */
struct flush_token {
    struct stream *s;
    bool scheduled;
};

/* One group commit whose fsyncs run on the host's worker thread, with the
 * acks that wait for them. The host cannot cancel the blocking call, so the
 * batch outlives a stream closed meanwhile: stream_flush() (and so
 * stream_close()) makes the batch's changes durable itself, sends its acks
 * and sets s = NULL, leaving sync_done() only to end the job and free. */
struct sync_batch {
    struct stream *s;
    struct store_sync *job;   /* read by the worker; never changed */
    struct pending_ack *acks; /* owned */
    size_t n_acks;
    bool signal; /* consumers learn of new messages after it */
};

struct stream {
    struct js_stream_config cfg;
    struct store *st;
    const struct js_host *host;
    size_t acc;
    uint64_t sync_interval_ms; /* 0: fsync before every ack */
    uint64_t created_ns;
    char *domain;

    struct consumer **consumers;
    size_t n_consumers;
    size_t cap_consumers;

    struct dd_table dd;
    char *last_msg_id; /* Nats-Msg-Id of the last stored message, or NULL */

    struct pending_ack *acks;
    size_t n_acks;
    size_t cap_acks;
    bool dirty;    /* store changed since the last sync */
    bool new_msgs; /* messages appended since consumers were signalled */

    struct flush_token *flush;
    struct sync_batch *syncing; /* the group commit in flight, or NULL */
    struct js_timer *expire_timer;
    uint64_t expire_interval_ms;
    struct js_timer *sync_timer;

    struct store_msg scratch; /* loads inside apply */
};

/* ---- Headers ------------------------------------------------------------ */

bool stream_header_get(struct bl_slice hdr, const char *key,
                       struct bl_slice *value)
{
    size_t klen = strlen(key);
    const char *p = hdr.p;
    const char *end = hdr.p + hdr.len;
    if (hdr.len == 0 || klen == 0)
        return false;
    /* Skip the status line; every key starts right after a CRLF. */
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return false;
        p = nl + 1;
        if (nl == hdr.p || nl[-1] != '\r')
            continue;
        if ((size_t)(end - p) <= klen || memcmp(p, key, klen) != 0 ||
            p[klen] != ':')
            continue;
        const char *v = p + klen + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = v;
        while (ve < end && !(*ve == '\r' && ve + 1 < end && ve[1] == '\n'))
            ve++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        value->p = v;
        value->len = (size_t)(ve - v);
        return true;
    }
}

/* A header value as nats-server's getHeader sees it: absent or empty both
 * mean "not there". */
static bool header_nonempty(struct bl_slice hdr, const char *key,
                            struct bl_slice *value)
{
    return stream_header_get(hdr, key, value) && value->len > 0;
}

/* nats-server's parseInt64 cast to uint64: anything but plain digits that
 * fit is -1, i.e. UINT64_MAX, which matches no sequence. */
static uint64_t parse_seq(struct bl_slice v)
{
    uint64_t n = 0;
    if (v.len == 0 || v.len > 19)
        return UINT64_MAX;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return UINT64_MAX;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    return n;
}

/* ---- Duplicate window --------------------------------------------------- */

static uint64_t hash_slice(struct bl_slice s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void dd_init(struct dd_table *t)
{
    memset(t, 0, sizeof(*t));
    t->n_buckets = 64;
    t->buckets = bl_xcalloc(t->n_buckets, sizeof(*t->buckets));
}

static void dd_close(struct dd_table *t)
{
    struct dd_entry *e = t->head;
    while (e != NULL) {
        struct dd_entry *next = e->qnext;
        bl_free(e->id);
        bl_free(e);
        e = next;
    }
    bl_free(t->buckets);
    memset(t, 0, sizeof(*t));
}

static struct dd_entry *dd_find(const struct dd_table *t, struct bl_slice id)
{
    struct dd_entry *e = t->buckets[hash_slice(id) & (t->n_buckets - 1)];
    for (; e != NULL; e = e->hnext)
        if (bl_slice_eq_str(id, e->id))
            return e;
    return NULL;
}

static void dd_unhash(struct dd_table *t, struct dd_entry *e)
{
    struct dd_entry **pp =
        &t->buckets[hash_slice(bl_slice_of(e->id)) & (t->n_buckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    e->in_hash = false;
    t->n_hashed--;
}

static void dd_grow(struct dd_table *t)
{
    size_t n = t->n_buckets * 2;
    struct dd_entry **b = bl_xcalloc(n, sizeof(*b));
    for (size_t i = 0; i < t->n_buckets; i++) {
        struct dd_entry *e = t->buckets[i];
        while (e != NULL) {
            struct dd_entry *next = e->hnext;
            size_t k = hash_slice(bl_slice_of(e->id)) & (n - 1);
            e->hnext = b[k];
            b[k] = e;
            e = next;
        }
    }
    bl_free(t->buckets);
    t->buckets = b;
    t->n_buckets = n;
}

static void dd_store(struct dd_table *t, struct bl_slice id, uint64_t seq,
                     uint64_t ts_ns)
{
    struct dd_entry *old = dd_find(t, id);
    if (old != NULL)
        dd_unhash(t, old);
    if (t->n_hashed + 1 > t->n_buckets * 2)
        dd_grow(t);
    struct dd_entry *e = bl_xcalloc(1, sizeof(*e));
    e->id = bl_xstrndup(id.p, id.len);
    e->seq = seq;
    e->ts_ns = ts_ns;
    e->in_hash = true;
    size_t k = hash_slice(id) & (t->n_buckets - 1);
    e->hnext = t->buckets[k];
    t->buckets[k] = e;
    t->n_hashed++;
    if (t->tail != NULL)
        t->tail->qnext = e;
    else
        t->head = e;
    t->tail = e;
}

/* Drops the entries whose window has passed at `now_ns`. Entries arrive in
 * time order, so pruning stops at the first one still inside. */
static void dd_prune(struct dd_table *t, uint64_t now_ns, uint64_t window_ns)
{
    while (t->head != NULL) {
        struct dd_entry *e = t->head;
        if (now_ns < e->ts_ns || now_ns - e->ts_ns < window_ns)
            break;
        t->head = e->qnext;
        if (t->head == NULL)
            t->tail = NULL;
        if (e->in_hash)
            dd_unhash(t, e);
        bl_free(e->id);
        bl_free(e);
    }
}

/* The entry for `id` if it is still within the window at `now_ns`. */
static const struct dd_entry *dd_check(const struct dd_table *t,
                                       struct bl_slice id, uint64_t now_ns,
                                       uint64_t window_ns)
{
    const struct dd_entry *e = dd_find(t, id);
    if (e == NULL)
        return NULL;
    if (now_ns >= e->ts_ns && now_ns - e->ts_ns >= window_ns)
        return NULL;
    return e;
}

/* ---- Small helpers ------------------------------------------------------ */

static uint64_t dup_window_ns(const struct stream *s)
{
    return s->cfg.duplicate_window_ns > 0
               ? (uint64_t)s->cfg.duplicate_window_ns
               : (uint64_t)JS_DEFAULT_DUPLICATE_WINDOW_NS;
}

static void set_last_msg_id(struct stream *s, struct bl_slice id)
{
    bl_free(s->last_msg_id);
    s->last_msg_id = id.len > 0 ? bl_xstrndup(id.p, id.len) : NULL;
}

static bool consumer_wants_subject(const struct consumer *c,
                                   struct bl_slice subject)
{
    const struct js_consumer_config *cc = consumer_config(c);
    if (cc == NULL || cc->filter_subject == NULL)
        return true;
    return subject_matches(bl_slice_of(cc->filter_subject), subject);
}

static void store_fail(struct stream_result *res, int rv, enum js_err ctx,
                       const char *errmsg)
{
    js_error_from_bl(&res->err, rv, ctx, errmsg[0] ? errmsg : NULL);
}

/* Tells the consumers a purge of `filter` (empty: all subjects) happened,
 * each with the first sequence left that its own filter matches. (nats-server
 * passes every consumer the first left of the purge's filter, which makes an
 * unfiltered consumer skip other subjects' messages; we do not copy that.) */
static void notify_purged(struct stream *s, struct bl_slice filter)
{
    struct store_state st;
    store_state(s->st, &st);
    for (size_t i = 0; i < s->n_consumers; i++) {
        struct consumer *c = s->consumers[i];
        const struct js_consumer_config *cc = consumer_config(c);
        struct bl_slice cf = bl_slice_of(cc ? cc->filter_subject : NULL);
        if (filter.len > 0 && cf.len > 0 && !subject_overlaps(filter, cf))
            continue;
        uint64_t fseq = st.first_seq;
        if (cf.len > 0) {
            struct store_subject_state ss;
            store_filtered_state(s->st, cf, st.first_seq, &ss);
            fseq = ss.msgs > 0 ? ss.first_seq : st.last_seq + 1;
        }
        consumer_purged(c, fseq);
    }
}

/* Discard-old enforcement after an append or a config change: the oldest
 * messages go while max_msgs or max_bytes is exceeded. */
static int enforce_limits(struct stream *s, uint64_t *n_removed, char *errmsg)
{
    struct store_state st;
    for (;;) {
        store_state(s->st, &st);
        bool over =
            (s->cfg.max_msgs > 0 && st.msgs > (uint64_t)s->cfg.max_msgs) ||
            (s->cfg.max_bytes > 0 && st.bytes > (uint64_t)s->cfg.max_bytes);
        if (!over || st.msgs == 0)
            return 0;
        int rv = store_remove(s->st, st.first_seq, false, errmsg);
        if (rv != 0)
            return rv;
        (*n_removed)++;
        s->dirty = true;
    }
}

/* Keeps at most max_msgs_per_subject messages of `subject`. */
static int enforce_subject_limit(struct stream *s, struct bl_slice subject,
                                 uint64_t *n_removed, char *errmsg)
{
    if (s->cfg.max_msgs_per_subject <= 0)
        return 0;
    uint64_t max = (uint64_t)s->cfg.max_msgs_per_subject;
    struct store_subject_state ss;
    store_subject_state(s->st, subject, &ss);
    if (ss.msgs <= max)
        return 0;
    uint64_t n = 0;
    int rv = store_purge(s->st, subject, 0, max, &n, errmsg);
    *n_removed += n;
    s->dirty = true;
    return rv;
}

struct over_subject {
    char **subjects;
    size_t n, cap;
    uint64_t max;
};

static int collect_over(void *ctx, struct bl_slice subject,
                        const struct store_subject_state *st)
{
    struct over_subject *o = ctx;
    if (st->msgs <= o->max)
        return 0;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->subjects = bl_xrealloc(o->subjects, o->cap * sizeof(char *));
    }
    o->subjects[o->n++] = bl_xstrndup(subject.p, subject.len);
    return 0;
}

/* After a config update: every subject over max_msgs_per_subject. */
static int enforce_all_subject_limits(struct stream *s, uint64_t *n_removed,
                                      char *errmsg)
{
    if (s->cfg.max_msgs_per_subject <= 0)
        return 0;
    struct over_subject o = {NULL, 0, 0, (uint64_t)s->cfg.max_msgs_per_subject};
    store_subjects(s->st, (struct bl_slice){"", 0}, collect_over, &o);
    int rv = 0;
    for (size_t i = 0; i < o.n; i++) {
        if (rv == 0)
            rv = enforce_subject_limit(s, bl_slice_of(o.subjects[i]), n_removed,
                                       errmsg);
        bl_free(o.subjects[i]);
    }
    bl_free(o.subjects);
    return rv;
}

/* nats-server's PurgeEx: an unfiltered purge with keep is a compact to
 * last - keep + 1, one with seq a compact to seq; everything else is the
 * store's filtered purge. */
static int do_purge(struct stream *s, struct bl_slice filter, uint64_t seq,
                    uint64_t keep, uint64_t *n_purged, char *errmsg)
{
    struct store_state st;
    store_state(s->st, &st);
    *n_purged = 0;
    s->dirty = true;
    if (filter.len == 0 || bl_slice_eq_str(filter, ">")) {
        if (keep > 0) {
            if (keep >= st.msgs)
                return 0;
            return store_compact(s->st, st.last_seq - keep + 1, n_purged,
                                 errmsg);
        }
        if (seq > 1)
            return store_compact(s->st, seq, n_purged, errmsg);
        return store_purge(s->st, (struct bl_slice){"", 0}, 0, 0, n_purged,
                           errmsg);
    }
    return store_purge(s->st, filter, seq, keep, n_purged, errmsg);
}

/* ---- Apply -------------------------------------------------------------- */

/* Fills res->err with STREAM_STORE_FAILED and one of the store's limit
 * texts. */
static int refuse_store(struct stream_result *res, const char *what)
{
    js_error_setf(&res->err, JS_ERR_STREAM_STORE_FAILED, "%s", what);
    return BL_EINVAL;
}

/* Discard-new checks, as the stores of nats-server make them before
 * storing. */
static int check_discard_new(struct stream *s, struct bl_slice subject,
                             uint64_t size, struct stream_result *res)
{
    const struct js_stream_config *c = &s->cfg;
    if (c->discard != JS_DISCARD_NEW)
        return 0;
    struct store_state st;
    store_state(s->st, &st);
    struct store_subject_state ss = {0, 0, 0};
    bool at_subject_limit = false;
    if (c->max_msgs_per_subject > 0) {
        store_subject_state(s->st, subject, &ss);
        at_subject_limit = ss.msgs >= (uint64_t)c->max_msgs_per_subject;
    }
    if (at_subject_limit && c->discard_new_per_subject)
        return refuse_store(res, "maximum messages per subject exceeded");
    /* At the per-subject limit the new message replaces the subject's
     * oldest, so the stream does not grow. */
    if (c->max_msgs > 0 && st.msgs >= (uint64_t)c->max_msgs &&
        !at_subject_limit)
        return refuse_store(res, "maximum messages exceeded");
    if (c->max_bytes > 0 && st.bytes + size > (uint64_t)c->max_bytes) {
        if (!at_subject_limit)
            return refuse_store(res, "maximum bytes exceeded");
        char errmsg[BL_ERRMSG_SIZE] = "";
        if (store_load(s->st, ss.first_seq, &s->scratch, errmsg) != 0 ||
            store_msg_size(s->scratch.subject.len, s->scratch.hdr.len,
                           s->scratch.data.len) < size)
            return refuse_store(res, "maximum bytes exceeded");
    }
    return 0;
}

static int apply_msg(struct stream *s, const struct stream_cmd *cmd,
                     struct stream_result *res)
{
    const struct js_stream_config *c = &s->cfg;
    struct bl_slice subject = cmd->u.msg.subject;
    size_t hdr_len = cmd->u.msg.hdr_len;
    uint64_t ts = cmd->u.msg.ts_ns;
    if (hdr_len > cmd->u.msg.data.len)
        hdr_len = cmd->u.msg.data.len;
    struct bl_slice hdr = {cmd->u.msg.data.p, hdr_len};
    struct bl_slice payload = {cmd->u.msg.data.p + hdr_len,
                               cmd->u.msg.data.len - hdr_len};
    struct bl_slice msg_id = {"", 0};
    bool rollup_sub = false, rollup_all = false;
    struct bl_slice v;
    struct store_state st;
    char errmsg[BL_ERRMSG_SIZE] = "";

    if (c->sealed) {
        js_error_set(&res->err, JS_ERR_STREAM_SEALED);
        return BL_EINVAL;
    }
    store_state(s->st, &st);
    dd_prune(&s->dd, ts, dup_window_ns(s));

    if (hdr.len > 0) {
        if (header_nonempty(hdr, HDR_EXPECTED_STREAM, &v) &&
            !bl_slice_eq_str(v, c->name)) {
            js_error_set(&res->err, JS_ERR_STREAM_NOT_MATCH);
            return BL_EINVAL;
        }
        if (header_nonempty(hdr, HDR_MSG_ID, &msg_id)) {
            const struct dd_entry *e =
                dd_check(&s->dd, msg_id, ts, dup_window_ns(s));
            if (e != NULL) {
                res->seq = e->seq;
                res->duplicate = true;
                return 0;
            }
        } else {
            msg_id.len = 0;
        }
        if (header_nonempty(hdr, HDR_EXPECTED_LAST_SUBJ_SEQ, &v)) {
            struct store_subject_state ss;
            store_subject_state(s->st, subject, &ss);
            uint64_t last = ss.msgs > 0 ? ss.last_seq : 0;
            if (parse_seq(v) != last) {
                js_error_setf(&res->err, JS_ERR_STREAM_WRONG_LAST_SEQUENCE,
                              "%" PRIu64, last);
                return BL_EINVAL;
            }
        }
        if (header_nonempty(hdr, HDR_EXPECTED_LAST_SEQ, &v) &&
            parse_seq(v) != st.last_seq) {
            js_error_setf(&res->err, JS_ERR_STREAM_WRONG_LAST_SEQUENCE,
                          "%" PRIu64, st.last_seq);
            return BL_EINVAL;
        }
        if (header_nonempty(hdr, HDR_EXPECTED_LAST_MSG_ID, &v) &&
            !bl_slice_eq_str(v, s->last_msg_id ? s->last_msg_id : "")) {
            js_error_setf(&res->err, JS_ERR_STREAM_WRONG_LAST_MSG_ID, "%s",
                          s->last_msg_id ? s->last_msg_id : "");
            return BL_EINVAL;
        }
        if (header_nonempty(hdr, HDR_ROLLUP, &v)) {
            if (!c->allow_rollup_hdrs || c->deny_purge) {
                js_error_setf(&res->err, JS_ERR_STREAM_ROLLUP_FAILED, "%s",
                              "rollup not permitted");
                return BL_EINVAL;
            }
            /* nats-server lowercases the value. */
            if (v.len == 3 && strncasecmp(v.p, "sub", 3) == 0) {
                rollup_sub = true;
            } else if (v.len == 3 && strncasecmp(v.p, "all", 3) == 0) {
                rollup_all = true;
            } else {
                /* nats-server drops such a message without a reply; we
                 * answer so the client does not wait for a timeout. */
                js_error_setf(&res->err, JS_ERR_STREAM_ROLLUP_FAILED,
                              "rollup value invalid: \"%.*s\"", (int)v.len,
                              v.p);
                return BL_EINVAL;
            }
        }
    }

    if (c->max_msg_size >= 0 &&
        hdr.len + payload.len > (uint64_t)c->max_msg_size) {
        js_error_set(&res->err, JS_ERR_STREAM_MESSAGE_EXCEEDS_MAXIMUM);
        return BL_EINVAL;
    }
    if (hdr.len > MAX_HDR_LEN) {
        js_error_set(&res->err, JS_ERR_STREAM_HEADER_EXCEEDS_MAXIMUM);
        return BL_EINVAL;
    }

    /* An interest stream does not keep what no consumer would get: the
     * sequence is used up and acknowledged, but nothing is stored. */
    if (c->retention == JS_RETENTION_INTEREST) {
        bool interest = false;
        for (size_t i = 0; i < s->n_consumers && !interest; i++)
            interest = consumer_wants_subject(s->consumers[i], subject);
        if (!interest) {
            int rv = store_skip_to(s->st, st.last_seq + 1, ts, errmsg);
            if (rv != 0) {
                store_fail(res, rv, JS_ERR_STREAM_STORE_FAILED, errmsg);
                return rv;
            }
            s->dirty = true;
            res->seq = st.last_seq + 1;
            set_last_msg_id(s, msg_id);
            if (msg_id.len > 0)
                dd_store(&s->dd, msg_id, res->seq, ts);
            return 0;
        }
    }

    uint64_t size = store_msg_size(subject.len, hdr.len, payload.len);
    if (check_discard_new(s, subject, size, res) != 0)
        return BL_EINVAL;

    uint64_t seq = 0;
    int rv = store_append(s->st, subject, hdr, payload, ts, &seq, errmsg);
    if (rv != 0) {
        store_fail(res, rv, JS_ERR_STREAM_STORE_FAILED, errmsg);
        return rv;
    }
    s->dirty = true;
    s->new_msgs = true;
    res->seq = seq;
    set_last_msg_id(s, msg_id);
    if (msg_id.len > 0)
        dd_store(&s->dd, msg_id, seq, ts);

    /* The message is stored; what follows only trims older ones, so a
     * failure there is logged, not reported as a failed publish. */
    rv = enforce_subject_limit(s, subject, &res->n_removed, errmsg);
    if (rv == 0)
        rv = enforce_limits(s, &res->n_removed, errmsg);
    if (rv == 0 && (rollup_sub || rollup_all)) {
        uint64_t n = 0;
        struct bl_slice filter =
            rollup_sub ? subject : (struct bl_slice){"", 0};
        rv = do_purge(s, filter, 0, 1, &n, errmsg);
        res->n_removed += n;
        if (rv == 0)
            notify_purged(s, filter);
    }
    if (rv != 0)
        bl_log_warn("js: stream %s: enforcing limits after seq %" PRIu64 ": %s",
                    c->name, seq, errmsg);
    return 0;
}

static int apply_delete(struct stream *s, uint64_t seq, bool erase,
                        struct stream_result *res)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    if (s->cfg.sealed) {
        js_error_set(&res->err, JS_ERR_STREAM_SEALED);
        return BL_EINVAL;
    }
    if (s->cfg.deny_delete) {
        js_error_setf(&res->err, JS_ERR_STREAM_MSG_DELETE_FAILED, "%s",
                      "message delete not permitted");
        return BL_EINVAL;
    }
    int rv = store_remove(s->st, seq, erase, errmsg);
    if (rv == BL_ENOENT) {
        /* nats-server's three answers: past the end the store reports EOF,
         * below the first message "no message found", and a hole inside
         * the range is "sequence not found". */
        struct store_state st;
        store_state(s->st, &st);
        if (seq > st.last_seq)
            js_error_setf(&res->err, JS_ERR_STREAM_MSG_DELETE_FAILED, "%s",
                          "stream store EOF");
        else if (st.msgs == 0 || seq < st.first_seq)
            js_error_setf(&res->err, JS_ERR_STREAM_MSG_DELETE_FAILED, "%s",
                          "no message found");
        else
            js_error_setf(&res->err, JS_ERR_SEQUENCE_NOT_FOUND, "%" PRIu64,
                          seq);
        return BL_EINVAL;
    }
    s->dirty = true;
    if (rv != 0) {
        store_fail(res, rv, JS_ERR_STREAM_MSG_DELETE_FAILED, errmsg);
        return rv;
    }
    res->seq = seq;
    res->n_removed = 1;
    return 0;
}

static int apply_purge(struct stream *s, const struct js_purge_request *req,
                       struct stream_result *res)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    if (s->cfg.sealed) {
        js_error_set(&res->err, JS_ERR_STREAM_SEALED);
        return BL_EINVAL;
    }
    if (s->cfg.deny_purge) {
        js_error_setf(&res->err, JS_ERR_STREAM_PURGE_FAILED, "%s",
                      "stream purge not permitted");
        return BL_EINVAL;
    }
    if (req->seq > 0 && req->keep > 0) {
        js_error_setf(&res->err, JS_ERR_STREAM_PURGE_FAILED, "%s",
                      "sequence > 1 && keep > 0 not allowed");
        return BL_EINVAL;
    }
    struct bl_slice filter = bl_slice_of(req->filter);
    int rv = do_purge(s, filter, req->seq, req->keep, &res->n_removed, errmsg);
    if (rv != 0) {
        store_fail(res, rv, JS_ERR_STREAM_PURGE_FAILED, errmsg);
        return rv;
    }
    notify_purged(s, filter);
    return 0;
}

static void expire_cb(void *ctx);

/* Starts, restarts or stops the max_age timer to match the config. Timers
 * are not state: every replica runs its own. */
static void reconfigure_expire_timer(struct stream *s)
{
    uint64_t want = 0;
    if (s->cfg.max_age_ns > 0) {
        want = (uint64_t)s->cfg.max_age_ns / 1000000u;
        if (want > EXPIRE_INTERVAL_MAX_MS)
            want = EXPIRE_INTERVAL_MAX_MS;
        if (want == 0)
            want = 1;
    }
    if (want == s->expire_interval_ms &&
        (want == 0) == (s->expire_timer == NULL))
        return;
    js_host_timer_stop(s->host, s->expire_timer);
    s->expire_timer = NULL;
    s->expire_interval_ms = want;
    if (want > 0)
        s->expire_timer =
            js_host_timer_start(s->host, want, want, expire_cb, s);
}

static int apply_update(struct stream *s, const struct js_stream_config *cfg,
                        struct stream_result *res)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct js_stream_config copy;
    js_stream_config_copy(&copy, cfg);
    js_stream_config_close(&s->cfg);
    s->cfg = copy;
    /* Lowered limits take effect at once, oldest first, whatever the
     * discard policy (nats-server's store UpdateConfig). */
    int rv = enforce_all_subject_limits(s, &res->n_removed, errmsg);
    if (rv == 0)
        rv = enforce_limits(s, &res->n_removed, errmsg);
    if (rv != 0) {
        bl_log_warn("js: stream %s: enforcing new limits: %s", s->cfg.name,
                    errmsg);
    }
    reconfigure_expire_timer(s);
    return 0;
}

static int apply_expire(struct stream *s, uint64_t now_ns,
                        struct stream_result *res)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    dd_prune(&s->dd, now_ns, dup_window_ns(s));
    if (s->cfg.max_age_ns <= 0 || now_ns < (uint64_t)s->cfg.max_age_ns)
        return 0;
    struct store_state st;
    store_state(s->st, &st);
    if (st.msgs == 0)
        return 0;
    /* A message expires once ts <= now - max_age, as in nats-server. */
    uint64_t cutoff = now_ns - (uint64_t)s->cfg.max_age_ns;
    uint64_t keep_from = store_seq_from_time(s->st, cutoff + 1);
    if (keep_from <= st.first_seq)
        return 0;
    int rv = store_compact(s->st, keep_from, &res->n_removed, errmsg);
    s->dirty = true;
    if (rv != 0) {
        store_fail(res, rv, JS_ERR_STREAM_GENERAL, errmsg);
        return rv;
    }
    return 0;
}

static int apply_remove_acked(struct stream *s, uint64_t seq,
                              struct stream_result *res)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv = store_remove(s->st, seq, false, errmsg);
    res->seq = seq;
    if (rv == BL_ENOENT)
        return 0; /* already gone: limits, expiry or another ack */
    s->dirty = true;
    if (rv != 0) {
        store_fail(res, rv, JS_ERR_STREAM_MSG_DELETE_FAILED, errmsg);
        return rv;
    }
    res->n_removed = 1;
    return 0;
}

int stream_apply(struct stream *s, const struct stream_cmd *cmd,
                 struct stream_result *res)
{
    memset(res, 0, sizeof(*res));
    switch (cmd->kind) {
    case STREAM_CMD_MSG:
        return apply_msg(s, cmd, res);
    case STREAM_CMD_DELETE_MSG:
        return apply_delete(s, cmd->u.del.seq, cmd->u.del.erase, res);
    case STREAM_CMD_PURGE:
        return apply_purge(s, cmd->u.purge, res);
    case STREAM_CMD_UPDATE:
        return apply_update(s, cmd->u.update, res);
    case STREAM_CMD_EXPIRE:
        return apply_expire(s, cmd->u.expire.now_ns, res);
    case STREAM_CMD_REMOVE_ACKED:
        return apply_remove_acked(s, cmd->u.remove_acked.seq, res);
    }
    js_error_set(&res->err, JS_ERR_BAD_REQUEST);
    return BL_EINVAL;
}

/* ---- Timers and group commit -------------------------------------------- */

static void expire_cb(void *ctx)
{
    struct stream *s = ctx;
    struct stream_cmd cmd = {.kind = STREAM_CMD_EXPIRE};
    struct stream_result res;
    cmd.u.expire.now_ns = bl_clock_wall_ns(s->host->clock);
    if (stream_apply(s, &cmd, &res) != 0)
        bl_log_error("js: stream %s: expiring messages: %s", s->cfg.name,
                     res.err.description);
}

static void sync_cb(void *ctx)
{
    struct stream *s = ctx;
    char errmsg[BL_ERRMSG_SIZE] = "";
    if (!s->dirty)
        return;
    s->dirty = false;
    int rv = store_sync(s->st, errmsg);
    if (rv != 0) {
        s->dirty = true;
        bl_log_error("js: stream %s: interval sync failed, will retry: %s",
                     s->cfg.name, errmsg);
    }
}

static void free_ack_list(struct pending_ack *acks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bl_free(acks[i].reply);
        bl_free(acks[i].err);
    }
    bl_free(acks);
}

static void signal_consumers(struct stream *s)
{
    if (s->n_consumers == 0)
        return;
    /* A consumer may detach itself (or another) while handling the
     * signal: walk a copy. */
    size_t n = s->n_consumers;
    struct consumer *stack[16];
    struct consumer **list =
        n <= 16 ? stack : bl_xmalloc(n * sizeof(struct consumer *));
    memcpy(list, s->consumers, n * sizeof(struct consumer *));
    for (size_t i = 0; i < n; i++) {
        bool still = false;
        for (size_t j = 0; j < s->n_consumers && !still; j++)
            still = s->consumers[j] == list[i];
        if (still)
            consumer_signal(list[i]);
    }
    if (list != stack)
        bl_free(list);
}

/* Moves the queued acks out of the stream. Publishing may run subscribers
 * synchronously, which may publish to this stream again and queue more
 * acks: the caller works on its own batch. */
static void take_acks(struct stream *s, struct pending_ack **acks, size_t *n)
{
    *acks = s->acks;
    *n = s->n_acks;
    s->acks = NULL;
    s->n_acks = 0;
    s->cap_acks = 0;
}

/* Publishes a batch of acks in order and frees it. rv != 0 is the failed
 * sync that was to cover them: the acks of stored changes become error
 * acks with errmsg. */
static void send_acks(struct stream *s, struct pending_ack *acks, size_t n,
                      int rv, const char *errmsg)
{
    struct bl_buf body;
    bl_buf_init(&body);
    for (size_t i = 0; i < n; i++) {
        struct pending_ack *a = &acks[i];
        if (rv != 0 && a->err == NULL && a->needs_sync) {
            a->err = bl_xmalloc(sizeof(*a->err));
            js_error_from_bl(a->err, rv, JS_ERR_STREAM_STORE_FAILED, errmsg);
        }
        bl_buf_clear(&body);
        if (a->err != NULL)
            js_puback_error_render(&body, s->cfg.name, a->err);
        else
            js_puback_render(&body, s->cfg.name, s->domain, a->seq,
                             a->duplicate);
        js_host_publish(
            s->host, s->acc, (struct bl_slice){a->reply, a->reply_len},
            (struct bl_slice){"", 0}, 0, (struct bl_slice){body.p, body.len});
    }
    free_ack_list(acks, n);
    bl_buf_close(&body);
}

static void log_sync_failure(struct stream *s, size_t n_acks,
                             const char *errmsg)
{
    bl_log_error("js: stream %s: sync failed, %zu publishes get an error "
                 "ack: %s",
                 s->cfg.name, n_acks, errmsg);
}

/* Sends the queued acks now, their changes being durable already (or not
 * needing it), and tells consumers about new messages. */
static void send_queued(struct stream *s, int rv, const char *errmsg)
{
    struct pending_ack *acks;
    size_t n;
    take_acks(s, &acks, &n);
    send_acks(s, acks, n, rv, errmsg);
    if (s->new_msgs) {
        s->new_msgs = false;
        signal_consumers(s);
    }
}

static void group_commit(struct stream *s);

/* Worker thread: only the job, never the stream. */
static void sync_work(void *ctx)
{
    struct sync_batch *b = ctx;
    store_sync_run(b->job);
}

static void sync_done(void *ctx)
{
    struct sync_batch *b = ctx;
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv = store_sync_end(b->job, errmsg);
    struct stream *s = b->s;
    if (s == NULL) {
        /* stream_flush() already synced and acked this batch. */
        bl_free(b);
        return;
    }
    assert(s->syncing == b);
    s->syncing = NULL;
    if (rv != 0)
        log_sync_failure(s, b->n_acks, errmsg);
    send_acks(s, b->acks, b->n_acks, rv, errmsg);
    bool signal = b->signal;
    bl_free(b);
    /* What arrived during the fsync is the next batch: one sync for all
     * of it. Started before the consumers run, which may do anything. */
    group_commit(s);
    if (signal)
        signal_consumers(s);
}

/* The group commit (sync_interval_ms == 0): one sync for every change
 * since the last one, its fsyncs on a worker thread; the acks go out when
 * it completes. While one is in flight, new acks wait for the next. */
static void group_commit(struct stream *s)
{
    if (s->syncing != NULL)
        return; /* sync_done() continues */
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct store_sync *job = NULL;
    int rv = 0;
    if (s->dirty) {
        s->dirty = false;
        rv = store_sync_begin(s->st, &job, errmsg);
        if (rv != 0) {
            s->dirty = true;
            log_sync_failure(s, s->n_acks, errmsg);
        }
    }
    if (job == NULL) {
        send_queued(s, rv, errmsg);
        return;
    }
    struct sync_batch *b = bl_xcalloc(1, sizeof(*b));
    b->s = s;
    b->job = job;
    take_acks(s, &b->acks, &b->n_acks);
    b->signal = s->new_msgs;
    s->new_msgs = false;
    s->syncing = b;
    /* The host may call sync_done() before returning: b is gone then. */
    js_host_run_blocking(s->host, sync_work, sync_done, b);
}

/* stream_flush(); `signal` false at close, when the consumers are going
 * away too. */
static void flush_now(struct stream *s, bool signal)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv = 0;
    struct sync_batch *b = s->syncing;
    if (s->sync_interval_ms == 0 && (s->dirty || b != NULL)) {
        /* The batch in flight first: its job's fsyncs again, here, as
         * the worker may not have done them yet. */
        if (b != NULL)
            rv = store_sync_repeat(b->job, errmsg);
        s->dirty = false;
        if (rv == 0)
            rv = store_sync(s->st, errmsg);
        if (rv != 0) {
            s->dirty = true;
            log_sync_failure(s, s->n_acks + (b ? b->n_acks : 0), errmsg);
        }
    }
    if (b != NULL) {
        s->syncing = NULL;
        b->s = NULL; /* sync_done() only ends the job */
        s->new_msgs |= b->signal && signal;
        struct pending_ack *acks = b->acks;
        b->acks = NULL;
        send_acks(s, acks, b->n_acks, rv, errmsg);
        b->n_acks = 0;
    }
    if (!signal)
        s->new_msgs = false;
    send_queued(s, rv, errmsg);
}

void stream_flush(struct stream *s)
{
    flush_now(s, true);
}

static void flush_cb(void *ctx)
{
    struct flush_token *t = ctx;
    t->scheduled = false;
    if (t->s == NULL) {
        bl_free(t);
        return;
    }
    if (t->s->sync_interval_ms > 0)
        send_queued(t->s, 0, "");
    else
        group_commit(t->s);
}

static void schedule_flush(struct stream *s)
{
    if (s->flush->scheduled)
        return;
    s->flush->scheduled = true;
    js_host_defer(s->host, flush_cb, s->flush);
}

static void queue_ack(struct stream *s, struct bl_slice reply,
                      const struct stream_result *res, bool needs_sync)
{
    if (s->n_acks == s->cap_acks) {
        s->cap_acks = s->cap_acks ? s->cap_acks * 2 : 16;
        s->acks = bl_xrealloc(s->acks, s->cap_acks * sizeof(*s->acks));
    }
    struct pending_ack *a = &s->acks[s->n_acks++];
    a->reply = bl_xstrndup(reply.p, reply.len);
    a->reply_len = reply.len;
    a->seq = res->seq;
    a->duplicate = res->duplicate;
    a->needs_sync = needs_sync;
    a->err = NULL;
    if (res->err.id != JS_ERR_NONE) {
        a->err = bl_xmalloc(sizeof(*a->err));
        *a->err = res->err;
    }
}

int stream_process_msg(struct stream *s, const struct js_inmsg *m,
                       uint64_t now_ns)
{
    struct stream_cmd cmd = {.kind = STREAM_CMD_MSG};
    struct stream_result res;
    struct store_state st;

    /* The store assumes timestamps never go backwards along the sequence;
     * a wall clock stepped back must not break max_age or time lookups. */
    store_state(s->st, &st);
    if (now_ns < st.last_ts_ns)
        now_ns = st.last_ts_ns;
    cmd.u.msg.subject = m->subject;
    cmd.u.msg.reply = m->reply;
    cmd.u.msg.hdr_len = m->hdr_len;
    cmd.u.msg.data = m->data;
    cmd.u.msg.ts_ns = now_ns;
    int rv = stream_apply(s, &cmd, &res);
    if (rv != 0 && rv != BL_EINVAL)
        bl_log_error("js: stream %s: storing a message failed: %s%s%s",
                     s->cfg.name, res.err.description,
                     res.err.detail[0] ? ": " : "", res.err.detail);
    bool reply = m->reply.len > 0 && !s->cfg.no_ack;
    if (reply)
        queue_ack(s, m->reply, &res, rv == 0);
    if (reply || s->new_msgs || s->dirty)
        schedule_flush(s);
    return rv;
}

/* ---- Life cycle --------------------------------------------------------- */

struct rebuild_ctx {
    struct stream *s;
    uint64_t last_seq;
};

static int rebuild_one(void *ctx, const struct store_msg *m)
{
    struct rebuild_ctx *r = ctx;
    struct bl_slice id = {"", 0};
    if (m->hdr.len > 0 && header_nonempty(m->hdr, HDR_MSG_ID, &id))
        dd_store(&r->s->dd, id, m->seq, m->ts_ns);
    else
        id.len = 0;
    if (m->seq == r->last_seq)
        set_last_msg_id(r->s, id);
    return 0;
}

/* The duplicate window and the last Nats-Msg-Id come back from the stored
 * messages of the last window, as nats-server's rebuildDedupe does. */
static void rebuild_dedupe(struct stream *s)
{
    struct store_state st;
    char errmsg[BL_ERRMSG_SIZE] = "";
    store_state(s->st, &st);
    if (st.msgs == 0)
        return;
    uint64_t now = bl_clock_wall_ns(s->host->clock);
    uint64_t window = dup_window_ns(s);
    uint64_t from =
        now > window ? store_seq_from_time(s->st, now - window) : st.first_seq;
    if (from > st.last_seq && st.last_seq >= st.first_seq)
        from = st.last_seq; /* still learn the last message's id */
    struct rebuild_ctx r = {s, st.last_seq};
    int rv = store_iter(s->st, from, rebuild_one, &r, errmsg);
    if (rv != 0)
        bl_log_warn("js: stream %s: rebuilding the duplicate window: %s",
                    s->cfg.name, errmsg);
}

int stream_open(const struct js_stream_config *cfg, struct store *st,
                const struct js_host *host, size_t acc,
                uint64_t sync_interval_ms, struct stream **out, char *errmsg)
{
    (void)errmsg;
    struct stream *s = bl_xcalloc(1, sizeof(*s));
    js_stream_config_copy(&s->cfg, cfg);
    s->st = st;
    s->host = host;
    s->acc = acc;
    s->sync_interval_ms = sync_interval_ms;
    s->created_ns = bl_clock_wall_ns(host->clock);
    dd_init(&s->dd);
    store_msg_init(&s->scratch);
    s->flush = bl_xcalloc(1, sizeof(*s->flush));
    s->flush->s = s;
    rebuild_dedupe(s);
    reconfigure_expire_timer(s);
    if (sync_interval_ms > 0)
        s->sync_timer = js_host_timer_start(host, sync_interval_ms,
                                            sync_interval_ms, sync_cb, s);
    *out = s;
    return 0;
}

/* Everything but the store. */
static void stream_free(struct stream *s)
{
    js_host_timer_stop(s->host, s->expire_timer);
    js_host_timer_stop(s->host, s->sync_timer);
    if (s->flush->scheduled)
        s->flush->s = NULL; /* flush_cb frees it */
    else
        bl_free(s->flush);
    if (s->syncing != NULL) {
        /* stream_delete(): the batch's acks are dropped with the rest;
         * sync_done() only ends the job. */
        s->syncing->s = NULL;
        free_ack_list(s->syncing->acks, s->syncing->n_acks);
        s->syncing->acks = NULL;
        s->syncing->n_acks = 0;
    }
    free_ack_list(s->acks, s->n_acks);
    dd_close(&s->dd);
    bl_free(s->last_msg_id);
    bl_free(s->consumers);
    bl_free(s->domain);
    store_msg_close(&s->scratch);
    js_stream_config_close(&s->cfg);
    bl_free(s);
}

void stream_close(struct stream *s)
{
    if (s == NULL)
        return;
    flush_now(s, false); /* consumers are going away too: no signals */
    store_close(s->st);
    stream_free(s);
}

int stream_delete(struct stream *s, char *errmsg)
{
    if (s == NULL)
        return 0;
    int rv = store_delete(s->st, errmsg);
    stream_free(s);
    return rv;
}

/* ---- Accessors ---------------------------------------------------------- */

const char *stream_name(const struct stream *s)
{
    return s->cfg.name;
}

const struct js_stream_config *stream_config(const struct stream *s)
{
    return &s->cfg;
}

struct store *stream_store(struct stream *s)
{
    return s->st;
}

size_t stream_account(const struct stream *s)
{
    return s->acc;
}

const struct js_host *stream_host(const struct stream *s)
{
    return s->host;
}

void stream_set_created(struct stream *s, uint64_t created_ns)
{
    s->created_ns = created_ns;
}

uint64_t stream_created(const struct stream *s)
{
    return s->created_ns;
}

void stream_set_domain(struct stream *s, const char *domain)
{
    bl_free(s->domain);
    s->domain = domain && domain[0] ? bl_xstrdup(domain) : NULL;
}

void stream_state(struct stream *s, struct js_stream_state *out)
{
    struct store_state st;
    store_state(s->st, &st);
    memset(out, 0, sizeof(*out));
    out->msgs = st.msgs;
    out->bytes = st.bytes;
    out->first_seq = st.last_seq == 0 && st.msgs == 0 ? 0 : st.first_seq;
    out->first_ts_ns = st.msgs > 0 ? st.first_ts_ns : 0;
    out->last_seq = st.last_seq;
    out->last_ts_ns = st.last_ts_ns;
    out->num_subjects = st.num_subjects;
    out->num_deleted = st.num_deleted;
    out->consumer_count = s->n_consumers;
}

void stream_info(struct stream *s, struct js_stream_info *out,
                 struct js_stream_state *state)
{
    stream_state(s, state);
    memset(out, 0, sizeof(*out));
    out->config = &s->cfg;
    out->created_ns = s->created_ns;
    out->state = state;
}

/* ---- Consumers ---------------------------------------------------------- */

void stream_attach_consumer(struct stream *s, struct consumer *c)
{
    for (size_t i = 0; i < s->n_consumers; i++)
        if (s->consumers[i] == c)
            return;
    if (s->n_consumers == s->cap_consumers) {
        s->cap_consumers = s->cap_consumers ? s->cap_consumers * 2 : 4;
        s->consumers =
            bl_xrealloc(s->consumers, s->cap_consumers * sizeof(*s->consumers));
    }
    s->consumers[s->n_consumers++] = c;
}

void stream_detach_consumer(struct stream *s, struct consumer *c)
{
    for (size_t i = 0; i < s->n_consumers; i++) {
        if (s->consumers[i] == c) {
            memmove(&s->consumers[i], &s->consumers[i + 1],
                    (s->n_consumers - i - 1) * sizeof(*s->consumers));
            s->n_consumers--;
            return;
        }
    }
}

size_t stream_n_consumers(const struct stream *s)
{
    return s->n_consumers;
}

struct consumer *stream_consumer_at(const struct stream *s, size_t i)
{
    assert(i < s->n_consumers);
    return s->consumers[i];
}

static bool anyone_needs(const struct stream *s, uint64_t seq)
{
    for (size_t i = 0; i < s->n_consumers; i++)
        if (consumer_needs_msg(s->consumers[i], seq))
            return true;
    return false;
}

static void remove_acked(struct stream *s, uint64_t seq)
{
    struct stream_cmd cmd = {.kind = STREAM_CMD_REMOVE_ACKED};
    struct stream_result res;
    cmd.u.remove_acked.seq = seq;
    if (stream_apply(s, &cmd, &res) != 0)
        bl_log_error("js: stream %s: removing acked seq %" PRIu64 ": %s",
                     s->cfg.name, seq, res.err.description);
}

void stream_msg_acked(struct stream *s, uint64_t seq)
{
    struct store_state st;
    if (s->cfg.retention == JS_RETENTION_LIMITS)
        return;
    store_state(s->st, &st);
    if (seq < st.first_seq || seq > st.last_seq)
        return;
    if (s->cfg.retention == JS_RETENTION_INTEREST && anyone_needs(s, seq))
        return;
    remove_acked(s, seq);
}

uint64_t stream_check_interest(struct stream *s)
{
    if (s->cfg.retention != JS_RETENTION_INTEREST)
        return 0;
    struct store_state st;
    store_state(s->st, &st);
    uint64_t n = 0;
    uint64_t seq = st.first_seq;
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct store_msg m;
    store_msg_init(&m);
    /* Walk the live messages only; holes are skipped by the store. */
    while (seq <= st.last_seq) {
        int rv =
            store_load_next(s->st, (struct bl_slice){"", 0}, seq, &m, errmsg);
        if (rv != 0)
            break;
        seq = m.seq + 1;
        if (!anyone_needs(s, m.seq)) {
            remove_acked(s, m.seq);
            n++;
        }
    }
    store_msg_close(&m);
    return n;
}

/* ---- Client operations -------------------------------------------------- */

int stream_get_msg(struct stream *s, const struct js_msg_get_request *req,
                   struct store_msg *buf, struct js_stored_msg *out,
                   struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv;
    if (req->seq > 0 && req->next_by_subj == NULL)
        rv = store_load(s->st, req->seq, buf, errmsg);
    else if (req->next_by_subj != NULL)
        rv = store_load_next(s->st, bl_slice_of(req->next_by_subj), req->seq,
                             buf, errmsg);
    else if (req->last_by_subj != NULL)
        rv =
            store_load_last(s->st, bl_slice_of(req->last_by_subj), buf, errmsg);
    else
        rv = BL_ENOENT;
    if (rv == BL_ENOENT) {
        js_error_set(err, JS_ERR_NO_MESSAGE_FOUND);
        return rv;
    }
    if (rv != 0) {
        js_error_from_bl(err, rv, JS_ERR_STREAM_GENERAL, errmsg);
        return rv;
    }
    memset(out, 0, sizeof(*out));
    /* Callers want the subject as a C string: copy it, NUL-terminated, to
     * the end of the message's own buffer, then re-point the slices in case
     * the append moved the bytes. */
    const char *base = buf->buf.p;
    size_t subj_off = (size_t)(buf->subject.p - base);
    size_t hdr_off = buf->hdr.len ? (size_t)(buf->hdr.p - base) : 0;
    size_t data_off = buf->data.len ? (size_t)(buf->data.p - base) : 0;
    size_t off = buf->buf.len;
    size_t subj_len = buf->subject.len;
    /* Grow first: the subject is copied from the same buffer. */
    bl_buf_reserve(&buf->buf, subj_len + 1);
    base = buf->buf.p;
    bl_buf_append(&buf->buf, base + subj_off, subj_len);
    bl_buf_append(&buf->buf, "", 1);
    base = buf->buf.p;
    buf->subject.p = base + subj_off;
    if (buf->hdr.len)
        buf->hdr.p = base + hdr_off;
    if (buf->data.len)
        buf->data.p = base + data_off;
    out->subject = base + off;
    out->seq = buf->seq;
    out->time_ns = buf->ts_ns;
    out->hdrs = buf->hdr.p;
    out->hdrs_len = buf->hdr.len;
    out->data = buf->data.p;
    out->data_len = buf->data.len;
    return 0;
}

int stream_delete_msg(struct stream *s, uint64_t seq, bool erase,
                      struct js_error *err)
{
    struct stream_cmd cmd = {.kind = STREAM_CMD_DELETE_MSG};
    struct stream_result res;
    cmd.u.del.seq = seq;
    cmd.u.del.erase = erase;
    int rv = stream_apply(s, &cmd, &res);
    if (rv != 0)
        *err = res.err;
    return rv;
}

int stream_purge(struct stream *s, const struct js_purge_request *req,
                 uint64_t *n_purged, struct js_error *err)
{
    struct stream_cmd cmd = {.kind = STREAM_CMD_PURGE};
    struct stream_result res;
    cmd.u.purge = req;
    int rv = stream_apply(s, &cmd, &res);
    if (rv != 0) {
        *err = res.err;
        return rv;
    }
    *n_purged = res.n_removed;
    return 0;
}

int stream_update_config(struct stream *s, struct js_stream_config *cfg,
                         struct js_error *err)
{
    int rv = js_stream_config_check_update(&s->cfg, cfg, err);
    if (rv != 0)
        return rv;
    struct stream_cmd cmd = {.kind = STREAM_CMD_UPDATE};
    struct stream_result res;
    cmd.u.update = cfg;
    rv = stream_apply(s, &cmd, &res);
    if (rv != 0)
        *err = res.err;
    return rv;
}
