/* The in-memory index both stores keep: sequence -> slot in chunks of 1024,
 * and subject -> {count, first, last} with small integer ids so that a slot
 * names its subject in 4 bytes. */
#include "store/internal.h"

#include "ballast/mem.h"

#include <assert.h>
#include <string.h>

void seqidx_init(struct seqidx *ix)
{
    memset(ix, 0, sizeof(*ix));
}

void seqidx_close(struct seqidx *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        bl_free(ix->chunks[i]);
    bl_free(ix->chunks);
    seqidx_init(ix);
}

static struct seqidx_chunk *chunk_of(const struct seqidx *ix, uint64_t seq,
                                     size_t *ci)
{
    if (seq < ix->base)
        return NULL;
    uint64_t i = (seq - ix->base) / SEQIDX_CHUNK;
    if (i >= ix->n)
        return NULL;
    *ci = (size_t)i;
    return ix->chunks[i];
}

struct store_slot *seqidx_get(const struct seqidx *ix, uint64_t seq)
{
    size_t ci;
    struct seqidx_chunk *ch = chunk_of(ix, seq, &ci);
    if (ch == NULL)
        return NULL;
    struct store_slot *sl = &ch->slots[(seq - ix->base) % SEQIDX_CHUNK];
    return sl->len != 0 ? sl : NULL;
}

/* Drops the leading empty chunks once they are worth a memmove, so the
 * pointer array follows the stream's first sequence. */
static void trim_front(struct seqidx *ix)
{
    size_t k = 0;
    while (k < ix->n && ix->chunks[k] == NULL)
        k++;
    if (k == ix->n) {
        ix->n = 0;
        return;
    }
    if (k == 0 || (k < 64 && k * 2 < ix->n))
        return;
    memmove(ix->chunks, ix->chunks + k, (ix->n - k) * sizeof(*ix->chunks));
    ix->n -= k;
    ix->base += (uint64_t)k * SEQIDX_CHUNK;
}

void seqidx_put(struct seqidx *ix, uint64_t seq, struct store_slot slot)
{
    assert(slot.len != 0);
    uint64_t cbase = seq - seq % SEQIDX_CHUNK;
    if (ix->n == 0) {
        ix->base = cbase;
    } else if (cbase < ix->base) {
        /* Only recovery of out-of-order blocks could get here; grow at the
         * front. */
        size_t add = (size_t)((ix->base - cbase) / SEQIDX_CHUNK);
        if (ix->n + add > ix->cap) {
            ix->cap = (ix->n + add) * 2;
            ix->chunks = bl_xrealloc(ix->chunks, ix->cap * sizeof(*ix->chunks));
        }
        memmove(ix->chunks + add, ix->chunks, ix->n * sizeof(*ix->chunks));
        memset(ix->chunks, 0, add * sizeof(*ix->chunks));
        ix->n += add;
        ix->base = cbase;
    }
    uint64_t i = (seq - ix->base) / SEQIDX_CHUNK;
    if (i >= ix->n) {
        if (i >= ix->cap) {
            size_t cap = ix->cap ? ix->cap : 16;
            while (cap <= i)
                cap *= 2;
            ix->chunks = bl_xrealloc(ix->chunks, cap * sizeof(*ix->chunks));
            ix->cap = cap;
        }
        memset(ix->chunks + ix->n, 0, (i + 1 - ix->n) * sizeof(*ix->chunks));
        ix->n = (size_t)i + 1;
    }
    struct seqidx_chunk *ch = ix->chunks[i];
    if (ch == NULL)
        ch = ix->chunks[i] = bl_xcalloc(1, sizeof(*ch));
    struct store_slot *sl = &ch->slots[(seq - ix->base) % SEQIDX_CHUNK];
    assert(sl->len == 0);
    *sl = slot;
    ch->n_live++;
}

void seqidx_clear(struct seqidx *ix, uint64_t seq)
{
    size_t ci;
    struct seqidx_chunk *ch = chunk_of(ix, seq, &ci);
    assert(ch != NULL);
    struct store_slot *sl = &ch->slots[(seq - ix->base) % SEQIDX_CHUNK];
    assert(sl->len != 0);
    memset(sl, 0, sizeof(*sl));
    if (--ch->n_live == 0) {
        bl_free(ch);
        ix->chunks[ci] = NULL;
        if (ci == ix->n - 1) {
            while (ix->n > 0 && ix->chunks[ix->n - 1] == NULL)
                ix->n--;
        }
        if (ci == 0)
            trim_front(ix);
    }
}

uint64_t seqidx_next(const struct seqidx *ix, uint64_t from, uint64_t to)
{
    if (ix->n == 0 || from > to)
        return 0;
    if (from < ix->base)
        from = ix->base;
    uint64_t end = ix->base + (uint64_t)ix->n * SEQIDX_CHUNK - 1;
    if (to > end)
        to = end;
    uint64_t seq = from;
    while (seq <= to) {
        size_t ci = (size_t)((seq - ix->base) / SEQIDX_CHUNK);
        struct seqidx_chunk *ch = ix->chunks[ci];
        uint64_t cstart = ix->base + (uint64_t)ci * SEQIDX_CHUNK;
        if (ch == NULL) {
            seq = cstart + SEQIDX_CHUNK;
            continue;
        }
        for (size_t k = (size_t)(seq - cstart); k < SEQIDX_CHUNK; k++) {
            if (cstart + k > to)
                return 0;
            if (ch->slots[k].len != 0)
                return cstart + k;
        }
        seq = cstart + SEQIDX_CHUNK;
    }
    return 0;
}

uint64_t seqidx_prev(const struct seqidx *ix, uint64_t to, uint64_t from)
{
    if (ix->n == 0 || from > to)
        return 0;
    uint64_t end = ix->base + (uint64_t)ix->n * SEQIDX_CHUNK - 1;
    if (to > end)
        to = end;
    if (from < ix->base)
        from = ix->base;
    if (to < from)
        return 0;
    uint64_t seq = to;
    for (;;) {
        size_t ci = (size_t)((seq - ix->base) / SEQIDX_CHUNK);
        struct seqidx_chunk *ch = ix->chunks[ci];
        uint64_t cstart = ix->base + (uint64_t)ci * SEQIDX_CHUNK;
        if (ch != NULL) {
            for (size_t k = (size_t)(seq - cstart) + 1; k-- > 0;) {
                if (cstart + k < from)
                    return 0;
                if (ch->slots[k].len != 0)
                    return cstart + k;
            }
        }
        if (cstart <= from)
            return 0;
        seq = cstart - 1;
    }
}
