/* End-to-end tests of the `ballast` CLI: each case starts a JetStream server
 * (BALLAST_TEST_SERVER with -js -sd <dir>), runs the ballast binary named by
 * BALLAST_CLI as a child process and checks its exit code and what it
 * printed. Message contents are cross-checked with the C client where the
 * CLI's text would not prove them (backup/restore). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ballast/buf.h"
#include "harness.h"

#define CLI_MAX_ARGS 48
#define CLI_TIMEOUT_MS 30000

static struct harness_server srv, srv2, srv3;

/* ---- running the CLI ---- */

struct proc {
    pid_t pid;
    int out_fd, err_fd; /* -1 once at EOF */
    struct bl_buf out, err;
    int exit_code; /* exit status, or 128+signal */
};

static const char *cli_bin(void)
{
    const char *bin = getenv("BALLAST_CLI");
    ck_assert_msg(bin != NULL && access(bin, X_OK) == 0,
                  "BALLAST_CLI must name the ballast binary");
    return bin;
}

/* Starts ballast with `args` (NULL-terminated); "-s <url of s>" is added
 * when `s` is not NULL. */
static void proc_start(struct proc *p, const struct harness_server *s,
                       const char *const *args)
{
    const char *argv[CLI_MAX_ARGS + 4];
    int n = 0;
    argv[n++] = cli_bin();
    if (s != NULL) {
        argv[n++] = "-s";
        argv[n++] = s->url;
    }
    for (int i = 0; args[i] != NULL && n < CLI_MAX_ARGS; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int out[2], err[2];
    ck_assert_int_eq(pipe(out), 0);
    ck_assert_int_eq(pipe(err), 0);
    memset(p, 0, sizeof *p);
    bl_buf_init(&p->out);
    bl_buf_init(&p->err);
    p->pid = fork();
    ck_assert_int_ge(p->pid, 0);
    if (p->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    p->out_fd = out[0];
    p->err_fd = err[0];
}

/* Reads whatever is available for up to `timeout_ms`; returns 0 when both
 * pipes reached EOF. */
static int proc_pump(struct proc *p, int timeout_ms)
{
    struct pollfd fds[2] = {{p->out_fd, POLLIN, 0}, {p->err_fd, POLLIN, 0}};
    if (p->out_fd < 0 && p->err_fd < 0)
        return 0;
    if (poll(fds, 2, timeout_ms) <= 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char buf[8192];
        ssize_t r = read(fds[i].fd, buf, sizeof buf);
        if (r > 0) {
            bl_buf_append(i == 0 ? &p->out : &p->err, buf, (size_t)r);
        } else {
            close(fds[i].fd);
            if (i == 0)
                p->out_fd = -1;
            else
                p->err_fd = -1;
        }
    }
    return p->out_fd < 0 && p->err_fd < 0 ? 0 : 1;
}

/* Waits until stdout contains `needle`; fails the test after timeout_ms. */
static void proc_expect_out(struct proc *p, const char *needle, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (p->out.p == NULL || strstr(p->out.p, needle) == NULL) {
        int64_t left = deadline - harness_now_ms();
        ck_assert_msg(left > 0 && proc_pump(p, (int)left) != 0,
                      "ballast never printed \"%s\"; stdout:\n%s\nstderr:\n%s",
                      needle, p->out.p ? p->out.p : "",
                      p->err.p ? p->err.p : "");
    }
}

/* Collects all output and the exit code (killing it after timeout_ms). */
static int proc_wait(struct proc *p, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (proc_pump(p, 100) != 0) {
        if (harness_now_ms() > deadline) {
            kill(p->pid, SIGKILL);
            break;
        }
    }
    int status = 0;
    ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    p->exit_code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* Appending nothing still allocates: out.p and err.p are strings. */
    bl_buf_append(&p->out, "", 0);
    bl_buf_append(&p->err, "", 0);
    return p->exit_code;
}

static void proc_close(struct proc *p)
{
    bl_buf_close(&p->out);
    bl_buf_close(&p->err);
}

/* Runs ballast against `s` with the NULL-terminated arguments and waits. */
static int cli_on(struct proc *p, const struct harness_server *s, ...)
{
    const char *args[CLI_MAX_ARGS + 1];
    int n = 0;
    va_list ap;
    va_start(ap, s);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < CLI_MAX_ARGS)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    proc_start(p, s, args);
    return proc_wait(p, CLI_TIMEOUT_MS);
}

#define cli(p, ...) cli_on((p), &srv, __VA_ARGS__, (const char *)NULL)

/* Runs a command that must succeed; fails the test with its output if not,
 * and returns its stdout (valid until the next call). */
static const char *ok(const char *first, ...)
{
    static struct proc p;
    proc_close(&p);
    const char *args[CLI_MAX_ARGS + 1];
    int n = 0;
    args[n++] = first;
    va_list ap;
    va_start(ap, first);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < CLI_MAX_ARGS)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    proc_start(&p, &srv, args);
    int rc = proc_wait(&p, CLI_TIMEOUT_MS);
    ck_assert_msg(rc == 0, "ballast %s ... exited %d\nstdout:\n%s\nstderr:\n%s",
                  first, rc, p.out.p, p.err.p);
    return p.out.p;
}
#define OK(...) ok(__VA_ARGS__, (const char *)NULL)

