#include "conf/conf_tree.h"

#include "ballast/err.h"

#include "util.h"

#include "suites.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct conf_tree tree;
static char errmsg[BL_ERRMSG_SIZE];

static void setup(void)
{
    conf_tree_init(&tree);
    errmsg[0] = '\0';
    tmpdir_make();
}

static void teardown(void)
{
    conf_tree_close(&tree);
    tmpdir_remove();
}

static int parse(const char *text)
{
    return conf_nats_parse_buf(&tree, text, strlen(text), "t.conf", 0, errmsg);
}

static const struct conf_node *get(const char *key)
{
    const struct conf_node *n = conf_map_get(tree.root, key);
    ck_assert_msg(n != NULL, "key %s missing", key);
    return n;
}

static int64_t get_int(const char *key)
{
    const struct conf_node *n = get(key);
    ck_assert_int_eq(n->kind, CONF_INTEGER);
    return n->integer;
}

static const char *get_str(const char *key)
{
    const struct conf_node *n = get(key);
    ck_assert_msg(n->kind == CONF_STRING, "%s is a %s", key,
                  conf_kind_name(n->kind));
    return n->str;
}

/* The three separators mean the same; a trailing ';' or ',' is fine. */
START_TEST(separators_colon_equals_and_space_are_equivalent)
{
    ck_assert_int_eq(parse("a: 1\nb = 2\nc 3\nd=4;\ne: 5,\n"), 0);
    ck_assert_int_eq(get_int("a"), 1);
    ck_assert_int_eq(get_int("b"), 2);
    ck_assert_int_eq(get_int("c"), 3);
    ck_assert_int_eq(get_int("d"), 4);
    ck_assert_int_eq(get_int("e"), 5);
    ck_assert_int_eq(get("c")->line, 3);
}
END_TEST

/* Blocks take a separator or none, nest, and may be JSON-like. */
START_TEST(blocks_nest_with_or_without_separator)
{
    ck_assert_int_eq(parse("outer {\n  inner: { x: 1, y: two }\n  z = [1]\n}\n"
                           "other: {}\n"),
                     0);
    const struct conf_node *outer = get("outer");
    ck_assert_int_eq(outer->kind, CONF_MAP);
    const struct conf_node *inner = conf_map_get(outer, "inner");
    ck_assert_ptr_nonnull(inner);
    ck_assert_int_eq(inner->kind, CONF_MAP);
    ck_assert_int_eq(inner->line, 2);
    ck_assert_int_eq(conf_map_get(inner, "x")->integer, 1);
    ck_assert_str_eq(conf_map_get(inner, "y")->str, "two");
    ck_assert_int_eq(get("other")->n_items, 0);

    conf_tree_close(&tree);
    conf_tree_init(&tree);
    ck_assert_int_eq(parse("{\n  \"port\": 4222,\n  \"name\": \"x\"\n}\n"), 0);
    ck_assert_int_eq(get_int("port"), 4222);
    ck_assert_str_eq(get_str("name"), "x");
}
END_TEST

/* Arrays take commas or new lines, a trailing comma and comments. */
START_TEST(arrays_take_commas_newlines_and_comments)
{
    ck_assert_int_eq(parse("a: [1, 2, 3]\n"
                           "b: [\n  x # first\n  y, // second\n  z,\n]\n"
                           "c: []\n"),
                     0);
    const struct conf_node *a = get("a");
    ck_assert_int_eq(a->kind, CONF_ARRAY);
    ck_assert_int_eq(a->n_items, 3);
    ck_assert_int_eq(a->items[2]->kind, CONF_INTEGER);
    ck_assert_int_eq(a->items[2]->integer, 3);
    const struct conf_node *b = get("b");
    ck_assert_int_eq(b->n_items, 3);
    ck_assert_str_eq(b->items[0]->str, "x");
    ck_assert_str_eq(b->items[1]->str, "y");
    ck_assert_str_eq(b->items[2]->str, "z");
    ck_assert_int_eq(b->items[2]->line, 5);
    ck_assert_int_eq(get("c")->n_items, 0);
}
END_TEST

