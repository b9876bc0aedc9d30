/* Shared by the store implementations: the sequence index, the subject
 * table, the counters, and the generic operations written on top of them.
 * A backend supplies where a message lives (struct store_slot.loc) and how
 * to read and remove it. */
#ifndef BALLAST_STORE_INTERNAL_H
#define BALLAST_STORE_INTERNAL_H

#include "store/store.h"

#include "ballast/map.h"

#include <stddef.h>
#include <stdint.h>

/* ---- crc.c ---- */

/* CRC-32C (Castagnoli), hardware-accelerated where the CPU has it. Pass 0
 * as `crc` to start. */
uint32_t store__crc32c(uint32_t crc, const void *p, size_t len);

/* ---- index.c: sequence index ---- */

/* Where one message lives; len == 0 marks no message. 16 bytes a message:
 * the index, not the payload, is what stays in memory. */
struct store_slot {
    uint32_t sid; /* subject id in struct subjtab */
    uint32_t len; /* store_msg_size() of the message */
    uint64_t loc; /* backend's: (block id << 32 | offset), or a pointer */
};

#define SEQIDX_CHUNK 1024

struct seqidx_chunk {
    uint32_t n_live;
    struct store_slot slots[SEQIDX_CHUNK];
};

/* Chunk i covers sequences [base + i * SEQIDX_CHUNK, +SEQIDX_CHUNK). Chunks
 * without a live message are freed (NULL), so gaps cost a pointer per 1024
 * sequences and a store of N messages costs about 16 N bytes. */
struct seqidx {
    uint64_t base; /* multiple of SEQIDX_CHUNK */
    struct seqidx_chunk **chunks;
    size_t n;      /* chunks in use */
    size_t cap;
};

void seqidx_init(struct seqidx *ix);
void seqidx_close(struct seqidx *ix);
/* The live slot of seq, or NULL. */
struct store_slot *seqidx_get(const struct seqidx *ix, uint64_t seq);
/* Stores a live slot (len > 0) at seq, which has none. */
void seqidx_put(struct seqidx *ix, uint64_t seq, struct store_slot slot);
/* Clears the live slot at seq. */
void seqidx_clear(struct seqidx *ix, uint64_t seq);
/* First live seq in [from, to], or 0. */
uint64_t seqidx_next(const struct seqidx *ix, uint64_t from, uint64_t to);
/* Last live seq in [from, to] scanning down from `to`, or 0. */
uint64_t seqidx_prev(const struct seqidx *ix, uint64_t to, uint64_t from);

/* ---- index.c: subject table ---- */

/* One subject: its live sequences in order, so per-subject first/last,
 * next-after and purges are a binary search, not an index scan (KV keys,
 * max_msgs_per_subject, rollups). A sequence removed from the middle stays
 * as a tombstone (SUBJ_TOMB bit set, order kept) until they outnumber the
 * live ones. */
struct subj {
    uint32_t id;
    uint32_t name_len;
    uint64_t n_msgs;
    uint64_t *seqs;
    size_t head;        /* seqs[head..end) are in use */
    size_t end;
    size_t cap;
    size_t n_dead;      /* tombstones in seqs[head..end) */
    uint64_t match_gen; /* memo of the last filter tested, see matcher */
    bool match;
    char name[];
};

#define SUBJ_TOMB (1ull << 63)

struct subjtab {
    struct bl_map map;    /* name -> struct subj */
    struct subj **by_id;  /* NULL for free ids */
    uint32_t n_ids;
    uint32_t cap_ids;
    uint32_t *free_ids;
    uint32_t n_free;
    uint32_t cap_free;
    uint64_t gen;         /* bumped for each new matcher */
};

/* ---- core.c: counters and generic operations ---- */

struct store_backend {
    /* Reads message seq (whose live slot is sl) into m. */
    int (*read)(struct store *s, uint64_t seq, const struct store_slot *sl,
                struct store_msg *m, char *errmsg);
    /* Reads only the timestamp. */
    int (*read_ts)(struct store *s, uint64_t seq, const struct store_slot *sl,
                   uint64_t *ts_ns);
    /* Removes the live messages seqs[0..n) (ascending) durably and from the
     * core with store__core_remove(); on failure the ones not removed are
     * still live. */
    int (*remove_batch)(struct store *s, const uint64_t *seqs, size_t n,
                        bool erase, char *errmsg);
};