#define ASSERT_HAS(text, needle)                                               \
    ck_assert_msg(strstr((text), (needle)) != NULL, "expected \"%s\" in:\n%s", \
                  (needle), (text))
#define ASSERT_LACKS(text, needle)                                             \
    ck_assert_msg(strstr((text), (needle)) == NULL,                            \
                  "did not expect \"%s\" in:\n%s", (needle), (text))

static void start_js(struct harness_server *s, const char *name, int http)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", harness_dir(), name);
    mkdir(dir, 0700);
    const char *args[] = {"-js", "-sd", dir, NULL};
    harness_server_start(s, http, args);
}

/* Publishes `n` messages "msg <i>" to `subject` with header X-Test: <i>
 * through the C client, each acknowledged by the stream. */
static void publish_acked(const struct harness_server *s, const char *subject,
                          int n)
{
    natsConnection *nc = harness_connect(s, NULL);
    for (int i = 1; i <= n; i++) {
        char body[64], hv[32];
        snprintf(body, sizeof body, "msg %d", i);
        snprintf(hv, sizeof hv, "%d", i);
        natsMsg *m = NULL, *reply = NULL;
        HARNESS_NATS_OK("create", natsMsg_Create(&m, subject, NULL, body,
                                                 (int)strlen(body)));
        HARNESS_NATS_OK("header", natsMsgHeader_Set(m, "X-Test", hv));
        HARNESS_NATS_OK("publish",
                        natsConnection_RequestMsg(&reply, nc, m, 5000));
        ck_assert_msg(strstr(natsMsg_GetData(reply), "\"seq\"") != NULL,
                      "no pub ack: %s", natsMsg_GetData(reply));
        natsMsg_Destroy(reply);
        natsMsg_Destroy(m);
    }
    natsConnection_Destroy(nc);
}

/* STREAM.MSG.GET of `seq` through the C client: the "message" object as a
 * compact JSON string without "time"'s nanoseconds lost (free()). NULL when
 * the server has no such message. */
static char *get_msg_json(natsConnection *nc, const char *stream, int seq)
{
    char subj[256], body[64];
    snprintf(subj, sizeof subj, "$JS.API.STREAM.MSG.GET.%s", stream);
    snprintf(body, sizeof body, "{\"seq\":%d}", seq);
    natsMsg *reply = NULL;
    HARNESS_NATS_OK("msg get",
                    natsConnection_RequestString(&reply, nc, subj, body, 5000));
    json_t *j = json_loadb(natsMsg_GetData(reply),
                           (size_t)natsMsg_GetDataLength(reply), 0, NULL);
    natsMsg_Destroy(reply);
    ck_assert_ptr_nonnull(j);
    json_t *m = json_object_get(j, "message");
    char *out = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return out;
}

/* ---- help and bad input ---- */

/* --help at every level prints usage and exits 0; an unknown command or
 * option, a missing argument or a bad value exits 1 with "error: ...". */
START_TEST(help_and_bad_input)
{
    struct proc p;
    ck_assert_int_eq(cli_on(&p, NULL, "--help", (const char *)NULL), 0);
    ASSERT_HAS(p.out.p, "stream report");
    ASSERT_HAS(p.out.p, "consumer next");
    ASSERT_HAS(p.out.p, "--server");
    proc_close(&p);
    ck_assert_int_eq(
        cli_on(&p, NULL, "stream", "add", "--help", (const char *)NULL), 0);
    ASSERT_HAS(p.out.p, "--max-msgs-per-subject");
    ASSERT_HAS(p.out.p, "--dupe-window");
    proc_close(&p);
    ck_assert_int_eq(cli_on(&p, NULL, "stream", "--help", (const char *)NULL),
                     0);
    ASSERT_HAS(p.out.p, "backup");
    proc_close(&p);

    ck_assert_int_eq(cli_on(&p, NULL, "frobnicate", (const char *)NULL), 1);
    ASSERT_HAS(p.err.p, "error: unknown command 'frobnicate'");
    proc_close(&p);
    ck_assert_int_eq(
        cli_on(&p, NULL, "stream", "info", "--bogus", "X", (const char *)NULL),
        1);
    ASSERT_HAS(p.err.p, "error: unknown option --bogus");
    proc_close(&p);
    ck_assert_int_eq(cli_on(&p, NULL, "stream", "info", (const char *)NULL), 1);
    ASSERT_HAS(p.err.p, "error: ");
    proc_close(&p);
    ck_assert_int_eq(cli_on(&p, NULL, "stream", "add", "X", "--max-age", "1x",
                            (const char *)NULL),
                     1);
    ASSERT_HAS(p.err.p, "error: invalid --max-age '1x'");
    proc_close(&p);
    ck_assert_int_eq(cli_on(&p, NULL, "stream", "add", "X", "--storage", "tape",
                            (const char *)NULL),
                     1);
    ASSERT_HAS(p.err.p, "error: invalid --storage 'tape'");
    proc_close(&p);
    /* Nothing listens on port 1: a connect error, not a hang. */
    ck_assert_int_eq(cli_on(&p, NULL, "-s", "nats://127.0.0.1:1", "stream",
                            "ls", (const char *)NULL),
                     1);
    ASSERT_HAS(p.err.p, "error: connect to nats://127.0.0.1:1");
    proc_close(&p);
}
END_TEST

