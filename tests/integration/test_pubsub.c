/* Publish/subscribe through the server: delivery, ordering, wildcards,
 * unsubscribe, auto-unsubscribe and no-echo. Where the NATS C client could
 * hide a server mistake (it drops messages for subscriptions it already
 * removed), a raw protocol socket checks what the server actually sends. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct harness_server srv;

/* A message published on a subject reaches its subscriber with subject and
 * payload intact and no reply subject. */
START_TEST(pub_reaches_subscriber_intact)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *sub_nc = harness_connect(&srv, NULL);
    natsConnection *pub_nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, sub_nc, "greet.hello"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(sub_nc, 5000));

    HARNESS_NATS_OK("publish", natsConnection_PublishString(
                                   pub_nc, "greet.hello", "hello world"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 5000));

    natsMsg *m = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_str_eq(natsMsg_GetSubject(m), "greet.hello");
    ck_assert_int_eq(natsMsg_GetDataLength(m), 11);
    ck_assert_mem_eq(natsMsg_GetData(m), "hello world", 11);
    ck_assert_ptr_null(natsMsg_GetReply(m));
    natsMsg_Destroy(m);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub_nc);
    natsConnection_Destroy(sub_nc);
}
END_TEST

/* 10000 messages from one publisher arrive complete and in order. */
START_TEST(many_messages_arrive_in_order)
{
    enum { N = 10000 };
    harness_server_start(&srv, 0, NULL);
    natsConnection *sub_nc = harness_connect(&srv, NULL);
    natsConnection *pub_nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, sub_nc, "seq"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(sub_nc, 5000));

    char payload[32];
    for (int i = 0; i < N; i++) {
        snprintf(payload, sizeof(payload), "msg-%d", i);
        HARNESS_NATS_OK("publish",
                        natsConnection_PublishString(pub_nc, "seq", payload));
    }
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 10000));

    for (int i = 0; i < N; i++) {
        snprintf(payload, sizeof(payload), "msg-%d", i);
        harness_expect_msg(sub, "seq", payload, 5000);
    }
    harness_expect_no_msg(sub, 100);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub_nc);
    natsConnection_Destroy(sub_nc);
}
END_TEST

/* Publishes each of `subjects` with the subject itself as payload. */
static void publish_each(natsConnection *nc, const char *const *subjects)
{
    for (int i = 0; subjects[i] != NULL; i++)
        HARNESS_NATS_OK("publish", natsConnection_PublishString(nc, subjects[i],
                                                                subjects[i]));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
}

/* "*" matches exactly one token: a.*.c takes a.b.c, not a.c or a.b.c.d. The
 * last subject matches, so anything wrongly delivered shows up before it. */
START_TEST(star_matches_exactly_one_token)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, nc, "a.*.c"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    static const char *const subjects[] = {"a.b.c", "a.c",     "a.b.c.d",
                                           "a.b.d", "b.b.c",   "x.a.b.c",
                                           "a.x.c", "a.end.c", NULL};
    publish_each(nc, subjects);

    harness_expect_msg(sub, "a.b.c", "a.b.c", 5000);
    harness_expect_msg(sub, "a.x.c", "a.x.c", 5000);
    harness_expect_msg(sub, "a.end.c", "a.end.c", 5000);
    harness_expect_no_msg(sub, 100);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* ">" matches one or more trailing tokens: a.> takes a.b and a.b.c.d but
 * not a itself or b.a. */
START_TEST(gt_matches_one_or_more_tokens)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, nc, "a.>"));
    natsSubscription *all = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&all, nc, ">"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    static const char *const subjects[] = {"a",    "a.b",   "b.a", "a.b.c.d",
                                           "ab.c", "a.end", NULL};
    publish_each(nc, subjects);

    harness_expect_msg(sub, "a.b", "a.b", 5000);
    harness_expect_msg(sub, "a.b.c.d", "a.b.c.d", 5000);
    harness_expect_msg(sub, "a.end", "a.end", 5000);
    harness_expect_no_msg(sub, 100);
    /* A lone ">" takes everything. */
    for (int i = 0; subjects[i] != NULL; i++)
        harness_expect_msg(all, subjects[i], subjects[i], 5000);

    natsSubscription_Destroy(all);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* After UNSUB the server sends nothing more for that sid: the PONG to a
 * later PING arrives with no MSG before it. */