struct store_core {
    const struct store_backend *be;
    struct store *owner;
    struct store_cfg cfg;
    char *name;
    struct seqidx ix;
    struct subjtab subjs;
    uint64_t msgs;
    uint64_t bytes;
    uint64_t first_seq;
    uint64_t first_ts;
    bool first_ts_stale; /* first_seq moved; read first_ts lazily */
    uint64_t last_seq;
    uint64_t last_ts;
    struct store_recovery rec;
};

/* A filter compiled for repeated tests against subject ids. */
struct matcher {
    struct bl_slice filter;
    bool all;
    bool literal;
    struct subj *lit; /* literal filter's subject, NULL if no message */
    uint64_t gen;
};

void store__core_init(struct store_core *c, struct store *owner,
                      const struct store_backend *be,
                      const struct store_cfg *cfg);
void store__core_close(struct store_core *c);
/* Adds a live message at seq > last_seq; updates every counter. */
void store__core_add(struct store_core *c, uint64_t seq,
                     struct bl_slice subject, uint32_t len, uint64_t loc,
                     uint64_t ts_ns);
/* Moves last_seq up (a skip); first_seq follows when empty. */
void store__core_skip(struct store_core *c, uint64_t seq, uint64_t ts_ns);
/* Removes live seq from the index and counters; *out gets its slot. */
void store__core_remove(struct store_core *c, uint64_t seq,
                        struct store_slot *out);
struct subj *store__subj_of(const struct store_core *c, uint32_t sid);

void store__matcher_init(struct store_core *c, struct matcher *m,
                         struct bl_slice filter);
bool store__matches(struct store_core *c, struct matcher *m, uint32_t sid);

/* Removes every live message > seq from the core, in batches through the
 * backend (truncate uses it). */
int store__remove_above(struct store *s, uint64_t seq, char *errmsg);

/* Generic operations for the ops vtables. */
int store__load(struct store *s, uint64_t seq, struct store_msg *m,
                char *errmsg);
int store__load_next(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg);
int store__load_prev(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg);
int store__remove(struct store *s, uint64_t seq, bool erase, char *errmsg);
int store__purge(struct store *s, struct bl_slice filter, uint64_t below_seq,
                 uint64_t keep, uint64_t *n_purged, char *errmsg);
/* Removes the messages below seq (compact without moving last_seq). */
int store__remove_below(struct store *s, uint64_t seq, uint64_t *n_purged,
                        char *errmsg);

/* Fills m's buffer and slices from the parts. */
void store__msg_fill(struct store_msg *m, uint64_t seq, uint64_t ts_ns,
                     const char *subject, uint32_t subject_len,
                     const char *hdr, uint32_t hdr_len, const char *data,
                     uint32_t data_len);

/* Checks that truncating to `seq` stays within [first_seq - 1, last_seq]. */
int store__check_truncate(const struct store_core *c, uint64_t seq,
                          char *errmsg);

/* Checks the sizes of a new message and the sequence it gets. */
int store__check_append(struct store_core *c, uint64_t seq,
                        struct bl_slice subject, struct bl_slice hdr,
                        struct bl_slice data, uint64_t *seq_out,
                        char *errmsg);

/* ---- file store (filestore.c, segment.c, recover.c) ----
 *
 * On disk, a store is a directory:
 *   LOCK            flock()ed while open, so two opens cannot interleave
 *   00000001.blk    block files, ids increasing with sequences
 *   00000001.dmap   sequences deleted from block 1, 12 bytes each
 * A block starts with a 32-byte header (magic "BLSTBLK1", base seq, the
 * last timestamp before it, version, CRC) and holds records in increasing
 * sequence order; a sequence in the block's range without a record, or
 * listed in its dmap, is deleted. A record is
 *   u32 type, u32 total length, u64 seq, u64 ts, u32 subject, header and
 *   payload lengths, the three byte strings, u32 CRC-32C of all before it
 * (little-endian), so its length is store_msg_size(). A skip record has no
 * bytes and only moves last_seq. Only the last block is appended to;
 * blocks are created complete (written as .tmp, then renamed), so a torn
 * record can only be at the end of the last block. */

#define BLK_MAGIC "BLSTBLK1"
#define BLK_HDR 32u
#define BLK_VERSION 1u
#define REC_MSG 0xb1a5c0d1u
#define REC_SKIP 0xb1a5c0d2u
#define REC_HDR 36u
#define DMAP_ENTRY 12u
/* Largest configurable block; offsets must fit 32 bits with a maximal
 * message after the limit. */
