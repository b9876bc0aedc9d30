/* Stream commands: add, edit, info, ls, report, rm, purge, view, get. */
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ballast/buf.h"
#include "ballast/mem.h"
#include "cli.h"
#include "format.h"

#define NS_PER_S 1000000000LL

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

char *fmt_since(const char *ts, char *out)
{
    int64_t t;
    if (ts == NULL || *ts == '\0' || parse_rfc3339(ts, &t) != 0 ||
        t == INT64_MIN) {
        strcpy(out, "never");
        return out;
    }
    int64_t ago = now_ns() - t;
    if (ago < 0)
        ago = 0;
    return fmt_duration(ago / NS_PER_S * NS_PER_S, out);
}

static void fmt_created(json_t *obj, char *out)
{
    int64_t t;
    if (parse_rfc3339(jstr(obj, "created"), &t) == 0 && t != INT64_MIN)
        fmt_time(t, 0, out);
    else
        strcpy(out, "unknown");
}

static const char *capitalised(const char *s, char *buf, size_t cap)
{
    if (strcmp(s, "workqueue") == 0)
        return "WorkQueue";
    snprintf(buf, cap, "%s", s);
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
    return buf;
}

static const char *limit_count(json_int_t v, char *buf)
{
    if (v < 0)
        return "unlimited";
    return fmt_count(v, buf);
}

static const char *limit_size(json_int_t v, char *buf)
{
    if (v < 0)
        return "unlimited";
    return fmt_size((uint64_t)v, buf);
}

void cluster_section(struct kv_display *d, json_t *cluster)
{
    if (!json_is_object(cluster) || json_object_size(cluster) == 0)
        return;
    kv_display_section(d, "Cluster Information");
    if (*jstr(cluster, "name"))
        kv_display_add(d, "Name", "%s", jstr(cluster, "name"));
    kv_display_add(d, "Leader", "%s",
                   *jstr(cluster, "leader") ? jstr(cluster, "leader")
                                            : "(no leader)");
    json_t *replicas = json_object_get(cluster, "replicas");
    size_t i;
    json_t *r;
    json_array_foreach(replicas, i, r)
    {
        struct bl_buf line;
        bl_buf_init(&line);
        bl_buf_printf(&line, "%s, %s", jstr(r, "name"),
                      jbool(r, "current") ? "current" : "outdated");
        if (jbool(r, "offline"))
            bl_buf_append_str(&line, ", OFFLINE");
        char dur[FMT_DURATION_LEN];
        bl_buf_printf(&line, ", seen %s ago",
                      fmt_duration_short(jint(r, "active"), dur));
        if (jint(r, "lag") > 0) {
            char cnt[FMT_SIZE_LEN];
            bl_buf_printf(&line, ", %s operations behind",
                          fmt_count(jint(r, "lag"), cnt));
        }
        kv_display_add(d, "Replica", "%s", line.p);
        bl_buf_close(&line);
    }
}

char *cluster_replicas_text(json_t *cluster)
{
    struct bl_buf b;
    bl_buf_init(&b);
    bl_buf_append_str(&b, "");
    if (json_is_object(cluster)) {
        const char *leader = jstr(cluster, "leader");
        if (*leader)
            bl_buf_printf(&b, "%s*", leader);
        json_t *replicas = json_object_get(cluster, "replicas");
        size_t i;
        json_t *r;
        json_array_foreach(replicas, i, r)
        {
            bl_buf_printf(&b, "%s%s%s", b.len ? ", " : "", jstr(r, "name"),
                          jbool(r, "current") && !jbool(r, "offline") ? ""
                                                                      : "!");
        }
    }
    return bl_buf_steal(&b);
}

static void join_strings(json_t *arr, struct bl_buf *out)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        bl_buf_printf(out, "%s%s", i ? ", " : "",
                      json_is_string(v) ? json_string_value(v) : "?");
    }
}

