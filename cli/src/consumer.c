/* Consumer commands: add, info, ls, next, rm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ballast/buf.h"
#include "ballast/mem.h"
#include "cli.h"
#include "format.h"
#include "stream.h"

#define NS_PER_MS 1000000LL

static const char *title_case(const char *s, char *buf, size_t cap)
{
    /* "last_per_subject" -> "Last Per Subject" */
    size_t w = 0;
    int up = 1;
    for (const char *p = s; *p && w + 1 < cap; p++) {
        if (*p == '_') {
            buf[w++] = ' ';
            up = 1;
            continue;
        }
        buf[w++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        up = 0;
    }
    buf[w] = '\0';
    return buf;
}

static void fmt_seq_pair(json_t *pair, const char *when_label,
                         struct bl_buf *out)
{
    char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], ago[FMT_DURATION_LEN];
    bl_buf_printf(out, "Consumer sequence: %s Stream sequence: %s",
                  fmt_count(jint(pair, "consumer_seq"), a),
                  fmt_count(jint(pair, "stream_seq"), b));
    const char *la = jstr(pair, "last_active");
    if (*la) {
        fmt_since(la, ago);
        if (strcmp(ago, "never") != 0)
            bl_buf_printf(out, " %s: %s ago", when_label, ago);
    }
}

