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
    /* No JetStream: an empty object, as nats-server writes. */
    ck_assert(json_is_object(json_object_get(o, "jetstream")));
    ck_assert_int_eq(json_object_size(json_object_get(o, "jetstream")), 0);
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

/* With JetStream on, varz's "jetstream" holds its config and stats in
 * nats-server's shape; a disabled snapshot still renders {}. */
START_TEST(varz_jetstream_section)
{
    struct stats_varz v;
    struct render_extra x;
    struct stats_jsz z;
    sample_varz(&v);
    sample_extra(&x);
    sample_jsz(&z, false);
    x.jsz = &z;
    render_varz(&v, &x, &out);
    json_t *o = parse_out();
    json_t *js = json_object_get(o, "jetstream");
    ck_assert_int_eq(json_object_size(js), 2);
    json_t *cfg = json_object_get(js, "config");
    ck_assert_int_eq(get_int(cfg, "max_memory"), 1073741824);
    ck_assert_int_eq(get_int(cfg, "max_storage"), -1);
    ck_assert_str_eq(get_str(cfg, "store_dir"), "/var/lib/ballast/jetstream");
    ck_assert_int_eq(get_int(cfg, "sync_interval"), 120000000000ll);
    json_t *st = json_object_get(js, "stats");
    ck_assert_int_eq(get_int(st, "memory"), 22);
    ck_assert_int_eq(get_int(st, "storage"), 587);
    ck_assert_int_eq(get_int(st, "reserved_memory"), 0);
    ck_assert_int_eq(get_int(st, "reserved_storage"), 0);
    ck_assert_int_eq(get_int(st, "accounts"), 2);
    ck_assert_int_eq(get_int(st, "ha_assets"), 0);
    ck_assert_int_eq(get_int(json_object_get(st, "api"), "total"), 40);
    ck_assert_int_eq(get_int(json_object_get(st, "api"), "errors"), 3);
    /* Totals only: nothing per stream leaks into varz. */
    ck_assert_ptr_null(json_object_get(st, "streams"));
    json_decref(o);

    z.enabled = false;
    bl_buf_clear(&out);
    render_varz(&v, &x, &out);
    o = parse_out();
    ck_assert_int_eq(json_object_size(json_object_get(o, "jetstream")), 0);
    json_decref(o);
    stats_jsz_free(&z);
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

/* JetStream off, or no snapshot, is nats-server's disabled page: zeros,
 * "disabled": true and no details even when asked for. */
START_TEST(jsz_disabled_page)
{
    struct stats_jsz_query q;
    memset(&q, 0, sizeof(q));
    q.streams = q.accounts = q.config = true;
    struct stats_jsz z;
    sample_jsz(&z, true);
    z.enabled = false;
    for (int round = 0; round < 2; round++) {
        bl_buf_clear(&out);
        render_jsz(round == 0 ? NULL : &z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
        json_t *o = parse_out();
        ck_assert_str_eq(get_str(o, "server_id"), "NSAMPLE");
        ck_assert_str_eq(get_str(o, "now"), "2026-11-23T18:54:23.123456789Z");
        ck_assert(json_is_true(json_object_get(o, "disabled")));
        json_t *cfg = json_object_get(o, "config");
        ck_assert_int_eq(json_object_size(cfg), 2);
        ck_assert_int_eq(get_int(cfg, "max_memory"), 0);
        ck_assert_int_eq(get_int(cfg, "max_storage"), 0);
        static const char *const zeros[] = {
            "memory",   "storage",   "reserved_memory", "reserved_storage",
            "accounts", "ha_assets", "streams",         "consumers",
            "messages", "bytes"};
        for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
            ck_assert_int_eq(get_int(o, zeros[i]), 0);
        ck_assert_int_eq(get_int(json_object_get(o, "api"), "total"), 0);
        ck_assert_ptr_null(json_object_get(o, "account_details"));
        json_decref(o);
    }
    stats_jsz_free(&z);
}
END_TEST

/* Without details: config, usage and API counters, no account_details;
 * sync_always stands in for a zero sync interval. */
START_TEST(jsz_totals_without_details)
{
    struct stats_jsz_query q;
    memset(&q, 0, sizeof(q));
    struct stats_jsz z;
    sample_jsz(&z, false);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    json_t *o = parse_out();
    ck_assert_ptr_null(json_object_get(o, "disabled"));
    json_t *cfg = json_object_get(o, "config");
    ck_assert_int_eq(get_int(cfg, "max_memory"), 1073741824);
    ck_assert_int_eq(get_int(cfg, "max_storage"), -1);
    ck_assert_str_eq(get_str(cfg, "store_dir"), "/var/lib/ballast/jetstream");
    ck_assert_int_eq(get_int(cfg, "sync_interval"), 120000000000ll);
    ck_assert_ptr_null(json_object_get(cfg, "sync_always"));
    ck_assert_int_eq(get_int(o, "memory"), 22);
    ck_assert_int_eq(get_int(o, "storage"), 587);
    ck_assert_int_eq(get_int(o, "reserved_memory"), 0);
    ck_assert_int_eq(get_int(o, "reserved_storage"), 0);
    ck_assert_int_eq(get_int(o, "accounts"), 2);
    ck_assert_int_eq(get_int(o, "ha_assets"), 0);
    ck_assert_int_eq(get_int(json_object_get(o, "api"), "total"), 40);
    ck_assert_int_eq(get_int(json_object_get(o, "api"), "errors"), 3);
    ck_assert_int_eq(get_int(o, "streams"), 4);
    ck_assert_int_eq(get_int(o, "consumers"), 3);
    ck_assert_int_eq(get_int(o, "messages"), 8);
    ck_assert_int_eq(get_int(o, "bytes"), 609);
    /* The snapshot has details, but they were not asked for. */
    ck_assert_ptr_null(json_object_get(o, "account_details"));
    /* nats-server's key order. */
    ck_assert_ptr_nonnull(strstr(out.p, "\"now\""));
    ck_assert(strstr(out.p, "\"server_id\"") < strstr(out.p, "\"config\""));
    ck_assert(strstr(out.p, "\"api\"") < strstr(out.p, "\"streams\""));
    json_decref(o);

    z.sync_interval_ms = 0;
    bl_buf_clear(&out);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    o = parse_out();
    cfg = json_object_get(o, "config");
    ck_assert_ptr_null(json_object_get(cfg, "sync_interval"));
    ck_assert(json_is_true(json_object_get(cfg, "sync_always")));
    json_decref(o);
    stats_jsz_free(&z);
}
END_TEST

static json_t *find_named(json_t *a, const char *name)
{
    for (size_t i = 0; i < json_array_size(a); i++)
        if (strcmp(get_str(json_array_get(a, i), "name"), name) == 0)
            return json_array_get(a, i);
    ck_abort_msg("no %s", name);
    return NULL;
}

/* streams=true groups the streams by account, both sorted by name, each
 * account's bytes split by storage type, state fields as nats-server
 * writes them (zero counts omitted, zero times Go's zero). */
START_TEST(jsz_details_grouped_by_account)
{
    struct stats_jsz_query q;
    memset(&q, 0, sizeof(q));
    q.streams = q.accounts = true;
    struct stats_jsz z;
    sample_jsz(&z, true);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    json_t *o = parse_out();
    json_t *ad = json_object_get(o, "account_details");
    ck_assert_int_eq(json_array_size(ad), 2);

    json_t *g = json_array_get(ad, 0);
    ck_assert_str_eq(get_str(g, "name"), "$G");
    ck_assert_str_eq(get_str(g, "id"), "$G");
    ck_assert_int_eq(get_int(g, "memory"), 22);
    ck_assert_int_eq(get_int(g, "storage"), 500);
    ck_assert_int_eq(get_int(g, "reserved_memory"), 0);
    ck_assert_int_eq(get_int(g, "accounts"), 0);
    ck_assert_int_eq(get_int(g, "ha_assets"), 0);
    /* Two accounts: the server-wide API counters cannot be split. */
    ck_assert_int_eq(get_int(json_object_get(g, "api"), "total"), 0);
    json_t *sd = json_object_get(g, "stream_detail");
    ck_assert_int_eq(json_array_size(sd), 2);
    ck_assert_str_eq(get_str(json_array_get(sd, 0), "name"), "EVENTS");
    ck_assert_str_eq(get_str(json_array_get(sd, 1), "name"), "q\"uote\\d");

    json_t *ev = json_array_get(sd, 0);
    ck_assert_str_eq(get_str(ev, "created"), "2026-11-23T17:52:21.123456789Z");
    ck_assert_str_eq(get_str(json_object_get(ev, "cluster"), "leader"),
                     "NSAMPLE");
    /* config=false: not even EVENTS's unparsable one. */
    ck_assert_ptr_null(json_object_get(ev, "config"));
    json_t *st = json_object_get(ev, "state");
    ck_assert_int_eq(get_int(st, "messages"), 5);
    ck_assert_int_eq(get_int(st, "bytes"), 500);
    ck_assert_int_eq(get_int(st, "first_seq"), 5);
    ck_assert_str_eq(get_str(st, "first_ts"), "2026-11-23T17:52:22.123456789Z");
    ck_assert_int_eq(get_int(st, "last_seq"), 9);
    ck_assert_str_eq(get_str(st, "last_ts"), "2026-11-23T18:54:23.123456789Z");
    ck_assert_int_eq(get_int(st, "num_subjects"), 1);
    ck_assert_int_eq(get_int(st, "num_deleted"), 4);
    ck_assert_int_eq(get_int(st, "consumer_count"), 2);

    json_t *acme = json_array_get(ad, 1);
    ck_assert_str_eq(get_str(acme, "name"), "ACME");
    ck_assert_int_eq(get_int(acme, "memory"), 0);
    ck_assert_int_eq(get_int(acme, "storage"), 87);
    sd = json_object_get(acme, "stream_detail");
    ck_assert_int_eq(json_array_size(sd), 2);
    ck_assert_str_eq(get_str(json_array_get(sd, 0), "name"), "EMPTY");
    st = json_object_get(json_array_get(sd, 0), "state");
    ck_assert_int_eq(get_int(st, "messages"), 0);
    ck_assert_int_eq(get_int(st, "first_seq"), 0);
    ck_assert_str_eq(get_str(st, "first_ts"), "0001-01-01T00:00:00Z");
    ck_assert_str_eq(get_str(st, "last_ts"), "0001-01-01T00:00:00Z");
    ck_assert_ptr_null(json_object_get(st, "num_subjects"));
    ck_assert_ptr_null(json_object_get(st, "num_deleted"));
    ck_assert_int_eq(get_int(st, "consumer_count"), 0);
    st = json_object_get(find_named(sd, "ORDERS"), "state");
    ck_assert_int_eq(get_int(st, "consumer_count"), 1);
    json_decref(o);
    stats_jsz_free(&z);
}
END_TEST

/* config=true embeds each stream's config as JSON, not as a string; a
 * config that is not JSON is left out rather than breaking the page. */
START_TEST(jsz_config_is_embedded_json)
{
    struct stats_jsz_query q;
    memset(&q, 0, sizeof(q));
    q.streams = q.accounts = q.config = true;
    strcpy(q.account, "ACME");
    struct stats_jsz z;
    sample_jsz(&z, true);
    z.accounts = 1; /* one account: it owns the API counters */
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    json_t *o = parse_out();
    json_t *ad = json_object_get(o, "account_details");
    ck_assert_int_eq(json_array_size(ad), 1); /* acc=ACME */
    json_t *acme = json_array_get(ad, 0);
    ck_assert_int_eq(get_int(json_object_get(acme, "api"), "total"), 40);
    ck_assert_int_eq(get_int(json_object_get(acme, "api"), "errors"), 3);
    json_t *orders =
        find_named(json_object_get(acme, "stream_detail"), "ORDERS");
    json_t *cfg = json_object_get(orders, "config");
    ck_assert(json_is_object(cfg));
    ck_assert_str_eq(get_str(cfg, "name"), "ORDERS");
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(cfg, "subjects"), 0)),
        "orders.>");
    ck_assert_int_eq(get_int(cfg, "max_bytes"), -1);
    ck_assert(json_is_object(json_object_get(cfg, "placement")));
    /* Config comes between cluster and state, as in nats-server. */
    const char *p = strstr(out.p, "\"name\": \"ORDERS\",\n");
    ck_assert_ptr_nonnull(p);
    const char *c = strstr(p, "\"config\": {");
    ck_assert_ptr_nonnull(c);
    ck_assert(strstr(p, "\"cluster\"") < c);
    ck_assert(c < strstr(p, "\"state\""));
    ck_assert_ptr_null(json_object_get(
        find_named(json_object_get(acme, "stream_detail"), "EMPTY"), "config"));
    json_decref(o);

    /* EVENTS's config is not JSON; the quoted stream's has a uint64
     * beyond jansson's integers, which comes back as a real. */
    bl_free(z.stream_detail[3].config_json);
    z.stream_detail[3].config_json = bl_xstrdup(
        "{\"name\":\"q\",\"max_msgs_per_subject\":18446744073709551615}");
    strcpy(q.account, "$G");
    bl_buf_clear(&out);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    o = parse_out();
    json_t *g = json_array_get(json_object_get(o, "account_details"), 0);
    json_t *events = find_named(json_object_get(g, "stream_detail"), "EVENTS");
    ck_assert_ptr_null(json_object_get(events, "config"));
    ck_assert_ptr_nonnull(json_object_get(events, "state"));
    cfg = json_object_get(
        find_named(json_object_get(g, "stream_detail"), "q\"uote\\d"),
        "config");
    ck_assert_str_eq(get_str(cfg, "name"), "q");
    /* Printed with 15 significant digits: 1.84467440737096e19. */
    ck_assert_double_eq_tol(get_real(cfg, "max_msgs_per_subject"),
                            18446744073709551615.0, 1e5);
    json_decref(o);
    stats_jsz_free(&z);
}
END_TEST

