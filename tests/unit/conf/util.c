#include "util.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[PATH_MAX];
static char file[2 * PATH_MAX];
static char capture_path[PATH_MAX];
static int capture_fd = -1;
static int saved_fd = -1;

const char *tmpdir_make(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/ballast-conf-XXXXXX", base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

void tmpdir_remove(void)
{
    if (dir[0] == '\0')
        return;
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    dir[0] = '\0';
}

const char *tmpdir_write(const char *name, const char *text)
{
    snprintf(file, sizeof(file), "%s/%s", dir, name);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return file;
}

void capture_begin(int fd)
{
    fflush(stdout);
    fflush(stderr);
    snprintf(capture_path, sizeof(capture_path), "%s/capture-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int tmp = mkstemp(capture_path);
    ck_assert_int_ge(tmp, 0);
    saved_fd = dup(fd);
    ck_assert_int_ge(saved_fd, 0);
    ck_assert_int_ge(dup2(tmp, fd), 0);
    close(tmp);
    capture_fd = fd;
}

char *capture_end(void)
{
    fflush(stdout);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved_fd, capture_fd), 0);
    close(saved_fd);
    FILE *f = fopen(capture_path, "r");
    ck_assert_ptr_nonnull(f);
    char *text = bl_xcalloc(1, 65536);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    unlink(capture_path);
    return text;
}

int apply_nats(struct server_opts *o, const char *text, size_t *n_warnings,
               char *errmsg)
{
    struct conf_tree t;
    conf_tree_init(&t);
    opts_init(o);
    *n_warnings = 0;
    int rv = conf_nats_parse_buf(&t, text, strlen(text), "t.conf",
                                 CONF_PARSE_NO_INCLUDE, errmsg);
    if (rv == 0)
        rv = conf_apply(o, &t, n_warnings, errmsg);
    conf_tree_close(&t);
    return rv;
}

int apply_yaml(struct server_opts *o, const char *text, size_t *n_warnings,
               char *errmsg)
{
    struct conf_tree t;
    conf_tree_init(&t);
    opts_init(o);
    *n_warnings = 0;
    int rv = conf_yaml_parse_buf(&t, text, strlen(text), "t.yaml", errmsg);
    if (rv == 0)
        rv = conf_apply(o, &t, n_warnings, errmsg);
    conf_tree_close(&t);
    return rv;
}
