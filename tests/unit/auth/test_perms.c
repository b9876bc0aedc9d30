/* Publish, subscribe and delivery permissions, checked against the answers
 * nats-server 2.9 gives for the same configuration. Every table also runs a
 * second time on the same user, so cached answers are checked too. */
#include "auth/auth.h"

#include "ballast/err.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static struct server_opts o;
static struct opt_user users[4];
static struct auth *a;
static char errmsg[BL_ERRMSG_SIZE];

static void setup(void)
{
    memset(&o, 0, sizeof(o));
    memset(users, 0, sizeof(users));
    a = NULL;
    errmsg[0] = '\0';
}

static void teardown(void)
{
    auth_free(a);
}

#define N(t) (sizeof(t) / sizeof((t)[0]))
#define LIST(t) (t), N(t)

static void set_list(struct opt_perm_list *l, char **allow, size_t n_allow,
                     char **deny, size_t n_deny)
{
    l->allow = allow;
    l->n_allow = n_allow;
    l->deny = deny;
    l->n_deny = n_deny;
    l->is_set = true;
}

/* Adds user `name` (password "pw") and returns its permissions to fill. */
static struct opt_permissions *add_user(const char *name)
{
    ck_assert_uint_lt(o.n_users, N(users));
    struct opt_user *u = &users[o.n_users++];
    u->user = (char *)name;
    u->password = (char *)"pw";
    o.users = users;
    return &u->perms;
}

static const struct auth_user *login(const char *name)
{
    const struct auth_user *u = NULL;
    struct auth_creds c = {name, "pw", NULL};

    if (a == NULL) {
        int rv = auth_new(&o, &a, errmsg);
        ck_assert_msg(rv == 0, "auth_new: %d %s", rv, errmsg);
    }
    ck_assert_int_eq(auth_check(a, &c, &u), 0);
    return u;
}

struct pub_row {
    const char *subject;
    bool allowed;
};

static char *pub_allow[] = {"foo.>", "bar.*", "baz"};
static char *pub_deny[] = {"foo.secret.>", "bar.x"};

static const struct pub_row pub_rows[] = {
    {"foo.a", true},      {"foo.a.b.c", true},     {"foo", false},
    {"foo.secret", true}, {"foo.secret.k", false}, {"foo.secret.k.l", false},
    {"bar.y", true},      {"bar.x", false},        {"bar", false},
    {"bar.y.z", false},   {"baz", true},           {"baz.q", false},
    {"qux", false},       {"_INBOX.abc", false},
};

static void check_pub_table(const struct auth_user *u,
                            const struct pub_row *rows, size_t n)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(auth_can_publish(u, bl_slice_of(rows[i].subject)) ==
                              rows[i].allowed,
                          "pass %d: publish %s should be %s", pass,
                          rows[i].subject,
                          rows[i].allowed ? "allowed" : "refused");
}

/* Publish needs an allow entry matching the subject and no deny entry
 * matching it. */
START_TEST(publish_allow_and_deny_with_wildcards)
{
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->publish, LIST(pub_allow), LIST(pub_deny));
    check_pub_table(login("u"), pub_rows, N(pub_rows));
}
END_TEST

static char *deny_only[] = {"$SYS.>", "admin.*"};

static const struct pub_row deny_only_rows[] = {
    {"x", true},     {"x.y.z", true},    {"$SYS.REQ.x", false},
    {"$SYS", true},  {"admin.a", false}, {"admin.a.b", true},
    {"admin", true}, {"_INBOX.a", true},
};

/* Without an allow list everything not denied may be published. */
START_TEST(publish_deny_only_allows_the_rest)
{
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->publish, NULL, 0, LIST(deny_only));
    check_pub_table(login("u"), deny_only_rows, N(deny_only_rows));
}
END_TEST

/* An empty publish list restricts nothing (nats-server 2.9.10 lets a user
 * with "publish: []" publish anywhere). */
START_TEST(publish_empty_list_restricts_nothing)
{
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->publish, NULL, 0, NULL, 0);
    const struct auth_user *u = login("u");
    ck_assert(auth_can_publish(u, BL_SLICE_LIT("any")));
    ck_assert(auth_can_publish(u, BL_SLICE_LIT("a.b.c")));
}
END_TEST

/* Two users asking about the same subject get their own answers: the cache
 * belongs to the user. */
