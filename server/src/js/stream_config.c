/* StreamConfig: parsing, nats-server's defaults and validation rules, the
 * update rules, and rendering in nats-server's field order. */
#include "ballast/err.h"
#include "ballast/mem.h"
#include "js/api_internal.h"
#include "js/api_json.h"
#include "subj/subject.h"

#include <inttypes.h>
#include <string.h>

static const char *const retention_names[] = {"limits", "interest",
                                              "workqueue"};
static const char *const discard_names[] = {"old", "new"};
static const char *const storage_names[] = {"file", "memory"};

/* ---- lifetime ------------------------------------------------------------ */

void js_stream_config_init(struct js_stream_config *c)
{
    memset(c, 0, sizeof *c);
}

static void source_close(struct js_stream_source *s)
{
    bl_free(s->name);
    bl_free(s->filter_subject);
    if (s->external != NULL) {
        bl_free(s->external->api);
        bl_free(s->external->deliver);
        bl_free(s->external);
    }
    memset(s, 0, sizeof *s);
}

void js_stream_config_close(struct js_stream_config *c)
{
    bl_free(c->name);
    bl_free(c->description);
    js__free_strs(c->subjects, c->n_subjects);
    bl_free(c->template_owner);
    if (c->placement != NULL) {
        bl_free(c->placement->cluster);
        js__free_strs(c->placement->tags, c->placement->n_tags);
        bl_free(c->placement);
    }
    if (c->mirror != NULL) {
        source_close(c->mirror);
        bl_free(c->mirror);
    }
    for (size_t i = 0; i < c->n_sources; i++)
        source_close(&c->sources[i]);
    bl_free(c->sources);
    if (c->republish != NULL) {
        bl_free(c->republish->src);
        bl_free(c->republish->dest);
        bl_free(c->republish);
    }
    memset(c, 0, sizeof *c);
}

static void source_copy(struct js_stream_source *dst,
                        const struct js_stream_source *src)
{
    *dst = *src;
    dst->name = js__strdup(src->name);
    dst->filter_subject = js__strdup(src->filter_subject);
    if (src->external != NULL) {
        dst->external = bl_xcalloc(1, sizeof *dst->external);
        dst->external->api = js__strdup(src->external->api);
        dst->external->deliver = js__strdup(src->external->deliver);
    }
}

void js_stream_config_copy(struct js_stream_config *dst,
                           const struct js_stream_config *src)
{
    *dst = *src;
    dst->name = js__strdup(src->name);
    dst->description = js__strdup(src->description);
    dst->subjects = js__copy_strs(src->subjects, src->n_subjects);
    dst->template_owner = js__strdup(src->template_owner);
    if (src->placement != NULL) {
        dst->placement = bl_xcalloc(1, sizeof *dst->placement);
        dst->placement->cluster = js__strdup(src->placement->cluster);
        dst->placement->tags =
            js__copy_strs(src->placement->tags, src->placement->n_tags);
        dst->placement->n_tags = src->placement->n_tags;
    }
    if (src->mirror != NULL) {
        dst->mirror = bl_xcalloc(1, sizeof *dst->mirror);
        source_copy(dst->mirror, src->mirror);
    }
    dst->sources = NULL;
    if (src->n_sources > 0) {
        dst->sources = bl_xcalloc(src->n_sources, sizeof *dst->sources);
        for (size_t i = 0; i < src->n_sources; i++)
            source_copy(&dst->sources[i], &src->sources[i]);
    }
    if (src->republish != NULL) {
        dst->republish = bl_xcalloc(1, sizeof *dst->republish);
        dst->republish->src = js__strdup(src->republish->src);
        dst->republish->dest = js__strdup(src->republish->dest);
        dst->republish->headers_only = src->republish->headers_only;
    }
}

static bool strs_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!js__str_eq(a[i], b[i]))
            return false;
    return true;
}

static bool external_equal(const struct js_external *a,
                           const struct js_external *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return js__str_eq(a->api, b->api) && js__str_eq(a->deliver, b->deliver);
}

