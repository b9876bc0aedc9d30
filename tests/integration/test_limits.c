/* The protocol seen from a raw socket, and the server's limits: the INFO
 * greeting, verbose +OK, PING/PONG, protocol errors, max_payload and
 * max_connections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static struct harness_server srv;

/* Opens a raw connection and returns its parsed INFO object. */
static json_t *read_info(struct harness_raw *r)
{
    int rv = harness_raw_open(r, srv.port, 0);
    ck_assert_msg(rv == 0, "connect: %s", strerror(-rv));
    char line[4096];
    int n = harness_raw_read_line(r, line, sizeof(line), 5000);
    ck_assert_msg(n > 5, "no INFO line (%d)", n);
    ck_assert_msg(strncmp(line, "INFO ", 5) == 0, "first line \"%s\"", line);
    json_error_t err;
    json_t *info = json_loads(line + 5, 0, &err);
    ck_assert_msg(info != NULL && json_is_object(info),
                  "INFO is not a JSON object (%s): %s", err.text, line);
    return info;
}

static void start_with_conf(const char *name)
{
    char *conf = harness_conf_instantiate(name, NULL);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);
}

/* The first line is INFO with server_id, version, max_payload (1 MiB by
 * default), headers true and proto >= 1. */
START_TEST(info_line_has_required_fields)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    json_t *info = read_info(&r);
    json_t *v = json_object_get(info, "server_id");
    ck_assert_msg(json_is_string(v) && json_string_length(v) > 0, "server_id");
    v = json_object_get(info, "version");
    ck_assert_msg(json_is_string(v) && json_string_length(v) > 0, "version");
    ck_assert_int_eq(harness_json_int(info, "max_payload"), 1048576);
    ck_assert_msg(json_is_true(json_object_get(info, "headers")), "headers");
    ck_assert_int_ge(harness_json_int(info, "proto"), 1);
    json_decref(info);
    harness_raw_close(&r);
}
END_TEST

/* With "verbose":true every accepted command is acknowledged with +OK, and
 * PING still gets PONG. */
START_TEST(verbose_connect_gets_ok)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    json_decref(read_info(&r));
    harness_raw_send_str(&r, "CONNECT {\"verbose\":true,\"protocol\":1}\r\n");
    harness_raw_expect_line(&r, "+OK", 5000);
    harness_raw_send_str(&r, "SUB v 1\r\n");
    harness_raw_expect_line(&r, "+OK", 5000);
    harness_raw_send_str(&r, "PUB v 2\r\nok\r\n");
    /* The PUB is acknowledged; the echoed MSG may come before or after. */
    char line[256];
    int seen_ok = 0, seen_msg = 0;
    while (!(seen_ok && seen_msg)) {
        ck_assert_int_ge(harness_raw_read_line(&r, line, sizeof(line), 5000),
                         0);
        if (strcmp(line, "+OK") == 0) {
            seen_ok++;
        } else {
            ck_assert_str_eq(line, "MSG v 1 2");
            harness_raw_expect_line(&r, "ok", 5000);
            seen_msg++;
        }
    }
    harness_raw_send_str(&r, "PING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_close(&r);
}
END_TEST

/* Without verbose, each PING gets exactly one PONG and nothing else. */
START_TEST(ping_gets_pong)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "PING\r\nPING\r\nPING\r\n");
    for (int i = 0; i < 3; i++)
        harness_raw_expect_line(&r, "PONG", 5000);
    char line[64];
    ck_assert_int_eq(harness_raw_read_line(&r, line, sizeof(line), 200), -1);
    harness_raw_close(&r);
}
END_TEST

/* An unknown operation gets "-ERR 'Unknown Protocol Operation'" and the
 * server closes the connection. */
START_TEST(unknown_op_is_an_error)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "FOO bar\r\n");
    harness_raw_expect_line(&r, "-ERR 'Unknown Protocol Operation'", 5000);
    ck_assert_int_eq(harness_raw_wait_closed(&r, 5000), 0);
    harness_raw_close(&r);
}
END_TEST