void stream_print_info(json_t *info)
{
    json_t *cfg = json_object_get(info, "config");
    json_t *st = json_object_get(info, "state");
    char created[FMT_TIME_LEN], a[FMT_SIZE_LEN], b[FMT_DURATION_LEN], cap[64];
    fmt_created(info, created);
    printf("Information for Stream %s created %s\n", jstr(cfg, "name"),
           created);

    struct kv_display d;
    kv_display_init(&d);
    kv_display_section(&d, "Configuration");
    if (*jstr(cfg, "description"))
        kv_display_add(&d, "Description", "%s", jstr(cfg, "description"));
    json_t *subjects = json_object_get(cfg, "subjects");
    if (json_array_size(subjects) > 0) {
        struct bl_buf s;
        bl_buf_init(&s);
        join_strings(subjects, &s);
        kv_display_add(&d, "Subjects", "%s", s.p);
        bl_buf_close(&s);
    }
    kv_display_add(&d, "Replicas", "%lld",
                   (long long)(jint(cfg, "num_replicas") > 0
                                   ? jint(cfg, "num_replicas")
                                   : 1));
    kv_display_add(&d, "Storage", "%s",
                   capitalised(jstr(cfg, "storage"), cap, sizeof cap));
    if (jbool(cfg, "sealed"))
        kv_display_add(&d, "Sealed", "true");
    json_t *placement = json_object_get(cfg, "placement");
    if (*jstr(placement, "cluster"))
        kv_display_add(&d, "Placement Cluster", "%s",
                       jstr(placement, "cluster"));
    if (json_array_size(json_object_get(placement, "tags")) > 0) {
        struct bl_buf s;
        bl_buf_init(&s);
        join_strings(json_object_get(placement, "tags"), &s);
        kv_display_add(&d, "Placement Tags", "%s", s.p);
        bl_buf_close(&s);
    }
    json_t *mirror = json_object_get(cfg, "mirror");
    if (json_is_object(mirror))
        kv_display_add(&d, "Mirror", "%s", jstr(mirror, "name"));
    json_t *sources = json_object_get(cfg, "sources");
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src)
    {
        kv_display_add(&d, "Source", "%s", jstr(src, "name"));
    }
    kv_display_add(&d, "Retention", "%s",
                   capitalised(jstr(cfg, "retention"), cap, sizeof cap));
    kv_display_add(&d, "Acknowledgements", "%s",
                   jbool(cfg, "no_ack") ? "false" : "true");
    kv_display_add(&d, "Discard Policy", "%s",
                   capitalised(jstr(cfg, "discard"), cap, sizeof cap));
    kv_display_add(&d, "Duplicate Window", "%s",
                   fmt_duration(jint(cfg, "duplicate_window"), b));
    kv_display_add(&d, "Direct Get", "%s",
                   jbool(cfg, "allow_direct") ? "true" : "false");
    kv_display_add(&d, "Allows Msg Delete", "%s",
                   jbool(cfg, "deny_delete") ? "false" : "true");
    kv_display_add(&d, "Allows Purge", "%s",
                   jbool(cfg, "deny_purge") ? "false" : "true");
    kv_display_add(&d, "Allows Rollups", "%s",
                   jbool(cfg, "allow_rollup_hdrs") ? "true" : "false");
    kv_display_add(&d, "Maximum Messages", "%s",
                   limit_count(jint(cfg, "max_msgs"), a));
    kv_display_add(&d, "Maximum Per Subject", "%s",
                   limit_count(jint(cfg, "max_msgs_per_subject"), a));
    kv_display_add(&d, "Maximum Bytes", "%s",
                   limit_size(jint(cfg, "max_bytes"), a));
    kv_display_add(&d, "Maximum Age", "%s",
                   jint(cfg, "max_age") <= 0
                       ? "unlimited"
                       : fmt_duration(jint(cfg, "max_age"), b));
    kv_display_add(&d, "Maximum Message Size", "%s",
                   limit_size(jint(cfg, "max_msg_size"), a));
    kv_display_add(&d, "Maximum Consumers", "%s",
                   limit_count(jint(cfg, "max_consumers"), a));

    cluster_section(&d, json_object_get(info, "cluster"));

    kv_display_section(&d, "State");
    kv_display_add(&d, "Messages", "%s", fmt_count(jint(st, "messages"), a));
    kv_display_add(&d, "Bytes", "%s", fmt_size((uint64_t)jint(st, "bytes"), a));
    static const struct {
        const char *key, *seq, *ts;
    } seqs[] = {{"First Sequence", "first_seq", "first_ts"},
                {"Last Sequence", "last_seq", "last_ts"}};
    for (size_t k = 0; k < 2; k++) {
        int64_t t;
        char when[FMT_TIME_LEN];
        fmt_count(jint(st, seqs[k].seq), a);
        if (parse_rfc3339(jstr(st, seqs[k].ts), &t) == 0 && t != INT64_MIN)
            kv_display_add(&d, seqs[k].key, "%s @ %s", a, fmt_time(t, 1, when));
        else
            kv_display_add(&d, seqs[k].key, "%s", a);
    }
    if (jint(st, "num_deleted") > 0)
        kv_display_add(&d, "Deleted Messages", "%s",
                       fmt_count(jint(st, "num_deleted"), a));
    json_t *lost = json_object_get(st, "lost");
    if (json_is_object(lost)) {
        char lb[FMT_SIZE_LEN];
        kv_display_add(
            &d, "Lost Messages", "%s (%s)",
            fmt_count((int64_t)json_array_size(json_object_get(lost, "msgs")),
                      a),
            fmt_size((uint64_t)jint(lost, "bytes"), lb));
    }
    kv_display_add(&d, "Active Consumers", "%s",
                   fmt_count(jint(st, "consumer_count"), a));
    if (json_object_get(st, "num_subjects") != NULL)
        kv_display_add(&d, "Number of Subjects", "%s",
                       fmt_count(jint(st, "num_subjects"), a));
    kv_display_print(&d, stdout);
    kv_display_close(&d);
}

