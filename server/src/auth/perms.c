/* One user's publish and subscribe permissions, judged the way nats-server
 * 2.9 judges them (client.go: setPermissions, pubAllowed, canSubscribe).
 *
 * nats-server keeps allow and deny entries in a sublist and matches the
 * subject, or the subscription filter, against it as if it were literal: a
 * filter's '*' and '>' are plain tokens there. subject_matches(entry, filter)
 * does exactly that, so a filter is allowed when an allow entry covers it
 * and refused when a deny entry covers it. A wildcard filter that merely
 * overlaps a deny entry is accepted; the denied subjects are then filtered
 * out at delivery (auth__perms_can_deliver). */
#include "auth/internal.h"

#include "subj/subject.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <string.h>

/* Subjects longer than this are checked every time instead of cached, so a
 * cache's memory stays bounded whatever clients send. */
#define CACHE_MAX_SUBJECT 512

/* Cache values: bl_map stores pointers and NULL means "absent". */
#define CACHE_NO ((void *)1)
#define CACHE_YES ((void *)2)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* Splits "subject" or "subject queue" (any whitespace around and between)
 * into e. Publish entries take no queue. */
static int entry_parse(struct auth_perm_entry *e, const char *text,
                       bool queue_allowed, char *errmsg)
{
    struct bl_slice fields[3];
    size_t n = 0;
    const char *p = text;

    while (*p != '\0') {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p != '\0' && !is_space(*p))
            p++;
        if (n == 3)
            break;
        fields[n++] = (struct bl_slice){start, (size_t)(p - start)};
    }
    if (n == 0 || n > 2 || (n == 2 && !queue_allowed)) {
        bl_errmsg_set(errmsg, "invalid subject \"%s\"", text);
        return BL_EINVAL;
    }
    if (!subject_valid_subscribe(fields[0])) {
        bl_errmsg_set(errmsg, "invalid subject \"%s\"", text);
        return BL_EINVAL;
    }
    if (n == 2 && !queue_name_valid(fields[1])) {
        bl_errmsg_set(errmsg, "invalid queue group in \"%s\"", text);
        return BL_EINVAL;
    }
    e->subject = bl_xstrndup(fields[0].p, fields[0].len);
    e->queue = n == 2 ? bl_xstrndup(fields[1].p, fields[1].len) : NULL;
    return 0;
}

static void list_close(struct auth_perm_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        bl_free(l->entries[i].subject);
        bl_free(l->entries[i].queue);
    }
    bl_free(l->entries);
    memset(l, 0, sizeof(*l));
}

static int list_init(struct auth_perm_list *l, char *const *subjects, size_t n,
                     bool queue_allowed, const char *what, char *errmsg)
{
    memset(l, 0, sizeof(*l));
    if (n == 0)
        return 0;
    l->entries = bl_xcalloc(n, sizeof(*l->entries));
    for (size_t i = 0; i < n; i++) {
        int rv =
            entry_parse(&l->entries[i], subjects[i], queue_allowed, errmsg);
        if (rv != 0) {
            list_close(l);
            bl_errmsg_prefix(errmsg, "%s", what);
            return rv;
        }
        l->n++;
    }
    l->is_active = true;
    return 0;
}

int auth__perms_init(struct auth_perms *p, const struct opt_permissions *o,
                     char *errmsg)
{
    int rv;

    memset(p, 0, sizeof(*p));
    rv = list_init(&p->pub_allow, o->publish.allow, o->publish.n_allow, false,
                   "publish allow", errmsg);
    if (rv != 0)
        goto fail;
    rv = list_init(&p->pub_deny, o->publish.deny, o->publish.n_deny, false,
                   "publish deny", errmsg);
    if (rv != 0)
        goto fail_pub_allow;
    rv = list_init(&p->sub_allow, o->subscribe.allow, o->subscribe.n_allow,
                   true, "subscribe allow", errmsg);
    if (rv != 0)
        goto fail_pub_deny;
    rv = list_init(&p->sub_deny, o->subscribe.deny, o->subscribe.n_deny, true,
                   "subscribe deny", errmsg);
    if (rv != 0)
        goto fail_sub_allow;

    /* nats-server turns off the blanket publish allow when allow_responses
     * is set without a publish allow list: such a user may only publish
     * replies. An empty list ("publish: []") restricts nothing. */
    if (o->allow_responses)
        p->pub_allow.is_active = true;
    p->allow_responses = o->allow_responses;
    bl_map_init(&p->pub_cache);
    bl_map_init(&p->deliver_cache);
    return 0;

fail_sub_allow:
    list_close(&p->sub_allow);
fail_pub_deny:
    list_close(&p->pub_deny);
fail_pub_allow:
    list_close(&p->pub_allow);
fail:
    return rv;
}