static bool source_equal(const struct js_stream_source *a,
                         const struct js_stream_source *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return js__str_eq(a->name, b->name) &&
           a->opt_start_seq == b->opt_start_seq &&
           a->has_opt_start_time == b->has_opt_start_time &&
           (!a->has_opt_start_time ||
            a->opt_start_time_ns == b->opt_start_time_ns) &&
           js__str_eq(a->filter_subject, b->filter_subject) &&
           external_equal(a->external, b->external);
}

static bool republish_equal(const struct js_republish *a,
                            const struct js_republish *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return js__str_eq(a->src, b->src) && js__str_eq(a->dest, b->dest) &&
           a->headers_only == b->headers_only;
}

static bool placement_equal(const struct js_placement *a,
                            const struct js_placement *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return js__str_eq(a->cluster, b->cluster) &&
           strs_equal(a->tags, a->n_tags, b->tags, b->n_tags);
}

bool js_stream_config_equal(const struct js_stream_config *a,
                            const struct js_stream_config *b)
{
    if (!js__str_eq(a->name, b->name) ||
        !js__str_eq(a->description, b->description) ||
        !strs_equal(a->subjects, a->n_subjects, b->subjects, b->n_subjects) ||
        a->retention != b->retention || a->max_consumers != b->max_consumers ||
        a->max_msgs != b->max_msgs || a->max_bytes != b->max_bytes ||
        a->max_age_ns != b->max_age_ns ||
        a->max_msgs_per_subject != b->max_msgs_per_subject ||
        a->max_msg_size != b->max_msg_size || a->discard != b->discard ||
        a->storage != b->storage || a->num_replicas != b->num_replicas ||
        a->no_ack != b->no_ack ||
        !js__str_eq(a->template_owner, b->template_owner) ||
        a->duplicate_window_ns != b->duplicate_window_ns ||
        !placement_equal(a->placement, b->placement) ||
        !source_equal(a->mirror, b->mirror) || a->n_sources != b->n_sources ||
        !republish_equal(a->republish, b->republish) ||
        a->allow_direct != b->allow_direct ||
        a->mirror_direct != b->mirror_direct ||
        a->discard_new_per_subject != b->discard_new_per_subject ||
        a->sealed != b->sealed || a->deny_delete != b->deny_delete ||
        a->deny_purge != b->deny_purge ||
        a->allow_rollup_hdrs != b->allow_rollup_hdrs)
        return false;
    for (size_t i = 0; i < a->n_sources; i++)
        if (!source_equal(&a->sources[i], &b->sources[i]))
            return false;
    return true;
}

/* ---- parsing ------------------------------------------------------------- */

static int parse_source(struct js_stream_source *s, const json_t *obj,
                        const char *key, struct js_error *err)
{
    if (!json_is_object(obj))
        return js__bad_field(err, key, "expected an object");
    int rv;
    if ((rv = js__get_str(obj, "name", &s->name, err)) ||
        (rv = js__get_u64(obj, "opt_start_seq", &s->opt_start_seq, err)) ||
        (rv = js__get_time(obj, "opt_start_time", &s->has_opt_start_time,
                           &s->opt_start_time_ns, err)) ||
        (rv = js__get_str(obj, "filter_subject", &s->filter_subject, err)))
        goto fail;
    json_t *ext = js__field(obj, "external");
    if (ext != NULL) {
        if (!json_is_object(ext)) {
            rv = js__bad_field(err, "external", "expected an object");
            goto fail;
        }
        s->external = bl_xcalloc(1, sizeof *s->external);
        if ((rv = js__get_str(ext, "api", &s->external->api, err)) ||
            (rv = js__get_str(ext, "deliver", &s->external->deliver, err)))
            goto fail;
    }
    return 0;
fail:
    js__detail_prefix(err, key);
    return rv;
}

static int parse_placement(struct js_stream_config *c, const json_t *v,
                           struct js_error *err)
{
    if (!json_is_object(v))
        return js__bad_field(err, "placement", "expected an object");
    c->placement = bl_xcalloc(1, sizeof *c->placement);
    int rv;
    if ((rv = js__get_str(v, "cluster", &c->placement->cluster, err)) ||
        (rv = js__get_str_array(v, "tags", &c->placement->tags,
                                &c->placement->n_tags, err)))
        js__detail_prefix(err, "placement");
    return rv;
}

