/* Authentication and authorization: which account a connecting client lands
 * in, and what it may publish and subscribe to.
 *
 * Built once from server_opts; pure code with no sockets. Passwords may be
 * plain text or bcrypt hashes ("$2a$", "$2b$", "$2y$"), checked with the
 * system's crypt_r(3) (libxcrypt). Permission checks are cached per user.
 *
 * Threads: auth_check() only reads, so it may run on a worker thread (a
 * bcrypt check takes milliseconds). The permission checks fill per-user
 * caches and must all be called from one thread, the event loop's. */
#ifndef BALLAST_AUTH_AUTH_H
#define BALLAST_AUTH_AUTH_H

#include "conf/opts.h"

#include "ballast/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct auth;      /* the whole configuration */
struct auth_user; /* one authenticated identity; owned by struct auth */

/* What the client sent in CONNECT. Any field may be NULL. */
struct auth_creds {
    const char *user;
    const char *pass;
    const char *auth_token;
};

/* Builds the auth configuration (copies what it needs from o). Returns 0 or
 * BL_EINVAL with errmsg. The system account always exists. */
int auth_new(const struct server_opts *o, struct auth **out, char *errmsg);
void auth_free(struct auth *a);

/* True if clients must present credentials (auth_required in INFO): users
 * or a token are configured and there is no no_auth_user. */
bool auth_required(const struct auth *a);

/* Checks credentials. On success sets *out (borrowed from a) and returns 0;
 * returns BL_EAUTH when they are wrong or missing. With no auth configured
 * every client gets the global account's anonymous user. */
int auth_check(struct auth *a, const struct auth_creds *c,
               const struct auth_user **out);

/* Name of the account a user belongs to ("$G" for the global one). */
const char *auth_user_account(const struct auth_user *u);

/* The user's name, or "" for anonymous. */
const char *auth_user_name(const struct auth_user *u);

/* Index of the user's account, 0..auth_n_accounts()-1; 0 is "$G". Lets the
 * server keep one subscription index per account in an array. */
size_t auth_user_account_index(const struct auth_user *u);
size_t auth_n_accounts(const struct auth *a);
const char *auth_account_name(const struct auth *a, size_t index);
/* Index of the system account. */
size_t auth_system_account_index(const struct auth *a);

/* Publish permission for the literal subject. */
bool auth_can_publish(const struct auth_user *u, struct bl_slice subject);

/* Subscribe permission for a subscription filter (may hold wildcards): a
 * filter is allowed only if an allow entry covers it and no deny entry
 * overlaps a subject it could match; see nats-server's rules. */
bool auth_can_subscribe(const struct auth_user *u, struct bl_slice filter,
                        struct bl_slice queue);

/* True if a message on the literal `subject` may be delivered to this user's
 * subscription, i.e. the subject is not in the subscribe deny list (a
 * wildcard subscription allowed by its filter can still match a denied
 * subject). */
bool auth_can_deliver(const struct auth_user *u, struct bl_slice subject);

/* True if the user has permissions with allow_responses set. */
bool auth_allows_responses(const struct auth_user *u);

#endif
