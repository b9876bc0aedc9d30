/* Key-value commands on the official client's kvStore API (streams KV_<bucket>
 * with keys on $KV.<bucket>.<key>): add, put, get, del, ls, rm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ballast/mem.h"
#include "cli.h"
#include "format.h"
#include "stream.h"

static int js_fail(const char *what, natsStatus s)
{
    const char *last = nats_GetLastError(NULL);
    return cli_fail("%s: %s", what,
                    last && *last ? last : natsStatus_GetText(s));
}

/* Binds to bucket `name`; prints errors. The caller destroys *js and *kv. */
static int bind_bucket(struct cli *c, const char *name, jsCtx **js,
                       kvStore **kv)
{
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = c->timeout_ms;
    natsStatus s = natsConnection_JetStream(js, nc, &jo);
    if (s != NATS_OK)
        return js_fail("JetStream context", s);
    if (kv == NULL)
        return 0;
    s = js_KeyValue(kv, *js, name);
    if (s == NATS_NOT_FOUND) {
        jsCtx_Destroy(*js);
        return cli_fail("bucket %s not found", name);
    }
    if (s != NATS_OK) {
        jsCtx_Destroy(*js);
        return js_fail(name, s);
    }
    return 0;
}

static int run_add(struct cli *c, const struct args *a)
{
    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = a->pos[0];
    cfg.History = 1;
    cfg.Replicas = 1;
    const char *v;
    int64_t n;
    if ((v = args_get(a, "history")) != NULL) {
        if (parse_count(v, &n) != 0 || n < 1 || n > 64)
            return cli_fail("invalid --history '%s' (1 to 64)", v);
        cfg.History = (uint8_t)n;
    }
    if ((v = args_get(a, "ttl")) != NULL) {
        if (parse_duration(v, &n) != 0)
            return cli_fail("invalid --ttl '%s'", v);
        cfg.TTL = n; /* kvConfig.TTL is in nanoseconds, as max_age */
    }
    if ((v = args_get(a, "replicas")) != NULL) {
        if (parse_count(v, &n) != 0 || n < 1)
            return cli_fail("invalid --replicas '%s'", v);
        cfg.Replicas = (int)n;
    }
    if ((v = args_get(a, "max-value-size")) != NULL) {
        if (parse_size(v, &n) != 0 || n > INT32_MAX)
            return cli_fail("invalid --max-value-size '%s'", v);
        cfg.MaxValueSize = (int32_t)n;
    }
    if ((v = args_get(a, "max-bucket-size")) != NULL) {
        if (parse_size(v, &n) != 0)
            return cli_fail("invalid --max-bucket-size '%s'", v);
        cfg.MaxBytes = n;
    }
    if ((v = args_get(a, "storage")) != NULL) {
        if (strcasecmp(v, "file") == 0)
            cfg.StorageType = js_FileStorage;
        else if (strcasecmp(v, "memory") == 0)
            cfg.StorageType = js_MemoryStorage;
        else
            return cli_fail("invalid --storage '%s'", v);
    }
    cfg.Description = args_get(a, "description");
    jsCtx *js = NULL;
    if (bind_bucket(c, NULL, &js, NULL) != 0)
        return 1;
    kvStore *kv = NULL;
    natsStatus s = js_CreateKeyValue(&kv, js, &cfg);
    int rc = 0;
    if (s != NATS_OK) {
        rc = js_fail("create bucket", s);
    } else {
        char d[FMT_DURATION_LEN];
        printf("Created Key-Value bucket %s (history %d, ttl %s)\n", a->pos[0],
               cfg.History,
               cfg.TTL > 0 ? fmt_duration(cfg.TTL, d) : "unlimited");
    }
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    return rc;
}

static int run_put(struct cli *c, const struct args *a)
{
    jsCtx *js = NULL;
    kvStore *kv = NULL;
    if (bind_bucket(c, a->pos[0], &js, &kv) != 0)
        return 1;
    uint64_t rev = 0;
    natsStatus s =
        kvStore_Put(&rev, kv, a->pos[1], a->pos[2], (int)strlen(a->pos[2]));
    int rc = 0;
    if (s != NATS_OK)
        rc = js_fail("put", s);
    else
        printf("%s\n", a->pos[2]);
    if (rc == 0)
        fprintf(stderr, "Stored %s > %s revision %llu\n", a->pos[0], a->pos[1],
                (unsigned long long)rev);
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    return rc;
}

static int run_get(struct cli *c, const struct args *a)
{
    jsCtx *js = NULL;
    kvStore *kv = NULL;
    if (bind_bucket(c, a->pos[0], &js, &kv) != 0)
        return 1;
    kvEntry *e = NULL;
    natsStatus s = kvStore_Get(&e, kv, a->pos[1]);
    int rc = 0;
    if (s == NATS_NOT_FOUND) {
        rc = cli_fail("key %s not found in bucket %s", a->pos[1], a->pos[0]);
    } else if (s != NATS_OK) {
        rc = js_fail("get", s);
    } else if (args_flag(a, "raw")) {
        print_body(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e));
    } else {
        char when[FMT_TIME_LEN];
        printf("%s > %s revision: %llu created @ %s\n\n", a->pos[0], a->pos[1],
               (unsigned long long)kvEntry_Revision(e),
               fmt_time(kvEntry_Created(e), 1, when));
        print_body(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e));
    }
    kvEntry_Destroy(e);
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    return rc;
}

