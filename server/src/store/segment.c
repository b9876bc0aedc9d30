/* Block files of the file store: naming, the header, record encoding and
 * checking, creation, descriptors and unlinking. The format is described in
 * internal.h. */
#include "store/internal.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open block descriptors kept at most; older blocks are read rarely. */
#define MAX_OPEN_BLKS 64

void segment_put_u32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i));
}

void segment_put_u64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(v >> (8 * i));
}

uint32_t segment_get_u32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
           (uint32_t)u[3] << 24;
}

uint64_t segment_get_u64(const char *p)
{
    return (uint64_t)segment_get_u32(p) |
           (uint64_t)segment_get_u32(p + 4) << 32;
}

int segment_errno(const char *what, char *errmsg)
{
    int e = errno;
    if (e == EFBIG) {
        /* RLIMIT_FSIZE or the file system's file size limit: for the
         * caller it is the same as a full disk. */
        bl_errmsg_set(errmsg, "%s: %s", what, strerror(e));
        return BL_ENOSPC;
    }
    bl_errmsg_set(errmsg, "%s: %s", what, strerror(e));
    int rv = bl_err_from_errno(e);
    return rv == BL_ENOSPC || rv == BL_EPERM || rv == BL_ENOENT ? rv : BL_EIO;
}

void segment_path(const struct filestore *fs, uint32_t id, const char *ext,
                  char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%08u.%s", fs->dir, id, ext);
}

void segment_rec_encode(struct bl_buf *b, uint32_t type, uint64_t seq,
                        uint64_t ts_ns, struct bl_slice subject,
                        struct bl_slice hdr, struct bl_slice data)
{
    size_t len = REC_HDR + subject.len + hdr.len + data.len + 4;
    bl_buf_clear(b);
    bl_buf_reserve(b, len);
    char *p = b->p;
    segment_put_u32(p, type);
    segment_put_u32(p + 4, (uint32_t)len);
    segment_put_u64(p + 8, seq);
    segment_put_u64(p + 16, ts_ns);
    segment_put_u32(p + 24, (uint32_t)subject.len);
    segment_put_u32(p + 28, (uint32_t)hdr.len);
    segment_put_u32(p + 32, (uint32_t)data.len);
    size_t off = REC_HDR;
    if (subject.len > 0)
        memcpy(p + off, subject.p, subject.len);
    off += subject.len;
    if (hdr.len > 0)
        memcpy(p + off, hdr.p, hdr.len);
    off += hdr.len;
    if (data.len > 0)
        memcpy(p + off, data.p, data.len);
    off += data.len;
    segment_put_u32(p + off, store__crc32c(0, p, off));
    b->len = len;
}

int segment_rec_parse(const char *p, size_t avail, struct rec *r)
{
    if (avail < 8)
        return BL_EAGAIN;
    uint32_t type = segment_get_u32(p);
    if (type != REC_MSG && type != REC_SKIP)
        return BL_EPROTO;
    uint32_t len = segment_get_u32(p + 4);
    if (len < REC_HDR + 4 || len - REC_HDR - 4 > STORE_MSG_MAX)
        return BL_EPROTO;
    if (avail < REC_HDR)
        return BL_EAGAIN;
    uint64_t sl = segment_get_u32(p + 24), hl = segment_get_u32(p + 28),
             dl = segment_get_u32(p + 32);
    if (REC_HDR + sl + hl + dl + 4 != len)
        return BL_EPROTO;
    if (type == REC_SKIP && len != REC_HDR + 4)
        return BL_EPROTO;
    if (type == REC_MSG && sl == 0)
        return BL_EPROTO;
    if (avail < len)
        return BL_EAGAIN;
    if (store__crc32c(0, p, len - 4) != segment_get_u32(p + len - 4))
        return BL_EPROTO;
    r->type = type;
    r->len = len;
    r->seq = segment_get_u64(p + 8);
    r->ts_ns = segment_get_u64(p + 16);
    r->subject = (struct bl_slice){p + REC_HDR, (size_t)sl};
    r->hdr = (struct bl_slice){p + REC_HDR + sl, (size_t)hl};
    r->data = (struct bl_slice){p + REC_HDR + sl + hl, (size_t)dl};
    if (r->seq == 0)
        return BL_EPROTO;
    return 0;
}

