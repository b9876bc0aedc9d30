#include "conf/opts.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include "util.h"

#include "suites.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#ifndef BALLAST_VERSION
#define BALLAST_VERSION "unknown"
#endif

static struct server_opts o;
static char errmsg[BL_ERRMSG_SIZE];

static void setup(void)
{
    errmsg[0] = '\0';
    tmpdir_make();
    opts_init(&o);
}

static void teardown(void)
{
    opts_close(&o);
    tmpdir_remove();
}

/* Runs opts_parse_args() on a NULL-terminated list (argv[0] added). */
static int parse_list(const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"ballastd";
    for (; *args != NULL; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return opts_parse_args(&o, argc, argv, errmsg);
}

#define PARSE(...) parse_list((const char *const[]){__VA_ARGS__, NULL})

static void check_port(void)
{
    ck_assert_int_eq(o.port, 5000);
}
static void check_host(void)
{
    ck_assert_str_eq(o.host, "127.0.0.2");
    ck_assert_str_eq(o.http_host, "127.0.0.2");
}
static void check_name(void)
{
    ck_assert_str_eq(o.server_name, "n9");
}
static void check_http_port(void)
{
    ck_assert_int_eq(o.http_port, 8333);
}
static void check_log(void)
{
    ck_assert_str_eq(o.log_file, "/tmp/b.log");
}
static void check_pid(void)
{
    ck_assert_str_eq(o.pid_file, "/tmp/b.pid");
}
static void check_js(void)
{
    ck_assert_int_eq(o.jetstream, true);
}
static void check_store_dir(void)
{
    ck_assert_str_eq(o.store_dir, "/tmp/js");
}
static void check_user(void)
{
    ck_assert_str_eq(o.username, "u");
    ck_assert_str_eq(o.password, "p");
}
static void check_auth(void)
{
    ck_assert_str_eq(o.auth_token, "tok");
}
static void check_debug(void)
{
    ck_assert_int_eq(o.debug, true);
    ck_assert_int_eq(o.trace, false);
}
static void check_trace(void)
{
    ck_assert_int_eq(o.debug, false);
    ck_assert_int_eq(o.trace, true);
}
static void check_debug_trace(void)
{
    ck_assert_int_eq(o.debug, true);
    ck_assert_int_eq(o.trace, true);
}
static void check_no_logtime(void)
{
    ck_assert_int_eq(o.logtime, false);
}
static void check_advertise(void)
{
    ck_assert_str_eq(o.client_advertise, "x:1");
}
static void check_random_port(void)
{
    ck_assert_int_eq(o.port, -1);
}

static const struct {
    const char *args[4];
    void (*check)(void);
} spellings[] = {
    {{"-p", "5000"}, check_port},
    {{"--port", "5000"}, check_port},
    {{"-port=5000"}, check_port},
    {{"--port=5000"}, check_port},
    {{"-p", "-1"}, check_random_port},
    {{"-a", "127.0.0.2"}, check_host},
    {{"--addr", "127.0.0.2"}, check_host},
    {{"--net=127.0.0.2"}, check_host},
    {{"-n", "n9"}, check_name},
    {{"--name", "n9"}, check_name},
    {{"-server_name", "n9"}, check_name},
    {{"--server_name=n9"}, check_name},
    {{"-m", "8333"}, check_http_port},
    {{"--http_port", "8333"}, check_http_port},
    {{"-l", "/tmp/b.log"}, check_log},
    {{"--log", "/tmp/b.log"}, check_log},
    {{"-P", "/tmp/b.pid"}, check_pid},
    {{"--pid=/tmp/b.pid"}, check_pid},
    {{"-js"}, check_js},
    {{"--jetstream"}, check_js},
    {{"-jetstream=true"}, check_js},
    {{"-sd", "/tmp/js"}, check_store_dir},
    {{"--store_dir", "/tmp/js"}, check_store_dir},
    {{"--user", "u", "--pass", "p"}, check_user},
    {{"-user=u", "-pass=p"}, check_user},
    {{"--auth", "tok"}, check_auth},
    {{"-D"}, check_debug},
    {{"--debug"}, check_debug},
    {{"-V"}, check_trace},
    {{"--trace"}, check_trace},
    {{"-DV"}, check_debug_trace},
    {{"-D", "-V"}, check_debug_trace},
    {{"-DV", "-V=false"}, check_debug},
    {{"-T=false"}, check_no_logtime},
    {{"--logtime=0"}, check_no_logtime},
    {{"--client_advertise", "x:1"}, check_advertise},
};

/* Every flag spelling (one or two dashes, "=value" or a separate value)
 * sets its option. */
START_TEST(flag_spellings)
{
    const char *args[5] = {0};
    memcpy(args, spellings[_i].args, sizeof(spellings[_i].args));
    int rv = parse_list(args);
    ck_assert_msg(rv == 0, "row %d: %s", _i, errmsg);
    spellings[_i].check();
}
END_TEST

/* Flags beat the file whether they come before or after -c; the file
 * beats the defaults. */
START_TEST(flags_override_file_in_any_order)
{
    const char *path = tmpdir_write("s.conf", "port: 1111\nserver_name: file\n"
                                              "debug: true\n"
                                              "max_payload: 2MB\n");
    ck_assert_int_eq(PARSE("-p", "2222", "-c", path, "-D=false"), 0);
    ck_assert_int_eq(o.port, 2222);
    ck_assert_int_eq(o.debug, false);
    ck_assert_str_eq(o.server_name, "file");
    ck_assert_int_eq(o.max_payload, 2 * 1024 * 1024);
    ck_assert_str_eq(o.config_file, path);
    opts_close(&o);
    opts_init(&o);
    ck_assert_int_eq(PARSE("--config", path, "--name", "flag"), 0);
    ck_assert_int_eq(o.port, 1111);
    ck_assert_int_eq(o.debug, true);
    ck_assert_str_eq(o.server_name, "flag");
}
END_TEST

/* A YAML file given with -c works the same way. */
START_TEST(yaml_config_flag)
{
    const char *path = tmpdir_write("s.yaml", "port: 1111\nhttp: 9000\n");
    ck_assert_int_eq(PARSE("-c", path, "-a", "10.1.1.1"), 0);
    ck_assert_int_eq(o.port, 1111);
    ck_assert_int_eq(o.http_port, 9000);
    ck_assert_str_eq(o.host, "10.1.1.1");
    ck_assert_str_eq(o.http_host, "10.1.1.1");
}
END_TEST

/* An error in the file is returned with its position. */
START_TEST(config_errors_propagate)
{
    const char *path = tmpdir_write("bad.conf", "port: 1\nport: x y\n");
    ck_assert_int_eq(PARSE("-c", path), BL_ESYNTAX);
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "%s:2: ", path);
    ck_assert_msg(strncmp(errmsg, prefix, strlen(prefix)) == 0, "%s", errmsg);
}
END_TEST

