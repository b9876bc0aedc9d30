/* Integration-test harness: runs the server under test (the binary named by
 * BALLAST_TEST_SERVER, ballastd or the reference nats-server) as a child
 * process on free loopback ports, and gives Check tests bounded-wait helpers
 * for raw protocol sockets, HTTP monitoring endpoints and the NATS C client.
 * It knows nothing of the server's internals: everything goes over the wire.
 *
 * Environment:
 *   BALLAST_TEST_SERVER      path of the server binary (required)
 *   BALLAST_TEST_REFERENCE   "1" when the server is the reference nats-server;
 *                            ballastd-only cases are then not registered
 *   BALLAST_TEST_LDM_SIGNAL  signal that starts lame duck mode ("TERM",
 *                            "USR2", ...), default TERM
 *   BALLAST_TEST_PROMTOOL    path of promtool, default "promtool"
 *   BALLAST_TEST_KEEP_DIRS   "1" keeps every test dir and server log
 *
 * Every test gets its own temp dir (harness_dir()) under the binary's root
 * temp dir. Under CK_FORK (the default) a failed test exits without running
 * its teardown: its server dies with it (PR_SET_PDEATHSIG), and
 * harness_main() prints the server logs left in its dir before removing it.
 * Functions that cannot do their job fail the current test with
 * ck_abort_msg(), so tests need not check their results unless stated. */
#ifndef BALLAST_INTEG_HARNESS_H
#define BALLAST_INTEG_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ballast/buf.h"

#define HARNESS_MAX_ARGS 16
#define HARNESS_START_TIMEOUT_MS 10000 /* wait for the listeners */
#define HARNESS_STOP_TIMEOUT_MS 10000  /* wait for exit before SIGKILL */

/* ---- test registration and the runner ---- */

/* Adds test `t` to `s` in a TCase of its own named `name`, with the
 * harness's setup/teardown fixture and a timeout of `timeout_s` seconds. */