static void consumer_print_info(json_t *ci)
{
    json_t *cfg = json_object_get(ci, "config");
    char created[FMT_TIME_LEN] = "unknown", a[FMT_SIZE_LEN], b[FMT_SIZE_LEN],
         d[FMT_DURATION_LEN], t[64];
    int64_t ts;
    if (parse_rfc3339(jstr(ci, "created"), &ts) == 0 && ts != INT64_MIN)
        fmt_time(ts, 0, created);
    printf("Information for Consumer %s > %s created %s\n",
           jstr(ci, "stream_name"), jstr(ci, "name"), created);
    struct kv_display kd;
    kv_display_init(&kd);
    kv_display_section(&kd, "Configuration");
    kv_display_add(&kd, "Name", "%s", jstr(ci, "name"));
    if (*jstr(cfg, "durable_name"))
        kv_display_add(&kd, "Durable Name", "%s", jstr(cfg, "durable_name"));
    if (*jstr(cfg, "description"))
        kv_display_add(&kd, "Description", "%s", jstr(cfg, "description"));
    if (*jstr(cfg, "deliver_subject")) {
        kv_display_add(&kd, "Delivery Subject", "%s",
                       jstr(cfg, "deliver_subject"));
        if (*jstr(cfg, "deliver_group"))
            kv_display_add(&kd, "Deliver Queue Group", "%s",
                           jstr(cfg, "deliver_group"));
    } else {
        kv_display_add(&kd, "Pull Mode", "true");
    }
    if (*jstr(cfg, "filter_subject"))
        kv_display_add(&kd, "Filter Subject", "%s",
                       jstr(cfg, "filter_subject"));
    const char *dp = jstr(cfg, "deliver_policy");
    if (strcmp(dp, "by_start_sequence") == 0)
        kv_display_add(&kd, "Deliver Policy", "From Sequence %lld",
                       (long long)jint(cfg, "opt_start_seq"));
    else if (strcmp(dp, "by_start_time") == 0)
        kv_display_add(&kd, "Deliver Policy", "Since %s",
                       jstr(cfg, "opt_start_time"));
    else
        kv_display_add(&kd, "Deliver Policy", "%s",
                       title_case(dp, t, sizeof t));
    kv_display_add(&kd, "Ack Policy", "%s",
                   title_case(jstr(cfg, "ack_policy"), t, sizeof t));
    if (strcmp(jstr(cfg, "ack_policy"), "none") != 0)
        kv_display_add(&kd, "Ack Wait", "%s",
                       fmt_duration(jint(cfg, "ack_wait"), d));
    kv_display_add(&kd, "Replay Policy", "%s",
                   title_case(jstr(cfg, "replay_policy"), t, sizeof t));
    if (jint(cfg, "max_deliver") > 0)
        kv_display_add(&kd, "Maximum Deliveries", "%s",
                       fmt_count(jint(cfg, "max_deliver"), a));
    json_t *backoff = json_object_get(cfg, "backoff");
    if (json_array_size(backoff) > 0) {
        struct bl_buf s;
        bl_buf_init(&s);
        size_t i;
        json_t *v;
        json_array_foreach(backoff, i, v)
        {
            bl_buf_printf(&s, "%s%s", i ? ", " : "",
                          fmt_duration(json_integer_value(v), d));
        }
        kv_display_add(&kd, "Backoff", "%s", s.p);
        bl_buf_close(&s);
    }
    if (jint(cfg, "max_ack_pending") > 0)
        kv_display_add(&kd, "Max Ack Pending", "%s",
                       fmt_count(jint(cfg, "max_ack_pending"), a));
    if (jint(cfg, "max_waiting") > 0)
        kv_display_add(&kd, "Max Waiting Pulls", "%s",
                       fmt_count(jint(cfg, "max_waiting"), a));
    if (jint(cfg, "idle_heartbeat") > 0)
        kv_display_add(&kd, "Idle Heartbeat", "%s",
                       fmt_duration(jint(cfg, "idle_heartbeat"), d));
    if (jbool(cfg, "flow_control"))
        kv_display_add(&kd, "Flow Control", "true");
    if (jbool(cfg, "headers_only"))
        kv_display_add(&kd, "Headers Only", "true");
    if (jint(cfg, "inactive_threshold") > 0)
        kv_display_add(&kd, "Inactive Threshold", "%s",
                       fmt_duration(jint(cfg, "inactive_threshold"), d));

    cluster_section(&kd, json_object_get(ci, "cluster"));

    kv_display_section(&kd, "State");
    struct bl_buf line;
    bl_buf_init(&line);
    fmt_seq_pair(json_object_get(ci, "delivered"), "Last delivery", &line);
    kv_display_add(&kd, "Last Delivered Message", "%s", line.p);
    bl_buf_clear(&line);
    fmt_seq_pair(json_object_get(ci, "ack_floor"), "Last Ack", &line);
    kv_display_add(&kd, "Acknowledgment Floor", "%s", line.p);
    bl_buf_close(&line);
    if (jint(cfg, "max_ack_pending") > 0)
        kv_display_add(&kd, "Outstanding Acks", "%s out of maximum %s",
                       fmt_count(jint(ci, "num_ack_pending"), a),
                       fmt_count(jint(cfg, "max_ack_pending"), b));
    else
        kv_display_add(&kd, "Outstanding Acks", "%s",
                       fmt_count(jint(ci, "num_ack_pending"), a));
    kv_display_add(&kd, "Redelivered Messages", "%s",
                   fmt_count(jint(ci, "num_redelivered"), a));
    kv_display_add(&kd, "Unprocessed Messages", "%s",
                   fmt_count(jint(ci, "num_pending"), a));
    if (!*jstr(cfg, "deliver_subject")) {
        if (jint(cfg, "max_waiting") > 0)
            kv_display_add(&kd, "Waiting Pulls", "%s of maximum %s",
                           fmt_count(jint(ci, "num_waiting"), a),
                           fmt_count(jint(cfg, "max_waiting"), b));
        else
            kv_display_add(&kd, "Waiting Pulls", "%s",
                           fmt_count(jint(ci, "num_waiting"), a));
    } else {
        kv_display_add(&kd, "Active Interest", "%s",
                       jbool(ci, "push_bound") ? "Active" : "No interest");
    }
    kv_display_print(&kd, stdout);
    kv_display_close(&kd);
}

static int set_choice(json_t *cfg, const char *key, const char *flag,
                      const char *v, const char *const *in,
                      const char *const *out)
{
    for (size_t i = 0; in[i]; i++)
        if (strcasecmp(v, in[i]) == 0) {
            json_object_set_new(cfg, key, json_string(out[i]));
            return 0;
        }
    return cli_fail("invalid --%s '%s'", flag, v);
}