void auth__perms_close(struct auth_perms *p)
{
    if (p == NULL)
        return;
    list_close(&p->pub_allow);
    list_close(&p->pub_deny);
    list_close(&p->sub_allow);
    list_close(&p->sub_deny);
    bl_map_close(&p->pub_cache);
    bl_map_close(&p->deliver_cache);
}

/* True if a plain (queue-less) entry of l matches `subject`. Queue entries
 * only speak about queue subscriptions. */
static bool plain_entry_matches(const struct auth_perm_list *l,
                                struct bl_slice subject)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct auth_perm_entry *e = &l->entries[i];
        if (e->queue == NULL &&
            subject_matches(bl_slice_of(e->subject), subject))
            return true;
    }
    return false;
}

/* True if the queue group `queue` is named by `entry_queue`: the same name,
 * or a wildcard entry ("v1.*") it falls under, as in nats-server's
 * queueMatches. */
static bool queue_matches(struct bl_slice queue, const char *entry_queue)
{
    struct bl_slice eq = bl_slice_of(entry_queue);
    if (bl_slice_eq(queue, eq))
        return true;
    return !subject_is_literal(eq) && subject_is_subset(queue, eq);
}

/* Looks at l's queue entries covering `filter`: *any_entry says whether
 * there is one, the result whether one of them names `queue`. */
static bool queue_entry_matches(const struct auth_perm_list *l,
                                struct bl_slice filter, struct bl_slice queue,
                                bool *any_entry)
{
    *any_entry = false;
    for (size_t i = 0; i < l->n; i++) {
        const struct auth_perm_entry *e = &l->entries[i];
        if (e->queue == NULL ||
            !subject_matches(bl_slice_of(e->subject), filter))
            continue;
        *any_entry = true;
        if (queue_matches(queue, e->queue))
            return true;
    }
    return false;
}

static bool cacheable(struct bl_slice subject)
{
    return subject.len <= CACHE_MAX_SUBJECT && subject_is_literal(subject);
}

static void cache_put(struct bl_map *m, struct bl_slice subject, bool allowed)
{
    /* Cleared rather than evicted one by one: refilling is cheap and a
     * client cycling through unique subjects gains nothing from LRU. */
    if (bl_map_count(m) >= AUTH_CACHE_MAX) {
        bl_map_close(m);
        bl_map_init(m);
    }
    bl_map_put(m, subject, allowed ? CACHE_YES : CACHE_NO);
}

static bool publish_uncached(const struct auth_perms *p,
                             struct bl_slice subject)
{
    bool allowed = true;
    if (p->pub_allow.is_active)
        allowed = plain_entry_matches(&p->pub_allow, subject);
    if (allowed && p->pub_deny.is_active)
        allowed = !plain_entry_matches(&p->pub_deny, subject);
    return allowed;
}

bool auth__perms_can_publish(struct auth_perms *p, struct bl_slice subject)
{
    if (!p->pub_allow.is_active && !p->pub_deny.is_active)
        return true;
    if (!cacheable(subject))
        return publish_uncached(p, subject);
    void *v = bl_map_get(&p->pub_cache, subject);
    if (v != NULL)
        return v == CACHE_YES;
    bool allowed = publish_uncached(p, subject);
    cache_put(&p->pub_cache, subject, allowed);
    return allowed;
}

bool auth__perms_can_subscribe(const struct auth_perms *p,
                               struct bl_slice filter, struct bl_slice queue)
{
    bool allowed = true;
    bool any_queue_entry;

    if (p->sub_allow.is_active) {
        allowed = plain_entry_matches(&p->sub_allow, filter);
        /* As in nats-server: once queue entries cover the filter, a queue
         * subscription is allowed exactly when one of them names its
         * group, whatever the plain entries say. */
        if (queue.len > 0) {
            bool named = queue_entry_matches(&p->sub_allow, filter, queue,
                                             &any_queue_entry);
            if (any_queue_entry)
                allowed = named;
        }
    }
    if (allowed && p->sub_deny.is_active) {
        allowed = !plain_entry_matches(&p->sub_deny, filter);
        /* nats-server lets a non-matching queue entry re-allow a filter a
         * plain deny entry refused; we keep the refusal and only add the
         * queue entries' own denials. */
        if (allowed && queue.len > 0 &&
            queue_entry_matches(&p->sub_deny, filter, queue, &any_queue_entry))
            allowed = false;
    }
    return allowed;
}

bool auth__perms_can_deliver(struct auth_perms *p, struct bl_slice subject)
{
    if (!p->sub_deny.is_active)
        return true;
    if (!cacheable(subject))
        return !plain_entry_matches(&p->sub_deny, subject);
    void *v = bl_map_get(&p->deliver_cache, subject);
    if (v != NULL)
        return v == CACHE_YES;
    bool allowed = !plain_entry_matches(&p->sub_deny, subject);
    cache_put(&p->deliver_cache, subject, allowed);
    return allowed;
}
