/* Applies a conf tree to struct server_opts with nats-server's key names,
 * aliases and value shapes (server/opts.go in nats-server 2.9). Keys are
 * matched ignoring case; when a block holds a key twice the later wins.
 *
 * Where nats-server takes 0 to mean "the default" (port, max_payload,
 * max_connections, ping_interval, ping_max...), so do we. Keys nats-server
 * knows but Ballast does not implement, and unknown keys, are warnings, not
 * errors (nats-server rejects unknown keys); keys referenced as $variables
 * are not warned about.
 *
 * What is stored is what was configured: allow_responses stays a flag (the
 * auth module applies nats-server's "no publish allow list means replies
 * only" rule), and a block's default_permissions are copied into its users
 * that have none, as nats-server does. */
#include "conf/internal.h"

#include "ballast/duration.h"
#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_LEN 256

/* Everything the applier collects before it can check rules that span
 * keys (a single user and a users array, store_dir twice...). */
struct applier {
    struct server_opts *o;
    size_t n_warnings;
    char *errmsg;

    struct opt_user *users; /* from authorization{} and accounts{} */
    const struct conf_node **user_nodes; /* where each was defined */
    size_t n_users;

    const struct conf_node *auth_node; /* authorization block, if any */
    bool auth_has_users;               /* authorization{users} present */
    const struct conf_node *account_users_node; /* first account users */
    const struct conf_node *top_store_dir;
    const struct conf_node *js_store_dir;
    bool js_enable; /* jetstream{enabled} */
};

struct key_spec;
typedef int (*key_fn)(struct applier *a, const struct conf_node *n,
                      const char *path, void *base);

enum spec_type {
    S_STR,      /* char * */
    S_BOOL,     /* bool */
    S_INT,      /* int, in [min, max] */
    S_SIZE,     /* int64_t bytes, integer or "1G" style string */
    S_DURATION, /* int64_t ms: "2m", "1h30m", or an integer of seconds */
    S_FN,       /* custom handler */
    S_IGNORED   /* known to nats-server, not supported here: a warning */
};

struct key_spec {
    const char *name;
    enum spec_type type;
    size_t offset; /* of the field in the block's base struct */
    int64_t min, max;
    int64_t if_zero; /* stored instead of a configured 0, unless 0 */
    key_fn fn;
};