static int apply_consumer_flags(const struct args *a, json_t *cfg)
{
    const char *v;
    if ((v = args_get(a, "deliver")) != NULL)
        json_object_set_new(cfg, "deliver_subject", json_string(v));
    if (args_flag(a, "push") && args_get(a, "deliver") == NULL &&
        *jstr(cfg, "deliver_subject") == '\0')
        return cli_fail("a push consumer needs --deliver SUBJECT");
    if (args_flag(a, "pull")) {
        if (args_get(a, "deliver") != NULL)
            return cli_fail("--pull and --deliver exclude each other");
        json_object_del(cfg, "deliver_subject");
    }
    static const struct {
        const char *flag, *key;
    } strs[] = {{"deliver-group", "deliver_group"},
                {"filter", "filter_subject"},
                {"description", "description"}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if ((v = args_get(a, strs[i].flag)) != NULL)
            json_object_set_new(cfg, strs[i].key, json_string(v));
    if ((v = args_get(a, "ack")) != NULL) {
        static const char *const in[] = {"explicit", "all", "none", NULL};
        if (set_choice(cfg, "ack_policy", "ack", v, in, in) != 0)
            return 1;
    }
    if ((v = args_get(a, "replay")) != NULL) {
        static const char *const in[] = {"instant", "original", NULL};
        if (set_choice(cfg, "replay_policy", "replay", v, in, in) != 0)
            return 1;
    }
    if ((v = args_get(a, "deliver-policy")) != NULL) {
        static const char *const in[] = {"all",
                                         "last",
                                         "new",
                                         "last-per-subject",
                                         "last_per_subject",
                                         "by_start_sequence",
                                         "by_start_time",
                                         NULL};
        static const char *const out[] = {"all",
                                          "last",
                                          "new",
                                          "last_per_subject",
                                          "last_per_subject",
                                          "by_start_sequence",
                                          "by_start_time"};
        if (set_choice(cfg, "deliver_policy", "deliver-policy", v, in, out))
            return 1;
    }
    if ((v = args_get(a, "start-seq")) != NULL) {
        int64_t n;
        if (parse_count(v, &n) != 0 || n <= 0)
            return cli_fail("invalid --start-seq '%s'", v);
        json_object_set_new(cfg, "deliver_policy",
                            json_string("by_start_sequence"));
        json_object_set_new(cfg, "opt_start_seq", json_integer(n));
    }
    if ((v = args_get(a, "start-time")) != NULL) {
        int64_t t;
        if (parse_rfc3339(v, &t) != 0)
            return cli_fail("invalid --start-time '%s' (RFC 3339)", v);
        json_object_set_new(cfg, "deliver_policy",
                            json_string("by_start_time"));
        json_object_set_new(cfg, "opt_start_time", json_string(v));
    }
    static const struct {
        const char *flag, *key;
        int is_duration;
    } nums[] = {
        {"max-deliver", "max_deliver", 0},
        {"max-ack-pending", "max_ack_pending", 0},
        {"max-waiting", "max_waiting", 0},
        {"ack-wait", "ack_wait", 1},
        {"heartbeat", "idle_heartbeat", 1},
        {"inactive-threshold", "inactive_threshold", 1},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if ((v = args_get(a, nums[i].flag)) == NULL)
            continue;
        int64_t n;
        int rv =
            nums[i].is_duration ? parse_duration(v, &n) : parse_count(v, &n);
        if (rv != 0)
            return cli_fail("invalid --%s '%s'", nums[i].flag, v);
        json_object_set_new(cfg, nums[i].key, json_integer(n));
    }
    if ((v = args_get(a, "backoff")) != NULL) {
        json_t *arr = json_array();
        char *copy = bl_xstrdup(v), *save = NULL;
        for (char *t = strtok_r(copy, ", ", &save); t;
             t = strtok_r(NULL, ", ", &save)) {
            int64_t n;
            if (parse_duration(t, &n) != 0) {
                bl_free(copy);
                json_decref(arr);
                return cli_fail("invalid --backoff duration '%s'", t);
            }
            json_array_append_new(arr, json_integer(n));
        }
        bl_free(copy);
        json_object_set_new(cfg, "backoff", arr);
    }
    if (args_tristate(a, "flow-control") >= 0)
        json_object_set_new(cfg, "flow_control",
                            json_boolean(args_flag(a, "flow-control")));
    if (args_tristate(a, "headers-only") >= 0)
        json_object_set_new(cfg, "headers_only",
                            json_boolean(args_flag(a, "headers-only")));
    return 0;
}

static int run_add(struct cli *c, const struct args *a)
{
    const char *stream = a->pos[0], *name = a->pos[1];
    json_t *cfg;
    const char *file = args_get(a, "config");
    if (file != NULL) {
        json_error_t err;
        cfg = json_load_file(file, 0, &err);
        if (!json_is_object(cfg)) {
            json_decref(cfg);
            return cli_fail("read %s: %s", file,
                            cfg ? "not a JSON object" : err.text);
        }
    } else {
        cfg = json_pack("{s:s, s:s, s:s}", "deliver_policy", "all",
                        "ack_policy", "explicit", "replay_policy", "instant");
    }
    json_object_set_new(cfg, "durable_name", json_string(name));
    if (apply_consumer_flags(a, cfg) != 0) {
        json_decref(cfg);
        return 1;
    }
    json_t *req = json_pack("{s:s, s:o}", "stream_name", stream, "config", cfg);
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "CONSUMER.DURABLE.CREATE.%s.%s", stream,
             name);
    json_t *reply = NULL;
    int rv = api_request(c, subject, req, &reply, errmsg);
    json_decref(req);
    if (rv != 0)
        return cli_fail("%s", errmsg);
    if (c->json)
        cli_print_json(reply);
    else
        consumer_print_info(reply);
    json_decref(reply);
    return 0;
}

