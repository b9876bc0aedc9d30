/* Lame duck mode: on its signal (BALLAST_TEST_LDM_SIGNAL: SIGTERM for
 * ballastd, SIGUSR2 for nats-server) the server tells clients with an INFO
 * carrying "ldm":true, stops accepting connections, closes the existing ones
 * after the grace period and exits with status 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static struct harness_server srv;

/* Static because the client runs callbacks on its own threads. */
static struct harness_events lame_duck, closed;

static void on_event(natsConnection *nc, void *closure)
{
    harness_events_add(closure, NULL);
}

static void start_lame_duck_server(void)
{
    char *conf = harness_conf_instantiate("lame_duck.conf", NULL);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);
}

/* Lame duck mode ends with the server exiting by itself, status 0. */
static void assert_exits_cleanly(void)
{
    ck_assert_msg(harness_server_wait_exit(&srv, 35000) == 0,
                  "server did not exit after lame duck mode");
    ck_assert_msg(
        WIFEXITED(srv.exit_status) && WEXITSTATUS(srv.exit_status) == 0,
        "server ended lame duck mode with status 0x%x", srv.exit_status);
}

/* Waits until a new connection is refused; returns 0 when it was. */
static int wait_refused(int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        struct harness_raw r;
        int rv = harness_raw_open(&r, srv.port, 0);
        if (rv == -ECONNREFUSED)
            return 0;
        if (rv == 0)
            harness_raw_close(&r);
        if (harness_now_ms() > deadline)
            return -1;
        harness_sleep_ms(20);
    }
}

/* The lame duck callback fires, new connections are refused, the client is
 * closed after the 1 s grace period (well within the 30 s duration) and the
 * server exits. */
START_TEST(lame_duck_notifies_then_closes)
{
    start_lame_duck_server();
    harness_events_init(&lame_duck);
    harness_events_init(&closed);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("ldm cb",
                    natsOptions_SetLameDuckModeCB(o, on_event, &lame_duck));
    HARNESS_NATS_OK("closed cb", natsOptions_SetClosedCB(o, on_event, &closed));
    HARNESS_NATS_OK("no reconnect", natsOptions_SetAllowReconnect(o, false));
    natsConnection *nc = harness_connect(&srv, o);
    natsOptions_Destroy(o);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(nc, 5000));

    int64_t start = harness_now_ms();
    harness_server_signal(&srv, harness_ldm_signal());
    ck_assert_msg(harness_events_wait(&lame_duck, 1, 5000) == 0,
                  "lame duck callback did not fire");
    ck_assert_msg(wait_refused(2000) == 0,
                  "new connections still accepted in lame duck mode");

    ck_assert_msg(harness_events_wait(&closed, 1, 35000) == 0,
                  "client was not closed");
    ck_assert(natsConnection_IsClosed(nc));
    int64_t took = harness_now_ms() - start;
    ck_assert_msg(took >= 500, "closed after %lld ms, before the grace period",
                  (long long)took);
    assert_exits_cleanly();
    natsConnection_Destroy(nc);
}
END_TEST

/* On the wire: after the signal an INFO with "ldm":true arrives on an
 * established raw connection, then the server closes it. */
START_TEST(lame_duck_info_on_the_wire)
{
    start_lame_duck_server();
    struct harness_raw r;
    harness_raw_handshake(&r, srv.port, NULL, NULL, 0);
    harness_server_signal(&srv, harness_ldm_signal());

    char line[4096];
    int found = 0;
    int n;
    while (!found &&
           (n = harness_raw_read_line(&r, line, sizeof(line), 5000)) >= 0) {
        if (strncmp(line, "INFO ", 5) != 0)
            continue;
        json_t *info = json_loads(line + 5, 0, NULL);
        ck_assert_msg(info != NULL, "bad INFO %s", line);
        found = json_is_true(json_object_get(info, "ldm"));
        json_decref(info);
    }
    ck_assert_msg(found, "no INFO with \"ldm\":true");
    ck_assert_int_eq(harness_raw_wait_closed(&r, 35000), 0);
    harness_raw_close(&r);
    assert_exits_cleanly();
}
END_TEST

static Suite *lame_duck_suite(void)
{
    Suite *s = suite_create("integration/lame_duck");
    HARNESS_ADD(s, lame_duck_notifies_then_closes, 90);
    HARNESS_ADD(s, lame_duck_info_on_the_wire, 90);
    return s;
}

int main(void)
{
    return harness_main(lame_duck_suite());
}
