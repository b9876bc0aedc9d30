/* YAML front end: libyaml loads the first document, which we copy into a
 * conf tree. Quoted scalars are strings; plain ones are typed like bare
 * values in nats-server's syntax, so "max_payload: 1MB" or "debug: yes"
 * mean the same in both formats. Aliases are expanded, bounded by nesting
 * depth and the tree's node limit (an alias may even refer to itself). */
#include "conf/internal.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_NESTING 64

struct yconv {
    struct conf_tree *tree;
    yaml_document_t *doc;
    const char *file;
    char *errmsg;
};

static int line_of(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

static bool is_null_word(const char *s, size_t len)
{
    return len == 0 || (len == 1 && s[0] == '~') ||
           (len == 4 && strncasecmp(s, "null", 4) == 0);
}

static int convert(struct yconv *c, yaml_node_t *yn, int depth,
                   struct conf_node **out)
{
    int line = line_of(yn);
    if (depth > MAX_NESTING) {
        bl_errmsg_set(c->errmsg,
                      "%s:%d: mappings and sequences nested more "
                      "than %d deep",
                      c->file, line, MAX_NESTING);
        return BL_ESYNTAX;
    }
    struct conf_node *n;
    switch (yn->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)yn->data.scalar.value;
        size_t len = yn->data.scalar.length;
        n = conf__node_new(c->tree, CONF_STRING, c->file, line, c->errmsg);
        if (n == NULL)
            return BL_ETOOBIG;
        if (yn->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
            n->str = bl_xstrndup(s, len);
        } else if (is_null_word(s, len)) {
            n->str = bl_xstrdup("");
        } else {
            char msg[BL_ERRMSG_SIZE];
            if (conf__type_plain(n, s, len, msg) != 0) {
                conf__node_free(n);
                bl_errmsg_set(c->errmsg, "%s:%d: %s", c->file, line, msg);
                return BL_EINVAL;
            }
        }
        break;
    }
    case YAML_SEQUENCE_NODE: {
        n = conf__node_new(c->tree, CONF_ARRAY, c->file, line, c->errmsg);
        if (n == NULL)
            return BL_ETOOBIG;
        for (yaml_node_item_t *it = yn->data.sequence.items.start;
             it < yn->data.sequence.items.top; it++) {
            struct conf_node *elem = NULL;
            int rv = convert(c, yaml_document_get_node(c->doc, *it), depth + 1,
                             &elem);
            if (rv != 0) {
                conf__node_free(n);
                return rv;
            }
            conf__node_append(n, elem);
        }
        break;
    }
    case YAML_MAPPING_NODE: {
        n = conf__node_new(c->tree, CONF_MAP, c->file, line, c->errmsg);
        if (n == NULL)
            return BL_ETOOBIG;
        for (yaml_node_pair_t *pr = yn->data.mapping.pairs.start;
             pr < yn->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
            if (k->type != YAML_SCALAR_NODE) {
                bl_errmsg_set(c->errmsg,
                              "%s:%d: mapping keys must be "
                              "scalars",
                              c->file, line_of(k));
                conf__node_free(n);
                return BL_ESYNTAX;
            }
            struct conf_node *v = NULL;
            int rv = convert(c, yaml_document_get_node(c->doc, pr->value),
                             depth + 1, &v);
            if (rv != 0) {
                conf__node_free(n);
                return rv;
            }
            v->key = bl_xstrndup((const char *)k->data.scalar.value,
                                 k->data.scalar.length);
            v->line = line_of(k);
            conf__node_append(n, v);
        }
        break;
    }
    default:
        bl_errmsg_set(c->errmsg, "%s:%d: empty YAML node", c->file, line);
        return BL_ESYNTAX;
    }
    *out = n;
    return 0;
}

int conf_yaml_parse_buf(struct conf_tree *t, const char *buf, size_t len,
                        const char *name, char *errmsg)
{
    const char *file = conf__intern_file(t, name);
    yaml_parser_t parser;
    yaml_document_t doc;
    int rv = 0;
    if (!yaml_parser_initialize(&parser)) {
        bl_errmsg_set(errmsg, "%s: cannot initialize the YAML parser", file);
        return BL_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        bl_errmsg_set(
            errmsg, "%s:%zu: %s%s%s", file, parser.problem_mark.line + 1,
            parser.problem ? parser.problem : "invalid YAML",
            parser.context ? " " : "", parser.context ? parser.context : "");
        rv = BL_ESYNTAX;
        goto out_parser;
    }
    struct conf_node *root = NULL;
    yaml_node_t *yroot = yaml_document_get_root_node(&doc);
    if (yroot == NULL) {
        root = conf__node_new(t, CONF_MAP, file, 1, errmsg);
        rv = root ? 0 : BL_ETOOBIG;
    } else if (yroot->type == YAML_SCALAR_NODE &&
               yroot->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               is_null_word((const char *)yroot->data.scalar.value,
                            yroot->data.scalar.length)) {
        root = conf__node_new(t, CONF_MAP, file, 1, errmsg);
        rv = root ? 0 : BL_ETOOBIG;
    } else if (yroot->type != YAML_MAPPING_NODE) {
        bl_errmsg_set(errmsg,
                      "%s:%d: the top level must be a mapping of "
                      "keys to values",
                      file, line_of(yroot));
        rv = BL_ESYNTAX;
    } else {
        struct yconv c = {t, &doc, file, errmsg};
        rv = convert(&c, yroot, 0, &root);
    }
    yaml_document_delete(&doc);
    if (rv == 0) {
        conf__node_free(t->root);
        t->root = root;
    }
out_parser:
    yaml_parser_delete(&parser);
    return rv;
}

int conf_yaml_parse_file(struct conf_tree *t, const char *path, char *errmsg)
{
    char *text = NULL;
    size_t len = 0;
    int rv = conf__read_file(path, &text, &len, errmsg);
    if (rv != 0)
        return rv;
    rv = conf_yaml_parse_buf(t, text, len, path, errmsg);
    bl_free(text);
    return rv;
}
