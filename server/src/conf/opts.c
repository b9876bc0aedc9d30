/* Defaults, loading a configuration file, cross-field validation, and the
 * ownership rules of struct server_opts (every string and array is owned). */
#include "conf/opts.h"

#include "conf/internal.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <string.h>
#include <strings.h>

void opts_init(struct server_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->host = bl_xstrdup("0.0.0.0");
    o->port = 4222;
    o->http_port = 0;
    o->max_payload = 1 << 20;
    o->max_control_line = 4096;
    o->max_pending = 64 << 20;
    o->max_connections = 65536;
    o->max_subscriptions = 0;
    o->ping_interval_ms = 2 * 60 * 1000;
    o->max_pings_out = 2;
    o->auth_timeout_ms = 2000;
    o->write_deadline_ms = 10 * 1000;
    o->lame_duck_duration_ms = 2 * 60 * 1000;
    o->lame_duck_grace_period_ms = 10 * 1000;
    o->system_account = bl_xstrdup(OPTS_SYSTEM_ACCOUNT);
    o->js_max_memory = -1;
    o->js_max_file = -1;
    o->sync_interval_ms = 0;
    o->logtime = true;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bl_free(v[i]);
    bl_free(v);
}

void conf__perm_list_close(struct opt_perm_list *l)
{
    free_strings(l->allow, l->n_allow);
    free_strings(l->deny, l->n_deny);
    memset(l, 0, sizeof(*l));
}

void conf__permissions_close(struct opt_permissions *p)
{
    conf__perm_list_close(&p->publish);
    conf__perm_list_close(&p->subscribe);
    memset(p, 0, sizeof(*p));
}

static char **copy_strings(char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    char **c = bl_xcalloc(n, sizeof(*c));
    for (size_t i = 0; i < n; i++)
        c[i] = bl_xstrdup(v[i]);
    return c;
}

static void perm_list_copy(struct opt_perm_list *dst,
                           const struct opt_perm_list *src)
{
    dst->allow = copy_strings(src->allow, src->n_allow);
    dst->n_allow = src->n_allow;
    dst->deny = copy_strings(src->deny, src->n_deny);
    dst->n_deny = src->n_deny;
    dst->is_set = src->is_set;
}

void conf__permissions_copy(struct opt_permissions *dst,
                            const struct opt_permissions *src)
{
    perm_list_copy(&dst->publish, &src->publish);
    perm_list_copy(&dst->subscribe, &src->subscribe);
    dst->allow_responses = src->allow_responses;
    dst->is_set = src->is_set;
}

void conf__user_close(struct opt_user *u)
{
    bl_free(u->user);
    bl_free(u->password);
    bl_free(u->account);
    conf__permissions_close(&u->perms);
    memset(u, 0, sizeof(*u));
}

