/* Shared by auth.c (accounts, users, credentials) and perms.c (one user's
 * publish and subscribe permissions and their result caches). */
#ifndef BALLAST_AUTH_INTERNAL_H
#define BALLAST_AUTH_INTERNAL_H

#include "conf/opts.h"

#include "ballast/buf.h"
#include "ballast/map.h"

#include <stdbool.h>
#include <stddef.h>

/* Most literal subjects a cache remembers before it is cleared. */
#define AUTH_CACHE_MAX 256

/* One allow or deny entry. Subscribe entries may name a queue group, written
 * "subject queue" in the configuration as nats-server allows. */
struct auth_perm_entry {
    char *subject;
    char *queue; /* NULL: the entry is about plain subscriptions */
};

struct auth_perm_list {
    struct auth_perm_entry *entries;
    size_t n;
    bool is_active; /* false: the list does not restrict anything */
};

struct auth_perms {
    struct auth_perm_list pub_allow;
    struct auth_perm_list pub_deny;
    struct auth_perm_list sub_allow;
    struct auth_perm_list sub_deny;
    bool allow_responses;
    /* Literal subject -> AUTH_CACHE_YES / AUTH_CACHE_NO, each bounded by
     * AUTH_CACHE_MAX. Filled by the checks, which is why they need the
     * event loop's single thread. */
    struct bl_map pub_cache;
    struct bl_map deliver_cache;
};

/* Builds permissions from the configuration; checks every subject. Returns
 * 0 or BL_EINVAL with errmsg. */
int auth__perms_init(struct auth_perms *p, const struct opt_permissions *o,
                     char *errmsg);
void auth__perms_close(struct auth_perms *p);

bool auth__perms_can_publish(struct auth_perms *p, struct bl_slice subject);
bool auth__perms_can_subscribe(const struct auth_perms *p,
                               struct bl_slice filter, struct bl_slice queue);
bool auth__perms_can_deliver(struct auth_perms *p, struct bl_slice subject);

#endif
