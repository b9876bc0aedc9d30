/* Accounts, users and credential checks, following nats-server 2.9
 * (auth.go: configureAuthorization, processClientOrLeafAuthentication).
 *
 * Users live in a table keyed by name; the single user of the options
 * (username/password) is one more user of the global account. A token is
 * an alternative to users, never combined with them, as nats-server's
 * configuration rules demand. */
#include "auth/auth.h"

#include "auth/internal.h"

#include "ballast/err.h"
#include "ballast/map.h"
#include "ballast/mem.h"

#include <assert.h>
#include <crypt.h>
#include <ctype.h>
#include <string.h>

struct auth_user {
    char *name;     /* "" for the anonymous and the token user */
    char *password; /* plain text or bcrypt hash; "" if none */
    size_t account;
    const char *account_name; /* owned by struct auth */
    struct auth_perms *perms; /* NULL: no restriction at all */
};

struct auth {
    char **accounts; /* names; [0] is "$G" */
    size_t n_accounts;
    size_t system_account;
    struct auth_user **users; /* configured users, in configuration order */
    size_t n_users;
    struct bl_map users_by_name;    /* name -> struct auth_user * */
    char *token;                    /* NULL: no token configured */
    struct auth_user *token_user;   /* logged in with the token */
    struct auth_user *no_auth_user; /* borrowed from users, or NULL */
    struct auth_user *anonymous;    /* used when nothing is configured */
    bool is_required;               /* users or a token exist */
};

static bool is_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* nats-server's test for a bcrypt hash: "$2a$", "$2b$", "$2x$" or "$2y$",
 * two cost digits and '$'. */
static bool is_bcrypt(const char *s)
{
    return s[0] == '$' && s[1] == '2' && s[2] != '\0' &&
           strchr("abxy", s[2]) != NULL && s[3] == '$' &&
           isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
           s[6] == '$';
}

/* Compares in time that depends only on the lengths, so a client cannot
 * find a password byte by byte. */
static bool equal_const_time(const char *stored, const char *given)
{
    size_t n_stored = strlen(stored);
    size_t n_given = strlen(given);
    unsigned char diff = n_stored != n_given;

    for (size_t i = 0; i < n_stored; i++)
        diff |= (unsigned char)stored[i] ^
                (unsigned char)(i < n_given ? given[i] : 0);
    return diff == 0;
}

static bool password_ok(const char *stored, const char *given)
{
    if (!is_bcrypt(stored))
        return equal_const_time(stored, given);

    /* crypt_rn() hashes `given` with the salt and cost taken from the
     * stored hash; equal output means the same password. The work area is
     * 32 KiB, too big for a thread-pool stack, so it goes on the heap. */
    struct crypt_data *cd = bl_xcalloc(1, sizeof(*cd));
    const char *hash = crypt_rn(given, stored, cd, (int)sizeof(*cd));
    bool ok = hash != NULL && equal_const_time(stored, hash);
    explicit_bzero(cd, sizeof(*cd));
    bl_free(cd);
    return ok;
}

static void user_free(struct auth_user *u)
{
    if (u == NULL)
        return;
    bl_free(u->name);
    if (u->password != NULL)
        explicit_bzero(u->password, strlen(u->password));
    bl_free(u->password);
    auth__perms_close(u->perms);
    bl_free(u->perms);
    bl_free(u);
}

/* Makes a user; perms may be NULL (unrestricted). */
static int user_new(const struct auth *a, const char *name,
                    const char *password, size_t account,
                    const struct opt_permissions *perms, struct auth_user **out,
                    char *errmsg)
{
    struct auth_user *u = bl_xcalloc(1, sizeof(*u));
    u->name = bl_xstrdup(name);
    u->password = bl_xstrdup(password != NULL ? password : "");
    u->account = account;
    u->account_name = a->accounts[account];
    if (perms != NULL) {
        u->perms = bl_xmalloc(sizeof(*u->perms));
        int rv = auth__perms_init(u->perms, perms, errmsg);
        if (rv != 0) {
            bl_free(u->perms);
            u->perms = NULL;
            user_free(u);
            bl_errmsg_prefix(errmsg, "permissions");
            return rv;
        }
    }
    *out = u;
    return 0;
}