#define FIELD(type, base, off) ((type *)((char *)(base) + (off)))
#define OPT(f) offsetof(struct server_opts, f)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int bad(struct applier *a, const struct conf_node *n, const char *path,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad(struct applier *a, const struct conf_node *n, const char *path,
               const char *fmt, ...)
{
    char msg[BL_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bl_errmsg_set(a->errmsg, "%s:%d: %s: %s", n->file, n->line, path, msg);
    return BL_EINVAL;
}

static void warn(struct applier *a, const struct conf_node *n, const char *path,
                 const char *what)
{
    bl_log_warn("conf: %s:%d: %s: %s", n->file, n->line, path, what);
    a->n_warnings++;
}

static void join_path(char out[PATH_LEN], const char *parent, const char *key)
{
    /* Paths longer than PATH_LEN are cut; they only label messages. */
    size_t n = 0;
    if (parent[0] != '\0') {
        n = strnlen(parent, PATH_LEN - 2);
        memcpy(out, parent, n);
        out[n++] = '.';
    }
    size_t k = strnlen(key, PATH_LEN - 1 - n);
    memcpy(out + n, key, k);
    out[n + k] = '\0';
}

static void set_str(char **field, const char *value)
{
    bl_free(*field);
    *field = value ? bl_xstrdup(value) : NULL;
}

static int want_kind(struct applier *a, const struct conf_node *n,
                     const char *path, enum conf_kind kind, const char *what)
{
    if (n->kind == kind)
        return 0;
    return bad(a, n, path, "expected %s, got %s", what,
               conf_kind_name(n->kind));
}

static int get_string(struct applier *a, const struct conf_node *n,
                      const char *path, const char **out)
{
    int rv = want_kind(a, n, path, CONF_STRING, "a string");
    if (rv == 0)
        *out = n->str;
    return rv;
}

/* Booleans; "enabled"/"disabled" are accepted as in jetstream: enabled. */
static int get_bool(struct applier *a, const struct conf_node *n,
                    const char *path, bool *out)
{
    if (n->kind == CONF_BOOL) {
        *out = n->boolean;
        return 0;
    }
    if (n->kind == CONF_STRING) {
        if (strcasecmp(n->str, "enabled") == 0 ||
            strcasecmp(n->str, "enable") == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(n->str, "disabled") == 0 ||
            strcasecmp(n->str, "disable") == 0) {
            *out = false;
            return 0;
        }
    }
    return bad(a, n, path, "expected true or false, got %s",
               n->kind == CONF_STRING ? n->str : conf_kind_name(n->kind));
}

static int get_int(struct applier *a, const struct conf_node *n,
                   const char *path, int64_t min, int64_t max, int64_t *out)
{
    if (n->kind != CONF_INTEGER || n->integer < min || n->integer > max)
        return bad(a, n, path, "expected an integer between %lld and %lld",
                   (long long)min, (long long)max);
    *out = n->integer;
    return 0;
}

/* Sizes: an integer ("1MB" unquoted is already one), or a string such as
 * "1G", which nats-server reads as binary units (1 << 30). */
static int get_size(struct applier *a, const struct conf_node *n,
                    const char *path, int64_t min, int64_t max, int64_t *out)
{
    int64_t v;
    if (n->kind == CONF_INTEGER) {
        v = n->integer;
    } else if (n->kind == CONF_STRING) {
        const char *s = n->str;
        size_t len = strlen(s);
        bool has_suffix;
        char msg[BL_ERRMSG_SIZE];
        if (len >= 2 && strchr("KMGT", s[len - 1]) != NULL &&
            s[len - 2] >= '0' && s[len - 2] <= '9') {
            /* nats-server's getStorageSize(): one capital letter, powers
             * of 1024 ("1G" is 1 << 30). */
            int shift = 10 * (int)(strchr("KMGT", s[len - 1]) - "KMGT" + 1);
            if (conf__parse_sized_int(s, len - 1, &v, &has_suffix, msg) != 0 ||
                v > (INT64_MAX >> shift) || v < -(INT64_MAX >> shift))
                return bad(a, n, path, "expected a size, got '%s'", s);
            v *= (int64_t)1 << shift;
        } else if (conf__parse_sized_int(s, len, &v, &has_suffix, msg) != 0) {
            return bad(a, n, path,
                       "expected a size such as 1024, 64MB or "
                       "\"1G\", got '%s'",
                       s);
        }
    } else {
        return bad(a, n, path, "expected a size, got %s",
                   conf_kind_name(n->kind));
    }
    if (v < min || v > max)
        return bad(a, n, path, "size %lld is out of range [%lld, %lld]",
                   (long long)v, (long long)min, (long long)max);
    *out = v;
    return 0;
}

/* Go's time.ParseDuration ("300ms", "-1.5h", "2h45m"), in milliseconds
 * (truncated). Returns 0 or -1. */
static int parse_go_duration(const char *s, int64_t *out_ms)
{
    int64_t ns;
    if (bl_duration_parse(s, strlen(s), &ns) != 0)
        return -1;
    *out_ms = ns / 1000000;
    return 0;
}

static int get_duration(struct applier *a, const struct conf_node *n,
                        const char *path, int64_t min_ms, int64_t *out_ms)
{
    int64_t ms;
    if (n->kind == CONF_STRING) {
        if (parse_go_duration(n->str, &ms) != 0)
            return bad(a, n, path,
                       "expected a duration such as \"30s\", "
                       "\"2m\" or \"1h30m\", got '%s'",
                       n->str);
    } else if (n->kind == CONF_INTEGER && n->has_suffix) {
        /* Unquoted "2m" is a size in nats syntax (2000000), which
         * nats-server takes as 2000000 seconds; nobody means that, so we
         * read it as minutes. Other suffixes are not durations. */
        size_t len = strlen(n->str);
        if (len < 2 || n->str[len - 1] != 'm' ||
            parse_go_duration(n->str, &ms) != 0)
            return bad(a, n, path,
                       "'%s' is a size, not a duration; write "
                       "durations such as \"2m\" or \"30s\"",
                       n->str);
    } else if (n->kind == CONF_INTEGER) {
        /* nats-server's old form: whole seconds. */
        if (n->integer > INT64_MAX / 1000 || n->integer < INT64_MIN / 1000)
            return bad(a, n, path, "duration is out of range");
        ms = n->integer * 1000;
    } else {
        return bad(a, n, path, "expected a duration such as \"30s\", got %s",
                   conf_kind_name(n->kind));
    }
    if (ms < min_ms)
        return bad(a, n, path, "must be at least %lldms", (long long)min_ms);
    *out_ms = ms;
    return 0;
}

/* True if a later member of `map` has the same key: that one wins. */
static bool is_shadowed(const struct conf_node *map, size_t i)
{
    for (size_t j = i + 1; j < map->n_items; j++)
        if (strcasecmp(map->items[j]->key, map->items[i]->key) == 0)
            return true;
    return false;
}

static int apply_spec(struct applier *a, const struct key_spec *s,
                      const struct conf_node *n, const char *path, void *base)
{
    int64_t v = 0;
    int rv;
    switch (s->type) {
    case S_STR: {
        const char *str;
        rv = get_string(a, n, path, &str);
        if (rv == 0)
            set_str(FIELD(char *, base, s->offset), str);
        return rv;
    }
    case S_BOOL:
        return get_bool(a, n, path, FIELD(bool, base, s->offset));
    case S_INT:
        rv = get_int(a, n, path, s->min, s->max, &v);
        if (rv == 0)
            *FIELD(int, base, s->offset) =
                (int)(v == 0 && s->if_zero ? s->if_zero : v);
        return rv;
    case S_SIZE:
        rv = get_size(a, n, path, s->min, s->max, &v);
        if (rv == 0)
            *FIELD(int64_t, base, s->offset) =
                v == 0 && s->if_zero ? s->if_zero : v;
        return rv;
    case S_DURATION:
        rv = get_duration(a, n, path, s->min, &v);
        if (rv == 0)
            *FIELD(int64_t, base, s->offset) =
                v == 0 && s->if_zero ? s->if_zero : v;
        return rv;
    case S_FN:
        return s->fn(a, n, path, base);
    case S_IGNORED:
        warn(a, n, path, "not supported by ballast, ignored");
        return 0;
    }
    return 0;
}

/* Applies every member of `map` by its spec; unknown keys are warnings. */
static int apply_map(struct applier *a, const struct conf_node *map,
                     const char *path, const struct key_spec *specs,
                     size_t n_specs, void *base)
{
    for (size_t i = 0; i < map->n_items; i++) {
        const struct conf_node *m = map->items[i];
        if (is_shadowed(map, i))
            continue;
        char sub[PATH_LEN];
        join_path(sub, path, m->key);
        const struct key_spec *s = NULL;
        for (size_t k = 0; k < n_specs && s == NULL; k++)
            if (strcasecmp(specs[k].name, m->key) == 0)
                s = &specs[k];
        if (s == NULL) {
            if (!m->is_var_used)
                warn(a, m, sub, "unknown key, ignored");
            continue;
        }
        int rv = apply_spec(a, s, m, sub, base);
        if (rv != 0)
            return rv;
    }
    return 0;
}

/* ---- host:port values (listen, http) ---- */

/* "host:port", ":port", "[v6]:port", or an integer port. *host is NULL
 * for a bare integer, else a new string (maybe empty). */
static int get_hostport(struct applier *a, const struct conf_node *n,
                        const char *path, char **host, int *port)
{
    if (n->kind == CONF_INTEGER) {
        if (n->integer < -1 || n->integer > 65535)
            return bad(a, n, path, "expected a port between -1 and 65535");
        *host = NULL;
        *port = (int)n->integer;
        return 0;
    }
    if (n->kind != CONF_STRING)
        return bad(a, n, path, "expected a port or \"host:port\", got %s",
                   conf_kind_name(n->kind));
    const char *s = n->str;
    const char *h, *h_end, *colon;
    if (s[0] == '[') {
        h = s + 1;
        h_end = strchr(s, ']');
        if (h_end == NULL || h_end[1] != ':')
            return bad(a, n, path, "could not parse address \"%s\"", s);
        colon = h_end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
            return bad(a, n, path,
                       "could not parse address \"%s\" (expected "
                       "host:port)",
                       s);
        h = s;
        h_end = colon;
    }
    const char *ps = colon + 1;
    char *end;
    long v = strtol(ps, &end, 10);
    if (*ps == '\0' || *end != '\0' || v < -1 || v > 65535)
        return bad(a, n, path, "could not parse port \"%s\"", ps);
    *host = bl_xstrndup(h, (size_t)(h_end - h));
    *port = (int)v;
    return 0;
}

static int apply_listen(struct applier *a, const struct conf_node *n,
                        const char *path, void *base)
{
    struct server_opts *o = base;
    char *host;
    int port;
    int rv = get_hostport(a, n, path, &host, &port);
    if (rv != 0)
        return rv;
    if (host != NULL) {
        set_str(&o->host, host[0] ? host : "0.0.0.0");
        bl_free(host);
    }
    o->port = port == 0 ? 4222 : port;
    return 0;
}

static int apply_http(struct applier *a, const struct conf_node *n,
                      const char *path, void *base)
{
    struct server_opts *o = base;
    char *host;
    int port;
    int rv = get_hostport(a, n, path, &host, &port);
    if (rv != 0)
        return rv;
    if (host != NULL) {
        set_str(&o->http_host, host[0] ? host : NULL);
        bl_free(host);
    }
    o->http_port = port;
    return 0;
}

static int apply_lame_duck(struct applier *a, const struct conf_node *n,
                           const char *path, void *base)
{
    struct server_opts *o = base;
    /* nats-server refuses less than 30 seconds. */
    return get_duration(a, n, path, 30000, &o->lame_duck_duration_ms);
}

static int set_store_dir(struct applier *a, const struct conf_node *n,
                         const char *path)
{
    const char *dir;
    int rv = get_string(a, n, path, &dir);
    if (rv == 0)
        set_str(&a->o->store_dir, dir);
    return rv;
}

static int apply_top_store_dir(struct applier *a, const struct conf_node *n,
                               const char *path, void *base)
{
    a->top_store_dir = n;
    return set_store_dir(a, n, path);
}

static int apply_js_store_dir(struct applier *a, const struct conf_node *n,
                              const char *path, void *base)
{
    a->js_store_dir = n;
    return set_store_dir(a, n, path);
}

/* ---- permissions ---- */

/* A subject, or an array of subjects, appended to (*list, *n). */
static int get_subjects(struct applier *a, const struct conf_node *n,
                        const char *path, char ***list, size_t *count)
{
    const struct conf_node *const *items = (const struct conf_node *const *)&n;
    size_t n_items = 1;
    if (n->kind == CONF_ARRAY) {
        items = (const struct conf_node *const *)n->items;
        n_items = n->n_items;
    }
    for (size_t i = 0; i < n_items; i++) {
        const struct conf_node *s = items[i];
        if (s->kind != CONF_STRING)
            return bad(a, s, path,
                       "expected a subject or an array of "
                       "subjects, got %s",
                       conf_kind_name(s->kind));
        if (s->str[0] == '\0')
            return bad(a, s, path, "empty subject");
        *list = bl_xrealloc(*list, (*count + 1) * sizeof(**list));
        (*list)[(*count)++] = bl_xstrdup(s->str);
    }
    return 0;
}

static int apply_allow(struct applier *a, const struct conf_node *n,
                       const char *path, void *base)
{
    struct opt_perm_list *l = base;
    for (size_t i = 0; i < l->n_allow; i++)
        bl_free(l->allow[i]);
    l->n_allow = 0;
    return get_subjects(a, n, path, &l->allow, &l->n_allow);
}

static int apply_deny(struct applier *a, const struct conf_node *n,
                      const char *path, void *base)
{
    struct opt_perm_list *l = base;
    for (size_t i = 0; i < l->n_deny; i++)
        bl_free(l->deny[i]);
    l->n_deny = 0;
    return get_subjects(a, n, path, &l->deny, &l->n_deny);
}

static const struct key_spec perm_list_keys[] = {
    {"allow", S_FN, 0, 0, 0, 0, apply_allow},
    {"deny", S_FN, 0, 0, 0, 0, apply_deny},
};

/* publish/subscribe: a subject, an array, or {allow, deny}. */
static int apply_perm_list(struct applier *a, const struct conf_node *n,
                           const char *path, struct opt_perm_list *l)
{
    conf__perm_list_close(l);
    if (n->kind == CONF_MAP) {
        if (n->n_items == 0)
            return 0; /* nats-server: an empty map sets nothing */
        l->is_set = true;
        return apply_map(a, n, path, perm_list_keys, N_OF(perm_list_keys), l);
    }
    l->is_set = true;
    return get_subjects(a, n, path, &l->allow, &l->n_allow);
}

static int apply_publish(struct applier *a, const struct conf_node *n,
                         const char *path, void *base)
{
    struct opt_permissions *p = base;
    return apply_perm_list(a, n, path, &p->publish);
}

static int apply_subscribe(struct applier *a, const struct conf_node *n,
                           const char *path, void *base)
{
    struct opt_permissions *p = base;
    return apply_perm_list(a, n, path, &p->subscribe);
}

static int apply_allow_responses(struct applier *a, const struct conf_node *n,
                                 const char *path, void *base)
{
    struct opt_permissions *p = base;
    if (n->kind == CONF_MAP) {
        /* {max: N, expires: D} limits the responses; we allow them. */
        p->allow_responses = true;
        if (n->n_items > 0)
            warn(a, n, path,
                 "response limits (max, expires) are not "
                 "supported by ballast, ignored");
        return 0;
    }
    return get_bool(a, n, path, &p->allow_responses);
}

static const struct key_spec permission_keys[] = {
    {"publish", S_FN, 0, 0, 0, 0, apply_publish},
    {"pub", S_FN, 0, 0, 0, 0, apply_publish},
    {"import", S_FN, 0, 0, 0, 0, apply_publish},
    {"subscribe", S_FN, 0, 0, 0, 0, apply_subscribe},
    {"sub", S_FN, 0, 0, 0, 0, apply_subscribe},
    {"export", S_FN, 0, 0, 0, 0, apply_subscribe},
    {"allow_responses", S_FN, 0, 0, 0, 0, apply_allow_responses},
    {"publish_allow_responses", S_FN, 0, 0, 0, 0, apply_allow_responses},
};

static int get_permissions(struct applier *a, const struct conf_node *n,
                           const char *path, struct opt_permissions *p)
{
    int rv = want_kind(a, n, path, CONF_MAP, "a permissions block");
    if (rv != 0)
        return rv;
    conf__permissions_close(p);
    p->is_set = true;
    return apply_map(a, n, path, permission_keys, N_OF(permission_keys), p);
}

/* ---- users ---- */

struct user_entry {
    struct opt_user u;
    bool has_nkey;
};

static int apply_user_perms(struct applier *a, const struct conf_node *n,
                            const char *path, void *base)
{
    struct user_entry *e = base;
    return get_permissions(a, n, path, &e->u.perms);
}

static int apply_user_nkey(struct applier *a, const struct conf_node *n,
                           const char *path, void *base)
{
    struct user_entry *e = base;
    e->has_nkey = true;
    return 0;
}

static const struct key_spec user_keys[] = {
    {"user", S_STR, offsetof(struct user_entry, u.user), 0, 0, 0, NULL},
    {"username", S_STR, offsetof(struct user_entry, u.user), 0, 0, 0, NULL},
    {"password", S_STR, offsetof(struct user_entry, u.password), 0, 0, 0, NULL},
    {"pass", S_STR, offsetof(struct user_entry, u.password), 0, 0, 0, NULL},
    {"permissions", S_FN, 0, 0, 0, 0, apply_user_perms},
    {"permission", S_FN, 0, 0, 0, 0, apply_user_perms},
    {"authorization", S_FN, 0, 0, 0, 0, apply_user_perms},
    {"nkey", S_FN, 0, 0, 0, 0, apply_user_nkey},
    {"allowed_connection_types", S_IGNORED, 0, 0, 0, 0, NULL},
    {"connection_types", S_IGNORED, 0, 0, 0, 0, NULL},
    {"clients", S_IGNORED, 0, 0, 0, 0, NULL},
};

/* Parses a users array; each user gets `account` (NULL: global) and, when
 * it has no permissions of its own, a copy of `defaults`. */
static int apply_users(struct applier *a, const struct conf_node *n,
                       const char *path, const char *account,
                       const struct opt_permissions *defaults)
{
    int rv = want_kind(a, n, path, CONF_ARRAY, "an array of users");
    if (rv != 0)
        return rv;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct conf_node *un = n->items[i];
        char sub[PATH_LEN];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        rv = want_kind(a, un, sub, CONF_MAP, "a user block {user, password}");
        if (rv != 0)
            return rv;
        struct user_entry e;
        memset(&e, 0, sizeof(e));
        rv = apply_map(a, un, sub, user_keys, N_OF(user_keys), &e);
        if (rv == 0 && e.u.user == NULL && !e.has_nkey)
            rv = bad(a, un, sub, "a user entry needs a user");
        if (rv == 0 && e.u.user == NULL) {
            warn(a, un, sub,
                 "nkey users are not supported by ballast, "
                 "entry ignored");
            conf__user_close(&e.u);
            continue;
        }
        if (rv != 0) {
            conf__user_close(&e.u);
            return rv;
        }
        if (e.has_nkey) {
            conf__user_close(&e.u);
            return bad(a, un, sub,
                       "nkey users do not take user names or "
                       "passwords");
        }
        if (!e.u.perms.is_set && defaults != NULL && defaults->is_set)
            conf__permissions_copy(&e.u.perms, defaults);
        e.u.account = account ? bl_xstrdup(account) : NULL;
        a->users = bl_xrealloc(a->users, (a->n_users + 1) * sizeof(*a->users));
        a->user_nodes = bl_xrealloc(a->user_nodes,
                                    (a->n_users + 1) * sizeof(*a->user_nodes));
        a->users[a->n_users] = e.u;
        a->user_nodes[a->n_users] = un;
        a->n_users++;
    }
    return 0;
}