/* '#' and '//' comment to the end of the line anywhere a member may end. */
START_TEST(comments_hash_and_double_slash)
{
    ck_assert_int_eq(parse("# top\n// also\na: 1 # trailing\n"
                           "b { // in block\n  c: 2 // after\n}\n"),
                     0);
    ck_assert_int_eq(get_int("a"), 1);
    ck_assert_int_eq(conf_map_get(get("b"), "c")->integer, 2);
    ck_assert_int_eq(tree.root->n_items, 2);
}
END_TEST

/* Bare, double-quoted (with escapes), single-quoted (raw) and ( ) block
 * strings. */
START_TEST(string_forms)
{
    ck_assert_int_eq(parse("bare: hello.world>\n"
                           "dq: \"a b\\t\\\"q\\\" \\x41\\\\\"\n"
                           "sq: 'raw \\t $HOME'\n"
                           "block: (\nline one\nline two\n)\n"
                           "addr: 127.0.0.1:4222\n"
                           "date: 2020-01-02T03:04:05Z\n"
                           "url: nats://host:4222\n"),
                     0);
    ck_assert_str_eq(get_str("bare"), "hello.world>");
    ck_assert_str_eq(get_str("dq"), "a b\t\"q\" A\\");
    ck_assert_str_eq(get_str("sq"), "raw \\t $HOME");
    ck_assert_str_eq(get_str("block"), "\nline one\nline two");
    ck_assert_str_eq(get_str("addr"), "127.0.0.1:4222");
    ck_assert_str_eq(get_str("date"), "2020-01-02T03:04:05Z");
    ck_assert_str_eq(get_str("url"), "nats://host:4222");
    ck_assert_int_eq(get("url")->line, 10);
}
END_TEST

/* true/false/yes/no/on/off in any case are bools; quoted they are not. */
START_TEST(bool_words)
{
    ck_assert_int_eq(parse("a: true\nb: FALSE\nc: yes\nd: No\ne: on\nf: off\n"
                           "g: \"true\"\nh: enabled\n"),
                     0);
    const char *keys = "abcdef";
    const bool want[] = {true, false, true, false, true, false};
    for (int i = 0; i < 6; i++) {
        char k[2] = {keys[i], 0};
        ck_assert_int_eq(get(k)->kind, CONF_BOOL);
        ck_assert_int_eq(get(k)->boolean, want[i]);
    }
    ck_assert_str_eq(get_str("g"), "true");
    ck_assert_str_eq(get_str("h"), "enabled");
}
END_TEST

static const struct {
    const char *text;
    int64_t value;
    bool has_suffix;
} sizes[] = {
    {"0", 0, false},
    {"-5", -5, false},
    {"1K", 1000, true},
    {"1k", 1000, true},
    {"1KB", 1024, true},
    {"1kb", 1024, true},
    {"1Ki", 1024, true},
    {"1KiB", 1024, true},
    {"2M", 2000000, true},
    {"2MB", 2097152, true},
    {"2mib", 2097152, true},
    {"3G", 3000000000LL, true},
    {"3GB", 3221225472LL, true},
    {"1T", 1000000000000LL, true},
    {"1TB", 1099511627776LL, true},
    {"1P", 1000000000000000LL, true},
    {"1PB", 1125899906842624LL, true},
    {"2E", 2000000000000000000LL, true},
    {"2m", 2000000, true}, /* a size, not two minutes */
    {"9223372036854775807", INT64_MAX, false},
};

/* Integers take nats-server's size suffixes: a letter is 1000s, with B, i
 * or iB 1024s. */
START_TEST(size_suffixes)
{
    char text[64];
    snprintf(text, sizeof(text), "v: %s\n", sizes[_i].text);
    ck_assert_msg(parse(text) == 0, "%s: %s", sizes[_i].text, errmsg);
    const struct conf_node *n = get("v");
    ck_assert_int_eq(n->kind, CONF_INTEGER);
    ck_assert_int_eq(n->integer, sizes[_i].value);
    ck_assert_int_eq(n->has_suffix, sizes[_i].has_suffix);
}
END_TEST

