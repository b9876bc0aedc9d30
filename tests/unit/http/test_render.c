#include "http/render.h"

#include "ballast/buf.h"
#include "ballast/mem.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "suites.h"

static struct bl_buf out;

static void setup(void)
{
    bl_buf_init(&out);
}

static void teardown(void)
{
    bl_buf_close(&out);
}

/* Parses `out` as JSON, failing the test if it is not an object. */
static json_t *parse_out(void)
{
    json_error_t err;
    json_t *doc = json_loadb(out.p, out.len, 0, &err);
    ck_assert_msg(doc != NULL, "bad JSON (%s) in: %s", err.text, out.p);
    ck_assert(json_is_object(doc));
    return doc;
}

static json_int_t get_int(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
    return json_integer_value(v);
}

static const char *get_str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

static double get_real(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

static const struct {
    uint64_t ns;
    const char *want;
} go_durations[] = {
    {0, "0s"},
    {999, "999ns"},
    {1000, "1\xc2\xb5s"},
    {1500, "1.5\xc2\xb5s"},
    {566000, "566\xc2\xb5s"},
    {1043897, "1.043897ms"},
    {250000000, "250ms"},
    {1000000000, "1s"},
    {61500000000ull, "1m1.5s"},
    {3600000000000ull, "1h0m0s"},
    {3723500000000ull, "1h2m3.5s"},
    {90000000001ull, "1m30.000000001s"},
};

/* Durations print like Go's time.Duration.String(). */
START_TEST(go_duration_matches_go_format)
{
    char got[RENDER_DURATION_SIZE];
    render_go_duration(go_durations[_i].ns, got);
    ck_assert_str_eq(got, go_durations[_i].want);
}
END_TEST

#define S 1000000000ull
static const struct {
    uint64_t ns;
    const char *want;
} uptimes[] = {
    {0, "0s"},
    {59 * S + S / 2, "59s"},
    {123 * S, "2m3s"},
    {3600 * S, "1h0m0s"},
    {(3 * 86400 + 4 * 3600 + 5 * 60 + 6) * S, "3d4h5m6s"},
    {(365 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5) * S, "1y2d3h4m5s"},
};

/* Uptimes print whole seconds with days and years, like nats-server. */
START_TEST(uptime_matches_nats_format)
{
    char got[RENDER_DURATION_SIZE];
    render_uptime(uptimes[_i].ns, got);
    ck_assert_str_eq(got, uptimes[_i].want);
}
END_TEST

/* /varz carries identity, limits in nats-server's units and counters. */
START_TEST(varz_has_nats_fields_and_units)
{
    struct stats_varz v;
    struct render_extra x;
    sample_varz(&v);
    sample_extra(&x);
    strcpy(v.config_file, "/etc/ballast.conf");
    render_varz(&v, &x, &out);
    json_t *o = parse_out();

    ck_assert_str_eq(get_str(o, "server_id"), "NSAMPLE");
    ck_assert_str_eq(get_str(o, "server_name"), "node \"a\"\\1");
    ck_assert_str_eq(get_str(o, "version"), "0.1.0");
    ck_assert_int_eq(get_int(o, "proto"), 1);
    ck_assert_str_eq(get_str(o, "host"), "0.0.0.0");
    ck_assert_int_eq(get_int(o, "port"), 4222);
    ck_assert_int_eq(get_int(o, "max_connections"), 65536);
    ck_assert_int_eq(get_int(o, "ping_interval"), 120000000000ll);
    ck_assert_int_eq(get_int(o, "ping_max"), 2);
    ck_assert_str_eq(get_str(o, "http_host"), "127.0.0.1");
    ck_assert_int_eq(get_int(o, "http_port"), 8222);
    ck_assert(json_is_real(json_object_get(o, "auth_timeout")));
    ck_assert_double_eq(get_real(o, "auth_timeout"), 2.0);
    ck_assert_int_eq(get_int(o, "max_control_line"), 4096);
    ck_assert_int_eq(get_int(o, "max_payload"), 1048576);
    ck_assert_int_eq(get_int(o, "max_pending"), 67108864);
    ck_assert_int_eq(get_int(o, "write_deadline"), 10000000000ll);
    ck_assert_str_eq(get_str(o, "start"), "2026-11-23T17:52:20.123456789Z");
    ck_assert_str_eq(get_str(o, "now"), "2026-11-23T18:54:23.123456789Z");
    ck_assert_str_eq(get_str(o, "uptime"), "1h2m3s");
    ck_assert_int_eq(get_int(o, "mem"), 12345678);
    ck_assert_int_eq(get_int(o, "cores"), 2);
    ck_assert_double_eq(get_real(o, "cpu"), 12.5);
    ck_assert_int_eq(get_int(o, "connections"), 3);
    ck_assert_int_eq(get_int(o, "total_connections"), 17);
    ck_assert_int_eq(get_int(o, "routes"), 0);
    ck_assert_int_eq(get_int(o, "remotes"), 0);
    ck_assert_int_eq(get_int(o, "leafnodes"), 0);
    ck_assert_int_eq(get_int(o, "in_msgs"), 10);
    ck_assert_int_eq(get_int(o, "out_msgs"), 20);
    ck_assert_int_eq(get_int(o, "in_bytes"), 1000);
    ck_assert_int_eq(get_int(o, "out_bytes"), 2000);
    ck_assert_int_eq(get_int(o, "slow_consumers"), 1);
    ck_assert_int_eq(get_int(o, "subscriptions"), 42);
    ck_assert_str_eq(get_str(o, "config_file"), "/etc/ballast.conf");
    ck_assert_str_eq(get_str(o, "config_load_time"),
                     "2026-11-23T17:52:20.123456789Z");
    ck_assert(json_is_object(json_object_get(o, "cluster")));
    ck_assert(json_is_object(json_object_get(o, "jetstream")));
    /* auth_required is omitted when false, as nats-server does. */
    ck_assert_ptr_null(json_object_get(o, "auth_required"));

    json_t *reqs = json_object_get(o, "http_req_stats");
    ck_assert(json_is_object(reqs));
    ck_assert_int_eq(json_object_size(reqs), 2);
    ck_assert_int_eq(get_int(reqs, "/varz"), 3);
    ck_assert_int_eq(get_int(reqs, "/metrics"), 5);
    json_decref(o);
}
END_TEST

/* auth_required appears when set; config_file is omitted when empty. */
START_TEST(varz_optional_fields_follow_the_snapshot)
{
    struct stats_varz v;
    struct render_extra x;
    sample_varz(&v);
    sample_extra(&x);
    v.auth_required = true;
    x.n_reqs = 0;
    render_varz(&v, &x, &out);
    json_t *o = parse_out();
    ck_assert(json_is_true(json_object_get(o, "auth_required")));
    ck_assert_ptr_null(json_object_get(o, "config_file"));
    ck_assert_int_eq(json_object_size(json_object_get(o, "http_req_stats")), 0);
    json_decref(o);
}
END_TEST

static char *xstrdup_subject(const char *s)
{
    return bl_xstrdup(s);
}

/* /connz lists the page with per-connection times, counters and subs. */
START_TEST(connz_lists_connections)
{
    struct stats_conn conns[2];
    memset(conns, 0, sizeof(conns));
    conns[0].cid = 4;
    strcpy(conns[0].ip, "127.0.0.1");
    conns[0].port = 48924;
    strcpy(conns[0].name, "cli1");
    strcpy(conns[0].lang, "python");
    strcpy(conns[0].version, "0.1");
    strcpy(conns[0].username, "alice");
    strcpy(conns[0].account, "A");
    conns[0].start_wall_ns = SAMPLE_START_NS;
    conns[0].last_activity_wall_ns = SAMPLE_NOW_NS - 65 * S;
    conns[0].rtt_ns = 566000;
    conns[0].pending_bytes = 7;
    conns[0].in_msgs = 1;
    conns[0].out_msgs = 2;
    conns[0].in_bytes = 5;
    conns[0].out_bytes = 10;
    conns[0].n_subs = 2;
    char *subs[2] = {xstrdup_subject("foo"), xstrdup_subject("bar.>")};
    conns[0].subs = subs;
    conns[1].cid = 9;
    strcpy(conns[1].ip, "::1");
    conns[1].start_wall_ns = SAMPLE_START_NS;
    conns[1].last_activity_wall_ns = SAMPLE_START_NS;
    conns[1].n_subs = 3; /* counted but not listed */

    struct stats_connz z = {SAMPLE_NOW_NS, 12, 1, 2, false, 2, conns};
    render_connz(&z, "NSAMPLE", &out);
    json_t *o = parse_out();
    ck_assert_str_eq(get_str(o, "server_id"), "NSAMPLE");
    ck_assert_str_eq(get_str(o, "now"), "2026-11-23T18:54:23.123456789Z");
    ck_assert_int_eq(get_int(o, "num_connections"), 2);
    ck_assert_int_eq(get_int(o, "total"), 12);
    ck_assert_int_eq(get_int(o, "offset"), 1);
    ck_assert_int_eq(get_int(o, "limit"), 2);
    json_t *a = json_object_get(o, "connections");
    ck_assert(json_is_array(a));
    ck_assert_int_eq(json_array_size(a), 2);

    json_t *c = json_array_get(a, 0);
    ck_assert_int_eq(get_int(c, "cid"), 4);
    ck_assert_str_eq(get_str(c, "kind"), "Client");
    ck_assert_str_eq(get_str(c, "type"), "nats");
    ck_assert_str_eq(get_str(c, "ip"), "127.0.0.1");
    ck_assert_int_eq(get_int(c, "port"), 48924);
    ck_assert_str_eq(get_str(c, "start"), "2026-11-23T17:52:20.123456789Z");
    ck_assert_str_eq(get_str(c, "last_activity"),
                     "2026-11-23T18:53:18.123456789Z");
    ck_assert_str_eq(get_str(c, "rtt"), "566\xc2\xb5s");
    ck_assert_str_eq(get_str(c, "uptime"), "1h2m3s");
    ck_assert_str_eq(get_str(c, "idle"), "1m5s");
    ck_assert_int_eq(get_int(c, "pending_bytes"), 7);
    ck_assert_int_eq(get_int(c, "in_msgs"), 1);
    ck_assert_int_eq(get_int(c, "out_msgs"), 2);
    ck_assert_int_eq(get_int(c, "in_bytes"), 5);
    ck_assert_int_eq(get_int(c, "out_bytes"), 10);
    ck_assert_int_eq(get_int(c, "subscriptions"), 2);
    ck_assert_str_eq(get_str(c, "name"), "cli1");
    ck_assert_str_eq(get_str(c, "lang"), "python");
    ck_assert_str_eq(get_str(c, "version"), "0.1");
    ck_assert_str_eq(get_str(c, "authorized_user"), "alice");
    ck_assert_str_eq(get_str(c, "account"), "A");
    ck_assert_ptr_null(json_object_get(c, "stop"));
    ck_assert_ptr_null(json_object_get(c, "reason"));
    json_t *sl = json_object_get(c, "subscriptions_list");
    ck_assert_int_eq(json_array_size(sl), 2);
    ck_assert_str_eq(json_string_value(json_array_get(sl, 0)), "foo");
    ck_assert_str_eq(json_string_value(json_array_get(sl, 1)), "bar.>");

    c = json_array_get(a, 1);
    ck_assert_int_eq(get_int(c, "cid"), 9);
    ck_assert_int_eq(get_int(c, "subscriptions"), 3);
    /* Empty strings, zero rtt and unlisted subs are omitted. */
    ck_assert_ptr_null(json_object_get(c, "name"));
    ck_assert_ptr_null(json_object_get(c, "authorized_user"));
    ck_assert_ptr_null(json_object_get(c, "rtt"));
    ck_assert_ptr_null(json_object_get(c, "subscriptions_list"));
    ck_assert_str_eq(get_str(c, "idle"), "1h2m3s");
    json_decref(o);
    bl_free(subs[0]);
    bl_free(subs[1]);
}
END_TEST

/* A closed connection shows stop and reason; its uptime ends at stop. */
START_TEST(connz_closed_connection_has_stop_and_reason)
{
    struct stats_conn conn;
    memset(&conn, 0, sizeof(conn));
    conn.cid = 5;
    conn.start_wall_ns = SAMPLE_START_NS;
    conn.last_activity_wall_ns = SAMPLE_START_NS + 10 * S;
    conn.stop_wall_ns = SAMPLE_START_NS + 70 * S;
    strcpy(conn.reason, "Read Error");
    struct stats_connz z = {SAMPLE_NOW_NS, 1, 0, 1024, true, 1, &conn};
    render_connz(&z, "NSAMPLE", &out);
    json_t *o = parse_out();
    json_t *c = json_array_get(json_object_get(o, "connections"), 0);
    ck_assert_str_eq(get_str(c, "stop"), "2026-11-23T17:53:30.123456789Z");
    ck_assert_str_eq(get_str(c, "reason"), "Read Error");
    ck_assert_str_eq(get_str(c, "uptime"), "1m10s");
    ck_assert_str_eq(get_str(c, "idle"), "1m0s");
    json_decref(o);
}
END_TEST

/* A client name that is not UTF-8 still yields valid JSON. */
START_TEST(connz_survives_invalid_utf8)
{
    struct stats_conn conn;
    memset(&conn, 0, sizeof(conn));
    conn.cid = 1;
    strcpy(conn.name, "bad\xff\xfe");
    struct stats_connz z = {SAMPLE_NOW_NS, 1, 0, 1024, false, 1, &conn};
    render_connz(&z, "NSAMPLE", &out);
    json_t *o = parse_out();
    json_t *c = json_array_get(json_object_get(o, "connections"), 0);
    ck_assert_int_eq(get_int(c, "cid"), 1);
    json_decref(o);
}
END_TEST

/* An empty page is an empty array, not null. */
START_TEST(connz_empty_is_empty_array)
{
    struct stats_connz z = {SAMPLE_NOW_NS, 0, 0, 1024, false, 0, NULL};
    render_connz(&z, "NSAMPLE", &out);
    json_t *o = parse_out();
    ck_assert(json_is_array(json_object_get(o, "connections")));
    ck_assert_int_eq(json_array_size(json_object_get(o, "connections")), 0);
    ck_assert_int_eq(get_int(o, "num_connections"), 0);
    json_decref(o);
}
END_TEST

/* /subsz carries the index statistics under nats-server's names. */
START_TEST(subsz_has_nats_fields)
{
    struct stats_subz s = {43, 5, 44, 1, 9, 0.25, 3, 0.8};
    render_subsz(&s, "NSAMPLE", SAMPLE_NOW_NS, &out);
    json_t *o = parse_out();
    ck_assert_str_eq(get_str(o, "server_id"), "NSAMPLE");
    ck_assert_str_eq(get_str(o, "now"), "2026-11-23T18:54:23.123456789Z");
    ck_assert_int_eq(get_int(o, "num_subscriptions"), 43);
    ck_assert_int_eq(get_int(o, "num_cache"), 5);
    ck_assert_int_eq(get_int(o, "num_inserts"), 44);
    ck_assert_int_eq(get_int(o, "num_removes"), 1);
    ck_assert_int_eq(get_int(o, "num_matches"), 9);
    ck_assert_double_eq(get_real(o, "cache_hit_rate"), 0.25);
    ck_assert_int_eq(get_int(o, "max_fanout"), 3);
    ck_assert_double_eq(get_real(o, "avg_fanout"), 0.8);
    /* Reals print briefly: 0.8, not 0.80000000000000004. */
    ck_assert_ptr_nonnull(strstr(out.p, "\"avg_fanout\": 0.8\n"));
    json_decref(o);
}
END_TEST

/* /healthz is {"status":"ok"} or unavailable with the reason. */
START_TEST(healthz_ok_and_unavailable)
{
    render_healthz(NULL, &out);
    ck_assert_str_eq(out.p, "{\"status\":\"ok\"}");
    bl_buf_clear(&out);
    render_healthz("lame duck", &out);
    json_t *o = parse_out();
    ck_assert_str_eq(get_str(o, "status"), "unavailable");
    ck_assert_str_eq(get_str(o, "error"), "lame duck");
    json_decref(o);
}
END_TEST

/* Error bodies are JSON with the message escaped. */
START_TEST(error_is_json)
{
    render_error("no such endpoint: /a\"b", &out);
    json_t *o = parse_out();
    ck_assert_str_eq(get_str(o, "error"), "no such endpoint: /a\"b");
    json_decref(o);
}
END_TEST

/* The index links every endpoint relatively, escaping HTML. */
START_TEST(index_links_endpoints)
{
    const char *paths[] = {"/varz", "/connz"};
    render_index(paths, 2, "1.0<b>", &out);
    ck_assert_ptr_nonnull(strstr(out.p, "<a href=\"./varz\">/varz</a>"));
    ck_assert_ptr_nonnull(strstr(out.p, "<a href=\"./connz\">/connz</a>"));
    ck_assert_ptr_nonnull(strstr(out.p, "1.0&lt;b&gt;"));
}
END_TEST

static bool has_line(const char *line)
{
    size_t n = strlen(line);
    for (const char *p = out.p; p != NULL && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return true;
        p = nl != NULL ? nl + 1 : NULL;
    }
    return false;
}

/* /metrics has the expected samples, each family typed and documented. */
START_TEST(metrics_samples_and_families)
{
    struct stats_varz v;
    struct render_extra x;
    sample_varz(&v);
    sample_extra(&x);
    render_metrics(&v, &x, &out);

    ck_assert(has_line("# TYPE ballast_info gauge"));
    ck_assert(has_line("ballast_info{server_id=\"NSAMPLE\",server_name="
                       "\"node \\\"a\\\"\\\\1\",version=\"0.1.0\"} 1"));
    ck_assert(has_line("# TYPE ballast_connections gauge"));
    ck_assert(has_line("ballast_connections 3"));
    ck_assert(has_line("# TYPE ballast_connections_total counter"));
    ck_assert(has_line("ballast_connections_total 17"));
    ck_assert(has_line("ballast_subscriptions 42"));
    ck_assert(has_line("ballast_slow_consumers_total 1"));
    ck_assert(has_line("ballast_in_msgs_total 10"));
    ck_assert(has_line("ballast_out_msgs_total 20"));
    ck_assert(has_line("ballast_in_bytes_total 1000"));
    ck_assert(has_line("ballast_out_bytes_total 2000"));
    ck_assert(has_line("ballast_memory_bytes 12345678"));
    ck_assert(has_line("ballast_cpu_percent 12.50"));
    ck_assert(has_line("ballast_uptime_seconds 3723.000"));
    ck_assert(has_line("ballast_start_time_seconds 1795456340.123"));
    ck_assert(has_line("ballast_max_payload_bytes 1048576"));
    ck_assert(has_line("ballast_lame_duck 1"));
    ck_assert(has_line("ballast_http_requests_total{endpoint=\"/varz\"} 3"));

    /* Every sample's family has HELP and TYPE before it, and counters,
     * and only counters, end in _total. */
    char type_of[64][64];
    char name_of[64][64];
    size_t n_families = 0;
    size_t n_samples = 0;
    char *copy = bl_xstrdup(out.p);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char name[64], type[64];
        if (sscanf(line, "# TYPE %63s %63s", name, type) == 2) {
            ck_assert_uint_lt(n_families, 64);
            strcpy(name_of[n_families], name);
            strcpy(type_of[n_families], type);
            n_families++;
            bool total = strlen(name) > 6 &&
                         strcmp(name + strlen(name) - 6, "_total") == 0;
            ck_assert_msg(total == (strcmp(type, "counter") == 0), "%s %s",
                          name, type);
            continue;
        }
        if (strncmp(line, "# HELP ", 7) == 0) {
            ck_assert_msg(line[7] != '\0', "empty HELP");
            continue;
        }
        size_t len = strcspn(line, "{ ");
        ck_assert_uint_gt(n_families, 0);
        ck_assert_msg(strlen(name_of[n_families - 1]) == len &&
                          strncmp(line, name_of[n_families - 1], len) == 0,
                      "sample without its TYPE: %s", line);
        n_samples++;
    }
    bl_free(copy);
    ck_assert_uint_ge(n_families, 15);
    ck_assert_uint_ge(n_samples, n_families);
    for (size_t i = 0; i < n_families; i++) {
        char help[96];
        snprintf(help, sizeof(help), "# HELP %s ", name_of[i]);
        ck_assert_msg(strstr(out.p, help) != NULL, "no HELP for %s",
                      name_of[i]);
    }
}
END_TEST

