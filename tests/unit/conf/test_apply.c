#include "conf/conf_tree.h"
#include "conf/opts.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include "util.h"

#include "suites.h"

#include <check.h>
#include <string.h>

static struct server_opts o;
static char errmsg[BL_ERRMSG_SIZE];
static size_t n_warnings;

static void setup(void)
{
    errmsg[0] = '\0';
    n_warnings = 0;
    tmpdir_make();
}

static void teardown(void)
{
    opts_close(&o);
    tmpdir_remove();
}

/* ---- one row per key: the same setting in both formats ---- */

static void check_listen(void)
{
    ck_assert_str_eq(o.host, "127.0.0.1");
    ck_assert_int_eq(o.port, 4333);
}
static void check_listen_port_only(void)
{
    ck_assert_str_eq(o.host, "0.0.0.0");
    ck_assert_int_eq(o.port, 4444);
}
static void check_host(void)
{
    ck_assert_str_eq(o.host, "10.0.0.1");
}
static void check_port(void)
{
    ck_assert_int_eq(o.port, 5222);
}
static void check_port_random(void)
{
    ck_assert_int_eq(o.port, -1);
}
static void check_server_name(void)
{
    ck_assert_str_eq(o.server_name, "node-1");
}
static void check_advertise(void)
{
    ck_assert_str_eq(o.client_advertise, "nats.example.com:4222");
}
static void check_http_hostport(void)
{
    ck_assert_str_eq(o.http_host, "127.0.0.1");
    ck_assert_int_eq(o.http_port, 8222);
}
static void check_http_port(void)
{
    ck_assert_ptr_null(o.http_host);
    ck_assert_int_eq(o.http_port, 8222);
}
static void check_max_payload(void)
{
    ck_assert_int_eq(o.max_payload, 2 * 1024 * 1024);
}
static void check_max_control_line(void)
{
    ck_assert_int_eq(o.max_control_line, 8192);
}
static void check_max_pending(void)
{
    ck_assert_int_eq(o.max_pending, 128000000);
}
static void check_max_connections(void)
{
    ck_assert_int_eq(o.max_connections, 100);
}
static void check_max_subscriptions(void)
{
    ck_assert_int_eq(o.max_subscriptions, 50);
}
static void check_ping_interval(void)
{
    ck_assert_int_eq(o.ping_interval_ms, 90 * 1000);
}
static void check_ping_interval_seconds(void)
{
    ck_assert_int_eq(o.ping_interval_ms, 45 * 1000);
}
static void check_ping_interval_minutes(void)
{
    ck_assert_int_eq(o.ping_interval_ms, 2 * 60 * 1000);
}
static void check_ping_max(void)
{
    ck_assert_int_eq(o.max_pings_out, 5);
}
static void check_write_deadline(void)
{
    ck_assert_int_eq(o.write_deadline_ms, 1500);
}
static void check_lame_duck(void)
{
    ck_assert_int_eq(o.lame_duck_duration_ms, 5 * 60 * 1000);
    ck_assert_int_eq(o.lame_duck_grace_period_ms, 30 * 1000);
}
static void check_logging(void)
{
    ck_assert_int_eq(o.debug, true);
    ck_assert_int_eq(o.trace, true);
    ck_assert_int_eq(o.logtime, false);
    ck_assert_str_eq(o.log_file, "/var/log/b.log");
    ck_assert_str_eq(o.pid_file, "/run/b.pid");
}
static void check_single_user(void)
{
    ck_assert_str_eq(o.username, "admin");
    ck_assert_str_eq(o.password, "s3cret");
    ck_assert_int_eq(o.auth_timeout_ms, 3000);
    ck_assert_int_eq(o.n_users, 0);
}
static void check_token(void)
{
    ck_assert_str_eq(o.auth_token, "tok");
    ck_assert_int_eq(o.auth_timeout_ms, 500);
}
static void check_users(void)
{
    ck_assert_int_eq(o.n_users, 2);
    const struct opt_user *a = &o.users[0];
    ck_assert_str_eq(a->user, "alice");
    ck_assert_str_eq(a->password, "pa");
    ck_assert_ptr_null(a->account);
    ck_assert_int_eq(a->perms.is_set, true);
    ck_assert_int_eq(a->perms.publish.is_set, true);
    ck_assert_int_eq(a->perms.publish.n_allow, 1);
    ck_assert_str_eq(a->perms.publish.allow[0], "orders.>");
    ck_assert_int_eq(a->perms.publish.n_deny, 1);
    ck_assert_str_eq(a->perms.publish.deny[0], "orders.secret");
    ck_assert_int_eq(a->perms.subscribe.n_allow, 2);
    ck_assert_str_eq(a->perms.subscribe.allow[1], "_INBOX.>");
    ck_assert_int_eq(a->perms.subscribe.n_deny, 0);
    ck_assert_int_eq(a->perms.allow_responses, true);
    /* bob has no permissions: he gets the default ones. */
    const struct opt_user *b = &o.users[1];
    ck_assert_str_eq(b->user, "bob");
    ck_assert_str_eq(b->password, "$2a$11$W2zko751KUvVy59mUTWmpO");
    ck_assert_int_eq(b->perms.is_set, true);
    ck_assert_int_eq(b->perms.publish.n_allow, 1);
    ck_assert_str_eq(b->perms.publish.allow[0], "SANDBOX.*");
    ck_assert_int_eq(b->perms.subscribe.is_set, false);
    ck_assert_int_eq(o.default_permissions.is_set, true);
    ck_assert_str_eq(o.default_permissions.publish.allow[0], "SANDBOX.*");
}
static void check_accounts(void)
{
    ck_assert_int_eq(o.n_accounts, 2);
    ck_assert_str_eq(o.accounts[0].name, "APP");
    ck_assert_int_eq(o.accounts[0].jetstream, true);
    ck_assert_str_eq(o.accounts[1].name, "SYS");
    ck_assert_int_eq(o.accounts[1].jetstream, false);
    ck_assert_int_eq(o.n_users, 2);
    ck_assert_str_eq(o.users[0].user, "app1");
    ck_assert_str_eq(o.users[0].account, "APP");
    /* The account's default permissions apply to its users. */
    ck_assert_int_eq(o.users[0].perms.subscribe.is_set, true);
    ck_assert_str_eq(o.users[0].perms.subscribe.allow[0], "app.>");
    ck_assert_str_eq(o.users[1].user, "sys");
    ck_assert_str_eq(o.users[1].account, "SYS");
    ck_assert_str_eq(o.system_account, "SYS");
    ck_assert_str_eq(o.no_auth_user, "app1");
}
static void check_accounts_array(void)
{
    ck_assert_int_eq(o.n_accounts, 2);
    ck_assert_str_eq(o.accounts[0].name, "A");
    ck_assert_str_eq(o.accounts[1].name, "B");
}
static void check_js_on(void)
{
    ck_assert_int_eq(o.jetstream, true);
}
static void check_js_off(void)
{
    ck_assert_int_eq(o.jetstream, false);
}
static void check_js_block(void)
{
    ck_assert_int_eq(o.jetstream, true);
    ck_assert_str_eq(o.store_dir, "/data/js");
    ck_assert_int_eq(o.js_max_memory, 1LL << 30);
    ck_assert_int_eq(o.js_max_file, 10LL * 1024 * 1024 * 1024);
    ck_assert_int_eq(o.sync_interval_ms, 0);
}
static void check_js_block_disabled(void)
{
    ck_assert_int_eq(o.jetstream, false);
    ck_assert_int_eq(o.sync_interval_ms, 2 * 60 * 1000);
    ck_assert_int_eq(o.js_max_memory, 0);
}
static void check_store_dir(void)
{
    ck_assert_str_eq(o.store_dir, "/data/top");
}
static void check_zero_means_default(void)
{
    ck_assert_int_eq(o.port, 4222);
    ck_assert_int_eq(o.max_payload, 1 << 20);
    ck_assert_int_eq(o.max_connections, 65536);
    ck_assert_int_eq(o.ping_interval_ms, 120000);
}