void harness_add(Suite *s, const char *name, const TTest *t, int timeout_s);
#define HARNESS_ADD(s, test, timeout_s)                                        \
    harness_add((s), #test, (test), (timeout_s))

/* Like harness_add() but only when the server is not the reference
 * (BALLAST_TEST_REFERENCE unset); otherwise prints that the case is skipped
 * and registers nothing, so a skip is never counted as a pass. */
void harness_add_ballast_only(Suite *s, const char *name, const TTest *t,
                              int timeout_s, const char *why);

/* Runs `s` and returns the process exit status (0 when every test passed).
 * Creates the root temp dir, prints server logs of failed tests, removes the
 * root. Returns 1 at once when BALLAST_TEST_SERVER is not set. */
int harness_main(Suite *s);

/* Nonzero when BALLAST_TEST_REFERENCE=1. */
int harness_is_reference(void);

/* The current test's temp dir, made on first use. */
const char *harness_dir(void);

/* ---- the server child process ---- */

struct harness_server {
    pid_t pid;                    /* 0 when not running */
    int port;                     /* client port */
    int http_port;                /* monitoring port (-m), 0 if none */
    int n_args;                   /* extra arguments in args */
    char *args[HARNESS_MAX_ARGS]; /* extra arguments, owned */
    char log_path[512];           /* the server's stdout and stderr, appended */
    char url[64];                 /* nats://127.0.0.1:<port> */
    int exit_status;              /* waitpid() status once it has exited */
};

/* Starts the server with "-a 127.0.0.1 -p <free port>", "-m <free port>"
 * when `with_http` is set, then the NULL-terminated `args` (may be NULL),
 * and waits until its ports listen (up to HARNESS_START_TIMEOUT_MS; if it
 * exits during startup it is tried twice more on new ports, in case another
 * process took one). If the test leaves it running, teardown stops it with
 * SIGINT and fails the test unless it exits with status 0 within
 * HARNESS_STOP_TIMEOUT_MS (so crashes and sanitizer reports at shutdown
 * are caught). */
void harness_server_start(struct harness_server *s, int with_http,
                          const char *const *args);

/* Sends `sig` and waits for the process to exit, escalating to SIGKILL after
 * HARNESS_STOP_TIMEOUT_MS. Safe on a stopped server. */
void harness_server_stop(struct harness_server *s, int sig);

/* Starts the stopped server again with the same ports and arguments. */
void harness_server_restart(struct harness_server *s);

/* Sends `sig` to the running server without waiting. */
void harness_server_signal(struct harness_server *s, int sig);

/* Waits up to `timeout_ms` for the server to exit by itself; returns 0 when
 * it did (its status is in exit_status), -1 on timeout. */
int harness_server_wait_exit(struct harness_server *s, int timeout_ms);

/* Prints the server's log to stderr (for diagnosing a failure). */
void harness_server_dump_log(const struct harness_server *s);

/* Signal number named by BALLAST_TEST_LDM_SIGNAL (default SIGTERM). */
int harness_ldm_signal(void);

/* ---- files ---- */

/* Path of tests/integration/conf/<name> in the source tree. Returns a
 * pointer to a static buffer, valid until the next call. */
const char *harness_conf_src(const char *name);

/* Copies conf/<name> into the test dir replacing every "@<key>@" by the
 * matching value (`kv` is NULL-terminated key, value pairs; may be NULL).
 * Returns the new file's path; the caller frees it with free(). */
char *harness_conf_instantiate(const char *name, const char *const *kv);

/* Writes `text` to <test dir>/<name>; returns the path (free() it). */
char *harness_write_file(const char *name, const char *text);

/* ---- time ---- */

int64_t harness_now_ms(void);
void harness_sleep_ms(int ms);

/* ---- NATS C client ---- */

/* New options for `s`: its URL, 2 s connect timeout, no reconnect jitter.
 * The caller destroys them. */
natsOptions *harness_opts(const struct harness_server *s);

/* Connects to `s` with harness_opts() (or `opts` when not NULL; borrowed)
 * and fails the test if that fails. */
natsConnection *harness_connect(const struct harness_server *s,
                                natsOptions *opts);

/* Fails the test unless status is NATS_OK, printing `what` and the client's
 * last error. */
#define HARNESS_NATS_OK(what, expr)                                            \
    harness_nats_ok((what), (expr), __FILE__, __LINE__)
void harness_nats_ok(const char *what, natsStatus s, const char *file,
                     int line);

/* Fails the test unless `sub` delivers, within `timeout_ms`, a message on
 * `subject` whose payload is the string `data`. */
void harness_expect_msg(natsSubscription *sub, const char *subject,
                        const char *data, int timeout_ms);

/* Fails the test if `sub` delivers anything within `quiet_ms`. */
void harness_expect_no_msg(natsSubscription *sub, int quiet_ms);

/* ---- events recorded by client callbacks on other threads ---- */

#define HARNESS_EVENTS_MAX 64

struct harness_events {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int n;                              /* events recorded so far */
    char text[HARNESS_EVENTS_MAX][256]; /* first HARNESS_EVENTS_MAX texts */
};

void harness_events_init(struct harness_events *e);
void harness_events_close(struct harness_events *e);

/* Records one event (thread-safe); `text` may be NULL. */
void harness_events_add(struct harness_events *e, const char *text);

/* Number of events so far. */
int harness_events_count(struct harness_events *e);

/* Waits up to `timeout_ms` until at least `n` events were recorded; returns
 * 0 when they were, -1 on timeout. */
int harness_events_wait(struct harness_events *e, int n, int timeout_ms);

/* Waits up to `timeout_ms` for an event whose text contains `needle`;
 * returns its index, or -1 on timeout. */
int harness_events_wait_text(struct harness_events *e, const char *needle,
                             int timeout_ms);

/* ---- raw protocol sockets ---- */

struct harness_raw {
    int fd;
    size_t len;      /* bytes buffered in buf */
    char buf[65536]; /* received, not yet consumed */
};

/* Connects to 127.0.0.1:port; returns 0 or -errno (no test failure, so tests
 * can assert refusals). `rcvbuf` > 0 sets SO_RCVBUF before connecting. */
int harness_raw_open(struct harness_raw *r, int port, int rcvbuf);

/* Connects, reads the INFO line into `info` (may be NULL, `info_cap` bytes),
 * sends "CONNECT <json>" (a default when NULL) and PING, and expects PONG. */
void harness_raw_handshake(struct harness_raw *r, int port,
                           const char *connect_json, char *info,
                           size_t info_cap);

void harness_raw_close(struct harness_raw *r);

/* Sends all of `len` bytes; fails the test on error. */
void harness_raw_send(struct harness_raw *r, const void *p, size_t len);
void harness_raw_send_str(struct harness_raw *r, const char *s);

/* Reads one line without its CRLF into `out` (NUL-terminated). Returns its
 * length, -1 on timeout, -2 when the peer closed (or reset) first. */
int harness_raw_read_line(struct harness_raw *r, char *out, size_t cap,
                          int timeout_ms);

/* Reads exactly `n` bytes; returns 0, -1 on timeout, -2 on close. */
int harness_raw_read_exact(struct harness_raw *r, void *out, size_t n,
                           int timeout_ms);

/* Fails the test unless the next line is exactly `expected`. */
void harness_raw_expect_line(struct harness_raw *r, const char *expected,
                             int timeout_ms);

/* Discards input until the peer closes; returns 0 when it did, -1 when it
 * was still open after `timeout_ms`. */
int harness_raw_wait_closed(struct harness_raw *r, int timeout_ms);

/* ---- HTTP ---- */

/* GETs http://127.0.0.1:<port><path> into `body` (appended); returns the
 * HTTP status, or -1 when the request failed. `content_type` (may be NULL,
 * 128 bytes) receives the Content-Type header. */
long harness_http_get(int port, const char *path, struct bl_buf *body,
                      char *content_type);

/* GETs `path`, fails the test unless it is 200 with a JSON object, and
 * returns it (json_decref() it). */
json_t *harness_http_json(int port, const char *path);

/* Integer member `key` of `obj`; fails the test if missing or not a number. */
json_int_t harness_json_int(json_t *obj, const char *key);

#endif