/* Durations are strings unless they look like sizes; floats are floats. */
START_TEST(durations_and_floats)
{
    ck_assert_int_eq(parse("a: 10s\nb: 500ms\nc: 1h30m\nd: \"2m\"\ne: 1.5\n"
                           "f: -0.25\n"),
                     0);
    ck_assert_str_eq(get_str("a"), "10s");
    ck_assert_str_eq(get_str("b"), "500ms");
    ck_assert_str_eq(get_str("c"), "1h30m");
    ck_assert_str_eq(get_str("d"), "2m");
    ck_assert_int_eq(get("e")->kind, CONF_FLOAT);
    ck_assert_double_eq(get("e")->fp, 1.5);
    ck_assert_double_eq(get("f")->fp, -0.25);
}
END_TEST

/* $name copies an earlier key from an enclosing block; the key is marked
 * used; blocks are copied whole. */
START_TEST(variables_refer_to_earlier_keys)
{
    ck_assert_int_eq(parse("PORT = 4333\n"
                           "perms = { publish: \"a.>\" }\n"
                           "outer {\n"
                           "  inner_var = hello\n"
                           "  p: $PORT\n"
                           "  s: $inner_var\n"
                           "  copy: $perms\n"
                           "  list: [$PORT, $inner_var]\n"
                           "}\n"),
                     0);
    const struct conf_node *outer = get("outer");
    ck_assert_int_eq(conf_map_get(outer, "p")->integer, 4333);
    ck_assert_int_eq(conf_map_get(outer, "p")->line, 5);
    ck_assert_str_eq(conf_map_get(outer, "s")->str, "hello");
    const struct conf_node *copy = conf_map_get(outer, "copy");
    ck_assert_int_eq(copy->kind, CONF_MAP);
    ck_assert_str_eq(conf_map_get(copy, "publish")->str, "a.>");
    const struct conf_node *list = conf_map_get(outer, "list");
    ck_assert_int_eq(list->items[0]->integer, 4333);
    ck_assert_str_eq(list->items[1]->str, "hello");
    ck_assert_int_eq(get("PORT")->is_var_used, true);
    ck_assert_int_eq(get("perms")->is_var_used, true);
    ck_assert_int_eq(outer->is_var_used, false);
}
END_TEST

/* Unknown names come from the environment, parsed as values. */
START_TEST(variables_fall_back_to_environment)
{
    setenv("BALLAST_TEST_NUM", "1MB", 1);
    setenv("BALLAST_TEST_STR", "\"hello world\"", 1);
    setenv("BALLAST_TEST_EMPTY", "", 1);
    ck_assert_int_eq(parse("a: $BALLAST_TEST_NUM\nb: $BALLAST_TEST_STR\n"
                           "c: $BALLAST_TEST_EMPTY\n"),
                     0);
    ck_assert_int_eq(get_int("a"), 1048576);
    ck_assert_str_eq(get_str("b"), "hello world");
    ck_assert_str_eq(get_str("c"), "");
    ck_assert_str_eq(get("a")->file, "t.conf");
    ck_assert_int_eq(get("b")->line, 2);
    unsetenv("BALLAST_TEST_NUM");
    unsetenv("BALLAST_TEST_STR");
    unsetenv("BALLAST_TEST_EMPTY");
}
END_TEST

/* A bcrypt hash is never a variable, bare or quoted; quoted $X stays. */
START_TEST(bcrypt_and_quoted_dollars_are_literal)
{
    ck_assert_int_eq(parse("a: $2a$11$W2zko751KUvVy59mUTWmpO\n"
                           "b: \"$2a$11$abc$def\"\n"
                           "c: \"$HOME\"\n"
                           "d: '$NOT_A_VAR'\n"),
                     0);
    ck_assert_str_eq(get_str("a"), "$2a$11$W2zko751KUvVy59mUTWmpO");
    ck_assert_str_eq(get_str("b"), "$2a$11$abc$def");
    ck_assert_str_eq(get_str("c"), "$HOME");
    ck_assert_str_eq(get_str("d"), "$NOT_A_VAR");
}
END_TEST