/* ---- authorization ---- */

struct auth_block {
    char *user;
    char *password;
    char *token;
    const struct conf_node *timeout;
    const struct conf_node *users;
    struct opt_permissions defaults;
};

static int note_timeout(struct applier *a, const struct conf_node *n,
                        const char *path, void *base)
{
    struct auth_block *b = base;
    if (n->kind != CONF_INTEGER && n->kind != CONF_FLOAT)
        return bad(a, n, path, "expected seconds (a number), got %s",
                   conf_kind_name(n->kind));
    double secs = n->kind == CONF_INTEGER ? (double)n->integer : n->fp;
    if (secs < 0 || secs > 86400.0)
        return bad(a, n, path, "expected seconds between 0 and 86400");
    b->timeout = n;
    return 0;
}

static int note_users(struct applier *a, const struct conf_node *n,
                      const char *path, void *base)
{
    struct auth_block *b = base;
    b->users = n;
    return want_kind(a, n, path, CONF_ARRAY, "an array of users");
}

static int apply_default_perms(struct applier *a, const struct conf_node *n,
                               const char *path, void *base)
{
    struct auth_block *b = base;
    return get_permissions(a, n, path, &b->defaults);
}

static const struct key_spec auth_keys[] = {
    {"user", S_STR, offsetof(struct auth_block, user), 0, 0, 0, NULL},
    {"username", S_STR, offsetof(struct auth_block, user), 0, 0, 0, NULL},
    {"password", S_STR, offsetof(struct auth_block, password), 0, 0, 0, NULL},
    {"pass", S_STR, offsetof(struct auth_block, password), 0, 0, 0, NULL},
    {"token", S_STR, offsetof(struct auth_block, token), 0, 0, 0, NULL},
    {"timeout", S_FN, 0, 0, 0, 0, note_timeout},
    {"users", S_FN, 0, 0, 0, 0, note_users},
    {"default_permissions", S_FN, 0, 0, 0, 0, apply_default_perms},
    {"default_permission", S_FN, 0, 0, 0, 0, apply_default_perms},
    {"permissions", S_FN, 0, 0, 0, 0, apply_default_perms},
    {"auth_callout", S_IGNORED, 0, 0, 0, 0, NULL},
};