static const struct {
    const char *nats;
    const char *yaml;
    void (*check)(void);
} keys[] = {
    {"listen: 127.0.0.1:4333", "listen: 127.0.0.1:4333", check_listen},
    {"listen: \":4444\"", "listen: \":4444\"", check_listen_port_only},
    {"listen: 4444", "listen: 4444", check_listen_port_only},
    {"host: 10.0.0.1", "host: 10.0.0.1", check_host},
    {"net: 10.0.0.1", "net: 10.0.0.1", check_host},
    {"addr = 10.0.0.1", "addr: 10.0.0.1", check_host},
    {"port: 5222", "port: 5222", check_port},
    {"PORT = 5222", "Port: 5222", check_port},
    {"port: -1", "port: -1", check_port_random},
    {"server_name: node-1", "server_name: node-1", check_server_name},
    {"client_advertise: \"nats.example.com:4222\"",
     "client_advertise: nats.example.com:4222", check_advertise},
    {"http: 127.0.0.1:8222", "http: 127.0.0.1:8222", check_http_hostport},
    {"http: 8222", "http: 8222", check_http_port},
    {"http_port: 8222", "http_port: 8222", check_http_port},
    {"monitor_port: 8222", "monitor_port: 8222", check_http_port},
    {"max_payload: 2MB", "max_payload: 2MB", check_max_payload},
    {"max_payload: \"2M\"", "max_payload: \"2M\"", check_max_payload},
    {"max_payload: 2097152", "max_payload: 2097152", check_max_payload},
    {"max_control_line: 8KB", "max_control_line: 8KB", check_max_control_line},
    {"max_pending: 128M", "max_pending: 128M", check_max_pending},
    {"max_connections: 100", "max_connections: 100", check_max_connections},
    {"max_conn: 100", "max_conn: 100", check_max_connections},
    {"max_subscriptions: 50", "max_subscriptions: 50", check_max_subscriptions},
    {"max_subs: 50", "max_subs: 50", check_max_subscriptions},
    {"ping_interval: \"1m30s\"", "ping_interval: 1m30s", check_ping_interval},
    {"ping_interval: 45", "ping_interval: 45", check_ping_interval_seconds},
    {"ping_interval: 2m", "ping_interval: 2m", check_ping_interval_minutes},
    {"ping_max: 5", "ping_max: 5", check_ping_max},
    {"write_deadline: \"1.5s\"", "write_deadline: 1500ms",
     check_write_deadline},
    {"lame_duck_duration: \"5m\"\nlame_duck_grace_period: \"30s\"",
     "lame_duck_duration: 5m\nlame_duck_grace_period: 30s", check_lame_duck},
    {"debug: true\ntrace: on\nlogtime: false\nlog_file: /var/log/b.log\n"
     "pid_file: /run/b.pid",
     "debug: true\ntrace: on\nlogtime: false\nlog_file: /var/log/b.log\n"
     "pid_file: /run/b.pid",
     check_logging},
    {"debug: yes\ntrace_verbose: true\nlogtime: no\nlogfile: /var/log/b.log\n"
     "pidfile: /run/b.pid",
     "debug: yes\ntrace_verbose: true\nlogtime: no\nlogfile: /var/log/b.log\n"
     "pidfile: /run/b.pid",
     check_logging},
    {"authorization { user: admin, password: s3cret, timeout: 3 }",
     "authorization: {user: admin, password: s3cret, timeout: 3}",
     check_single_user},
    {"authorization { username: admin\n pass: s3cret\n timeout: 3.0 }",
     "authorization:\n  username: admin\n  pass: s3cret\n  timeout: 3.0",
     check_single_user},
    {"authorization { token: tok, timeout: 0.5 }",
     "authorization: {token: tok, timeout: 0.5}", check_token},
    {"authorization {\n"
     "  default_permissions: { publish: \"SANDBOX.*\" }\n"
     "  users: [\n"
     "    { user: alice, password: pa, permissions: {\n"
     "        publish: { allow: [\"orders.>\"], deny: \"orders.secret\" }\n"
     "        subscribe: [\">\", \"_INBOX.>\"]\n"
     "        allow_responses: true } }\n"
     "    { user: bob, password: $2a$11$W2zko751KUvVy59mUTWmpO }\n"
     "  ]\n"
     "}\n",
     "authorization:\n"
     "  default_permissions: {publish: \"SANDBOX.*\"}\n"
     "  users:\n"
     "    - user: alice\n"
     "      password: pa\n"
     "      permissions:\n"
     "        publish: {allow: [\"orders.>\"], deny: orders.secret}\n"
     "        subscribe: [\">\", \"_INBOX.>\"]\n"
     "        allow_responses: true\n"
     "    - user: bob\n"
     "      password: \"$2a$11$W2zko751KUvVy59mUTWmpO\"\n",
     check_users},
    {"authorization {\n"
     "  permissions: { pub: \"SANDBOX.*\" }\n"
     "  users: [\n"
     "    { username: alice, pass: pa, permission: {\n"
     "        import: { allow: \"orders.>\", deny: [orders.secret] }\n"
     "        sub: [\">\", \"_INBOX.>\"]\n"
     "        publish_allow_responses: true } }\n"
     "    { user: bob, password: \"$2a$11$W2zko751KUvVy59mUTWmpO\" }\n"
     "  ]\n"
     "}\n",
     "authorization:\n"
     "  permissions: {pub: \"SANDBOX.*\"}\n"
     "  users:\n"
     "    - {username: alice, pass: pa, permission: {import: {allow: "
     "\"orders.>\", deny: [orders.secret]}, sub: [\">\", \"_INBOX.>\"], "
     "publish_allow_responses: true}}\n"
     "    - {user: bob, password: \"$2a$11$W2zko751KUvVy59mUTWmpO\"}\n",
     check_users},
    {"accounts {\n"
     "  APP: {\n"
     "    jetstream: enabled\n"
     "    default_permissions: { subscribe: \"app.>\" }\n"
     "    users: [ { user: app1, password: p1 } ]\n"
     "  }\n"
     "  SYS { users = [ { user: sys, password: p2 } ] }\n"
     "}\n"
     "system_account: SYS\n"
     "no_auth_user: app1\n",
     "accounts:\n"
     "  APP:\n"
     "    jetstream: enabled\n"
     "    default_permissions: {subscribe: \"app.>\"}\n"
     "    users: [{user: app1, password: p1}]\n"
     "  SYS:\n"
     "    users: [{user: sys, password: p2}]\n"
     "system_account: SYS\n"
     "no_auth_user: app1\n",
     check_accounts},
    {"accounts: [A, B]", "accounts: [A, B]", check_accounts_array},
    {"jetstream: enabled", "jetstream: enabled", check_js_on},
    {"jetstream: true", "jetstream: true", check_js_on},
    {"jetstream: disabled", "jetstream: disabled", check_js_off},
    {"jetstream {\n  store_dir: /data/js\n  max_mem: 1GB\n"
     "  max_file: \"10G\"\n  sync_interval: always\n}",
     "jetstream:\n  store_dir: /data/js\n  max_mem: 1GB\n"
     "  max_file: \"10G\"\n  sync_interval: always\n",
     check_js_block},
    {"jetstream: {store: /data/js, max_memory_store: 1GiB, "
     "max_file_store: 10GB}",
     "jetstream: {store: /data/js, max_memory_store: 1GiB, "
     "max_file_store: 10GB}",
     check_js_block},
    {"jetstream { enabled: false, max_mem_store: 0, sync_interval: \"2m\" }",
     "jetstream: {enabled: false, max_mem_store: 0, sync_interval: 2m0s}",
     check_js_block_disabled},
    {"store_dir: /data/top\njetstream: enabled",
     "store_dir: /data/top\njetstream: enabled", check_store_dir},
    {"port: 0\nmax_payload: 0\nmax_connections: 0\nping_interval: 0",
     "port: 0\nmax_payload: 0\nmax_connections: 0\nping_interval: 0",
     check_zero_means_default},
};