/* ---- configuration from flags ---- */

static int set_enum(json_t *cfg, const char *key, const char *flag,
                    const char *v, const char *const *allowed,
                    const char *const *canonical)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcasecmp(v, allowed[i]) == 0) {
            json_object_set_new(cfg, key, json_string(canonical[i]));
            return 0;
        }
    return cli_fail("invalid --%s '%s'", flag, v);
}

/* Applies the stream flags in `a` to `cfg`. Returns 0 or prints and
 * returns 1. */
static int apply_stream_flags(const struct args *a, json_t *cfg)
{
    const char *v;
    if ((v = args_get(a, "subjects")) != NULL) {
        json_t *arr = json_array();
        char *copy = bl_xstrdup(v), *save = NULL;
        for (char *t = strtok_r(copy, ", ", &save); t;
             t = strtok_r(NULL, ", ", &save))
            json_array_append_new(arr, json_string(t));
        bl_free(copy);
        json_object_set_new(cfg, "subjects", arr);
    }
    if ((v = args_get(a, "description")) != NULL)
        json_object_set_new(cfg, "description", json_string(v));
    if ((v = args_get(a, "storage")) != NULL) {
        static const char *const in[] = {"file", "memory", "mem", NULL};
        static const char *const out[] = {"file", "memory", "memory"};
        if (set_enum(cfg, "storage", "storage", v, in, out) != 0)
            return 1;
    }
    if ((v = args_get(a, "retention")) != NULL) {
        static const char *const in[] = {"limits",     "interest", "workqueue",
                                         "work_queue", "work",     NULL};
        static const char *const out[] = {"limits", "interest", "workqueue",
                                          "workqueue", "workqueue"};
        if (set_enum(cfg, "retention", "retention", v, in, out) != 0)
            return 1;
    }
    if ((v = args_get(a, "discard")) != NULL) {
        static const char *const in[] = {"old", "new", NULL};
        static const char *const out[] = {"old", "new"};
        if (set_enum(cfg, "discard", "discard", v, in, out) != 0)
            return 1;
    }
    static const struct {
        const char *flag, *key;
        int kind; /* 0 count, 1 size, 2 duration */
    } nums[] = {
        {"max-msgs", "max_msgs", 0},
        {"max-msgs-per-subject", "max_msgs_per_subject", 0},
        {"max-consumers", "max_consumers", 0},
        {"replicas", "num_replicas", 0},
        {"max-bytes", "max_bytes", 1},
        {"max-msg-size", "max_msg_size", 1},
        {"max-age", "max_age", 2},
        {"dupe-window", "duplicate_window", 2},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if ((v = args_get(a, nums[i].flag)) == NULL)
            continue;
        int64_t n;
        int rv;
        if (nums[i].kind == 0)
            rv = parse_count(v, &n);
        else if (nums[i].kind == 1)
            rv = parse_size(v, &n);
        else if (strcasecmp(v, "unlimited") == 0 || strcmp(v, "-1") == 0)
            rv = (n = 0, 0);
        else
            rv = parse_duration(v, &n);
        if (rv != 0)
            return cli_fail("invalid --%s '%s'", nums[i].flag, v);
        json_object_set_new(cfg, nums[i].key, json_integer(n));
    }
    static const struct {
        const char *flag, *key;
        int invert;
    } bools[] = {
        {"allow-rollup", "allow_rollup_hdrs", 0},
        {"deny-delete", "deny_delete", 0},
        {"deny-purge", "deny_purge", 0},
        {"allow-direct", "allow_direct", 0},
        {"ack", "no_ack", 1},
        {"sealed", "sealed", 0},
    };
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        int t = args_tristate(a, bools[i].flag);
        if (t >= 0)
            json_object_set_new(cfg, bools[i].key,
                                json_boolean(bools[i].invert ? !t : t));
    }
    return 0;
}

