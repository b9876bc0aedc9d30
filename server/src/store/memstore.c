/* Memory store: each message is one heap allocation that the index slot
 * points to. The reference implementation of the store semantics. */
#include "store/internal.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <string.h>

struct memmsg {
    uint64_t ts_ns;
    uint32_t subject_len;
    uint32_t hdr_len;
    uint32_t data_len;
    char bytes[]; /* subject, hdr, data */
};

struct memstore {
    struct store s;
    struct store_core core;
};

static struct memmsg *msg_at(const struct store_slot *sl)
{
    return (struct memmsg *)(uintptr_t)sl->loc;
}

static int ms_read(struct store *s, uint64_t seq, const struct store_slot *sl,
                   struct store_msg *m, char *errmsg)
{
    struct memmsg *mm = msg_at(sl);
    store__msg_fill(m, seq, mm->ts_ns, mm->bytes, mm->subject_len,
                    mm->bytes + mm->subject_len, mm->hdr_len,
                    mm->bytes + mm->subject_len + mm->hdr_len, mm->data_len);
    return 0;
}

static int ms_read_ts(struct store *s, uint64_t seq,
                      const struct store_slot *sl, uint64_t *ts_ns)
{
    *ts_ns = msg_at(sl)->ts_ns;
    return 0;
}

static int ms_remove_batch(struct store *s, const uint64_t *seqs, size_t n,
                           bool erase, char *errmsg)
{
    for (size_t i = 0; i < n; i++) {
        struct store_slot sl;
        store__core_remove(s->core, seqs[i], &sl);
        struct memmsg *mm = msg_at(&sl);
        if (erase)
            memset(mm->bytes, 0,
                   (size_t)mm->subject_len + mm->hdr_len + mm->data_len);
        bl_free(mm);
    }
    return 0;
}

static const struct store_backend ms_backend = {
    .read = ms_read,
    .read_ts = ms_read_ts,
    .remove_batch = ms_remove_batch,
};

static int ms_append(struct store *s, uint64_t seq, struct bl_slice subject,
                     struct bl_slice hdr, struct bl_slice data,
                     uint64_t ts_ns, uint64_t *seq_out, char *errmsg)
{
    int rv = store__check_append(s->core, seq, subject, hdr, data, &seq,
                                 errmsg);
    if (rv != 0)
        return rv;
    size_t n = subject.len + hdr.len + data.len;
    struct memmsg *mm = bl_xmalloc(sizeof(*mm) + n);
    mm->ts_ns = ts_ns;
    mm->subject_len = (uint32_t)subject.len;
    mm->hdr_len = (uint32_t)hdr.len;
    mm->data_len = (uint32_t)data.len;
    memcpy(mm->bytes, subject.p, subject.len);
    if (hdr.len > 0)
        memcpy(mm->bytes + subject.len, hdr.p, hdr.len);
    if (data.len > 0)
        memcpy(mm->bytes + subject.len + hdr.len, data.p, data.len);
    store__core_add(s->core, seq, subject,
                    (uint32_t)store_msg_size(subject.len, hdr.len, data.len),
                    (uint64_t)(uintptr_t)mm, ts_ns);
    if (seq_out != NULL)
        *seq_out = seq;
    return 0;
}

static int ms_skip_to(struct store *s, uint64_t seq, uint64_t ts_ns,
                      char *errmsg)
{
    if (seq < s->core->last_seq) {
        bl_errmsg_set(errmsg, "skip to %llu below last sequence %llu",
                      (unsigned long long)seq,
                      (unsigned long long)s->core->last_seq);
        return BL_EINVAL;
    }
    store__core_skip(s->core, seq, ts_ns);
    return 0;
}

static int ms_compact(struct store *s, uint64_t seq, uint64_t *n_purged,
                      char *errmsg)
{
    int rv = store__remove_below(s, seq, n_purged, errmsg);
    if (rv != 0)
        return rv;
    if (seq > s->core->last_seq + 1)
        store__core_skip(s->core, seq - 1, s->core->last_ts);
    return 0;
}

static int ms_truncate(struct store *s, uint64_t seq, char *errmsg)
{
    struct store_core *c = s->core;
    int bad = store__check_truncate(c, seq, errmsg);
    if (bad != 0)
        return bad;
    int rv = store__remove_above(s, seq, errmsg);
    if (rv != 0)
        return rv;
    uint64_t ts = c->last_ts;
    struct store_slot *sl = seqidx_get(&c->ix, seq);
    if (sl != NULL)
        ts = msg_at(sl)->ts_ns;
    c->last_seq = seq;
    c->last_ts = ts;
    if (c->msgs == 0)
        c->first_seq = seq + 1;
    return 0;
}

static int ms_sync(struct store *s, char *errmsg)
{
    return 0;
}

static int ms_sync_begin(struct store *s, struct store_sync **out,
                         char *errmsg)
{
    (void)s;
    (void)errmsg;
    *out = NULL; /* nothing ever needs an fsync */
    return 0;
}

static void ms_close(struct store *s)
{
    struct memstore *ms = container_of(s, struct memstore, s);
    struct store_core *c = &ms->core;
    for (uint64_t seq = c->first_seq;; seq++) {
        seq = seqidx_next(&c->ix, seq, c->last_seq);
        if (seq == 0)
            break;
        bl_free(msg_at(seqidx_get(&c->ix, seq)));
    }
    store__core_close(c);
    bl_free(ms);
}

static int ms_destroy(struct store *s, char *errmsg)
{
    ms_close(s);
    return 0;
}

static const struct store_ops ms_ops = {
    .append = ms_append,
    .skip_to = ms_skip_to,
    .load = store__load,
    .load_next = store__load_next,
    .load_prev = store__load_prev,
    .remove = store__remove,
    .purge = store__purge,
    .compact = ms_compact,
    .truncate = ms_truncate,
    .sync = ms_sync,
    .close = ms_close,
    .destroy = ms_destroy,
    .sync_begin = ms_sync_begin,
};

int memstore_new(const struct store_cfg *cfg, struct store **out)
{
    struct memstore *ms = bl_xcalloc(1, sizeof(*ms));
    ms->s.ops = &ms_ops;
    ms->s.kind = STORE_MEMORY;
    ms->s.core = &ms->core;
    store__core_init(&ms->core, &ms->s, &ms_backend, cfg);
    *out = &ms->s;
    return 0;
}