/* Every supported key, with its aliases and value shapes, means the same
 * in nats syntax and in YAML. */
START_TEST(key_means_the_same_in_both_formats)
{
    int rv = apply_nats(&o, keys[_i].nats, &n_warnings, errmsg);
    ck_assert_msg(rv == 0, "row %d nats: %s", _i, errmsg);
    ck_assert_msg(n_warnings == 0, "row %d nats: %zu warnings", _i, n_warnings);
    keys[_i].check();
    opts_close(&o);
    rv = apply_yaml(&o, keys[_i].yaml, &n_warnings, errmsg);
    ck_assert_msg(rv == 0, "row %d yaml: %s", _i, errmsg);
    ck_assert_msg(n_warnings == 0, "row %d yaml: %zu warnings", _i, n_warnings);
    keys[_i].check();
}
END_TEST

/* A cluster block is a warning naming key, file and line, not an error. */
START_TEST(cluster_block_warns_not_fails)
{
    capture_begin(2);
    int rv = apply_nats(&o,
                        "port: 4333\n\ncluster {\n  name: c1\n"
                        "  routes: [nats://a:6222]\n}\n",
                        &n_warnings, errmsg);
    char *out = capture_end();
    ck_assert_msg(rv == 0, "%s", errmsg);
    ck_assert_int_eq(n_warnings, 1);
    ck_assert_int_eq(o.port, 4333);
    ck_assert_msg(strstr(out, "t.conf:3: cluster: not supported") != NULL, "%s",
                  out);
    bl_free(out);
}
END_TEST

