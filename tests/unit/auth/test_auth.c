/* Accounts, users and credential checks: who gets in, and where they land. */
#include "auth/auth.h"

#include "ballast/err.h"

#include <check.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

/* A bcrypt hash of "s3cr3t-ballast" at cost 11; nats-server 2.9.10 accepts
 * it as a user's password, so it stands for hashes made by
 * `nats server passwd`. */
#define HASH_2A_11                                                             \
    "$2a$11$h0t17GZhF2bONgDcW1eiP.mxsWmis.tFin.PsnPDkgq.sq8E7hY3q"
#define HASH_2A_11_PASS "s3cr3t-ballast"

/* The classic crypt_blowfish test vector for "U*U". */
#define HASH_OPENWALL                                                          \
    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

static struct server_opts o; /* filled by hand, all strings static */
static struct opt_user users[8];
static struct opt_account accounts[4];
static struct auth *a;
static char errmsg[BL_ERRMSG_SIZE];

static void setup(void)
{
    memset(&o, 0, sizeof(o));
    memset(users, 0, sizeof(users));
    memset(accounts, 0, sizeof(accounts));
    a = NULL;
    errmsg[0] = '\0';
}

static void teardown(void)
{
    auth_free(a);
}

static void add_user(const char *name, const char *password,
                     const char *account)
{
    ck_assert_uint_lt(o.n_users, sizeof(users) / sizeof(users[0]));
    struct opt_user *u = &users[o.n_users++];
    u->user = (char *)name;
    u->password = (char *)password;
    u->account = (char *)account;
    o.users = users;
}

static void add_account(const char *name)
{
    ck_assert_uint_lt(o.n_accounts, sizeof(accounts) / sizeof(accounts[0]));
    accounts[o.n_accounts++].name = (char *)name;
    o.accounts = accounts;
}

static void build(void)
{
    int rv = auth_new(&o, &a, errmsg);
    ck_assert_msg(rv == 0, "auth_new: %d %s", rv, errmsg);
}

static int check(const char *user, const char *pass, const char *token,
                 const struct auth_user **out)
{
    struct auth_creds c = {user, pass, token};
    return auth_check(a, &c, out);
}

/* Builds a bcrypt hash of `password` with a fresh salt of `prefix`. */
static void make_hash(const char *prefix, const char *password, char *out,
                      size_t size)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;

    memset(&cd, 0, sizeof(cd));
    ck_assert_ptr_nonnull(
        crypt_gensalt_rn(prefix, 4, NULL, 0, salt, (int)sizeof(salt)));
    const char *h = crypt_rn(password, salt, &cd, (int)sizeof(cd));
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_lt(strlen(h), size);
    strcpy(out, h);
}

/* With nothing configured every client, whatever it sends, is the
 * anonymous user of the global account. */
START_TEST(no_auth_lets_everyone_in_as_anonymous)
{
    const struct auth_user *u = NULL;

    build();
    ck_assert(!auth_required(a));
    ck_assert_int_eq(auth_check(a, NULL, &u), 0);
    ck_assert_str_eq(auth_user_name(u), "");
    ck_assert_str_eq(auth_user_account(u), "$G");
    ck_assert_uint_eq(auth_user_account_index(u), 0);
    ck_assert(auth_can_publish(u, BL_SLICE_LIT("any.thing")));
    ck_assert(auth_can_subscribe(u, BL_SLICE_LIT(">"), BL_SLICE_LIT("")));
    ck_assert(auth_can_deliver(u, BL_SLICE_LIT("any.thing")));
    ck_assert(!auth_allows_responses(u));

    u = NULL;
    ck_assert_int_eq(check("who", "ever", NULL, &u), 0);
    ck_assert_str_eq(auth_user_name(u), "");
    u = NULL;
    ck_assert_int_eq(check(NULL, NULL, "tok", &u), 0);
    ck_assert_str_eq(auth_user_account(u), "$G");
}
END_TEST

/* "$G" is index 0 and the system account "$SYS" exists even when nothing
 * configures it. */
START_TEST(global_and_system_accounts_always_exist)
{
    build();
    ck_assert_uint_eq(auth_n_accounts(a), 2);
    ck_assert_str_eq(auth_account_name(a, 0), "$G");
    ck_assert_uint_eq(auth_system_account_index(a), 1);
    ck_assert_str_eq(auth_account_name(a, 1), "$SYS");
}
END_TEST