static int parse_republish(struct js_stream_config *c, const json_t *v,
                           struct js_error *err)
{
    if (!json_is_object(v))
        return js__bad_field(err, "republish", "expected an object");
    c->republish = bl_xcalloc(1, sizeof *c->republish);
    int rv;
    if ((rv = js__get_str(v, "src", &c->republish->src, err)) ||
        (rv = js__get_str(v, "dest", &c->republish->dest, err)) ||
        (rv =
             js__get_bool(v, "headers_only", &c->republish->headers_only, err)))
        js__detail_prefix(err, "republish");
    return rv;
}

int js_stream_config_from_json(struct js_stream_config *out, const json_t *obj,
                               struct js_error *err)
{
    int rv = 0;
    int retention = 0, discard = 0, storage = 0;
    int64_t max_msg_size = 0;
    js_stream_config_init(out);
    if (!json_is_object(obj))
        return js__bad_field(err, "config", "expected an object");
    if ((rv = js__get_str(obj, "name", &out->name, err)) ||
        (rv = js__get_str(obj, "description", &out->description, err)) ||
        (rv = js__get_str_array(obj, "subjects", &out->subjects,
                                &out->n_subjects, err)) ||
        (rv = js__get_enum(obj, "retention", retention_names, 3, false,
                           &retention, err)) ||
        (rv = js__get_i64(obj, "max_consumers", INT64_MIN, INT64_MAX,
                          &out->max_consumers, err)) ||
        (rv = js__get_i64(obj, "max_msgs", INT64_MIN, INT64_MAX, &out->max_msgs,
                          err)) ||
        (rv = js__get_i64(obj, "max_bytes", INT64_MIN, INT64_MAX,
                          &out->max_bytes, err)) ||
        (rv = js__get_i64(obj, "max_age", INT64_MIN, INT64_MAX,
                          &out->max_age_ns, err)) ||
        (rv = js__get_i64(obj, "max_msgs_per_subject", INT64_MIN, INT64_MAX,
                          &out->max_msgs_per_subject, err)) ||
        (rv = js__get_i64(obj, "max_msg_size", INT32_MIN, INT32_MAX,
                          &max_msg_size, err)) ||
        /* Only the discard policy is matched case-insensitively. */
        (rv = js__get_enum(obj, "discard", discard_names, 2, true, &discard,
                           err)) ||
        (rv = js__get_enum(obj, "storage", storage_names, 2, false, &storage,
                           err)) ||
        (rv = js__get_i64(obj, "num_replicas", INT64_MIN, INT64_MAX,
                          &out->num_replicas, err)) ||
        (rv = js__get_bool(obj, "no_ack", &out->no_ack, err)) ||
        (rv = js__get_str(obj, "template_owner", &out->template_owner, err)) ||
        (rv = js__get_i64(obj, "duplicate_window", INT64_MIN, INT64_MAX,
                          &out->duplicate_window_ns, err)) ||
        (rv = js__get_bool(obj, "allow_direct", &out->allow_direct, err)) ||
        (rv = js__get_bool(obj, "mirror_direct", &out->mirror_direct, err)) ||
        (rv = js__get_bool(obj, "discard_new_per_subject",
                           &out->discard_new_per_subject, err)) ||
        (rv = js__get_bool(obj, "sealed", &out->sealed, err)) ||
        (rv = js__get_bool(obj, "deny_delete", &out->deny_delete, err)) ||
        (rv = js__get_bool(obj, "deny_purge", &out->deny_purge, err)) ||
        (rv = js__get_bool(obj, "allow_rollup_hdrs", &out->allow_rollup_hdrs,
                           err)))
        goto fail;
    out->retention = (enum js_retention)retention;
    out->discard = (enum js_discard)discard;
    out->storage = (enum js_storage)storage;
    out->max_msg_size = (int32_t)max_msg_size;