static json_t *load_json_file(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (j == NULL) {
        cli_fail("read %s: %s (line %d)", path, err.text, err.line);
        return NULL;
    }
    if (!json_is_object(j)) {
        cli_fail("read %s: not a JSON object", path);
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Sends a create or update and prints the resulting info. */
static int send_stream_config(struct cli *c, const char *api, json_t *cfg)
{
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "%s.%s", api, jstr(cfg, "name"));
    json_t *reply = NULL;
    if (api_request(c, subject, cfg, &reply, errmsg) != 0)
        return cli_fail("%s", errmsg);
    if (c->json) {
        cli_print_json(reply);
    } else {
        printf("Stream %s was %s\n\n", jstr(cfg, "name"),
               strcmp(api, "STREAM.CREATE") == 0 ? "created" : "updated");
        stream_print_info(reply);
    }
    json_decref(reply);
    return 0;
}

static int run_add(struct cli *c, const struct args *a)
{
    json_t *cfg;
    const char *file = args_get(a, "config");
    if (file != NULL) {
        if ((cfg = load_json_file(file)) == NULL)
            return 1;
    } else {
        cfg = json_object();
        /* The nats CLI's defaults, sent explicitly so every server starts
         * from the same configuration. */
        json_object_set_new(cfg, "retention", json_string("limits"));
        json_object_set_new(cfg, "storage", json_string("file"));
        json_object_set_new(cfg, "discard", json_string("old"));
        json_object_set_new(cfg, "max_msgs", json_integer(-1));
        json_object_set_new(cfg, "max_msgs_per_subject", json_integer(-1));
        json_object_set_new(cfg, "max_bytes", json_integer(-1));
        json_object_set_new(cfg, "max_age", json_integer(0));
        json_object_set_new(cfg, "max_msg_size", json_integer(-1));
        json_object_set_new(cfg, "max_consumers", json_integer(-1));
        json_object_set_new(cfg, "num_replicas", json_integer(1));
        json_object_set_new(cfg, "duplicate_window",
                            json_integer(120 * NS_PER_S));
    }
    if (a->n_pos > 0)
        json_object_set_new(cfg, "name", json_string(a->pos[0]));
    if (*jstr(cfg, "name") == '\0') {
        json_decref(cfg);
        return cli_fail("a stream name is required");
    }
    if (apply_stream_flags(a, cfg) != 0) {
        json_decref(cfg);
        return 1;
    }
    int rc = send_stream_config(c, "STREAM.CREATE", cfg);
    json_decref(cfg);
    return rc;
}

/* Fetches STREAM.INFO for `name` into *info; prints errors. */
static int get_info(struct cli *c, const char *name, json_t *body,
                    json_t **info)
{
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "STREAM.INFO.%s", name);
    if (api_request(c, subject, body, info, errmsg) != 0)
        return cli_fail("%s", errmsg);
    return 0;
}

static int run_edit(struct cli *c, const struct args *a)
{
    json_t *cfg;
    const char *file = args_get(a, "config");
    if (file != NULL) {
        if ((cfg = load_json_file(file)) == NULL)
            return 1;
    } else {
        json_t *info = NULL;
        if (get_info(c, a->pos[0], NULL, &info) != 0)
            return 1;
        cfg = json_deep_copy(json_object_get(info, "config"));
        json_decref(info);
    }
    json_object_set_new(cfg, "name", json_string(a->pos[0]));
    if (apply_stream_flags(a, cfg) != 0) {
        json_decref(cfg);
        return 1;
    }
    int rc = send_stream_config(c, "STREAM.UPDATE", cfg);
    json_decref(cfg);
    return rc;
}

static int run_info(struct cli *c, const struct args *a)
{
    json_t *info = NULL;
    if (get_info(c, a->pos[0], NULL, &info) != 0)
        return 1;
    if (c->json)
        cli_print_json(info);
    else
        stream_print_info(info);
    json_decref(info);
    return 0;
}