struct required_row {
    const char *name;
    const char *username;
    const char *token;
    const char *user; /* one entry in users */
    const char *no_auth_user;
    bool required;
};

static const struct required_row required_rows[] = {
    {"nothing", NULL, NULL, NULL, NULL, false},
    {"empty strings", "", "", NULL, "", false},
    {"single user", "admin", NULL, NULL, NULL, true},
    {"token", NULL, "tok", NULL, NULL, true},
    {"users", NULL, NULL, "alice", NULL, true},
    {"users and no_auth_user", NULL, NULL, "alice", "alice", false},
    {"single user as no_auth_user", "admin", NULL, NULL, "admin", false},
};

/* auth_required is what nats-server puts in INFO: true once users or a
 * token exist, false again when no_auth_user lets clients in without. */
START_TEST(auth_required_follows_configuration)
{
    const struct required_row *r = &required_rows[_i];

    o.username = (char *)r->username;
    o.password = (char *)"pw";
    o.auth_token = (char *)r->token;
    if (r->user != NULL)
        add_user(r->user, "pw", NULL);
    o.no_auth_user = (char *)r->no_auth_user;
    build();
    ck_assert_msg(auth_required(a) == r->required, "%s", r->name);
}
END_TEST

struct creds_row {
    const char *user;
    const char *pass;
    const char *token;
    int rv;
    const char *name; /* expected user name when rv == 0 */
};

static void check_row(const struct creds_row *r, size_t i)
{
    const struct auth_user *u = NULL;
    int rv = check(r->user, r->pass, r->token, &u);
    ck_assert_msg(rv == r->rv, "row %zu (%s/%s/%s): got %d want %d", i,
                  r->user ? r->user : "-", r->pass ? r->pass : "-",
                  r->token ? r->token : "-", rv, r->rv);
    if (rv == 0) {
        ck_assert_ptr_nonnull(u);
        ck_assert_str_eq(auth_user_name(u), r->name);
    } else {
        ck_assert_ptr_null(u);
    }
}

static const struct creds_row single_user_rows[] = {
    {"admin", "s3cret", NULL, 0, "admin"},
    {"admin", "s3cret", "ignored", 0, "admin"},
    {"admin", "wrong", NULL, BL_EAUTH, NULL},
    {"admin", "s3cre", NULL, BL_EAUTH, NULL},
    {"admin", "s3cretX", NULL, BL_EAUTH, NULL},
    {"admin", "S3CRET", NULL, BL_EAUTH, NULL},
    {"admin", "", NULL, BL_EAUTH, NULL},
    {"admin", NULL, NULL, BL_EAUTH, NULL},
    {"Admin", "s3cret", NULL, BL_EAUTH, NULL},
    {"other", "s3cret", NULL, BL_EAUTH, NULL},
    {NULL, "s3cret", NULL, BL_EAUTH, NULL},
    {NULL, NULL, NULL, BL_EAUTH, NULL},
    {"", "", "", BL_EAUTH, NULL},
    {NULL, NULL, "s3cret", BL_EAUTH, NULL},
};

/* The single user of the options logs in with its exact name and password
 * and nothing else. */
START_TEST(single_user_needs_exact_credentials)
{
    o.username = (char *)"admin";
    o.password = (char *)"s3cret";
    build();
    check_row(&single_user_rows[_i], (size_t)_i);
}
END_TEST

static const struct creds_row token_rows[] = {
    {NULL, NULL, "t0k3n", 0, ""},
    {"someone", "something", "t0k3n", 0, ""},
    {NULL, NULL, "t0k3", BL_EAUTH, NULL},
    {NULL, NULL, "t0k3nn", BL_EAUTH, NULL},
    {NULL, NULL, "", BL_EAUTH, NULL},
    {NULL, NULL, NULL, BL_EAUTH, NULL},
    {NULL, "t0k3n", NULL, BL_EAUTH, NULL},
    {"t0k3n", "t0k3n", NULL, BL_EAUTH, NULL},
};

/* With a token only the token counts; a password is not a token. */
START_TEST(token_needs_exact_token)
{
    o.auth_token = (char *)"t0k3n";
    build();
    check_row(&token_rows[_i], (size_t)_i);
    if (token_rows[_i].rv == 0) {
        const struct auth_user *u = NULL;
        ck_assert_int_eq(check(NULL, NULL, "t0k3n", &u), 0);
        ck_assert_uint_eq(auth_user_account_index(u), 0);
    }
}
END_TEST

