#include "conf/conf_tree.h"

#include "ballast/err.h"

#include "suites.h"

#include <check.h>
#include <string.h>

static struct conf_tree tree;
static char errmsg[BL_ERRMSG_SIZE];

static void setup(void)
{
    conf_tree_init(&tree);
    errmsg[0] = '\0';
}

static void teardown(void)
{
    conf_tree_close(&tree);
}

static int parse(const char *text)
{
    return conf_yaml_parse_buf(&tree, text, strlen(text), "t.yaml", errmsg);
}

static const struct conf_node *get(const struct conf_node *map, const char *key)
{
    const struct conf_node *n = conf_map_get(map, key);
    ck_assert_msg(n != NULL, "key %s missing", key);
    return n;
}

/* Plain scalars are typed like bare nats values; quoted ones are strings. */
START_TEST(plain_scalars_are_typed_quoted_are_strings)
{
    ck_assert_int_eq(parse("a: 42\n"
                           "b: 1MB\n"
                           "c: 1.5\n"
                           "d: yes\n"
                           "e: \"42\"\n"
                           "f: '1MB'\n"
                           "g: 10s\n"
                           "h: 127.0.0.1:4222\n"
                           "i: ~\n"
                           "j: Off\n"),
                     0);
    ck_assert_int_eq(get(tree.root, "a")->kind, CONF_INTEGER);
    ck_assert_int_eq(get(tree.root, "a")->integer, 42);
    ck_assert_int_eq(get(tree.root, "b")->integer, 1048576);
    ck_assert_int_eq(get(tree.root, "b")->has_suffix, true);
    ck_assert_int_eq(get(tree.root, "c")->kind, CONF_FLOAT);
    ck_assert_int_eq(get(tree.root, "d")->kind, CONF_BOOL);
    ck_assert_int_eq(get(tree.root, "d")->boolean, true);
    ck_assert_str_eq(get(tree.root, "e")->str, "42");
    ck_assert_str_eq(get(tree.root, "f")->str, "1MB");
    ck_assert_str_eq(get(tree.root, "g")->str, "10s");
    ck_assert_str_eq(get(tree.root, "h")->str, "127.0.0.1:4222");
    ck_assert_str_eq(get(tree.root, "i")->str, "");
    ck_assert_int_eq(get(tree.root, "j")->boolean, false);
}
END_TEST

/* Mappings and sequences nest, in block and flow style, with lines. */
START_TEST(nesting_and_lines)
{
    ck_assert_int_eq(parse("# comment\n"
                           "authorization:\n"
                           "  users:\n"
                           "    - user: alice\n"
                           "      password: pw\n"
                           "    - {user: bob, password: pw2}\n"
                           "list: [a, b]\n"),
                     0);
    const struct conf_node *auth = get(tree.root, "authorization");
    ck_assert_int_eq(auth->kind, CONF_MAP);
    ck_assert_int_eq(auth->line, 2);
    const struct conf_node *users = get(auth, "users");
    ck_assert_int_eq(users->kind, CONF_ARRAY);
    ck_assert_int_eq(users->n_items, 2);
    ck_assert_str_eq(get(users->items[0], "user")->str, "alice");
    ck_assert_int_eq(get(users->items[0], "password")->line, 5);
    ck_assert_str_eq(get(users->items[1], "user")->str, "bob");
    ck_assert_int_eq(get(tree.root, "list")->n_items, 2);
    ck_assert_str_eq(get(tree.root, "list")->file, "t.yaml");
}
END_TEST

/* Anchors and aliases are expanded. */
START_TEST(aliases_are_expanded)
{
    ck_assert_int_eq(parse("perms: &p {publish: \"a.>\"}\n"
                           "copy: *p\n"),
                     0);
    const struct conf_node *copy = get(tree.root, "copy");
    ck_assert_int_eq(copy->kind, CONF_MAP);
    ck_assert_str_eq(get(copy, "publish")->str, "a.>");
}
END_TEST

/* An empty document is an empty configuration. */
START_TEST(empty_document_is_empty_map)
{
    ck_assert_int_eq(parse("# nothing\n"), 0);
    ck_assert_int_eq(tree.root->kind, CONF_MAP);
    ck_assert_int_eq(tree.root->n_items, 0);
}
END_TEST

static const struct {
    const char *text;
    int code;
    const char *prefix;
} bad[] = {
    {"a: 1\nb: [1, 2\n", BL_ESYNTAX, "t.yaml:"},
    {"a: 1\n  b: 2\n", BL_ESYNTAX, "t.yaml:2: "},
    {"- 1\n- 2\n", BL_ESYNTAX, "t.yaml:1: "},
    {"a: 1\n? [x]\n: 2\n", BL_ESYNTAX, "t.yaml:2: "},
    {"a: 1\nb: 99999999999999999999\n", BL_EINVAL, "t.yaml:2: "},
    {"a: &x [*x]\n", BL_ESYNTAX, "t.yaml:1: "},
};

/* Bad YAML reports the file, the line and the exact code. */
START_TEST(bad_yaml_reports_code_and_line)
{
    int rv = parse(bad[_i].text);
    ck_assert_msg(rv == bad[_i].code, "row %d: rv %d (%s)", _i, rv, errmsg);
    ck_assert_msg(strncmp(errmsg, bad[_i].prefix, strlen(bad[_i].prefix)) == 0,
                  "row %d: %s", _i, errmsg);
}
END_TEST

Suite *yaml_suite(void)
{
    Suite *s = suite_create("conf/yaml");
    TCase *tc = tcase_create("scalars");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, plain_scalars_are_typed_quoted_are_strings);
    suite_add_tcase(s, tc);
    tc = tcase_create("nesting");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, nesting_and_lines);
    tcase_add_test(tc, aliases_are_expanded);
    tcase_add_test(tc, empty_document_is_empty_map);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_yaml_reports_code_and_line, 0,
                        (int)(sizeof(bad) / sizeof(bad[0])));
    suite_add_tcase(s, tc);
    return s;
}
