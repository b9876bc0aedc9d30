/* Server options: defaults, the configuration file (YAML, Ballast's native
 * format, or nats-server's own syntax) and command-line flags that reuse
 * nats-server's names. Produces a plain struct; knows nothing of sockets.
 *
 * Both file formats are read into one generic tree (conf_tree.h) and applied
 * by one function, so a key means the same thing in either format. */
#ifndef BALLAST_CONF_OPTS_H
#define BALLAST_CONF_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct opt_perm_list {
    char **allow; /* subjects (wildcards allowed) */
    size_t n_allow;
    char **deny;
    size_t n_deny;
    bool is_set; /* the list was configured at all */
};

struct opt_permissions {
    struct opt_perm_list publish;
    struct opt_perm_list subscribe;
    bool allow_responses; /* may publish to reply subjects it received */
    bool is_set;
};

struct opt_user {
    char *user;
    char *password; /* plain text, or a bcrypt hash starting "$2" */
    struct opt_permissions perms;
    char *account; /* owning account name; NULL means the global account */
};

struct opt_account {
    char *name;
    bool jetstream; /* JetStream enabled for this account */
};

#define OPTS_GLOBAL_ACCOUNT "$G"
#define OPTS_SYSTEM_ACCOUNT "$SYS"

struct server_opts {
    char *config_file; /* the file given with -c, or NULL */

    /* Client listener. */
    char *host; /* default "0.0.0.0" */
    int port;   /* default 4222; -1 picks a random port */
    char *server_name;
    char *client_advertise;

    /* Monitoring. */
    char *http_host; /* NULL means same as host; opts_parse_args() fills
                        it in */
    int http_port;   /* 0 = off; -1 random */

    /* Limits and timers. */
    int64_t max_payload;       /* bytes, default 1 MiB */
    int64_t max_control_line;  /* bytes, default 4096 */
    int64_t max_pending;       /* bytes per connection, default 64 MiB */
    int max_connections;       /* default 65536 */
    int max_subscriptions;     /* per connection, 0 = unlimited */
    int64_t ping_interval_ms;  /* default 2 min */
    int max_pings_out;         /* default 2 */
    int64_t auth_timeout_ms;   /* default 2 s (more when bcrypt is used) */
    int64_t write_deadline_ms; /* default 10 s */
    int64_t lame_duck_duration_ms;     /* default 2 min */
    int64_t lame_duck_grace_period_ms; /* default 10 s */

    /* Authorization for the global account. */
    char *username; /* single user from flags or authorization {user} */
    char *password;
    char *auth_token;
    struct opt_user *users; /* every configured user, all accounts */
    size_t n_users;
    struct opt_permissions default_permissions;
    struct opt_account *accounts;
    size_t n_accounts;
    char *no_auth_user;
    char *system_account; /* default "$SYS" */

    /* JetStream (issue #3). */
    bool jetstream;
    char *store_dir;
    int64_t js_max_memory; /* -1 = unlimited */
    int64_t js_max_file;   /* -1 = unlimited */
    int64_t sync_interval_ms; /* 0 = fsync before every ack (default) */

    /* Logging. */
    bool debug;
    bool trace;
    bool logtime; /* default true */
    char *log_file;
    char *pid_file;
};

/* Fills in the defaults. */
void opts_init(struct server_opts *o);

/* Frees every string and array; o may be reused after opts_init(). */
void opts_close(struct server_opts *o);

/* Reads a configuration file into o (overriding what it sets). The format
 * is chosen by extension: .yaml/.yml is YAML, anything else nats-server's
 * syntax. Unsupported keys are logged as warnings naming the key. Returns 0,
 * or a BL_E* code with errmsg "FILE:LINE: what is wrong". */
int opts_load_file(struct server_opts *o, const char *path, char *errmsg);

/* Parses argv (nats-server's flag names). -c loads the file first, then the
 * other flags override it. Returns 0 to run, 1 if help or version was
 * printed to stdout and the caller should exit 0, or a BL_E* code with
 * errmsg. */
int opts_parse_args(struct server_opts *o, int argc, char **argv,
                    char *errmsg);

/* Writes the flag summary printed by -h. */
void opts_usage(FILE *out);

/* Checks cross-field rules (a user's account exists, no_auth_user exists,
 * ports in range...). Returns 0 or BL_EINVAL with errmsg. */
int opts_validate(const struct server_opts *o, char *errmsg);

#endif
