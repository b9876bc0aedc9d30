/* Counters, subject table and the operations both stores share: loads by
 * sequence and filter, removal and purge selection, state queries. The
 * backend only knows where bytes live (struct store_backend). */
#include "store/internal.h"

#include "ballast/err.h"
#include "ballast/mem.h"
#include "subj/subject.h"

#include <assert.h>
#include <string.h>

/* Sequences handed to the backend per remove_batch() call in a purge. */
#define PURGE_BATCH 4096

void store_msg_init(struct store_msg *m)
{
    memset(m, 0, sizeof(*m));
    bl_buf_init(&m->buf);
}

void store_msg_close(struct store_msg *m)
{
    if (m == NULL)
        return;
    bl_buf_close(&m->buf);
    memset(m, 0, sizeof(*m));
}

void store__msg_fill(struct store_msg *m, uint64_t seq, uint64_t ts_ns,
                     const char *subject, uint32_t subject_len,
                     const char *hdr, uint32_t hdr_len, const char *data,
                     uint32_t data_len)
{
    bl_buf_clear(&m->buf);
    bl_buf_reserve(&m->buf, (size_t)subject_len + hdr_len + data_len + 1);
    bl_buf_append(&m->buf, subject, subject_len);
    bl_buf_append(&m->buf, hdr, hdr_len);
    bl_buf_append(&m->buf, data, data_len);
    const char *p = m->buf.p;
    m->seq = seq;
    m->ts_ns = ts_ns;
    m->subject = (struct bl_slice){p, subject_len};
    m->hdr = (struct bl_slice){p + subject_len, hdr_len};
    m->data = (struct bl_slice){p + subject_len + hdr_len, data_len};
}

/* ---- subject table ---- */

static void subjtab_init(struct subjtab *t)
{
    memset(t, 0, sizeof(*t));
    bl_map_init(&t->map);
}

static void subjtab_close(struct subjtab *t)
{
    for (uint32_t i = 0; i < t->n_ids; i++) {
        if (t->by_id[i] != NULL)
            bl_free(t->by_id[i]->seqs);
        bl_free(t->by_id[i]);
    }
    bl_free(t->by_id);
    bl_free(t->free_ids);
    bl_map_close(&t->map);
    memset(t, 0, sizeof(*t));
}

static struct subj *subjtab_intern(struct subjtab *t, struct bl_slice name)
{
    struct subj *sj = bl_map_get(&t->map, name);
    if (sj != NULL)
        return sj;
    sj = bl_xcalloc(1, sizeof(*sj) + name.len + 1);
    memcpy(sj->name, name.p, name.len);
    sj->name_len = (uint32_t)name.len;
    if (t->n_free > 0) {
        sj->id = t->free_ids[--t->n_free];
    } else {
        if (t->n_ids == t->cap_ids) {
            t->cap_ids = t->cap_ids ? t->cap_ids * 2 : 64;
            t->by_id = bl_xrealloc(t->by_id, t->cap_ids * sizeof(*t->by_id));
        }
        sj->id = t->n_ids++;
    }
    t->by_id[sj->id] = sj;
    bl_map_put(&t->map, name, sj);
    return sj;
}

static void subjtab_drop(struct subjtab *t, struct subj *sj)
{
    bl_map_del(&t->map, (struct bl_slice){sj->name, sj->name_len});
    t->by_id[sj->id] = NULL;
    if (t->n_free == t->cap_free) {
        t->cap_free = t->cap_free ? t->cap_free * 2 : 64;
        t->free_ids = bl_xrealloc(t->free_ids,
                                  t->cap_free * sizeof(*t->free_ids));
    }
    t->free_ids[t->n_free++] = sj->id;
    bl_free(sj->seqs);
    bl_free(sj);
}

struct subj *store__subj_of(const struct store_core *c, uint32_t sid)
{
    return sid < c->subjs.n_ids ? c->subjs.by_id[sid] : NULL;
}

