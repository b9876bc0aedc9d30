/* Queue groups: each message goes to exactly one member of each group,
 * members share the load, and plain subscribers still get everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { N_MSGS = 1000, MAX_SUBS = 8 };

static struct harness_server srv;

/* What the subscribers saw; callbacks run on client threads. */
static struct {
    pthread_mutex_t mu;
    int seen[MAX_SUBS][N_MSGS]; /* per subscriber, times message i arrived */
    int total[MAX_SUBS];        /* per subscriber, messages received */
    int bad;                    /* payloads that were not a valid index */
} got = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                   void *closure)
{
    int who = (int)(intptr_t)closure;
    char buf[16];
    snprintf(buf, sizeof(buf), "%.*s", natsMsg_GetDataLength(msg),
             natsMsg_GetData(msg));
    int i = atoi(buf);
    pthread_mutex_lock(&got.mu);
    if (i < 0 || i >= N_MSGS)
        got.bad++;
    else
        got.seen[who][i]++;
    got.total[who]++;
    pthread_mutex_unlock(&got.mu);
    natsMsg_Destroy(msg);
}

/* Forgets what earlier tests saw (they share the process under
 * CK_FORK=no). */
static void reset_got(void)
{
    pthread_mutex_lock(&got.mu);
    memset(got.seen, 0, sizeof(got.seen));
    memset(got.total, 0, sizeof(got.total));
    got.bad = 0;
    pthread_mutex_unlock(&got.mu);
}

static int total_of(int first, int n)
{
    pthread_mutex_lock(&got.mu);
    int sum = 0;
    for (int i = first; i < first + n; i++)
        sum += got.total[i];
    pthread_mutex_unlock(&got.mu);
    return sum;
}

/* Waits until subscribers [first, first+n) together got `want` messages. */
static void wait_total(int first, int n, int want)
{
    int64_t deadline = harness_now_ms() + 15000;
    while (total_of(first, n) < want && harness_now_ms() < deadline)
        harness_sleep_ms(10);
    ck_assert_int_ge(total_of(first, n), want);
}

static void publish_all(natsConnection *nc, const char *subject)
{
    char payload[16];
    for (int i = 0; i < N_MSGS; i++) {
        snprintf(payload, sizeof(payload), "%d", i);
        HARNESS_NATS_OK("publish",
                        natsConnection_PublishString(nc, subject, payload));
    }
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 10000));
}

/* Flushes the subscribers' connections and lets their callbacks drain, so
 * duplicates still in flight would be counted. */
static void settle(natsConnection **ncs, int n)
{
    for (int i = 0; i < n; i++)
        HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(ncs[i], 5000));
    harness_sleep_ms(200);
}

/* Checks that subscribers [first, first+n) together got each message
 * exactly once, and each got at least one. */
static void assert_group_exactly_once(int first, int n)
{
    pthread_mutex_lock(&got.mu);
    for (int i = 0; i < N_MSGS; i++) {
        int times = 0;
        for (int s = first; s < first + n; s++)
            times += got.seen[s][i];
        ck_assert_msg(times == 1, "message %d delivered %d times", i, times);
    }
    for (int s = first; s < first + n; s++)
        ck_assert_msg(got.total[s] > 0, "member %d got nothing", s);
    pthread_mutex_unlock(&got.mu);
}

/* A 4-member queue group shares 1000 messages, each delivered once, every
 * member taking some; a plain subscriber alongside gets all 1000. */
