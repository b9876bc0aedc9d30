/* ballast: the admin CLI. main() only finds the command, parses its options,
 * fills struct cli and runs it; the commands live in one file per group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"

static const struct opt_spec global_opts[] = {
    {"server", 's', OPT_VALUE, "URL",
     "NATS server URLs, comma separated (default " CLI_DEFAULT_SERVER ")"},
    {"user", 0, OPT_VALUE, "USER", "user name or token"},
    {"password", 0, OPT_VALUE, "PASSWORD", "password"},
    {"timeout", 0, OPT_VALUE, "DURATION",
     "time to wait for replies, e.g. 5s (default 5s)"},
    {"json", 0, OPT_FLAG, NULL, "print the server's JSON replies"},
    {"monitor", 0, OPT_VALUE, "URL",
     "HTTP monitoring URL (default " CLI_DEFAULT_MONITOR ")"},
    {"help", 'h', OPT_FLAG, NULL, "show help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command *const tables[] = {
    pub_commands, stream_commands, consumer_commands,
    kv_commands,  backup_commands, server_commands,
};
#define N_TABLES (sizeof tables / sizeof tables[0])

static const struct {
    const char *alias, *name;
} group_aliases[] = {
    {"str", "stream"},   {"streams", "stream"},     {"con", "consumer"},
    {"obs", "consumer"}, {"consumers", "consumer"},
};

static const struct {
    const char *alias, *name;
} cmd_aliases[] = {
    {"list", "ls"},    {"delete", "rm"},   {"new", "add"},
    {"create", "add"}, {"update", "edit"}, {"req", "request"},
};

static const char *resolve(const char *word, int is_group)
{
    if (is_group) {
        for (size_t i = 0; i < sizeof group_aliases / sizeof group_aliases[0];
             i++)
            if (strcmp(word, group_aliases[i].alias) == 0)
                return group_aliases[i].name;
    } else {
        for (size_t i = 0; i < sizeof cmd_aliases / sizeof cmd_aliases[0]; i++)
            if (strcmp(word, cmd_aliases[i].alias) == 0)
                return cmd_aliases[i].name;
    }
    return word;
}

static int is_group(const char *word)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (const struct command *c = tables[t]; c->name; c++)
            if (c->group != NULL && strcmp(c->group, word) == 0)
                return 1;
    return 0;
}

static const struct command *find_command(const char *group, const char *name)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (const struct command *c = tables[t]; c->name; c++) {
            int same_group = group == NULL
                                 ? c->group == NULL
                                 : c->group && strcmp(c->group, group) == 0;
            if (same_group && strcmp(c->name, name) == 0)
                return c;
        }
    return NULL;
}

static void print_opts(const struct opt_spec *opts, FILE *out)
{
    for (const struct opt_spec *o = opts; o && o->name; o++) {
        char left[96];
        int n = 0;
        if (o->short_name)
            n = snprintf(left, sizeof left, "-%c, ", o->short_name);
        n += snprintf(left + n, sizeof left - (size_t)n, "--%s%s",
                      o->kind == OPT_FLAG_NEG ? "[no-]" : "", o->name);
        if (o->kind == OPT_VALUE)
            snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg_name);
        fprintf(out, "  %-34s %s\n", left, o->help);
    }
}

static void usage_main(FILE *out)
{
    fprintf(out, "usage: ballast [global options] COMMAND [args]\n\n"
                 "Administer a NATS / JetStream server (ballastd or "
                 "nats-server).\n\nCommands:\n");
    for (size_t t = 0; t < N_TABLES; t++)
        for (const struct command *c = tables[t]; c->name; c++) {
            char name[64];
            snprintf(name, sizeof name, "%s%s%s", c->group ? c->group : "",
                     c->group ? " " : "", c->name);
            fprintf(out, "  %-20s %s\n", name, c->summary);
        }
    fprintf(out, "\nGlobal options:\n");
    print_opts(global_opts, out);
    fprintf(out, "\nRun 'ballast COMMAND --help' for a command's options.\n");
}

static void usage_group(const char *group, FILE *out)
{
    fprintf(out, "usage: ballast %s COMMAND [args]\n\nCommands:\n", group);
    for (size_t t = 0; t < N_TABLES; t++)
        for (const struct command *c = tables[t]; c->name; c++)
            if (c->group && strcmp(c->group, group) == 0)
                fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out,
            "\nRun 'ballast %s COMMAND --help' for a command's "
            "options.\n",
            group);
}

static void usage_command(const struct command *c, FILE *out)
{
    fprintf(out, "usage: ballast %s%s%s%s%s [options]\n\n%s\n",
            c->group ? c->group : "", c->group ? " " : "", c->name,
            c->synopsis && *c->synopsis ? " " : "",
            c->synopsis ? c->synopsis : "", c->summary);
    if (c->opts && c->opts->name) {
        fprintf(out, "\nOptions:\n");
        print_opts(c->opts, out);
    }
    fprintf(out, "\nGlobal options:\n");
    print_opts(global_opts, out);
}

/* Index of the `n`th word of argv[1..] that is not a global option or its
 * value, or 0 when there is none. */