/* Index of the account called `name`, or -1. */
static long account_find(const struct auth *a, const char *name)
{
    for (size_t i = 0; i < a->n_accounts; i++)
        if (strcmp(a->accounts[i], name) == 0)
            return (long)i;
    return -1;
}

static void account_add(struct auth *a, const char *name)
{
    a->accounts =
        bl_xrealloc(a->accounts, (a->n_accounts + 1) * sizeof(*a->accounts));
    a->accounts[a->n_accounts++] = bl_xstrdup(name);
}

static int accounts_build(struct auth *a, const struct server_opts *o,
                          char *errmsg)
{
    account_add(a, OPTS_GLOBAL_ACCOUNT);
    for (size_t i = 0; i < o->n_accounts; i++) {
        const char *name = o->accounts[i].name;
        if (is_empty(name)) {
            bl_errmsg_set(errmsg, "account %zu has no name", i + 1);
            return BL_EINVAL;
        }
        /* Configuring "$G" only sets options of the global account. */
        if (strcmp(name, OPTS_GLOBAL_ACCOUNT) == 0)
            continue;
        if (account_find(a, name) >= 0) {
            bl_errmsg_set(errmsg, "account %s defined twice", name);
            return BL_EINVAL;
        }
        account_add(a, name);
    }
    const char *sys =
        is_empty(o->system_account) ? OPTS_SYSTEM_ACCOUNT : o->system_account;
    long idx = account_find(a, sys);
    if (idx < 0) {
        account_add(a, sys);
        idx = (long)a->n_accounts - 1;
    }
    a->system_account = (size_t)idx;
    return 0;
}

static int user_add(struct auth *a, const char *name, const char *password,
                    const char *account, const struct opt_permissions *perms,
                    const struct opt_permissions *defaults, char *errmsg)
{
    struct auth_user *u;
    long idx = 0;
    int rv;

    if (is_empty(name)) {
        bl_errmsg_set(errmsg, "user with no name");
        return BL_EINVAL;
    }
    if (bl_map_get(&a->users_by_name, bl_slice_of(name)) != NULL) {
        bl_errmsg_set(errmsg, "user %s defined twice", name);
        return BL_EINVAL;
    }
    if (!is_empty(account)) {
        idx = account_find(a, account);
        if (idx < 0) {
            bl_errmsg_set(errmsg, "user %s: unknown account %s", name, account);
            return BL_EINVAL;
        }
    }
    if (perms == NULL || !perms->is_set)
        perms = defaults;
    rv = user_new(a, name, password, (size_t)idx, perms, &u, errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(errmsg, "user %s", name);
        return rv;
    }
    a->users = bl_xrealloc(a->users, (a->n_users + 1) * sizeof(*a->users));
    a->users[a->n_users++] = u;
    bl_map_put(&a->users_by_name, bl_slice_of(name), u);
    return 0;
}

int auth_new(const struct server_opts *o, struct auth **out, char *errmsg)
{
    struct auth *a = bl_xcalloc(1, sizeof(*a));
    const struct opt_permissions *defaults =
        o->default_permissions.is_set ? &o->default_permissions : NULL;
    int rv;

    bl_map_init(&a->users_by_name);
    rv = accounts_build(a, o, errmsg);
    if (rv != 0)
        goto fail;

    if (!is_empty(o->username)) {
        rv =
            user_add(a, o->username, o->password, NULL, NULL, defaults, errmsg);
        if (rv != 0)
            goto fail;
    }
    for (size_t i = 0; i < o->n_users; i++) {
        const struct opt_user *ou = &o->users[i];
        rv = user_add(a, ou->user, ou->password, ou->account, &ou->perms,
                      defaults, errmsg);
        if (rv != 0)
            goto fail;
    }

    if (!is_empty(o->auth_token)) {
        if (a->n_users > 0) {
            bl_errmsg_set(errmsg, "cannot have a token and users");
            rv = BL_EINVAL;
            goto fail;
        }
        a->token = bl_xstrdup(o->auth_token);
        rv = user_new(a, "", "", 0, defaults, &a->token_user, errmsg);
        if (rv != 0)
            goto fail;
    }

    if (!is_empty(o->no_auth_user)) {
        a->no_auth_user =
            bl_map_get(&a->users_by_name, bl_slice_of(o->no_auth_user));
        if (a->no_auth_user == NULL) {
            bl_errmsg_set(errmsg, "no_auth_user %s is not a configured user",
                          o->no_auth_user);
            rv = BL_EINVAL;
            goto fail;
        }
    }

    rv = user_new(a, "", "", 0, NULL, &a->anonymous, errmsg);
    if (rv != 0)
        goto fail;
    a->is_required = a->n_users > 0 || a->token != NULL;
    *out = a;
    return 0;

fail:
    auth_free(a);
    bl_errmsg_prefix(errmsg, "authorization");
    return rv;
}