static int apply_authorization(struct applier *a, const struct conf_node *n,
                               const char *path, void *base)
{
    struct server_opts *o = a->o;
    int rv = want_kind(a, n, path, CONF_MAP, "a block { }");
    if (rv != 0)
        return rv;
    struct auth_block b;
    memset(&b, 0, sizeof(b));
    rv = apply_map(a, n, path, auth_keys, N_OF(auth_keys), &b);
    if (rv != 0)
        goto out;
    if ((b.user || b.password) && b.token) {
        rv = bad(a, n, path, "cannot have a user/password and a token");
        goto out;
    }
    if (b.users != NULL && b.user != NULL) {
        rv = bad(a, n, path,
                 "cannot have a single user/password and a "
                 "users array");
        goto out;
    }
    if (b.users != NULL && b.token != NULL) {
        rv = bad(a, n, path, "cannot have a token and a users array");
        goto out;
    }
    if (b.users != NULL) {
        char sub[PATH_LEN];
        join_path(sub, path, "users");
        rv = apply_users(a, b.users, sub, NULL, &b.defaults);
        if (rv != 0)
            goto out;
        a->auth_has_users = true;
    }
    a->auth_node = n;
    set_str(&o->username, b.user);
    set_str(&o->password, b.password);
    set_str(&o->auth_token, b.token);
    if (b.timeout != NULL) {
        double secs = b.timeout->kind == CONF_INTEGER
                          ? (double)b.timeout->integer
                          : b.timeout->fp;
        /* 0 means the default, as in nats-server. */
        if (secs > 0)
            o->auth_timeout_ms = (int64_t)(secs * 1000.0);
    }
    conf__permissions_close(&o->default_permissions);
    o->default_permissions = b.defaults;
    memset(&b.defaults, 0, sizeof(b.defaults));
out:
    bl_free(b.user);
    bl_free(b.password);
    bl_free(b.token);
    conf__permissions_close(&b.defaults);
    return rv;
}