    json_t *v;
    if ((v = js__field(obj, "placement")) != NULL &&
        (rv = parse_placement(out, v, err)))
        goto fail;
    if ((v = js__field(obj, "mirror")) != NULL) {
        out->mirror = bl_xcalloc(1, sizeof *out->mirror);
        if ((rv = parse_source(out->mirror, v, "mirror", err)))
            goto fail;
    }
    if ((v = js__field(obj, "sources")) != NULL) {
        if (!json_is_array(v)) {
            rv = js__bad_field(err, "sources", "expected an array");
            goto fail;
        }
        size_t n = json_array_size(v);
        if (n > 0) {
            out->sources = bl_xcalloc(n, sizeof *out->sources);
            for (size_t i = 0; i < n; i++) {
                out->n_sources = i + 1;
                if ((rv = parse_source(&out->sources[i], json_array_get(v, i),
                                       "sources", err)))
                    goto fail;
            }
        }
    }
    if ((v = js__field(obj, "republish")) != NULL &&
        (rv = parse_republish(out, v, err)))
        goto fail;
    return 0;
fail:
    js_stream_config_close(out);
    return rv;
}

int js_stream_config_parse(struct js_stream_config *out, const char *body,
                           size_t len, struct js_error *err)
{
    js_stream_config_init(out);
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv = js_stream_config_from_json(out, obj, err);
    json_decref(obj);
    return rv;
}

/* ---- validation ---------------------------------------------------------- */

bool js_name_valid(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return false;
    return strpbrk(name, " \t\r\n\f.*>") == NULL;
}

bool js_name_has_path_sep(const char *name)
{
    return name != NULL && strpbrk(name, "/\\") != NULL;
}

static bool collide(const char *a, const char *b)
{
    return subject_overlaps(bl_slice_of(a), bl_slice_of(b));
}

static bool is_subset(const char *sub, const char *super)
{
    return subject_is_subset(bl_slice_of(sub), bl_slice_of(super));
}

static bool valid_subject(const char *s)
{
    return s != NULL && subject_valid_subscribe(bl_slice_of(s));
}

static bool valid_publish_subject(const char *s)
{
    return s != NULL && subject_valid_publish(bl_slice_of(s));
}

bool js_subjects_overlap(char *const *a, size_t n_a, char *const *b, size_t n_b)
{
    for (size_t i = 0; i < n_a; i++)
        for (size_t j = 0; j < n_b; j++)
            if (collide(a[i], b[j]))
                return true;
    return false;
}

/* STREAM_INVALID_CONFIG (10052) with `text` as the description. */
static int invalid(struct js_error *err, const char *text)
{
    js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG, "%s", text);
    return BL_EINVAL;
}

/* Splits `s` on '.' into at most `max` tokens; returns the count. */
static size_t tokens(const char *s, const char **tok, size_t *len, size_t max)
{
    size_t n = 0;
    while (n < max) {
        const char *dot = strchr(s, '.');
        tok[n] = s;
        len[n] = dot ? (size_t)(dot - s) : strlen(s);
        n++;
        if (dot == NULL)
            break;
        s = dot + 1;
    }
    return n;
}

/* The republish transform rules of nats-server's newTransform(): both
 * subjects valid, no '*' in the destination, '>' in both or neither, and a
 * placeholder ("$1", "{{wildcard(1)}}") in the destination for every '*'
 * of the source. */
