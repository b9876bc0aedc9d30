/* Monitoring endpoints on the -m port: /varz counters follow the traffic,
 * /healthz says ok, /connz lists named connections, and (ballastd only)
 * /metrics is valid Prometheus text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static struct harness_server srv;

static natsConnection *connect_named(const char *name)
{
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("name", natsOptions_SetName(o, name));
    natsConnection *nc = harness_connect(&srv, o);
    natsOptions_Destroy(o);
    return nc;
}

static json_int_t varz_int(const char *key)
{
    json_t *varz = harness_http_json(srv.http_port, "/varz");
    json_int_t v = harness_json_int(varz, key);
    json_decref(varz);
    return v;
}

/* /varz names the server as INFO does, counts our one connection, and its
 * in/out message and byte counters grow by exactly what we sent. */
START_TEST(varz_reflects_traffic)
{
    enum { N = 25 };
    harness_server_start(&srv, 1, NULL);
    natsConnection *nc = connect_named("integ-varz");
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, nc, "v"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    json_t *varz = harness_http_json(srv.http_port, "/varz");
    char id[128];
    HARNESS_NATS_OK("server id",
                    natsConnection_GetConnectedServerId(nc, id, sizeof(id)));
    json_t *sid = json_object_get(varz, "server_id");
    ck_assert_msg(json_is_string(sid), "server_id missing");
    ck_assert_str_eq(json_string_value(sid), id);
    ck_assert_int_eq(harness_json_int(varz, "connections"), 1);
    json_int_t in_msgs = harness_json_int(varz, "in_msgs");
    json_int_t out_msgs = harness_json_int(varz, "out_msgs");
    json_int_t in_bytes = harness_json_int(varz, "in_bytes");
    json_decref(varz);

    for (int i = 0; i < N; i++)
        HARNESS_NATS_OK("publish",
                        natsConnection_PublishString(nc, "v", "hello"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    for (int i = 0; i < N; i++)
        harness_expect_msg(sub, "v", "hello", 5000);

    /* Counters may be folded in just after the messages went out. */
    int64_t deadline = harness_now_ms() + 5000;
    while ((varz_int("in_msgs") < in_msgs + N ||
            varz_int("out_msgs") < out_msgs + N) &&
           harness_now_ms() < deadline)
        harness_sleep_ms(20);
    varz = harness_http_json(srv.http_port, "/varz");
    ck_assert_int_eq(harness_json_int(varz, "in_msgs") - in_msgs, N);
    ck_assert_int_eq(harness_json_int(varz, "out_msgs") - out_msgs, N);
    ck_assert_int_eq(harness_json_int(varz, "in_bytes") - in_bytes, N * 5);
    json_decref(varz);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* /healthz answers 200 with {"status":"ok"}. */
START_TEST(healthz_is_ok)
{
    harness_server_start(&srv, 1, NULL);
    json_t *h = harness_http_json(srv.http_port, "/healthz");
    json_t *status = json_object_get(h, "status");
    ck_assert_msg(json_is_string(status), "status missing");
    ck_assert_str_eq(json_string_value(status), "ok");
    json_decref(h);
}
END_TEST

/* Returns the /connz entry named `name`, or NULL (json_decref() `connz`
 * after use; the entry is borrowed from it). */
static json_t *find_conn(json_t *connz, const char *name)
{
    json_t *conns = json_object_get(connz, "connections");
    ck_assert_msg(json_is_array(conns), "connections is not an array");
    size_t i;
    json_t *c;
    json_array_foreach(conns, i, c)
    {
        json_t *n = json_object_get(c, "name");
        if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
            return c;
    }
    return NULL;
}

/* /connz lists each connection with the name it gave in CONNECT and its
 * subscription count, and drops it once it is gone. */
START_TEST(connz_lists_named_connections)
{
    harness_server_start(&srv, 1, NULL);
    natsConnection *a = connect_named("integ-a");
    natsConnection *b = connect_named("integ-b");
    natsSubscription *s1 = NULL, *s2 = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&s1, b, "x"));
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&s2, b, "y"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(b, 5000));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(a, 5000));

    json_t *connz = harness_http_json(srv.http_port, "/connz");
    ck_assert_int_eq(harness_json_int(connz, "num_connections"), 2);
    json_t *ca = find_conn(connz, "integ-a");
    json_t *cb = find_conn(connz, "integ-b");
    ck_assert_msg(ca != NULL && cb != NULL, "named connections not listed");
    ck_assert_int_eq(harness_json_int(ca, "subscriptions"), 0);
    ck_assert_int_eq(harness_json_int(cb, "subscriptions"), 2);
    json_decref(connz);

    natsSubscription_Destroy(s2);
    natsSubscription_Destroy(s1);
    natsConnection_Destroy(b);
    int64_t deadline = harness_now_ms() + 5000;
    int gone = 0;
    while (!gone && harness_now_ms() < deadline) {
        connz = harness_http_json(srv.http_port, "/connz");
        gone = find_conn(connz, "integ-b") == NULL &&
               find_conn(connz, "integ-a") != NULL;
        json_decref(connz);
        if (!gone)
            harness_sleep_ms(20);
    }
    ck_assert_msg(gone, "closed connection still listed");
    natsConnection_Destroy(a);
}
END_TEST

/* /metrics is 200 text that `promtool check metrics` accepts (ballastd
 * only: nats-server has no /metrics). */
START_TEST(metrics_pass_promtool)
{
    harness_server_start(&srv, 1, NULL);
    natsConnection *nc = connect_named("integ-metrics");
    HARNESS_NATS_OK("publish", natsConnection_PublishString(nc, "m", "x"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    struct bl_buf body;
    bl_buf_init(&body);
    char ctype[128] = "";
    long status = harness_http_get(srv.http_port, "/metrics", &body, ctype);
    ck_assert_int_eq(status, 200);
    ck_assert_msg(body.len > 0, "empty /metrics");
    ck_assert_msg(strncmp(ctype, "text/plain", 10) == 0, "Content-Type %s",
                  ctype);
    char *in = harness_write_file("metrics.txt", body.p);
    bl_buf_close(&body);

    const char *promtool = getenv("BALLAST_TEST_PROMTOOL");
    if (promtool == NULL || promtool[0] == '\0')
        promtool = "promtool";
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "'%s' check metrics < '%s' > '%s/promtool.out' 2>&1", promtool, in,
             harness_dir());
    int rc = system(cmd);
    struct bl_buf out;
    bl_buf_init(&out);
    char path[1024];
    snprintf(path, sizeof(path), "%s/promtool.out", harness_dir());
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        char chunk[1024];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            bl_buf_append(&out, chunk, n);
        fclose(f);
    }
    ck_assert_msg(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
                  "promtool check metrics failed (status %d):\n%s", rc,
                  out.p ? out.p : "");
    bl_buf_close(&out);
    free(in);
    natsConnection_Destroy(nc);
}
END_TEST

static Suite *monitor_suite(void)
{
    Suite *s = suite_create("integration/monitor");
    HARNESS_ADD(s, varz_reflects_traffic, 30);
    HARNESS_ADD(s, healthz_is_ok, 30);
    HARNESS_ADD(s, connz_lists_named_connections, 30);
    harness_add_ballast_only(s, "metrics_pass_promtool", metrics_pass_promtool,
                             30, "nats-server has no /metrics endpoint");
    return s;
}

int main(void)
{
    return harness_main(monitor_suite());
}