/* ---- core NATS ---- */

/* sub prints each message's subject, headers and body; pub sends them. */
START_TEST(pub_and_sub_show_subject_headers_body)
{
    harness_server_start(&srv, 0, NULL);
    struct proc sub;
    const char *sub_args[] = {"-s", srv.url,  "sub", "greet.>", "--count",
                              "2",  "--wait", "10s", NULL};
    proc_start(&sub, NULL, sub_args);
    proc_expect_out(&sub, "Subscribing on greet.>", 10000);
    struct proc p;
    ck_assert_int_eq(cli(&p, "pub", "greet.en", "hello", "-H", "Lang:en", "-H",
                         "X-Trace:abc"),
                     0);
    ASSERT_HAS(p.err.p, "Published 5 bytes to \"greet.en\"");
    proc_close(&p);
    ck_assert_int_eq(cli(&p, "pub", "greet.fr", "bonjour"), 0);
    proc_close(&p);
    ck_assert_int_eq(proc_wait(&sub, 10000), 0);
    ASSERT_HAS(sub.out.p, "[#1] Received on \"greet.en\"");
    ASSERT_HAS(sub.out.p, "Lang: en");
    ASSERT_HAS(sub.out.p, "X-Trace: abc");
    ASSERT_HAS(sub.out.p, "hello");
    ASSERT_HAS(sub.out.p, "[#2] Received on \"greet.fr\"");
    ASSERT_HAS(sub.out.p, "bonjour");
    proc_close(&sub);
}
END_TEST

/* reply answers a request; request prints the answer; a request nobody
 * serves fails with "no responders". */
START_TEST(request_and_reply)
{
    harness_server_start(&srv, 0, NULL);
    struct proc rep;
    const char *rep_args[] = {"-s",      srv.url, "reply",  "svc.time", "noon",
                              "--count", "1",     "--wait", "10s",      NULL};
    proc_start(&rep, NULL, rep_args);
    proc_expect_out(&rep, "Listening on \"svc.time\"", 10000);
    struct proc p;
    ck_assert_int_eq(cli(&p, "request", "svc.time", "what time?"), 0);
    ck_assert_str_eq(p.out.p, "noon\n");
    proc_close(&p);
    ck_assert_int_eq(proc_wait(&rep, 10000), 0);
    ASSERT_HAS(rep.out.p, "Received on \"svc.time\" with reply");
    ASSERT_HAS(rep.out.p, "what time?");
    proc_close(&rep);

    ck_assert_int_eq(cli(&p, "request", "svc.none", "x"), 1);
    ASSERT_HAS(p.err.p, "error: no responders");
    proc_close(&p);
}
END_TEST

/* ---- streams ---- */

/* stream add with every limit flag, then info, ls and report show the
 * configuration and the state in the nats CLI's formats. */
