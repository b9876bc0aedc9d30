/* Authentication and authorization: user/password and token on the command
 * line, a config with a bcrypt password and per-user permissions, and
 * accounts that keep their subjects apart. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

static struct harness_server srv;

/* Asynchronous errors; static because the client may still run callbacks
 * on its own threads while a connection is being destroyed. */
static struct harness_events errs;

/* Tries to connect with `user`/`pass` (or `token`); returns the status and
 * leaves the client's last error text in `err` (`cap` bytes). */
static natsStatus try_connect(const char *user, const char *pass,
                              const char *token, char *err, size_t cap)
{
    natsOptions *o = harness_opts(&srv);
    if (user != NULL)
        HARNESS_NATS_OK("user", natsOptions_SetUserInfo(o, user, pass));
    if (token != NULL)
        HARNESS_NATS_OK("token", natsOptions_SetToken(o, token));
    natsConnection *nc = NULL;
    natsStatus st = natsConnection_Connect(&nc, o);
    natsStatus last = NATS_OK;
    const char *text = nats_GetLastError(&last);
    snprintf(err, cap, "%s", st != NATS_OK && text ? text : "");
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);
    return st;
}

/* Fails the test unless the connect attempt was refused for its
 * credentials. */
static void assert_auth_refused(natsStatus st, const char *err)
{
    ck_assert_msg(st == NATS_CONNECTION_AUTH_FAILED ||
                      strcasestr(err, "Authorization Violation") != NULL,
                  "expected an authorization failure, got %s (%s)",
                  natsStatus_GetText(st), err);
}

static natsConnection *connect_as(const char *user, const char *pass,
                                  natsOptions *o)
{
    natsOptions *own = o ? NULL : harness_opts(&srv);
    HARNESS_NATS_OK("user", natsOptions_SetUserInfo(o ? o : own, user, pass));
    natsConnection *nc = harness_connect(&srv, o ? o : own);
    natsOptions_Destroy(own);
    return nc;
}

/* --user/--pass: the right pair connects, a wrong password or none fails. */
START_TEST(user_password_from_command_line)
{
    static const char *const args[] = {"--user", "alice", "--pass", "s3cret",
                                       NULL};
    harness_server_start(&srv, 0, args);
    char err[256];
    ck_assert_int_eq(try_connect("alice", "s3cret", NULL, err, sizeof(err)),
                     NATS_OK);
    assert_auth_refused(try_connect("alice", "wrong", NULL, err, sizeof(err)),
                        err);
    assert_auth_refused(
        try_connect("mallory", "s3cret", NULL, err, sizeof(err)), err);
    assert_auth_refused(try_connect(NULL, NULL, NULL, err, sizeof(err)), err);
}
END_TEST

/* On the wire: INFO says auth_required, and a CONNECT without credentials
 * gets "-ERR 'Authorization Violation'" and the connection is closed. */
START_TEST(raw_connect_without_credentials_is_refused)
{
    static const char *const args[] = {"--user", "alice", "--pass", "s3cret",
                                       NULL};
    harness_server_start(&srv, 0, args);
    struct harness_raw r;
    ck_assert_int_eq(harness_raw_open(&r, srv.port, 0), 0);
    char line[4096];
    ck_assert_int_gt(harness_raw_read_line(&r, line, sizeof(line), 5000), 5);
    ck_assert_msg(strncmp(line, "INFO ", 5) == 0, "got \"%s\"", line);
    json_t *info = json_loads(line + 5, 0, NULL);
    ck_assert_ptr_nonnull(info);
    ck_assert(json_is_true(json_object_get(info, "auth_required")));
    json_decref(info);

    harness_raw_send_str(&r, "CONNECT {\"verbose\":false}\r\nPING\r\n");
    harness_raw_expect_line(&r, "-ERR 'Authorization Violation'", 5000);
    ck_assert_int_eq(harness_raw_wait_closed(&r, 5000), 0);
    harness_raw_close(&r);
}
END_TEST

/* --auth: the right token connects, a wrong one fails. */
START_TEST(token_from_command_line)
{
    static const char *const args[] = {"--auth", "tok-123", NULL};
    harness_server_start(&srv, 0, args);
    char err[256];
    ck_assert_int_eq(try_connect(NULL, NULL, "tok-123", err, sizeof(err)),
                     NATS_OK);
    assert_auth_refused(try_connect(NULL, NULL, "tok-999", err, sizeof(err)),
                        err);
    assert_auth_refused(try_connect(NULL, NULL, NULL, err, sizeof(err)), err);
}
END_TEST

/* Writes conf/auth_users.conf with a fresh bcrypt hash of alice's password
 * and starts the server with it. */
static void start_with_users(void)
{
    static struct crypt_data cd; /* too large for the stack */
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(
        crypt_gensalt_rn("$2a$", 6, NULL, 0, setting, sizeof(setting)));
    memset(&cd, 0, sizeof(cd));
    const char *hash = crypt_rn("alicepass", setting, &cd, sizeof(cd));
    ck_assert_ptr_nonnull(hash);
    ck_assert_msg(strncmp(hash, "$2a$", 4) == 0, "hash %s", hash);
    const char *kv[] = {"ALICE_HASH", hash, NULL};
    char *conf = harness_conf_instantiate("auth_users.conf", kv);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);
}

/* A bcrypt password in the config is checked against the plain password. */
START_TEST(bcrypt_password_from_config)
{
    start_with_users();
    char err[256];
    ck_assert_int_eq(try_connect("alice", "alicepass", NULL, err, sizeof(err)),
                     NATS_OK);
    ck_assert_int_eq(try_connect("bob", "bobpass", NULL, err, sizeof(err)),
                     NATS_OK);
    assert_auth_refused(
        try_connect("alice", "alicepas", NULL, err, sizeof(err)), err);
    assert_auth_refused(try_connect("bob", "alicepass", NULL, err, sizeof(err)),
                        err);
}
END_TEST