#define BLK_SIZE_MAX (1024u * 1024 * 1024)

struct blk {
    uint32_t id;
    uint64_t base;       /* first sequence this block may hold */
    uint64_t prev_ts;    /* last_ts of the store when it was created */
    uint64_t last_rec;   /* highest sequence with a record, base-1 if none */
    uint64_t size;       /* bytes in the file */
    uint64_t n_live;
    uint64_t live_bytes; /* record bytes of live messages */
    uint64_t dmap_size;  /* bytes in the dmap file */
    int fd;              /* -1 until needed */
    int dmap_fd;         /* -1 until needed */
    bool dirty;          /* written since the last fdatasync */
    bool dmap_dirty;
};

struct filestore {
    struct store s;
    struct store_core core;
    char *dir;
    int dir_fd;
    int lock_fd;
    struct blk **blks; /* sorted by id, so by base */
    size_t n_blks;
    size_t cap_blks;
    unsigned n_open;   /* blocks with an open fd */
    bool dir_dirty;    /* a file was created, renamed or removed */
    struct bl_buf scratch;
};

/* A parsed record; the slices point into the parsed bytes. */
struct rec {
    uint32_t type;
    uint32_t len;
    uint64_t seq;
    uint64_t ts_ns;
    struct bl_slice subject;
    struct bl_slice hdr;
    struct bl_slice data;
};

static inline uint64_t fs_loc(uint32_t id, uint32_t off)
{
    return (uint64_t)id << 32 | off;
}

/* segment.c */
void segment_path(const struct filestore *fs, uint32_t id, const char *ext,
                  char *out, size_t out_size);
/* Encodes a record into b (cleared first). */
void segment_rec_encode(struct bl_buf *b, uint32_t type, uint64_t seq,
                        uint64_t ts_ns, struct bl_slice subject,
                        struct bl_slice hdr, struct bl_slice data);
/* Parses the record at p: 0, BL_EAGAIN if `avail` ends inside it, or
 * BL_EPROTO if it is not a valid record. */
int segment_rec_parse(const char *p, size_t avail, struct rec *r);
/* Creates block `id` complete with its header and adds it to fs->blks. */
/* A block in memory for an open fd whose header says `base`/`prev_ts`;
 * counts the fd as open. */
struct blk *segment_blk_new(struct filestore *fs, uint32_t id, uint64_t base,
                            uint64_t prev_ts, int fd);
int segment_create(struct filestore *fs, uint32_t id, uint64_t base,
                   uint64_t prev_ts, struct blk **out, char *errmsg);
/* Decodes a block header; 0 or BL_EPROTO. */
int segment_hdr_parse(const char *p, size_t avail, uint64_t *base,
                      uint64_t *prev_ts);
/* The block's fd, opening it (and closing others past the limit). */
int segment_fd(struct filestore *fs, struct blk *b, char *errmsg);
/* Closes a block's descriptors (syncing them if dirty) and frees it. */
void segment_free(struct filestore *fs, struct blk *b);
/* Unlinks the block and its dmap, removes it from fs->blks, frees it. */
int segment_unlink(struct filestore *fs, struct blk *b, char *errmsg);
struct blk *segment_find(const struct filestore *fs, uint32_t id);
/* Writes all of buf at off; on failure returns the BL_E* code with errno
 * mapped (EFBIG counts as disk full). */
int segment_pwrite(int fd, const void *buf, size_t len, uint64_t off,
                   char *errmsg);
int segment_pread(int fd, void *buf, size_t len, uint64_t off, char *errmsg);
/* fdatasync of every dirty file, then the directory. */
int segment_sync_all(struct filestore *fs, char *errmsg);
/* store_sync_begin() of the file store: a job with dups of the dirty
 * files' descriptors (and the directory's); marks everything clean. */
int segment_sync_begin(struct filestore *fs, struct store_sync **out,
                       char *errmsg);
void segment_put_u32(char *p, uint32_t v);
void segment_put_u64(char *p, uint64_t v);
uint32_t segment_get_u32(const char *p);
uint64_t segment_get_u64(const char *p);
int segment_errno(const char *what, char *errmsg);

/* recover.c: scans the directory into fs->blks and fs->core. */
int filestore__recover(struct filestore *fs, char *errmsg);

#endif
