/* Command-line flags with nats-server's names and Go's flag syntax: one or
 * two dashes, "-flag value" or "-flag=value", booleans as "-D" or
 * "-D=false". Flags override the configuration file whatever their order,
 * so argv is read twice: once to check it and find -c, once to apply. */
#include "conf/opts.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef BALLAST_VERSION
#define BALLAST_VERSION "unknown"
#endif

enum flag_kind { F_BOOL, F_STRING, F_INT };

enum flag_target {
    T_PORT,
    T_HOST,
    T_NAME,
    T_ADVERTISE,
    T_CONFIG,
    T_HTTP_PORT,
    T_LOG,
    T_PID,
    T_JETSTREAM,
    T_STORE_DIR,
    T_USER,
    T_PASS,
    T_AUTH,
    T_DEBUG,
    T_TRACE,
    T_DEBUG_TRACE,
    T_LOGTIME,
    T_HELP,
    T_VERSION,
    T_UNSUPPORTED
};

struct flag_spec {
    const char *name; /* without dashes; case matters, as in Go */
    enum flag_kind kind;
    enum flag_target target;
};

static const struct flag_spec flags[] = {
    {"p", F_INT, T_PORT},
    {"port", F_INT, T_PORT},
    {"a", F_STRING, T_HOST},
    {"addr", F_STRING, T_HOST},
    {"net", F_STRING, T_HOST},
    {"n", F_STRING, T_NAME},
    {"name", F_STRING, T_NAME},
    {"server_name", F_STRING, T_NAME},
    {"client_advertise", F_STRING, T_ADVERTISE},
    {"c", F_STRING, T_CONFIG},
    {"config", F_STRING, T_CONFIG},
    {"m", F_INT, T_HTTP_PORT},
    {"http_port", F_INT, T_HTTP_PORT},
    {"l", F_STRING, T_LOG},
    {"log", F_STRING, T_LOG},
    {"P", F_STRING, T_PID},
    {"pid", F_STRING, T_PID},
    {"js", F_BOOL, T_JETSTREAM},
    {"jetstream", F_BOOL, T_JETSTREAM},
    {"sd", F_STRING, T_STORE_DIR},
    {"store_dir", F_STRING, T_STORE_DIR},
    {"user", F_STRING, T_USER},
    {"pass", F_STRING, T_PASS},
    {"auth", F_STRING, T_AUTH},
    {"D", F_BOOL, T_DEBUG},
    {"debug", F_BOOL, T_DEBUG},
    {"V", F_BOOL, T_TRACE},
    {"trace", F_BOOL, T_TRACE},
    {"VV", F_BOOL, T_TRACE},
    {"DV", F_BOOL, T_DEBUG_TRACE},
    {"DVV", F_BOOL, T_DEBUG_TRACE},
    {"T", F_BOOL, T_LOGTIME},
    {"logtime", F_BOOL, T_LOGTIME},
    {"h", F_BOOL, T_HELP},
    {"help", F_BOOL, T_HELP},
    {"v", F_BOOL, T_VERSION},
    {"version", F_BOOL, T_VERSION},
    /* nats-server flags for features Ballast does not have. */
    {"ms", F_STRING, T_UNSUPPORTED},
    {"https_port", F_STRING, T_UNSUPPORTED},
    {"t", F_BOOL, T_UNSUPPORTED},
    {"sl", F_STRING, T_UNSUPPORTED},
    {"signal", F_STRING, T_UNSUPPORTED},
    {"ports_file_dir", F_STRING, T_UNSUPPORTED},
    {"log_size_limit", F_STRING, T_UNSUPPORTED},
    {"max_traced_msg_len", F_STRING, T_UNSUPPORTED},
    {"s", F_BOOL, T_UNSUPPORTED},
    {"syslog", F_BOOL, T_UNSUPPORTED},
    {"r", F_STRING, T_UNSUPPORTED},
    {"remote_syslog", F_STRING, T_UNSUPPORTED},
    {"profile", F_STRING, T_UNSUPPORTED},
    {"routes", F_STRING, T_UNSUPPORTED},
    {"cluster", F_STRING, T_UNSUPPORTED},
    {"cluster_listen", F_STRING, T_UNSUPPORTED},
    {"cluster_advertise", F_STRING, T_UNSUPPORTED},
    {"cluster_name", F_STRING, T_UNSUPPORTED},
    {"no_advertise", F_BOOL, T_UNSUPPORTED},
    {"connect_retries", F_STRING, T_UNSUPPORTED},
    {"tls", F_BOOL, T_UNSUPPORTED},
    {"tlsverify", F_BOOL, T_UNSUPPORTED},
    {"tlscert", F_STRING, T_UNSUPPORTED},
    {"tlskey", F_STRING, T_UNSUPPORTED},
    {"tlscacert", F_STRING, T_UNSUPPORTED},
    {"help_tls", F_BOOL, T_UNSUPPORTED},
};

