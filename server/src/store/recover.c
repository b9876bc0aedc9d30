/* Opening a file store: list the directory, read every block and its dmap,
 * check each record's CRC, cut a torn tail off the last block, skip (and
 * report) corrupt records elsewhere, and rebuild the index. */
#include "store/internal.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ids {
    uint32_t *v;
    size_t n, cap;
};

static void ids_add(struct ids *a, uint32_t id)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = bl_xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = id;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Parses "%08u.<ext>" exactly. */
static bool parse_name(const char *name, const char *ext, uint32_t *id)
{
    size_t n = strlen(name), el = strlen(ext);
    if (n != 9 + el || name[8] != '.' || strcmp(name + 9, ext) != 0)
        return false;
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(name[i] - '0');
    }
    *id = v;
    return true;
}

static void report(struct filestore *fs, bool corrupt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct filestore *fs, bool corrupt, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    struct store_recovery *rec = &fs->core.rec;
    if (corrupt)
        rec->n_bad_records++;
    if (rec->msg[0] == '\0')
        snprintf(rec->msg, sizeof(rec->msg), "%s", line);
    bl_log_warn("store %s: %s", fs->dir, line);
}

static int read_file(int fd, char **out, uint64_t *size, char *errmsg)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return segment_errno("stat", errmsg);
    char *p = bl_xmalloc((size_t)st.st_size + 1);
    int rv = segment_pread(fd, p, (size_t)st.st_size, 0, errmsg);
    if (rv != 0) {
        bl_free(p);
        return rv;
    }
    *out = p;
    *size = (uint64_t)st.st_size;
    return 0;
}

/* Loads block b's deleted sequences, sorted, into *out; cuts a torn entry
 * off the end so later appends stay aligned. */
static int load_dmap(struct filestore *fs, struct blk *b, uint64_t **out,
                     size_t *n_out, char *errmsg)
{
    char path[4096];
    segment_path(fs, b->id, "dmap", path, sizeof(path));
    *out = NULL;
    *n_out = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return segment_errno("open dmap", errmsg);
    }
    char *p;
    uint64_t size;
    int rv = read_file(fd, &p, &size, errmsg);
    if (rv != 0) {
        close(fd);
        return rv;
    }
    uint64_t whole = size - size % DMAP_ENTRY;
    if (whole != size) {
        report(fs, false, "dmap %u: cut %llu torn bytes", b->id,
               (unsigned long long)(size - whole));
        if (ftruncate(fd, (off_t)whole) != 0) {
            rv = segment_errno("truncate dmap", errmsg);
            goto out;
        }
    }
    uint64_t *v = bl_xmalloc((whole / DMAP_ENTRY + 1) * sizeof(*v));
    size_t n = 0;
    for (uint64_t off = 0; off < whole; off += DMAP_ENTRY) {
        if (store__crc32c(0, p + off, 8) != segment_get_u32(p + off + 8)) {
            report(fs, true, "dmap %u: bad entry at offset %llu", b->id,
                   (unsigned long long)off);
            continue;
        }
        v[n++] = segment_get_u64(p + off);
    }
    qsort(v, n, sizeof(*v), cmp_u64);
    *out = v;
    *n_out = n;
    b->dmap_size = whole;
out:
    bl_free(p);
    close(fd);
    return rv;
}

/* Offset of the next valid record after a bad one at `off`, or 0. */
static uint64_t resync(const char *p, uint64_t size, uint64_t off)
{
    for (uint64_t q = off + 1; q + REC_HDR + 4 <= size; q++) {
        struct rec r;
        uint32_t t = segment_get_u32(p + q);
        if ((t == REC_MSG || t == REC_SKIP) &&
            segment_rec_parse(p + q, size - q, &r) == 0)
            return q;
    }
    return 0;
}

/* Scans one block into the index. `is_last` allows cutting a torn tail. */
static int scan_blk(struct filestore *fs, struct blk *b, bool is_last,
                    char *errmsg)
{
    struct store_core *c = &fs->core;
    uint64_t *dels;
    size_t n_dels;
    int rv = load_dmap(fs, b, &dels, &n_dels, errmsg);
    if (rv != 0)
        return rv;
    int fd = segment_fd(fs, b, errmsg);
    if (fd < 0) {
        bl_free(dels);
        return fd;
    }
    char *p;
    uint64_t size;
    rv = read_file(fd, &p, &size, errmsg);
    if (rv != 0) {
        bl_free(dels);
        return rv;
    }
    uint64_t off = BLK_HDR;
    while (off < size) {
        struct rec r;
        int prv = segment_rec_parse(p + off, size - off, &r);
        if (prv == 0) {
            if (r.seq <= c->last_seq || r.seq < b->base) {
                report(fs, true,
                       "block %u: record at offset %llu has sequence %llu "
                       "out of order, skipped",
                       b->id, (unsigned long long)off,
                       (unsigned long long)r.seq);
            } else if (r.type == REC_SKIP) {
                store__core_skip(c, r.seq, r.ts_ns);
                b->last_rec = r.seq;
            } else {
                if (n_dels == 0 || bsearch(&r.seq, dels, n_dels,
                                           sizeof(*dels), cmp_u64) == NULL) {
                    store__core_add(c, r.seq, r.subject, r.len,
                                    fs_loc(b->id, (uint32_t)off), r.ts_ns);
                    b->n_live++;
                    b->live_bytes += r.len;
                } else {
                    /* Deleted, but the sequence still moves last_seq. */
                    store__core_skip(c, r.seq, r.ts_ns);
                }
                b->last_rec = r.seq;
            }
            off += r.len;
            continue;
        }
        uint64_t next = resync(p, size, off);
        if (next != 0) {
            report(fs, true,
                   "block %u: corrupt record at offset %llu, skipped %llu "
                   "bytes",
                   b->id, (unsigned long long)off,
                   (unsigned long long)(next - off));
            off = next;
            continue;
        }
        if (is_last) {
            /* The rest of a record whose write a crash interrupted. */
            report(fs, false, "block %u: cut %llu torn bytes at offset %llu",
                   b->id, (unsigned long long)(size - off),
                   (unsigned long long)off);
            c->rec.n_torn_bytes += size - off;
            if (ftruncate(fd, (off_t)off) != 0) {
                rv = segment_errno("truncate", errmsg);
                goto out;
            }
            b->dirty = true;
            size = off;
        } else {
            report(fs, true,
                   "block %u: %llu unreadable bytes at offset %llu, skipped",
                   b->id, (unsigned long long)(size - off),
                   (unsigned long long)off);
        }
        break;
    }
    b->size = size;
    if (!is_last && !b->dirty) {
        /* Old blocks are read rarely; do not hold a descriptor for each. */
        close(fd);
        b->fd = -1;
        fs->n_open--;
    }
out:
    bl_free(p);
    bl_free(dels);
    if (rv != 0)
        bl_errmsg_prefix(errmsg, "block %u", b->id);
    return rv;
}