/* An environment variable referring to itself is an error, not a hang. */
START_TEST(environment_cycle_is_an_error)
{
    setenv("BALLAST_TEST_CYCLE", "$BALLAST_TEST_CYCLE", 1);
    ck_assert_int_eq(parse("a: 1\nb: $BALLAST_TEST_CYCLE\n"), BL_EINVAL);
    ck_assert_msg(strncmp(errmsg, "t.conf:2: ", 10) == 0, "%s", errmsg);
    unsetenv("BALLAST_TEST_CYCLE");
}
END_TEST

/* include is relative to the including file, works inside blocks, keeps
 * the included file's name and lines, and its keys are variables. */
START_TEST(include_is_relative_to_including_file)
{
    tmpdir_write("sub.conf", "a: 1\n");
    char auth_path[512];
    snprintf(auth_path, sizeof(auth_path), "%s",
             tmpdir_write("auth.conf", "\n\nuser: bob\n"));
    const char *main_path = tmpdir_write(
        "main.conf", "include sub.conf\n"
                     "authorization {\n  include \"auth.conf\"\n  x: 2\n}\n"
                     "b: $a\n");
    ck_assert_msg(conf_nats_parse_file(&tree, main_path, errmsg) == 0, "%s",
                  errmsg);
    ck_assert_int_eq(get_int("a"), 1);
    ck_assert_int_eq(get_int("b"), 1);
    const struct conf_node *user = conf_map_get(get("authorization"), "user");
    ck_assert_str_eq(user->str, "bob");
    ck_assert_int_eq(user->line, 3);
    ck_assert_str_eq(user->file, auth_path);
    ck_assert_int_eq(conf_map_get(get("authorization"), "x")->integer, 2);
}
END_TEST

/* A file including itself fails with a depth error instead of looping. */
START_TEST(include_cycle_is_an_error)
{
    const char *path = tmpdir_write("loop.conf", "a: 1\ninclude loop.conf\n");
    ck_assert_int_eq(conf_nats_parse_file(&tree, path, errmsg), BL_EINVAL);
    ck_assert_ptr_nonnull(strstr(errmsg, "deep"));
}
END_TEST

/* With CONF_PARSE_NO_INCLUDE (the fuzzer) include is refused. */
START_TEST(include_can_be_disabled)
{
    const char *text = "a: 1\ninclude /etc/passwd\n";
    ck_assert_int_eq(conf_nats_parse_buf(&tree, text, strlen(text), "t.conf",
                                         CONF_PARSE_NO_INCLUDE, errmsg),
                     BL_EINVAL);
    ck_assert_msg(strncmp(errmsg, "t.conf:2: ", 10) == 0, "%s", errmsg);
}
END_TEST

/* A repeated key keeps both members; lookups see the last one. */
START_TEST(later_duplicate_wins_in_lookup)
{
    ck_assert_int_eq(parse("a: 1\nA: 2\nb: x\nb: y\n"), 0);
    ck_assert_int_eq(get_int("a"), 2);
    ck_assert_str_eq(get_str("b"), "y");
}
END_TEST

static const struct {
    const char *text;
    int code;
    const char *prefix;
} bad[] = {
    {"a {\n  b: 1\n", BL_ESYNTAX, "t.conf:1: "},
    {"x: 1\na {\n  b {\n    c: 1\n  }\n", BL_ESYNTAX, "t.conf:2: "},
    {"a = [1, 2\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: 1\nb: \"abc\n", BL_ESYNTAX, "t.conf:2: "},
    {"a: 1\nb: 'abc\n", BL_ESYNTAX, "t.conf:2: "},
    {"a: 1\nb: $NOPE_NOT_DEFINED_ANYWHERE\n", BL_ENOENT, "t.conf:2: "},
    {"a: 1\n\ninclude missing.conf\n", BL_ENOENT, "t.conf:3: "},
    {"a: 1 2\n", BL_ESYNTAX, "t.conf:1: "},
    {"x: 99999999999999999999\n", BL_EINVAL, "t.conf:1: "},
    {"x: 1kbb\n", BL_EINVAL, "t.conf:1: "},
    {"\nx: \"\\q\"\n", BL_ESYNTAX, "t.conf:2: "},
    {"\n\nx: -\n", BL_ESYNTAX, "t.conf:3: "},
    {"x: 2020-01\n", BL_ESYNTAX, "t.conf:1: "},
    {"x: .5\n", BL_ESYNTAX, "t.conf:1: "},
    {"x:\n  1\n", BL_ESYNTAX, "t.conf:1: "},
    {"x\n", BL_ESYNTAX, "t.conf:1: "},
    {"a { b }\n", BL_ESYNTAX, "t.conf:1: "},
    {": 1\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: [1,,2]\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: [1 2]\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: (\nnever closed\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: $\n", BL_ESYNTAX, "t.conf:1: "},
    {"a: \"\\x4\"\n", BL_ESYNTAX, "t.conf:1: "},
};

