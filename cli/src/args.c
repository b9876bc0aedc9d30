/* Command-line parsing: GNU-style long options (--name VALUE, --name=VALUE,
 * --flag, --no-flag), single-letter short options, positionals anywhere. */
#include <string.h>

#include "cli.h"

static const struct opt_spec *find_long(const struct opt_spec *const sets[2],
                                        const char *name, size_t len)
{
    for (int s = 0; s < 2; s++)
        for (const struct opt_spec *o = sets[s]; o && o->name; o++)
            if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
                return o;
    return NULL;
}

static const struct opt_spec *find_short(const struct opt_spec *const sets[2],
                                         char ch)
{
    for (int s = 0; s < 2; s++)
        for (const struct opt_spec *o = sets[s]; o && o->name; o++)
            if (o->short_name != 0 && o->short_name == ch)
                return o;
    return NULL;
}

static int push_value(struct args *a, const struct opt_spec *o, const char *v,
                      char *errmsg)
{
    if (a->n_values == ARGS_MAX_VALUES) {
        bl_errmsg_set(errmsg, "too many options");
        return BL_EINVAL;
    }
    a->value_spec[a->n_values] = o;
    a->values[a->n_values] = v;
    a->n_values++;
    return 0;
}

int args_parse(struct args *a, int argc, char **argv,
               const struct opt_spec *global_opts,
               const struct opt_spec *cmd_opts, char *errmsg)
{
    memset(a, 0, sizeof *a);
    a->specs[0] = global_opts;
    a->specs[1] = cmd_opts;
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const struct opt_spec *o = NULL;
        const char *inline_val = NULL;
        if (only_pos || arg[0] != '-' || arg[1] == '\0' ||
            (arg[1] >= '0' && arg[1] <= '9')) {
            /* Positionals, including "-" and negative numbers. */
            if (a->n_pos == ARGS_MAX_POS) {
                bl_errmsg_set(errmsg, "too many arguments");
                return BL_EINVAL;
            }
            a->pos[a->n_pos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(a->specs, name, len);
            if (o == NULL && len > 3 && memcmp(name, "no-", 3) == 0) {
                const struct opt_spec *neg =
                    find_long(a->specs, name + 3, len - 3);
                if (neg != NULL && neg->kind == OPT_FLAG_NEG && eq == NULL) {
                    if (push_value(a, neg, "false", errmsg) != 0)
                        return BL_EINVAL;
                    continue;
                }
            }
            if (o == NULL) {
                bl_errmsg_set(errmsg, "unknown option --%.*s", (int)len, name);
                return BL_EINVAL;
            }
            if (eq != NULL)
                inline_val = eq + 1;
        } else {
            o = find_short(a->specs, arg[1]);
            if (o == NULL) {
                bl_errmsg_set(errmsg, "unknown option -%c", arg[1]);
                return BL_EINVAL;
            }
            if (arg[2] != '\0') {
                if (o->kind != OPT_VALUE) {
                    bl_errmsg_set(errmsg, "option -%c takes no value", arg[1]);
                    return BL_EINVAL;
                }
                inline_val = arg + 2;
            }
        }
        const char *v;
        if (o->kind == OPT_VALUE) {
            if (inline_val != NULL) {
                v = inline_val;
            } else if (i + 1 < argc) {
                v = argv[++i];
            } else {
                bl_errmsg_set(errmsg, "option --%s needs a value", o->name);
                return BL_EINVAL;
            }
        } else {
            if (inline_val != NULL && strcmp(inline_val, "true") != 0 &&
                strcmp(inline_val, "false") != 0) {
                bl_errmsg_set(errmsg, "option --%s takes no value", o->name);
                return BL_EINVAL;
            }
            v = inline_val ? inline_val : "true";
        }
        if (push_value(a, o, v, errmsg) != 0)
            return BL_EINVAL;
    }
    return 0;
}

const char *args_get(const struct args *a, const char *name)
{
    for (int i = a->n_values - 1; i >= 0; i--)
        if (strcmp(a->value_spec[i]->name, name) == 0)
            return a->values[i];
    return NULL;
}

int args_flag(const struct args *a, const char *name)
{
    const char *v = args_get(a, name);
    return v != NULL && strcmp(v, "false") != 0;
}

int args_tristate(const struct args *a, const char *name)
{
    const char *v = args_get(a, name);
    if (v == NULL)
        return -1;
    return strcmp(v, "false") != 0;
}

const char *args_nth(const struct args *a, const char *name, int n)
{
    for (int i = 0; i < a->n_values; i++)
        if (strcmp(a->value_spec[i]->name, name) == 0 && n-- == 0)
            return a->values[i];
    return NULL;
}