static struct subj *subj_lookup(const struct store_core *c,
                                struct bl_slice name)
{
    return bl_map_get(&c->subjs.map, name);
}

static void subj_push(struct subj *sj, uint64_t seq)
{
    if (sj->end == sj->cap) {
        if (sj->head > 0 && sj->head * 2 >= sj->cap) {
            /* Mostly consumed from the front: slide instead of growing. */
            memmove(sj->seqs, sj->seqs + sj->head,
                    (sj->end - sj->head) * sizeof(*sj->seqs));
            sj->end -= sj->head;
            sj->head = 0;
        } else {
            sj->cap = sj->cap ? sj->cap * 2 : 4;
            sj->seqs = bl_xrealloc(sj->seqs, sj->cap * sizeof(*sj->seqs));
        }
    }
    sj->seqs[sj->end++] = seq;
}

/* Drops tombstones at both ends, so seqs[head] and seqs[end-1] are live. */
static void subj_trim(struct subj *sj)
{
    while (sj->head < sj->end && (sj->seqs[sj->head] & SUBJ_TOMB)) {
        sj->head++;
        sj->n_dead--;
    }
    while (sj->end > sj->head && (sj->seqs[sj->end - 1] & SUBJ_TOMB)) {
        sj->end--;
        sj->n_dead--;
    }
    if (sj->n_dead > 16 && sj->n_dead > sj->n_msgs) {
        size_t k = 0;
        for (size_t i = sj->head; i < sj->end; i++)
            if (!(sj->seqs[i] & SUBJ_TOMB))
                sj->seqs[k++] = sj->seqs[i];
        sj->head = 0;
        sj->end = k;
        sj->n_dead = 0;
    }
}

/* Index of the first entry whose sequence is >= seq (tombstones count by
 * their sequence). */
