/* Request/reply: replies reach the requester through its inbox, and a
 * request nobody listens to fails fast with "no responders". */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct harness_server srv;

/* Replies "echo: <request>" to the request's reply subject. */
static void on_request(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                       void *closure)
{
    char reply[256];
    int n = snprintf(reply, sizeof(reply), "echo: %.*s",
                     natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
    if (natsMsg_GetReply(msg) != NULL)
        natsConnection_Publish(nc, natsMsg_GetReply(msg), reply, n);
    natsMsg_Destroy(msg);
}

/* Each of 100 requests gets the reply to its own payload. */
START_TEST(request_gets_reply_from_responder)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *svc = harness_connect(&srv, NULL);
    natsConnection *client = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_Subscribe(&sub, svc, "svc.echo",
                                                          on_request, NULL));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(svc, 5000));

    for (int i = 0; i < 100; i++) {
        char req[32], want[64];
        snprintf(req, sizeof(req), "ping-%d", i);
        snprintf(want, sizeof(want), "echo: %s", req);
        natsMsg *reply = NULL;
        HARNESS_NATS_OK("request", natsConnection_RequestString(
                                       &reply, client, "svc.echo", req, 5000));
        ck_assert_int_eq(natsMsg_GetDataLength(reply), (int)strlen(want));
        ck_assert_mem_eq(natsMsg_GetData(reply), want, strlen(want));
        natsMsg_Destroy(reply);
    }

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(client);
    natsConnection_Destroy(svc);
}
END_TEST

/* A published message carries its reply subject to the subscriber. */
START_TEST(reply_subject_is_delivered)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, nc, "rq"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    HARNESS_NATS_OK("publish", natsConnection_PublishRequestString(
                                   nc, "rq", "my.inbox.1", "body"));
    natsMsg *m = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_str_eq(natsMsg_GetSubject(m), "rq");
    ck_assert_ptr_nonnull(natsMsg_GetReply(m));
    ck_assert_str_eq(natsMsg_GetReply(m), "my.inbox.1");
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* A request to a subject without subscribers returns NATS_NO_RESPONDERS
 * long before its 5 s timeout. */
START_TEST(request_without_responders_fails_fast)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsMsg *reply = NULL;
    int64_t start = harness_now_ms();
    natsStatus st =
        natsConnection_RequestString(&reply, nc, "nobody.home", "x", 5000);
    int64_t took = harness_now_ms() - start;
    ck_assert_msg(st == NATS_NO_RESPONDERS, "got %s", natsStatus_GetText(st));
    ck_assert_msg(took < 1000, "no-responders took %lld ms", (long long)took);
    natsMsg_Destroy(reply);

    /* The connection stays usable. */
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    natsConnection_Destroy(nc);
}
END_TEST

/* On the wire: with headers and no_responders in CONNECT, a PUB with a
 * reply subject and no subscribers comes back to the reply subject as an
 * HMSG with status 503 and no payload. */
START_TEST(no_responders_raw_protocol)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port,
                          "{\"verbose\":false,\"protocol\":1,\"headers\":true,"
                          "\"no_responders\":true}",
                          NULL, 0);
    harness_raw_send_str(&r, "SUB inbox.1 9\r\nPUB nobody inbox.1 1\r\nx\r\n");
    char line[512];
    ck_assert_int_gt(harness_raw_read_line(&r, line, sizeof(line), 5000), 0);
    unsigned hdr_len = 0, total_len = 0;
    ck_assert_msg(sscanf(line, "HMSG inbox.1 9 %u %u", &hdr_len, &total_len) ==
                      2,
                  "expected HMSG, got \"%s\"", line);
    ck_assert_uint_eq(hdr_len, total_len);
    ck_assert_uint_lt(hdr_len, sizeof(line));
    char block[512];
    ck_assert_int_eq(harness_raw_read_exact(&r, block, hdr_len + 2, 5000), 0);
    block[hdr_len] = '\0';
    ck_assert_msg(strncmp(block, "NATS/1.0 503", 12) == 0, "status line \"%s\"",
                  block);
    ck_assert_msg(hdr_len >= 4 &&
                      memcmp(block + hdr_len - 4, "\r\n\r\n", 4) == 0,
                  "header block does not end with an empty line");
    harness_raw_close(&r);
}
END_TEST

static Suite *request_suite(void)
{
    Suite *s = suite_create("integration/request");
    HARNESS_ADD(s, request_gets_reply_from_responder, 30);
    HARNESS_ADD(s, reply_subject_is_delivered, 30);
    HARNESS_ADD(s, request_without_responders_fails_fast, 30);
    HARNESS_ADD(s, no_responders_raw_protocol, 30);
    return s;
}

int main(void)
{
    return harness_main(request_suite());
}