/* Malformed input fails with the exact code at the right line. */
START_TEST(malformed_input_reports_code_and_line)
{
    int rv = parse(bad[_i].text);
    ck_assert_msg(rv == bad[_i].code, "row %d: rv %d (%s)", _i, rv, errmsg);
    ck_assert_msg(strncmp(errmsg, bad[_i].prefix, strlen(bad[_i].prefix)) == 0,
                  "row %d: %s", _i, errmsg);
    ck_assert_ptr_null(tree.root);
}
END_TEST

/* Nesting is bounded so hostile input cannot exhaust the stack. */
START_TEST(deep_nesting_is_refused)
{
    char text[400];
    strcpy(text, "a: ");
    for (int i = 0; i < 100; i++)
        strcat(text, "[");
    ck_assert_int_eq(parse(text), BL_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(errmsg, "nested"));
}
END_TEST

/* Variables doubling a block many times hit the node limit. */
START_TEST(exponential_copies_hit_the_node_limit)
{
    char text[2048] = "v0: [1, 2, 3, 4, 5, 6, 7, 8]\n";
    for (int i = 1; i < 12; i++) {
        char line[128];
        snprintf(line, sizeof(line), "v%d: [$v%d, $v%d, $v%d, $v%d]\n", i,
                 i - 1, i - 1, i - 1, i - 1);
        strcat(text, line);
    }
    ck_assert_int_eq(parse(text), BL_ETOOBIG);
}
END_TEST

/* A NUL byte is refused (nats-server would stop reading there). */
START_TEST(nul_byte_is_refused)
{
    const char text[] = "a: 1\nb: x\0y\n";
    ck_assert_int_eq(
        conf_nats_parse_buf(&tree, text, sizeof(text) - 1, "t.conf", 0, errmsg),
        BL_ESYNTAX);
    ck_assert_msg(strncmp(errmsg, "t.conf:2: ", 10) == 0, "%s", errmsg);
}
END_TEST

Suite *nats_suite(void)
{
    Suite *s = suite_create("conf/nats");
    struct {
        const char *name;
        const TTest *test;
        int loop_end;
    } cases[] = {
        {"separators", separators_colon_equals_and_space_are_equivalent, 0},
        {"blocks", blocks_nest_with_or_without_separator, 0},
        {"arrays", arrays_take_commas_newlines_and_comments, 0},
        {"comments", comments_hash_and_double_slash, 0},
        {"strings", string_forms, 0},
        {"bools", bool_words, 0},
        {"sizes", size_suffixes, (int)(sizeof(sizes) / sizeof(sizes[0]))},
        {"durations", durations_and_floats, 0},
        {"variables", variables_refer_to_earlier_keys, 0},
        {"environment", variables_fall_back_to_environment, 0},
        {"bcrypt", bcrypt_and_quoted_dollars_are_literal, 0},
        {"env_cycle", environment_cycle_is_an_error, 0},
        {"include", include_is_relative_to_including_file, 0},
        {"include_cycle", include_cycle_is_an_error, 0},
        {"include_disabled", include_can_be_disabled, 0},
        {"duplicates", later_duplicate_wins_in_lookup, 0},
        {"errors", malformed_input_reports_code_and_line,
         (int)(sizeof(bad) / sizeof(bad[0]))},
        {"nesting", deep_nesting_is_refused, 0},
        {"node_limit", exponential_copies_hit_the_node_limit, 0},
        {"nul", nul_byte_is_refused, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        if (cases[i].loop_end > 0)
            tcase_add_loop_test(tc, cases[i].test, 0, cases[i].loop_end);
        else
            tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