/* Reads block id's header into a new struct blk, or sets the file aside
 * (renamed to .bad) when the header is not ours. */
static int open_blk(struct filestore *fs, uint32_t id, struct blk **out,
                    char *errmsg)
{
    char path[4096];
    segment_path(fs, id, "blk", path, sizeof(path));
    *out = NULL;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return segment_errno("open", errmsg);
    char hdr[BLK_HDR];
    ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
    uint64_t base, prev_ts;
    if (n != (ssize_t)sizeof(hdr) ||
        segment_hdr_parse(hdr, sizeof(hdr), &base, &prev_ts) != 0) {
        close(fd);
        char bad[4096];
        segment_path(fs, id, "blk.bad", bad, sizeof(bad));
        report(fs, true, "block %u: bad header, moved aside to %s", id, bad);
        if (rename(path, bad) != 0)
            return segment_errno("rename", errmsg);
        fs->dir_dirty = true;
        return 0;
    }
    struct blk *b = segment_blk_new(fs, id, base, prev_ts, fd);
    *out = b;
    return 0;
}

int filestore__recover(struct filestore *fs, char *errmsg)
{
    struct ids blks = {0}, dmaps = {0};
    int rv = 0;
    DIR *d = opendir(fs->dir);
    if (d == NULL)
        return segment_errno("open directory", errmsg);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint32_t id;
        size_t len = strlen(de->d_name);
        if (parse_name(de->d_name, "blk", &id))
            ids_add(&blks, id);
        else if (parse_name(de->d_name, "dmap", &id))
            ids_add(&dmaps, id);
        else if (len > 4 && strcmp(de->d_name + len - 4, ".tmp") == 0)
            unlinkat(fs->dir_fd, de->d_name, 0); /* an unfinished create */
    }
    closedir(d);
    if (blks.n > 0)
        qsort(blks.v, blks.n, sizeof(*blks.v), cmp_u32);
    for (size_t i = 0; i < blks.n; i++) {
        struct blk *b;
        rv = open_blk(fs, blks.v[i], &b, errmsg);
        if (rv != 0)
            goto out;
        if (b == NULL)
            continue;
        if (fs->n_blks == fs->cap_blks) {
            fs->cap_blks = fs->cap_blks ? fs->cap_blks * 2 : 16;
            fs->blks = bl_xrealloc(fs->blks, fs->cap_blks * sizeof(*fs->blks));
        }
        fs->blks[fs->n_blks++] = b;
    }
    for (size_t i = 0; i < fs->n_blks; i++) {
        rv = scan_blk(fs, fs->blks[i], i + 1 == fs->n_blks, errmsg);
        if (rv != 0)
            goto out;
    }
    struct store_core *c = &fs->core;
    if (fs->n_blks == 0) {
        struct blk *b;
        uint32_t id = blks.n > 0 ? blks.v[blks.n - 1] + 1 : 1;
        rv = segment_create(fs, id, 1, 0, &b, errmsg);
        if (rv != 0)
            goto out;
    }
    struct blk *last = fs->blks[fs->n_blks - 1];
    /* An empty last block still says where the sequence stands. */
    if (last->base - 1 > c->last_seq)
        store__core_skip(c, last->base - 1, last->prev_ts);
    /* Blocks emptied by deletes before a crash, and dmaps of blocks that
     * are gone, are leftovers of unfinished cleanups. */
    for (size_t i = fs->n_blks - 1; i-- > 0;) {
        if (fs->blks[i]->n_live == 0) {
            rv = segment_unlink(fs, fs->blks[i], errmsg);
            if (rv != 0)
                goto out;
        }
    }
    if (dmaps.n > 0)
        qsort(dmaps.v, dmaps.n, sizeof(*dmaps.v), cmp_u32);
    for (size_t i = 0; i < dmaps.n; i++) {
        if (segment_find(fs, dmaps.v[i]) == NULL) {
            char path[4096];
            segment_path(fs, dmaps.v[i], "dmap", path, sizeof(path));
            unlink(path);
            fs->dir_dirty = true;
        }
    }
    if (c->rec.msg[0] != '\0')
        bl_log_warn("store %s: recovered with %llu corrupt records skipped "
                    "and %llu torn bytes cut",
                    fs->dir, (unsigned long long)c->rec.n_bad_records,
                    (unsigned long long)c->rec.n_torn_bytes);
    rv = segment_sync_all(fs, errmsg);
out:
    bl_free(blks.v);
    bl_free(dmaps.v);
    return rv;
}