static int by_name(const void *x, const void *y)
{
    json_t *const *a = x, *const *b = y;
    return strcmp(jstr(json_object_get(*a, "config"), "name"),
                  jstr(json_object_get(*b, "config"), "name"));
}

/* Every StreamInfo, sorted by name; prints errors and returns NULL. */
static json_t *list_streams(struct cli *c, const char *subject_filter)
{
    char errmsg[BL_ERRMSG_SIZE];
    json_t *filter = NULL;
    if (subject_filter != NULL)
        filter = json_pack("{s:s}", "subject", subject_filter);
    json_t *all = api_list_all(c, "STREAM.LIST", "streams", filter, errmsg);
    json_decref(filter);
    if (all == NULL) {
        cli_fail("%s", errmsg);
        return NULL;
    }
    size_t n = json_array_size(all);
    json_t **items = bl_xcalloc(n ? n : 1, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(all, i));
    qsort(items, n, sizeof *items, by_name);
    json_array_clear(all);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, items[i]);
    bl_free(items);
    return all;
}

static int run_ls(struct cli *c, const struct args *a)
{
    json_t *all = list_streams(c, args_get(a, "subject"));
    if (all == NULL)
        return 1;
    size_t i;
    json_t *s;
    if (c->json) {
        cli_print_json(all);
    } else if (args_flag(a, "names")) {
        json_array_foreach(all, i, s)
        {
            printf("%s\n", jstr(json_object_get(s, "config"), "name"));
        }
    } else if (json_array_size(all) == 0) {
        printf("No Streams defined\n");
    } else {
        struct table t;
        table_init(&t, "Streams", 6, "Name", "Description", "Created",
                   "Messages", "Size", "Last Message");
        json_array_foreach(all, i, s)
        {
            json_t *cfg = json_object_get(s, "config");
            json_t *st = json_object_get(s, "state");
            char created[FMT_TIME_LEN], msgs[FMT_SIZE_LEN], size[FMT_SIZE_LEN],
                last[FMT_DURATION_LEN];
            fmt_created(s, created);
            if (jint(st, "last_seq") == 0)
                strcpy(last, "never");
            else
                fmt_since(jstr(st, "last_ts"), last);
            table_add_row(&t, jstr(cfg, "name"), jstr(cfg, "description"),
                          created, fmt_count(jint(st, "messages"), msgs),
                          fmt_size((uint64_t)jint(st, "bytes"), size), last);
        }
        table_print(&t, stdout);
        table_close(&t);
    }
    json_decref(all);
    return 0;
}

static int run_report(struct cli *c, const struct args *a)
{
    json_t *all = list_streams(c, NULL);
    if (all == NULL)
        return 1;
    if (c->json) {
        cli_print_json(all);
        json_decref(all);
        return 0;
    }
    if (json_array_size(all) == 0) {
        printf("No Streams defined\n");
        json_decref(all);
        return 0;
    }
    printf("Obtaining Stream stats\n\n");
    struct table t;
    table_init(&t, "Stream Report", 9, "Stream", "Storage", "Placement",
               "Consumers", "Messages", "Bytes", "Lost", "Deleted", "Replicas");
    size_t i;
    json_t *s;
    json_array_foreach(all, i, s)
    {
        json_t *cfg = json_object_get(s, "config");
        json_t *st = json_object_get(s, "state");
        json_t *placement = json_object_get(cfg, "placement");
        char storage[32], cons[FMT_SIZE_LEN], msgs[FMT_SIZE_LEN],
            bytes[FMT_SIZE_LEN], lost[FMT_SIZE_LEN], del[FMT_SIZE_LEN];
        struct bl_buf place;
        bl_buf_init(&place);
        bl_buf_append_str(&place, jstr(placement, "cluster"));
        json_t *tags = json_object_get(placement, "tags");
        if (json_array_size(tags) > 0) {
            if (place.len)
                bl_buf_append_str(&place, " ");
            join_strings(tags, &place);
        }
        json_t *lost_obj = json_object_get(st, "lost");
        fmt_count((int64_t)json_array_size(json_object_get(lost_obj, "msgs")),
                  lost);
        if (jint(lost_obj, "bytes") > 0) {
            char lb[FMT_SIZE_LEN];
            size_t l = strlen(lost);
            snprintf(lost + l, sizeof lost - l, " (%s)",
                     fmt_size((uint64_t)jint(lost_obj, "bytes"), lb));
        }
        char *replicas = cluster_replicas_text(json_object_get(s, "cluster"));
        table_add_row(
            &t, jstr(cfg, "name"),
            capitalised(jstr(cfg, "storage"), storage, sizeof storage), place.p,
            fmt_count(jint(st, "consumer_count"), cons),
            fmt_count(jint(st, "messages"), msgs),
            fmt_size((uint64_t)jint(st, "bytes"), bytes), lost,
            fmt_count(jint(st, "num_deleted"), del), replicas);
        bl_free(replicas);
        bl_buf_close(&place);
    }
    table_print(&t, stdout);
    table_close(&t);
    json_decref(all);
    return 0;
}