/* With max_payload 1024, INFO says so; the client refuses a larger
 * message locally (NATS_MAX_PAYLOAD) and 1024 bytes are delivered. */
START_TEST(client_respects_max_payload)
{
    start_with_conf("max_payload.conf");
    struct harness_raw r;
    json_t *info = read_info(&r);
    ck_assert_int_eq(harness_json_int(info, "max_payload"), 1024);
    json_decref(info);
    harness_raw_close(&r);

    natsConnection *nc = harness_connect(&srv, NULL);
    ck_assert_int_eq(natsConnection_GetMaxPayload(nc), 1024);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, nc, "big"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    static char data[2000];
    memset(data, 'x', sizeof(data));
    ck_assert_int_eq(natsConnection_Publish(nc, "big", data, 1025),
                     NATS_MAX_PAYLOAD);
    HARNESS_NATS_OK("publish", natsConnection_Publish(nc, "big", data, 1024));
    natsMsg *m = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_int_eq(natsMsg_GetDataLength(m), 1024);
    natsMsg_Destroy(m);
    ck_assert(!natsConnection_IsClosed(nc));
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* A raw PUB announcing more than max_payload gets "-ERR 'Maximum Payload
 * Violation'" and the connection is closed. */
START_TEST(raw_oversized_pub_is_refused)
{
    start_with_conf("max_payload.conf");
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "PUB big 2000\r\n");
    harness_raw_expect_line(&r, "-ERR 'Maximum Payload Violation'", 5000);
    ck_assert_int_eq(harness_raw_wait_closed(&r, 5000), 0);
    harness_raw_close(&r);

    /* Exactly max_payload is fine. */
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    static char cmd[1200];
    int n = snprintf(cmd, sizeof(cmd), "SUB big 1\r\nPUB big 1024\r\n");
    memset(cmd + n, 'y', 1024);
    memcpy(cmd + n + 1024, "\r\nPING\r\n", 8);
    harness_raw_send(&r, cmd, (size_t)n + 1024 + 8);
    harness_raw_expect_line(&r, "MSG big 1 1024", 5000);
    char body[1026];
    ck_assert_int_eq(harness_raw_read_exact(&r, body, sizeof(body), 5000), 0);
    ck_assert_mem_eq(body + 1023, "y\r\n", 3);
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_close(&r);
}
END_TEST

/* With max_connections 2 the third connection gets "-ERR 'maximum
 * connections exceeded'" and is closed; once one leaves, a new one works. */
START_TEST(max_connections_refuses_the_third)
{
    start_with_conf("max_connections.conf");
    struct harness_raw a, b, c;
    harness_raw_handshake(&a, srv.port, NULL, NULL, 0);
    harness_raw_handshake(&b, srv.port, NULL, NULL, 0);

    int rv = harness_raw_open(&c, srv.port, 0);
    ck_assert_msg(rv == 0, "connect: %s", strerror(-rv));
    /* The server may greet with INFO before the error. */
    char line[4096];
    int n;
    do
        n = harness_raw_read_line(&c, line, sizeof(line), 5000);
    while (n > 0 && strncmp(line, "INFO ", 5) == 0);
    ck_assert_msg(n > 0, "no error line (%d)", n);
    ck_assert_str_eq(line, "-ERR 'maximum connections exceeded'");
    ck_assert_int_eq(harness_raw_wait_closed(&c, 5000), 0);
    harness_raw_close(&c);

    /* The first two still work. */
    harness_raw_send_str(&a, "PING\r\n");
    harness_raw_expect_line(&a, "PONG", 5000);

    /* After b leaves there is room again; the server notices the close
     * asynchronously, so retry for a bounded time. */
    harness_raw_close(&b);
    int64_t deadline = harness_now_ms() + 5000;
    int ok = 0;
    while (!ok && harness_now_ms() < deadline) {
        ck_assert_int_eq(harness_raw_open(&c, srv.port, 0), 0);
        n = harness_raw_read_line(&c, line, sizeof(line), 5000);
        if (n > 0 && strncmp(line, "INFO ", 5) == 0) {
            harness_raw_send_str(&c, "CONNECT {\"verbose\":false}\r\nPING\r\n");
            n = harness_raw_read_line(&c, line, sizeof(line), 5000);
            ok = n > 0 && strcmp(line, "PONG") == 0;
        }
        harness_raw_close(&c);
        if (!ok)
            harness_sleep_ms(50);
    }
    ck_assert_msg(ok, "no connection accepted after one closed");
    harness_raw_close(&a);
}
END_TEST