static const struct creds_row users_rows[] = {
    {"alice", "apw", NULL, 0, "alice"},
    {"bob", "bpw", NULL, 0, "bob"},
    {"alice", "bpw", NULL, BL_EAUTH, NULL},
    {"bob", "apw", NULL, BL_EAUTH, NULL},
    {"carol", "apw", NULL, BL_EAUTH, NULL},
    {NULL, NULL, "apw", BL_EAUTH, NULL},
    {NULL, "apw", NULL, BL_EAUTH, NULL},
    {NULL, NULL, NULL, BL_EAUTH, NULL},
};

/* Each user logs in with its own password only; a token is refused when
 * users are configured. */
START_TEST(users_need_their_own_password)
{
    add_user("alice", "apw", NULL);
    add_user("bob", "bpw", NULL);
    build();
    check_row(&users_rows[_i], (size_t)_i);
}
END_TEST

/* Users land in their configured account; the system account keeps its
 * index after the configured ones. */
START_TEST(users_land_in_their_accounts)
{
    const struct auth_user *u;

    add_account("A");
    add_account("B");
    add_user("a1", "pa", "A");
    add_user("b1", "pb", "B");
    add_user("g1", "pg", NULL);
    add_user("g2", "pg", "$G");
    add_user("s1", "ps", "$SYS");
    build();

    ck_assert_uint_eq(auth_n_accounts(a), 4);
    ck_assert_str_eq(auth_account_name(a, 0), "$G");
    ck_assert_str_eq(auth_account_name(a, 1), "A");
    ck_assert_str_eq(auth_account_name(a, 2), "B");
    ck_assert_str_eq(auth_account_name(a, 3), "$SYS");
    ck_assert_uint_eq(auth_system_account_index(a), 3);

    static const struct {
        const char *user, *pass, *account;
        size_t index;
    } want[] = {
        {"a1", "pa", "A", 1},  {"b1", "pb", "B", 2},    {"g1", "pg", "$G", 0},
        {"g2", "pg", "$G", 0}, {"s1", "ps", "$SYS", 3},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        u = NULL;
        ck_assert_int_eq(check(want[i].user, want[i].pass, NULL, &u), 0);
        ck_assert_str_eq(auth_user_account(u), want[i].account);
        ck_assert_uint_eq(auth_user_account_index(u), want[i].index);
        ck_assert_str_eq(auth_account_name(a, auth_user_account_index(u)),
                         want[i].account);
    }
}
END_TEST

/* A configured system account keeps its place; one that is named but not
 * configured is created; "$G" in the list is the global account. */
START_TEST(system_account_is_configured_or_created)
{
    add_account("$G");
    add_account("A");
    add_account("SYS");
    o.system_account = (char *)"SYS";
    build();
    ck_assert_uint_eq(auth_n_accounts(a), 3);
    ck_assert_uint_eq(auth_system_account_index(a), 2);
    ck_assert_str_eq(auth_account_name(a, 2), "SYS");
    auth_free(a);
    a = NULL;

    o.system_account = (char *)"ADMIN";
    build();
    ck_assert_uint_eq(auth_n_accounts(a), 4);
    ck_assert_uint_eq(auth_system_account_index(a), 3);
    ck_assert_str_eq(auth_account_name(a, 3), "ADMIN");
}
END_TEST

/* A bcrypt password is checked by hashing what the client sent; the hash
 * itself is not a password. */
START_TEST(bcrypt_passwords_are_verified)
{
    static char hash_2b[128], hash_2y[128], hash_2a[128];
    make_hash("$2b$", "b-pass", hash_2b, sizeof(hash_2b));
    make_hash("$2y$", "y-pass", hash_2y, sizeof(hash_2y));
    make_hash("$2a$", "a-pass", hash_2a, sizeof(hash_2a));
    ck_assert(strncmp(hash_2b, "$2b$04$", 7) == 0);

    add_user("b", hash_2b, NULL);
    add_user("y", hash_2y, NULL);
    add_user("a", hash_2a, NULL);
    add_user("fixed", HASH_2A_11, NULL);
    add_user("openwall", HASH_OPENWALL, NULL);
    add_user("broken", "$2a$05$tooshort", NULL);
    build();

    const struct creds_row rows[] = {
        {"b", "b-pass", NULL, 0, "b"},
        {"b", "b-pas", NULL, BL_EAUTH, NULL},
        {"b", hash_2b, NULL, BL_EAUTH, NULL},
        {"b", "", NULL, BL_EAUTH, NULL},
        {"y", "y-pass", NULL, 0, "y"},
        {"y", "b-pass", NULL, BL_EAUTH, NULL},
        {"a", "a-pass", NULL, 0, "a"},
        {"a", "A-pass", NULL, BL_EAUTH, NULL},
        {"fixed", HASH_2A_11_PASS, NULL, 0, "fixed"},
        {"fixed", "s3cr3t-ballas", NULL, BL_EAUTH, NULL},
        {"fixed", HASH_2A_11, NULL, BL_EAUTH, NULL},
        {"openwall", "U*U", NULL, 0, "openwall"},
        {"openwall", "U*U*", NULL, BL_EAUTH, NULL},
        {"broken", "$2a$05$tooshort", NULL, BL_EAUTH, NULL},
        {"broken", "", NULL, BL_EAUTH, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], i);
}
END_TEST

