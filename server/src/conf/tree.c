#include "conf/internal.h"

#include "ballast/buf.h"
#include "ballast/err.h"
#include "ballast/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest configuration file we read; real ones are a few kilobytes. */
#define CONF_MAX_FILE_BYTES (16u << 20)

void conf_tree_init(struct conf_tree *t)
{
    memset(t, 0, sizeof(*t));
}

void conf_tree_close(struct conf_tree *t)
{
    if (t == NULL)
        return;
    conf__node_free(t->root);
    for (size_t i = 0; i < t->n_files; i++)
        bl_free(t->files[i]);
    bl_free(t->files);
    memset(t, 0, sizeof(*t));
}

struct conf_node *conf__node_new(struct conf_tree *t, enum conf_kind kind,
                                 const char *file, int line, char *errmsg)
{
    if (t->n_nodes >= CONF_MAX_NODES) {
        bl_errmsg_set(errmsg, "%s:%d: configuration has more than %d values",
                      file, line, CONF_MAX_NODES);
        return NULL;
    }
    struct conf_node *n = bl_xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->file = file;
    n->line = line;
    t->n_nodes++;
    return n;
}

void conf__node_free(struct conf_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_items; i++)
        conf__node_free(n->items[i]);
    bl_free(n->items);
    bl_free(n->key);
    bl_free(n->str);
    bl_free(n);
}

void conf__node_append(struct conf_node *parent, struct conf_node *child)
{
    if (parent->n_items == parent->cap_items) {
        size_t cap = parent->cap_items ? parent->cap_items * 2 : 8;
        parent->items =
            bl_xrealloc(parent->items, cap * sizeof(*parent->items));
        parent->cap_items = cap;
    }
    parent->items[parent->n_items++] = child;
}

struct conf_node *conf__node_copy(struct conf_tree *t,
                                  const struct conf_node *n, const char *file,
                                  int line, char *errmsg)
{
    struct conf_node *c = conf__node_new(t, n->kind, file, line, errmsg);
    if (c == NULL)
        return NULL;
    c->has_suffix = n->has_suffix;
    c->integer = n->integer;
    c->fp = n->fp;
    c->boolean = n->boolean;
    if (n->str != NULL)
        c->str = bl_xstrdup(n->str);
    /* Members keep their own positions: an error inside a copied block is
     * reported where it was written. */
    for (size_t i = 0; i < n->n_items; i++) {
        const struct conf_node *src = n->items[i];
        struct conf_node *item =
            conf__node_copy(t, src, src->file, src->line, errmsg);
        if (item == NULL) {
            conf__node_free(c);
            return NULL;
        }
        if (src->key != NULL)
            item->key = bl_xstrdup(src->key);
        conf__node_append(c, item);
    }
    return c;
}

void conf__node_relocate(struct conf_node *n, const char *file, int line)
{
    n->file = file;
    n->line = line;
    for (size_t i = 0; i < n->n_items; i++)
        conf__node_relocate(n->items[i], file, line);
}

const char *conf__intern_file(struct conf_tree *t, const char *name)
{
    for (size_t i = 0; i < t->n_files; i++)
        if (strcmp(t->files[i], name) == 0)
            return t->files[i];
    t->files = bl_xrealloc(t->files, (t->n_files + 1) * sizeof(*t->files));
    t->files[t->n_files] = bl_xstrdup(name);
    return t->files[t->n_files++];
}

