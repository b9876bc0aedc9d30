/* File store operations: appends go to the last block, deletes to the
 * block's dmap, whole blocks are unlinked when emptied and rewritten when
 * mostly dead. Recovery is in recover.c, the format in internal.h. */
#include "store/internal.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Blocks smaller than this are not worth compacting. */
#define COMPACT_MIN_BYTES 4096u

static struct filestore *fs_of(struct store *s)
{
    return container_of(s, struct filestore, s);
}

static struct blk *last_blk(struct filestore *fs)
{
    return fs->blks[fs->n_blks - 1];
}

static struct blk *blk_of_slot(struct filestore *fs,
                               const struct store_slot *sl)
{
    struct blk *b = segment_find(fs, (uint32_t)(sl->loc >> 32));
    assert(b != NULL);
    return b;
}

/* ---- reads ---- */

static int fs_read(struct store *s, uint64_t seq, const struct store_slot *sl,
                   struct store_msg *m, char *errmsg)
{
    struct filestore *fs = fs_of(s);
    struct blk *b = blk_of_slot(fs, sl);
    uint32_t off = (uint32_t)sl->loc;
    int fd = segment_fd(fs, b, errmsg);
    int rv = fd;
    if (fd < 0)
        goto fail;
    bl_buf_clear(&m->buf);
    bl_buf_reserve(&m->buf, sl->len + 1);
    rv = segment_pread(fd, m->buf.p, sl->len, off, errmsg);
    if (rv != 0)
        goto fail;
    m->buf.len = sl->len;
    m->buf.p[sl->len] = '\0';
    struct rec r;
    if (segment_rec_parse(m->buf.p, sl->len, &r) != 0 || r.seq != seq ||
        r.len != sl->len || r.type != REC_MSG) {
        bl_errmsg_set(errmsg, "record at offset %u fails its checksum", off);
        rv = BL_EIO;
        goto fail;
    }
    m->seq = seq;
    m->ts_ns = r.ts_ns;
    m->subject = r.subject;
    m->hdr = r.hdr;
    m->data = r.data;
    return 0;
fail:
    bl_errmsg_prefix(errmsg, "load %llu from block %u",
                     (unsigned long long)seq, b->id);
    return rv;
}

static int fs_read_ts(struct store *s, uint64_t seq,
                      const struct store_slot *sl, uint64_t *ts_ns)
{
    struct filestore *fs = fs_of(s);
    struct blk *b = blk_of_slot(fs, sl);
    char hdr[REC_HDR];
    int fd = segment_fd(fs, b, NULL);
    if (fd < 0)
        return fd;
    int rv = segment_pread(fd, hdr, sizeof(hdr), (uint32_t)sl->loc, NULL);
    if (rv != 0)
        return rv;
    if (segment_get_u64(hdr + 8) != seq)
        return BL_EIO;
    *ts_ns = segment_get_u64(hdr + 16);
    return 0;
}

/* ---- writes ---- */

static int fs_sync(struct store *s, char *errmsg)
{
    int rv = segment_sync_all(fs_of(s), errmsg);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "sync store %s", fs_of(s)->dir);
    return rv;
}

static int fs_sync_begin(struct store *s, struct store_sync **out,
                         char *errmsg)
{
    return segment_sync_begin(fs_of(s), out, errmsg);
}

static int maybe_sync(struct filestore *fs, char *errmsg)
{
    return fs->core.cfg.sync_every_write ? fs_sync(&fs->s, errmsg) : 0;
}

/* Opens a new last block when the current one cannot take `len` more
 * bytes. A last block left without live messages goes away. */
static int roll_if_full(struct filestore *fs, uint64_t len, char *errmsg)
{
    struct blk *b = last_blk(fs);
    if (b->size <= BLK_HDR || b->size + len <= fs->core.cfg.block_size)
        return 0;
    struct blk *nb;
    int rv = segment_create(fs, b->id + 1, fs->core.last_seq + 1,
                            fs->core.last_ts, &nb, errmsg);
    if (rv != 0)
        return rv;
    if (b->n_live == 0 && segment_unlink(fs, b, errmsg) != 0)
        bl_log_warn("store %s: %s", fs->dir, errmsg);
    return 0;
}

