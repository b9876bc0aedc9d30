/* Helpers shared by the JetStream integration tests: start a server with
 * JetStream on, connect a JetStream context, make raw $JS.API requests and
 * check their JSON replies, and assert JetStream error codes. Like the
 * harness, they fail the current test with ck_abort_msg() when they cannot
 * do their job, and know nothing of the server's internals. */
#ifndef BALLAST_INTEG_JS_UTIL_H
#define BALLAST_INTEG_JS_UTIL_H

#include <stdint.h>

#include "harness.h"

#define JSU_API_TIMEOUT_MS 5000 /* wait for any $JS.API reply */

/* Starts `s` (see harness_server_start()) with "-js -sd <dir>", where <dir>
 * is <test dir>/<store_name>, made here. `extra` (NULL-terminated, may be
 * NULL) is appended to the arguments. */
void jsu_server_start(struct harness_server *s, const char *store_name,
                      const char *const *extra);

/* A client connection with a JetStream context on it. */
struct jsu_conn {
    natsConnection *nc;
    jsCtx *js;
};

/* Connects to `s` and makes the JetStream context (API wait 5 s). */
void jsu_connect(struct jsu_conn *c, const struct harness_server *s);

/* Like jsu_connect() but with `opts` (borrowed) and `jopts` (may be NULL)
 * for the connection and the context. */
void jsu_connect_with(struct jsu_conn *c, natsOptions *opts, jsOptions *jopts);

/* Destroys the context and the connection; safe on a closed one. */
void jsu_close(struct jsu_conn *c);

/* ---- streams and messages through libnats ---- */

/* Initializes `cfg` for a file-storage stream `name` with the single
 * subject `subject` (a pointer to which is kept in `cfg`: it must outlive
 * the config). */
void jsu_stream_cfg(jsStreamConfig *cfg, const char *name,
                    const char **subject);

/* Adds the stream (asserting success). */
void jsu_add_stream(jsCtx *js, jsStreamConfig *cfg);

/* Adds a file-storage limits stream `name` on the single subject `subject`. */
void jsu_add_simple_stream(jsCtx *js, const char *name, const char *subject);

/* Copies the scalar fields of the state of stream `name` into `out` (its
 * pointer fields are set to NULL). */
void jsu_stream_state(jsCtx *js, const char *name, jsStreamState *out);

/* Publishes the string `data` to `subject` and returns the acked sequence. */
uint64_t jsu_publish(jsCtx *js, const char *subject, const char *data);

/* Consumer info of `stream`/`consumer`; the caller destroys it. */
jsConsumerInfo *jsu_consumer_info(jsCtx *js, const char *stream,
                                  const char *consumer);

/* Runs `call` and fails the test unless it failed with the JetStream
 * error code `want`, which the call stores in `got`. */
#define JSU_EXPECT_ERR(what, call, got, want)                                  \
    do {                                                                       \
        natsStatus jsu_st_ = (call); /* before `got` is read */                \
        jsu_expect_err((what), jsu_st_, (got), (want), __FILE__, __LINE__);    \
    } while (0)
void jsu_expect_err(const char *what, natsStatus st, jsErrCode got, int want,
                    const char *file, int line);

/* Fails the test unless `m` carries the payload string `data`. */
void jsu_expect_data(natsMsg *m, const char *data);

/* ---- raw $JS.API requests ---- */

/* Sends `body` (may be NULL: empty) to "$JS.API.<api>" and returns the JSON
 * object replied (json_decref() it). Fails the test on no reply or a reply
 * that is not a JSON object. */
json_t *jsu_api(natsConnection *nc, const char *api, const char *body);

/* The reply's error.err_code, or 0 when it has no "error" member. */
int jsu_err_code(json_t *reply);

/* Sends the request and fails the test unless the reply is an error with
 * err_code `code`; also checks that error.code is the HTTP-like status
 * `status` when `status` is not 0. */
void jsu_api_expect_err(natsConnection *nc, const char *api, const char *body,
                        int code, int status);

/* Sends the request, fails the test if the reply is an error, and returns
 * it (json_decref() it). */
json_t *jsu_api_ok(natsConnection *nc, const char *api, const char *body);

/* Integer at the dotted `path` of `j` ("state.messages"); fails the test if
 * missing. */
json_int_t jsu_json_int(json_t *j, const char *path);

/* ---- status messages (heartbeats, flow control, pull replies) ---- */

/* The status code of a status message ("404", "100", ...), or NULL when `m`
 * is an ordinary message. */
const char *jsu_status(natsMsg *m);

/* The status description ("No Messages", "Idle Heartbeat", ...) or "". */
const char *jsu_status_desc(natsMsg *m);

#endif
