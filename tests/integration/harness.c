/* Integration-test harness; see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef INTEG_CONF_DIR
#error "INTEG_CONF_DIR must name tests/integration/conf"
#endif

#define MAX_SERVERS 8

static char root_dir[PATH_MAX]; /* the binary's temp dir, made by main */
static char test_dir[PATH_MAX]; /* the current test's dir inside root_dir */
static int n_logs;              /* server logs made in this test */
static pid_t runner_pid;        /* the process running harness_main() */

/* Servers started by the current test, stopped by teardown. */
static struct harness_server *servers[MAX_SERVERS];

int64_t harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int harness_is_reference(void)
{
    const char *v = getenv("BALLAST_TEST_REFERENCE");
    return v != NULL && strcmp(v, "1") == 0;
}

/* Makes the test dir on first use: Check names the running test only once
 * the fixture's setup has returned. */
const char *harness_dir(void)
{
    if (test_dir[0] != '\0')
        return test_dir;
    const char *name = tcase_name();
    if (snprintf(test_dir, sizeof(test_dir), "%s/%s-XXXXXX", root_dir,
                 name ? name : "test") >= (int)sizeof(test_dir))
        ck_abort_msg("test dir path too long");
    if (mkdtemp(test_dir) == NULL)
        ck_abort_msg("mkdtemp %s: %s", test_dir, strerror(errno));
    return test_dir;
}

/* ---- files ---- */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int read_file(const char *path, struct bl_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        bl_buf_append(out, chunk, n);
    fclose(f);
    return 0;
}

const char *harness_conf_src(const char *name)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", INTEG_CONF_DIR, name);
    return path;
}

char *harness_write_file(const char *name, const char *text)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", harness_dir(), name) >=
        (int)sizeof(path))
        ck_abort_msg("path too long: %s/%s", test_dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        ck_abort_msg("write %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    if (fwrite(text, 1, len, f) != len || fclose(f) != 0)
        ck_abort_msg("write %s: %s", path, strerror(errno));
    return strdup(path);
}

char *harness_conf_instantiate(const char *name, const char *const *kv)
{
    struct bl_buf text;
    bl_buf_init(&text);
    if (read_file(harness_conf_src(name), &text) != 0)
        ck_abort_msg("read %s: %s", harness_conf_src(name), strerror(errno));
    for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL;
         i += 2) {
        char token[128];
        snprintf(token, sizeof(token), "@%s@", kv[i]);
        struct bl_buf out;
        bl_buf_init(&out);
        const char *p = text.p;
        const char *hit;
        while ((hit = strstr(p, token)) != NULL) {
            bl_buf_append(&out, p, (size_t)(hit - p));
            bl_buf_append_str(&out, kv[i + 1]);
            p = hit + strlen(token);
        }
        bl_buf_append_str(&out, p);
        bl_buf_close(&text);
        text = out;
    }
    if (strchr(text.p, '@') != NULL)
        ck_abort_msg("%s: placeholder left unreplaced:\n%s", name, text.p);
    char *path = harness_write_file(name, text.p);
    bl_buf_close(&text);
    return path;
}

/* ---- the server child process ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        ck_abort_msg("socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        ck_abort_msg("find free port: %s", strerror(errno));
    close(fd);
    return ntohs(sa.sin_port);
}

/* Whether some TCP socket listens on `port` (any address), read from
 * /proc/net/tcp{,6} so that probing does not open a client connection the
 * server would count. */
static int port_listens(int port)
{
    static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f = fopen(files[i], "r");
        if (f == NULL)
            continue;
        char line[512];
        int found = 0;
        while (!found && fgets(line, sizeof(line), f) != NULL) {
            char local[128];
            unsigned st;
            if (sscanf(line, " %*d: %127s %*s %x", local, &st) != 2)
                continue;
            const char *colon = strrchr(local, ':');
            if (colon != NULL && st == 0x0A &&
                strtol(colon + 1, NULL, 16) == port)
                found = 1;
        }
        fclose(f);
        if (found)
            return 1;
    }
    return 0;
}