/* ---- accounts ---- */

struct account_block {
    bool jetstream;
    const struct conf_node *users;
    struct opt_permissions defaults;
};

static int apply_account_js(struct applier *a, const struct conf_node *n,
                            const char *path, void *base)
{
    struct account_block *b = base;
    if (n->kind == CONF_MAP) {
        /* A block of limits: enabled, with limits we do not enforce. */
        b->jetstream = true;
        if (n->n_items > 0)
            warn(a, n, path,
                 "per-account JetStream limits are not "
                 "supported by ballast, ignored");
        return 0;
    }
    return get_bool(a, n, path, &b->jetstream);
}

static int note_account_users(struct applier *a, const struct conf_node *n,
                              const char *path, void *base)
{
    struct account_block *b = base;
    b->users = n;
    return want_kind(a, n, path, CONF_ARRAY, "an array of users");
}

static int apply_account_defaults(struct applier *a, const struct conf_node *n,
                                  const char *path, void *base)
{
    struct account_block *b = base;
    return get_permissions(a, n, path, &b->defaults);
}

static const struct key_spec account_keys[] = {
    {"users", S_FN, 0, 0, 0, 0, note_account_users},
    {"jetstream", S_FN, 0, 0, 0, 0, apply_account_js},
    {"default_permissions", S_FN, 0, 0, 0, 0, apply_account_defaults},
    {"nkey", S_IGNORED, 0, 0, 0, 0, NULL},
    {"imports", S_IGNORED, 0, 0, 0, 0, NULL},
    {"exports", S_IGNORED, 0, 0, 0, 0, NULL},
    {"mappings", S_IGNORED, 0, 0, 0, 0, NULL},
    {"maps", S_IGNORED, 0, 0, 0, 0, NULL},
    {"limits", S_IGNORED, 0, 0, 0, 0, NULL},
};