static bool transform_valid(const char *src, const char *dest)
{
    enum { MAX_TOKENS = 128 };
    const char *st[MAX_TOKENS], *dt[MAX_TOKENS];
    size_t sl[MAX_TOKENS], dl[MAX_TOKENS];
    if (!valid_subject(src) || !valid_subject(dest))
        return false;
    size_t ns = tokens(src, st, sl, MAX_TOKENS);
    size_t nd = tokens(dest, dt, dl, MAX_TOKENS);
    size_t src_pwcs = 0, dest_holders = 0;
    bool src_fwc = false, dest_fwc = false;
    for (size_t i = 0; i < ns; i++) {
        if (sl[i] == 1 && st[i][0] == '*')
            src_pwcs++;
        if (sl[i] == 1 && st[i][0] == '>')
            src_fwc = true;
    }
    for (size_t i = 0; i < nd; i++) {
        if (dl[i] == 1 && dt[i][0] == '*')
            return false;
        if (dl[i] == 1 && dt[i][0] == '>')
            dest_fwc = true;
        if (dl[i] >= 2 && dt[i][0] == '$') {
            size_t idx = 0;
            for (size_t k = 1; k < dl[i]; k++) {
                if (dt[i][k] < '0' || dt[i][k] > '9') {
                    idx = 0;
                    break;
                }
                idx = idx * 10 + (size_t)(dt[i][k] - '0');
                if (idx > MAX_TOKENS)
                    return false;
            }
            if (idx > src_pwcs)
                return false;
            if (idx > 0)
                dest_holders++;
        } else if (dl[i] >= 4 && memcmp(dt[i], "{{", 2) == 0) {
            dest_holders++;
        }
    }
    if (src_fwc != dest_fwc)
        return false;
    return dest_holders >= src_pwcs;
}

/* The api prefix of an external mirror or source must be a literal subject
 * other than our own API prefix. */
static int check_external_api(const struct js_stream_source *s,
                              struct js_error *err)
{
    if (s == NULL || s->external == NULL || s->external->api == NULL)
        return 0;
    const char *api = s->external->api;
    if (!valid_publish_subject(api)) {
        js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG,
                      "stream external api prefix \"%s\" must be a valid "
                      "subject without wildcards",
                      api);
        return BL_EINVAL;
    }
    if (collide(api, "$JS.API")) {
        js_error_set2(err, JS_ERR_STREAM_EXTERNAL_API_OVERLAP, api, "$JS.API");
        return BL_EINVAL;
    }
    return 0;
}

/* The deliver prefix of an external mirror or source must be literal. */
static int check_external_deliver(const struct js_stream_source *s,
                                  struct js_error *err)
{
    if (s == NULL || s->external == NULL || s->external->deliver == NULL)
        return 0;
    if (!valid_publish_subject(s->external->deliver)) {
        js_error_setf(err, JS_ERR_STREAM_INVALID_EXTERNAL_DELIVERY_SUBJ, "%s",
                      s->external->deliver);
        return BL_EINVAL;
    }
    return 0;
}