/* Unknown keys warn at every level; keys used as variables do not. */
START_TEST(unknown_keys_warn_variables_do_not)
{
    capture_begin(2);
    int rv = apply_nats(&o,
                        "pw = secret\n"
                        "bogus: 1\n"
                        "authorization {\n  user: a\n  password: $pw\n"
                        "  strange: 2\n}\n"
                        "tls { cert_file: x }\n"
                        "leafnodes { port: 7422 }\n"
                        "jetstream { domain: hub }\n",
                        &n_warnings, errmsg);
    char *out = capture_end();
    ck_assert_msg(rv == 0, "%s", errmsg);
    ck_assert_int_eq(n_warnings, 5);
    ck_assert_str_eq(o.password, "secret");
    ck_assert_ptr_nonnull(strstr(out, "t.conf:2: bogus: unknown key"));
    ck_assert_ptr_nonnull(
        strstr(out, "t.conf:6: authorization.strange: unknown key"));
    ck_assert_ptr_nonnull(strstr(out, "t.conf:8: tls: not supported"));
    ck_assert_ptr_nonnull(strstr(out, "t.conf:9: leafnodes: not supported"));
    ck_assert_ptr_nonnull(
        strstr(out, "t.conf:10: jetstream.domain: not supported"));
    ck_assert_ptr_null(strstr(out, "pw"));
    bl_free(out);
}
END_TEST