/* Asks before a destructive command unless -f was given; without a terminal
 * -f is required. Returns 0 to go on, 1 to stop. */
static int confirm(const struct args *a, const char *question)
{
    if (args_flag(a, "force"))
        return 0;
    if (!cli_is_tty())
        return cli_fail("%s: use -f to confirm without a terminal", question);
    if (!cli_confirm(question)) {
        printf("Cancelled\n");
        return 1;
    }
    return 0;
}

static int run_rm(struct cli *c, const struct args *a)
{
    char question[512], subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(question, sizeof question, "Really delete Stream %s", a->pos[0]);
    if (confirm(a, question) != 0)
        return 1;
    snprintf(subject, sizeof subject, "STREAM.DELETE.%s", a->pos[0]);
    json_t *reply = NULL;
    if (api_request(c, subject, NULL, &reply, errmsg) != 0)
        return cli_fail("%s", errmsg);
    if (c->json)
        cli_print_json(reply);
    else if (jbool(reply, "success"))
        printf("Stream %s deleted\n", a->pos[0]);
    int ok = jbool(reply, "success");
    json_decref(reply);
    return ok ? 0 : cli_fail("the server did not confirm the delete");
}

static int run_purge(struct cli *c, const struct args *a)
{
    char question[512], subject[512], errmsg[BL_ERRMSG_SIZE];
    json_t *req = json_object();
    const char *v;
    if ((v = args_get(a, "subject")) != NULL)
        json_object_set_new(req, "filter", json_string(v));
    static const char *const nums[] = {"seq", "keep"};
    for (size_t i = 0; i < 2; i++) {
        if ((v = args_get(a, nums[i])) == NULL)
            continue;
        int64_t n;
        if (parse_count(v, &n) != 0 || n < 0) {
            json_decref(req);
            return cli_fail("invalid --%s '%s'", nums[i], v);
        }
        json_object_set_new(req, nums[i], json_integer(n));
    }
    snprintf(question, sizeof question, "Really purge Stream %s", a->pos[0]);
    if (confirm(a, question) != 0) {
        json_decref(req);
        return 1;
    }
    snprintf(subject, sizeof subject, "STREAM.PURGE.%s", a->pos[0]);
    json_t *reply = NULL;
    int rv = api_request(c, subject, json_object_size(req) ? req : NULL, &reply,
                         errmsg);
    json_decref(req);
    if (rv != 0)
        return cli_fail("%s", errmsg);
    if (c->json) {
        cli_print_json(reply);
    } else {
        char n[FMT_SIZE_LEN];
        printf("Purged %s message%s from Stream %s\n",
               fmt_count(jint(reply, "purged"), n),
               jint(reply, "purged") == 1 ? "" : "s", a->pos[0]);
    }
    json_decref(reply);
    return 0;
}

/* Fetches one message by STREAM.MSG.GET with `req`; *msg is the reply (the
 * message is its "message" member). Returns 0, or BL_EINVAL with errmsg
 * (err_code in c->last_err_code) or another code. */
static int msg_get(struct cli *c, const char *stream, json_t *req,
                   json_t **reply, char *errmsg)
{
    char subject[512];
    snprintf(subject, sizeof subject, "STREAM.MSG.GET.%s", stream);
    return api_request(c, subject, req, reply, errmsg);
}

/* Prints a StoredMsg ("message" of a MSG.GET reply). `style` 0 is the
 * "stream get" layout, 1 the "stream view" one, 2 the body only. */
