/* Helpers shared by the API type parsers (stream_config.c,
 * consumer_config.c, api_requests.c): typed field getters over jansson
 * values that behave like Go's encoding/json on a struct field. Not for use
 * outside server/src/js. */
#ifndef BALLAST_JS_API_INTERNAL_H
#define BALLAST_JS_API_INTERNAL_H

#include "js/api_types.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Loads `body` as any JSON value. Fills err with INVALID_JSON and returns
 * NULL on a syntax error. */
json_t *js__load(const char *body, size_t len, struct js_error *err);

/* Like js__load() but the value must be an object or null (Go unmarshals
 * null into a struct as a no-op): null gives an empty object. */
json_t *js__load_object(const char *body, size_t len, struct js_error *err);

/* nats-server's isEmptyRequest: no bytes, or a JSON object with no keys. */
bool js__is_empty_request(const char *body, size_t len);

/* The member `key` of `obj`, matched exactly or else case-insensitively as
 * Go does; NULL when absent or JSON null. */
json_t *js__field(const json_t *obj, const char *key);

/* Sets err to INVALID_JSON with a detail "<key>: <what>". Returns
 * BL_EINVAL. */
int js__bad_field(struct js_error *err, const char *key, const char *what);

/* Prepends "<prefix>." to err's detail (a nested field's path). */
void js__detail_prefix(struct js_error *err, const char *prefix);

/* Typed getters: absent/null leaves *out unchanged and returns 0; a wrong
 * type or a value out of [min, max] returns js__bad_field(). */
int js__get_str(const json_t *obj, const char *key, char **out,
                struct js_error *err);
int js__get_i64(const json_t *obj, const char *key, int64_t min, int64_t max,
                int64_t *out, struct js_error *err);
int js__get_u64(const json_t *obj, const char *key, uint64_t *out,
                struct js_error *err);
int js__get_bool(const json_t *obj, const char *key, bool *out,
                 struct js_error *err);
int js__get_time(const json_t *obj, const char *key, bool *has,
                 int64_t *unix_ns, struct js_error *err);
/* One of `names` (n of them), by exact string; *out gets its index. */
int js__get_enum(const json_t *obj, const char *key, const char *const *names,
                 int n, bool ignore_case, int *out, struct js_error *err);
int js__get_str_array(const json_t *obj, const char *key, char ***out,
                      size_t *n, struct js_error *err);
int js__get_i64_array(const json_t *obj, const char *key, int64_t **out,
                      size_t *n, struct js_error *err);

/* Owned copy of `s`, or NULL for NULL or "". */
char *js__strdup(const char *s);
/* String equality where NULL equals "". */
bool js__str_eq(const char *a, const char *b);
/* Frees an array of n owned strings. */
void js__free_strs(char **v, size_t n);
/* Deep copy of an array of n strings. */
char **js__copy_strs(char *const *v, size_t n);

#endif
