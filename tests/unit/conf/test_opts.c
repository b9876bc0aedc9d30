#include "conf/opts.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include "util.h"

#include "suites.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static struct server_opts o;
static char errmsg[BL_ERRMSG_SIZE];
static const char *dir;

static void setup(void)
{
    errmsg[0] = '\0';
    dir = tmpdir_make();
    opts_init(&o);
}

static void teardown(void)
{
    opts_close(&o);
    tmpdir_remove();
}

/* opts_init() fills in the documented defaults. */
START_TEST(defaults_match_the_header)
{
    ck_assert_str_eq(o.host, "0.0.0.0");
    ck_assert_int_eq(o.port, 4222);
    ck_assert_int_eq(o.http_port, 0);
    ck_assert_int_eq(o.max_payload, 1024 * 1024);
    ck_assert_int_eq(o.max_control_line, 4096);
    ck_assert_int_eq(o.max_pending, 64 * 1024 * 1024);
    ck_assert_int_eq(o.max_connections, 65536);
    ck_assert_int_eq(o.max_subscriptions, 0);
    ck_assert_int_eq(o.ping_interval_ms, 120000);
    ck_assert_int_eq(o.max_pings_out, 2);
    ck_assert_int_eq(o.auth_timeout_ms, 2000);
    ck_assert_int_eq(o.write_deadline_ms, 10000);
    ck_assert_int_eq(o.lame_duck_duration_ms, 120000);
    ck_assert_int_eq(o.lame_duck_grace_period_ms, 10000);
    ck_assert_str_eq(o.system_account, "$SYS");
    ck_assert_int_eq(o.logtime, true);
    ck_assert_int_eq(o.debug, false);
    ck_assert_int_eq(o.jetstream, false);
    ck_assert_int_eq(o.js_max_memory, -1);
    ck_assert_int_eq(o.js_max_file, -1);
    ck_assert_int_eq(o.sync_interval_ms, 0);
    ck_assert_ptr_null(o.store_dir);
    ck_assert_int_eq(opts_validate(&o, errmsg), 0);
}
END_TEST

static void check_realistic(const char *path)
{
    ck_assert_str_eq(o.config_file, path);
    ck_assert_str_eq(o.server_name, "ballast-1");
    ck_assert_str_eq(o.host, "127.0.0.1");
    ck_assert_int_eq(o.port, 4333);
    ck_assert_int_eq(o.http_port, 8222);
    ck_assert_int_eq(o.max_payload, 2 * 1024 * 1024);
    ck_assert_int_eq(o.max_connections, 1000);
    ck_assert_int_eq(o.ping_interval_ms, 30000);
    ck_assert_int_eq(o.write_deadline_ms, 5000);
    ck_assert_int_eq(o.lame_duck_duration_ms, 60000);
    ck_assert_int_eq(o.auth_timeout_ms, 1500);
    ck_assert_int_eq(o.n_users, 4);
    ck_assert_str_eq(o.users[0].user, "alice");
    ck_assert_str_eq(o.users[0].perms.publish.deny[0], "orders.secret");
    ck_assert_str_eq(o.users[1].user, "bob");
    ck_assert_str_eq(o.users[1].password,
                     "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/"
                     "sSOT.xtiHyG");
    ck_assert_str_eq(o.users[1].perms.subscribe.allow[1], "_INBOX.>");
    ck_assert_str_eq(o.users[2].user, "app1");
    ck_assert_str_eq(o.users[2].password, "pw1");
    ck_assert_str_eq(o.users[2].account, "APP");
    ck_assert_str_eq(o.users[3].account, "$SYS");
    ck_assert_int_eq(o.n_accounts, 2);
    ck_assert_int_eq(o.accounts[0].jetstream, true);
    ck_assert_str_eq(o.no_auth_user, "bob");
    ck_assert_int_eq(o.jetstream, true);
    ck_assert_str_eq(o.store_dir, "/var/lib/ballast");
    ck_assert_int_eq(o.js_max_memory, 1000000000);
    ck_assert_int_eq(o.js_max_file, 10LL << 30);
    ck_assert_int_eq(opts_validate(&o, errmsg), 0);
}

