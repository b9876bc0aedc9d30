#include "helpers.h"

#include "ballast/buf.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tmpdir_new(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/ballast-store-XXXXXX",
             base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    return remove(path);
}

void tmpdir_remove(const char *dir)
{
    if (dir != NULL)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t append_str(struct store *s, const char *subject, const char *hdr,
                    const char *data, uint64_t ts_ns)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    uint64_t seq = 0;
    int rv = store_append(s, SL(subject), hdr ? SL(hdr) : NOSL, SL(data),
                          ts_ns, &seq, errmsg);
    ck_assert_msg(rv == 0, "append: %d %s", rv, errmsg);
    return seq;
}

static int dump_subject(void *ctx, struct bl_slice subject,
                        const struct store_subject_state *st)
{
    char ***lines = ctx;
    char *line;
    ck_assert_int_ge(asprintf(&line, "subj %.*s n=%llu f=%llu l=%llu\n",
                              (int)subject.len, subject.p,
                              (unsigned long long)st->msgs,
                              (unsigned long long)st->first_seq,
                              (unsigned long long)st->last_seq),
                     0);
    size_t n = 0;
    while ((*lines)[n] != NULL)
        n++;
    *lines = realloc(*lines, (n + 2) * sizeof(char *));
    (*lines)[n] = line;
    (*lines)[n + 1] = NULL;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dump_deleted(void *ctx, uint64_t seq)
{
    bl_buf_printf(ctx, " %llu", (unsigned long long)seq);
    return 0;
}

static int dump_msg(void *ctx, const struct store_msg *m)
{
    bl_buf_printf(ctx, "msg %llu ts=%llu %.*s [%.*s] [%.*s]\n",
                  (unsigned long long)m->seq, (unsigned long long)m->ts_ns,
                  (int)m->subject.len, m->subject.p, (int)m->hdr.len,
                  m->hdr.p, (int)m->data.len, m->data.p);
    return 0;
}

char *store_dump(struct store *s)
{
    struct bl_buf b;
    bl_buf_init(&b);
    struct store_state st;
    store_state(s, &st);
    bl_buf_printf(&b,
                  "msgs=%llu bytes=%llu first=%llu first_ts=%llu last=%llu "
                  "last_ts=%llu deleted=%llu subjects=%llu\n",
                  (unsigned long long)st.msgs, (unsigned long long)st.bytes,
                  (unsigned long long)st.first_seq,
                  (unsigned long long)st.first_ts_ns,
                  (unsigned long long)st.last_seq,
                  (unsigned long long)st.last_ts_ns,
                  (unsigned long long)st.num_deleted,
                  (unsigned long long)st.num_subjects);
    char **lines = calloc(1, sizeof(char *));
    store_subjects(s, NOSL, dump_subject, &lines);
    size_t n = 0;
    while (lines[n] != NULL)
        n++;
    qsort(lines, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        bl_buf_append_str(&b, lines[i]);
        free(lines[i]);
    }
    free(lines);
    bl_buf_append_str(&b, "deleted:");
    store_deleted(s, dump_deleted, &b);
    bl_buf_append_str(&b, "\n");
    char errmsg[BL_ERRMSG_SIZE] = "";
    ck_assert_int_eq(store_iter(s, 0, dump_msg, &b, errmsg), 0);
    char *out = strdup(b.p);
    bl_buf_close(&b);
    return out;
}

uint64_t dir_bytes(const char *dir, const char *suffix, unsigned *n)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    uint64_t total = 0;
    unsigned count = 0;
    struct dirent *de;
    size_t sl = strlen(suffix);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < sl || strcmp(de->d_name + len - sl, suffix) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        total += (uint64_t)st.st_size;
        count++;
    }
    closedir(d);
    if (n != NULL)
        *n = count;
    return total;
}

void last_block_path(const char *dir, char *out, size_t out_size)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".blk") == 0 &&
            strcmp(de->d_name, best) > 0)
            snprintf(best, sizeof(best), "%s", de->d_name);
    }
    closedir(d);
    ck_assert_str_ne(best, "");
    snprintf(out, out_size, "%s/%s", dir, best);
}