/* When a key repeats, only the last one counts. */
START_TEST(repeated_key_last_wins)
{
    int rv = apply_nats(&o,
                        "port: 1\nport: 2\n"
                        "authorization { users: [{user: a}] }\n"
                        "authorization { users: [{user: b}] }\n",
                        &n_warnings, errmsg);
    ck_assert_msg(rv == 0, "%s", errmsg);
    ck_assert_int_eq(o.port, 2);
    ck_assert_int_eq(o.n_users, 1);
    ck_assert_str_eq(o.users[0].user, "b");
}
END_TEST

static const struct {
    const char *text;
    const char *prefix; /* "FILE:LINE: path: " */
} invalid[] = {
    {"# c\nport: \"abc\"", "t.conf:2: port: expected an integer"},
    {"port: 70000", "t.conf:1: port: expected an integer between -1 and 65535"},
    {"http_port: -2", "t.conf:1: http_port: "},
    {"debug: 5", "t.conf:1: debug: expected true or false"},
    {"server_name: 12", "t.conf:1: server_name: expected a string"},
    {"max_payload: 3GB", "t.conf:1: max_payload: size"},
    {"max_payload: \"lots\"", "t.conf:1: max_payload: expected a size"},
    {"listen: \"nohost\"", "t.conf:1: listen: could not parse address"},
    {"listen: \"h:99999\"", "t.conf:1: listen: could not parse port"},
    {"http: [1]", "t.conf:1: http: expected a port"},
    {"ping_interval: 2MB", "t.conf:1: ping_interval: '2MB' is a size, not"},
    {"ping_interval: \"soon\"", "t.conf:1: ping_interval: expected a duration"},
    {"write_deadline: \"-1s\"", "t.conf:1: write_deadline: must be at least"},
    {"lame_duck_duration: \"10s\"", "t.conf:1: lame_duck_duration: must be"},
    {"authorization: 5", "t.conf:1: authorization: expected a block"},
    {"authorization {\n users: [ {password: x} ]\n}",
     "t.conf:2: authorization.users[0]: a user entry needs a user"},
    {"authorization {\n users: [ 5 ]\n}",
     "t.conf:2: authorization.users[0]: expected a user block"},
    {"authorization {\n user: a\n token: t\n}",
     "t.conf:1: authorization: cannot have a user/password and a token"},
    {"authorization {\n user: a\n users: []\n}",
     "t.conf:1: authorization: cannot have a single user/password and a "
     "users array"},
    {"authorization {\n users: [{user: a}\n {user: a}]\n}",
     "t.conf:3: user: user \"a\" is defined twice (first at t.conf:2)"},
    {"authorization { users: [{user: a, permissions: {publish: 5}}] }",
     "t.conf:1: authorization.users[0].permissions.publish: expected a "
     "subject"},
    {"authorization { users: [{user: a, permissions: [x]}] }",
     "t.conf:1: authorization.users[0].permissions: expected a permissions"},
    {"authorization { users: [{user: a, nkey: UABC}] }",
     "t.conf:1: authorization.users[0]: nkey users do not take"},
    {"accounts {\n  $G { }\n}", "t.conf:2: accounts.$G: \"$G\" is a reserved"},
    {"accounts {\n  A: 1\n}", "t.conf:2: accounts.A: expected an account"},
    {"accounts: [A, A]", "t.conf:1: accounts[1]: account \"A\" is defined"},
    {"authorization { user: u }\naccounts { A { users: [{user: x}] } }",
     "t.conf:2: accounts: cannot have a single user/password"},
    {"jetstream: maybe", "t.conf:1: jetstream: expected 'enabled' or"},
    {"jetstream: 1", "t.conf:1: jetstream: expected a bool"},
    {"jetstream { max_mem: -2 }", "t.conf:1: jetstream.max_mem: size -2"},
    {"store_dir: /a\njetstream { store_dir: /b }",
     "t.conf:2: jetstream.store_dir: store_dir is also set at the top level "
     "(line 1)"},
};