START_TEST(stream_add_info_ls_report)
{
    start_js(&srv, "js", 0);
    const char *out =
        OK("stream", "add", "ORDERS", "--subjects", "orders.*,returns.*",
           "--storage", "file", "--retention", "limits", "--max-msgs", "100000",
           "--max-bytes", "1MiB", "--max-age", "1h", "--max-msg-size", "2KB",
           "--max-msgs-per-subject", "5000", "--discard", "new",
           "--dupe-window", "90s", "--allow-rollup", "--deny-delete",
           "--allow-direct", "--description", "all the orders");
    ASSERT_HAS(out, "Stream ORDERS was created");
    ASSERT_HAS(out, "Information for Stream ORDERS created ");
    ASSERT_HAS(out, "Configuration:");
    ASSERT_HAS(out, "            Subjects: orders.*, returns.*\n");
    ASSERT_HAS(out, " Maximum Messages: 100,000\n");
    ASSERT_HAS(out, " Maximum Bytes: 1.0 MiB\n");
    ASSERT_HAS(out, " Maximum Age: 1h0m0s\n");
    ASSERT_HAS(out, " Maximum Message Size: 2.0 KiB\n");
    ASSERT_HAS(out, " Maximum Per Subject: 5,000\n");
    ASSERT_HAS(out, " Discard Policy: New\n");
    ASSERT_HAS(out, " Duplicate Window: 1m30s\n");
    ASSERT_HAS(out, " Allows Rollups: true\n");
    ASSERT_HAS(out, " Allows Msg Delete: false\n");
    ASSERT_HAS(out, " Direct Get: true\n");
    ASSERT_HAS(out, " Description: all the orders\n");
    ASSERT_HAS(out, "State:");
    /* No cluster: no Cluster Information section. */
    ASSERT_LACKS(out, "Cluster Information");

    OK("pub", "orders.new", "order {{Count}}", "--count", "1500");
    OK("stream", "add", "EVENTS", "--subjects", "events.>", "--storage",
       "memory");
    publish_acked(&srv, "events.x", 2);

    out = OK("stream", "info", "ORDERS");
    ASSERT_HAS(out, " Messages: 1,500\n");
    ASSERT_HAS(out, " First Sequence: 1 @ ");
    ASSERT_HAS(out, " Last Sequence: 1,500 @ ");
    ASSERT_HAS(out, " Storage: File\n");
    /* Every key is right-aligned: the colons line up. */
    const char *a = strstr(out, "Subjects:"), *b = strstr(out, "Messages: 1");
    const char *la = a, *lb = b;
    while (la > out && la[-1] != '\n')
        la--;
    while (lb > out && lb[-1] != '\n')
        lb--;
    ck_assert_int_eq((int)(a + 8 - la), (int)(b + 8 - lb));

    out = OK("stream", "ls");
    ASSERT_HAS(out, "| ORDERS ");
    ASSERT_HAS(out, "| all the orders ");
    ASSERT_HAS(out, "| 1,500 ");
    ASSERT_HAS(out, "| EVENTS ");
    ASSERT_HAS(out, "| Last Message |");
    out = OK("stream", "ls", "--names");
    ck_assert_str_eq(out, "EVENTS\nORDERS\n");

    out = OK("stream", "report");
    ASSERT_HAS(out, "| Stream | Storage | Placement | Consumers | Messages | "
                    "Bytes ");
    ASSERT_HAS(out, "| Replicas |");
    ASSERT_HAS(out, "| EVENTS | Memory  |");
    ASSERT_HAS(out, "| ORDERS | File    |");
    ASSERT_HAS(out, "| 1,500    |");

    out = OK("--json", "stream", "info", "ORDERS");
    json_t *j = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_object_get(j, "config"), "name")),
                     "ORDERS");
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(j, "state"), "messages")),
                     1500);
    json_decref(j);
}
END_TEST

/* API errors print "error: <description> (err_code N)" and exit 1. */
START_TEST(stream_api_errors_show_err_code)
{
    start_js(&srv, "js", 0);
    struct proc p;
    ck_assert_int_eq(cli(&p, "stream", "info", "NOPE"), 1);
    ASSERT_HAS(p.err.p, "error: stream not found (err_code 10059)");
    proc_close(&p);
    OK("stream", "add", "S1", "--subjects", "s1.>");
    ck_assert_int_eq(cli(&p, "stream", "add", "S1", "--subjects", "other.>"),
                     1);
    ASSERT_HAS(p.err.p, "stream name already in use");
    ASSERT_HAS(p.err.p, "(err_code 10058)");
    proc_close(&p);
    ck_assert_int_eq(cli(&p, "stream", "add", "S2", "--subjects", "s1.x"), 1);
    ASSERT_HAS(p.err.p, "(err_code 10065)"); /* subjects overlap */
    proc_close(&p);
    ck_assert_int_eq(cli(&p, "consumer", "info", "S1", "NOPE"), 1);
    ASSERT_HAS(p.err.p, "error: consumer not found (err_code 10014)");
    proc_close(&p);
}
END_TEST

/* edit changes only what its flags name. */
START_TEST(stream_edit_changes_config)
{
    start_js(&srv, "js", 0);
    OK("stream", "add", "S", "--subjects", "s.>", "--max-age", "1h");
    const char *out =
        OK("stream", "edit", "S", "--max-msgs", "100", "--description", "d2");
    ASSERT_HAS(out, "Stream S was updated");
    out = OK("stream", "info", "S");
    ASSERT_HAS(out, " Maximum Messages: 100\n");
    ASSERT_HAS(out, " Description: d2\n");
    ASSERT_HAS(out, " Maximum Age: 1h0m0s\n");
}
END_TEST

