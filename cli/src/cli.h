/* The ballast admin CLI: command table, argument parsing and the state of one
 * invocation, shared by every command group (pub.c, stream.c, consumer.c,
 * kv.c, backup.c, server.c). The CLI talks to a server only over the NATS
 * protocol and the JetStream JSON API ($JS.API.*) through the official C
 * client, so it works against ballastd and nats-server alike; it knows
 * nothing of ballastd's internals. */
#ifndef BALLAST_CLI_H
#define BALLAST_CLI_H

#include <jansson.h>
#include <nats/nats.h>
#include <stdint.h>

#include "ballast/err.h"

#define CLI_DEFAULT_SERVER "nats://127.0.0.1:4222"
#define CLI_DEFAULT_MONITOR "http://127.0.0.1:8222"
#define CLI_DEFAULT_TIMEOUT_MS 5000
#define CLI_JS_API "$JS.API."

/* ---- arguments ---- */

enum opt_kind {
    OPT_FLAG,    /* --name, or --no-name when negatable */
    OPT_VALUE,   /* --name VALUE, --name=VALUE, -x VALUE */
    OPT_FLAG_NEG /* a flag that also accepts --no-name */
};

struct opt_spec {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 for none */
    enum opt_kind kind;
    const char *arg_name; /* placeholder in the usage text, for OPT_VALUE */
    const char *help;
};

#define ARGS_MAX_POS 32
#define ARGS_MAX_VALUES 128

/* One parsed command line. Values point into argv (or are "true"/"false"
 * for flags) and live as long as argv. */
struct args {
    const struct opt_spec *specs[2]; /* global options, then the command's */
    int n_pos;
    const char *pos[ARGS_MAX_POS]; /* positional arguments */
    int n_values;
    const struct opt_spec *value_spec[ARGS_MAX_VALUES];
    const char *values[ARGS_MAX_VALUES]; /* in command-line order */
};

/* Parses argv[0..argc) against the global options and `cmd_opts` (both
 * {NULL}-terminated arrays). "--" ends the options. Returns 0, or BL_EINVAL
 * with a message in errmsg for an unknown option or a missing value. */
int args_parse(struct args *a, int argc, char **argv,
               const struct opt_spec *global_opts,
               const struct opt_spec *cmd_opts, char *errmsg);

/* Last value of option `name`, or NULL when not given. */
const char *args_get(const struct args *a, const char *name);

/* Nonzero when option `name` was given (for a negatable flag: set to
 * true). */
int args_flag(const struct args *a, const char *name);

/* For a negatable flag: 1 when given as --name, 0 as --no-name, -1 when
 * absent. */
int args_tristate(const struct args *a, const char *name);

/* The `i`th value of a repeatable option, NULL past the last. */
const char *args_nth(const struct args *a, const char *name, int i);

/* ---- commands ---- */

struct cli;

struct command {
    const char *group;    /* "stream", "consumer", "kv", ... or NULL */
    const char *name;     /* "add" (or the top-level command) */
    const char *synopsis; /* positional arguments: "NAME [SEQ]" */
    const char *summary;  /* one line */
    int min_pos, max_pos;
    const struct opt_spec *opts; /* {NULL}-terminated */
    int (*run)(struct cli *c, const struct args *a);
};

/* Command tables of the groups, each ending with {NULL}. */
extern const struct command pub_commands[];
extern const struct command stream_commands[];
extern const struct command consumer_commands[];
extern const struct command kv_commands[];
extern const struct command backup_commands[];
extern const struct command server_commands[];

/* ---- one invocation ---- */

struct cli {
    const char *server_url;
    const char *user;
    const char *password;
    const char *monitor_url;
    int64_t timeout_ms;
    int json;           /* print raw JSON replies instead of text */
    natsConnection *nc; /* connected by cli_conn() on first use */
    int last_err_code;  /* err_code of the last API error, 0 if none */
};

/* Prints "error: <message>" to stderr and returns 1 (the exit code). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The connection, made on first use. Returns NULL after printing the error
 * when the server cannot be reached. */
natsConnection *cli_conn(struct cli *c);

/* Closes the connection if any. */
void cli_close(struct cli *c);

/* Nonzero when stdin and stdout are a terminal (prompts, progress bars). */
int cli_is_tty(void);

/* Asks "<question> [y/N]" on the terminal; nonzero for yes. */
int cli_confirm(const char *question);

/* ---- the JetStream JSON API (api.c) ---- */

/* Sends `body` (borrowed; NULL sends an empty payload) to CLI_JS_API +
 * `subject` and waits c->timeout_ms for the reply. On success `*reply` is
 * the decoded JSON object (json_decref() it). When the reply carries an
 * "error" member, returns BL_EINVAL with "<description> (err_code N)" in
 * errmsg and c->last_err_code set; on timeout, no responders or a reply
 * that is not JSON, another BL_E* code with a message. */
int api_request(struct cli *c, const char *subject, json_t *body,
                json_t **reply, char *errmsg);

/* Formats the API error object `err` as "<description> (err_code N)" into
 * errmsg and records its err_code in c. */
void api_error_text(struct cli *c, json_t *err, char *errmsg);

/* Pages through a list API ("STREAM.LIST", "CONSUMER.LIST.<stream>", ...)
 * whose replies carry `array_key` ("streams", "consumers") with total,
 * offset and limit; returns a new array of every item or NULL with errmsg
 * set. `filter` (borrowed, may be NULL) is merged into each request. */
json_t *api_list_all(struct cli *c, const char *subject, const char *array_key,
                     json_t *filter, char *errmsg);

/* Prints `j` as indented JSON on stdout. */
void cli_print_json(json_t *j);

/* JSON helpers that tolerate missing members: integer (or 0), string (or
 * ""), boolean (or 0). */
json_int_t jint(json_t *obj, const char *key);
const char *jstr(json_t *obj, const char *key);
int jbool(json_t *obj, const char *key);

/* Decodes standard base64 into `out` (a malloc'd buffer the caller frees
 * with bl_free(); NUL-terminated) and its length. Returns 0 or BL_EINVAL. */
int b64_decode(const char *in, char **out, size_t *out_len);

/* Prints the header lines of a raw "NATS/1.0\r\nKey: Value\r\n\r\n" block
 * as "  Key: Value" (indent given) to stdout. */
void print_header_block(const char *hdr, size_t len, const char *indent);

/* Prints the headers of `m` as "<indent>Key: Value" lines. */
void print_msg_headers(natsMsg *m, const char *indent);

/* Writes `len` bytes of `data` to stdout followed by a newline. */
void print_body(const char *data, size_t len);

#endif