START_TEST(publish_cache_is_per_user)
{
    static char *only_a[] = {"a.>"};
    static char *only_b[] = {"b.>"};
    struct opt_permissions *p = add_user("ua");
    p->is_set = true;
    set_list(&p->publish, LIST(only_a), NULL, 0);
    p = add_user("ub");
    p->is_set = true;
    set_list(&p->publish, LIST(only_b), NULL, 0);
    const struct auth_user *ua = login("ua");
    const struct auth_user *ub = login("ub");

    for (int pass = 0; pass < 3; pass++) {
        ck_assert(auth_can_publish(ua, BL_SLICE_LIT("a.1")));
        ck_assert(!auth_can_publish(ub, BL_SLICE_LIT("a.1")));
        ck_assert(!auth_can_publish(ua, BL_SLICE_LIT("b.1")));
        ck_assert(auth_can_publish(ub, BL_SLICE_LIT("b.1")));
    }
}
END_TEST

/* Far more distinct subjects than the cache holds still get the right
 * answers, first time and again after the cache was cleared. */
START_TEST(publish_cache_overflow_keeps_answers)
{
    static char *allow[] = {"even.>"};
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->publish, LIST(allow), NULL, 0);
    const struct auth_user *u = login("u");
    char subject[64];

    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < 2000; i++) {
            snprintf(subject, sizeof(subject), "%s.%d",
                     i % 2 == 0 ? "even" : "odd", i);
            ck_assert_msg(auth_can_publish(u, bl_slice_of(subject)) ==
                              (i % 2 == 0),
                          "pass %d: %s", pass, subject);
        }
    }
}
END_TEST

/* Subjects too long to cache are still judged right. */
START_TEST(publish_long_subject_is_judged)
{
    static char *allow[] = {"long.>"};
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->publish, LIST(allow), NULL, 0);
    const struct auth_user *u = login("u");
    char subject[2048];

    memset(subject, 'x', sizeof(subject) - 1);
    subject[sizeof(subject) - 1] = '\0';
    memcpy(subject, "long.", 5);
    for (int pass = 0; pass < 2; pass++)
        ck_assert(auth_can_publish(u, bl_slice_of(subject)));
    subject[0] = 'L';
    for (int pass = 0; pass < 2; pass++)
        ck_assert(!auth_can_publish(u, bl_slice_of(subject)));
}
END_TEST

struct sub_row {
    const char *filter;
    const char *queue; /* "" for a plain subscription */
    bool allowed;
};

static char *sub_allow[] = {"foo.*",       "bar.>",    "q.x grp", "q.y",
                            "  q.y\tg1  ", "v.* v1.*", "d.>",     "lit"};
static char *sub_deny[] = {"foo.secret", "bar.private.>", "d.x", "d.x g2",
                           "*.hidden"};

static const struct sub_row sub_rows[] = {
    {"foo.bar", "", true},
    {"foo.*", "", true},
    /* nats-server matches the filter's tokens literally against the allow
     * entries, so '>' passes as one token under "foo.*". */
    {"foo.>", "", true},
    {"foo", "", false},
    {"foo.bar.baz", "", false},
    {"foo.secret", "", false},
    {"foo.hidden", "", false},
    {"bar.>", "", true}, /* overlaps a deny entry: filtered at delivery */
    {"bar.*", "", true},
    {"bar.public.x", "", true},
    {"bar.private.x", "", false},
    {"bar.private.>", "", false},
    {"bar.private.*", "", false},
    {">", "", false},
    {"*", "", false},
    {"*.bar", "", false},
    {"lit", "", true},
    {"lit.x", "", false},
    {"q.x", "", false}, /* only a queue entry covers q.x */
    {"q.x", "grp", true},
    {"q.x", "other", false},
    {"q.y", "", true},
    {"q.y", "g1", true},
    {"q.y", "g2", false}, /* queue entries on q.y name g1 only */
    {"v.a", "v1.x", true},
    {"v.a", "v1.*", true},
    {"v.a", "v1", false},
    {"v.a", "v2.x", false},
    {"v.a", "", false},
    {"d.x", "", false},
    {"d.x", "g2", false},
    /* nats-server 2.9 accepts this one (a queue entry that names another
     * group overrides the plain deny); we keep the plain deny. */
    {"d.x", "g3", false},
    {"d.y", "g2", true},
    {"d.y", "", true},
    {"d.*", "", true}, /* overlaps "d.x": filtered at delivery */
    {"d.>", "", true},
    {"d.hidden", "", false},
};

/* A filter needs an allow entry covering it and no deny entry covering it;
 * queue entries restrict queue subscriptions, as in nats-server. */