/* get by sequence and by subject, view, purge variants and rm. */
START_TEST(stream_get_view_purge_rm)
{
    start_js(&srv, "js", 0);
    OK("stream", "add", "S", "--subjects", "s.*");
    publish_acked(&srv, "s.a", 5);
    publish_acked(&srv, "s.b", 1);

    const char *out = OK("stream", "get", "S", "3");
    ASSERT_HAS(out, "Item: S#3 received ");
    ASSERT_HAS(out, " on Subject s.a\n");
    ASSERT_HAS(out, "X-Test: 3\n");
    ASSERT_HAS(out, "\nmsg 3\n");
    out = OK("stream", "get", "S", "--last-for", "s.a", "--raw");
    ck_assert_str_eq(out, "msg 5\n");
    struct proc p;
    ck_assert_int_eq(cli(&p, "stream", "get", "S", "99"), 1);
    ASSERT_HAS(p.err.p, "(err_code 10037)");
    proc_close(&p);

    out = OK("stream", "view", "S", "--count", "2");
    ASSERT_HAS(out, "[1] Subject: s.a Received: ");
    ASSERT_HAS(out, "[2] Subject: s.a");
    ASSERT_LACKS(out, "[3]");
    out = OK("stream", "view", "S", "--raw");
    ck_assert_str_eq(out, "msg 1\nmsg 2\nmsg 3\nmsg 4\nmsg 5\nmsg 1\n");

    out = OK("stream", "purge", "S", "--keep", "4", "-f");
    ASSERT_HAS(out, "Purged 2 messages from Stream S");
    out = OK("stream", "purge", "S", "--subject", "s.b", "-f");
    ASSERT_HAS(out, "Purged 1 message from Stream S");
    /* A gap in the middle: view skips it. */
    natsConnection *nc = harness_connect(&srv, NULL);
    natsMsg *r = NULL;
    HARNESS_NATS_OK("delete", natsConnection_RequestString(
                                  &r, nc, "$JS.API.STREAM.MSG.DELETE.S",
                                  "{\"seq\":4}", 5000));
    ASSERT_HAS(natsMsg_GetData(r), "\"success\":true");
    natsMsg_Destroy(r);
    natsConnection_Destroy(nc);
    out = OK("stream", "info", "S");
    ASSERT_HAS(out, " Messages: 2\n");
    ASSERT_HAS(out, " First Sequence: 3 @ ");
    ASSERT_HAS(out, " Deleted Messages: 2\n"); /* 4, and 6 (s.b) */
    out = OK("stream", "view", "S", "--raw");
    ck_assert_str_eq(out, "msg 3\nmsg 5\n");
    out = OK("stream", "purge", "S", "--seq", "5", "-f");
    ASSERT_HAS(out, "Purged 1 message from Stream S");
    out = OK("stream", "view", "S", "--raw");
    ck_assert_str_eq(out, "msg 5\n");

    /* rm asks for -f when there is no terminal. */
    ck_assert_int_eq(cli(&p, "stream", "rm", "S"), 1);
    ASSERT_HAS(p.err.p, "use -f");
    proc_close(&p);
    out = OK("stream", "rm", "S", "-f");
    ASSERT_HAS(out, "Stream S deleted");
    ck_assert_int_eq(cli(&p, "stream", "info", "S"), 1);
    ASSERT_HAS(p.err.p, "(err_code 10059)");
    proc_close(&p);
}
END_TEST

/* ---- consumers ---- */

/* A pull consumer: add, info, next with and without ack, ls, rm. */
START_TEST(consumer_lifecycle)
{
    start_js(&srv, "js", 0);
    OK("stream", "add", "S", "--subjects", "s.*");
    publish_acked(&srv, "s.a", 3);
    publish_acked(&srv, "s.b", 1);
    const char *out =
        OK("consumer", "add", "S", "C1", "--pull", "--filter", "s.a", "--ack",
           "explicit", "--max-deliver", "5", "--ack-wait", "30s",
           "--max-ack-pending", "50", "--deliver-policy", "all");
    ASSERT_HAS(out, "Information for Consumer S > C1 created ");
    ASSERT_HAS(out, " Pull Mode: true\n");
    ASSERT_HAS(out, " Filter Subject: s.a\n");
    ASSERT_HAS(out, " Ack Policy: Explicit\n");
    ASSERT_HAS(out, " Ack Wait: 30s\n");
    ASSERT_HAS(out, " Maximum Deliveries: 5\n");
    ASSERT_HAS(out, " Unprocessed Messages: 3\n");

    out = OK("consumer", "next", "S", "C1", "--count", "2");
    ASSERT_HAS(out, "subj: s.a / tries: 1 / cons seq: 1 / str seq: 1");
    ASSERT_HAS(out, "msg 1\n");
    ASSERT_HAS(out, "cons seq: 2 / str seq: 2 / pending: 1");
    ASSERT_HAS(out, "X-Test: 2\n");
    ASSERT_HAS(out, "Acknowledged message");
    out = OK("consumer", "next", "S", "C1", "--no-ack");
    ASSERT_HAS(out, "msg 3\n");
    ASSERT_LACKS(out, "Acknowledged");

    out = OK("consumer", "info", "S", "C1");
    ASSERT_HAS(out, " Last Delivered Message: Consumer sequence: 3 Stream "
                    "sequence: 3");
    ASSERT_HAS(out, " Acknowledgment Floor: Consumer sequence: 2 Stream "
                    "sequence: 2");
    ASSERT_HAS(out, " Outstanding Acks: 1 out of maximum 50\n");

    /* Nothing left: a status reply, exit 1. */
    struct proc p;
    ck_assert_int_eq(cli(&p, "--timeout", "1s", "consumer", "next", "S", "C1"),
                     1);
    ASSERT_HAS(p.err.p, "no messages available");
    proc_close(&p);

    out = OK("consumer", "add", "S", "P1", "--push", "--deliver", "push.p1",
             "--ack", "none", "--deliver-policy", "last");
    ASSERT_HAS(out, " Delivery Subject: push.p1\n");
    ASSERT_HAS(out, " Deliver Policy: Last\n");

    out = OK("consumer", "ls", "S");
    ASSERT_HAS(out, "| C1 ");
    ASSERT_HAS(out, "| P1 ");
    ASSERT_HAS(out, "| Ack Pending |");
    out = OK("stream", "info", "S");
    ASSERT_HAS(out, " Active Consumers: 2\n");

    out = OK("consumer", "rm", "S", "C1", "-f");
    ASSERT_HAS(out, "Consumer S > C1 deleted");
    ck_assert_int_eq(cli(&p, "consumer", "info", "S", "C1"), 1);
    ASSERT_HAS(p.err.p, "(err_code 10014)");
    proc_close(&p);
    out = OK("consumer", "ls", "S", "--names");
    ck_assert_str_eq(out, "P1\n");
}
END_TEST

