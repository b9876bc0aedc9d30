/* Helpers shared by the files of conf/: node allocation for the two
 * parsers, and the typing of bare values both formats share. */
#ifndef BALLAST_CONF_INTERNAL_H
#define BALLAST_CONF_INTERNAL_H

#include "conf/conf_tree.h"

#include <stddef.h>

/* A new node of `kind` at file:line, counted against CONF_MAX_NODES;
 * returns NULL (errmsg set, BL_ETOOBIG) when the tree is full. `file` must
 * come from conf__intern_file(). */
struct conf_node *conf__node_new(struct conf_tree *t, enum conf_kind kind,
                                 const char *file, int line, char *errmsg);

/* Frees n and everything below it; NULL is fine. */
void conf__node_free(struct conf_node *n);

/* Appends `child` to a map or array; takes ownership of child. */
void conf__node_append(struct conf_node *parent, struct conf_node *child);

/* Deep copy of n (key not copied) placed at file:line; NULL with errmsg
 * when the tree would grow past CONF_MAX_NODES. */
struct conf_node *conf__node_copy(struct conf_tree *t,
                                  const struct conf_node *n, const char *file,
                                  int line, char *errmsg);

/* Sets file:line on n and everything below it. */
void conf__node_relocate(struct conf_node *n, const char *file, int line);

/* The tree's copy of `name` (stored once). */
const char *conf__intern_file(struct conf_tree *t, const char *name);

/* Types a bare value the way nats-server's lexer does: true/false/yes/no/
 * on/off are bools, [-]digits with an optional size suffix (k, kb, ki, kib,
 * m, mb ... e, eb; any case) integers, [-]digits.digits floats, anything
 * else a string. Fills kind and value of n. Returns 0 or BL_EINVAL when a
 * number overflows or has an unknown suffix (errmsg without position). */
int conf__type_plain(struct conf_node *n, const char *text, size_t len,
                     char *errmsg);

/* True if text is true/yes/on or false/no/off (any case); sets *value. */
bool conf__bool_word(const char *text, size_t len, bool *value);

/* Parses "123" plus an optional size suffix into *out. Returns 0, or
 * BL_EINVAL (errmsg without position) on overflow or a bad suffix. */
int conf__parse_sized_int(const char *text, size_t len, int64_t *out,
                          bool *has_suffix, char *errmsg);

/* Frees what l holds and zeroes it. */
void conf__perm_list_close(struct opt_perm_list *l);

/* Frees what p holds and zeroes it. */
void conf__permissions_close(struct opt_permissions *p);

/* Deep copy of src into dst (which holds nothing). */
void conf__permissions_copy(struct opt_permissions *dst,
                            const struct opt_permissions *src);

/* Frees what u holds and zeroes it. */
void conf__user_close(struct opt_user *u);

/* Reads a whole file into a new NUL-terminated buffer the caller frees with
 * bl_free(). Returns 0, or a BL_E* code with errmsg "PATH: reason". */
int conf__read_file(const char *path, char **out, size_t *out_len,
                    char *errmsg);

#endif