/* Without auth, SUB and PUB may come before CONNECT: they are served
 * under nats-server's defaults (verbose on), and the server stays up. */
START_TEST(ops_before_connect_are_served_without_auth)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    json_t *info = read_info(&r);
    json_decref(info);
    harness_raw_send_str(&r, "SUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n");
    harness_raw_expect_line(&r, "+OK", 5000);
    harness_raw_expect_line(&r, "+OK", 5000);
    harness_raw_expect_line(&r, "MSG foo 1 1", 5000);
    harness_raw_expect_line(&r, "a", 5000);
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_close(&r);
}
END_TEST

/* A second server on a port already in use exits with status 1 and says
 * why, instead of crashing. */
START_TEST(port_in_use_is_a_clean_error)
{
    harness_server_start(&srv, 0, NULL);
    const char *bin = getenv("BALLAST_TEST_SERVER");
    ck_assert_ptr_nonnull(bin);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s -a 127.0.0.1 -p %d >%s/second.log 2>&1",
             bin, srv.port, harness_dir());
    int status = system(cmd);
    ck_assert_msg(WIFEXITED(status), "second server did not exit normally");
    ck_assert_int_eq(WEXITSTATUS(status), 1);
}
END_TEST

/* A client that sends -ERR is disconnected, as nats-server does. */
START_TEST(client_err_closes_the_connection)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "-ERR 'something broke'\r\n");
    ck_assert_int_eq(harness_raw_wait_closed(&r, 5000), 0);
    harness_raw_close(&r);
}
END_TEST

/* A second CONNECT is checked again: wrong credentials then close the
 * connection with an authorization violation. */
START_TEST(repeated_connect_with_wrong_credentials_is_refused)
{
    const char *args[] = {"--user", "u", "--pass", "p", NULL};
    harness_server_start(&srv, 0, args);
    struct harness_raw r;
    harness_raw_handshake(
        &r, srv.port, "{\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}",
        NULL, 0);
    harness_raw_send_str(&r, "PING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_send_str(&r, "CONNECT {\"verbose\":false,\"user\":\"u\","
                             "\"pass\":\"wrong\"}\r\nPING\r\n");
    harness_raw_expect_line(&r, "-ERR 'Authorization Violation'", 5000);
    ck_assert_int_eq(harness_raw_wait_closed(&r, 5000), 0);
    harness_raw_close(&r);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("integration/limits");
    HARNESS_ADD(s, info_line_has_required_fields, 30);
    HARNESS_ADD(s, verbose_connect_gets_ok, 30);
    HARNESS_ADD(s, ping_gets_pong, 30);
    HARNESS_ADD(s, unknown_op_is_an_error, 30);
    HARNESS_ADD(s, client_respects_max_payload, 30);
    HARNESS_ADD(s, raw_oversized_pub_is_refused, 30);
    HARNESS_ADD(s, max_connections_refuses_the_third, 30);
    HARNESS_ADD(s, ops_before_connect_are_served_without_auth, 30);
    HARNESS_ADD(s, port_in_use_is_a_clean_error, 30);
    HARNESS_ADD(s, client_err_closes_the_connection, 30);
    HARNESS_ADD(s, repeated_connect_with_wrong_credentials_is_refused, 30);
    return s;
}

int main(void)
{
    return harness_main(limits_suite());
}