/* One flag as read from argv. */
struct flag_val {
    const struct flag_spec *spec;
    const char *str; /* F_STRING value, borrowed from argv */
    long num;        /* F_INT value */
    bool on;         /* F_BOOL value */
};

void opts_usage(FILE *out)
{
    fputs("Usage: ballastd [options]\n"
          "\n"
          "Server Options:\n"
          "    -a, --addr, --net <host>         Bind to host address (default: "
          "0.0.0.0)\n"
          "    -p, --port <port>                Use port for clients (default: "
          "4222, -1 random)\n"
          "    -n, --name\n"
          "        --server_name <server_name>  Server name\n"
          "    -P, --pid <file>                 File to store PID\n"
          "    -m, --http_port <port>           Use port for http monitoring\n"
          "    -c, --config <file>              Configuration file (.yaml/.yml "
          "or nats-server syntax)\n"
          "        --client_advertise <string>  Client URL to advertise\n"
          "\n"
          "Logging Options:\n"
          "    -l, --log <file>                 File to redirect log output\n"
          "    -T, --logtime                    Timestamp log entries "
          "(default: true)\n"
          "    -D, --debug                      Enable debugging output\n"
          "    -V, --trace                      Trace the raw protocol\n"
          "    -DV                              Debug and trace\n"
          "\n"
          "JetStream Options:\n"
          "    -js, --jetstream                 Enable JetStream "
          "functionality\n"
          "    -sd, --store_dir <dir>           Set the storage directory\n"
          "\n"
          "Authorization Options:\n"
          "        --user <user>                User required for connections\n"
          "        --pass <password>            Password required for "
          "connections\n"
          "        --auth <token>               Authorization token required "
          "for connections\n"
          "\n"
          "Common Options:\n"
          "    -h, --help                       Show this message\n"
          "    -v, --version                    Show version\n"
          "\n"
          "Flags override the configuration file. Flags take one or two "
          "dashes,\n"
          "\"-flag value\" or \"-flag=value\"; booleans \"-D\" or "
          "\"-D=false\".\n",
          out);
}

/* Go's strconv.ParseBool. */
static int parse_go_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static const struct flag_spec *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strlen(flags[i].name) == len &&
            strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

/* Reads argv into vals (argc entries at most); sets *n_vals, *help and
 * *version. Positional "help" and "version" work as in nats-server. */