int segment_hdr_parse(const char *p, size_t avail, uint64_t *base,
                      uint64_t *prev_ts)
{
    if (avail < BLK_HDR || memcmp(p, BLK_MAGIC, 8) != 0 ||
        segment_get_u32(p + 24) != BLK_VERSION ||
        store__crc32c(0, p, 28) != segment_get_u32(p + 28))
        return BL_EPROTO;
    *base = segment_get_u64(p + 8);
    *prev_ts = segment_get_u64(p + 16);
    return *base == 0 ? BL_EPROTO : 0;
}

int segment_pwrite(int fd, const void *buf, size_t len, uint64_t off,
                   char *errmsg)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return segment_errno("write", errmsg);
        }
        if (n == 0) {
            errno = EIO;
            return segment_errno("write", errmsg);
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int segment_pread(int fd, void *buf, size_t len, uint64_t off, char *errmsg)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return segment_errno("read", errmsg);
        }
        if (n == 0) {
            bl_errmsg_set(errmsg, "read: unexpected end of file");
            return BL_EIO;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

struct blk *segment_find(const struct filestore *fs, uint32_t id)
{
    size_t lo = 0, hi = fs->n_blks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fs->blks[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fs->n_blks && fs->blks[lo]->id == id ? fs->blks[lo] : NULL;
}

static void close_fds(struct blk *b)
{
    /* Dirty data is already in the kernel; fdatasync here only keeps the
     * promise of a later store_sync(), which no longer sees this fd. */
    if (b->fd >= 0) {
        if (b->dirty)
            fdatasync(b->fd);
        close(b->fd);
        b->fd = -1;
    }
    if (b->dmap_fd >= 0) {
        if (b->dmap_dirty)
            fdatasync(b->dmap_fd);
        close(b->dmap_fd);
        b->dmap_fd = -1;
    }
    b->dirty = false;
    b->dmap_dirty = false;
}

static void evict_fds(struct filestore *fs, struct blk *keep)
{
    for (size_t i = 0; i + 1 < fs->n_blks && fs->n_open > MAX_OPEN_BLKS;
         i++) {
        struct blk *b = fs->blks[i];
        if (b != keep && b->fd >= 0) {
            close_fds(b);
            fs->n_open--;
        }
    }
}

int segment_fd(struct filestore *fs, struct blk *b, char *errmsg)
{
    if (b->fd >= 0)
        return b->fd;
    char path[4096];
    segment_path(fs, b->id, "blk", path, sizeof(path));
    b->fd = open(path, O_RDWR | O_CLOEXEC);
    if (b->fd < 0) {
        int rv = segment_errno("open", errmsg);
        bl_errmsg_prefix(errmsg, "block %u", b->id);
        return rv;
    }
    fs->n_open++;
    if (fs->n_open > MAX_OPEN_BLKS)
        evict_fds(fs, b);
    return b->fd;
}

void segment_free(struct filestore *fs, struct blk *b)
{
    if (b == NULL)
        return;
    if (b->fd >= 0)
        fs->n_open--;
    close_fds(b);
    bl_free(b);
}

static void blks_insert(struct filestore *fs, struct blk *b)
{
    if (fs->n_blks == fs->cap_blks) {
        fs->cap_blks = fs->cap_blks ? fs->cap_blks * 2 : 16;
        fs->blks = bl_xrealloc(fs->blks, fs->cap_blks * sizeof(*fs->blks));
    }
    size_t i = fs->n_blks;
    while (i > 0 && fs->blks[i - 1]->id > b->id) {
        fs->blks[i] = fs->blks[i - 1];
        i--;
    }
    fs->blks[i] = b;
    fs->n_blks++;
}

struct blk *segment_blk_new(struct filestore *fs, uint32_t id, uint64_t base,
                            uint64_t prev_ts, int fd)
{
    struct blk *b = bl_xcalloc(1, sizeof(*b));
    b->id = id;
    b->base = base;
    b->prev_ts = prev_ts;
    b->last_rec = base - 1;
    b->size = BLK_HDR;
    b->fd = fd;
    b->dmap_fd = -1;
    fs->n_open++;
    return b;
}

int segment_create(struct filestore *fs, uint32_t id, uint64_t base,
                   uint64_t prev_ts, struct blk **out, char *errmsg)
{
    char path[4096], tmp[4096];
    segment_path(fs, id, "blk", path, sizeof(path));
    segment_path(fs, id, "blk.tmp", tmp, sizeof(tmp));
    char hdr[BLK_HDR];
    memcpy(hdr, BLK_MAGIC, 8);
    segment_put_u64(hdr + 8, base);
    segment_put_u64(hdr + 16, prev_ts);
    segment_put_u32(hdr + 24, BLK_VERSION);
    segment_put_u32(hdr + 28, store__crc32c(0, hdr, 28));
    int rv;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rv = segment_errno("create", errmsg);
        goto fail;
    }
    rv = segment_pwrite(fd, hdr, sizeof(hdr), 0, errmsg);
    if (rv != 0)
        goto fail_unlink;
    /* The header must be durable before the name appears, or a crash could
     * leave a named block without a header. */
    if (fdatasync(fd) != 0) {
        rv = segment_errno("sync", errmsg);
        goto fail_unlink;
    }
    if (rename(tmp, path) != 0) {
        rv = segment_errno("rename", errmsg);
        goto fail_unlink;
    }
    fs->dir_dirty = true;
    struct blk *b = segment_blk_new(fs, id, base, prev_ts, fd);
    blks_insert(fs, b);
    if (fs->n_open > MAX_OPEN_BLKS)
        evict_fds(fs, b);
    *out = b;
    return 0;
fail_unlink:
    close(fd);
    unlink(tmp);
fail:
    bl_errmsg_prefix(errmsg, "create block %u", id);
    return rv;
}

int segment_unlink(struct filestore *fs, struct blk *b, char *errmsg)
{
    char path[4096];
    segment_path(fs, b->id, "blk", path, sizeof(path));
    if (unlink(path) != 0 && errno != ENOENT) {
        int rv = segment_errno("unlink", errmsg);
        bl_errmsg_prefix(errmsg, "block %u", b->id);
        return rv;
    }
    /* A dmap left behind by a crash here names sequences of a block that
     * no longer exists; recovery removes it. */
    segment_path(fs, b->id, "dmap", path, sizeof(path));
    unlink(path);
    fs->dir_dirty = true;
    size_t i = 0;
    while (i < fs->n_blks && fs->blks[i] != b)
        i++;
    memmove(fs->blks + i, fs->blks + i + 1,
            (fs->n_blks - i - 1) * sizeof(*fs->blks));
    fs->n_blks--;
    b->dirty = b->dmap_dirty = false; /* nothing left to sync */
    segment_free(fs, b);
    return 0;
}

int segment_sync_all(struct filestore *fs, char *errmsg)
{
    for (size_t i = 0; i < fs->n_blks; i++) {
        struct blk *b = fs->blks[i];
        if (b->dirty && b->fd >= 0) {
            if (fdatasync(b->fd) != 0) {
                int rv = segment_errno("sync", errmsg);
                bl_errmsg_prefix(errmsg, "block %u", b->id);
                return rv;
            }
        }
        b->dirty = false;
        if (b->dmap_dirty && b->dmap_fd >= 0) {
            if (fdatasync(b->dmap_fd) != 0) {
                int rv = segment_errno("sync", errmsg);
                bl_errmsg_prefix(errmsg, "dmap %u", b->id);
                return rv;
            }
        }
        b->dmap_dirty = false;
    }
    if (fs->dir_dirty) {
        if (fsync(fs->dir_fd) != 0)
            return segment_errno("sync directory", errmsg);
        fs->dir_dirty = false;
    }
    return 0;
}

/* ---- Sync job ----------------------------------------------------------- */

struct sync_file {
    int fd;      /* our own dup */
    uint32_t id; /* block id, for messages */
    bool is_dmap;
};

struct fs_sync_job {
    struct store_sync base;
    struct sync_file *files;
    size_t n_files;
    int dir_fd; /* our own dup, or -1 */
    char *dir;  /* for messages */
};

/* errno as text without strerror()'s shared buffer: this runs on worker
 * threads. */
static int job_errno(const char *what, char *errmsg)
{
    int e = errno;
    char buf[128];
    const char *text = strerror_r(e, buf, sizeof(buf));
    bl_errmsg_set(errmsg, "%s: %s", what, text);
    return e == EFBIG ? BL_ENOSPC : bl_err_from_errno(e);
}

static int job_run(const struct store_sync *j, char *errmsg)
{
    const struct fs_sync_job *job = (const struct fs_sync_job *)j;
    int rv = 0;
    for (size_t i = 0; i < job->n_files && rv == 0; i++) {
        const struct sync_file *f = &job->files[i];
        if (fdatasync(f->fd) != 0) {
            rv = job_errno("sync", errmsg);
            bl_errmsg_prefix(errmsg, "%s %u", f->is_dmap ? "dmap" : "block",
                             f->id);
        }
    }
    /* The directory last: a new block's name must not outlive a crash
     * without its contents. */
    if (rv == 0 && job->dir_fd >= 0 && fsync(job->dir_fd) != 0)
        rv = job_errno("sync directory", errmsg);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "sync store %s", job->dir);
    return rv;
}