/* Writes an encoded record (fs->scratch) at the end of the last block. On
 * failure the block is cut back so no partial record stays behind. */
static int write_record(struct filestore *fs, struct blk **bout,
                        uint32_t *off_out, char *errmsg)
{
    int rv = roll_if_full(fs, fs->scratch.len, errmsg);
    if (rv != 0)
        return rv;
    struct blk *b = last_blk(fs);
    int fd = segment_fd(fs, b, errmsg);
    if (fd < 0)
        return fd;
    rv = segment_pwrite(fd, fs->scratch.p, fs->scratch.len, b->size, errmsg);
    if (rv != 0) {
        if (ftruncate(fd, (off_t)b->size) != 0)
            bl_log_error("store %s: cannot cut block %u back after a failed "
                         "write: %s", fs->dir, b->id, strerror(errno));
        bl_errmsg_prefix(errmsg, "block %u", b->id);
        return rv;
    }
    *bout = b;
    *off_out = (uint32_t)b->size;
    b->size += fs->scratch.len;
    b->dirty = true;
    return 0;
}

static int fs_append(struct store *s, uint64_t seq, struct bl_slice subject,
                     struct bl_slice hdr, struct bl_slice data,
                     uint64_t ts_ns, uint64_t *seq_out, char *errmsg)
{
    struct filestore *fs = fs_of(s);
    int rv = store__check_append(&fs->core, seq, subject, hdr, data, &seq,
                                 errmsg);
    if (rv != 0)
        return rv;
    segment_rec_encode(&fs->scratch, REC_MSG, seq, ts_ns, subject, hdr, data);
    struct blk *b;
    uint32_t off;
    rv = write_record(fs, &b, &off, errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(errmsg, "append to store %s", fs->dir);
        return rv;
    }
    uint32_t len = (uint32_t)fs->scratch.len;
    store__core_add(&fs->core, seq, subject, len, fs_loc(b->id, off), ts_ns);
    b->last_rec = seq;
    b->n_live++;
    b->live_bytes += len;
    if (seq_out != NULL)
        *seq_out = seq;
    return maybe_sync(fs, errmsg);
}

static int fs_skip_to(struct store *s, uint64_t seq, uint64_t ts_ns,
                      char *errmsg)
{
    struct filestore *fs = fs_of(s);
    if (seq < fs->core.last_seq) {
        bl_errmsg_set(errmsg, "skip to %llu below last sequence %llu",
                      (unsigned long long)seq,
                      (unsigned long long)fs->core.last_seq);
        return BL_EINVAL;
    }
    if (seq == fs->core.last_seq)
        return 0;
    segment_rec_encode(&fs->scratch, REC_SKIP, seq, ts_ns,
                       (struct bl_slice){NULL, 0}, (struct bl_slice){NULL, 0},
                       (struct bl_slice){NULL, 0});
    struct blk *b;
    uint32_t off;
    int rv = write_record(fs, &b, &off, errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(errmsg, "skip in store %s", fs->dir);
        return rv;
    }
    b->last_rec = seq;
    store__core_skip(&fs->core, seq, ts_ns);
    return maybe_sync(fs, errmsg);
}

static int dmap_fd(struct filestore *fs, struct blk *b, char *errmsg)
{
    if (b->dmap_fd >= 0)
        return b->dmap_fd;
    char path[4096];
    segment_path(fs, b->id, "dmap", path, sizeof(path));
    b->dmap_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (b->dmap_fd < 0)
        return segment_errno("open dmap", errmsg);
    if (b->dmap_size == 0)
        fs->dir_dirty = true;
    return b->dmap_fd;
}

/* Rewrites live records of a mostly dead block into a new file that
 * replaces it atomically. Failure is logged, not returned: the old block
 * stays valid. */