/* A token may be a bcrypt hash too. */
START_TEST(bcrypt_token_is_verified)
{
    static char hash[128];
    make_hash("$2b$", "the-token", hash, sizeof(hash));
    o.auth_token = hash;
    build();

    const struct creds_row rows[] = {
        {NULL, NULL, "the-token", 0, ""},
        {NULL, NULL, "the-toke", BL_EAUTH, NULL},
        {NULL, NULL, hash, BL_EAUTH, NULL},
        {NULL, "the-token", NULL, BL_EAUTH, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], i);
}
END_TEST

/* Strings that only resemble a bcrypt hash are plain passwords. */
START_TEST(non_bcrypt_dollar_passwords_are_plain)
{
    add_user("c", "$2c$05$abcdefghijklmnopqrstuv", NULL);
    add_user("d", "$2a$5$abc", NULL);
    add_user("e", "$1$salt$hash", NULL);
    build();

    const struct creds_row rows[] = {
        {"c", "$2c$05$abcdefghijklmnopqrstuv", NULL, 0, "c"},
        {"d", "$2a$5$abc", NULL, 0, "d"},
        {"e", "$1$salt$hash", NULL, 0, "e"},
        {"e", "anything", NULL, BL_EAUTH, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], i);
}
END_TEST

/* A client that sends nothing is logged in as no_auth_user; credentials it
 * does send are still checked. */
START_TEST(no_auth_user_takes_clients_without_credentials)
{
    const struct auth_user *u;

    add_account("A");
    add_user("nobody", "npw", "A");
    add_user("alice", "apw", NULL);
    o.no_auth_user = (char *)"nobody";
    build();
    ck_assert(!auth_required(a));

    u = NULL;
    ck_assert_int_eq(auth_check(a, NULL, &u), 0);
    ck_assert_str_eq(auth_user_name(u), "nobody");
    ck_assert_str_eq(auth_user_account(u), "A");

    const struct creds_row rows[] = {
        {NULL, NULL, NULL, 0, "nobody"},
        {"", "", "", 0, "nobody"},
        {"alice", "apw", NULL, 0, "alice"},
        {"nobody", "npw", NULL, 0, "nobody"},
        {"alice", "wrong", NULL, BL_EAUTH, NULL},
        {"alice", NULL, NULL, BL_EAUTH, NULL},
        {NULL, "apw", NULL, BL_EAUTH, NULL},
        {NULL, NULL, "tok", BL_EAUTH, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], i);
}
END_TEST

/* Configuration mistakes, each with the message that names it. */
struct bad_row {
    const char *name;
    void (*configure)(void);
    const char *msg; /* a part of errmsg */
};

static void bad_duplicate_users(void)
{
    add_user("alice", "a", NULL);
    add_user("bob", "b", NULL);
    add_user("alice", "c", NULL);
}

static void bad_duplicate_across_accounts(void)
{
    add_account("A");
    add_user("alice", "a", NULL);
    add_user("alice", "a", "A");
}

static void bad_single_user_is_also_in_users(void)
{
    o.username = (char *)"alice";
    o.password = (char *)"x";
    add_user("alice", "a", NULL);
}

static void bad_token_and_users(void)
{
    o.auth_token = (char *)"tok";
    add_user("alice", "a", NULL);
}

static void bad_token_and_single_user(void)
{
    o.auth_token = (char *)"tok";
    o.username = (char *)"admin";
}

static void bad_unknown_account(void)
{
    add_account("A");
    add_user("alice", "a", "B");
}

static void bad_duplicate_account(void)
{
    add_account("A");
    add_account("A");
}

static void bad_unnamed_account(void)
{
    add_account("");
}