static size_t subj_lower(const struct subj *sj, uint64_t seq)
{
    size_t lo = sj->head, hi = sj->end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((sj->seqs[mid] & ~SUBJ_TOMB) < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void subj_remove_seq(struct subj *sj, uint64_t seq)
{
    size_t i = subj_lower(sj, seq);
    assert(i < sj->end && sj->seqs[i] == seq);
    sj->seqs[i] |= SUBJ_TOMB;
    sj->n_dead++;
    subj_trim(sj);
}

static uint64_t subj_first(struct store_core *c, struct subj *sj)
{
    return sj->n_msgs > 0 ? sj->seqs[sj->head] : 0;
}

static uint64_t subj_last(struct store_core *c, struct subj *sj)
{
    return sj->n_msgs > 0 ? sj->seqs[sj->end - 1] : 0;
}

/* First live sequence of sj that is >= seq, or 0. */
static uint64_t subj_next(const struct subj *sj, uint64_t seq)
{
    for (size_t i = subj_lower(sj, seq); i < sj->end; i++)
        if (!(sj->seqs[i] & SUBJ_TOMB))
            return sj->seqs[i];
    return 0;
}

/* Last live sequence of sj that is <= seq, or 0. */
static uint64_t subj_prev(const struct subj *sj, uint64_t seq)
{
    size_t i = seq == UINT64_MAX ? sj->end : subj_lower(sj, seq + 1);
    while (i-- > sj->head)
        if (!(sj->seqs[i] & SUBJ_TOMB))
            return sj->seqs[i];
    return 0;
}

/* Live sequences of sj that are >= seq, and the first of them. */
static uint64_t subj_count_from(const struct subj *sj, uint64_t seq,
                                uint64_t *first)
{
    size_t i = subj_lower(sj, seq);
    uint64_t n = sj->end - i;
    if (sj->n_dead > 0)
        for (size_t k = i; k < sj->end; k++)
            n -= (sj->seqs[k] & SUBJ_TOMB) != 0;
    *first = subj_next(sj, seq);
    return n;
}

/* ---- matcher ---- */

void store__matcher_init(struct store_core *c, struct matcher *m,
                         struct bl_slice filter)
{
    memset(m, 0, sizeof(*m));
    m->filter = filter;
    if (filter.len == 0 || bl_slice_eq_str(filter, ">")) {
        m->all = true;
    } else if (subject_is_literal(filter)) {
        m->literal = true;
        m->lit = subj_lookup(c, filter);
    } else {
        m->gen = ++c->subjs.gen;
    }
}

bool store__matches(struct store_core *c, struct matcher *m, uint32_t sid)
{
    if (m->all)
        return true;
    if (m->literal)
        return m->lit != NULL && m->lit->id == sid;
    struct subj *sj = store__subj_of(c, sid);
    if (sj == NULL)
        return false;
    if (sj->match_gen != m->gen) {
        sj->match_gen = m->gen;
        sj->match = subject_matches(m->filter,
                                    (struct bl_slice){sj->name, sj->name_len});
    }
    return sj->match;
}

static bool matches_name(struct matcher *m, const struct subj *sj)
{
    if (m->all)
        return true;
    if (m->literal)
        return m->lit == sj;
    return subject_matches(m->filter,
                           (struct bl_slice){sj->name, sj->name_len});
}

/* ---- core ---- */

void store__core_init(struct store_core *c, struct store *owner,
                      const struct store_backend *be,
                      const struct store_cfg *cfg)
{
    memset(c, 0, sizeof(*c));
    c->be = be;
    c->owner = owner;
    if (cfg != NULL)
        c->cfg = *cfg;
    if (c->cfg.block_size == 0)
        c->cfg.block_size = STORE_BLOCK_SIZE_DEFAULT;
    if (c->cfg.compact_pct == 0)
        c->cfg.compact_pct = STORE_COMPACT_PCT_DEFAULT;
    c->name = bl_xstrdup(cfg != NULL && cfg->name != NULL ? cfg->name : "");
    c->cfg.name = c->name;
    seqidx_init(&c->ix);
    subjtab_init(&c->subjs);
    c->first_seq = 1;
}

void store__core_close(struct store_core *c)
{
    if (c == NULL)
        return;
    seqidx_close(&c->ix);
    subjtab_close(&c->subjs);
    bl_free(c->name);
}

void store__core_add(struct store_core *c, uint64_t seq,
                     struct bl_slice subject, uint32_t len, uint64_t loc,
                     uint64_t ts_ns)
{
    assert(seq > c->last_seq || (c->last_seq == 0 && seq > 0));
    struct subj *sj = subjtab_intern(&c->subjs, subject);
    sj->n_msgs++;
    subj_push(sj, seq);
    seqidx_put(&c->ix, seq, (struct store_slot){sj->id, len, loc});
    if (c->msgs == 0) {
        c->first_seq = seq;
        c->first_ts = ts_ns;
        c->first_ts_stale = false;
    }
    c->msgs++;
    c->bytes += len;
    c->last_seq = seq;
    c->last_ts = ts_ns;
}

void store__core_skip(struct store_core *c, uint64_t seq, uint64_t ts_ns)
{
    if (seq <= c->last_seq)
        return;
    c->last_seq = seq;
    c->last_ts = ts_ns;
    if (c->msgs == 0) {
        c->first_seq = seq + 1;
        c->first_ts = 0;
        c->first_ts_stale = false;
    }
}

void store__core_remove(struct store_core *c, uint64_t seq,
                        struct store_slot *out)
{
    struct store_slot *sl = seqidx_get(&c->ix, seq);
    assert(sl != NULL);
    struct store_slot slot = *sl;
    seqidx_clear(&c->ix, seq);
    struct subj *sj = store__subj_of(c, slot.sid);
    assert(sj != NULL);
    if (--sj->n_msgs == 0)
        subjtab_drop(&c->subjs, sj);
    else
        subj_remove_seq(sj, seq);
    c->msgs--;
    c->bytes -= slot.len;
    if (c->msgs == 0) {
        c->first_seq = c->last_seq + 1;
        c->first_ts = 0;
        c->first_ts_stale = false;
    } else if (seq == c->first_seq) {
        c->first_seq = seqidx_next(&c->ix, seq + 1, c->last_seq);
        assert(c->first_seq != 0);
        c->first_ts_stale = true;
    }
    if (out != NULL)
        *out = slot;
}

int store__check_truncate(const struct store_core *c, uint64_t seq,
                          char *errmsg)
{
    if (seq > c->last_seq || seq + 1 < c->first_seq) {
        bl_errmsg_set(errmsg, "truncate to %llu outside [%llu, %llu]",
                      (unsigned long long)seq,
                      (unsigned long long)c->first_seq - 1,
                      (unsigned long long)c->last_seq);
        return BL_EINVAL;
    }
    return 0;
}

int store__check_append(struct store_core *c, uint64_t seq,
                        struct bl_slice subject, struct bl_slice hdr,
                        struct bl_slice data, uint64_t *seq_out, char *errmsg)
{
    if (subject.len == 0) {
        bl_errmsg_set(errmsg, "empty subject");
        return BL_EINVAL;
    }
    if ((uint64_t)subject.len + hdr.len + data.len > STORE_MSG_MAX) {
        bl_errmsg_set(errmsg, "message of %zu bytes exceeds %u",
                      subject.len + hdr.len + data.len, STORE_MSG_MAX);
        return BL_ETOOBIG;
    }
    if (seq == 0) {
        seq = c->last_seq + 1;
    } else if (seq <= c->last_seq) {
        bl_errmsg_set(errmsg, "sequence %llu is not above last %llu",
                      (unsigned long long)seq,
                      (unsigned long long)c->last_seq);
        return BL_EINVAL;
    }
    *seq_out = seq;
    return 0;
}

/* ---- loads ---- */

static int not_found(char *errmsg, uint64_t seq)
{
    bl_errmsg_set(errmsg, "no message at sequence %llu",
                  (unsigned long long)seq);
    return BL_ENOENT;
}

int store__load(struct store *s, uint64_t seq, struct store_msg *m,
                char *errmsg)
{
    struct store_core *c = s->core;
    struct store_slot *sl = seqidx_get(&c->ix, seq);
    if (sl == NULL)
        return not_found(errmsg, seq);
    return c->be->read(s, seq, sl, m, errmsg);
}

/* First live seq >= seq matching m, or 0. */
static uint64_t find_next(struct store_core *c, struct matcher *m,
                          uint64_t seq)
{
    uint64_t to = c->last_seq;
    if (seq < c->first_seq)
        seq = c->first_seq;
    if (m->literal)
        return m->lit != NULL ? subj_next(m->lit, seq) : 0;
    while (seq <= to) {
        seq = seqidx_next(&c->ix, seq, to);
        if (seq == 0)
            return 0;
        if (store__matches(c, m, seqidx_get(&c->ix, seq)->sid))
            return seq;
        seq++;
    }
    return 0;
}

/* Last live seq <= seq matching m, or 0. */
static uint64_t find_prev(struct store_core *c, struct matcher *m,
                          uint64_t seq)
{
    uint64_t from = c->first_seq;
    if (seq > c->last_seq)
        seq = c->last_seq;
    if (m->literal)
        return m->lit != NULL ? subj_prev(m->lit, seq) : 0;
    while (seq >= from && seq > 0) {
        seq = seqidx_prev(&c->ix, seq, from);
        if (seq == 0)
            return 0;
        if (store__matches(c, m, seqidx_get(&c->ix, seq)->sid))
            return seq;
        seq--;
    }
    return 0;
}

int store__load_next(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg)
{
    struct store_core *c = s->core;
    struct matcher mt;
    store__matcher_init(c, &mt, filter);
    uint64_t found = find_next(c, &mt, seq);
    if (found == 0) {
        bl_errmsg_set(errmsg, "no message at or after %llu",
                      (unsigned long long)seq);
        return BL_ENOENT;
    }
    return c->be->read(s, found, seqidx_get(&c->ix, found), m, errmsg);
}

int store__load_prev(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg)
{
    struct store_core *c = s->core;
    struct matcher mt;
    store__matcher_init(c, &mt, filter);
    uint64_t found = find_prev(c, &mt, seq);
    if (found == 0) {
        bl_errmsg_set(errmsg, "no message at or before %llu",
                      (unsigned long long)seq);
        return BL_ENOENT;
    }
    return c->be->read(s, found, seqidx_get(&c->ix, found), m, errmsg);
}

/* ---- removal ---- */

int store__remove(struct store *s, uint64_t seq, bool erase, char *errmsg)
{
    struct store_core *c = s->core;
    if (seqidx_get(&c->ix, seq) == NULL)
        return not_found(errmsg, seq);
    return c->be->remove_batch(s, &seq, 1, erase, errmsg);
}

/* Walks matching live messages in [from, to] oldest first, removing up to
 * `limit` of them in batches. */
static int remove_matching(struct store *s, struct matcher *m, uint64_t from,
                           uint64_t to, uint64_t limit, uint64_t *n_removed,
                           char *errmsg)
{
    struct store_core *c = s->core;
    uint64_t batch[PURGE_BATCH];
    size_t n = 0;
    uint64_t done = 0;
    int rv = 0;
    uint64_t seq = from;
    while (done + n < limit) {
        seq = find_next(c, m, seq);
        if (seq == 0 || seq > to)
            break;
        batch[n++] = seq++;
        if (n == PURGE_BATCH) {
            rv = c->be->remove_batch(s, batch, n, false, errmsg);
            if (rv != 0)
                goto out;
            done += n;
            n = 0;
            if (m->literal)
                m->lit = subj_lookup(c, m->filter);
        }
    }
    if (n > 0) {
        rv = c->be->remove_batch(s, batch, n, false, errmsg);
        if (rv == 0)
            done += n;
    }
out:
    *n_removed = done;
    return rv;
}

static void filtered_state(struct store_core *c, struct matcher *m,
                           uint64_t seq, struct store_subject_state *st);

int store__purge(struct store *s, struct bl_slice filter, uint64_t below_seq,
                 uint64_t keep, uint64_t *n_purged, char *errmsg)
{
    struct store_core *c = s->core;
    struct matcher m;
    store__matcher_init(c, &m, filter);
    uint64_t to = c->last_seq;
    if (below_seq != 0) {
        if (below_seq <= c->first_seq) {
            if (n_purged != NULL)
                *n_purged = 0;
            return 0;
        }
        to = below_seq - 1;
    }
    uint64_t limit = UINT64_MAX;
    if (keep > 0) {
        struct store_subject_state st;
        filtered_state(c, &m, 0, &st);
        limit = st.msgs > keep ? st.msgs - keep : 0;
    }
    uint64_t n = 0;
    int rv = 0;
    if (limit > 0 && c->msgs > 0)
        rv = remove_matching(s, &m, c->first_seq, to, limit, &n, errmsg);
    if (n_purged != NULL)
        *n_purged = n;
    return rv;
}

int store__remove_below(struct store *s, uint64_t seq, uint64_t *n_purged,
                        char *errmsg)
{
    struct store_core *c = s->core;
    struct matcher m;
    store__matcher_init(c, &m, (struct bl_slice){NULL, 0});
    uint64_t n = 0;
    int rv = 0;
    if (seq > c->first_seq && c->msgs > 0)
        rv = remove_matching(s, &m, c->first_seq, seq - 1, UINT64_MAX, &n,
                             errmsg);
    if (n_purged != NULL)
        *n_purged = n;
    return rv;
}

int store__remove_above(struct store *s, uint64_t seq, char *errmsg)
{
    struct store_core *c = s->core;
    struct matcher m;
    store__matcher_init(c, &m, (struct bl_slice){NULL, 0});
    uint64_t n;
    if (c->msgs == 0 || seq >= c->last_seq)
        return 0;
    return remove_matching(s, &m, seq + 1, c->last_seq, UINT64_MAX, &n,
                           errmsg);
}

/* ---- state ---- */

void store_close(struct store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

int store_delete(struct store *s, char *errmsg)
{
    if (s == NULL)
        return 0;
    return s->ops->destroy(s, errmsg);
}

enum store_kind store_kind(const struct store *s)
{
    return s->kind;
}

const struct store_recovery *store_recovery(const struct store *s)
{
    return &s->core->rec;
}

void store_state(const struct store *s, struct store_state *st)
{
    struct store_core *c = s->core;
    if (c->first_ts_stale) {
        /* first_seq moved during a removal; its timestamp is read once,
         * here, instead of on every removal. */
        uint64_t ts = 0;
        struct store_slot *sl = seqidx_get(&c->ix, c->first_seq);
        if (sl != NULL && c->be->read_ts(s->core->owner, c->first_seq, sl,
                                         &ts) == 0)
            c->first_ts = ts;
        c->first_ts_stale = false;
    }
    st->msgs = c->msgs;
    st->bytes = c->bytes;
    st->first_seq = c->first_seq;
    st->first_ts_ns = c->msgs > 0 ? c->first_ts : 0;
    st->last_seq = c->last_seq;
    st->last_ts_ns = c->last_ts;
    st->num_deleted = c->last_seq >= c->first_seq
                          ? c->last_seq - c->first_seq + 1 - c->msgs
                          : 0;
    st->num_subjects = bl_map_count(&c->subjs.map);
}

void store_subject_state(struct store *s, struct bl_slice subject,
                         struct store_subject_state *st)
{
    struct subj *sj = subj_lookup(s->core, subject);
    if (sj == NULL) {
        memset(st, 0, sizeof(*st));
        return;
    }
    st->msgs = sj->n_msgs;
    st->first_seq = subj_first(s->core, sj);
    st->last_seq = subj_last(s->core, sj);
}

static void filtered_state(struct store_core *c, struct matcher *m,
                           uint64_t seq, struct store_subject_state *st)
{
    memset(st, 0, sizeof(*st));
    if (c->msgs == 0)
        return;
    if (m->literal) {
        if (m->lit != NULL) {
            st->msgs = subj_count_from(m->lit, seq, &st->first_seq);
            st->last_seq = st->msgs > 0 ? subj_last(c, m->lit) : 0;
        }
        return;
    }
    if (seq <= c->first_seq) {
        if (m->all) {
            st->msgs = c->msgs;
            st->first_seq = c->first_seq;
            st->last_seq = seqidx_prev(&c->ix, c->last_seq, c->first_seq);
            return;
        }
        /* With few subjects relative to messages the table is cheaper than
         * a scan. */
        if (bl_map_count(&c->subjs.map) < c->msgs) {
            struct bl_slice k;
            void *v;
            for (size_t i = 0; bl_map_next(&c->subjs.map, &i, &k, &v);) {
                struct subj *sj = v;
                if (!matches_name(m, sj))
                    continue;
                uint64_t f = subj_first(c, sj), l = subj_last(c, sj);
                st->msgs += sj->n_msgs;
                if (st->first_seq == 0 || f < st->first_seq)
                    st->first_seq = f;
                if (l > st->last_seq)
                    st->last_seq = l;
            }
            return;
        }
    }
    for (uint64_t q = seq;; q++) {
        q = find_next(c, m, q);
        if (q == 0)
            break;
        if (st->first_seq == 0)
            st->first_seq = q;
        st->last_seq = q;
        st->msgs++;
    }
}

void store_filtered_state(struct store *s, struct bl_slice filter,
                          uint64_t seq, struct store_subject_state *st)
{
    struct matcher m;
    store__matcher_init(s->core, &m, filter);
    filtered_state(s->core, &m, seq, st);
}

int store_subjects(struct store *s, struct bl_slice filter,
                   store_subject_cb cb, void *ctx)
{
    struct store_core *c = s->core;
    struct matcher m;
    store__matcher_init(c, &m, filter);
    struct bl_slice k;
    void *v;
    for (size_t i = 0; bl_map_next(&c->subjs.map, &i, &k, &v);) {
        struct subj *sj = v;
        if (!matches_name(&m, sj))
            continue;
        struct store_subject_state st = {sj->n_msgs, subj_first(c, sj),
                                         subj_last(c, sj)};
        int rv = cb(ctx, (struct bl_slice){sj->name, sj->name_len}, &st);
        if (rv != 0)
            return rv;
    }
    return 0;
}

uint64_t store_num_subjects(struct store *s, struct bl_slice filter)
{
    struct store_core *c = s->core;
    struct matcher m;
    store__matcher_init(c, &m, filter);
    if (m.all)
        return bl_map_count(&c->subjs.map);
    if (m.literal)
        return m.lit != NULL;
    uint64_t n = 0;
    struct bl_slice k;
    void *v;
    for (size_t i = 0; bl_map_next(&c->subjs.map, &i, &k, &v);)
        n += matches_name(&m, v);
    return n;
}

int store_deleted(struct store *s, store_seq_cb cb, void *ctx)
{
    struct store_core *c = s->core;
    uint64_t seq = c->first_seq;
    while (seq <= c->last_seq) {
        uint64_t live = seqidx_next(&c->ix, seq, c->last_seq);
        uint64_t end = live != 0 ? live : c->last_seq + 1;
        for (; seq < end; seq++) {
            int rv = cb(ctx, seq);
            if (rv != 0)
                return rv;
        }
        seq = end + 1;
    }
    return 0;
}

uint64_t store_seq_from_time(struct store *s, uint64_t ts_ns)
{
    struct store_core *c = s->core;
    uint64_t lo = c->first_seq, hi = c->last_seq + 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint64_t q = seqidx_next(&c->ix, mid, c->last_seq);
        uint64_t ts = 0;
        if (q == 0 || (c->be->read_ts(s, q, seqidx_get(&c->ix, q), &ts) == 0 &&
                       ts >= ts_ns)) {
            hi = mid;
        } else {
            lo = q + 1;
        }
    }
    if (lo > c->last_seq)
        return c->last_seq + 1;
    uint64_t q = seqidx_next(&c->ix, lo, c->last_seq);
    return q != 0 ? q : c->last_seq + 1;
}

int store_iter(struct store *s, uint64_t seq, store_msg_cb cb, void *ctx,
               char *errmsg)
{
    struct store_core *c = s->core;
    struct store_msg m;
    store_msg_init(&m);
    int rv = 0;
    if (seq < c->first_seq)
        seq = c->first_seq;
    for (;; seq++) {
        seq = seqidx_next(&c->ix, seq, c->last_seq);
        if (seq == 0)
            break;
        rv = c->be->read(s, seq, seqidx_get(&c->ix, seq), &m, errmsg);
        if (rv != 0)
            break;
        rv = cb(ctx, &m);
        if (rv != 0)
            break;
    }
    store_msg_close(&m);
    return rv;
}

/* ---- Sync in three steps ------------------------------------------------ */

int store_sync_begin(struct store *s, struct store_sync **out, char *errmsg)
{
    if (s->ops->sync_begin == NULL) {
        /* An implementation without the split syncs here. */
        int rv = s->ops->sync(s, errmsg);
        if (rv == 0)
            *out = NULL;
        return rv;
    }
    return s->ops->sync_begin(s, out, errmsg);
}

int store_sync_run(struct store_sync *j)
{
    if (j == NULL)
        return 0;
    j->errmsg[0] = '\0';
    j->rv = j->run(j, j->errmsg);
    return j->rv;
}

int store_sync_end(struct store_sync *j, char *errmsg)
{
    if (j == NULL)
        return 0;
    int rv = j->rv;
    if (rv != 0)
        bl_errmsg_set(errmsg, "%s", j->errmsg);
    j->free(j);
    return rv;
}

int store_sync_repeat(const struct store_sync *j, char *errmsg)
{
    return j == NULL ? 0 : j->run(j, errmsg);
}