static void compact_blk(struct filestore *fs, struct blk *b)
{
    struct store_core *c = &fs->core;
    char errmsg[BL_ERRMSG_SIZE] = "";
    char path[4096], tmp[4096];
    segment_path(fs, b->id, "blk", path, sizeof(path));
    segment_path(fs, b->id, "blk.tmp", tmp, sizeof(tmp));
    struct bl_buf out;
    bl_buf_init(&out);
    int rv = segment_fd(fs, b, errmsg);
    if (rv < 0)
        goto fail;
    int fd = rv;
    /* Header: the same base and prev_ts, so the block still claims its
     * sequence range. */
    bl_buf_reserve(&out, BLK_HDR + b->live_bytes);
    out.len = BLK_HDR;
    rv = segment_pread(fd, out.p, BLK_HDR, 0, errmsg);
    if (rv != 0)
        goto fail;
    uint64_t seq = b->base;
    uint64_t last_live = 0;
    for (;; seq++) {
        seq = seqidx_next(&c->ix, seq, b->last_rec);
        if (seq == 0)
            break;
        struct store_slot *sl = seqidx_get(&c->ix, seq);
        size_t at = out.len;
        bl_buf_reserve(&out, sl->len);
        rv = segment_pread(fd, out.p + at, sl->len, (uint32_t)sl->loc,
                           errmsg);
        if (rv != 0)
            goto fail;
        out.len += sl->len;
        last_live = seq;
    }
    int nfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (nfd < 0) {
        rv = segment_errno("create", errmsg);
        goto fail;
    }
    rv = segment_pwrite(nfd, out.p, out.len, 0, errmsg);
    if (rv == 0 && fdatasync(nfd) != 0)
        rv = segment_errno("sync", errmsg);
    if (rv == 0 && rename(tmp, path) != 0)
        rv = segment_errno("rename", errmsg);
    if (rv != 0) {
        close(nfd);
        unlink(tmp);
        goto fail;
    }
    /* The new file is in place: every dmap entry names a sequence it no
     * longer holds, so the dmap can go (a crash before the unlink leaves
     * entries that match nothing). */
    segment_path(fs, b->id, "dmap", tmp, sizeof(tmp));
    if (b->dmap_fd >= 0) {
        close(b->dmap_fd);
        b->dmap_fd = -1;
    }
    unlink(tmp);
    b->dmap_size = 0;
    b->dmap_dirty = false;
    close(fd);
    b->fd = nfd;
    b->dirty = false;
    fs->dir_dirty = true;
    uint32_t off = BLK_HDR;
    for (seq = b->base;; seq++) {
        seq = seqidx_next(&c->ix, seq, b->last_rec);
        if (seq == 0)
            break;
        struct store_slot *sl = seqidx_get(&c->ix, seq);
        sl->loc = fs_loc(b->id, off);
        off += sl->len;
    }
    b->size = out.len;
    b->last_rec = last_live != 0 ? last_live : b->base - 1;
    bl_buf_close(&out);
    return;
fail:
    bl_log_warn("store %s: compact block %u failed, keeping it: %s", fs->dir,
                b->id, errmsg);
    bl_buf_close(&out);
}

static bool worth_compacting(const struct filestore *fs, const struct blk *b)
{
    uint64_t body = b->size - BLK_HDR;
    return b != fs->blks[fs->n_blks - 1] && b->n_live > 0 &&
           fs->core.cfg.compact_pct <= 100 && body >= COMPACT_MIN_BYTES &&
           b->live_bytes * 100 < body * fs->core.cfg.compact_pct;
}

/* Overwrites the bytes of a deleted record with zeros under a valid
 * checksum, so the record still parses but holds nothing. */
static int erase_record(struct filestore *fs, struct blk *b, uint64_t seq,
                        const struct store_slot *sl, char *errmsg)
{
    int fd = segment_fd(fs, b, errmsg);
    if (fd < 0)
        return fd;
    struct bl_buf buf;
    bl_buf_init(&buf);
    bl_buf_reserve(&buf, sl->len);
    int rv = segment_pread(fd, buf.p, sl->len, (uint32_t)sl->loc, errmsg);
    if (rv == 0) {
        memset(buf.p + REC_HDR, 0, sl->len - REC_HDR - 4);
        segment_put_u32(buf.p + sl->len - 4,
                        store__crc32c(0, buf.p, sl->len - 4));
        rv = segment_pwrite(fd, buf.p, sl->len, (uint32_t)sl->loc, errmsg);
        b->dirty = true;
    }
    bl_buf_close(&buf);
    return rv;
}