static void bad_no_auth_user_unknown(void)
{
    add_user("alice", "a", NULL);
    o.no_auth_user = (char *)"bob";
}

static void bad_no_auth_user_without_users(void)
{
    o.no_auth_user = (char *)"bob";
}

static void bad_unnamed_user(void)
{
    add_user("", "a", NULL);
}

static void bad_unnamed_user_null(void)
{
    add_user(NULL, "a", NULL);
}

static char *bad_subjects[] = {"foo..bar"};

static void bad_permission_subject(void)
{
    add_user("alice", "a", NULL);
    users[0].perms.is_set = true;
    users[0].perms.publish.is_set = true;
    users[0].perms.publish.allow = bad_subjects;
    users[0].perms.publish.n_allow = 1;
}

static void bad_default_permission_subject(void)
{
    add_user("alice", "a", NULL);
    o.default_permissions.is_set = true;
    o.default_permissions.subscribe.is_set = true;
    o.default_permissions.subscribe.deny = bad_subjects;
    o.default_permissions.subscribe.n_deny = 1;
}

static const struct bad_row bad_rows[] = {
    {"duplicate users", bad_duplicate_users, "user alice defined twice"},
    {"duplicate across accounts", bad_duplicate_across_accounts,
     "user alice defined twice"},
    {"single user in users", bad_single_user_is_also_in_users,
     "user alice defined twice"},
    {"token and users", bad_token_and_users, "token"},
    {"token and single user", bad_token_and_single_user, "token"},
    {"unknown account", bad_unknown_account, "unknown account B"},
    {"duplicate account", bad_duplicate_account, "account A defined twice"},
    {"unnamed account", bad_unnamed_account, "no name"},
    {"no_auth_user unknown", bad_no_auth_user_unknown, "no_auth_user bob"},
    {"no_auth_user without users", bad_no_auth_user_without_users,
     "no_auth_user bob"},
    {"unnamed user", bad_unnamed_user, "user with no name"},
    {"user name NULL", bad_unnamed_user_null, "user with no name"},
    {"bad permission subject", bad_permission_subject,
     "user alice: permissions: publish allow: invalid subject \"foo..bar\""},
    {"bad default permission subject", bad_default_permission_subject,
     "subscribe deny: invalid subject"},
};

/* Each configuration mistake is refused with BL_EINVAL and a message that
 * says what is wrong; nothing is returned. */
START_TEST(bad_configuration_is_refused)
{
    const struct bad_row *r = &bad_rows[_i];
    struct auth *out = NULL;

    r->configure();
    ck_assert_int_eq(auth_new(&o, &out, errmsg), BL_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(errmsg, r->msg) != NULL, "%s: errmsg \"%s\"", r->name,
                  errmsg);
    ck_assert_msg(strncmp(errmsg, "authorization: ", 15) == 0,
                  "%s: errmsg \"%s\"", r->name, errmsg);
}
END_TEST

#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

Suite *auth_suite(void)
{
    Suite *s = suite_create("auth/auth");
    TCase *tc;

#define ADD(fn)                                                                \
    tc = tcase_create(#fn);                                                    \
    tcase_add_checked_fixture(tc, setup, teardown);                            \
    tcase_add_test(tc, fn);                                                    \
    suite_add_tcase(s, tc)
#define ADD_LOOP(fn, rows)                                                     \
    tc = tcase_create(#fn);                                                    \
    tcase_add_checked_fixture(tc, setup, teardown);                            \
    tcase_add_loop_test(tc, fn, 0, N_ROWS(rows));                              \
    suite_add_tcase(s, tc)

    ADD(no_auth_lets_everyone_in_as_anonymous);
    ADD(global_and_system_accounts_always_exist);
    ADD_LOOP(auth_required_follows_configuration, required_rows);
    ADD_LOOP(single_user_needs_exact_credentials, single_user_rows);
    ADD_LOOP(token_needs_exact_token, token_rows);
    ADD_LOOP(users_need_their_own_password, users_rows);
    ADD(users_land_in_their_accounts);
    ADD(system_account_is_configured_or_created);
    ADD(bcrypt_passwords_are_verified);
    ADD(bcrypt_token_is_verified);
    ADD(non_bcrypt_dollar_passwords_are_plain);
    ADD(no_auth_user_takes_clients_without_credentials);
    ADD_LOOP(bad_configuration_is_refused, bad_rows);
#undef ADD
#undef ADD_LOOP
    return s;
}