/* ---- key-value ---- */

START_TEST(kv_put_get_del_ls)
{
    start_js(&srv, "js", 0);
    const char *out = OK("kv", "add", "CFG", "--history", "5", "--ttl", "1h");
    ASSERT_HAS(out, "Created Key-Value bucket CFG (history 5, ttl 1h0m0s)");
    OK("kv", "put", "CFG", "db.host", "alpha");
    OK("kv", "put", "CFG", "db.host", "beta");
    OK("kv", "put", "CFG", "db.port", "5432");
    out = OK("kv", "get", "CFG", "db.host");
    ASSERT_HAS(out, "CFG > db.host revision: 2 created @ ");
    ASSERT_HAS(out, "\nbeta\n");
    out = OK("kv", "get", "CFG", "db.port", "--raw");
    ck_assert_str_eq(out, "5432\n");
    out = OK("kv", "ls", "CFG");
    ck_assert_str_eq(out, "db.host\ndb.port\n");
    OK("kv", "del", "CFG", "db.port");
    struct proc p;
    ck_assert_int_eq(cli(&p, "kv", "get", "CFG", "db.port"), 1);
    ASSERT_HAS(p.err.p, "error: key db.port not found in bucket CFG");
    proc_close(&p);
    out = OK("kv", "ls", "CFG");
    ck_assert_str_eq(out, "db.host\n");
    out = OK("kv", "ls");
    ASSERT_HAS(out, "| CFG ");
    /* The bucket is a stream KV_CFG with the history as per-subject limit. */
    out = OK("stream", "info", "KV_CFG");
    ASSERT_HAS(out, " Maximum Per Subject: 5\n");
    ck_assert_int_eq(cli(&p, "kv", "get", "NOPE", "k"), 1);
    ASSERT_HAS(p.err.p, "error: bucket NOPE not found");
    proc_close(&p);
}
END_TEST

/* ---- backup and restore ---- */

/* Backs up a stream with a consumer, restores it into a fresh server, and
 * finds every message (subject, headers, body, time, sequence) and the
 * consumer with its state there. */