/* Removes seqs[0..n), which all live in block b. */
static int remove_in_blk(struct filestore *fs, struct blk *b,
                         const uint64_t *seqs, size_t n, bool erase,
                         char *errmsg)
{
    struct store_core *c = &fs->core;
    int rv;
    bool is_last = b == last_blk(fs);
    if (!is_last && b->n_live == n) {
        /* The whole block dies: unlinking it records every delete. */
        rv = segment_unlink(fs, b, errmsg);
        if (rv != 0)
            return rv;
        for (size_t i = 0; i < n; i++)
            store__core_remove(c, seqs[i], NULL);
        return 0;
    }
    int fd = dmap_fd(fs, b, errmsg);
    if (fd < 0)
        return fd;
    bl_buf_clear(&fs->scratch);
    bl_buf_reserve(&fs->scratch, n * DMAP_ENTRY);
    for (size_t i = 0; i < n; i++) {
        char *e = fs->scratch.p + i * DMAP_ENTRY;
        segment_put_u64(e, seqs[i]);
        segment_put_u32(e + 8, store__crc32c(0, e, 8));
    }
    rv = segment_pwrite(fd, fs->scratch.p, n * DMAP_ENTRY, b->dmap_size,
                        errmsg);
    if (rv != 0) {
        if (ftruncate(fd, (off_t)b->dmap_size) != 0)
            bl_log_error("store %s: cannot cut dmap %u back: %s", fs->dir,
                         b->id, strerror(errno));
        return rv;
    }
    b->dmap_size += n * DMAP_ENTRY;
    b->dmap_dirty = true;
    rv = 0;
    for (size_t i = 0; i < n; i++) {
        struct store_slot sl = *seqidx_get(&c->ix, seqs[i]);
        if (erase) {
            /* The dmap entry is written first: a crash between the two
             * leaves a deleted record, never a live zeroed one. */
            int erv = erase_record(fs, b, seqs[i], &sl, errmsg);
            if (erv != 0 && rv == 0) {
                bl_errmsg_prefix(errmsg, "erase %llu",
                                 (unsigned long long)seqs[i]);
                rv = erv;
            }
        }
        store__core_remove(c, seqs[i], NULL);
        b->n_live--;
        b->live_bytes -= sl.len;
    }
    if (worth_compacting(fs, b))
        compact_blk(fs, b);
    return rv;
}

static int fs_remove_batch(struct store *s, const uint64_t *seqs, size_t n,
                           bool erase, char *errmsg)
{
    struct filestore *fs = fs_of(s);
    struct store_core *c = &fs->core;
    size_t i = 0;
    int rv = 0;
    while (i < n) {
        uint32_t id = (uint32_t)(seqidx_get(&c->ix, seqs[i])->loc >> 32);
        size_t j = i + 1;
        while (j < n && (uint32_t)(seqidx_get(&c->ix, seqs[j])->loc >> 32) ==
                            id)
            j++;
        rv = remove_in_blk(fs, segment_find(fs, id), seqs + i, j - i, erase,
                           errmsg);
        if (rv != 0)
            break;
        i = j;
    }
    if (rv == 0)
        rv = maybe_sync(fs, errmsg);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "remove from store %s", fs->dir);
    return rv;
}

static const struct store_backend fs_backend = {
    .read = fs_read,
    .read_ts = fs_read_ts,
    .remove_batch = fs_remove_batch,
};

static int fs_compact(struct store *s, uint64_t seq, uint64_t *n_purged,
                      char *errmsg)
{
    struct filestore *fs = fs_of(s);
    int rv = store__remove_below(s, seq, n_purged, errmsg);
    if (rv != 0)
        return rv;
    if (seq > fs->core.last_seq + 1)
        return fs_skip_to(s, seq - 1, fs->core.last_ts, errmsg);
    return 0;
}

/* Cuts block b after its last record <= seq and drops dmap entries above
 * seq. */