/* A realistic nats-server file (with an include and a variable) loads. */
START_TEST(realistic_nats_file_loads)
{
    const char *path = CONF_TEST_DATA_DIR "/realistic.conf";
    ck_assert_msg(opts_load_file(&o, path, errmsg) == 0, "%s", errmsg);
    check_realistic(path);
}
END_TEST

/* The same configuration in YAML gives the same options. */
START_TEST(realistic_yaml_file_loads_the_same)
{
    const char *path = CONF_TEST_DATA_DIR "/realistic.yaml";
    ck_assert_msg(opts_load_file(&o, path, errmsg) == 0, "%s", errmsg);
    check_realistic(path);
}
END_TEST

/* The extension picks the format: .yml is YAML, anything else nats. */
START_TEST(extension_picks_the_format)
{
    const char *path = tmpdir_write("a.yml", "port: 1234\n");
    ck_assert_msg(opts_load_file(&o, path, errmsg) == 0, "%s", errmsg);
    ck_assert_int_eq(o.port, 1234);
    /* "port = 1" is not YAML, but is nats syntax. */
    path = tmpdir_write("a.cfg", "port = 1235\n");
    ck_assert_msg(opts_load_file(&o, path, errmsg) == 0, "%s", errmsg);
    ck_assert_int_eq(o.port, 1235);
}
END_TEST

static const struct {
    const char *name;
    const char *text;
    int code;
    int line;
    const char *what;
} load_errors[] = {
    {"block.conf", "port: 4222\nauthorization {\n  user: a\n", BL_ESYNTAX, 2,
     "never closed"},
    {"type.conf", "port: 4222\n\ndebug: \"loud\"\n", BL_EINVAL, 3,
     "debug: expected true or false"},
    {"range.conf", "# ports\nport: 65536\n", BL_EINVAL, 2,
     "port: expected an integer between -1 and 65535"},
    {"include.conf", "port: 4222\ninclude ./missing.conf\n", BL_ENOENT, 2,
     "include ./missing.conf"},
    {"var.conf", "a {\n  b: $UNDEFINED_BALLAST_VAR\n}\n", BL_ENOENT, 2,
     "variable '$UNDEFINED_BALLAST_VAR' is not defined"},
    {"block.yaml", "port: 4222\nauthorization: {user: a\n", BL_ESYNTAX, 3, ""},
    {"type.yaml", "port: 4222\ndebug: loud\n", BL_EINVAL, 2,
     "debug: expected true or false"},
    {"range.yaml", "port: 65536\n", BL_EINVAL, 1, "port: expected"},
};

/* Load errors carry the exact code and start with "FILE:LINE: ". */
START_TEST(load_errors_start_with_file_and_line)
{
    const char *path = tmpdir_write(load_errors[_i].name, load_errors[_i].text);
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "%s:%d: ", path, load_errors[_i].line);
    int rv = opts_load_file(&o, path, errmsg);
    ck_assert_msg(rv == load_errors[_i].code, "row %d: rv %d (%s)", _i, rv,
                  errmsg);
    ck_assert_msg(strncmp(errmsg, prefix, strlen(prefix)) == 0,
                  "row %d: want prefix %s, got %s", _i, prefix, errmsg);
    ck_assert_msg(strstr(errmsg, load_errors[_i].what) != NULL, "row %d: %s",
                  _i, errmsg);
}
END_TEST

/* A missing file names the file and maps errno to a code. */
START_TEST(missing_file_names_the_file)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/nope.conf", dir);
    ck_assert_int_eq(opts_load_file(&o, path, errmsg), BL_ENOENT);
    ck_assert_ptr_nonnull(strstr(errmsg, "nope.conf"));
    ck_assert_ptr_null(o.config_file);
}
END_TEST

