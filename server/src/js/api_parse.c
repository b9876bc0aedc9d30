/* Typed JSON field getters behaving like Go's encoding/json on a struct:
 * only integer literals fit integer fields ("1.0" and "1e3" do not), null
 * leaves a field alone, unknown keys are ignored, and any mismatch fails
 * the whole request as INVALID_JSON. */
#include "js/api_internal.h"

#include "ballast/err.h"
#include "ballast/mem.h"
#include "js/api_json.h"

#include <string.h>
#include <strings.h>

json_t *js__load(const char *body, size_t len, struct js_error *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(body ? body : "", len, JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        js_error_set(err, JS_ERR_INVALID_JSON);
        js_error_detail(err, "line %d column %d: %s", jerr.line, jerr.column,
                        jerr.text);
    }
    return v;
}

json_t *js__load_object(const char *body, size_t len, struct js_error *err)
{
    json_t *v = js__load(body, len, err);
    if (v == NULL)
        return NULL;
    if (json_is_null(v)) {
        json_decref(v);
        return json_object();
    }
    if (!json_is_object(v)) {
        json_decref(v);
        js_error_set(err, JS_ERR_INVALID_JSON);
        js_error_detail(err, "request body is not a JSON object");
        return NULL;
    }
    return v;
}

bool js__is_empty_request(const char *body, size_t len)
{
    if (len == 0)
        return true;
    if (len == 2 && memcmp(body, "{}", 2) == 0)
        return true;
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    bool empty = v != NULL && json_is_object(v) && json_object_size(v) == 0;
    json_decref(v);
    return empty;
}

json_t *js__field(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        const char *k;
        json_t *x;
        /* Go falls back to a case-insensitive match; a later key wins. */
        json_object_foreach((json_t *)obj, k, x)
        {
            if (strcasecmp(k, key) == 0)
                v = x;
        }
    }
    if (v != NULL && json_is_null(v))
        return NULL;
    return v;
}

int js__bad_field(struct js_error *err, const char *key, const char *what)
{
    js_error_set(err, JS_ERR_INVALID_JSON);
    js_error_detail(err, "%s: %s", key, what);
    return BL_EINVAL;
}

void js__detail_prefix(struct js_error *err, const char *prefix)
{
    char copy[JS_ERROR_DESC_SIZE];
    memcpy(copy, err->detail, sizeof copy);
    js_error_detail(err, "%s.%s", prefix, copy);
}

char *js__strdup(const char *s)
{
    return s == NULL || s[0] == '\0' ? NULL : bl_xstrdup(s);
}

bool js__str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

void js__free_strs(char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        bl_free(v[i]);
    bl_free(v);
}

char **js__copy_strs(char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    char **c = bl_xcalloc(n, sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = bl_xstrdup(v[i] ? v[i] : "");
    return c;
}

int js__get_str(const json_t *obj, const char *key, char **out,
                struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return js__bad_field(err, key, "expected a string");
    bl_free(*out);
    *out = js__strdup(json_string_value(v));
    return 0;
}

int js__get_i64(const json_t *obj, const char *key, int64_t min, int64_t max,
                int64_t *out, struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v))
        return js__bad_field(err, key, "expected an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return js__bad_field(err, key, "integer out of range");
    *out = (int64_t)x;
    return 0;
}

int js__get_u64(const json_t *obj, const char *key, uint64_t *out,
                struct js_error *err)
{
    int64_t x = 0;
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    int rv = js__get_i64(obj, key, 0, INT64_MAX, &x, err);
    if (rv != 0)
        return rv;
    *out = (uint64_t)x;
    return 0;
}

int js__get_bool(const json_t *obj, const char *key, bool *out,
                 struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return js__bad_field(err, key, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

int js__get_time(const json_t *obj, const char *key, bool *has,
                 int64_t *unix_ns, struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return js__bad_field(err, key, "expected an RFC 3339 time string");
    int64_t ns;
    const char *s = json_string_value(v);
    if (js_json_time_parse(s, json_string_length(v), &ns) != 0) {
        /* Go's zero time lies outside int64 nanoseconds; we call it 0. */
        if (strcmp(s, "0001-01-01T00:00:00Z") != 0)
            return js__bad_field(err, key, "expected an RFC 3339 time string");
        ns = 0;
    }
    *has = true;
    *unix_ns = ns;
    return 0;
}

int js__get_enum(const json_t *obj, const char *key, const char *const *names,
                 int n, bool ignore_case, int *out, struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return js__bad_field(err, key, "expected a string");
    const char *s = json_string_value(v);
    for (int i = 0; i < n; i++) {
        if (ignore_case ? strcasecmp(s, names[i]) == 0
                        : strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return js__bad_field(err, key, "unknown value");
}

int js__get_str_array(const json_t *obj, const char *key, char ***out,
                      size_t *n, struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_array(v))
        return js__bad_field(err, key, "expected an array of strings");
    size_t count = json_array_size(v);
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) && !json_is_null(e))
            return js__bad_field(err, key, "expected an array of strings");
    }
    js__free_strs(*out, *n);
    *out = NULL;
    *n = 0;
    if (count == 0)
        return 0;
    /* Go leaves "" for a null element; so do we. */
    char **a = bl_xcalloc(count, sizeof *a);
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(v, i);
        a[i] = bl_xstrdup(json_is_string(e) ? json_string_value(e) : "");
    }
    *out = a;
    *n = count;
    return 0;
}

int js__get_i64_array(const json_t *obj, const char *key, int64_t **out,
                      size_t *n, struct js_error *err)
{
    json_t *v = js__field(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_array(v))
        return js__bad_field(err, key, "expected an array of integers");
    size_t count = json_array_size(v);
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_integer(e) && !json_is_null(e))
            return js__bad_field(err, key, "expected an array of integers");
    }
    bl_free(*out);
    *out = NULL;
    *n = 0;
    if (count == 0)
        return 0;
    int64_t *a = bl_xcalloc(count, sizeof *a);
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(v, i);
        a[i] = json_is_integer(e) ? (int64_t)json_integer_value(e) : 0;
    }
    *out = a;
    *n = count;
    return 0;
}