static int print_stored(const char *stream, json_t *m, int style)
{
    char *data = NULL, *hdrs = NULL;
    size_t data_len = 0, hdrs_len = 0;
    if (b64_decode(jstr(m, "data"), &data, &data_len) != 0)
        return cli_fail("message %lld: data is not base64",
                        (long long)jint(m, "seq"));
    if (*jstr(m, "hdrs") && b64_decode(jstr(m, "hdrs"), &hdrs, &hdrs_len)) {
        bl_free(data);
        return cli_fail("message %lld: headers are not base64",
                        (long long)jint(m, "seq"));
    }
    if (style == 2) {
        print_body(data, data_len);
        bl_free(data);
        bl_free(hdrs);
        return 0;
    }
    int64_t t;
    char when[FMT_TIME_LEN] = "unknown";
    if (parse_rfc3339(jstr(m, "time"), &t) == 0 && t != INT64_MIN)
        fmt_time(t, 1, when);
    if (style == 0)
        printf("Item: %s#%lld received %s on Subject %s\n\n", stream,
               (long long)jint(m, "seq"), when, jstr(m, "subject"));
    else
        printf("[%lld] Subject: %s Received: %s\n\n", (long long)jint(m, "seq"),
               jstr(m, "subject"), when);
    if (hdrs_len > 0) {
        if (style == 0)
            printf("Headers:\n\n");
        print_header_block(hdrs, hdrs_len, "  ");
        putchar('\n');
    }
    print_body(data, data_len);
    putchar('\n');
    bl_free(data);
    bl_free(hdrs);
    return 0;
}

static int run_get(struct cli *c, const struct args *a)
{
    const char *last_for = args_get(a, "last-for");
    json_t *req;
    if (last_for != NULL) {
        if (a->n_pos > 1)
            return cli_fail("give either SEQ or --last-for, not both");
        req = json_pack("{s:s}", "last_by_subj", last_for);
    } else {
        int64_t seq;
        if (a->n_pos < 2)
            return cli_fail("a sequence (or --last-for SUBJECT) is required");
        if (parse_count(a->pos[1], &seq) != 0 || seq <= 0)
            return cli_fail("invalid sequence '%s'", a->pos[1]);
        req = json_pack("{s:I}", "seq", (json_int_t)seq);
    }
    char errmsg[BL_ERRMSG_SIZE];
    json_t *reply = NULL;
    int rv = msg_get(c, a->pos[0], req, &reply, errmsg);
    json_decref(req);
    if (rv != 0)
        return cli_fail("%s", errmsg);
    if (c->json) {
        cli_print_json(reply);
        json_decref(reply);
        return 0;
    }
    rv = print_stored(a->pos[0], json_object_get(reply, "message"),
                      args_flag(a, "raw") ? 2 : 0);
    json_decref(reply);
    return rv;
}

static int run_view(struct cli *c, const struct args *a)
{
    int64_t count = 0, start = 0;
    const char *v;
    if ((v = args_get(a, "count")) != NULL &&
        (parse_count(v, &count) != 0 || count < 0))
        return cli_fail("invalid --count '%s'", v);
    if ((v = args_get(a, "start")) != NULL &&
        (parse_count(v, &start) != 0 || start < 0))
        return cli_fail("invalid --start '%s'", v);
    json_t *info = NULL;
    if (get_info(c, a->pos[0], NULL, &info) != 0)
        return 1;
    json_t *st = json_object_get(info, "state");
    int64_t first = jint(st, "first_seq"), last = jint(st, "last_seq");
    int64_t n_msgs = jint(st, "messages");
    json_decref(info);
    if (start > first)
        first = start;
    int style = args_flag(a, "raw") ? 2 : 1;
    int64_t shown = 0;
    int rc = 0;
    for (int64_t seq = first; n_msgs > 0 && seq <= last && seq > 0; seq++) {
        if (count > 0 && shown >= count)
            break;
        char errmsg[BL_ERRMSG_SIZE];
        json_t *req = json_pack("{s:I}", "seq", (json_int_t)seq);
        json_t *reply = NULL;
        int rv = msg_get(c, a->pos[0], req, &reply, errmsg);
        json_decref(req);
        if (rv != 0) {
            if (c->last_err_code == 10037)
                continue; /* deleted or expired since the info: skip */
            rc = cli_fail("%s", errmsg);
            break;
        }
        if (c->json)
            cli_print_json(reply);
        else
            rc = print_stored(a->pos[0], json_object_get(reply, "message"),
                              style);
        json_decref(reply);
        if (rc != 0)
            break;
        shown++;
    }
    if (rc == 0 && !c->json) {
        char ts[16];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%H:%M:%S", &tm);
        fprintf(stderr, "%s Reached apparent end of data\n", ts);
    }
    return rc;
}