static int run_info(struct cli *c, const struct args *a)
{
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "CONSUMER.INFO.%s.%s", a->pos[0],
             a->pos[1]);
    json_t *reply = NULL;
    if (api_request(c, subject, NULL, &reply, errmsg) != 0)
        return cli_fail("%s", errmsg);
    if (c->json)
        cli_print_json(reply);
    else
        consumer_print_info(reply);
    json_decref(reply);
    return 0;
}

static int by_name(const void *x, const void *y)
{
    json_t *const *a = x, *const *b = y;
    return strcmp(jstr(*a, "name"), jstr(*b, "name"));
}

static int run_ls(struct cli *c, const struct args *a)
{
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "CONSUMER.LIST.%s", a->pos[0]);
    json_t *all = api_list_all(c, subject, "consumers", NULL, errmsg);
    if (all == NULL)
        return cli_fail("%s", errmsg);
    size_t n = json_array_size(all);
    json_t **items = bl_xcalloc(n ? n : 1, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = json_array_get(all, i);
    qsort(items, n, sizeof *items, by_name);
    if (c->json) {
        cli_print_json(all);
    } else if (args_flag(a, "names")) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", jstr(items[i], "name"));
    } else if (n == 0) {
        printf("No Consumers defined\n");
    } else {
        struct table t;
        char title[300];
        snprintf(title, sizeof title, "Consumers for Stream %s", a->pos[0]);
        table_init(&t, title, 6, "Name", "Description", "Created",
                   "Ack Pending", "Unprocessed", "Last Delivery");
        for (size_t i = 0; i < n; i++) {
            json_t *ci = items[i];
            char created[FMT_TIME_LEN] = "", ack[FMT_SIZE_LEN],
                 unp[FMT_SIZE_LEN], last[FMT_DURATION_LEN];
            int64_t ts;
            if (parse_rfc3339(jstr(ci, "created"), &ts) == 0 && ts != INT64_MIN)
                fmt_time(ts, 0, created);
            json_t *del = json_object_get(ci, "delivered");
            if (jint(del, "stream_seq") == 0)
                strcpy(last, "never");
            else
                fmt_since(jstr(del, "last_active"), last);
            table_add_row(&t, jstr(ci, "name"),
                          jstr(json_object_get(ci, "config"), "description"),
                          created, fmt_count(jint(ci, "num_ack_pending"), ack),
                          fmt_count(jint(ci, "num_pending"), unp), last);
        }
        table_print(&t, stdout);
        table_close(&t);
    }
    bl_free(items);
    json_decref(all);
    return 0;
}