int js_stream_config_check(struct js_stream_config *c, struct js_error *err)
{
    if (!js_name_valid(c->name))
        return invalid(err, "stream name is required and can not contain "
                            "'.', '*', '>'");
    if (strlen(c->name) > JS_MAX_NAME_LEN) {
        js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG,
                      "stream name is too long, maximum allowed is %d",
                      JS_MAX_NAME_LEN);
        return BL_EINVAL;
    }
    if (c->description != NULL &&
        strlen(c->description) > JS_MAX_DESCRIPTION_LEN) {
        js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG,
                      "stream description is too long, maximum allowed is %d",
                      JS_MAX_DESCRIPTION_LEN);
        return BL_EINVAL;
    }
    if (c->num_replicas == 0)
        c->num_replicas = 1;
    if (c->num_replicas > JS_STREAM_MAX_REPLICAS) {
        js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG,
                      "maximum replicas is %d", JS_STREAM_MAX_REPLICAS);
        return BL_EINVAL;
    }
    if (c->num_replicas < 0) {
        js_error_set(err, JS_ERR_REPLICAS_COUNT_CANNOT_BE_NEGATIVE);
        return BL_EINVAL;
    }
    if (c->max_msgs == 0)
        c->max_msgs = -1;
    if (c->max_msgs_per_subject == 0)
        c->max_msgs_per_subject = -1;
    if (c->max_bytes == 0)
        c->max_bytes = -1;
    if (c->max_msg_size == 0)
        c->max_msg_size = -1;
    if (c->max_consumers == 0)
        c->max_consumers = -1;
    if (c->duplicate_window_ns == 0 && c->mirror == NULL) {
        /* The window defaults to two minutes, or max_age if shorter (which,
         * as in nats-server, may carry a negative max_age into the error
         * below). */
        if (c->max_age_ns != 0 &&
            c->max_age_ns < JS_DEFAULT_DUPLICATE_WINDOW_NS)
            c->duplicate_window_ns = c->max_age_ns;
        else
            c->duplicate_window_ns = JS_DEFAULT_DUPLICATE_WINDOW_NS;
    }
    if (c->max_age_ns > 0 && c->max_age_ns < JS_MIN_MAX_AGE_NS)
        return invalid(err, "max age needs to be >= 100ms");
    if (c->duplicate_window_ns < 0)
        return invalid(err, "duplicates window can not be negative");
    if (c->max_age_ns != 0 && c->duplicate_window_ns > c->max_age_ns)
        return invalid(err, "duplicates window can not be larger then max age");
    if (c->duplicate_window_ns > 0 &&
        c->duplicate_window_ns < JS_MIN_MAX_AGE_NS)
        return invalid(err, "duplicates window needs to be >= 100ms");
    if (c->deny_purge && c->allow_rollup_hdrs)
        return invalid(err, "roll-ups require the purge permission");
    if (c->discard_new_per_subject) {
        if (c->discard != JS_DISCARD_NEW)
            return invalid(err, "discard new per subject requires discard "
                                "new policy to be set");
        if (c->max_msgs_per_subject <= 0)
            return invalid(err, "discard new per subject requires max msgs "
                                "per subject > 0");
    }
    if (c->mirror != NULL) {
        if (c->n_subjects > 0) {
            js_error_set(err, JS_ERR_MIRROR_WITH_SUBJECTS);
            return BL_EINVAL;
        }
        if (c->n_sources > 0) {
            js_error_set(err, JS_ERR_MIRROR_WITH_SOURCES);
            return BL_EINVAL;
        }
    }
    /* Delivery prefixes of all mirrors/sources come before the api ones, as
     * nats-server checks them in two passes. */
    if (check_external_deliver(c->mirror, err))
        return BL_EINVAL;
    for (size_t i = 0; i < c->n_sources; i++)
        if (check_external_deliver(&c->sources[i], err))
            return BL_EINVAL;
    if (check_external_api(c->mirror, err))
        return BL_EINVAL;
    for (size_t i = 0; i < c->n_sources; i++)
        if (check_external_api(&c->sources[i], err))
            return BL_EINVAL;
    /* The cycle check of nats-server, limited to what one config shows: a
     * local source or mirror naming this very stream. Longer cycles need
     * the other streams' configs (the stream module's job). */
    for (size_t i = 0; i < c->n_sources; i++)
        if (c->sources[i].external == NULL &&
            js__str_eq(c->sources[i].name, c->name))
            return invalid(err, "detected cycle");
    if (c->mirror && c->mirror->external == NULL &&
        js__str_eq(c->mirror->name, c->name))
        return invalid(err, "detected cycle");

    if (c->n_subjects == 0) {
        if (c->mirror == NULL && c->n_sources == 0) {
            c->subjects = bl_xcalloc(1, sizeof *c->subjects);
            c->subjects[0] = bl_xstrdup(c->name);
            c->n_subjects = 1;
        }
    } else {
        for (size_t i = 0; i < c->n_subjects; i++) {
            for (size_t j = 0; j < i; j++)
                if (strcmp(c->subjects[i], c->subjects[j]) == 0)
                    return invalid(err, "duplicate subjects detected");
            if (is_subset(c->subjects[i], "$JS.API.>"))
                return invalid(err, "subjects overlap with jetstream api");
            if (!valid_subject(c->subjects[i]))
                return invalid(err, "invalid subject");
        }
    }
    if (c->n_subjects == 0 && c->n_sources == 0 && c->mirror == NULL)
        return invalid(err, "stream needs at least one configured subject or "
                            "be a source/mirror");
    for (size_t i = 0; c->n_subjects > 1 && i < c->n_subjects; i++) {
        for (size_t j = 0; j < c->n_subjects; j++) {
            if (strcmp(c->subjects[i], c->subjects[j]) != 0 &&
                collide(c->subjects[j], c->subjects[i])) {
                js_error_setf(err, JS_ERR_STREAM_INVALID_CONFIG,
                              "subject \"%s\" overlaps with \"%s\"",
                              c->subjects[i], c->subjects[j]);
                return BL_EINVAL;
            }
        }
    }
    if (c->republish != NULL) {
        struct js_republish *r = c->republish;
        if (r->src == NULL)
            r->src = bl_xstrdup(">");
        bool src_ok = false, cycle = false;
        for (size_t i = 0; i < c->n_subjects; i++) {
            if (collide(r->src, c->subjects[i]))
                src_ok = true;
            if (r->dest != NULL && collide(r->dest, c->subjects[i]))
                cycle = true;
        }
        if (!src_ok)
            return invalid(err, "stream configuration for republish source "
                                "is not valid subset of subjects");
        if (cycle)
            return invalid(err, "stream configuration for republish "
                                "destination forms a cycle");
        if (r->dest == NULL || !transform_valid(r->src, r->dest))
            return invalid(err, "stream configuration for republish not "
                                "valid");
    }
    return 0;
}

