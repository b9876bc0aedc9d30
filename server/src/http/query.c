#include "http/query.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* nats-server's DefaultConnListSize. */
#define CONNZ_DEFAULT_LIMIT 1024

void query_init(struct query *q)
{
    q->n_args = 0;
}

void query_close(struct query *q)
{
    for (size_t i = 0; i < q->n_args; i++) {
        bl_free(q->args[i].key);
        bl_free(q->args[i].value);
    }
    q->n_args = 0;
}

void query_add(struct query *q, const char *key, const char *value)
{
    if (q->n_args == QUERY_MAX_ARGS || key == NULL)
        return;
    q->args[q->n_args].key = bl_xstrdup(key);
    q->args[q->n_args].value = bl_xstrdup(value != NULL ? value : "");
    q->n_args++;
}

const char *query_get(const struct query *q, const char *key)
{
    for (size_t i = 0; i < q->n_args; i++)
        if (strcmp(q->args[i].key, key) == 0)
            return q->args[i].value;
    return NULL;
}

/* A decimal int with an optional sign, like Go's strconv.Atoi. */
static int parse_int(const char *s, int *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return BL_EINVAL;
    long long v = 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return BL_EINVAL;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return BL_EINVAL;
    }
    *out = neg ? -(int)v : (int)v;
    return 0;
}

/* Go's strconv.ParseBool spellings. */
static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return BL_EINVAL;
}

static const struct {
    const char *name;
    enum stats_connz_sort sort;
} sorts[] = {
    {"cid", STATS_SORT_CID},           {"start", STATS_SORT_START},
    {"subs", STATS_SORT_SUBS},         {"pending", STATS_SORT_PENDING},
    {"msgs_to", STATS_SORT_MSGS_TO},   {"msgs_from", STATS_SORT_MSGS_FROM},
    {"bytes_to", STATS_SORT_BYTES_TO}, {"bytes_from", STATS_SORT_BYTES_FROM},
    {"last", STATS_SORT_LAST},         {"idle", STATS_SORT_IDLE},
    {"uptime", STATS_SORT_UPTIME},     {"rtt", STATS_SORT_RTT},
    {"stop", STATS_SORT_STOP},         {"reason", STATS_SORT_REASON},
};

int query_connz(const struct query *q, struct stats_connz_query *out,
                char *errmsg)
{
    struct stats_connz_query r = {0, CONNZ_DEFAULT_LIMIT, false, false,
                                  STATS_SORT_CID};
    const char *s;

    if ((s = query_get(q, "offset")) != NULL && s[0] != '\0') {
        if (parse_int(s, &r.offset) != 0) {
            bl_errmsg_set(errmsg, "invalid offset '%s'", s);
            return BL_EINVAL;
        }
        if (r.offset < 0)
            r.offset = 0;
    }
    if ((s = query_get(q, "limit")) != NULL && s[0] != '\0') {
        if (parse_int(s, &r.limit) != 0) {
            bl_errmsg_set(errmsg, "invalid limit '%s'", s);
            return BL_EINVAL;
        }
        if (r.limit <= 0)
            r.limit = CONNZ_DEFAULT_LIMIT;
    }
    if ((s = query_get(q, "subs")) != NULL && s[0] != '\0') {
        /* "detail" asks for per-subscription details; we have only the
         * subjects, which is what it gets. */
        if (strcmp(s, "detail") == 0) {
            r.subs = true;
        } else if (parse_bool(s, &r.subs) != 0) {
            bl_errmsg_set(errmsg, "invalid subs '%s'", s);
            return BL_EINVAL;
        }
    }
    if ((s = query_get(q, "state")) != NULL && s[0] != '\0') {
        if (strcasecmp(s, "open") == 0) {
            r.closed = false;
        } else if (strcasecmp(s, "closed") == 0) {
            r.closed = true;
        } else if (strcasecmp(s, "all") == 0) {
            bl_errmsg_set(errmsg, "state 'all' is not supported, "
                                  "ask for open and closed separately");
            return BL_EINVAL;
        } else {
            bl_errmsg_set(errmsg, "invalid state '%s'", s);
            return BL_EINVAL;
        }
    }
    if ((s = query_get(q, "sort")) != NULL && s[0] != '\0') {
        size_t i = 0;
        while (i < sizeof(sorts) / sizeof(sorts[0]) &&
               strcmp(s, sorts[i].name) != 0)
            i++;
        if (i == sizeof(sorts) / sizeof(sorts[0])) {
            bl_errmsg_set(errmsg, "invalid sort '%s'", s);
            return BL_EINVAL;
        }
        r.sort = sorts[i].sort;
        if ((r.sort == STATS_SORT_STOP || r.sort == STATS_SORT_REASON) &&
            !r.closed) {
            bl_errmsg_set(errmsg,
                          "sort by %s is only valid for closed connections", s);
            return BL_EINVAL;
        }
    }
    *out = r;
    return 0;
}

/* One boolean argument; absent or empty leaves *out alone. */
static int get_bool(const struct query *q, const char *key, bool *out,
                    char *errmsg)
{
    const char *s = query_get(q, key);
    if (s == NULL || s[0] == '\0')
        return 0;
    if (parse_bool(s, out) != 0) {
        bl_errmsg_set(errmsg, "invalid %s '%s'", key, s);
        return BL_EINVAL;
    }
    return 0;
}

int query_jsz(const struct query *q, struct stats_jsz_query *out, char *errmsg)
{
    struct stats_jsz_query r;
    memset(&r, 0, sizeof(r));
    bool consumers = false, leader_only = false;
    int rv;
    if ((rv = get_bool(q, "accounts", &r.accounts, errmsg)) != 0 ||
        (rv = get_bool(q, "streams", &r.streams, errmsg)) != 0 ||
        (rv = get_bool(q, "consumers", &consumers, errmsg)) != 0 ||
        (rv = get_bool(q, "config", &r.config, errmsg)) != 0 ||
        (rv = get_bool(q, "leader-only", &leader_only, errmsg)) != 0)
        return rv;
    static const char *const ints[] = {"offset", "limit"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        const char *s = query_get(q, ints[i]);
        int ignored;
        if (s != NULL && s[0] != '\0' && parse_int(s, &ignored) != 0) {
            bl_errmsg_set(errmsg, "invalid %s '%s'", ints[i], s);
            return BL_EINVAL;
        }
    }
    const char *acc = query_get(q, "acc");
    if (acc != NULL) {
        if (strlen(acc) >= sizeof(r.account)) {
            bl_errmsg_set(errmsg, "invalid acc: longer than %zu bytes",
                          sizeof(r.account) - 1);
            return BL_EINVAL;
        }
        strcpy(r.account, acc);
    }
    /* nats-server: consumer detail implies stream detail, and either, or
     * naming an account, implies the account list. */
    if (consumers)
        r.streams = true;
    if (r.streams || r.account[0] != '\0')
        r.accounts = true;
    *out = r;
    return 0;
}