static int add_account(struct applier *a, const struct conf_node *n,
                       const char *path, const char *name, bool jetstream)
{
    struct server_opts *o = a->o;
    if (strcmp(name, OPTS_GLOBAL_ACCOUNT) == 0)
        return bad(a, n, path, "\"%s\" is a reserved account name", name);
    if (name[0] == '\0')
        return bad(a, n, path, "account name is empty");
    for (size_t i = 0; i < o->n_accounts; i++)
        if (strcmp(o->accounts[i].name, name) == 0)
            return bad(a, n, path, "account \"%s\" is defined twice", name);
    o->accounts =
        bl_xrealloc(o->accounts, (o->n_accounts + 1) * sizeof(*o->accounts));
    o->accounts[o->n_accounts].name = bl_xstrdup(name);
    o->accounts[o->n_accounts].jetstream = jetstream;
    o->n_accounts++;
    return 0;
}

static int apply_accounts(struct applier *a, const struct conf_node *n,
                          const char *path, void *base)
{
    int rv;
    if (n->kind == CONF_ARRAY) {
        /* accounts: [A, B]: names only. */
        for (size_t i = 0; i < n->n_items; i++) {
            const struct conf_node *e = n->items[i];
            char sub[PATH_LEN];
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            const char *name;
            rv = get_string(a, e, sub, &name);
            if (rv == 0)
                rv = add_account(a, e, sub, name, false);
            if (rv != 0)
                return rv;
        }
        return 0;
    }
    rv = want_kind(a, n, path, CONF_MAP, "a block of accounts");
    if (rv != 0)
        return rv;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct conf_node *acc = n->items[i];
        if (is_shadowed(n, i))
            continue;
        char sub[PATH_LEN];
        join_path(sub, path, acc->key);
        if (acc->is_var_used)
            continue; /* a variable defined inside accounts { } */
        if (acc->kind != CONF_MAP) {
            return bad(a, acc, sub,
                       "expected an account block { users: "
                       "[...] }, got %s",
                       conf_kind_name(acc->kind));
        }
        struct account_block b;
        memset(&b, 0, sizeof(b));
        rv = apply_map(a, acc, sub, account_keys, N_OF(account_keys), &b);
        if (rv == 0)
            rv = add_account(a, acc, sub, acc->key, b.jetstream);
        if (rv == 0 && b.users != NULL) {
            char upath[PATH_LEN];
            join_path(upath, sub, "users");
            rv = apply_users(a, b.users, upath, acc->key, &b.defaults);
            if (rv == 0 && a->account_users_node == NULL &&
                b.users->n_items > 0)
                a->account_users_node = b.users;
        }
        conf__permissions_close(&b.defaults);
        if (rv != 0)
            return rv;
    }
    return 0;
}

/* ---- jetstream ---- */

static int apply_js_enable(struct applier *a, const struct conf_node *n,
                           const char *path, void *base)
{
    return get_bool(a, n, path, &a->js_enable);
}

static int apply_sync_interval(struct applier *a, const struct conf_node *n,
                               const char *path, void *base)
{
    struct server_opts *o = base;
    if (n->kind == CONF_STRING && strcasecmp(n->str, "always") == 0) {
        o->sync_interval_ms = 0;
        return 0;
    }
    return get_duration(a, n, path, 0, &o->sync_interval_ms);
}

