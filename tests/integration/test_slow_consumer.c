/* Slow consumers: a subscriber that stops reading is cut off once more than
 * max_pending bytes wait for it, and is counted in /varz, while a healthy
 * subscriber of the same messages keeps receiving all of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { N_MSGS = 4000, MSG_SIZE = 8192 }; /* 32 MiB: far above the buffers */

static struct harness_server srv;

static struct {
    pthread_mutex_t mu;
    int n;   /* messages the healthy subscriber got */
    int bad; /* of those, with the wrong size */
} got = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                   void *closure)
{
    pthread_mutex_lock(&got.mu);
    got.n++;
    if (natsMsg_GetDataLength(msg) != MSG_SIZE)
        got.bad++;
    pthread_mutex_unlock(&got.mu);
    natsMsg_Destroy(msg);
}

static int received(void)
{
    pthread_mutex_lock(&got.mu);
    int n = got.n;
    pthread_mutex_unlock(&got.mu);
    return n;
}

/* A raw subscriber with a tiny receive buffer that never reads is closed
 * by the server; a client subscriber gets all 4000 messages meanwhile, and
 * /varz counts the slow consumer. */
START_TEST(slow_consumer_is_cut_off_others_keep_receiving)
{
    char *conf = harness_conf_instantiate("slow_consumer.conf", NULL);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 1, args);
    free(conf);

    struct harness_raw slow;
    ck_assert_int_eq(harness_raw_open(&slow, srv.port, 4096), 0);
    char line[4096];
    ck_assert_int_gt(harness_raw_read_line(&slow, line, sizeof(line), 5000), 0);
    harness_raw_send_str(&slow, "CONNECT {\"verbose\":false}\r\n"
                                "SUB firehose 1\r\nPING\r\n");
    harness_raw_expect_line(&slow, "PONG", 5000);

    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("no reconnect", natsOptions_SetAllowReconnect(o, false));
    natsConnection *healthy = harness_connect(&srv, o);
    natsOptions_Destroy(o);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_Subscribe(
                                     &sub, healthy, "firehose", on_msg, NULL));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(healthy, 5000));

    natsConnection *pub = harness_connect(&srv, NULL);
    static char data[MSG_SIZE];
    memset(data, 'z', sizeof(data));
    for (int i = 0; i < N_MSGS; i++)
        HARNESS_NATS_OK("publish", natsConnection_Publish(pub, "firehose", data,
                                                          sizeof(data)));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(pub, 30000));

    int64_t deadline = harness_now_ms() + 30000;
    while (received() < N_MSGS && !natsConnection_IsClosed(healthy) &&
           harness_now_ms() < deadline)
        harness_sleep_ms(10);
    ck_assert_msg(!natsConnection_IsClosed(healthy),
                  "the healthy subscriber was cut off after %d of %d messages",
                  received(), N_MSGS);
    ck_assert_int_eq(received(), N_MSGS);
    ck_assert_int_eq(got.bad, 0);
    ck_assert(!natsConnection_IsClosed(pub));

    /* Whatever the kernel still holds drains quickly; then comes the
     * close. */
    ck_assert_msg(harness_raw_wait_closed(&slow, 15000) == 0,
                  "the slow consumer was not disconnected");
    harness_raw_close(&slow);

    json_t *varz = harness_http_json(srv.http_port, "/varz");
    ck_assert_int_ge(harness_json_int(varz, "slow_consumers"), 1);
    json_decref(varz);

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(healthy);
}
END_TEST

static Suite *slow_consumer_suite(void)
{
    Suite *s = suite_create("integration/slow_consumer");
    HARNESS_ADD(s, slow_consumer_is_cut_off_others_keep_receiving, 90);
    return s;
}

int main(void)
{
    return harness_main(slow_consumer_suite());
}