int js_stream_config_check_create(struct js_stream_config *c,
                                  struct js_error *err)
{
    if (js_name_has_path_sep(c->name)) {
        js_error_set(err, JS_ERR_STREAM_NAME_CONTAINS_PATH_SEPARATORS);
        return BL_EINVAL;
    }
    if (c->sealed)
        return invalid(err, "stream configuration for create can not be "
                            "sealed");
    if (c->mirror_direct && c->mirror == NULL)
        return invalid(err, "stream has no mirror but does have mirror "
                            "direct");
    return js_stream_config_check(c, err);
}

int js_stream_config_check_update(const struct js_stream_config *old,
                                  struct js_stream_config *c,
                                  struct js_error *err)
{
    int rv = js_stream_config_check(c, err);
    if (rv != 0)
        return rv;
    if (!js__str_eq(c->name, old->name))
        return invalid(err, "stream configuration name must match original");
    if (c->max_consumers != old->max_consumers)
        return invalid(err, "stream configuration update can not change "
                            "MaxConsumers");
    if (c->storage != old->storage)
        return invalid(err, "stream configuration update can not change "
                            "storage type");
    if (c->retention != old->retention)
        return invalid(err, "stream configuration update can not change "
                            "retention policy");
    if (old->template_owner != NULL)
        return invalid(err, "stream configuration update not allowed on "
                            "template owned stream");
    if (c->template_owner != NULL)
        return invalid(err, "stream configuration update can not be owned by "
                            "a template");
    if (!c->sealed && old->sealed)
        return invalid(err, "stream configuration update can not unseal a "
                            "sealed stream");
    if (!c->deny_delete && old->deny_delete)
        return invalid(err, "stream configuration update can not cancel deny "
                            "message deletes");
    if (!c->deny_purge && old->deny_purge)
        return invalid(err, "stream configuration update can not cancel deny "
                            "purge");
    if (!source_equal(c->mirror, old->mirror)) {
        js_error_set(err, JS_ERR_STREAM_MIRROR_NOT_UPDATABLE);
        return BL_EINVAL;
    }
    if (!republish_equal(c->republish, old->republish))
        return invalid(err, "stream configuration update can not change "
                            "RePublish");
    if (c->sealed) {
        c->max_age_ns = 0;
        c->discard = JS_DISCARD_NEW;
        c->deny_delete = true;
        c->deny_purge = true;
        c->allow_rollup_hdrs = false;
    }
    return 0;
}

/* ---- rendering ----------------------------------------------------------- */

static void render_strs(struct bl_buf *out, char *const *v, size_t n)
{
    bl_buf_append(out, "[", 1);
    for (size_t i = 0; i < n; i++) {
        js_json_sep(out);
        js_json_str(out, v[i]);
    }
    bl_buf_append(out, "]", 1);
}

static void render_time_ns(struct bl_buf *out, const char *key, int64_t ns)
{
    char t[JS_TIME_STR_SIZE];
    js_json_key(out, key);
    js_json_strn(out, t, js_json_time_str(ns, t));
}