static void register_server(struct harness_server *s)
{
    for (int i = 0; i < MAX_SERVERS; i++)
        if (servers[i] == s)
            return;
    for (int i = 0; i < MAX_SERVERS; i++) {
        if (servers[i] == NULL) {
            servers[i] = s;
            return;
        }
    }
    ck_abort_msg("more than %d servers in one test", MAX_SERVERS);
}

void harness_server_dump_log(const struct harness_server *s)
{
    struct bl_buf log;
    bl_buf_init(&log);
    if (read_file(s->log_path, &log) == 0) {
        fprintf(stderr, "---- server log %s ----\n%s---- end of log ----\n",
                s->log_path, log.p ? log.p : "");
    }
    bl_buf_close(&log);
}

static int reap(struct harness_server *s, int options)
{
    int status;
    pid_t r = waitpid(s->pid, &status, options);
    if (r == s->pid) {
        s->exit_status = status;
        s->pid = 0;
        return 1;
    }
    return 0;
}

/* Starts the server and waits for its ports. Returns 0 once they listen;
 * -1 when it exited during startup and `may_retry` is set (another process
 * may have taken a port between free_port() and the server's bind); fails
 * the test otherwise. */
static int spawn(struct harness_server *s, int may_retry)
{
    const char *bin = getenv("BALLAST_TEST_SERVER");
    ck_assert_msg(bin != NULL && bin[0] != '\0',
                  "BALLAST_TEST_SERVER is not set");
    char port[16], http_port[16];
    snprintf(port, sizeof(port), "%d", s->port);
    snprintf(http_port, sizeof(http_port), "%d", s->http_port);
    const char *argv[HARNESS_MAX_ARGS + 10];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "-a";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port;
    if (s->http_port != 0) {
        argv[n++] = "-m";
        argv[n++] = http_port;
    }
    for (int i = 0; i < s->n_args; i++)
        argv[n++] = s->args[i];
    argv[n] = NULL;

    int log_fd =
        open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        ck_abort_msg("open %s: %s", s->log_path, strerror(errno));
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        ck_abort_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        /* Only async-signal-safe calls here: the test may have client
         * threads. The server must not outlive the test process, even when
         * a failed assertion makes it exit without teardown. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(null_fd, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        execv(bin, (char *const *)argv);
        static const char msg[] = "harness: exec of server failed\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);
        (void)w;
        _exit(127);
    }
    close(log_fd);
    if (null_fd >= 0)
        close(null_fd);
    s->pid = pid;
    register_server(s);

    int64_t deadline = harness_now_ms() + HARNESS_START_TIMEOUT_MS;
    for (;;) {
        if (reap(s, WNOHANG)) {
            if (may_retry) {
                fprintf(stderr,
                        "harness: server exited during startup "
                        "(status 0x%x), retrying on new ports\n",
                        s->exit_status);
                return -1;
            }
            harness_server_dump_log(s);
            ck_abort_msg("server %s exited during startup (status 0x%x)", bin,
                         s->exit_status);
        }
        if (port_listens(s->port) &&
            (s->http_port == 0 || port_listens(s->http_port)))
            return 0;
        if (harness_now_ms() > deadline) {
            harness_server_dump_log(s);
            ck_abort_msg("server did not listen on %d%s within %d ms", s->port,
                         s->http_port ? " (and http)" : "",
                         HARNESS_START_TIMEOUT_MS);
        }
        harness_sleep_ms(10);
    }
}

void harness_server_start(struct harness_server *s, int with_http,
                          const char *const *args)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        ck_assert_int_lt(s->n_args, HARNESS_MAX_ARGS);
        s->args[s->n_args++] = strdup(args[i]);
    }
    if (snprintf(s->log_path, sizeof(s->log_path), "%s/server-%d.log",
                 harness_dir(), n_logs++) >= (int)sizeof(s->log_path))
        ck_abort_msg("test dir path too long: %s", test_dir);
    for (int attempt = 0;; attempt++) {
        s->port = free_port();
        s->http_port = 0;
        if (with_http) {
            do
                s->http_port = free_port();
            while (s->http_port == s->port);
        }
        snprintf(s->url, sizeof(s->url), "nats://127.0.0.1:%d", s->port);
        if (spawn(s, attempt < 2) == 0)
            return;
    }
}

void harness_server_signal(struct harness_server *s, int sig)
{
    ck_assert_msg(s->pid != 0, "server is not running");
    kill(s->pid, sig);
}

int harness_server_wait_exit(struct harness_server *s, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (s->pid != 0) {
        if (reap(s, WNOHANG))
            return 0;
        if (harness_now_ms() > deadline)
            return -1;
        harness_sleep_ms(10);
    }
    return 0;
}

void harness_server_stop(struct harness_server *s, int sig)
{
    if (s->pid == 0)
        return;
    kill(s->pid, sig);
    if (harness_server_wait_exit(s, HARNESS_STOP_TIMEOUT_MS) != 0) {
        fprintf(stderr, "harness: server %d ignored signal %d, killing\n",
                (int)s->pid, sig);
        kill(s->pid, SIGKILL);
        reap(s, 0);
    }
}

void harness_server_restart(struct harness_server *s)
{
    ck_assert_msg(s->pid == 0, "restart of a running server");
    spawn(s, 0);
}

static void server_free(struct harness_server *s)
{
    if (s->pid != 0) {
        kill(s->pid, SIGKILL);
        reap(s, 0);
    }
    for (int i = 0; i < s->n_args; i++)
        free(s->args[i]);
    s->n_args = 0;
}

int harness_ldm_signal(void)
{
    static const struct {
        const char *name;
        int sig;
    } names[] = {{"TERM", SIGTERM}, {"USR2", SIGUSR2}, {"USR1", SIGUSR1},
                 {"INT", SIGINT},   {"HUP", SIGHUP},   {"QUIT", SIGQUIT}};
    const char *v = getenv("BALLAST_TEST_LDM_SIGNAL");
    if (v == NULL || v[0] == '\0')
        return SIGTERM;
    if (strncmp(v, "SIG", 3) == 0)
        v += 3;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(v, names[i].name) == 0)
            return names[i].sig;
    int n = atoi(v);
    ck_assert_msg(n > 0, "bad BALLAST_TEST_LDM_SIGNAL %s", v);
    return n;
}

/* ---- NATS C client ---- */

natsOptions *harness_opts(const struct harness_server *s)
{
    natsOptions *o = NULL;
    HARNESS_NATS_OK("options", natsOptions_Create(&o));
    HARNESS_NATS_OK("set url", natsOptions_SetURL(o, s->url));
    HARNESS_NATS_OK("set timeout", natsOptions_SetTimeout(o, 2000));
    HARNESS_NATS_OK("set jitter", natsOptions_SetReconnectJitter(o, 0, 0));
    return o;
}

natsConnection *harness_connect(const struct harness_server *s,
                                natsOptions *opts)
{
    natsOptions *own = opts ? NULL : harness_opts(s);
    natsConnection *nc = NULL;
    HARNESS_NATS_OK("connect", natsConnection_Connect(&nc, opts ? opts : own));
    natsOptions_Destroy(own);
    return nc;
}

void harness_nats_ok(const char *what, natsStatus s, const char *file, int line)
{
    if (s == NATS_OK)
        return;
    natsStatus last = NATS_OK;
    const char *text = nats_GetLastError(&last);
    ck_abort_msg("%s:%d: %s: %s (%s)", file, line, what, natsStatus_GetText(s),
                 text ? text : "");
}

void harness_expect_msg(natsSubscription *sub, const char *subject,
                        const char *data, int timeout_ms)
{
    natsMsg *m = NULL;
    natsStatus st = natsSubscription_NextMsg(&m, sub, timeout_ms);
    ck_assert_msg(st == NATS_OK, "expected \"%s\" on %s, got %s", data, subject,
                  natsStatus_GetText(st));
    ck_assert_str_eq(natsMsg_GetSubject(m), subject);
    ck_assert_int_eq(natsMsg_GetDataLength(m), (int)strlen(data));
    ck_assert_mem_eq(natsMsg_GetData(m), data, strlen(data));
    natsMsg_Destroy(m);
}

void harness_expect_no_msg(natsSubscription *sub, int quiet_ms)
{
    natsMsg *m = NULL;
    natsStatus st = natsSubscription_NextMsg(&m, sub, quiet_ms);
    if (st == NATS_OK) {
        char got[128];
        snprintf(got, sizeof(got), "%.*s", natsMsg_GetDataLength(m),
                 natsMsg_GetData(m));
        const char *subject = natsMsg_GetSubject(m);
        ck_abort_msg("unexpected message on %s: \"%s\"", subject, got);
    }
    ck_assert_msg(st == NATS_TIMEOUT, "expected a timeout, got %s",
                  natsStatus_GetText(st));
}

/* ---- events ---- */

void harness_events_init(struct harness_events *e)
{
    memset(e, 0, sizeof(*e));
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cond, NULL);
}