START_TEST(subscribe_allow_and_deny_with_queues)
{
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->subscribe, LIST(sub_allow), LIST(sub_deny));
    const struct auth_user *u = login("u");

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N(sub_rows); i++) {
            const struct sub_row *r = &sub_rows[i];
            ck_assert_msg(auth_can_subscribe(u, bl_slice_of(r->filter),
                                             bl_slice_of(r->queue)) ==
                              r->allowed,
                          "subscribe %s queue '%s' should be %s", r->filter,
                          r->queue, r->allowed ? "allowed" : "refused");
        }
}
END_TEST

static const struct pub_row deliver_rows[] = {
    {"foo.bar", true},     {"foo.secret", false},
    {"bar.public", true},  {"bar.private.a", false},
    {"bar.private", true}, {"d.x", false},
    {"d.y", true},         {"x.hidden", false},
    {"x.hidden.y", true},  {"anything.else", true},
};

/* A wildcard subscription that overlaps deny entries is accepted, and the
 * denied subjects are then refused at delivery. */
START_TEST(deliver_refuses_denied_subjects)
{
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->subscribe, LIST(sub_allow), LIST(sub_deny));
    const struct auth_user *u = login("u");

    ck_assert(auth_can_subscribe(u, BL_SLICE_LIT("bar.>"), BL_SLICE_LIT("")));
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N(deliver_rows); i++)
            ck_assert_msg(
                auth_can_deliver(u, bl_slice_of(deliver_rows[i].subject)) ==
                    deliver_rows[i].allowed,
                "pass %d: deliver %s should be %s", pass,
                deliver_rows[i].subject,
                deliver_rows[i].allowed ? "allowed" : "refused");
}
END_TEST

/* A subscribe deny list alone leaves everything else open. */
START_TEST(subscribe_deny_only)
{
    static char *deny[] = {"secret.>"};
    struct opt_permissions *p = add_user("u");
    p->is_set = true;
    set_list(&p->subscribe, NULL, 0, LIST(deny));
    const struct auth_user *u = login("u");

    ck_assert(auth_can_subscribe(u, BL_SLICE_LIT("a.b"), BL_SLICE_LIT("")));
    ck_assert(auth_can_subscribe(u, BL_SLICE_LIT(">"), BL_SLICE_LIT("q")));
    ck_assert(
        !auth_can_subscribe(u, BL_SLICE_LIT("secret.x"), BL_SLICE_LIT("")));
    ck_assert(
        !auth_can_subscribe(u, BL_SLICE_LIT("secret.>"), BL_SLICE_LIT("q")));
    ck_assert(!auth_can_deliver(u, BL_SLICE_LIT("secret.x")));
    ck_assert(auth_can_deliver(u, BL_SLICE_LIT("secret")));
    /* Publish is not restricted by subscribe permissions. */
    ck_assert(auth_can_publish(u, BL_SLICE_LIT("secret.x")));
}
END_TEST

/* Users without their own permissions get the default ones; a user with
 * its own gets those alone. The single user and a token user get the
 * defaults too. */
START_TEST(default_permissions_apply_to_users_without_their_own)
{
    static char *def_pub[] = {"pub.>"};
    static char *def_sub_deny[] = {"secret"};
    static char *own_pub[] = {"own"};
    o.default_permissions.is_set = true;
    set_list(&o.default_permissions.publish, LIST(def_pub), NULL, 0);
    set_list(&o.default_permissions.subscribe, NULL, 0, LIST(def_sub_deny));

    add_user("plain");
    struct opt_permissions *p = add_user("own");
    p->is_set = true;
    set_list(&p->publish, LIST(own_pub), NULL, 0);
    o.username = (char *)"single";
    o.password = (char *)"pw";

    const char *defaulted[] = {"plain", "single"};
    for (size_t i = 0; i < N(defaulted); i++) {
        const struct auth_user *u = login(defaulted[i]);
        ck_assert(auth_can_publish(u, BL_SLICE_LIT("pub.x")));
        ck_assert(!auth_can_publish(u, BL_SLICE_LIT("own")));
        ck_assert(
            !auth_can_subscribe(u, BL_SLICE_LIT("secret"), BL_SLICE_LIT("")));
        ck_assert(
            auth_can_subscribe(u, BL_SLICE_LIT("other"), BL_SLICE_LIT("")));
    }

    const struct auth_user *own = login("own");
    ck_assert(auth_can_publish(own, BL_SLICE_LIT("own")));
    ck_assert(!auth_can_publish(own, BL_SLICE_LIT("pub.x")));
    ck_assert(
        auth_can_subscribe(own, BL_SLICE_LIT("secret"), BL_SLICE_LIT("")));
    ck_assert(auth_can_deliver(own, BL_SLICE_LIT("secret")));
}
END_TEST