static int cut_blk(struct filestore *fs, struct blk *b, uint64_t seq,
                   char *errmsg)
{
    int fd = segment_fd(fs, b, errmsg);
    if (fd < 0)
        return fd;
    char *buf = bl_xmalloc(b->size);
    int rv = segment_pread(fd, buf, b->size, 0, errmsg);
    if (rv != 0)
        goto out;
    uint64_t off = BLK_HDR, last = b->base - 1;
    while (off < b->size) {
        struct rec r;
        if (segment_rec_parse(buf + off, b->size - off, &r) != 0 ||
            r.seq > seq)
            break;
        last = r.seq;
        off += r.len;
    }
    if (ftruncate(fd, (off_t)off) != 0) {
        rv = segment_errno("truncate", errmsg);
        goto out;
    }
    b->size = off;
    b->last_rec = last;
    b->dirty = true;
    if (b->dmap_size > 0) {
        /* Entries above seq would delete the sequences appended next. */
        int dfd = dmap_fd(fs, b, errmsg);
        if (dfd < 0) {
            rv = dfd;
            goto out;
        }
        char *d = bl_xmalloc(b->dmap_size);
        rv = segment_pread(dfd, d, b->dmap_size, 0, errmsg);
        size_t kept = 0;
        for (uint64_t k = 0; rv == 0 && k < b->dmap_size; k += DMAP_ENTRY)
            if (segment_get_u64(d + k) <= seq) {
                memmove(d + kept, d + k, DMAP_ENTRY);
                kept += DMAP_ENTRY;
            }
        if (rv == 0)
            rv = segment_pwrite(dfd, d, kept, 0, errmsg);
        if (rv == 0 && ftruncate(dfd, (off_t)kept) != 0)
            rv = segment_errno("truncate dmap", errmsg);
        if (rv == 0) {
            b->dmap_size = kept;
            b->dmap_dirty = true;
        }
        bl_free(d);
    }
out:
    bl_free(buf);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "block %u", b->id);
    return rv;
}

static int fs_truncate(struct store *s, uint64_t seq, char *errmsg)
{
    struct filestore *fs = fs_of(s);
    struct store_core *c = &fs->core;
    int rv = 0;
    int bad = store__check_truncate(c, seq, errmsg);
    if (bad != 0)
        return bad;
    if (seq == c->last_seq)
        return 0;
    rv = store__remove_above(s, seq, errmsg);
    if (rv != 0)
        goto fail;
    /* Blocks starting above seq + 1 hold nothing to keep; one block must
     * stay to carry last_seq. */
    if (fs->blks[0]->base > seq + 1) {
        struct blk *nb;
        rv = segment_create(fs, last_blk(fs)->id + 1, seq + 1, c->last_ts,
                            &nb, errmsg);
        if (rv != 0)
            goto fail;
    }
    for (size_t i = fs->n_blks; i-- > 0;) {
        if (fs->blks[i]->base > seq + 1) {
            rv = segment_unlink(fs, fs->blks[i], errmsg);
            if (rv != 0)
                goto fail;
        }
    }
    struct blk *b = last_blk(fs);
    rv = cut_blk(fs, b, seq, errmsg);
    if (rv != 0)
        goto fail;
    uint64_t ts = c->last_ts;
    struct store_slot *sl = seqidx_get(&c->ix, seq);
    if (sl != NULL)
        fs_read_ts(s, seq, sl, &ts);
    c->last_seq = b->last_rec > b->base - 1 ? b->last_rec : b->base - 1;
    if (c->msgs == 0)
        c->first_seq = c->last_seq + 1;
    if (c->last_seq < seq) {
        /* Nothing on disk says the store reached seq: write it down. */
        rv = fs_skip_to(s, seq, ts, errmsg);
        if (rv != 0)
            goto fail;
    }
    c->last_seq = seq;
    c->last_ts = ts;
    if (c->msgs == 0)
        c->first_seq = seq + 1;
    return maybe_sync(fs, errmsg);
fail:
    bl_errmsg_prefix(errmsg, "truncate store %s", fs->dir);
    return rv;
}