static void add_user(const char *name, const char *account)
{
    o.users = bl_xrealloc(o.users, (o.n_users + 1) * sizeof(*o.users));
    memset(&o.users[o.n_users], 0, sizeof(o.users[0]));
    o.users[o.n_users].user = bl_xstrdup(name);
    o.users[o.n_users].account = account ? bl_xstrdup(account) : NULL;
    o.n_users++;
}

static void add_account(const char *name)
{
    o.accounts =
        bl_xrealloc(o.accounts, (o.n_accounts + 1) * sizeof(*o.accounts));
    o.accounts[o.n_accounts].name = bl_xstrdup(name);
    o.accounts[o.n_accounts].jetstream = false;
    o.n_accounts++;
}

static void bad_port(void)
{
    o.port = 70000;
}
static void bad_http_port(void)
{
    o.http_port = -5;
}
static void missing_account(void)
{
    add_user("a", "NOPE");
}
static void duplicate_user(void)
{
    add_user("a", NULL);
    add_user("a", NULL);
}
static void no_auth_user_unknown(void)
{
    add_user("a", NULL);
    o.no_auth_user = bl_xstrdup("b");
}
static void system_account_unknown(void)
{
    bl_free(o.system_account);
    o.system_account = bl_xstrdup("SYS");
}
static void payload_above_pending(void)
{
    o.max_payload = o.max_pending + 1;
}
static void grace_not_shorter(void)
{
    o.lame_duck_grace_period_ms = o.lame_duck_duration_ms;
}
static void duplicate_account(void)
{
    add_account("A");
    add_account("A");
}
static void token_and_users(void)
{
    add_user("a", NULL);
    o.auth_token = bl_xstrdup("t");
}

static const struct {
    void (*mutate)(void);
    const char *what;
} invalid[] = {
    {bad_port, "port 70000"},
    {bad_http_port, "http_port -5"},
    {missing_account, "account \"NOPE\" is not defined"},
    {duplicate_user, "user \"a\" is defined twice"},
    {no_auth_user_unknown, "no_auth_user \"b\""},
    {system_account_unknown, "system_account \"SYS\""},
    {payload_above_pending, "cannot be higher than max_pending"},
    {grace_not_shorter, "must be shorter"},
    {duplicate_account, "account \"A\" is defined twice"},
    {token_and_users, "token and users"},
};

/* Cross-field rules fail with BL_EINVAL and say which rule. */
START_TEST(validate_rejects_inconsistent_options)
{
    invalid[_i].mutate();
    ck_assert_int_eq(opts_validate(&o, errmsg), BL_EINVAL);
    ck_assert_msg(strstr(errmsg, invalid[_i].what) != NULL, "row %d: %s", _i,
                  errmsg);
}
END_TEST

/* Valid combinations pass: users in defined accounts, a custom system
 * account that exists, no_auth_user naming a user. */
START_TEST(validate_accepts_consistent_options)
{
    add_account("APP");
    add_account("SYS");
    add_user("a", "APP");
    add_user("b", NULL);
    add_user("s", "SYS");
    bl_free(o.system_account);
    o.system_account = bl_xstrdup("SYS");
    o.no_auth_user = bl_xstrdup("b");
    o.port = -1;
    o.http_port = 8222;
    ck_assert_msg(opts_validate(&o, errmsg) == 0, "%s", errmsg);
}
END_TEST

Suite *opts_suite(void)
{
    Suite *s = suite_create("conf/opts");
    TCase *tc = tcase_create("defaults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_match_the_header);
    suite_add_tcase(s, tc);
    tc = tcase_create("load_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, realistic_nats_file_loads);
    tcase_add_test(tc, realistic_yaml_file_loads_the_same);
    tcase_add_test(tc, extension_picks_the_format);
    tcase_add_test(tc, missing_file_names_the_file);
    tcase_add_loop_test(tc, load_errors_start_with_file_and_line, 0,
                        (int)(sizeof(load_errors) / sizeof(load_errors[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, validate_rejects_inconsistent_options, 0,
                        (int)(sizeof(invalid) / sizeof(invalid[0])));
    tcase_add_test(tc, validate_accepts_consistent_options);
    suite_add_tcase(s, tc);
    return s;
}