/* Records asynchronous errors as "<status>: <last error text>". */
static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err,
                     void *closure)
{
    const char *text = NULL;
    natsConnection_GetLastError(nc, &text);
    char buf[256];
    snprintf(buf, sizeof(buf), "%s: %s", natsStatus_GetText(err),
             text ? text : "");
    harness_events_add(closure, buf);
}

/* A publish outside alice's permissions is reported to her error handler
 * as "Permissions Violation for Publish to ..." and not delivered; her
 * permitted publishes still are. */
START_TEST(denied_publish_is_reported_and_dropped)
{
    start_with_users();
    harness_events_init(&errs);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("error handler",
                    natsOptions_SetErrorHandler(o, on_error, &errs));
    natsConnection *alice = connect_as("alice", "alicepass", o);
    natsOptions_Destroy(o);
    natsConnection *bob = connect_as("bob", "bobpass", NULL);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", natsConnection_SubscribeSync(&sub, bob, ">"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(bob, 5000));

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(alice, "secret.x", "leak"));
    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(alice, "public.x", "ok"));
    natsConnection_FlushTimeout(alice, 5000);

    int i = harness_events_wait_text(
        &errs, "Permissions Violation for Publish to", 5000);
    ck_assert_msg(i >= 0, "no publish violation reported (%d errors)",
                  harness_events_count(&errs));
    ck_assert_msg(strstr(errs.text[i], "secret.x") != NULL, "error \"%s\"",
                  errs.text[i]);
    /* Same publisher, so the denied message would have come first. */
    harness_expect_msg(sub, "public.x", "ok", 5000);
    harness_expect_no_msg(sub, 200);
    ck_assert(!natsConnection_IsClosed(alice));

    natsSubscription_Destroy(sub);
    natsConnection_Destroy(bob);
    natsConnection_Destroy(alice);
}
END_TEST

/* A subscription outside alice's permissions is reported as "Permissions
 * Violation for Subscription to ..." and receives nothing. */
START_TEST(denied_subscription_is_reported_and_gets_nothing)
{
    start_with_users();
    harness_events_init(&errs);
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("error handler",
                    natsOptions_SetErrorHandler(o, on_error, &errs));
    natsConnection *alice = connect_as("alice", "alicepass", o);
    natsOptions_Destroy(o);
    natsConnection *bob = connect_as("bob", "bobpass", NULL);

    natsSubscription *denied = NULL, *allowed = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&denied, alice, "secret.y"));
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&allowed, alice, "open.y"));
    natsConnection_FlushTimeout(alice, 5000);
    int i = harness_events_wait_text(
        &errs, "Permissions Violation for Subscription to", 5000);
    ck_assert_msg(i >= 0, "no subscription violation reported (%d errors)",
                  harness_events_count(&errs));
    ck_assert_msg(strstr(errs.text[i], "secret.y") != NULL, "error \"%s\"",
                  errs.text[i]);

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(bob, "secret.y", "hidden"));
    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(bob, "open.y", "visible"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(bob, 5000));
    harness_expect_msg(allowed, "open.y", "visible", 5000);
    natsConnection_FlushTimeout(alice, 5000);
    harness_expect_no_msg(denied, 200);

    natsSubscription_Destroy(allowed);
    natsSubscription_Destroy(denied);
    natsConnection_Destroy(bob);
    natsConnection_Destroy(alice);
}
END_TEST

/* Users of account A see each other's messages; a user of account B on the
 * same subject sees neither theirs nor is seen by them. */
START_TEST(accounts_isolate_subjects)
{
    char *conf = harness_conf_instantiate("accounts.conf", NULL);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);

    natsConnection *a1 = connect_as("a1", "a1pass", NULL);
    natsConnection *a2 = connect_as("a2", "a2pass", NULL);
    natsConnection *b1 = connect_as("b1", "b1pass", NULL);
    natsSubscription *a1_sub = NULL, *b1_sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&a1_sub, a1, "shared.x"));
    HARNESS_NATS_OK("subscribe",
                    natsConnection_SubscribeSync(&b1_sub, b1, "shared.x"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(a1, 5000));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(b1, 5000));

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(a2, "shared.x", "from-a"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(a2, 5000));
    harness_expect_msg(a1_sub, "shared.x", "from-a", 5000);

    HARNESS_NATS_OK("publish",
                    natsConnection_PublishString(b1, "shared.x", "from-b"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(b1, 5000));
    /* b1 gets its own message (echo) and never a's. */
    harness_expect_msg(b1_sub, "shared.x", "from-b", 5000);
    harness_expect_no_msg(b1_sub, 200);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(a1, 5000));
    harness_expect_no_msg(a1_sub, 200);

    natsSubscription_Destroy(b1_sub);
    natsSubscription_Destroy(a1_sub);
    natsConnection_Destroy(b1);
    natsConnection_Destroy(a2);
    natsConnection_Destroy(a1);
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("integration/auth");
    HARNESS_ADD(s, user_password_from_command_line, 30);
    HARNESS_ADD(s, raw_connect_without_credentials_is_refused, 30);
    HARNESS_ADD(s, token_from_command_line, 30);
    HARNESS_ADD(s, bcrypt_password_from_config, 30);
    HARNESS_ADD(s, denied_publish_is_reported_and_dropped, 30);
    HARNESS_ADD(s, denied_subscription_is_reported_and_gets_nothing, 30);
    HARNESS_ADD(s, accounts_isolate_subjects, 30);
    return s;
}

int main(void)
{
    return harness_main(auth_suite());
}