Suite *render_suite(void)
{
    Suite *s = suite_create("http/render");
    TCase *tc = tcase_create("durations");
    tcase_add_loop_test(tc, go_duration_matches_go_format, 0,
                        sizeof(go_durations) / sizeof(go_durations[0]));
    tcase_add_loop_test(tc, uptime_matches_nats_format, 0,
                        sizeof(uptimes) / sizeof(uptimes[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("varz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, varz_has_nats_fields_and_units);
    tcase_add_test(tc, varz_optional_fields_follow_the_snapshot);
    suite_add_tcase(s, tc);

    tc = tcase_create("connz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, connz_lists_connections);
    tcase_add_test(tc, connz_closed_connection_has_stop_and_reason);
    tcase_add_test(tc, connz_survives_invalid_utf8);
    tcase_add_test(tc, connz_empty_is_empty_array);
    suite_add_tcase(s, tc);

    tc = tcase_create("small_pages");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, subsz_has_nats_fields);
    tcase_add_test(tc, healthz_ok_and_unavailable);
    tcase_add_test(tc, error_is_json);
    tcase_add_test(tc, index_links_endpoints);
    suite_add_tcase(s, tc);

    tc = tcase_create("metrics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, metrics_samples_and_families);
    suite_add_tcase(s, tc);
    return s;
}