static void fs_free(struct filestore *fs)
{
    for (size_t i = 0; i < fs->n_blks; i++)
        segment_free(fs, fs->blks[i]);
    bl_free(fs->blks);
    store__core_close(&fs->core);
    bl_buf_close(&fs->scratch);
    if (fs->dir_fd >= 0)
        close(fs->dir_fd);
    if (fs->lock_fd >= 0)
        close(fs->lock_fd);
    bl_free(fs->dir);
    bl_free(fs);
}

static void fs_close(struct store *s)
{
    struct filestore *fs = fs_of(s);
    char errmsg[BL_ERRMSG_SIZE];
    if (segment_sync_all(fs, errmsg) != 0)
        bl_log_error("store %s: sync on close: %s", fs->dir, errmsg);
    fs_free(fs);
}

static int fs_destroy(struct store *s, char *errmsg)
{
    struct filestore *fs = fs_of(s);
    int rv = 0;
    DIR *d = opendir(fs->dir);
    if (d == NULL) {
        rv = segment_errno("open directory", errmsg);
    } else {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (unlinkat(fs->dir_fd, de->d_name, 0) != 0 && rv == 0)
                rv = segment_errno("unlink", errmsg);
        }
        closedir(d);
    }
    char *dir = bl_xstrdup(fs->dir);
    for (size_t i = 0; i < fs->n_blks; i++)
        fs->blks[i]->dirty = fs->blks[i]->dmap_dirty = false;
    fs_free(fs);
    if (rv == 0 && rmdir(dir) != 0)
        rv = segment_errno("remove directory", errmsg);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "delete store %s", dir);
    bl_free(dir);
    return rv;
}

static const struct store_ops fs_ops = {
    .append = fs_append,
    .skip_to = fs_skip_to,
    .load = store__load,
    .load_next = store__load_next,
    .load_prev = store__load_prev,
    .remove = store__remove,
    .purge = store__purge,
    .compact = fs_compact,
    .truncate = fs_truncate,
    .sync = fs_sync,
    .sync_begin = fs_sync_begin,
    .close = fs_close,
    .destroy = fs_destroy,
};

int filestore_open(const char *dir, const struct store_cfg *cfg,
                   struct store **out, char *errmsg)
{
    int rv;
    if (cfg != NULL && cfg->block_size > BLK_SIZE_MAX) {
        bl_errmsg_set(errmsg, "open store %s: block size %llu above %u", dir,
                      (unsigned long long)cfg->block_size, BLK_SIZE_MAX);
        return BL_EINVAL;
    }
    struct filestore *fs = bl_xcalloc(1, sizeof(*fs));
    fs->s.ops = &fs_ops;
    fs->s.kind = STORE_FILE;
    fs->s.core = &fs->core;
    fs->dir = bl_xstrdup(dir);
    fs->dir_fd = -1;
    fs->lock_fd = -1;
    bl_buf_init(&fs->scratch);
    store__core_init(&fs->core, &fs->s, &fs_backend, cfg);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        rv = segment_errno("create directory", errmsg);
        goto fail;
    }
    fs->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs->dir_fd < 0) {
        rv = segment_errno("open directory", errmsg);
        goto fail;
    }
    fs->lock_fd = openat(fs->dir_fd, "LOCK", O_RDWR | O_CREAT | O_CLOEXEC,
                         0644);
    if (fs->lock_fd < 0) {
        rv = segment_errno("create LOCK", errmsg);
        goto fail;
    }
    if (flock(fs->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            bl_errmsg_set(errmsg, "in use by another store handle");
            rv = BL_EBUSY;
        } else {
            rv = segment_errno("lock", errmsg);
        }
        goto fail;
    }
    rv = filestore__recover(fs, errmsg);
    if (rv != 0)
        goto fail;
    *out = &fs->s;
    return 0;
fail:
    bl_errmsg_prefix(errmsg, "open store %s", dir);
    for (size_t i = 0; i < fs->n_blks; i++)
        fs->blks[i]->dirty = fs->blks[i]->dmap_dirty = false;
    fs_free(fs);
    return rv;
}