/* accounts=true lists accounts without their streams; an unknown acc=
 * has no account_details at all (nats-server omits the empty list). */
START_TEST(jsz_accounts_without_streams)
{
    struct stats_jsz_query q;
    memset(&q, 0, sizeof(q));
    q.accounts = true;
    struct stats_jsz z;
    sample_jsz(&z, false);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    json_t *o = parse_out();
    json_t *ad = json_object_get(o, "account_details");
    ck_assert_int_eq(json_array_size(ad), 2);
    ck_assert_str_eq(get_str(json_array_get(ad, 1), "name"), "ACME");
    ck_assert_int_eq(get_int(json_array_get(ad, 1), "storage"), 87);
    ck_assert_ptr_null(json_object_get(json_array_get(ad, 0), "stream_detail"));
    ck_assert_ptr_null(json_object_get(json_array_get(ad, 1), "stream_detail"));
    json_decref(o);

    strcpy(q.account, "NOPE");
    bl_buf_clear(&out);
    render_jsz(&z, &q, "NSAMPLE", SAMPLE_NOW_NS, &out);
    o = parse_out();
    ck_assert_ptr_null(json_object_get(o, "account_details"));
    ck_assert_int_eq(get_int(o, "streams"), 4); /* totals stay server-wide */
    json_decref(o);
    stats_jsz_free(&z);
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

/* Every sample's family has HELP and TYPE before it, and counters, and
 * only counters, end in _total; at least `min_families` families. */
static void check_exposition(size_t min_families)
{
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
    ck_assert_uint_ge(n_families, min_families);
    ck_assert_uint_ge(n_samples, n_families);
    for (size_t i = 0; i < n_families; i++) {
        char help[96];
        snprintf(help, sizeof(help), "# HELP %s ", name_of[i]);
        ck_assert_msg(strstr(out.p, help) != NULL, "no HELP for %s",
                      name_of[i]);
    }
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
    ck_assert(has_line("ballast_jetstream_enabled 0"));
    /* No JetStream, no JetStream families. */
    ck_assert_ptr_null(strstr(out.p, "ballast_jetstream_streams"));
    ck_assert_ptr_null(strstr(out.p, "ballast_stream_"));
    check_exposition(15);
}
END_TEST

/* With JetStream on, /metrics adds the JetStream totals and a gauge per
 * stream labelled by account and stream, label values escaped. */
START_TEST(metrics_jetstream_families)
{
    struct stats_varz v;
    struct render_extra x;
    struct stats_jsz z;
    sample_varz(&v);
    sample_extra(&x);
    sample_jsz(&z, true);
    x.jsz = &z;
    render_metrics(&v, &x, &out);
    ck_assert(has_line("ballast_jetstream_enabled 1"));
    ck_assert(has_line("# TYPE ballast_jetstream_streams gauge"));
    ck_assert(has_line("ballast_jetstream_streams 4"));
    ck_assert(has_line("ballast_jetstream_consumers 3"));
    ck_assert(has_line("ballast_jetstream_messages 8"));
    ck_assert(has_line("ballast_jetstream_bytes 609"));
    ck_assert(has_line("ballast_jetstream_memory_bytes 22"));
    ck_assert(has_line("ballast_jetstream_storage_bytes 587"));
    ck_assert(has_line("# TYPE ballast_jetstream_api_requests_total counter"));
    ck_assert(has_line("ballast_jetstream_api_requests_total 40"));
    ck_assert(has_line("# TYPE ballast_jetstream_api_errors_total counter"));
    ck_assert(has_line("ballast_jetstream_api_errors_total 3"));
    ck_assert(has_line("# TYPE ballast_stream_messages gauge"));
    ck_assert(has_line(
        "ballast_stream_messages{account=\"ACME\",stream=\"ORDERS\"} 2"));
    ck_assert(
        has_line("ballast_stream_bytes{account=\"$G\",stream=\"EVENTS\"} 500"));
    ck_assert(has_line(
        "ballast_stream_consumers{account=\"$G\",stream=\"EVENTS\"} 2"));
    ck_assert(has_line(
        "ballast_stream_last_seq{account=\"$G\",stream=\"EVENTS\"} 9"));
    ck_assert(has_line("ballast_stream_last_seq{account=\"ACME\",stream="
                       "\"EMPTY\"} 0"));
    ck_assert(has_line("ballast_stream_messages{account=\"$G\",stream="
                       "\"q\\\"uote\\\\d\"} 1"));
    check_exposition(30);
    stats_jsz_free(&z);
}
END_TEST

/* Enabled without streams: the totals, and no empty per-stream
 * families. */
START_TEST(metrics_jetstream_without_streams)
{
    struct stats_varz v;
    struct render_extra x;
    struct stats_jsz z;
    sample_varz(&v);
    sample_extra(&x);
    sample_jsz(&z, false);
    stats_jsz_free(&z);
    x.jsz = &z;
    render_metrics(&v, &x, &out);
    ck_assert(has_line("ballast_jetstream_streams 4"));
    ck_assert_ptr_null(strstr(out.p, "ballast_stream_"));
    check_exposition(25);
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
    tcase_add_test(tc, varz_jetstream_section);
    suite_add_tcase(s, tc);

    tc = tcase_create("connz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, connz_lists_connections);
    tcase_add_test(tc, connz_closed_connection_has_stop_and_reason);
    tcase_add_test(tc, connz_survives_invalid_utf8);
    tcase_add_test(tc, connz_empty_is_empty_array);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, jsz_disabled_page);
    tcase_add_test(tc, jsz_totals_without_details);
    tcase_add_test(tc, jsz_details_grouped_by_account);
    tcase_add_test(tc, jsz_config_is_embedded_json);
    tcase_add_test(tc, jsz_accounts_without_streams);
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
    tcase_add_test(tc, metrics_jetstream_families);
    tcase_add_test(tc, metrics_jetstream_without_streams);
    suite_add_tcase(s, tc);
    return s;
}