void harness_events_close(struct harness_events *e)
{
    pthread_cond_destroy(&e->cond);
    pthread_mutex_destroy(&e->mu);
}

void harness_events_add(struct harness_events *e, const char *text)
{
    pthread_mutex_lock(&e->mu);
    if (e->n < HARNESS_EVENTS_MAX)
        snprintf(e->text[e->n], sizeof(e->text[0]), "%s", text ? text : "");
    e->n++;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mu);
}

int harness_events_count(struct harness_events *e)
{
    pthread_mutex_lock(&e->mu);
    int n = e->n;
    pthread_mutex_unlock(&e->mu);
    return n;
}

static void deadline_ts(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int harness_events_wait(struct harness_events *e, int n, int timeout_ms)
{
    struct timespec ts;
    deadline_ts(&ts, timeout_ms);
    pthread_mutex_lock(&e->mu);
    int rv = 0;
    while (e->n < n && rv == 0)
        rv = pthread_cond_timedwait(&e->cond, &e->mu, &ts);
    int ok = e->n >= n;
    pthread_mutex_unlock(&e->mu);
    return ok ? 0 : -1;
}

int harness_events_wait_text(struct harness_events *e, const char *needle,
                             int timeout_ms)
{
    struct timespec ts;
    deadline_ts(&ts, timeout_ms);
    pthread_mutex_lock(&e->mu);
    int found = -1;
    int checked = 0;
    for (;;) {
        int limit = e->n < HARNESS_EVENTS_MAX ? e->n : HARNESS_EVENTS_MAX;
        for (; checked < limit && found < 0; checked++)
            if (strstr(e->text[checked], needle) != NULL)
                found = checked;
        if (found >= 0)
            break;
        if (pthread_cond_timedwait(&e->cond, &e->mu, &ts) != 0)
            break;
    }
    pthread_mutex_unlock(&e->mu);
    return found;
}

/* ---- raw sockets ---- */

int harness_raw_open(struct harness_raw *r, int port, int rcvbuf)
{
    r->len = 0;
    r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (r->fd < 0)
        return -errno;
    if (rcvbuf > 0)
        setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = errno;
        close(r->fd);
        r->fd = -1;
        return -err;
    }
    return 0;
}