static const struct key_spec jetstream_keys[] = {
    {"store_dir", S_FN, 0, 0, 0, 0, apply_js_store_dir},
    {"store", S_FN, 0, 0, 0, 0, apply_js_store_dir},
    {"storedir", S_FN, 0, 0, 0, 0, apply_js_store_dir},
    {"max_memory_store", S_SIZE, OPT(js_max_memory), -1, INT64_MAX, 0, NULL},
    {"max_mem_store", S_SIZE, OPT(js_max_memory), -1, INT64_MAX, 0, NULL},
    {"max_mem", S_SIZE, OPT(js_max_memory), -1, INT64_MAX, 0, NULL},
    {"max_file_store", S_SIZE, OPT(js_max_file), -1, INT64_MAX, 0, NULL},
    {"max_file", S_SIZE, OPT(js_max_file), -1, INT64_MAX, 0, NULL},
    {"enabled", S_FN, 0, 0, 0, 0, apply_js_enable},
    {"enable", S_FN, 0, 0, 0, 0, apply_js_enable},
    {"sync_interval", S_FN, 0, 0, 0, 0, apply_sync_interval},
    {"domain", S_IGNORED, 0, 0, 0, 0, NULL},
    {"key", S_IGNORED, 0, 0, 0, 0, NULL},
    {"ek", S_IGNORED, 0, 0, 0, 0, NULL},
    {"encryption_key", S_IGNORED, 0, 0, 0, 0, NULL},
    {"cipher", S_IGNORED, 0, 0, 0, 0, NULL},
    {"extension_hint", S_IGNORED, 0, 0, 0, 0, NULL},
    {"limits", S_IGNORED, 0, 0, 0, 0, NULL},
    {"unique_tag", S_IGNORED, 0, 0, 0, 0, NULL},
    {"max_outstanding_catchup", S_IGNORED, 0, 0, 0, 0, NULL},
    {"max_buffered_msgs", S_IGNORED, 0, 0, 0, 0, NULL},
    {"max_buffered_size", S_IGNORED, 0, 0, 0, 0, NULL},
    {"request_queue_limit", S_IGNORED, 0, 0, 0, 0, NULL},
    {"strict", S_IGNORED, 0, 0, 0, 0, NULL},
};

static int apply_jetstream(struct applier *a, const struct conf_node *n,
                           const char *path, void *base)
{
    struct server_opts *o = base;
    if (n->kind == CONF_MAP) {
        a->js_enable = true;
        int rv = apply_map(a, n, path, jetstream_keys, N_OF(jetstream_keys), o);
        if (rv == 0)
            o->jetstream = a->js_enable;
        return rv;
    }
    if (n->kind == CONF_STRING && strcasecmp(n->str, "enabled") != 0 &&
        strcasecmp(n->str, "enable") != 0 &&
        strcasecmp(n->str, "disabled") != 0 &&
        strcasecmp(n->str, "disable") != 0)
        return bad(a, n, path, "expected 'enabled' or 'disabled', got '%s'",
                   n->str);
    if (n->kind != CONF_STRING && n->kind != CONF_BOOL)
        return bad(a, n, path,
                   "expected a bool, 'enabled' or a block { }, "
                   "got %s",
                   conf_kind_name(n->kind));
    return get_bool(a, n, path, &o->jetstream);
}

/* ---- the top level ---- */

#define IGNORED(name)                                                          \
    {                                                                          \
        name, S_IGNORED, 0, 0, 0, 0, NULL                                      \
    }