START_TEST(backup_restore_into_fresh_server)
{
    start_js(&srv, "js1", 0);
    OK("stream", "add", "ORDERS", "--subjects", "orders.*");
    publish_acked(&srv, "orders.new", 300);
    publish_acked(&srv, "orders.paid", 20);
    OK("consumer", "add", "ORDERS", "C1", "--pull");
    OK("consumer", "next", "ORDERS", "C1", "--count", "7");
    struct proc p;
    /* Delete one message so the backup carries a gap. */
    natsConnection *nc1 = harness_connect(&srv, NULL);
    natsMsg *r = NULL;
    HARNESS_NATS_OK("delete", natsConnection_RequestString(
                                  &r, nc1, "$JS.API.STREAM.MSG.DELETE.ORDERS",
                                  "{\"seq\":10}", 5000));
    ASSERT_HAS(natsMsg_GetData(r), "\"success\":true");
    natsMsg_Destroy(r);

    char dir[1024];
    snprintf(dir, sizeof dir, "%s/backup", harness_dir());
    const char *out = OK("stream", "backup", "ORDERS", dir, "--no-progress");
    ASSERT_HAS(out, "Starting backup of Stream \"ORDERS\"");
    ASSERT_HAS(out, "Backed up Stream \"ORDERS\": 319 messages");
    char path[1100];
    struct stat sb;
    snprintf(path, sizeof path, "%s/stream.tar.s2", dir);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);
    snprintf(path, sizeof path, "%s/backup.json", dir);
    json_t *meta = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(meta);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(meta, "config"), "name")),
                     "ORDERS");
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(meta, "state"), "messages")),
                     319);
    json_decref(meta);

    start_js(&srv2, "js2", 0);
    ck_assert_int_eq(cli_on(&p, &srv2, "stream", "restore", dir,
                            "--no-progress", (const char *)NULL),
                     0);
    ASSERT_HAS(p.out.p, "Starting restore of Stream \"ORDERS\"");
    ASSERT_HAS(p.out.p, "Restored Stream \"ORDERS\" with 319 messages");
    ASSERT_HAS(p.out.p, " Messages: 319\n");
    proc_close(&p);

    natsConnection *nc2 = harness_connect(&srv2, NULL);
    for (int seq = 1; seq <= 320; seq++) {
        char *a = get_msg_json(nc1, "ORDERS", seq);
        char *b = get_msg_json(nc2, "ORDERS", seq);
        if (seq == 10) {
            ck_assert_ptr_null(a);
            ck_assert_ptr_null(b);
            continue;
        }
        ck_assert_msg(a != NULL && b != NULL, "message %d missing", seq);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    natsConnection_Destroy(nc2);
    natsConnection_Destroy(nc1);

    ck_assert_int_eq(cli_on(&p, &srv2, "consumer", "info", "ORDERS", "C1",
                            (const char *)NULL),
                     0);
    ASSERT_HAS(p.out.p, " Acknowledgment Floor: Consumer sequence: 7 Stream "
                        "sequence: 7");
    proc_close(&p);
}
END_TEST

/* Restoring onto a server that has the stream is refused with the API's
 * "already in use" error, and the stream is left as it was. */
START_TEST(restore_onto_existing_stream_is_refused)
{
    start_js(&srv, "js", 0);
    OK("stream", "add", "S", "--subjects", "s.>");
    publish_acked(&srv, "s.x", 10);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/backup", harness_dir());
    OK("stream", "backup", "S", dir, "--no-progress");
    struct proc p;
    ck_assert_int_eq(cli(&p, "stream", "restore", dir, "--no-progress"), 1);
    ASSERT_HAS(p.err.p, "error: ");
    ASSERT_HAS(p.err.p, "already in use");
    ASSERT_HAS(p.err.p, "(err_code ");
    proc_close(&p);
    const char *out = OK("stream", "info", "S");
    ASSERT_HAS(out, " Messages: 10\n");
}
END_TEST

/* A backup directory without backup.json is an error, not a crash. */
START_TEST(restore_from_missing_dir_fails)
{
    start_js(&srv, "js", 0);
    struct proc p;
    ck_assert_int_eq(cli(&p, "stream", "restore", "/nonexistent/backup"), 1);
    ASSERT_HAS(p.err.p, "error: read /nonexistent/backup/backup.json");
    proc_close(&p);
    ck_assert_int_eq(
        cli(&p, "stream", "backup", "NOPE", harness_dir(), "--no-progress"), 1);
    ASSERT_HAS(p.err.p, "(err_code 10059)");
    proc_close(&p);
}
END_TEST

/* ---- server ---- */

START_TEST(server_info_reads_varz)
{
    start_js(&srv, "js", 1);
    char mon[64];
    snprintf(mon, sizeof mon, "http://127.0.0.1:%d", srv.http_port);
    const char *out = OK("--monitor", mon, "server", "info");
    ASSERT_HAS(out, "Server information for ");
    ASSERT_HAS(out, " Version: ");
    ASSERT_HAS(out, " Connections: ");
    ASSERT_HAS(out, "JetStream:");
    ASSERT_HAS(out, " Max Storage: ");
    struct proc p;
    ck_assert_int_eq(cli_on(&p, NULL, "--monitor", "http://127.0.0.1:1",
                            "server", "info", (const char *)NULL),
                     1);
    ASSERT_HAS(p.err.p, "error: GET http://127.0.0.1:1/varz");
    proc_close(&p);
}
END_TEST

/* ---- cluster information ---- */

/* A loopback port nobody listens on right now. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* On a three-node cluster, info shows the Cluster Information section
 * (name, leader, two replicas with their state) and report marks the
 * leader with "*"; a stopped replica turns OFFLINE and gets a "!". */