static int run_rm(struct cli *c, const struct args *a)
{
    if (!args_flag(a, "force")) {
        char q[512];
        snprintf(q, sizeof q, "Really delete Consumer %s > %s", a->pos[0],
                 a->pos[1]);
        if (!cli_is_tty())
            return cli_fail("%s: use -f to confirm without a terminal", q);
        if (!cli_confirm(q))
            return 1;
    }
    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "CONSUMER.DELETE.%s.%s", a->pos[0],
             a->pos[1]);
    json_t *reply = NULL;
    if (api_request(c, subject, NULL, &reply, errmsg) != 0)
        return cli_fail("%s", errmsg);
    int ok = jbool(reply, "success");
    if (c->json)
        cli_print_json(reply);
    else if (ok)
        printf("Consumer %s > %s deleted\n", a->pos[0], a->pos[1]);
    json_decref(reply);
    return ok ? 0 : cli_fail("the server did not confirm the delete");
}

/* Splits a $JS.ACK reply subject into its metadata: v1 has 9 tokens
 * ($JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>),
 * v2 adds domain and account hash after ACK (and maybe a random token). */
static int parse_ack_subject(const char *reply, uint64_t v[5])
{
    char *copy = bl_xstrdup(reply), *save = NULL, *tok[16];
    int n = 0;
    for (char *t = strtok_r(copy, ".", &save); t && n < 16;
         t = strtok_r(NULL, ".", &save))
        tok[n++] = t;
    int first = n == 9 ? 4 : (n >= 11 ? 6 : -1);
    int ok =
        first > 0 && strcmp(tok[0], "$JS") == 0 && strcmp(tok[1], "ACK") == 0;
    for (int i = 0; ok && i < 5; i++)
        v[i] = strtoull(tok[first + i], NULL, 10);
    bl_free(copy);
    return ok ? 0 : BL_EINVAL;
}