START_TEST(unsubscribe_stops_delivery)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *pub_nc = harness_connect(&srv, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "SUB unsub.x 7\r\nPING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(pub_nc, "unsub.x", "one"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 5000));
    harness_raw_expect_line(&r, "MSG unsub.x 7 3", 5000);
    harness_raw_expect_line(&r, "one", 5000);

    harness_raw_send_str(&r, "UNSUB 7\r\nPING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);
    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(pub_nc, "unsub.x", "two"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 5000));
    harness_raw_send_str(&r, "PING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);

    harness_raw_close(&r);
    natsConnection_Destroy(pub_nc);
}
END_TEST

/* With the client API, an unsubscribed subscription gets nothing while a
 * second subscription on the same subject still does. */
START_TEST(unsubscribe_with_client_api)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *nc = harness_connect(&srv, NULL);
    natsSubscription *gone = NULL, *kept = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&gone, nc, "u"));
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&kept, nc, "u"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    HARNESS_NATS_OK("publish", natsConnection_PublishString(nc, "u", "first"));
    harness_expect_msg(gone, "u", "first", 5000);
    harness_expect_msg(kept, "u", "first", 5000);

    HARNESS_NATS_OK("unsubscribe", natsSubscription_Unsubscribe(gone));
    HARNESS_NATS_OK("publish", natsConnection_PublishString(nc, "u", "second"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    harness_expect_msg(kept, "u", "second", 5000);
    ck_assert(!natsSubscription_IsValid(gone));

    natsSubscription_Destroy(kept);
    natsSubscription_Destroy(gone);
    natsConnection_Destroy(nc);
}
END_TEST

/* "UNSUB sid 2" makes the server deliver exactly two more messages. */
START_TEST(auto_unsubscribe_server_delivers_exactly_max)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *pub_nc = harness_connect(&srv, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "SUB auto.x 3\r\nUNSUB 3 2\r\nPING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);

    for (int i = 0; i < 5; i++)
        HARNESS_NATS_OK("publish",
                        natsConnection_PublishString(pub_nc, "auto.x", "m"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 5000));
    harness_raw_send_str(&r, "PING\r\n");
    for (int i = 0; i < 2; i++) {
        harness_raw_expect_line(&r, "MSG auto.x 3 1", 5000);
        harness_raw_expect_line(&r, "m", 5000);
    }
    harness_raw_expect_line(&r, "PONG", 5000);

    harness_raw_close(&r);
    natsConnection_Destroy(pub_nc);
}
END_TEST

/* natsSubscription_AutoUnsubscribe(5) delivers exactly five of ten. */
START_TEST(auto_unsubscribe_delivers_exactly_n)
{
    harness_server_start(&srv, 0, NULL);
    natsConnection *sub_nc = harness_connect(&srv, NULL);
    natsConnection *pub_nc = harness_connect(&srv, NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, sub_nc, "auto.y"));
    HARNESS_NATS_OK("auto-unsubscribe",
                    natsSubscription_AutoUnsubscribe(sub, 5));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(sub_nc, 5000));

    char payload[16];
    for (int i = 0; i < 10; i++) {
        snprintf(payload, sizeof(payload), "%d", i);
        HARNESS_NATS_OK(
            "publish", natsConnection_PublishString(pub_nc, "auto.y", payload));
    }
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub_nc, 5000));
    for (int i = 0; i < 5; i++) {
        snprintf(payload, sizeof(payload), "%d", i);
        harness_expect_msg(sub, "auto.y", payload, 5000);
    }
    natsMsg *m = NULL;
    natsStatus st = natsSubscription_NextMsg(&m, sub, 200);
    ck_assert_msg(st != NATS_OK, "a sixth message was delivered");
    ck_assert(!natsSubscription_IsValid(sub));

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub_nc);
    natsConnection_Destroy(sub_nc);
}
END_TEST