static void render_source(struct bl_buf *out, const struct js_stream_source *s)
{
    bl_buf_append(out, "{", 1);
    js_json_kv_str(out, "name", s->name);
    if (s->opt_start_seq != 0)
        js_json_kv_u64(out, "opt_start_seq", s->opt_start_seq);
    if (s->has_opt_start_time)
        render_time_ns(out, "opt_start_time", s->opt_start_time_ns);
    if (s->filter_subject != NULL)
        js_json_kv_str(out, "filter_subject", s->filter_subject);
    if (s->external != NULL) {
        js_json_key(out, "external");
        bl_buf_append(out, "{", 1);
        js_json_kv_str(out, "api", s->external->api);
        js_json_kv_str(out, "deliver", s->external->deliver);
        bl_buf_append(out, "}", 1);
    }
    bl_buf_append(out, "}", 1);
}

void js_stream_config_render(struct bl_buf *out,
                             const struct js_stream_config *c)
{
    bl_buf_append(out, "{", 1);
    js_json_kv_str(out, "name", c->name);
    if (c->description != NULL)
        js_json_kv_str(out, "description", c->description);
    if (c->n_subjects > 0) {
        js_json_key(out, "subjects");
        render_strs(out, c->subjects, c->n_subjects);
    }
    js_json_kv_str(out, "retention", retention_names[c->retention]);
    js_json_kv_i64(out, "max_consumers", c->max_consumers);
    js_json_kv_i64(out, "max_msgs", c->max_msgs);
    js_json_kv_i64(out, "max_bytes", c->max_bytes);
    js_json_kv_i64(out, "max_age", c->max_age_ns);
    js_json_kv_i64(out, "max_msgs_per_subject", c->max_msgs_per_subject);
    if (c->max_msg_size != 0)
        js_json_kv_i64(out, "max_msg_size", c->max_msg_size);
    js_json_kv_str(out, "discard", discard_names[c->discard]);
    js_json_kv_str(out, "storage", storage_names[c->storage]);
    js_json_kv_i64(out, "num_replicas", c->num_replicas);
    if (c->no_ack)
        js_json_kv_bool(out, "no_ack", true);
    if (c->template_owner != NULL)
        js_json_kv_str(out, "template_owner", c->template_owner);
    if (c->duplicate_window_ns != 0)
        js_json_kv_i64(out, "duplicate_window", c->duplicate_window_ns);
    if (c->placement != NULL) {
        js_json_key(out, "placement");
        bl_buf_append(out, "{", 1);
        if (c->placement->cluster != NULL)
            js_json_kv_str(out, "cluster", c->placement->cluster);
        if (c->placement->n_tags > 0) {
            js_json_key(out, "tags");
            render_strs(out, c->placement->tags, c->placement->n_tags);
        }
        bl_buf_append(out, "}", 1);
    }
    if (c->mirror != NULL) {
        js_json_key(out, "mirror");
        render_source(out, c->mirror);
    }
    if (c->n_sources > 0) {
        js_json_key(out, "sources");
        bl_buf_append(out, "[", 1);
        for (size_t i = 0; i < c->n_sources; i++) {
            js_json_sep(out);
            render_source(out, &c->sources[i]);
        }
        bl_buf_append(out, "]", 1);
    }
    if (c->republish != NULL) {
        js_json_key(out, "republish");
        bl_buf_append(out, "{", 1);
        if (c->republish->src != NULL)
            js_json_kv_str(out, "src", c->republish->src);
        js_json_kv_str(out, "dest", c->republish->dest);
        if (c->republish->headers_only)
            js_json_kv_bool(out, "headers_only", true);
        bl_buf_append(out, "}", 1);
    }
    js_json_kv_bool(out, "allow_direct", c->allow_direct);
    js_json_kv_bool(out, "mirror_direct", c->mirror_direct);
    if (c->discard_new_per_subject)
        js_json_kv_bool(out, "discard_new_per_subject", true);
    js_json_kv_bool(out, "sealed", c->sealed);
    js_json_kv_bool(out, "deny_delete", c->deny_delete);
    js_json_kv_bool(out, "deny_purge", c->deny_purge);
    js_json_kv_bool(out, "allow_rollup_hdrs", c->allow_rollup_hdrs);
    bl_buf_append(out, "}", 1);
}