void harness_raw_close(struct harness_raw *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    r->len = 0;
}

void harness_raw_send(struct harness_raw *r, const void *p, size_t len)
{
    const char *c = p;
    while (len > 0) {
        ssize_t n = send(r->fd, c, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            ck_abort_msg("raw send: %s", strerror(errno));
        c += n;
        len -= (size_t)n;
    }
}

void harness_raw_send_str(struct harness_raw *r, const char *s)
{
    harness_raw_send(r, s, strlen(s));
}

/* Reads more into r->buf, waiting until `deadline`; returns bytes read, -1 on
 * timeout, -2 on close or reset. */
static int raw_fill(struct harness_raw *r, int64_t deadline)
{
    if (r->len == sizeof(r->buf))
        ck_abort_msg("raw read: %zu bytes without the expected end", r->len);
    for (;;) {
        int64_t left = deadline - harness_now_ms();
        if (left < 0)
            left = 0;
        struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            return -1;
        ssize_t n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n <= 0)
            return -2;
        r->len += (size_t)n;
        return (int)n;
    }
}

int harness_raw_read_line(struct harness_raw *r, char *out, size_t cap,
                          int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        char *end = r->len ? memmem(r->buf, r->len, "\r\n", 2) : NULL;
        if (end != NULL) {
            size_t len = (size_t)(end - r->buf);
            size_t copy = len < cap - 1 ? len : cap - 1;
            memcpy(out, r->buf, copy);
            out[copy] = '\0';
            r->len -= len + 2;
            memmove(r->buf, end + 2, r->len);
            return (int)len;
        }
        int n = raw_fill(r, deadline);
        if (n < 0)
            return n;
    }
}