static int run_next(struct cli *c, const struct args *a)
{
    int64_t count = 1;
    const char *v = args_get(a, "count");
    if (v != NULL && (parse_count(v, &count) != 0 || count <= 0))
        return cli_fail("invalid --count '%s'", v);
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    char subject[512];
    snprintf(subject, sizeof subject, "%sCONSUMER.MSG.NEXT.%s.%s", CLI_JS_API,
             a->pos[0], a->pos[1]);
    /* Ask the server to expire the pull a little before our own timeout, so
     * an empty consumer answers 408 rather than leaving us to guess. */
    int64_t expires_ns = (c->timeout_ms - c->timeout_ms / 10) * NS_PER_MS;
    char body[128];
    snprintf(body, sizeof body, "{\"batch\":1,\"expires\":%lld}",
             (long long)expires_ns);
    int no_ack = args_flag(a, "no-ack"), raw = args_flag(a, "raw");
    for (int64_t i = 0; i < count; i++) {
        natsMsg *m = NULL;
        natsStatus s =
            natsConnection_RequestString(&m, nc, subject, body, c->timeout_ms);
        if (s == NATS_NO_RESPONDERS)
            return cli_fail("no responders on %s: is JetStream enabled?",
                            subject);
        if (s == NATS_TIMEOUT)
            return cli_fail("no message received within %lldms",
                            (long long)c->timeout_ms);
        if (s != NATS_OK)
            return cli_fail("pull from %s > %s: %s", a->pos[0], a->pos[1],
                            natsStatus_GetText(s));
        const char *status = NULL, *desc = NULL;
        if (natsMsgHeader_Get(m, "Status", &status) == NATS_OK &&
            status != NULL && natsMsg_GetDataLength(m) == 0) {
            natsMsgHeader_Get(m, "Description", &desc);
            int rc = cli_fail("%s %s%s", status, desc ? desc : "",
                              strcmp(status, "404") == 0 ||
                                      strcmp(status, "408") == 0
                                  ? " (no messages available)"
                                  : "");
            natsMsg_Destroy(m);
            return rc;
        }
        const char *reply = natsMsg_GetReply(m);
        uint64_t meta[5] = {0};
        if (raw) {
            print_body(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
        } else {
            char ts[16];
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            strftime(ts, sizeof ts, "%H:%M:%S", &tm);
            if (reply && parse_ack_subject(reply, meta) == 0)
                printf("[%s] subj: %s / tries: %llu / cons seq: %llu / str "
                       "seq: %llu / pending: %llu\n\n",
                       ts, natsMsg_GetSubject(m), (unsigned long long)meta[0],
                       (unsigned long long)meta[2], (unsigned long long)meta[1],
                       (unsigned long long)meta[4]);
            else
                printf("[%s] subj: %s\n\n", ts, natsMsg_GetSubject(m));
            const char **keys = NULL;
            int n_keys = 0;
            if (natsMsgHeader_Keys(m, &keys, &n_keys) == NATS_OK &&
                n_keys > 0) {
                print_msg_headers(m, "  ");
                putchar('\n');
            }
            free((void *)keys);
            print_body(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
            putchar('\n');
        }
        if (!no_ack && reply && strncmp(reply, "$JS.ACK.", 8) == 0) {
            s = natsConnection_PublishString(nc, reply, "+ACK");
            if (s == NATS_OK)
                s = natsConnection_FlushTimeout(nc, c->timeout_ms);
            if (s != NATS_OK) {
                natsMsg_Destroy(m);
                return cli_fail("acknowledge: %s", natsStatus_GetText(s));
            }
            if (!raw)
                printf("Acknowledged message\n\n");
        }
        natsMsg_Destroy(m);
        fflush(stdout);
    }
    return 0;
}

static const struct opt_spec add_opts[] = {
    {"pull", 0, OPT_FLAG, NULL, "a pull consumer (the default)"},
    {"push", 0, OPT_FLAG, NULL, "a push consumer (needs --deliver)"},
    {"deliver", 0, OPT_VALUE, "SUBJECT", "push delivery subject"},
    {"deliver-group", 0, OPT_VALUE, "GROUP", "push delivery queue group"},
    {"filter", 0, OPT_VALUE, "SUBJECT", "only messages on SUBJECT"},
    {"description", 0, OPT_VALUE, "TEXT", "description"},
    {"ack", 0, OPT_VALUE, "explicit|all|none", "ack policy"},
    {"deliver-policy", 0, OPT_VALUE, "all|last|new|last-per-subject",
     "where to start"},
    {"start-seq", 0, OPT_VALUE, "SEQ", "start at stream sequence SEQ"},
    {"start-time", 0, OPT_VALUE, "RFC3339", "start at this time"},
    {"replay", 0, OPT_VALUE, "instant|original", "replay policy"},
    {"max-deliver", 0, OPT_VALUE, "N", "maximum deliveries per message"},
    {"ack-wait", 0, OPT_VALUE, "DURATION", "redeliver after this long"},
    {"max-ack-pending", 0, OPT_VALUE, "N", "maximum unacknowledged"},
    {"max-waiting", 0, OPT_VALUE, "N", "maximum waiting pulls"},
    {"backoff", 0, OPT_VALUE, "D1,D2", "redelivery backoff durations"},
    {"heartbeat", 0, OPT_VALUE, "DURATION", "idle heartbeat (push)"},
    {"flow-control", 0, OPT_FLAG_NEG, NULL, "flow control (push)"},
    {"headers-only", 0, OPT_FLAG_NEG, NULL, "deliver headers only"},
    {"inactive-threshold", 0, OPT_VALUE, "DURATION",
     "remove when inactive this long"},
    {"config", 0, OPT_VALUE, "FILE", "read the configuration from JSON"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec no_opts[] = {
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec ls_opts[] = {
    {"names", 'n', OPT_FLAG, NULL, "print only the names"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec rm_opts[] = {
    {"force", 'f', OPT_FLAG, NULL, "do not ask"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec next_opts[] = {
    {"count", 0, OPT_VALUE, "N", "fetch N messages"},
    {"no-ack", 0, OPT_FLAG, NULL, "do not acknowledge"},
    {"raw", 'r', OPT_FLAG, NULL, "print only the bodies"},
    {NULL, 0, 0, NULL, NULL},
};

const struct command consumer_commands[] = {
    {"consumer", "add", "STREAM NAME", "create a durable consumer", 2, 2,
     add_opts, run_add},
    {"consumer", "info", "STREAM NAME", "show a consumer", 2, 2, no_opts,
     run_info},
    {"consumer", "ls", "STREAM", "list a stream's consumers", 1, 1, ls_opts,
     run_ls},
    {"consumer", "next", "STREAM NAME", "pull and print messages", 2, 2,
     next_opts, run_next},
    {"consumer", "rm", "STREAM NAME", "delete a consumer", 2, 2, rm_opts,
     run_rm},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
