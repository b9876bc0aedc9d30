/* The JetStream API error table and its JSON rendering. */
#include "js/errors.h"

#include "ballast/err.h"
#include "js/api_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct js_err_info table[] = {
#define JS_ERR_ROW_(name, code, err_code, desc) {#name, code, err_code, desc},
    JS_ERRORS(JS_ERR_ROW_)
#undef JS_ERR_ROW_
};

_Static_assert(sizeof table / sizeof table[0] == JS_ERR_COUNT_ - 1,
               "one table row per enum js_err value");

const struct js_err_info *js_err_info(enum js_err id)
{
    if (id <= JS_ERR_NONE || id >= JS_ERR_COUNT_)
        return NULL;
    return &table[id - 1];
}

enum js_err js_err_by_code(unsigned err_code)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].err_code == err_code)
            return (enum js_err)(i + 1);
    }
    return JS_ERR_NONE;
}

void js_error_clear(struct js_error *e)
{
    e->id = JS_ERR_NONE;
    e->description[0] = '\0';
    e->detail[0] = '\0';
}

/* Copies `src` into `dst` (size n), truncating, and returns the new end. */
static size_t put(char *dst, size_t at, size_t n, const char *src,
                  size_t src_len)
{
    if (at + 1 >= n)
        return at;
    size_t room = n - 1 - at;
    if (src_len > room)
        src_len = room;
    memcpy(dst + at, src, src_len);
    dst[at + src_len] = '\0';
    return at + src_len;
}

/* Fills the template of `id` into e->description, replacing up to
 * `n_args` "{name}" holes in order with args[]; further holes stay. */
static void fill(struct js_error *e, enum js_err id, const char *const *args,
                 size_t n_args)
{
    const struct js_err_info *info = js_err_info(id);
    e->id = id;
    e->detail[0] = '\0';
    e->description[0] = '\0';
    if (info == NULL)
        return;
    const char *t = info->description;
    size_t at = 0, used = 0;
    while (*t != '\0') {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL || used == n_args) {
            at = put(e->description, at, sizeof e->description, t, strlen(t));
            break;
        }
        at = put(e->description, at, sizeof e->description, t,
                 (size_t)(open - t));
        const char *a = args[used++];
        at = put(e->description, at, sizeof e->description, a, strlen(a));
        t = close + 1;
    }
}

void js_error_set(struct js_error *e, enum js_err id)
{
    fill(e, id, NULL, 0);
}

void js_error_setf(struct js_error *e, enum js_err id, const char *fmt, ...)
{
    char text[JS_ERROR_DESC_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const char *args[] = {text};
    fill(e, id, args, 1);
}

void js_error_set2(struct js_error *e, enum js_err id, const char *a,
                   const char *b)
{
    const char *args[] = {a ? a : "", b ? b : ""};
    fill(e, id, args, 2);
}

void js_error_detail(struct js_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

void js_error_from_bl(struct js_error *e, int bl_code, enum js_err context_err,
                      const char *what)
{
    if (bl_code == BL_ENOSPC) {
        js_error_set(e, JS_ERR_STORAGE_RESOURCES_EXCEEDED);
        js_error_detail(e, "%s", what ? what : bl_strerror(bl_code));
        return;
    }
    js_error_setf(e, context_err, "%s", what ? what : bl_strerror(bl_code));
}

void js_error_render_obj(struct bl_buf *out, const struct js_error *e)
{
    const struct js_err_info *info = js_err_info(e->id);
    const char *desc = e->description[0] ? e->description
                       : info            ? info->description
                                         : "";
    bl_buf_append(out, "{", 1);
    js_json_kv_i64(out, "code", info ? info->code : 500);
    if (info && info->err_code != 0)
        js_json_kv_u64(out, "err_code", info->err_code);
    if (desc[0] != '\0')
        js_json_kv_str(out, "description", desc);
    bl_buf_append(out, "}", 1);
}

void js_response_open(struct bl_buf *out, const char *type)
{
    bl_buf_append(out, "{", 1);
    js_json_kv_str(out, "type", type);
}

void js_response_error(struct bl_buf *out, const struct js_error *e)
{
    js_json_key(out, "error");
    js_error_render_obj(out, e);
}

void js_error_reply(struct bl_buf *out, const char *type,
                    const struct js_error *e)
{
    js_response_open(out, type);
    js_response_error(out, e);
    bl_buf_append(out, "}", 1);
}
