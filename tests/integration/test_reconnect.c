/* Reconnect: a client survives a server restart on the same port; its
 * subscriptions are re-established and messages published while it was
 * away from the server (buffered by the client) arrive. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct harness_server srv;

/* Static because the client may still run callbacks on its own threads
 * while a connection is being destroyed. */
static struct harness_events disconnected, reconnected;

static void on_event(natsConnection *nc, void *closure)
{
    harness_events_add(closure, NULL);
}

/* The server is stopped with SIGINT and restarted; the client reconnects,
 * its old subscription gets messages published after the restart by itself
 * and by a new connection, and one it published while disconnected. */
START_TEST(client_reconnects_after_restart)
{
    harness_server_start(&srv, 0, NULL);
    harness_events_init(&disconnected);
    harness_events_init(&reconnected);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("max reconnect", natsOptions_SetMaxReconnect(o, 200));
    HARNESS_NATS_OK("reconnect wait", natsOptions_SetReconnectWait(o, 50));
    HARNESS_NATS_OK("disconnected cb",
                    natsOptions_SetDisconnectedCB(o, on_event, &disconnected));
    HARNESS_NATS_OK("reconnected cb",
                    natsOptions_SetReconnectedCB(o, on_event, &reconnected));
    natsConnection *nc = harness_connect(&srv, o);
    natsOptions_Destroy(o);

    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&sub, nc, "after.restart"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    HARNESS_NATS_OK(
        "publish", natsConnection_PublishString(nc, "after.restart", "before"));
    harness_expect_msg(sub, "after.restart", "before", 5000);

    harness_server_stop(&srv, SIGINT);
    ck_assert_msg(harness_events_wait(&disconnected, 1, 10000) == 0,
                  "disconnected callback did not fire");
    ck_assert_int_eq(natsConnection_Status(nc), NATS_CONN_STATUS_RECONNECTING);
    /* Buffered by the client, sent after the SUB on reconnect. */
    HARNESS_NATS_OK("publish while away", natsConnection_PublishString(
                                              nc, "after.restart", "buffered"));

    harness_server_restart(&srv);
    ck_assert_msg(harness_events_wait(&reconnected, 1, 10000) == 0,
                  "reconnected callback did not fire");
    ck_assert_int_eq(natsConnection_Status(nc), NATS_CONN_STATUS_CONNECTED);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));
    harness_expect_msg(sub, "after.restart", "buffered", 5000);

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(nc, "after.restart", "own"));
    harness_expect_msg(sub, "after.restart", "own", 5000);

    natsConnection *other = harness_connect(&srv, NULL);
    for (int i = 0; i < 10; i++)
        HARNESS_NATS_OK("publish", natsConnection_PublishString(
                                       other, "after.restart", "other"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(other, 5000));
    for (int i = 0; i < 10; i++)
        harness_expect_msg(sub, "after.restart", "other", 5000);
    harness_expect_no_msg(sub, 100);

    natsConnection_Destroy(other);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

/* A server killed outright (SIGKILL) and restarted is also found again. */
START_TEST(client_reconnects_after_kill)
{
    harness_server_start(&srv, 0, NULL);
    harness_events_init(&reconnected);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("max reconnect", natsOptions_SetMaxReconnect(o, 200));
    HARNESS_NATS_OK("reconnect wait", natsOptions_SetReconnectWait(o, 50));
    HARNESS_NATS_OK("reconnected cb",
                    natsOptions_SetReconnectedCB(o, on_event, &reconnected));
    natsConnection *nc = harness_connect(&srv, o);
    natsOptions_Destroy(o);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, nc, "k"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    harness_server_stop(&srv, SIGKILL);
    harness_server_restart(&srv);
    ck_assert_msg(harness_events_wait(&reconnected, 1, 10000) == 0,
                  "reconnected callback did not fire");
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    natsConnection *other = harness_connect(&srv, NULL);
    HARNESS_NATS_OK("publish", natsConnection_PublishString(other, "k", "v"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(other, 5000));
    harness_expect_msg(sub, "k", "v", 5000);

    natsConnection_Destroy(other);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
END_TEST

static Suite *reconnect_suite(void)
{
    Suite *s = suite_create("integration/reconnect");
    HARNESS_ADD(s, client_reconnects_after_restart, 60);
    HARNESS_ADD(s, client_reconnects_after_kill, 60);
    return s;
}

int main(void)
{
    return harness_main(reconnect_suite());
}