#define STREAM_CONFIG_OPTS                                                     \
    {"subjects", 0, OPT_VALUE, "A,B", "subjects, comma separated"},            \
        {"description", 0, OPT_VALUE, "TEXT", "description"},                  \
        {"storage", 0, OPT_VALUE, "file|memory", "storage backend"},           \
        {"retention", 0, OPT_VALUE, "limits|interest|workqueue",               \
         "retention policy"},                                                  \
        {"max-msgs", 0, OPT_VALUE, "N", "maximum messages (-1: unlimited)"},   \
        {"max-bytes", 0, OPT_VALUE, "SIZE", "maximum bytes, e.g. 1GB"},        \
        {"max-age", 0, OPT_VALUE, "DURATION", "maximum age, e.g. 1h"},         \
        {"max-msg-size", 0, OPT_VALUE, "SIZE", "maximum message size"},        \
        {"max-msgs-per-subject", 0, OPT_VALUE, "N",                            \
         "maximum messages per subject"},                                      \
        {"max-consumers", 0, OPT_VALUE, "N", "maximum consumers"},             \
        {"discard", 0, OPT_VALUE, "old|new", "discard policy"},                \
        {"dupe-window", 0, OPT_VALUE, "DURATION",                              \
         "duplicate detection window, e.g. 2m"},                               \
        {"replicas", 0, OPT_VALUE, "N", "number of replicas"},                 \
        {"allow-rollup", 0, OPT_FLAG_NEG, NULL, "allow Nats-Rollup headers"},  \
        {"deny-delete", 0, OPT_FLAG_NEG, NULL, "refuse message deletes"},      \
        {"deny-purge", 0, OPT_FLAG_NEG, NULL, "refuse purges"},                \
        {"allow-direct", 0, OPT_FLAG_NEG, NULL, "allow direct get"},           \
        {"ack", 0, OPT_FLAG_NEG, NULL, "acknowledge publishes (default)"},     \
    {                                                                          \
        "config", 0, OPT_VALUE, "FILE", "read the configuration from JSON"     \
    }

static const struct opt_spec add_opts[] = {
    STREAM_CONFIG_OPTS,
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec edit_opts[] = {
    STREAM_CONFIG_OPTS,
    {"sealed", 0, OPT_FLAG, NULL, "seal the stream (irreversible)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec no_opts[] = {
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec ls_opts[] = {
    {"names", 'n', OPT_FLAG, NULL, "print only the names"},
    {"subject", 0, OPT_VALUE, "SUBJECT", "only streams holding SUBJECT"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec rm_opts[] = {
    {"force", 'f', OPT_FLAG, NULL, "do not ask"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec purge_opts[] = {
    {"subject", 0, OPT_VALUE, "SUBJECT", "purge only this subject"},
    {"seq", 0, OPT_VALUE, "N", "purge up to (not including) sequence N"},
    {"keep", 0, OPT_VALUE, "N", "keep the last N messages"},
    {"force", 'f', OPT_FLAG, NULL, "do not ask"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec get_opts[] = {
    {"last-for", 0, OPT_VALUE, "SUBJECT", "the last message on SUBJECT"},
    {"raw", 'r', OPT_FLAG, NULL, "print only the body"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec view_opts[] = {
    {"count", 0, OPT_VALUE, "N", "show at most N messages"},
    {"start", 0, OPT_VALUE, "SEQ", "start at sequence SEQ"},
    {"raw", 'r', OPT_FLAG, NULL, "print only the bodies"},
    {NULL, 0, 0, NULL, NULL},
};

const struct command stream_commands[] = {
    {"stream", "add", "NAME", "create a stream", 0, 1, add_opts, run_add},
    {"stream", "edit", "NAME", "change a stream's configuration", 1, 1,
     edit_opts, run_edit},
    {"stream", "info", "NAME", "show a stream's configuration and state", 1, 1,
     no_opts, run_info},
    {"stream", "ls", "", "list streams", 0, 0, ls_opts, run_ls},
    {"stream", "report", "", "report on every stream", 0, 0, no_opts,
     run_report},
    {"stream", "rm", "NAME", "delete a stream", 1, 1, rm_opts, run_rm},
    {"stream", "purge", "NAME", "remove messages from a stream", 1, 1,
     purge_opts, run_purge},
    {"stream", "get", "NAME [SEQ]", "show one message", 1, 2, get_opts,
     run_get},
    {"stream", "view", "NAME", "show the stream's messages", 1, 1, view_opts,
     run_view},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