START_TEST(cluster_section_in_info_and_report)
{
    struct harness_server *nodes[3] = {&srv, &srv2, &srv3};
    int cport[3];
    for (int i = 0; i < 3; i++)
        cport[i] = free_port();
    char routes[256], cluster[3][64], dir[3][1024], name[3][16];
    snprintf(routes, sizeof routes,
             "nats://127.0.0.1:%d,nats://127.0.0.1:%d,nats://127.0.0.1:%d",
             cport[0], cport[1], cport[2]);
    for (int i = 0; i < 3; i++) {
        snprintf(cluster[i], sizeof cluster[i], "nats://127.0.0.1:%d",
                 cport[i]);
        snprintf(dir[i], sizeof dir[i], "%s/n%d", harness_dir(), i + 1);
        snprintf(name[i], sizeof name[i], "n%d", i + 1);
        mkdir(dir[i], 0700);
        const char *args[] = {"-js",      "-sd",
                              dir[i],     "--server_name",
                              name[i],    "--cluster_name",
                              "C1",       "--cluster",
                              cluster[i], "--routes",
                              routes,     NULL};
        harness_server_start(nodes[i], 0, args);
    }
    /* The meta group needs a leader before streams can be created. */
    struct proc p;
    int64_t deadline = harness_now_ms() + 20000;
    for (;;) {
        int rc = cli(&p, "stream", "add", "R3", "--subjects", "r3.>",
                     "--replicas", "3");
        if (rc == 0)
            break;
        ck_assert_msg(harness_now_ms() < deadline, "no R3 stream after 20s: %s",
                      p.err.p);
        proc_close(&p);
        harness_sleep_ms(500);
    }
    proc_close(&p);
    publish_acked(&srv, "r3.a", 3);

    const char *out = OK("stream", "info", "R3");
    ASSERT_HAS(out, "Cluster Information:");
    ASSERT_HAS(out, " Name: C1\n");
    ASSERT_HAS(out, " Leader: n");
    ASSERT_HAS(out, " Replicas: 3\n");
    const char *r1 = strstr(out, " Replica: n");
    ck_assert_ptr_nonnull(r1);
    ck_assert_ptr_nonnull(strstr(r1 + 1, " Replica: n"));
    ASSERT_HAS(out, ", seen ");
    /* The section comes between Configuration and State. */
    ck_assert(strstr(out, "Configuration:") <
              strstr(out, "Cluster Information:"));
    ck_assert(strstr(out, "Cluster Information:") < strstr(out, "State:"));

    /* Find the leader, stop one follower, and wait for it to show. */
    json_t *j = json_loads(OK("--json", "stream", "info", "R3"), 0, NULL);
    ck_assert_ptr_nonnull(j);
    char leader[8];
    snprintf(leader, sizeof leader, "%s",
             json_string_value(
                 json_object_get(json_object_get(j, "cluster"), "leader")));
    json_decref(j);
    out = OK("stream", "report");
    char starred[16];
    snprintf(starred, sizeof starred, "%s*", leader);
    ASSERT_HAS(out, starred);
    int victim = strcmp(leader, "n1") == 0 ? 1 : 0; /* never the leader */
    struct harness_server *alive = victim == 0 ? &srv2 : &srv;
    harness_server_stop(nodes[victim], SIGTERM);
    char offline[16], marked[16];
    snprintf(offline, sizeof offline, "n%d, ", victim + 1);
    snprintf(marked, sizeof marked, "n%d!", victim + 1);
    deadline = harness_now_ms() + 20000;
    for (;;) {
        ck_assert_int_eq(
            cli_on(&p, alive, "stream", "report", (const char *)NULL), 0);
        if (strstr(p.out.p, marked) != NULL)
            break;
        ck_assert_msg(harness_now_ms() < deadline, "%s never marked in:\n%s",
                      marked, p.out.p);
        proc_close(&p);
        harness_sleep_ms(500);
    }
    proc_close(&p);
    ck_assert_int_eq(
        cli_on(&p, alive, "stream", "info", "R3", (const char *)NULL), 0);
    ASSERT_HAS(p.out.p, "OFFLINE");
    proc_close(&p);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("integration/cli");
    HARNESS_ADD(s, help_and_bad_input, 30);
    HARNESS_ADD(s, pub_and_sub_show_subject_headers_body, 30);
    HARNESS_ADD(s, request_and_reply, 30);
    HARNESS_ADD(s, stream_add_info_ls_report, 60);
    HARNESS_ADD(s, stream_api_errors_show_err_code, 30);
    HARNESS_ADD(s, stream_edit_changes_config, 30);
    HARNESS_ADD(s, stream_get_view_purge_rm, 60);
    HARNESS_ADD(s, consumer_lifecycle, 60);
    HARNESS_ADD(s, kv_put_get_del_ls, 60);
    HARNESS_ADD(s, backup_restore_into_fresh_server, 120);
    HARNESS_ADD(s, restore_onto_existing_stream_is_refused, 60);
    HARNESS_ADD(s, restore_from_missing_dir_fails, 30);
    HARNESS_ADD(s, server_info_reads_varz, 30);
    if (harness_is_reference())
        HARNESS_ADD(s, cluster_section_in_info_and_report, 90);
    else
        printf("skipped cluster_section_in_info_and_report: ballastd has no "
               "clustering yet\n");
    return s;
}

int main(void)
{
    return harness_main(cli_suite());
}