void auth_free(struct auth *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->n_users; i++)
        user_free(a->users[i]);
    bl_free(a->users);
    bl_map_close(&a->users_by_name);
    if (a->token != NULL)
        explicit_bzero(a->token, strlen(a->token));
    bl_free(a->token);
    user_free(a->token_user);
    user_free(a->anonymous);
    for (size_t i = 0; i < a->n_accounts; i++)
        bl_free(a->accounts[i]);
    bl_free(a->accounts);
    bl_free(a);
}

bool auth_required(const struct auth *a)
{
    /* nats-server still checks credentials a client does send, but tells
     * clients in INFO that they need none when no_auth_user is set. */
    return a->is_required && a->no_auth_user == NULL;
}

int auth_check(struct auth *a, const struct auth_creds *c,
               const struct auth_user **out)
{
    const char *user = c != NULL && !is_empty(c->user) ? c->user : NULL;
    const char *pass = c != NULL && !is_empty(c->pass) ? c->pass : "";
    const char *token =
        c != NULL && !is_empty(c->auth_token) ? c->auth_token : NULL;

    /* Without users or a token nats-server ignores whatever was sent. */
    if (!a->is_required) {
        *out = a->anonymous;
        return 0;
    }
    if (a->no_auth_user != NULL && user == NULL && pass[0] == '\0' &&
        token == NULL) {
        *out = a->no_auth_user;
        return 0;
    }
    if (a->token != NULL) {
        if (token == NULL || !password_ok(a->token, token))
            return BL_EAUTH;
        *out = a->token_user;
        return 0;
    }
    if (user == NULL)
        return BL_EAUTH;
    const struct auth_user *u =
        bl_map_get(&a->users_by_name, bl_slice_of(user));
    if (u == NULL || !password_ok(u->password, pass))
        return BL_EAUTH;
    *out = u;
    return 0;
}

const char *auth_user_account(const struct auth_user *u)
{
    return u->account_name;
}

const char *auth_user_name(const struct auth_user *u)
{
    return u->name;
}

size_t auth_user_account_index(const struct auth_user *u)
{
    return u->account;
}

size_t auth_n_accounts(const struct auth *a)
{
    return a->n_accounts;
}

const char *auth_account_name(const struct auth *a, size_t index)
{
    assert(index < a->n_accounts);
    return a->accounts[index];
}

size_t auth_system_account_index(const struct auth *a)
{
    return a->system_account;
}

bool auth_can_publish(const struct auth_user *u, struct bl_slice subject)
{
    return u->perms == NULL || auth__perms_can_publish(u->perms, subject);
}

bool auth_can_subscribe(const struct auth_user *u, struct bl_slice filter,
                        struct bl_slice queue)
{
    return u->perms == NULL ||
           auth__perms_can_subscribe(u->perms, filter, queue);
}

bool auth_can_deliver(const struct auth_user *u, struct bl_slice subject)
{
    return u->perms == NULL || auth__perms_can_deliver(u->perms, subject);
}

bool auth_allows_responses(const struct auth_user *u)
{
    return u->perms != NULL && u->perms->allow_responses;
}