int harness_raw_read_exact(struct harness_raw *r, void *out, size_t n,
                           int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    char *o = out;
    while (n > 0) {
        if (r->len == 0) {
            int rv = raw_fill(r, deadline);
            if (rv < 0)
                return rv;
        }
        size_t take = r->len < n ? r->len : n;
        memcpy(o, r->buf, take);
        memmove(r->buf, r->buf + take, r->len - take);
        r->len -= take;
        o += take;
        n -= take;
    }
    return 0;
}

void harness_raw_expect_line(struct harness_raw *r, const char *expected,
                             int timeout_ms)
{
    char line[4096];
    int n = harness_raw_read_line(r, line, sizeof(line), timeout_ms);
    ck_assert_msg(n >= 0, "expected \"%s\", got %s", expected,
                  n == -1 ? "a timeout" : "the connection closed");
    ck_assert_msg(strcmp(line, expected) == 0, "expected \"%s\", got \"%s\"",
                  expected, line);
}

int harness_raw_wait_closed(struct harness_raw *r, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        r->len = 0;
        int n = raw_fill(r, deadline);
        if (n == -2)
            return 0;
        if (n == -1)
            return -1;
    }
}

void harness_raw_handshake(struct harness_raw *r, int port,
                           const char *connect_json, char *info,
                           size_t info_cap)
{
    int rv = harness_raw_open(r, port, 0);
    ck_assert_msg(rv == 0, "raw connect to %d: %s", port, strerror(-rv));
    char line[4096];
    int n = harness_raw_read_line(r, line, sizeof(line), 5000);
    ck_assert_msg(n > 0, "no INFO line (%d)", n);
    ck_assert_msg(strncmp(line, "INFO ", 5) == 0, "first line \"%s\"", line);
    if (info != NULL)
        snprintf(info, info_cap, "%s", line);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "CONNECT %s\r\nPING\r\n",
             connect_json ? connect_json
                          : "{\"verbose\":false,\"pedantic\":false,"
                            "\"protocol\":1}");
    harness_raw_send_str(r, cmd);
    harness_raw_expect_line(r, "PONG", 5000);
}

/* ---- HTTP ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    bl_buf_append(ctx, p, size * n);
    return size * n;
}

long harness_http_get(int port, const char *path, struct bl_buf *body,
                      char *content_type)
{
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    char url[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        if (content_type != NULL)
            snprintf(content_type, 128, "%s", ct ? ct : "");
    }
    curl_easy_cleanup(c);
    return status;
}

json_t *harness_http_json(int port, const char *path)
{
    struct bl_buf body;
    bl_buf_init(&body);
    long status = harness_http_get(port, path, &body, NULL);
    ck_assert_msg(status == 200, "GET %s: status %ld", path, status);
    json_error_t err;
    json_t *j = json_loadb(body.p ? body.p : "", body.len, 0, &err);
    ck_assert_msg(j != NULL && json_is_object(j),
                  "GET %s: not a JSON object (%s): %.200s", path, err.text,
                  body.p ? body.p : "");
    bl_buf_close(&body);
    return j;
}

json_int_t harness_json_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(v != NULL && json_is_number(v), "JSON member %s missing",
                  key);
    return json_is_integer(v) ? json_integer_value(v)
                              : (json_int_t)json_number_value(v);
}

/* ---- fixture and runner ---- */

/* BALLAST_TEST_KEEP_DIRS=1 keeps every test dir and server log. */
static int keep_dirs(void)
{
    const char *v = getenv("BALLAST_TEST_KEEP_DIRS");
    return v != NULL && strcmp(v, "1") == 0;
}

static void setup(void)
{
    /* Under CK_FORK this is the test's own process: it must not outlive
     * the runner (ctest may kill the runner on its timeout). */
    if (getpid() != runner_pid)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    test_dir[0] = '\0';
    n_logs = 0;
    memset(servers, 0, sizeof(servers));
}