START_TEST(queue_group_delivers_each_message_once)
{
    reset_got();
    harness_server_start(&srv, 0, NULL);
    natsConnection *ncs[5];
    natsSubscription *subs[5];
    for (int i = 0; i < 5; i++) {
        ncs[i] = harness_connect(&srv, NULL);
        if (i < 4)
            HARNESS_NATS_OK("queue subscribe",
                            natsConnection_QueueSubscribe(
                                &subs[i], ncs[i], "jobs", "workers", on_msg,
                                (void *)(intptr_t)i));
        else
            HARNESS_NATS_OK("subscribe", natsConnection_Subscribe(
                                             &subs[i], ncs[i], "jobs", on_msg,
                                             (void *)(intptr_t)i));
        HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(ncs[i], 5000));
    }
    natsConnection *pub = harness_connect(&srv, NULL);
    publish_all(pub, "jobs");

    wait_total(0, 4, N_MSGS);
    wait_total(4, 1, N_MSGS);
    settle(ncs, 5);
    ck_assert_int_eq(got.bad, 0);
    assert_group_exactly_once(0, 4);
    assert_group_exactly_once(4, 1);
    ck_assert_int_eq(total_of(0, 4), N_MSGS);
    ck_assert_int_eq(total_of(4, 1), N_MSGS);

    natsConnection_Destroy(pub);
    for (int i = 0; i < 5; i++) {
        natsSubscription_Destroy(subs[i]);
        natsConnection_Destroy(ncs[i]);
    }
}
END_TEST

/* Two queue groups on one subject each get every message exactly once. */
START_TEST(two_queue_groups_each_get_every_message)
{
    reset_got();
    harness_server_start(&srv, 0, NULL);
    natsConnection *ncs[4];
    natsSubscription *subs[4];
    for (int i = 0; i < 4; i++) {
        ncs[i] = harness_connect(&srv, NULL);
        HARNESS_NATS_OK("queue subscribe",
                        natsConnection_QueueSubscribe(
                            &subs[i], ncs[i], "jobs.>", i < 2 ? "g1" : "g2",
                            on_msg, (void *)(intptr_t)i));
        HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(ncs[i], 5000));
    }
    natsConnection *pub = harness_connect(&srv, NULL);
    publish_all(pub, "jobs.new");

    wait_total(0, 2, N_MSGS);
    wait_total(2, 2, N_MSGS);
    settle(ncs, 4);
    ck_assert_int_eq(got.bad, 0);
    assert_group_exactly_once(0, 2);
    assert_group_exactly_once(2, 2);

    natsConnection_Destroy(pub);
    for (int i = 0; i < 4; i++) {
        natsSubscription_Destroy(subs[i]);
        natsConnection_Destroy(ncs[i]);
    }
}
END_TEST

/* The server spreads queue messages over members of one connection too;
 * checked over the raw protocol: two sids in one group share 100 messages
 * and the PONG comes after all of them. */
START_TEST(queue_group_raw_protocol)
{
    harness_server_start(&srv, 0, NULL);
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_raw_send_str(&r, "SUB q g 1\r\nSUB q g 2\r\nPING\r\n");
    harness_raw_expect_line(&r, "PONG", 5000);
    natsConnection *pub = harness_connect(&srv, NULL);
    for (int i = 0; i < 100; i++)
        HARNESS_NATS_OK("publish", natsConnection_PublishString(pub, "q", "x"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub, 5000));
    harness_raw_send_str(&r, "PING\r\n");
    int per_sid[3] = {0, 0, 0};
    char line[256];
    for (int i = 0; i < 100; i++) {
        ck_assert_int_gt(harness_raw_read_line(&r, line, sizeof(line), 5000),
                         0);
        int sid = 0;
        ck_assert_msg(sscanf(line, "MSG q %d 1", &sid) == 1 && sid >= 1 &&
                          sid <= 2,
                      "unexpected line \"%s\"", line);
        per_sid[sid]++;
        harness_raw_expect_line(&r, "x", 5000);
    }
    harness_raw_expect_line(&r, "PONG", 5000);
    ck_assert_int_eq(per_sid[1] + per_sid[2], 100);
    ck_assert_int_gt(per_sid[1], 0);
    ck_assert_int_gt(per_sid[2], 0);
    natsConnection_Destroy(pub);
    harness_raw_close(&r);
}
END_TEST

static Suite *queue_suite(void)
{
    Suite *s = suite_create("integration/queue");
    HARNESS_ADD(s, queue_group_delivers_each_message_once, 60);
    HARNESS_ADD(s, two_queue_groups_each_get_every_message, 60);
    HARNESS_ADD(s, queue_group_raw_protocol, 30);
    return s;
}

int main(void)
{
    return harness_main(queue_suite());
}