static const struct key_spec top_keys[] = {
    {"listen", S_FN, 0, 0, 0, 0, apply_listen},
    {"host", S_STR, OPT(host), 0, 0, 0, NULL},
    {"net", S_STR, OPT(host), 0, 0, 0, NULL},
    {"addr", S_STR, OPT(host), 0, 0, 0, NULL},
    {"port", S_INT, OPT(port), -1, 65535, 4222, NULL},
    {"server_name", S_STR, OPT(server_name), 0, 0, 0, NULL},
    {"client_advertise", S_STR, OPT(client_advertise), 0, 0, 0, NULL},
    {"http", S_FN, 0, 0, 0, 0, apply_http},
    {"http_port", S_INT, OPT(http_port), -1, 65535, 0, NULL},
    {"monitor_port", S_INT, OPT(http_port), -1, 65535, 0, NULL},
    {"max_payload", S_SIZE, OPT(max_payload), 0, INT32_MAX, 1 << 20, NULL},
    {"max_control_line", S_SIZE, OPT(max_control_line), 0, INT32_MAX, 4096,
     NULL},
    {"max_pending", S_SIZE, OPT(max_pending), 0, INT64_MAX, 64 << 20, NULL},
    {"max_connections", S_INT, OPT(max_connections), 0, INT_MAX, 65536, NULL},
    {"max_conn", S_INT, OPT(max_connections), 0, INT_MAX, 65536, NULL},
    {"max_subscriptions", S_INT, OPT(max_subscriptions), 0, INT_MAX, 0, NULL},
    {"max_subs", S_INT, OPT(max_subscriptions), 0, INT_MAX, 0, NULL},
    {"ping_interval", S_DURATION, OPT(ping_interval_ms), 0, 0, 120000, NULL},
    {"ping_max", S_INT, OPT(max_pings_out), 0, INT_MAX, 2, NULL},
    {"write_deadline", S_DURATION, OPT(write_deadline_ms), 0, 0, 10000, NULL},
    {"lame_duck_duration", S_FN, 0, 0, 0, 0, apply_lame_duck},
    {"lame_duck_grace_period", S_DURATION, OPT(lame_duck_grace_period_ms), 0, 0,
     0, NULL},
    {"debug", S_BOOL, OPT(debug), 0, 0, 0, NULL},
    {"trace", S_BOOL, OPT(trace), 0, 0, 0, NULL},
    {"trace_verbose", S_BOOL, OPT(trace), 0, 0, 0, NULL},
    {"logtime", S_BOOL, OPT(logtime), 0, 0, 0, NULL},
    {"log_file", S_STR, OPT(log_file), 0, 0, 0, NULL},
    {"logfile", S_STR, OPT(log_file), 0, 0, 0, NULL},
    {"pid_file", S_STR, OPT(pid_file), 0, 0, 0, NULL},
    {"pidfile", S_STR, OPT(pid_file), 0, 0, 0, NULL},
    {"authorization", S_FN, 0, 0, 0, 0, apply_authorization},
    {"accounts", S_FN, 0, 0, 0, 0, apply_accounts},
    {"system_account", S_STR, OPT(system_account), 0, 0, 0, NULL},
    {"system", S_STR, OPT(system_account), 0, 0, 0, NULL},
    {"no_auth_user", S_STR, OPT(no_auth_user), 0, 0, 0, NULL},
    {"jetstream", S_FN, 0, 0, 0, 0, apply_jetstream},
    {"store_dir", S_FN, 0, 0, 0, 0, apply_top_store_dir},
    {"storedir", S_FN, 0, 0, 0, 0, apply_top_store_dir},
    IGNORED("mappings"),
    IGNORED("maps"),
    IGNORED("disable_sublist_cache"),
    IGNORED("no_sublist_cache"),
    IGNORED("https"),
    IGNORED("https_port"),
    IGNORED("http_base_path"),
    IGNORED("cluster"),
    IGNORED("gateway"),
    IGNORED("leaf"),
    IGNORED("leafnodes"),
    IGNORED("logfile_size_limit"),
    IGNORED("log_size_limit"),
    IGNORED("syslog"),
    IGNORED("remote_syslog"),
    IGNORED("ports_file_dir"),
    IGNORED("prof_port"),
    IGNORED("max_traced_msg_len"),
    IGNORED("max_sub_tokens"),
    IGNORED("max_subscription_tokens"),
    IGNORED("tls"),
    IGNORED("ocsp"),
    IGNORED("allow_non_tls"),
    IGNORED("operator"),
    IGNORED("operators"),
    IGNORED("roots"),
    IGNORED("root"),
    IGNORED("root_operators"),
    IGNORED("root_operator"),
    IGNORED("resolver"),
    IGNORED("account_resolver"),
    IGNORED("accounts_resolver"),
    IGNORED("resolver_tls"),
    IGNORED("resolver_preload"),
    IGNORED("resolver_pinned_accounts"),
    IGNORED("no_system_account"),
    IGNORED("no_system"),
    IGNORED("no_sys_acc"),
    IGNORED("no_header_support"),
    IGNORED("trusted"),
    IGNORED("trusted_keys"),
    IGNORED("connect_error_reports"),
    IGNORED("reconnect_error_reports"),
    IGNORED("websocket"),
    IGNORED("ws"),
    IGNORED("mqtt"),
    IGNORED("server_tags"),
    IGNORED("default_js_domain"),
    IGNORED("jwt"),
};

/* Rules that span keys, checked once everything is read. */
static int check_across(struct applier *a)
{
    struct server_opts *o = a->o;
    if (a->account_users_node != NULL && a->auth_node != NULL) {
        if (o->username != NULL)
            return bad(a, a->account_users_node, "accounts",
                       "cannot have a single user/password in "
                       "authorization and users in accounts");
        if (o->auth_token != NULL)
            return bad(a, a->account_users_node, "accounts",
                       "cannot have a token in authorization and users in "
                       "accounts");
    }
    if (a->top_store_dir != NULL && a->js_store_dir != NULL)
        return bad(a, a->js_store_dir, "jetstream.store_dir",
                   "store_dir is also set at the top level (line %d)",
                   a->top_store_dir->line);
    for (size_t i = 0; i < a->n_users; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->users[i].user, a->users[j].user) == 0)
                return bad(a, a->user_nodes[i], "user",
                           "user \"%s\" is defined twice (first at %s:%d)",
                           a->users[i].user, a->user_nodes[j]->file,
                           a->user_nodes[j]->line);
    return 0;
}

int conf_apply(struct server_opts *o, const struct conf_tree *t,
               size_t *n_warnings, char *errmsg)
{
    struct applier a;
    memset(&a, 0, sizeof(a));
    a.o = o;
    a.errmsg = errmsg;
    if (t->root == NULL)
        return 0;
    int rv = apply_map(&a, t->root, "", top_keys, N_OF(top_keys), o);
    if (rv == 0)
        rv = check_across(&a);
    if (rv == 0 && a.n_users > 0) {
        o->users =
            bl_xrealloc(o->users, (o->n_users + a.n_users) * sizeof(*o->users));
        memcpy(o->users + o->n_users, a.users, a.n_users * sizeof(*a.users));
        o->n_users += a.n_users;
        a.n_users = 0;
    }
    for (size_t i = 0; i < a.n_users; i++)
        conf__user_close(&a.users[i]);
    bl_free(a.users);
    bl_free(a.user_nodes);
    if (n_warnings != NULL)
        *n_warnings += a.n_warnings;
    return rv;
}
