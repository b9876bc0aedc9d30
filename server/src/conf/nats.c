/* Parser for nats-server's configuration syntax (conf/lex.go and
 * conf/parse.go in nats-server 2.9), written as recursive descent.
 *
 * The grammar is forgiving: "key: value", "key = value" and "key value" are
 * the same; blocks "{ }" and arrays "[ ]" nest; members end at a new line,
 * ';' or ','; comments start with '#' or '//'. Bare values are typed by
 * their shape: true/false/yes/no/on/off, integers with an optional size
 * suffix ("1K" is 1000, "1KB" 1024), floats, dotted addresses, ISO-8601
 * Zulu dates; anything else is a string. "$name" refers to an earlier key
 * in an enclosing block, else to an environment variable whose value is
 * parsed like a value in the file. Quoted strings are never expanded, and a
 * bare "$2a$..." is a bcrypt hash, not a variable.
 *
 * Deliberate differences, all on input nats-server mishandles: "]" ends a
 * number ("[1, 2]" is two integers; nats-server swallows the "]"), an
 * unknown size suffix or a key without a value is an error, NUL bytes are
 * rejected, and nesting, include depth and tree size are bounded. (An
 * unquoted "2m" is the integer 2000000 here too; conf_apply() reads it as
 * two minutes where a duration is expected.) */
#include "conf/internal.h"

#include "ballast/buf.h"
#include "ballast/err.h"
#include "ballast/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define END (-1)       /* peek() past the last byte */
#define MAX_NESTING 64 /* blocks and arrays inside each other */
#define MAX_INCLUDE_DEPTH 10
#define MAX_ENV_DEPTH 8 /* environment values referring to others */

struct nparser {
    struct conf_tree *tree;
    const char *src;
    size_t len;
    size_t pos;
    int line;
    const char *file; /* interned; appears in nodes and messages */
    const char *dir;  /* includes are relative to it */
    unsigned flags;
    int include_depth;
    int env_depth;
    int nesting; /* counted across include and environment parses */
    /* Blocks being built, outermost first: where $name is looked up. */
    struct conf_node *scopes[MAX_NESTING + 1];
    size_t n_scopes;
    char *errmsg;
};

static int parse_body(struct nparser *p, struct conf_node *map, bool is_top,
                      int open_line);
static int parse_value(struct nparser *p, struct conf_node **out);

static int parse_doc(struct conf_tree *t, const char *buf, size_t len,
                     const char *file, const char *dir, unsigned flags,
                     int include_depth, int env_depth, int nesting,
                     struct conf_node **out, char *errmsg);