static const struct {
    const char *args[3];
    int code;
    const char *what;
} bad[] = {
    {{"--bogus"}, BL_EINVAL, "flag provided but not defined: -bogus"},
    {{"-x=1"}, BL_EINVAL, "flag provided but not defined: -x"},
    {{"-tls"}, BL_EUNSUPPORTED, "-tls is not supported"},
    {{"--routes", "nats://a:6222"}, BL_EUNSUPPORTED, "-routes"},
    {{"-p"}, BL_EINVAL, "flag needs an argument: -p"},
    {{"-p", "abc"}, BL_EINVAL, "invalid value \"abc\" for flag -p"},
    {{"-m=1.5"}, BL_EINVAL, "invalid value \"1.5\" for flag -m"},
    {{"-D=maybe"}, BL_EINVAL, "invalid boolean value \"maybe\" for -D"},
    {{"---p", "1"}, BL_EINVAL, "bad flag syntax: ---p"},
    {{"-p", "1", "extra"}, BL_EINVAL, "unrecognized command: \"extra\""},
};

/* Unknown, unsupported and malformed flags are errors naming the flag. */
START_TEST(bad_flags_are_named)
{
    const char *args[4] = {0};
    memcpy(args, bad[_i].args, sizeof(bad[_i].args));
    int rv = parse_list(args);
    ck_assert_msg(rv == bad[_i].code, "row %d: rv %d (%s)", _i, rv, errmsg);
    ck_assert_msg(strstr(errmsg, bad[_i].what) != NULL, "row %d: %s", _i,
                  errmsg);
}
END_TEST

/* -h prints usage to stdout and returns 1; -v prints the version. */
START_TEST(help_and_version_return_one)
{
    static const char *const help[][2] = {
        {"-h", NULL}, {"--help", NULL}, {"help", NULL}};
    for (size_t i = 0; i < 3; i++) {
        capture_begin(1);
        int rv = parse_list(help[i]);
        char *out = capture_end();
        ck_assert_int_eq(rv, 1);
        ck_assert_msg(strstr(out, "Usage: ballastd") != NULL, "%s", out);
        ck_assert_ptr_nonnull(strstr(out, "--store_dir"));
        bl_free(out);
    }
    static const char *const version[][4] = {
        {"-v", NULL}, {"--version", NULL}, {"-p", "1", "version", NULL}};
    for (size_t i = 0; i < 3; i++) {
        capture_begin(1);
        int rv = parse_list(version[i]);
        char *out = capture_end();
        ck_assert_int_eq(rv, 1);
        ck_assert_str_eq(out, "ballastd version " BALLAST_VERSION "\n");
        bl_free(out);
    }
}
END_TEST

/* Help wins over a bad config file: the file is not read. */
START_TEST(help_does_not_load_config)
{
    capture_begin(1);
    int rv = PARSE("-c", "/nonexistent/file.conf", "-h");
    char *out = capture_end();
    bl_free(out);
    ck_assert_int_eq(rv, 1);
}
END_TEST

/* "--" ends the flags; what follows is a command. */
START_TEST(double_dash_ends_flags)
{
    capture_begin(1);
    int rv = PARSE("-p", "7", "--", "version");
    char *out = capture_end();
    bl_free(out);
    ck_assert_int_eq(rv, 1);
    ck_assert_int_eq(PARSE("-p", "7", "--", "-D"), BL_EINVAL);
}
END_TEST

Suite *args_suite(void)
{
    Suite *s = suite_create("conf/args");
    TCase *tc = tcase_create("spellings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, flag_spellings, 0,
                        (int)(sizeof(spellings) / sizeof(spellings[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("precedence");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, flags_override_file_in_any_order);
    tcase_add_test(tc, yaml_config_flag);
    tcase_add_test(tc, config_errors_propagate);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_flags_are_named, 0,
                        (int)(sizeof(bad) / sizeof(bad[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("help");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, help_and_version_return_one);
    tcase_add_test(tc, help_does_not_load_config);
    tcase_add_test(tc, double_dash_ends_flags);
    suite_add_tcase(s, tc);
    return s;
}