/* The token user is restricted by the default permissions as well. */
START_TEST(default_permissions_apply_to_token_user)
{
    static char *def_pub[] = {"pub.>"};
    const struct auth_user *u = NULL;
    struct auth_creds c = {NULL, NULL, "tok"};

    o.default_permissions.is_set = true;
    set_list(&o.default_permissions.publish, LIST(def_pub), NULL, 0);
    o.auth_token = (char *)"tok";
    ck_assert_int_eq(auth_new(&o, &a, errmsg), 0);
    ck_assert_int_eq(auth_check(a, &c, &u), 0);
    ck_assert(auth_can_publish(u, BL_SLICE_LIT("pub.x")));
    ck_assert(!auth_can_publish(u, BL_SLICE_LIT("other")));
}
END_TEST

/* allow_responses without a publish allow list leaves the user only reply
 * subjects (which the server tracks): every plain publish is refused. */
START_TEST(allow_responses_turns_off_blanket_publish)
{
    static char *allow[] = {"req.>"};
    struct opt_permissions *p = add_user("resp");
    p->is_set = true;
    p->allow_responses = true;
    p = add_user("both");
    p->is_set = true;
    p->allow_responses = true;
    set_list(&p->publish, LIST(allow), NULL, 0);
    add_user("none");

    const struct auth_user *resp = login("resp");
    ck_assert(auth_allows_responses(resp));
    ck_assert(!auth_can_publish(resp, BL_SLICE_LIT("anything")));
    ck_assert(
        auth_can_subscribe(resp, BL_SLICE_LIT("anything"), BL_SLICE_LIT("")));

    const struct auth_user *both = login("both");
    ck_assert(auth_allows_responses(both));
    ck_assert(auth_can_publish(both, BL_SLICE_LIT("req.x")));
    ck_assert(!auth_can_publish(both, BL_SLICE_LIT("other")));

    const struct auth_user *none = login("none");
    ck_assert(!auth_allows_responses(none));
    ck_assert(auth_can_publish(none, BL_SLICE_LIT("anything")));
}
END_TEST

struct bad_entry_row {
    bool publish; /* the entry goes in the publish list, else subscribe */
    const char *entry;
};

static const struct bad_entry_row bad_entries[] = {
    {true, "foo bar"}, /* publish entries take no queue */
    {true, ""},          {true, "  "},     {true, "foo..bar"},
    {true, "foo.>.bar"}, {false, "a b c"}, {false, ""},
    {false, "foo. bar"}, {false, ".foo"},  {false, "foo.>.x q"},
};

/* Permission entries that are not subjects (or "subject queue" for
 * subscribe) are refused when the configuration is built. */
START_TEST(bad_permission_entries_are_refused)
{
    const struct bad_entry_row *r = &bad_entries[_i];
    static char *list[1];
    struct opt_permissions *p = add_user("u");

    list[0] = (char *)r->entry;
    p->is_set = true;
    set_list(r->publish ? &p->publish : &p->subscribe, list, 1, NULL, 0);
    ck_assert_int_eq(auth_new(&o, &a, errmsg), BL_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(errmsg, "user u: permissions: ") != NULL, "%s",
                  errmsg);
}
END_TEST

Suite *perms_suite(void)
{
    Suite *s = suite_create("auth/perms");
    TCase *tc;

#define ADD(fn)                                                                \
    tc = tcase_create(#fn);                                                    \
    tcase_add_checked_fixture(tc, setup, teardown);                            \
    tcase_add_test(tc, fn);                                                    \
    suite_add_tcase(s, tc)

    ADD(publish_allow_and_deny_with_wildcards);
    ADD(publish_deny_only_allows_the_rest);
    ADD(publish_empty_list_restricts_nothing);
    ADD(publish_cache_is_per_user);
    ADD(publish_cache_overflow_keeps_answers);
    ADD(publish_long_subject_is_judged);
    ADD(subscribe_allow_and_deny_with_queues);
    ADD(deliver_refuses_denied_subjects);
    ADD(subscribe_deny_only);
    ADD(default_permissions_apply_to_users_without_their_own);
    ADD(default_permissions_apply_to_token_user);
    ADD(allow_responses_turns_off_blanket_publish);
    tc = tcase_create("bad_permission_entries_are_refused");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_permission_entries_are_refused, 0,
                        (int)N(bad_entries));
    suite_add_tcase(s, tc);
#undef ADD
    return s;
}