/* Stops a server the test left running, the way an operator would
 * (SIGINT), so that a crash or a sanitizer report at shutdown shows up.
 * Returns 0 when it exited cleanly; otherwise describes what happened in
 * `problem` (`cap` bytes) and returns -1. */
static int stop_cleanly(struct harness_server *s, char *problem, size_t cap)
{
    if (s->pid == 0)
        return 0;
    kill(s->pid, SIGINT);
    if (harness_server_wait_exit(s, HARNESS_STOP_TIMEOUT_MS) != 0) {
        kill(s->pid, SIGKILL);
        reap(s, 0);
        snprintf(problem, cap, "server did not exit within %d ms of SIGINT",
                 HARNESS_STOP_TIMEOUT_MS);
        return -1;
    }
    int st = s->exit_status;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFSIGNALED(st))
        snprintf(problem, cap, "server stopped by SIGINT died of signal %d",
                 WTERMSIG(st));
    else
        snprintf(problem, cap, "server stopped by SIGINT exited with %d",
                 WEXITSTATUS(st));
    return -1;
}

static void teardown(void)
{
    char problem[256] = "";
    for (int i = 0; i < MAX_SERVERS; i++) {
        struct harness_server *s = servers[i];
        if (s == NULL)
            continue;
        if (problem[0] == '\0' &&
            stop_cleanly(s, problem, sizeof(problem)) != 0)
            harness_server_dump_log(s);
        server_free(s);
        servers[i] = NULL;
    }
    if (!keep_dirs())
        remove_tree(test_dir);
    test_dir[0] = '\0';
    if (problem[0] != '\0')
        ck_abort_msg("at teardown: %s", problem);
}

void harness_add(Suite *s, const char *name, const TTest *t, int timeout_s)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout_s);
    tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

void harness_add_ballast_only(Suite *s, const char *name, const TTest *t,
                              int timeout_s, const char *why)
{
    if (harness_is_reference()) {
        printf("SKIPPED (not run, not counted): %s: %s\n", name, why);
        return;
    }
    harness_add(s, name, t, timeout_s);
}

/* Prints every server log left in root_dir: a test dir survives only when
 * its test exited without teardown, that is, when it failed. */
static void dump_leftover_logs(void)
{
    DIR *d = opendir(root_dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof(sub), "%s/%s", root_dir, e->d_name) >=
            (int)sizeof(sub))
            continue;
        DIR *sd = opendir(sub);
        if (sd == NULL)
            continue;
        struct dirent *f;
        while ((f = readdir(sd)) != NULL) {
            if (strncmp(f->d_name, "server-", 7) != 0)
                continue;
            struct harness_server tmp;
            memset(&tmp, 0, sizeof(tmp));
            snprintf(tmp.log_path, sizeof(tmp.log_path), "%.200s/%.200s", sub,
                     f->d_name);
            fprintf(stderr, "test %s failed; its server said:\n", e->d_name);
            harness_server_dump_log(&tmp);
        }
        closedir(sd);
    }
    closedir(d);
}

int harness_main(Suite *s)
{
    const char *bin = getenv("BALLAST_TEST_SERVER");
    if (bin == NULL || bin[0] == '\0') {
        fprintf(stderr, "BALLAST_TEST_SERVER must name the server binary\n");
        return 1;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "BALLAST_TEST_SERVER=%s: %s\n", bin, strerror(errno));
        return 1;
    }
    printf("server under test: %s%s\n", bin,
           harness_is_reference() ? " (reference)" : "");
    const char *tmp = getenv("TMPDIR");
    snprintf(root_dir, sizeof(root_dir), "%s/ballast-integ-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(root_dir) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", root_dir, strerror(errno));
        return 1;
    }
    /* Servers of failed tests are orphaned when their test process exits
     * (and then killed by PR_SET_PDEATHSIG); become their parent so they
     * can be reaped below instead of lingering as zombies. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    runner_pid = getpid();
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, getenv("CK_VERBOSITY") ? CK_ENV : CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (keep_dirs()) {
        printf("test dirs kept in %s\n", root_dir);
    } else {
        dump_leftover_logs();
        remove_tree(root_dir);
    }
    return failed == 0 ? 0 : 1;
}