static int nth_word(int argc, char **argv, int n)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0)
                return 0;
            const char *name = a[1] == '-' ? a + 2 : NULL;
            for (const struct opt_spec *o = global_opts; o->name; o++) {
                int match = name ? strcmp(name, o->name) == 0
                                 : (o->short_name && a[1] == o->short_name &&
                                    a[2] == '\0');
                if (match && o->kind == OPT_VALUE)
                    i++;
            }
            continue;
        }
        if (n-- == 0)
            return i;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int w0 = nth_word(argc, argv, 0);
    if (w0 == 0) {
        int wants_help = 0;
        for (int i = 1; i < argc; i++)
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                wants_help = 1;
        usage_main(wants_help ? stdout : stderr);
        return wants_help ? 0 : 1;
    }
    const char *group = NULL;
    const char *name = argv[w0];
    int w1 = 0;
    if (is_group(resolve(argv[w0], 1))) {
        group = resolve(argv[w0], 1);
        w1 = nth_word(argc, argv, 1);
        if (w1 == 0) {
            int wants_help = 0;
            for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 ||
                    strcmp(argv[i], "-h") == 0)
                    wants_help = 1;
            usage_group(group, wants_help ? stdout : stderr);
            return wants_help ? 0 : 1;
        }
        name = resolve(argv[w1], 0);
    } else {
        name = resolve(name, 0);
    }
    const struct command *cmd = find_command(group, name);
    if (cmd == NULL) {
        if (group != NULL)
            cli_fail("unknown command '%s %s' (see 'ballast %s --help')", group,
                     name, group);
        else
            cli_fail("unknown command '%s' (see 'ballast --help')", name);
        return 1;
    }

    /* Parse everything but the command words. */
    char **rest = calloc((size_t)argc, sizeof *rest);
    int n_rest = 0;
    for (int i = 1; i < argc; i++)
        if (i != w0 && i != w1)
            rest[n_rest++] = argv[i];
    struct args a;
    char errmsg[BL_ERRMSG_SIZE];
    if (args_parse(&a, n_rest, rest, global_opts, cmd->opts, errmsg) != 0) {
        free(rest);
        cli_fail("%s (see 'ballast %s%s%s --help')", errmsg, group ? group : "",
                 group ? " " : "", cmd->name);
        return 1;
    }
    if (args_flag(&a, "help")) {
        usage_command(cmd, stdout);
        free(rest);
        return 0;
    }
    if (a.n_pos < cmd->min_pos || a.n_pos > cmd->max_pos) {
        cli_fail("'%s%s%s' takes %s%s (see 'ballast %s%s%s --help')",
                 group ? group : "", group ? " " : "", cmd->name,
                 cmd->synopsis && *cmd->synopsis ? "arguments "
                                                 : "no arguments",
                 cmd->synopsis ? cmd->synopsis : "", group ? group : "",
                 group ? " " : "", cmd->name);
        free(rest);
        return 1;
    }

    struct cli c = {0};
    c.server_url = args_get(&a, "server");
    if (c.server_url == NULL)
        c.server_url = getenv("NATS_URL");
    if (c.server_url == NULL)
        c.server_url = CLI_DEFAULT_SERVER;
    c.user = args_get(&a, "user");
    c.password = args_get(&a, "password");
    c.monitor_url = args_get(&a, "monitor");
    if (c.monitor_url == NULL)
        c.monitor_url = CLI_DEFAULT_MONITOR;
    c.json = args_flag(&a, "json");
    c.timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    const char *t = args_get(&a, "timeout");
    if (t != NULL) {
        int64_t ns;
        int64_t secs;
        if (parse_duration(t, &ns) == 0 && ns > 0) {
            c.timeout_ms = ns / 1000000 > 0 ? ns / 1000000 : 1;
        } else if (parse_count(t, &secs) == 0 && secs > 0) {
            c.timeout_ms = secs * 1000;
        } else {
            free(rest);
            return cli_fail("invalid --timeout '%s' (e.g. 5s, 500ms)", t);
        }
    }

    int rc = cmd->run(&c, &a);
    cli_close(&c);
    free(rest);
    nats_Close();
    return rc;
}