static int fail(struct nparser *p, int code, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct nparser *p, int code, int line, const char *fmt, ...)
{
    char msg[BL_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bl_errmsg_set(p->errmsg, "%s:%d: %s", p->file, line, msg);
    return code;
}

static int peek(const struct nparser *p)
{
    return p->pos < p->len ? (unsigned char)p->src[p->pos] : END;
}

static int peek_at(const struct nparser *p, size_t off)
{
    return p->pos + off < p->len ? (unsigned char)p->src[p->pos + off] : END;
}

static void advance(struct nparser *p)
{
    if (p->pos < p->len) {
        if (p->src[p->pos] == '\n')
            p->line++;
        p->pos++;
    }
}

static bool is_ws(int c)
{
    return c == ' ' || c == '\t';
}

static bool is_nl(int c)
{
    return c == '\n' || c == '\r';
}

static bool is_space(int c)
{
    return is_ws(c) || is_nl(c) || c == '\v' || c == '\f';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool starts_comment(const struct nparser *p)
{
    int c = peek(p);
    return c == '#' || (c == '/' && peek_at(p, 1) == '/');
}

/* Consumes a comment up to, not including, the end of its line. */
static void skip_comment(struct nparser *p)
{
    while (peek(p) != END && !is_nl(peek(p)))
        advance(p);
}

/* Printable form of c for messages. */
static const char *show(int c, char tmp[8])
{
    if (c == END)
        return "end of file";
    if (c == '\n')
        return "new line";
    if (c < 0x20 || c >= 0x7f)
        snprintf(tmp, 8, "\\x%02x", (unsigned char)c);
    else
        snprintf(tmp, 8, "'%c'", c);
    return tmp;
}

static struct conf_node *new_node(struct nparser *p, enum conf_kind kind,
                                  int line)
{
    return conf__node_new(p->tree, kind, p->file, line, p->errmsg);
}

static int new_string(struct nparser *p, int line, const char *s, size_t len,
                      struct conf_node **out)
{
    struct conf_node *n = new_node(p, CONF_STRING, line);
    if (n == NULL)
        return BL_ETOOBIG;
    n->str = bl_xstrndup(s, len);
    *out = n;
    return 0;
}

/* After '\\' in a double-quoted or bare string: \t \n \r \" \\ \xHH. */
static int parse_escape(struct nparser *p, struct bl_buf *b)
{
    char tmp[8];
    int line = p->line;
    advance(p);
    int c = peek(p);
    switch (c) {
    case 't':
        bl_buf_append(b, "\t", 1);
        break;
    case 'n':
        bl_buf_append(b, "\n", 1);
        break;
    case 'r':
        bl_buf_append(b, "\r", 1);
        break;
    case '"':
        bl_buf_append(b, "\"", 1);
        break;
    case '\\':
        bl_buf_append(b, "\\", 1);
        break;
    case 'x': {
        int hi = peek_at(p, 1), lo = peek_at(p, 2);
        if (hi == END || lo == END || !isxdigit(hi) || !isxdigit(lo))
            return fail(p, BL_ESYNTAX, line,
                        "expected two hexadecimal digits after '\\x'");
        char hex[3] = {(char)hi, (char)lo, '\0'};
        char ch = (char)strtol(hex, NULL, 16);
        if (ch == '\0')
            return fail(p, BL_ESYNTAX, line, "'\\x00' is not allowed");
        bl_buf_append(b, &ch, 1);
        advance(p);
        advance(p);
        break;
    }
    default:
        return fail(p, BL_ESYNTAX, line,
                    "invalid escape '\\' followed by %s; allowed are \\xHH, "
                    "\\t, \\n, \\r, \\\" and \\\\",
                    show(c, tmp));
    }
    advance(p);
    return 0;
}

static int parse_dq_string(struct nparser *p, struct conf_node **out)
{
    int line = p->line;
    struct bl_buf b;
    bl_buf_init(&b);
    advance(p);
    for (;;) {
        int c = peek(p);
        if (c == END) {
            bl_buf_close(&b);
            return fail(p, BL_ESYNTAX, line, "string is never closed ('\"')");
        }
        if (c == '"') {
            advance(p);
            break;
        }
        if (c == '\\') {
            int rv = parse_escape(p, &b);
            if (rv != 0) {
                bl_buf_close(&b);
                return rv;
            }
            continue;
        }
        char ch = (char)c;
        bl_buf_append(&b, &ch, 1);
        advance(p);
    }
    int rv = new_string(p, line, b.p ? b.p : "", b.len, out);
    bl_buf_close(&b);
    return rv;
}

static int parse_sq_string(struct nparser *p, struct conf_node **out)
{
    int line = p->line;
    advance(p);
    size_t start = p->pos;
    while (peek(p) != '\'') {
        if (peek(p) == END)
            return fail(p, BL_ESYNTAX, line, "string is never closed (\"'\")");
        advance(p);
    }
    size_t end = p->pos;
    advance(p);
    return new_string(p, line, p->src + start, end - start, out);
}

/* "( ... )": raw text up to a line holding only ')'. */
static int parse_block_string(struct nparser *p, struct conf_node **out)
{
    int line = p->line;
    advance(p);
    size_t start = p->pos;
    for (size_t i = start; i + 1 < p->len; i++) {
        if (p->src[i] == '\n' && p->src[i + 1] == ')' &&
            (i + 2 == p->len || p->src[i + 2] == '\n')) {
            while (p->pos < i + 2)
                advance(p);
            return new_string(p, line, p->src + start, i - start, out);
        }
    }
    return fail(p, BL_ESYNTAX, line,
                "'(' block is never closed (a line holding only ')')");
}

/* Looks `name` up in the enclosing blocks, innermost first, then in the
 * environment; the result is a copy placed where it is referenced. */
static int resolve_variable(struct nparser *p, const char *name, int line,
                            struct conf_node **out)
{
    for (size_t s = p->n_scopes; s > 0; s--) {
        struct conf_node *scope = p->scopes[s - 1];
        for (size_t i = scope->n_items; i > 0; i--) {
            struct conf_node *m = scope->items[i - 1];
            if (strcmp(m->key, name) != 0)
                continue;
            m->is_var_used = true;
            *out = conf__node_copy(p->tree, m, p->file, line, p->errmsg);
            return *out ? 0 : BL_ETOOBIG;
        }
    }
    const char *env = getenv(name);
    if (env == NULL)
        return fail(p, BL_ENOENT, line,
                    "variable '$%s' is not defined (neither an earlier key "
                    "nor an environment variable)",
                    name);
    if (env[0] == '\0')
        return new_string(p, line, "", 0, out);
    if (p->env_depth >= MAX_ENV_DEPTH)
        return fail(p, BL_EINVAL, line,
                    "variable '$%s': environment variables refer to each "
                    "other more than %d deep (a cycle?)",
                    name, MAX_ENV_DEPTH);
    /* nats-server parses the value as the right-hand side of "pk=". */
    struct bl_buf text;
    bl_buf_init(&text);
    bl_buf_printf(&text, "pk=%s", env);
    char envname[128];
    snprintf(envname, sizeof(envname), "$%s", name);
    struct conf_node *root = NULL;
    int rv = parse_doc(p->tree, text.p, text.len,
                       conf__intern_file(p->tree, envname), p->dir,
                       p->flags | CONF_PARSE_NO_INCLUDE, p->include_depth,
                       p->env_depth + 1, p->nesting, &root, p->errmsg);
    bl_buf_close(&text);
    if (rv != 0) {
        bl_errmsg_prefix(p->errmsg, "%s:%d: environment variable %s", p->file,
                         line, name);
        return rv;
    }
    struct conf_node *v = NULL;
    for (size_t i = root->n_items; i > 0 && v == NULL; i--) {
        if (strcmp(root->items[i - 1]->key, "pk") == 0) {
            v = root->items[i - 1];
            root->items[i - 1] = NULL;
        }
    }
    conf__node_free(root);
    if (v == NULL)
        return fail(p, BL_EINVAL, line,
                    "environment variable %s does not hold a value", name);
    bl_free(v->key);
    v->key = NULL;
    conf__node_relocate(v, p->file, line);
    *out = v;
    return 0;
}

static bool is_bcrypt(const char *name)
{
    return strncmp(name, "2a$", 3) == 0 || strncmp(name, "2b$", 3) == 0 ||
           strncmp(name, "2y$", 3) == 0;
}

/* A bare word: ends at white space, a new line, ';', ',', ']' or '}' (and,
 * as in nats-server, a "'" which is dropped). Without escapes it may be a
 * bool or a variable. Starts at `start` (a number may have been read). */
static int parse_bare(struct nparser *p, size_t start, struct conf_node **out)
{
    int line = p->line;
    struct bl_buf b;
    bool escaped = false;
    bl_buf_init(&b);
    p->pos = start; /* numbers never span lines, so line stays right */
    for (;;) {
        int c = peek(p);
        if (c == '\\') {
            escaped = true;
            int rv = parse_escape(p, &b);
            if (rv != 0) {
                bl_buf_close(&b);
                return rv;
            }
            continue;
        }
        if (c == END || is_nl(c) || is_ws(c) || c == ';' || c == ',' ||
            c == ']' || c == '}')
            break;
        if (c == '\'') {
            advance(p);
            break;
        }
        char ch = (char)c;
        bl_buf_append(&b, &ch, 1);
        advance(p);
    }
    const char *s = b.p ? b.p : "";
    int rv = 0;
    if (!escaped && b.len > 0 && s[0] == '$' && !is_bcrypt(s + 1)) {
        if (b.len == 1)
            rv = fail(p, BL_ESYNTAX, line, "'$' without a variable name");
        else
            rv = resolve_variable(p, s + 1, line, out);
    } else if (!escaped) {
        struct conf_node *n = new_node(p, CONF_STRING, line);
        if (n == NULL) {
            rv = BL_ETOOBIG;
        } else if (b.len > 0 && s[0] == '$') {
            n->str = bl_xstrdup(s); /* bcrypt hash */
            *out = n;
        } else {
            bool bv;
            if (conf__bool_word(s, b.len, &bv)) {
                n->kind = CONF_BOOL;
                n->boolean = bv;
            } else {
                n->str = bl_xstrndup(s, b.len);
            }
            *out = n;
        }
    } else {
        rv = new_string(p, line, s, b.len, out);
    }
    bl_buf_close(&b);
    return rv;
}

/* Where a number may end; anything else turns it into a bare string. */
static bool ends_number(int c)
{
    return c == END || is_nl(c) || is_ws(c) || c == '}' || c == ']' ||
           c == ';' || c == ',';
}

static int finish_integer(struct nparser *p, size_t start, int line,
                          struct conf_node **out)
{
    struct conf_node *n = new_node(p, CONF_INTEGER, line);
    if (n == NULL)
        return BL_ETOOBIG;
    char msg[BL_ERRMSG_SIZE];
    if (conf__parse_sized_int(p->src + start, p->pos - start, &n->integer,
                              &n->has_suffix, msg) != 0) {
        conf__node_free(n);
        return fail(p, BL_EINVAL, line, "%s", msg);
    }
    if (n->has_suffix)
        n->str = bl_xstrndup(p->src + start, p->pos - start);
    *out = n;
    return 0;
}

/* After [-]digits at '.': a float, or a dotted address kept as a string. */
static int parse_fraction(struct nparser *p, size_t start, int line,
                          struct conf_node **out)
{
    char tmp[8];
    advance(p);
    if (!is_digit(peek(p)))
        return fail(p, BL_ESYNTAX, line,
                    "expected a digit after '.' in a number, got %s",
                    show(peek(p), tmp));
    while (is_digit(peek(p)))
        advance(p);
    if (peek(p) == '.') {
        while (is_digit(peek(p)) || peek(p) == '.' || peek(p) == ':' ||
               peek(p) == '-')
            advance(p);
        return new_string(p, line, p->src + start, p->pos - start, out);
    }
    size_t len = p->pos - start;
    if (len >= 64)
        return fail(p, BL_EINVAL, line, "float '%.*s' is too long", (int)len,
                    p->src + start);
    char buf[64];
    memcpy(buf, p->src + start, len);
    buf[len] = '\0';
    struct conf_node *n = new_node(p, CONF_FLOAT, line);
    if (n == NULL)
        return BL_ETOOBIG;
    n->fp = strtod(buf, NULL);
    *out = n;
    return 0;
}

/* After digits at a size letter: "1K", "10MB", "2m"; or a word such as
 * "10mins", which is a string. */
static int parse_suffixed(struct nparser *p, size_t start, int line,
                          struct conf_node **out)
{
    advance(p);
    while (peek(p) != END && strchr("bBiI", peek(p)) != NULL)
        advance(p);
    if (!ends_number(peek(p)))
        return parse_bare(p, start, out);
    return finish_integer(p, start, line, out);
}

static bool is_size_letter(int c)
{
    return c != END && c != 0 && strchr("kKmMgGtTpPeE", c) != NULL;
}

static int parse_date(struct nparser *p, size_t start, int line,
                      struct conf_node **out)
{
    static const char shape[] = "-00-00T00:00:00Z";
    for (const char *f = shape; *f; f++) {
        int c = peek(p);
        if (*f == '0' ? !is_digit(c) : c != *f)
            return fail(p, BL_ESYNTAX, line,
                        "dates must be in full Zulu form "
                        "(2006-01-02T15:04:05Z)");
        advance(p);
    }
    return new_string(p, line, p->src + start, p->pos - start, out);
}

static int parse_number(struct nparser *p, struct conf_node **out)
{
    char tmp[8];
    int line = p->line;
    size_t start = p->pos;
    if (peek(p) == '-') {
        advance(p);
        if (!is_digit(peek(p)))
            return fail(p, BL_ESYNTAX, line,
                        "expected a digit after '-', got %s",
                        show(peek(p), tmp));
        while (is_digit(peek(p)))
            advance(p);
        int c = peek(p);
        if (c == '.')
            return parse_fraction(p, start, line, out);
        if (is_size_letter(c))
            return parse_suffixed(p, start, line, out);
        return finish_integer(p, start, line, out);
    }
    while (is_digit(peek(p)))
        advance(p);
    int c = peek(p);
    if (c == '-') {
        if (p->pos - start != 4)
            return fail(p, BL_ESYNTAX, line,
                        "dates must be in full Zulu form "
                        "(2006-01-02T15:04:05Z)");
        return parse_date(p, start, line, out);
    }
    if (c == '.')
        return parse_fraction(p, start, line, out);
    if (is_size_letter(c))
        return parse_suffixed(p, start, line, out);
    if (ends_number(c))
        return finish_integer(p, start, line, out);
    return parse_bare(p, start, out);
}

static int enter(struct nparser *p, int line)
{
    if (p->nesting >= MAX_NESTING)
        return fail(p, BL_ESYNTAX, line,
                    "blocks and arrays nested more than %d deep", MAX_NESTING);
    p->nesting++;
    return 0;
}

static int parse_map(struct nparser *p, struct conf_node **out)
{
    int line = p->line;
    int rv = enter(p, line);
    if (rv != 0)
        return rv;
    advance(p);
    struct conf_node *map = new_node(p, CONF_MAP, line);
    if (map == NULL) {
        rv = BL_ETOOBIG;
        goto done;
    }
    p->scopes[p->n_scopes++] = map;
    rv = parse_body(p, map, false, line);
    p->n_scopes--;
    if (rv != 0)
        conf__node_free(map);
    else
        *out = map;
done:
    p->nesting--;
    return rv;
}

static int parse_array(struct nparser *p, struct conf_node **out)
{
    char tmp[8];
    int line = p->line;
    int rv = enter(p, line);
    if (rv != 0)
        return rv;
    advance(p);
    struct conf_node *arr = new_node(p, CONF_ARRAY, line);
    if (arr == NULL) {
        rv = BL_ETOOBIG;
        goto done;
    }
    for (;;) {
        while (is_space(peek(p)))
            advance(p);
        int c = peek(p);
        if (c == END) {
            rv = fail(p, BL_ESYNTAX, line,
                      "array opened here is never closed (missing ']')");
            goto fail;
        }
        if (starts_comment(p)) {
            skip_comment(p);
            continue;
        }
        if (c == ']') {
            advance(p);
            break;
        }
        if (c == ',' || c == '/') {
            rv = fail(p, BL_ESYNTAX, p->line, "unexpected %s in array",
                      show(c, tmp));
            goto fail;
        }
        struct conf_node *elem = NULL;
        rv = parse_value(p, &elem);
        if (rv != 0)
            goto fail;
        conf__node_append(arr, elem);
        /* Between elements: a ',' or a new line, or the closing ']'. */
        for (;;) {
            while (is_ws(peek(p)))
                advance(p);
            c = peek(p);
            if (starts_comment(p)) {
                skip_comment(p);
                continue;
            }
            if (c == ',' || is_nl(c)) {
                advance(p);
                break;
            }
            if (c == ']')
                break;
            if (c == END) {
                rv = fail(p, BL_ESYNTAX, line,
                          "array opened here is never closed (missing ']')");
                goto fail;
            }
            rv = fail(p, BL_ESYNTAX, p->line,
                      "expected ',' or ']' after an array element, got %s",
                      show(c, tmp));
            goto fail;
        }
    }
    *out = arr;
    p->nesting--;
    return 0;
fail:
    conf__node_free(arr);
done:
    p->nesting--;
    return rv;
}

static int parse_value(struct nparser *p, struct conf_node **out)
{
    while (is_ws(peek(p)))
        advance(p);
    int c = peek(p);
    switch (c) {
    case '[':
        return parse_array(p, out);
    case '{':
        return parse_map(p, out);
    case '"':
        return parse_dq_string(p, out);
    case '\'':
        return parse_sq_string(p, out);
    case '(':
        return parse_block_string(p, out);
    case '.':
        return fail(p, BL_ESYNTAX, p->line, "numbers must start with a digit");
    case END:
        return new_string(p, p->line, "", 0, out);
    default:
        break;
    }
    if (is_nl(c))
        return fail(p, BL_ESYNTAX, p->line, "expected a value, got a new line");
    if (c == '-' || is_digit(c))
        return parse_number(p, out);
    return parse_bare(p, p->pos, out);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return bl_xstrdup(".");
    if (slash == path)
        return bl_xstrdup("/");
    return bl_xstrndup(path, (size_t)(slash - path));
}

/* "include NAME": NAME is relative to the including file's directory (as
 * in nats-server, even when it starts with '/'); its members join `map`. */
static int parse_include(struct nparser *p, struct conf_node *map, int line)
{
    char tmp[8];
    while (is_ws(peek(p)))
        advance(p);
    int c = peek(p);
    size_t start, end;
    if (c == '"' || c == '\'') {
        advance(p);
        start = p->pos;
        while (peek(p) != c) {
            if (peek(p) == END)
                return fail(p, BL_ESYNTAX, line,
                            "include file name is never closed (%c)", c);
            advance(p);
        }
        end = p->pos;
        advance(p);
    } else {
        if (c == END || is_nl(c) || c == '[' || c == '{' || c == '(' ||
            c == '-' || c == '\\' || is_digit(c))
            return fail(p, BL_ESYNTAX, line,
                        "include: expected a file name, got %s", show(c, tmp));
        start = p->pos;
        while (peek(p) != END && !is_nl(peek(p)) && !is_ws(peek(p)) &&
               peek(p) != ';' && peek(p) != '}' && peek(p) != '\'')
            advance(p);
        end = p->pos;
        if (peek(p) == '\'')
            advance(p);
    }
    char *name = bl_xstrndup(p->src + start, end - start);
    int rv;
    if (p->flags & CONF_PARSE_NO_INCLUDE) {
        rv = fail(p, BL_EINVAL, line,
                  "include %s: includes are not allowed "
                  "here",
                  name);
        goto out;
    }
    if (name[0] == '\0') {
        rv = fail(p, BL_ESYNTAX, line, "include: expected a file name");
        goto out;
    }
    if (p->include_depth >= MAX_INCLUDE_DEPTH) {
        rv = fail(p, BL_EINVAL, line,
                  "include %s: includes nested more than %d deep (a cycle?)",
                  name, MAX_INCLUDE_DEPTH);
        goto out;
    }
    struct bl_buf path;
    bl_buf_init(&path);
    const char *rel = name[0] == '/' ? name + 1 : name;
    if (strcmp(p->dir, ".") == 0)
        bl_buf_append_str(&path, rel);
    else
        bl_buf_printf(&path, "%s/%s", p->dir, rel);
    char *text = NULL;
    size_t len = 0;
    rv = conf__read_file(path.p, &text, &len, p->errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(p->errmsg, "%s:%d: include %s", p->file, line, name);
        bl_buf_close(&path);
        goto out;
    }
    char *dir = dir_of(path.p);
    struct conf_node *root = NULL;
    rv = parse_doc(p->tree, text, len, conf__intern_file(p->tree, path.p), dir,
                   p->flags, p->include_depth + 1, p->env_depth, p->nesting,
                   &root, p->errmsg);
    bl_free(dir);
    bl_free(text);
    bl_buf_close(&path);
    if (rv != 0)
        goto out;
    for (size_t i = 0; i < root->n_items; i++) {
        conf__node_append(map, root->items[i]);
        root->items[i] = NULL;
    }
    conf__node_free(root);
out:
    bl_free(name);
    return rv;
}

/* A key: quoted (no escapes), or bare up to white space, '=', ':' or '{'. */
static int parse_key(struct nparser *p, char **key, bool *is_bare)
{
    int c = peek(p);
    int line = p->line;
    size_t start, end;
    if (c == '"' || c == '\'') {
        advance(p);
        start = p->pos;
        while (peek(p) != c) {
            if (peek(p) == END)
                return fail(p, BL_ESYNTAX, line, "quoted key is never closed");
            advance(p);
        }
        end = p->pos;
        advance(p);
        *is_bare = false;
    } else {
        start = p->pos;
        while (peek(p) != END && !is_space(peek(p)) && peek(p) != '=' &&
               peek(p) != ':' && peek(p) != '{')
            advance(p);
        end = p->pos;
        *is_bare = true;
    }
    *key = bl_xstrndup(p->src + start, end - start);
    return 0;
}

/* After a member's value: a new line, ';', ',', a comment, or the end of
 * the block. */
static int value_end(struct nparser *p, const char *key)
{
    char tmp[8];
    while (is_ws(peek(p)))
        advance(p);
    int c = peek(p);
    if (starts_comment(p)) {
        skip_comment(p);
        return 0;
    }
    if (c == END || c == '}')
        return 0;
    if (is_nl(c) || c == ';' || c == ',') {
        advance(p);
        return 0;
    }
    return fail(p, BL_ESYNTAX, p->line,
                "expected a new line or ';' after the value of '%s', got %s",
                key, show(c, tmp));
}

static int parse_member(struct nparser *p, struct conf_node *map, bool is_top,
                        int open_line)
{
    char tmp[8];
    int line = p->line;
    char *key = NULL;
    bool is_bare;
    int rv = parse_key(p, &key, &is_bare);
    if (rv != 0)
        return rv;
    if (is_bare && is_space(peek(p)) && strcasecmp(key, "include") == 0) {
        bl_free(key);
        rv = parse_include(p, map, line);
        return rv != 0 ? rv : value_end(p, "include");
    }
    while (is_space(peek(p)))
        advance(p);
    if (peek(p) == '=' || peek(p) == ':') {
        advance(p);
        if (is_top) {
            /* At the top level the value must be on the key's line. */
            while (is_ws(peek(p)))
                advance(p);
            if (is_nl(peek(p))) {
                rv = fail(p, BL_ESYNTAX, line, "key '%s' has no value", key);
                goto fail;
            }
        } else {
            while (is_space(peek(p)))
                advance(p);
        }
    }
    int c = peek(p);
    if (c == END && !is_top) {
        rv = fail(p, BL_ESYNTAX, open_line,
                  "block opened here is never closed (missing '}')");
        goto fail;
    }
    if (c == END || c == '}') {
        rv = fail(p, BL_ESYNTAX, line, "key '%s' has no value", key);
        goto fail;
    }
    if (c == ',' || c == ';') {
        rv = fail(p, BL_ESYNTAX, p->line, "unexpected %s after key '%s'",
                  show(c, tmp), key);
        goto fail;
    }
    struct conf_node *v = NULL;
    rv = parse_value(p, &v);
    if (rv != 0)
        goto fail;
    v->key = key;
    v->line = line;
    conf__node_append(map, v);
    return value_end(p, v->key);
fail:
    bl_free(key);
    return rv;
}

/* Members of the top level (is_top) or of a block up to its '}'. */
static int parse_body(struct nparser *p, struct conf_node *map, bool is_top,
                      int open_line)
{
    char tmp[8];
    for (;;) {
        while (is_space(peek(p)))
            advance(p);
        int c = peek(p);
        if (c == END) {
            if (is_top)
                return 0;
            return fail(p, BL_ESYNTAX, open_line,
                        "block opened here is never closed (missing '}')");
        }
        if (starts_comment(p)) {
            skip_comment(p);
            continue;
        }
        if (c == '}') {
            advance(p);
            if (is_top)
                continue; /* JSON-like files wrap everything in { } */
            return 0;
        }
        if (is_top && c == '{') {
            advance(p);
            continue;
        }
        if (c == '=' || c == ':' || c == '/' || c == ']' || c == ',' ||
            c == ';')
            return fail(p, BL_ESYNTAX, p->line,
                        "unexpected %s where a key was expected", show(c, tmp));
        int rv = parse_member(p, map, is_top, open_line);
        if (rv != 0)
            return rv;
    }
}

static int parse_doc(struct conf_tree *t, const char *buf, size_t len,
                     const char *file, const char *dir, unsigned flags,
                     int include_depth, int env_depth, int nesting,
                     struct conf_node **out, char *errmsg)
{
    struct nparser p = {
        .tree = t,
        .src = buf,
        .len = len,
        .line = 1,
        .file = file,
        .dir = dir,
        .flags = flags,
        .include_depth = include_depth,
        .env_depth = env_depth,
        .nesting = nesting,
        .errmsg = errmsg,
    };
    const char *nul = memchr(buf, '\0', len);
    if (nul != NULL) {
        int line = 1;
        for (const char *c = buf; c < nul; c++)
            line += *c == '\n';
        return fail(&p, BL_ESYNTAX, line, "NUL byte in configuration");
    }
    struct conf_node *root = new_node(&p, CONF_MAP, 1);
    if (root == NULL)
        return BL_ETOOBIG;
    p.scopes[p.n_scopes++] = root;
    int rv = parse_body(&p, root, true, 1);
    if (rv != 0) {
        conf__node_free(root);
        return rv;
    }
    *out = root;
    return 0;
}

int conf_nats_parse_buf(struct conf_tree *t, const char *buf, size_t len,
                        const char *name, unsigned flags, char *errmsg)
{
    char *dir = dir_of(name);
    struct conf_node *root = NULL;
    int rv = parse_doc(t, buf, len, conf__intern_file(t, name), dir, flags, 0,
                       0, 0, &root, errmsg);
    bl_free(dir);
    if (rv != 0)
        return rv;
    conf__node_free(t->root);
    t->root = root;
    return 0;
}

int conf_nats_parse_file(struct conf_tree *t, const char *path, char *errmsg)
{
    char *text = NULL;
    size_t len = 0;
    int rv = conf__read_file(path, &text, &len, errmsg);
    if (rv != 0)
        return rv;
    rv = conf_nats_parse_buf(t, text, len, path, 0, errmsg);
    bl_free(text);
    return rv;
}
