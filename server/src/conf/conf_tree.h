/* Generic configuration tree: what both file formats (nats-server's syntax
 * and YAML) are parsed into before one function, conf_apply(), turns it into
 * struct server_opts. Every node remembers the file and line it came from so
 * errors read "FILE:LINE: what is wrong".
 *
 * The parsers know nothing of option names; conf_apply() knows nothing of
 * syntax. Nothing here touches sockets. */
#ifndef BALLAST_CONF_CONF_TREE_H
#define BALLAST_CONF_CONF_TREE_H

#include "conf/opts.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conf_kind {
    CONF_MAP,
    CONF_ARRAY,
    CONF_STRING,
    CONF_INTEGER,
    CONF_FLOAT,
    CONF_BOOL
};

struct conf_node {
    enum conf_kind kind;
    char *key;        /* member name when the node sits in a map, else NULL */
    const char *file; /* source file name, owned by the tree */
    int line;         /* 1-based; for map members the line of the key */
    bool is_var_used; /* referenced as $name, so not an unknown key */
    bool has_suffix;  /* CONF_INTEGER written with a unit ("1MB", "2m") */
    char *str;        /* CONF_STRING value, NUL-terminated; for an integer
                         with has_suffix, the text as written ("2m") */
    int64_t integer;  /* CONF_INTEGER value, suffix applied */
    double fp;        /* CONF_FLOAT value */
    bool boolean;     /* CONF_BOOL value */
    struct conf_node **items; /* CONF_MAP members in file order (a later
                                 member with the same key wins), or
                                 CONF_ARRAY elements */
    size_t n_items;
    size_t cap_items;
};

struct conf_tree {
    struct conf_node *root; /* a CONF_MAP after a successful parse */
    char **files;           /* every source file name nodes point to */
    size_t n_files;
    size_t n_nodes; /* nodes created, bounded so hostile input stays small */
};

/* Flags for the parse functions. */
#define CONF_PARSE_NO_INCLUDE 0x1u /* "include" is an error (fuzzing) */

/* Most nodes one tree may hold; variable copies count too. */
#define CONF_MAX_NODES 1000000

void conf_tree_init(struct conf_tree *t);

/* Frees every node and file name; t may be reused after conf_tree_init(). */
void conf_tree_close(struct conf_tree *t);

/* Parses a file in nats-server's configuration syntax into t (which must be
 * freshly initialized). "include" paths are relative to the including file;
 * $VAR refers to an earlier key in an enclosing block, else to the
 * environment. Returns 0, or a BL_E* code with errmsg "FILE:LINE: what":
 * BL_ESYNTAX for malformed text, BL_ENOENT for a missing include file or an
 * undefined variable, BL_EINVAL for bad values, BL_EIO for read errors,
 * BL_ETOOBIG when the tree would exceed CONF_MAX_NODES. */
int conf_nats_parse_file(struct conf_tree *t, const char *path, char *errmsg);

/* Same as conf_nats_parse_file() for len bytes at buf (need not be
 * NUL-terminated). `name` is used in messages and, for includes, as the
 * path whose directory they are relative to. `flags` is CONF_PARSE_*. */
int conf_nats_parse_buf(struct conf_tree *t, const char *buf, size_t len,
                        const char *name, unsigned flags, char *errmsg);

/* Parses a YAML file into t (the first document; its root must be a
 * mapping). Quoted scalars are strings; plain scalars are typed like the
 * nats syntax types bare values (true/yes/on, 42, 1MB, 1.5, else string).
 * Same returns as conf_nats_parse_file(). */
int conf_yaml_parse_file(struct conf_tree *t, const char *path, char *errmsg);

/* YAML from memory; `name` appears in messages. */
int conf_yaml_parse_buf(struct conf_tree *t, const char *buf, size_t len,
                        const char *name, char *errmsg);

/* The last member of `map` whose key equals `key` ignoring case, or NULL.
 * Borrowed from the tree. */
const struct conf_node *conf_map_get(const struct conf_node *map,
                                     const char *key);

/* "map", "array", "string", "integer", "float" or "bool". */
const char *conf_kind_name(enum conf_kind kind);

/* Applies a parsed tree to o: every key it sets overrides o's value. Keys
 * nats-server knows but Ballast does not support, and unknown keys, are
 * logged with bl_log_warn() naming key, file and line; their number is
 * added to *n_warnings when n_warnings is not NULL. Returns 0, or BL_EINVAL
 * with errmsg "FILE:LINE: key: what is wrong"; o may then be partly
 * updated and should be closed. */
int conf_apply(struct server_opts *o, const struct conf_tree *t,
               size_t *n_warnings, char *errmsg);

#endif