const struct conf_node *conf_map_get(const struct conf_node *map,
                                     const char *key)
{
    if (map == NULL || map->kind != CONF_MAP)
        return NULL;
    for (size_t i = map->n_items; i > 0; i--) {
        const struct conf_node *m = map->items[i - 1];
        if (m->key != NULL && strcasecmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

const char *conf_kind_name(enum conf_kind kind)
{
    switch (kind) {
    case CONF_MAP:
        return "map";
    case CONF_ARRAY:
        return "array";
    case CONF_STRING:
        return "string";
    case CONF_INTEGER:
        return "integer";
    case CONF_FLOAT:
        return "float";
    case CONF_BOOL:
        return "bool";
    }
    return "value";
}

/* nats-server's size suffixes: a bare letter is a power of 1000, with "b",
 * "i" or "ib" after it a power of 1024 ("1K" is 1000, "1KB" is 1024). */
static int suffix_multiplier(const char *s, size_t len, int64_t *mult)
{
    static const char letters[] = "kmgtpe";
    char low[4];
    if (len == 0) {
        *mult = 1;
        return 0;
    }
    if (len > 3)
        return -1;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
    low[len] = '\0';
    const char *at = strchr(letters, low[0]);
    if (at == NULL || low[0] == '\0')
        return -1;
    int power = (int)(at - letters) + 1;
    const char *rest = low + 1;
    int64_t base;
    if (rest[0] == '\0')
        base = 1000;
    else if (strcmp(rest, "b") == 0 || strcmp(rest, "i") == 0 ||
             strcmp(rest, "ib") == 0)
        base = 1024;
    else
        return -1;
    int64_t m = 1;
    for (int i = 0; i < power; i++)
        m *= base;
    *mult = m;
    return 0;
}

int conf__parse_sized_int(const char *text, size_t len, int64_t *out,
                          bool *has_suffix, char *errmsg)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && text[i] == '-') {
        neg = true;
        i++;
    }
    size_t digits_at = i;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (i == digits_at) {
        bl_errmsg_set(errmsg, "expected an integer, got '%.*s'", (int)len,
                      text);
        return BL_EINVAL;
    }
    int64_t mult;
    if (suffix_multiplier(text + i, len - i, &mult) != 0) {
        bl_errmsg_set(errmsg, "'%.*s': unknown size suffix '%.*s'", (int)len,
                      text, (int)(len - i), text + i);
        return BL_EINVAL;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || v > limit / (uint64_t)mult) {
        bl_errmsg_set(errmsg, "integer '%.*s' is out of range", (int)len, text);
        return BL_EINVAL;
    }
    v *= (uint64_t)mult;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    *has_suffix = i < len;
    return 0;
}

bool conf__bool_word(const char *text, size_t len, bool *value)
{
    static const struct {
        const char *word;
        bool value;
    } words[] = {{"true", true},   {"yes", true}, {"on", true},
                 {"false", false}, {"no", false}, {"off", false}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i].word) == len &&
            strncasecmp(words[i].word, text, len) == 0) {
            *value = words[i].value;
            return true;
        }
    }
    return false;
}

/* Matches [-]digits[letter[b|i|ib...]] or [-]digits.digits; returns 1 for
 * an integer, 2 for a float, 0 for neither. */
static int number_shape(const char *text, size_t len)
{
    size_t i = 0;
    if (i < len && text[i] == '-')
        i++;
    size_t start = i;
    while (i < len && text[i] >= '0' && text[i] <= '9')
        i++;
    if (i == start)
        return 0;
    if (i == len)
        return 1;
    if (text[i] == '.') {
        size_t frac = ++i;
        while (i < len && text[i] >= '0' && text[i] <= '9')
            i++;
        return (i > frac && i == len) ? 2 : 0;
    }
    if (strchr("kKmMgGtTpPeE", text[i]) == NULL)
        return 0;
    for (i++; i < len; i++)
        if (strchr("bBiI", text[i]) == NULL)
            return 0;
    return 1;
}

int conf__type_plain(struct conf_node *n, const char *text, size_t len,
                     char *errmsg)
{
    bool b;
    if (conf__bool_word(text, len, &b)) {
        n->kind = CONF_BOOL;
        n->boolean = b;
        return 0;
    }
    int shape = number_shape(text, len);
    if (shape == 1) {
        n->kind = CONF_INTEGER;
        int rv = conf__parse_sized_int(text, len, &n->integer, &n->has_suffix,
                                       errmsg);
        if (rv == 0 && n->has_suffix)
            n->str = bl_xstrndup(text, len);
        return rv;
    }
    if (shape == 2) {
        char tmp[64];
        if (len >= sizeof(tmp)) {
            bl_errmsg_set(errmsg, "float '%.*s' is too long", (int)len, text);
            return BL_EINVAL;
        }
        memcpy(tmp, text, len);
        tmp[len] = '\0';
        n->kind = CONF_FLOAT;
        n->fp = strtod(tmp, NULL);
        return 0;
    }
    n->kind = CONF_STRING;
    n->str = bl_xstrndup(text, len);
    return 0;
}

int conf__read_file(const char *path, char **out, size_t *out_len, char *errmsg)
{
    int rv;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "%s: %s", path, strerror(errno));
        return rv;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rv = BL_EINVAL;
        bl_errmsg_set(errmsg, "%s: is a directory", path);
        goto fail;
    }
    struct bl_buf b;
    bl_buf_init(&b);
    for (;;) {
        if (b.len >= CONF_MAX_FILE_BYTES) {
            bl_buf_close(&b);
            rv = BL_ETOOBIG;
            bl_errmsg_set(errmsg, "%s: larger than %u bytes", path,
                          CONF_MAX_FILE_BYTES);
            goto fail;
        }
        bl_buf_reserve(&b, 4096);
        ssize_t r = read(fd, b.p + b.len, b.cap - b.len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rv = bl_err_from_errno(errno);
            bl_errmsg_set(errmsg, "%s: %s", path, strerror(errno));
            bl_buf_close(&b);
            goto fail;
        }
        if (r == 0)
            break;
        b.len += (size_t)r;
        b.p[b.len] = '\0';
    }
    close(fd);
    *out_len = b.len;
    *out = b.len > 0 ? bl_buf_steal(&b) : bl_xstrdup("");
    bl_buf_close(&b);
    return 0;
fail:
    close(fd);
    return rv;
}