static int scan_args(int argc, char **argv, struct flag_val *vals,
                     size_t *n_vals, bool *help, bool *version, char *errmsg)
{
    int i = 1;
    *n_vals = 0;
    while (i < argc) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
        if (name[0] == '\0' || name[0] == '-' || name[0] == '=') {
            bl_errmsg_set(errmsg, "bad flag syntax: %s", arg);
            return BL_EINVAL;
        }
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct flag_spec *spec = find_flag(name, name_len);
        if (spec == NULL) {
            bl_errmsg_set(errmsg, "flag provided but not defined: -%.*s",
                          (int)name_len, name);
            return BL_EINVAL;
        }
        if (spec->target == T_UNSUPPORTED) {
            bl_errmsg_set(errmsg, "flag -%s is not supported by ballastd",
                          spec->name);
            return BL_EUNSUPPORTED;
        }
        struct flag_val *v = &vals[(*n_vals)++];
        memset(v, 0, sizeof(*v));
        v->spec = spec;
        if (spec->kind == F_BOOL) {
            v->on = true;
            if (eq != NULL && parse_go_bool(eq + 1, &v->on) != 0) {
                bl_errmsg_set(errmsg, "invalid boolean value \"%s\" for -%s",
                              eq + 1, spec->name);
                return BL_EINVAL;
            }
            if (spec->target == T_HELP)
                *help = *help || v->on;
            if (spec->target == T_VERSION)
                *version = *version || v->on;
            i++;
            continue;
        }
        const char *value;
        if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            bl_errmsg_set(errmsg, "flag needs an argument: -%s", spec->name);
            return BL_EINVAL;
        }
        v->str = value;
        if (spec->kind == F_INT) {
            char *end;
            errno = 0;
            v->num = strtol(value, &end, 10);
            if (value[0] == '\0' || *end != '\0' || errno != 0 ||
                v->num < INT_MIN || v->num > INT_MAX) {
                bl_errmsg_set(errmsg,
                              "invalid value \"%s\" for flag -%s: expected "
                              "an integer",
                              value, spec->name);
                return BL_EINVAL;
            }
        }
        i++;
    }
    for (; i < argc; i++) {
        if (strcasecmp(argv[i], "version") == 0) {
            *version = true;
        } else if (strcasecmp(argv[i], "help") == 0) {
            *help = true;
        } else {
            bl_errmsg_set(errmsg, "unrecognized command: \"%s\"", argv[i]);
            return BL_EINVAL;
        }
        break; /* nats-server looks at the first one only */
    }
    return 0;
}

static void set_str(char **field, const char *value)
{
    bl_free(*field);
    *field = bl_xstrdup(value);
}

static void apply_flag(struct server_opts *o, const struct flag_val *v)
{
    switch (v->spec->target) {
    case T_PORT:
        /* 0 means the default, as in nats-server. */
        o->port = v->num == 0 ? 4222 : (int)v->num;
        break;
    case T_HOST:
        set_str(&o->host, v->str);
        break;
    case T_NAME:
        set_str(&o->server_name, v->str);
        break;
    case T_ADVERTISE:
        set_str(&o->client_advertise, v->str);
        break;
    case T_HTTP_PORT:
        o->http_port = (int)v->num;
        break;
    case T_LOG:
        set_str(&o->log_file, v->str);
        break;
    case T_PID:
        set_str(&o->pid_file, v->str);
        break;
    case T_JETSTREAM:
        o->jetstream = v->on;
        break;
    case T_STORE_DIR:
        set_str(&o->store_dir, v->str);
        break;
    case T_USER:
        set_str(&o->username, v->str);
        break;
    case T_PASS:
        set_str(&o->password, v->str);
        break;
    case T_AUTH:
        set_str(&o->auth_token, v->str);
        break;
    case T_DEBUG:
        o->debug = v->on;
        break;
    case T_TRACE:
        o->trace = v->on;
        break;
    case T_DEBUG_TRACE:
        o->debug = v->on;
        o->trace = v->on;
        break;
    case T_LOGTIME:
        o->logtime = v->on;
        break;
    case T_CONFIG:
    case T_HELP:
    case T_VERSION:
    case T_UNSUPPORTED:
        break;
    }
}

int opts_parse_args(struct server_opts *o, int argc, char **argv, char *errmsg)
{
    bool help = false, version = false;
    size_t n_vals = 0;
    struct flag_val *vals =
        bl_xcalloc(argc > 0 ? (size_t)argc : 1, sizeof(*vals));
    int rv = scan_args(argc, argv, vals, &n_vals, &help, &version, errmsg);
    if (rv != 0)
        goto out;
    if (version) {
        printf("ballastd version %s\n", BALLAST_VERSION);
        rv = 1;
        goto out;
    }
    if (help) {
        opts_usage(stdout);
        rv = 1;
        goto out;
    }
    const char *config = NULL;
    for (size_t i = 0; i < n_vals; i++)
        if (vals[i].spec->target == T_CONFIG)
            config = vals[i].str;
    if (config != NULL) {
        rv = opts_load_file(o, config, errmsg);
        if (rv != 0)
            goto out;
    }
    for (size_t i = 0; i < n_vals; i++)
        apply_flag(o, &vals[i]);
    if (o->http_host == NULL)
        o->http_host = bl_xstrdup(o->host);
out:
    bl_free(vals);
    return rv;
}
