/* Ballast's stream snapshot format, the bytes STREAM.SNAPSHOT sends and
 * STREAM.RESTORE takes back. Clients store them opaquely (the nats CLI's
 * stream.tar.s2), so the format is ours: the magic "BLSNAP01" and then
 * records, each
 *     u8 kind | u32 body length | body | u64 bl_hash(body)
 * little-endian, in this order: 'C' the stream config as JSON; 'S' first
 * and last sequence (u64 each, so a purged stream keeps counting); 'O' one
 * per consumer (name, config JSON, created ns, opaque state bytes); 'M' one
 * per message (u64 seq, u64 ts_ns, u32 subject length, u32 header length,
 * subject, headers, payload); 'E' the message count (u64).
 *
 * Pure encoding and an incremental decoder that takes the bytes in chunks
 * of any size; no files, no sockets. */
#ifndef BALLAST_JS_SNAPSHOT_H
#define BALLAST_JS_SNAPSHOT_H

#include "ballast/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC "BLSNAP01"
#define SNAP_MAGIC_LEN 8
/* Largest record body the decoder accepts (a 64 MiB message and more). */
#define SNAP_MAX_RECORD (80u * 1024u * 1024u)

enum snap_kind {
    SNAP_CONFIG = 'C',
    SNAP_SEQS = 'S',
    SNAP_CONSUMER = 'O',
    SNAP_MSG = 'M',
    SNAP_END = 'E'
};

/* One decoded record; slices borrow the decoder's buffer for the callback. */
struct snap_item {
    enum snap_kind kind;
    struct bl_slice json; /* CONFIG; CONSUMER: its config */
    uint64_t first_seq;   /* SEQS */
    uint64_t last_seq;    /* SEQS */
    struct bl_slice name; /* CONSUMER */
    uint64_t created_ns;  /* CONSUMER */
    struct bl_slice state; /* CONSUMER: opaque state bytes, may be empty */
    uint64_t seq;          /* MSG */
    uint64_t ts_ns;        /* MSG */
    struct bl_slice subject; /* MSG */
    struct bl_slice hdr;     /* MSG, len 0 when none */
    struct bl_slice data;    /* MSG */
    uint64_t n_msgs;         /* END */
};

void snap_write_magic(struct bl_buf *out);
void snap_write_config(struct bl_buf *out, struct bl_slice json);
void snap_write_seqs(struct bl_buf *out, uint64_t first_seq,
                     uint64_t last_seq);
void snap_write_consumer(struct bl_buf *out, struct bl_slice name,
                         struct bl_slice config_json, uint64_t created_ns,
                         struct bl_slice state);
void snap_write_msg(struct bl_buf *out, uint64_t seq, uint64_t ts_ns,
                    struct bl_slice subject, struct bl_slice hdr,
                    struct bl_slice data);
void snap_write_end(struct bl_buf *out, uint64_t n_msgs);

struct snap_decoder {
    struct bl_buf pending; /* bytes of an incomplete record */
    bool have_magic;
    bool done;      /* END seen */
    int last_kind;  /* for the order checks */
    uint64_t n_msgs; /* MSG records seen */
    uint64_t end_count; /* what the END record says */
};

/* Returns nonzero to stop decoding (that value is returned). */
typedef int (*snap_item_cb)(void *ctx, const struct snap_item *it);

void snap_decoder_init(struct snap_decoder *d);
void snap_decoder_close(struct snap_decoder *d);

/* Feeds `len` bytes; calls cb for each complete record in order. Returns 0,
 * the callback's nonzero value, or BL_EPROTO with errmsg for bytes that are
 * not a snapshot (bad magic, checksum, length, order, data after END). */
int snap_decode(struct snap_decoder *d, const void *p, size_t len,
                snap_item_cb cb, void *ctx, char *errmsg);

/* After the last chunk: BL_EPROTO with errmsg unless END was seen and the
 * message count matched. */
int snap_decoder_finish(const struct snap_decoder *d, char *errmsg);

#endif