/* With echo on (the default) a connection gets its own messages; with
 * natsOptions_SetNoEcho it does not, while others still do. */
START_TEST(no_echo_skips_own_messages)
{
    harness_server_start(&srv, 0, NULL);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("no echo", natsOptions_SetNoEcho(o, true));
    natsConnection *quiet = harness_connect(&srv, o);
    natsOptions_Destroy(o);
    natsConnection *echo = harness_connect(&srv, NULL);
    natsConnection *other = harness_connect(&srv, NULL);

    natsSubscription *quiet_sub = NULL, *echo_sub = NULL, *other_sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&quiet_sub, quiet, "echo.x"));
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&echo_sub, echo, "echo.x"));
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&other_sub, other, "echo.x"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(quiet, 5000));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(echo, 5000));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(other, 5000));

    HARNESS_NATS_OK(
        "publish", natsConnection_PublishString(quiet, "echo.x", "from-quiet"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(quiet, 5000));
    harness_expect_msg(other_sub, "echo.x", "from-quiet", 5000);
    harness_expect_msg(echo_sub, "echo.x", "from-quiet", 5000);

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(echo, "echo.x", "from-echo"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(echo, 5000));
    harness_expect_msg(other_sub, "echo.x", "from-echo", 5000);
    harness_expect_msg(echo_sub, "echo.x", "from-echo", 5000);
    /* The no-echo connection gets the other's message but never its own. */
    harness_expect_msg(quiet_sub, "echo.x", "from-echo", 5000);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(quiet, 5000));
    harness_expect_no_msg(quiet_sub, 200);

    natsSubscription_Destroy(other_sub);
    natsSubscription_Destroy(echo_sub);
    natsSubscription_Destroy(quiet_sub);
    natsConnection_Destroy(other);
    natsConnection_Destroy(echo);
    natsConnection_Destroy(quiet);
}
END_TEST

/* The same over the raw protocol: CONNECT with "echo":false, then a PUB to a
 * subject the connection itself subscribes to yields only the PONG. */
START_TEST(no_echo_raw_protocol)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port,
                          "{\"verbose\":false,\"echo\":false,\"protocol\":1}",
                          NULL, 0);
    harness_raw_send_str(&r, "SUB e 1\r\nPUB e 2\r\nhi\r\nPING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_close(&r);

    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "SUB e 1\r\nPUB e 2\r\nhi\r\nPING\r\n");
    harness_raw_expect_line(&r, "MSG e 1 2", 5000);
    harness_raw_expect_line(&r, "hi", 5000);
    harness_raw_expect_line(&r, "PONG", 5000);
    harness_raw_close(&r);
}
END_TEST

static Suite *pubsub_suite(void)
{
    Suite *s = suite_create("integration/pubsub");
    HARNESS_ADD(s, pub_reaches_subscriber_intact, 30);
    HARNESS_ADD(s, many_messages_arrive_in_order, 60);
    HARNESS_ADD(s, star_matches_exactly_one_token, 30);
    HARNESS_ADD(s, gt_matches_one_or_more_tokens, 30);
    HARNESS_ADD(s, unsubscribe_stops_delivery, 30);
    HARNESS_ADD(s, unsubscribe_with_client_api, 30);
    HARNESS_ADD(s, auto_unsubscribe_server_delivers_exactly_max, 30);
    HARNESS_ADD(s, auto_unsubscribe_delivers_exactly_n, 30);
    HARNESS_ADD(s, no_echo_skips_own_messages, 30);
    HARNESS_ADD(s, no_echo_raw_protocol, 30);
    return s;
}

int main(void)
{
    return harness_main(pubsub_suite());
}
