/* Message headers (HPUB/HMSG): round trip through the client API, several
 * values for one key, header-only messages, and the exact wire form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct harness_server srv;

/* Subscribes `nc` to `subject` and flushes so the SUB is in place. */
static natsSubscription *subscribe(natsConnection *nc, const char *subject)
{
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, nc, subject));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    return sub;
}

/* Headers set with natsMsgHeader_Set/Add arrive with the payload: a single
 * value, and two values of one key in order. */
START_TEST(headers_round_trip)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    ck_assert(natsConnection_HasHeaderSupport(nc) == NATS_OK);
    natsSubscription *sub = subscribe(nc, "hdr.x");

    natsMsg *m = NULL;
    HARNESS_NATS_OK("create", natsMsg_Create(&m, "hdr.x", NULL, "payload", 7));
    HARNESS_NATS_OK("set", natsMsgHeader_Set(m, "X-Key", "v1"));
    HARNESS_NATS_OK("add", natsMsgHeader_Add(m, "X-Multi", "a"));
    HARNESS_NATS_OK("add", natsMsgHeader_Add(m, "X-Multi", "b c"));
    HARNESS_NATS_OK("publish", natsConnection_PublishMsg(nc, m));
    natsMsg_Destroy(m);

    natsMsg *got = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&got, sub, 5000));
    ck_assert_int_eq(natsMsg_GetDataLength(got), 7);
    ck_assert_mem_eq(natsMsg_GetData(got), "payload", 7);
    const char *v = NULL;
    HARNESS_NATS_OK("get", natsMsgHeader_Get(got, "X-Key", &v));
    ck_assert_str_eq(v, "v1");
    const char **values = NULL;
    int count = 0;
    HARNESS_NATS_OK("values",
                    natsMsgHeader_Values(got, "X-Multi", &values, &count));
    ck_assert_int_eq(count, 2);
    ck_assert_str_eq(values[0], "a");
    ck_assert_str_eq(values[1], "b c");
    free((void *)values);
    ck_assert_int_eq(natsMsgHeader_Get(got, "X-Missing", &v), NATS_NOT_FOUND);
    natsMsg_Destroy(got);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* A message with headers and an empty payload keeps its headers. */
START_TEST(header_only_message)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsSubscription *sub = subscribe(nc, "hdr.only");

    natsMsg *m = NULL;
    HARNESS_NATS_OK("create", natsMsg_Create(&m, "hdr.only", NULL, NULL, 0));
    HARNESS_NATS_OK("set", natsMsgHeader_Set(m, "Only", "header"));
    HARNESS_NATS_OK("publish", natsConnection_PublishMsg(nc, m));
    natsMsg_Destroy(m);

    natsMsg *got = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&got, sub, 5000));
    ck_assert_int_eq(natsMsg_GetDataLength(got), 0);
    const char *v = NULL;
    HARNESS_NATS_OK("get", natsMsgHeader_Get(got, "Only", &v));
    ck_assert_str_eq(v, "header");
    natsMsg_Destroy(got);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* On the wire: HPUB with a header block and payload comes out as HMSG with
 * the same lengths and bytes. */
START_TEST(hpub_becomes_hmsg_on_the_wire)
{
    static const char hdr[] = "NATS/1.0\r\nA: b\r\nA: c\r\n\r\n";
    static const char body[] = "hello";
    const size_t hdr_len = sizeof(hdr) - 1, total = hdr_len + sizeof(body) - 1;
    harness_server_start(&srv, 0, NULL);
    const char *connect = "{\"verbose\":false,\"protocol\":1,\"headers\":true}";
    struct harness_raw sub, pub;
    harness_raw_handshake(&sub, srv.port, connect, NULL, 0);
    harness_raw_handshake(&pub, srv.port, connect, NULL, 0);
    harness_raw_send_str(&sub, "SUB h.* 5\r\nPING\r\n");
    harness_raw_expect_line(&sub, "PONG", 5000);

    char cmd[256];
    snprintf(cmd, sizeof(cmd), "HPUB h.1 %zu %zu\r\n%s%s\r\nPING\r\n", hdr_len,
             total, hdr, body);
    harness_raw_send_str(&pub, cmd);
    harness_raw_expect_line(&pub, "PONG", 5000);

    char want[64];
    snprintf(want, sizeof(want), "HMSG h.1 5 %zu %zu", hdr_len, total);
    harness_raw_expect_line(&sub, want, 5000);
    char got[128];
    ck_assert_int_eq(harness_raw_read_exact(&sub, got, total + 2, 5000), 0);
    ck_assert_mem_eq(got, hdr, hdr_len);
    ck_assert_mem_eq(got + hdr_len, "hello\r\n", 7);

    /* With a reply subject the HMSG carries it before the lengths. */
    snprintf(cmd, sizeof(cmd), "HPUB h.2 r.1 %zu %zu\r\n%s%s\r\n", hdr_len,
             total, hdr, body);
    harness_raw_send_str(&pub, cmd);
    snprintf(want, sizeof(want), "HMSG h.2 5 r.1 %zu %zu", hdr_len, total);
    harness_raw_expect_line(&sub, want, 5000);
    ck_assert_int_eq(harness_raw_read_exact(&sub, got, total + 2, 5000), 0);
    ck_assert_mem_eq(got, hdr, hdr_len);

    harness_raw_close(&pub);
    harness_raw_close(&sub);
}
END_TEST

/* A subscriber that did not announce header support gets a plain MSG with
 * the payload alone. */
START_TEST(headers_stripped_for_clients_without_support)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw sub;
    harness_raw_handshake(
        &sub, srv.port, "{\"verbose\":false,\"protocol\":1,\"headers\":false}",
        NULL, 0);
    harness_raw_send_str(&sub, "SUB plain 1\r\nPING\r\n");
    harness_raw_expect_line(&sub, "PONG", 5000);

    natsConnection *nc = harness_connect(&srv, NULL);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("create", natsMsg_Create(&m, "plain", NULL, "data", 4));
    HARNESS_NATS_OK("set", natsMsgHeader_Set(m, "K", "v"));
    HARNESS_NATS_OK("publish", natsConnection_PublishMsg(nc, m));
    natsMsg_Destroy(m);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    harness_raw_expect_line(&sub, "MSG plain 1 4", 5000);
    harness_raw_expect_line(&sub, "data", 5000);
    natsConnection_Destroy(nc);
    harness_raw_close(&sub);
}
END_TEST

static Suite *headers_suite(void)
{
    Suite *s = suite_create("integration/headers");
    HARNESS_ADD(s, headers_round_trip, 30);
    HARNESS_ADD(s, header_only_message, 30);
    HARNESS_ADD(s, hpub_becomes_hmsg_on_the_wire, 30);
    HARNESS_ADD(s, headers_stripped_for_clients_without_support, 30);
    return s;
}

int main(void)
{
    return harness_main(headers_suite());
}