/* Wrong types and out-of-range values fail with BL_EINVAL and the
 * position and path of the key. */
START_TEST(invalid_values_report_file_line_and_key)
{
    int rv = apply_nats(&o, invalid[_i].text, &n_warnings, errmsg);
    ck_assert_msg(rv == BL_EINVAL, "row %d: rv %d (%s)", _i, rv, errmsg);
    ck_assert_msg(
        strncmp(errmsg, invalid[_i].prefix, strlen(invalid[_i].prefix)) == 0,
        "row %d: %s", _i, errmsg);
}
END_TEST

/* Durations follow Go's syntax, including fractions and compound forms. */
START_TEST(duration_syntax)
{
    static const struct {
        const char *text;
        int64_t ms;
    } d[] = {{"\"0\"", 0},         {"\"500ms\"", 500},
             {"\"1.5s\"", 1500},   {"\"1h30m\"", 5400000},
             {"\"2m3s\"", 123000}, {"\"1500000us\"", 1500},
             {"7", 7000}};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        char text[64];
        snprintf(text, sizeof(text), "lame_duck_grace_period: %s", d[i].text);
        int rv = apply_nats(&o, text, &n_warnings, errmsg);
        ck_assert_msg(rv == 0, "%s: %s", d[i].text, errmsg);
        ck_assert_int_eq(o.lame_duck_grace_period_ms, d[i].ms);
        opts_close(&o);
    }
}
END_TEST

Suite *apply_suite(void)
{
    Suite *s = suite_create("conf/apply");
    TCase *tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, key_means_the_same_in_both_formats, 0,
                        (int)(sizeof(keys) / sizeof(keys[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("warnings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cluster_block_warns_not_fails);
    tcase_add_test(tc, unknown_keys_warn_variables_do_not);
    tcase_add_test(tc, repeated_key_last_wins);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, invalid_values_report_file_line_and_key, 0,
                        (int)(sizeof(invalid) / sizeof(invalid[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("durations");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, duration_syntax);
    suite_add_tcase(s, tc);
    return s;
}