static void job_free(struct store_sync *j)
{
    struct fs_sync_job *job = (struct fs_sync_job *)j;
    for (size_t i = 0; i < job->n_files; i++)
        close(job->files[i].fd);
    if (job->dir_fd >= 0)
        close(job->dir_fd);
    bl_free(job->files);
    bl_free(job->dir);
    bl_free(job);
}

static int job_add(struct fs_sync_job *job, int fd, uint32_t id, bool is_dmap,
                   char *errmsg)
{
    int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) {
        int rv = segment_errno("dup", errmsg);
        bl_errmsg_prefix(errmsg, "%s %u", is_dmap ? "dmap" : "block", id);
        return rv;
    }
    job->files[job->n_files++] = (struct sync_file){dup_fd, id, is_dmap};
    return 0;
}

int segment_sync_begin(struct filestore *fs, struct store_sync **out,
                       char *errmsg)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n_blks; i++) {
        const struct blk *b = fs->blks[i];
        n += b->dirty && b->fd >= 0;
        n += b->dmap_dirty && b->dmap_fd >= 0;
    }
    if (n == 0 && !fs->dir_dirty) {
        *out = NULL;
        return 0;
    }
    struct fs_sync_job *job = bl_xcalloc(1, sizeof(*job));
    job->base.run = job_run;
    job->base.free = job_free;
    job->files = bl_xmalloc((n ? n : 1) * sizeof(*job->files));
    job->dir_fd = -1;
    job->dir = bl_xstrdup(fs->dir);
    int rv = 0;
    for (size_t i = 0; i < fs->n_blks && rv == 0; i++) {
        const struct blk *b = fs->blks[i];
        if (b->dirty && b->fd >= 0)
            rv = job_add(job, b->fd, b->id, false, errmsg);
        if (rv == 0 && b->dmap_dirty && b->dmap_fd >= 0)
            rv = job_add(job, b->dmap_fd, b->id, true, errmsg);
    }
    if (rv == 0 && fs->dir_dirty) {
        job->dir_fd = fcntl(fs->dir_fd, F_DUPFD_CLOEXEC, 0);
        if (job->dir_fd < 0)
            rv = segment_errno("dup directory", errmsg);
    }
    if (rv != 0) {
        /* Nothing marked clean yet: a later sync still covers it all. */
        job_free(&job->base);
        bl_errmsg_prefix(errmsg, "sync store %s", fs->dir);
        return rv;
    }
    for (size_t i = 0; i < fs->n_blks; i++)
        fs->blks[i]->dirty = fs->blks[i]->dmap_dirty = false;
    fs->dir_dirty = false;
    *out = &job->base;
    return 0;
}