void opts_close(struct server_opts *o)
{
    if (o == NULL)
        return;
    bl_free(o->config_file);
    bl_free(o->host);
    bl_free(o->server_name);
    bl_free(o->client_advertise);
    bl_free(o->http_host);
    bl_free(o->username);
    bl_free(o->password);
    bl_free(o->auth_token);
    for (size_t i = 0; i < o->n_users; i++)
        conf__user_close(&o->users[i]);
    bl_free(o->users);
    conf__permissions_close(&o->default_permissions);
    for (size_t i = 0; i < o->n_accounts; i++)
        bl_free(o->accounts[i].name);
    bl_free(o->accounts);
    bl_free(o->no_auth_user);
    bl_free(o->system_account);
    bl_free(o->store_dir);
    bl_free(o->log_file);
    bl_free(o->pid_file);
    memset(o, 0, sizeof(*o));
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int opts_load_file(struct server_opts *o, const char *path, char *errmsg)
{
    struct conf_tree t;
    conf_tree_init(&t);
    int rv;
    if (has_suffix(path, ".yaml") || has_suffix(path, ".yml"))
        rv = conf_yaml_parse_file(&t, path, errmsg);
    else
        rv = conf_nats_parse_file(&t, path, errmsg);
    if (rv == 0)
        rv = conf_apply(o, &t, NULL, errmsg);
    conf_tree_close(&t);
    if (rv == 0 && o->config_file != path) {
        bl_free(o->config_file);
        o->config_file = bl_xstrdup(path);
    }
    return rv;
}

static bool account_exists(const struct server_opts *o, const char *name)
{
    if (strcmp(name, OPTS_GLOBAL_ACCOUNT) == 0 ||
        (o->system_account && strcmp(name, o->system_account) == 0 &&
         strcmp(name, OPTS_SYSTEM_ACCOUNT) == 0))
        return true;
    for (size_t i = 0; i < o->n_accounts; i++)
        if (strcmp(o->accounts[i].name, name) == 0)
            return true;
    return false;
}

int opts_validate(const struct server_opts *o, char *errmsg)
{
    if (o->port < -1 || o->port > 65535) {
        bl_errmsg_set(errmsg, "port %d: expected -1 (random) to 65535",
                      o->port);
        return BL_EINVAL;
    }
    if (o->http_port < -1 || o->http_port > 65535) {
        bl_errmsg_set(errmsg, "http_port %d: expected -1 (random) to 65535",
                      o->http_port);
        return BL_EINVAL;
    }
    if (o->host == NULL || o->host[0] == '\0') {
        bl_errmsg_set(errmsg, "host: empty listen address");
        return BL_EINVAL;
    }
    if (o->max_payload <= 0 || o->max_control_line <= 0 ||
        o->max_pending <= 0) {
        bl_errmsg_set(errmsg, "max_payload, max_control_line and "
                              "max_pending must be positive");
        return BL_EINVAL;
    }
    if (o->max_payload > o->max_pending) {
        bl_errmsg_set(errmsg,
                      "max_payload (%lld) cannot be higher than max_pending "
                      "(%lld)",
                      (long long)o->max_payload, (long long)o->max_pending);
        return BL_EINVAL;
    }
    if (o->lame_duck_duration_ms > 0 &&
        o->lame_duck_grace_period_ms >= o->lame_duck_duration_ms) {
        bl_errmsg_set(errmsg,
                      "lame_duck_grace_period (%lldms) must be shorter than "
                      "lame_duck_duration (%lldms)",
                      (long long)o->lame_duck_grace_period_ms,
                      (long long)o->lame_duck_duration_ms);
        return BL_EINVAL;
    }
    for (size_t i = 0; i < o->n_accounts; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o->accounts[i].name, o->accounts[j].name) == 0) {
                bl_errmsg_set(errmsg, "account \"%s\" is defined twice",
                              o->accounts[i].name);
                return BL_EINVAL;
            }
        }
    }
    if (o->system_account == NULL || o->system_account[0] == '\0') {
        bl_errmsg_set(errmsg, "system_account: empty account name");
        return BL_EINVAL;
    }
    if (!account_exists(o, o->system_account)) {
        bl_errmsg_set(errmsg,
                      "system_account \"%s\" is not defined in "
                      "accounts",
                      o->system_account);
        return BL_EINVAL;
    }
    for (size_t i = 0; i < o->n_users; i++) {
        const struct opt_user *u = &o->users[i];
        if (u->user == NULL || u->user[0] == '\0') {
            bl_errmsg_set(errmsg, "user %zu has an empty name", i + 1);
            return BL_EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o->users[j].user, u->user) == 0) {
                bl_errmsg_set(errmsg, "user \"%s\" is defined twice", u->user);
                return BL_EINVAL;
            }
        }
        if (u->account != NULL && !account_exists(o, u->account)) {
            bl_errmsg_set(errmsg,
                          "user \"%s\": account \"%s\" is not "
                          "defined",
                          u->user, u->account);
            return BL_EINVAL;
        }
    }
    if (o->no_auth_user != NULL) {
        bool found = false;
        for (size_t i = 0; i < o->n_users && !found; i++)
            found = strcmp(o->users[i].user, o->no_auth_user) == 0;
        if (!found) {
            bl_errmsg_set(errmsg,
                          "no_auth_user \"%s\" is not a user in "
                          "authorization or accounts",
                          o->no_auth_user);
            return BL_EINVAL;
        }
    }
    if (o->auth_token != NULL && o->n_users > 0) {
        bl_errmsg_set(errmsg, "cannot have a token and users");
        return BL_EINVAL;
    }
    return 0;
}