static int run_del(struct cli *c, const struct args *a)
{
    jsCtx *js = NULL;
    kvStore *kv = NULL;
    if (bind_bucket(c, a->pos[0], &js, &kv) != 0)
        return 1;
    natsStatus s = kvStore_Delete(kv, a->pos[1]);
    int rc = 0;
    if (s != NATS_OK)
        rc = js_fail("delete", s);
    else
        printf("Deleted %s > %s\n", a->pos[0], a->pos[1]);
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    return rc;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int list_keys(struct cli *c, const char *bucket)
{
    jsCtx *js = NULL;
    kvStore *kv = NULL;
    if (bind_bucket(c, bucket, &js, &kv) != 0)
        return 1;
    kvKeysList list = {0};
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    wo.Timeout = c->timeout_ms;
    natsStatus s = kvStore_Keys(&list, kv, &wo);
    int rc = 0;
    if (s == NATS_NOT_FOUND || (s == NATS_OK && list.Count == 0)) {
        printf("No keys found in bucket %s\n", bucket);
    } else if (s != NATS_OK) {
        rc = js_fail("list keys", s);
    } else {
        qsort(list.Keys, (size_t)list.Count, sizeof(char *), cmp_str);
        for (int i = 0; i < list.Count; i++)
            printf("%s\n", list.Keys[i]);
    }
    kvKeysList_Destroy(&list);
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    return rc;
}

static int run_ls(struct cli *c, const struct args *a)
{
    if (a->n_pos == 1)
        return list_keys(c, a->pos[0]);
    char errmsg[BL_ERRMSG_SIZE];
    json_t *all = api_list_all(c, "STREAM.LIST", "streams", NULL, errmsg);
    if (all == NULL)
        return cli_fail("%s", errmsg);
    struct table t;
    table_init(&t, "Key-Value Buckets", 6, "Bucket", "Description", "Created",
               "Size", "Values", "Last Update");
    size_t i, n = 0;
    json_t *s;
    json_array_foreach(all, i, s)
    {
        json_t *cfg = json_object_get(s, "config");
        json_t *st = json_object_get(s, "state");
        const char *name = jstr(cfg, "name");
        if (strncmp(name, "KV_", 3) != 0)
            continue;
        n++;
        if (c->json)
            continue;
        char created[FMT_TIME_LEN] = "", size[FMT_SIZE_LEN], vals[FMT_SIZE_LEN],
             last[FMT_DURATION_LEN];
        int64_t ts;
        if (parse_rfc3339(jstr(s, "created"), &ts) == 0 && ts != INT64_MIN)
            fmt_time(ts, 0, created);
        if (jint(st, "last_seq") == 0)
            strcpy(last, "never");
        else
            fmt_since(jstr(st, "last_ts"), last);
        table_add_row(&t, name + 3, jstr(cfg, "description"), created,
                      fmt_size((uint64_t)jint(st, "bytes"), size),
                      fmt_count(jint(st, "messages"), vals), last);
    }
    if (c->json)
        cli_print_json(all);
    else if (n == 0)
        printf("No Key-Value buckets found\n");
    else
        table_print(&t, stdout);
    table_close(&t);
    json_decref(all);
    return 0;
}

static int run_rm(struct cli *c, const struct args *a)
{
    if (!args_flag(a, "force")) {
        char q[300];
        snprintf(q, sizeof q, "Really delete Key-Value bucket %s", a->pos[0]);
        if (!cli_is_tty())
            return cli_fail("%s: use -f to confirm without a terminal", q);
        if (!cli_confirm(q))
            return 1;
    }
    jsCtx *js = NULL;
    if (bind_bucket(c, NULL, &js, NULL) != 0)
        return 1;
    natsStatus s = js_DeleteKeyValue(js, a->pos[0]);
    int rc = s == NATS_OK ? 0 : js_fail("delete bucket", s);
    if (rc == 0)
        printf("Deleted Key-Value bucket %s\n", a->pos[0]);
    jsCtx_Destroy(js);
    return rc;
}

static const struct opt_spec add_opts[] = {
    {"history", 0, OPT_VALUE, "N", "values kept per key (default 1)"},
    {"ttl", 0, OPT_VALUE, "DURATION", "expire values after this long"},
    {"replicas", 0, OPT_VALUE, "N", "number of replicas"},
    {"storage", 0, OPT_VALUE, "file|memory", "storage backend"},
    {"max-value-size", 0, OPT_VALUE, "SIZE", "maximum value size"},
    {"max-bucket-size", 0, OPT_VALUE, "SIZE", "maximum bucket size"},
    {"description", 0, OPT_VALUE, "TEXT", "description"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec no_opts[] = {
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec get_opts[] = {
    {"raw", 'r', OPT_FLAG, NULL, "print only the value"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec rm_opts[] = {
    {"force", 'f', OPT_FLAG, NULL, "do not ask"},
    {NULL, 0, 0, NULL, NULL},
};

const struct command kv_commands[] = {
    {"kv", "add", "BUCKET", "create a key-value bucket", 1, 1, add_opts,
     run_add},
    {"kv", "put", "BUCKET KEY VALUE", "store a value", 3, 3, no_opts, run_put},
    {"kv", "get", "BUCKET KEY", "show a value", 2, 2, get_opts, run_get},
    {"kv", "del", "BUCKET KEY", "delete a key", 2, 2, no_opts, run_del},
    {"kv", "ls", "[BUCKET]", "list buckets, or the keys of BUCKET", 0, 1,
     no_opts, run_ls},
    {"kv", "rm", "BUCKET", "delete a bucket", 1, 1, rm_opts, run_rm},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
