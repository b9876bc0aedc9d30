#include "js/snapshot.h"

#include "ballast/err.h"
#include "ballast/map.h"

#include <string.h>

/* Record framing: kind, body length, body, checksum. */
#define REC_HEAD 5
#define REC_TAIL 8

static void put_u32(struct bl_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    bl_buf_append(b, x, 4);
}

static void put_u64(struct bl_buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Opens a record; returns the offset of its body for close_record(). */
static size_t open_record(struct bl_buf *b, enum snap_kind kind)
{
    unsigned char k = (unsigned char)kind;
    bl_buf_append(b, &k, 1);
    put_u32(b, 0); /* patched by close_record() */
    return b->len;
}

static void close_record(struct bl_buf *b, size_t body)
{
    uint32_t n = (uint32_t)(b->len - body);
    unsigned char *len = (unsigned char *)b->p + body - 4;
    len[0] = (unsigned char)n;
    len[1] = (unsigned char)(n >> 8);
    len[2] = (unsigned char)(n >> 16);
    len[3] = (unsigned char)(n >> 24);
    put_u64(b, bl_hash(b->p + body, n));
}

void snap_write_magic(struct bl_buf *out)
{
    bl_buf_append(out, SNAP_MAGIC, SNAP_MAGIC_LEN);
}

void snap_write_config(struct bl_buf *out, struct bl_slice json)
{
    size_t body = open_record(out, SNAP_CONFIG);
    bl_buf_append(out, json.p, json.len);
    close_record(out, body);
}

void snap_write_seqs(struct bl_buf *out, uint64_t first_seq,
                     uint64_t last_seq)
{
    size_t body = open_record(out, SNAP_SEQS);
    put_u64(out, first_seq);
    put_u64(out, last_seq);
    close_record(out, body);
}

void snap_write_consumer(struct bl_buf *out, struct bl_slice name,
                         struct bl_slice config_json, uint64_t created_ns,
                         struct bl_slice state)
{
    size_t body = open_record(out, SNAP_CONSUMER);
    put_u32(out, (uint32_t)name.len);
    bl_buf_append(out, name.p, name.len);
    put_u32(out, (uint32_t)config_json.len);
    bl_buf_append(out, config_json.p, config_json.len);
    put_u64(out, created_ns);
    put_u32(out, (uint32_t)state.len);
    bl_buf_append(out, state.p, state.len);
    close_record(out, body);
}

void snap_write_msg(struct bl_buf *out, uint64_t seq, uint64_t ts_ns,
                    struct bl_slice subject, struct bl_slice hdr,
                    struct bl_slice data)
{
    size_t body = open_record(out, SNAP_MSG);
    put_u64(out, seq);
    put_u64(out, ts_ns);
    put_u32(out, (uint32_t)subject.len);
    put_u32(out, (uint32_t)hdr.len);
    bl_buf_append(out, subject.p, subject.len);
    bl_buf_append(out, hdr.p, hdr.len);
    bl_buf_append(out, data.p, data.len);
    close_record(out, body);
}

void snap_write_end(struct bl_buf *out, uint64_t n_msgs)
{
    size_t body = open_record(out, SNAP_END);
    put_u64(out, n_msgs);
    close_record(out, body);
}

void snap_decoder_init(struct snap_decoder *d)
{
    memset(d, 0, sizeof(*d));
    bl_buf_init(&d->pending);
}

void snap_decoder_close(struct snap_decoder *d)
{
    if (d != NULL)
        bl_buf_close(&d->pending);
}

/* Takes a length-prefixed field off the front of a body. */
static int take_field(const unsigned char **p, size_t *left,
                      struct bl_slice *out)
{
    if (*left < 4)
        return -1;
    uint32_t n = get_u32(*p);
    if (*left - 4 < n)
        return -1;
    *out = (struct bl_slice){(const char *)*p + 4, n};
    *p += 4 + n;
    *left -= 4 + n;
    return 0;
}

static int decode_body(struct snap_decoder *d, int kind,
                       const unsigned char *p, size_t n, struct snap_item *it,
                       char *errmsg)
{
    memset(it, 0, sizeof(*it));
    it->kind = (enum snap_kind)kind;
    /* Order: CONFIG, SEQS, CONSUMER*, MSG*, END. */
    static const char order[] = "CSOME";
    const char *at = strchr(order, kind);
    const char *last = d->last_kind ? strchr(order, d->last_kind) : NULL;
    if (at == NULL || kind == 0) {
        bl_errmsg_set(errmsg, "unknown record kind %d", kind);
        return BL_EPROTO;
    }
    bool repeatable = kind == SNAP_CONSUMER || kind == SNAP_MSG;
    if ((last == NULL && kind != SNAP_CONFIG) ||
        (last != NULL && (at < last || (at == last && !repeatable)))) {
        bl_errmsg_set(errmsg, "record '%c' out of order", kind);
        return BL_EPROTO;
    }
    size_t left = n;
    switch (kind) {
    case SNAP_CONFIG:
        it->json = (struct bl_slice){(const char *)p, n};
        return 0;
    case SNAP_SEQS:
        if (n != 16)
            break;
        it->first_seq = get_u64(p);
        it->last_seq = get_u64(p + 8);
        return 0;
    case SNAP_CONSUMER:
        if (take_field(&p, &left, &it->name) != 0 ||
            take_field(&p, &left, &it->json) != 0 || left < 8)
            break;
        it->created_ns = get_u64(p);
        p += 8;
        left -= 8;
        if (take_field(&p, &left, &it->state) != 0 || left != 0)
            break;
        return 0;
    case SNAP_MSG: {
        if (n < 24)
            break;
        it->seq = get_u64(p);
        it->ts_ns = get_u64(p + 8);
        uint32_t sl = get_u32(p + 16), hl = get_u32(p + 20);
        if ((uint64_t)sl + hl > n - 24 || sl == 0)
            break;
        it->subject = (struct bl_slice){(const char *)p + 24, sl};
        it->hdr = (struct bl_slice){(const char *)p + 24 + sl, hl};
        it->data = (struct bl_slice){(const char *)p + 24 + sl + hl,
                                     n - 24 - sl - hl};
        return 0;
    }
    case SNAP_END:
        if (n != 8)
            break;
        it->n_msgs = get_u64(p);
        return 0;
    }
    bl_errmsg_set(errmsg, "malformed '%c' record", kind);
    return BL_EPROTO;
}

int snap_decode(struct snap_decoder *d, const void *p, size_t len,
                snap_item_cb cb, void *ctx, char *errmsg)
{
    bl_buf_append(&d->pending, p, len);
    size_t off = 0;
    int rv = 0;
    const unsigned char *b = (const unsigned char *)d->pending.p;
    if (!d->have_magic) {
        if (d->pending.len < SNAP_MAGIC_LEN)
            return 0;
        if (memcmp(b, SNAP_MAGIC, SNAP_MAGIC_LEN) != 0) {
            bl_errmsg_set(errmsg, "not a ballast snapshot (bad magic)");
            return BL_EPROTO;
        }
        d->have_magic = true;
        off = SNAP_MAGIC_LEN;
    }
    while (d->pending.len - off >= REC_HEAD) {
        if (d->done) {
            bl_errmsg_set(errmsg, "data after the end record");
            rv = BL_EPROTO;
            break;
        }
        int kind = b[off];
        uint32_t n = get_u32(b + off + 1);
        if (n > SNAP_MAX_RECORD) {
            bl_errmsg_set(errmsg, "record of %u bytes is too large", n);
            rv = BL_EPROTO;
            break;
        }
        if (d->pending.len - off < REC_HEAD + (size_t)n + REC_TAIL)
            break;
        const unsigned char *body = b + off + REC_HEAD;
        if (get_u64(body + n) != bl_hash(body, n)) {
            bl_errmsg_set(errmsg, "checksum mismatch in '%c' record", kind);
            rv = BL_EPROTO;
            break;
        }
        struct snap_item it;
        rv = decode_body(d, kind, body, n, &it, errmsg);
        if (rv != 0)
            break;
        d->last_kind = kind;
        if (kind == SNAP_MSG)
            d->n_msgs++;
        if (kind == SNAP_END) {
            d->done = true;
            d->end_count = it.n_msgs;
        }
        off += REC_HEAD + n + REC_TAIL;
        rv = cb(ctx, &it);
        if (rv != 0)
            break;
    }
    bl_buf_consume(&d->pending, off);
    return rv;
}

int snap_decoder_finish(const struct snap_decoder *d, char *errmsg)
{
    if (!d->done || d->pending.len != 0) {
        bl_errmsg_set(errmsg, "snapshot ends early");
        return BL_EPROTO;
    }
    if (d->end_count != d->n_msgs) {
        bl_errmsg_set(errmsg, "snapshot holds %llu messages, says %llu",
                      (unsigned long long)d->n_msgs,
                      (unsigned long long)d->end_count);
        return BL_EPROTO;
    }
    return 0;
}
