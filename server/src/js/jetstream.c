/* The JetStream engine: accounts, the streams and consumers in them, their
 * files and subscriptions. API requests are decoded in api.c. */
#include "js/engine.h"

#include "js/api_json.h"
#include "js/consumer.h"
#include "js/stream.h"
#include "store/store.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_FILE "meta.json"

void engine_random_id(char *out, size_t len)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd"
                                   "efghijklmnopqrstuvwxyz";
    unsigned char rnd[32];
    size_t n = len - 1 < sizeof(rnd) ? len - 1 : sizeof(rnd);
    if (getrandom(rnd, n, 0) != (ssize_t)n) {
        uint64_t x = bl_clock_wall_ns(&bl_clock_real);
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            rnd[i] = (unsigned char)(x >> 33);
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
    out[n] = '\0';
}

/* ---- Files -------------------------------------------------------------- */

int engine_mkdir_p(const char *path, char *errmsg)
{
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            bl_errmsg_set(errmsg, "mkdir %s: %s", tmp, strerror(errno));
            return bl_err_from_errno(errno);
        }
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        bl_errmsg_set(errmsg, "mkdir %s: %s", tmp, strerror(errno));
        return bl_err_from_errno(errno);
    }
    return 0;
}

int engine_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : bl_err_from_errno(errno);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d == NULL)
            return bl_err_from_errno(errno);
        struct dirent *e;
        char child[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
            engine_rm_rf(child);
        }
        closedir(d);
        return rmdir(path) == 0 ? 0 : bl_err_from_errno(errno);
    }
    return unlink(path) == 0 ? 0 : bl_err_from_errno(errno);
}

/* Writes `data` to dir/name through a synced temp file and a rename, so a
 * crash leaves the old or the new file, never a torn one. */
static int write_atomic(const char *dir, const char *name, const char *data,
                        size_t len, char *errmsg)
{
    char tmp[1024], final[1024];
    snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
    snprintf(final, sizeof(final), "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        bl_errmsg_set(errmsg, "open %s: %s", tmp, strerror(errno));
        return bl_err_from_errno(errno);
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int rv = bl_err_from_errno(errno);
            bl_errmsg_set(errmsg, "write %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return rv;
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0) {
        int rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "fsync %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return rv;
    }
    close(fd);
    if (rename(tmp, final) != 0) {
        int rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return rv;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int write_stream_meta(struct js_stream_entry *se, char *errmsg)
{
    if (stream_config(se->s)->storage == JS_STORAGE_MEMORY)
        return 0;
    struct bl_buf b;
    bl_buf_init(&b);
    bl_buf_append_str(&b, "{\"config\":");
    js_stream_config_render(&b, stream_config(se->s));
    bl_buf_printf(&b, ",\"created_ns\":%llu}\n",
                  (unsigned long long)stream_created(se->s));
    int rv = write_atomic(se->dir, META_FILE, b.p, b.len, errmsg);
    bl_buf_close(&b);
    return rv;
}

/* ---- Streams ------------------------------------------------------------ */

/* Bytes held by the server's streams of one storage kind. */
static uint64_t storage_used(struct jetstream *js, enum js_storage kind)
{
    uint64_t used = 0;
    for (size_t i = 0; i < js->n_accounts; i++) {
        struct js_account *a = js->accounts[i];
        for (size_t k = 0; k < a->n_streams; k++) {
            if (stream_config(a->streams[k]->s)->storage != kind)
                continue;
            struct js_stream_state st;
            stream_state(a->streams[k]->s, &st);
            used += st.bytes;
        }
    }
    return used;
}

int64_t engine_storage_limit(struct jetstream *js, enum js_storage kind)
{
    return kind == JS_STORAGE_MEMORY ? js->opts.max_memory : js->opts.max_file;
}

static void on_stream_msg(void *ctx, const struct js_inmsg *m)
{
    struct js_stream_entry *se = ctx;
    struct jetstream *js = se->acct->js;
    const struct js_host *h = js->host;
    enum js_storage kind = stream_config(se->s)->storage;
    int64_t limit = engine_storage_limit(js, kind);
    if (limit >= 0 &&
        storage_used(js, kind) + m->subject.len + m->data.len > (uint64_t)limit) {
        /* The server's JetStream storage is full: refuse, as nats-server
         * does, rather than let the disk or memory fill. */
        if (m->reply.len > 0 && !stream_config(se->s)->no_ack) {
            struct js_error err;
            js_error_set(&err, JS_ERR_INSUFFICIENT_RESOURCES);
            struct bl_buf out;
            bl_buf_init(&out);
            js_puback_error_render(&out, se->name, &err);
            engine_reply(se->acct, m->reply, &out);
            bl_buf_close(&out);
        }
        return;
    }
    stream_process_msg(se->s, m, bl_clock_wall_ns(h->clock));
}

static void unsubscribe_stream(struct js_stream_entry *se)
{
    const struct js_host *h = se->acct->js->host;
    for (size_t i = 0; i < se->n_subs; i++)
        js_host_unsubscribe(h, se->subs[i]);
    bl_free(se->subs);
    se->subs = NULL;
    se->n_subs = 0;
    js_host_unsubscribe(h, se->direct);
    js_host_unsubscribe(h, se->direct_subj);
    se->direct = se->direct_subj = NULL;
}

static int subscribe_stream(struct js_stream_entry *se, struct js_error *err)
{
    const struct js_host *h = se->acct->js->host;
    const struct js_stream_config *cfg = stream_config(se->s);
    size_t acc = se->acct->acc;
    se->subs = bl_xcalloc(cfg->n_subjects ? cfg->n_subjects : 1,
                          sizeof(*se->subs));
    for (size_t i = 0; i < cfg->n_subjects; i++) {
        se->subs[i] = js_host_subscribe(h, acc, cfg->subjects[i], NULL,
                                        on_stream_msg, se);
        if (se->subs[i] == NULL) {
            js_error_setf(err, JS_ERR_STREAM_CREATE, "invalid subject %s",
                          cfg->subjects[i]);
            unsubscribe_stream(se);
            return BL_EINVAL;
        }
        se->n_subs++;
    }
    if (cfg->allow_direct) {
        char subj[512];
        snprintf(subj, sizeof(subj), "$JS.API.DIRECT.GET.%s", se->name);
        se->direct = js_host_subscribe(h, acc, subj, NULL, api_on_direct_get,
                                       se);
        snprintf(subj, sizeof(subj), "$JS.API.DIRECT.GET.%s.>", se->name);
        se->direct_subj = js_host_subscribe(h, acc, subj, NULL,
                                            api_on_direct_get, se);
    }
    return 0;
}

struct js_stream_entry *engine_find_stream(struct js_account *a,
                                           const char *name)
{
    for (size_t i = 0; i < a->n_streams; i++)
        if (strcmp(a->streams[i]->name, name) == 0)
            return a->streams[i];
    return NULL;
}

static void add_entry(struct js_account *a, struct js_stream_entry *se)
{
    a->streams = bl_xrealloc(a->streams,
                             (a->n_streams + 1) * sizeof(*a->streams));
    a->streams[a->n_streams++] = se;
}

static void remove_entry(struct js_account *a, struct js_stream_entry *se)
{
    for (size_t i = 0; i < a->n_streams; i++) {
        if (a->streams[i] == se) {
            memmove(&a->streams[i], &a->streams[i + 1],
                    (a->n_streams - i - 1) * sizeof(*a->streams));
            a->n_streams--;
            return;
        }
    }
}

char *engine_stream_dir(struct js_account *a, const char *name)
{
    struct bl_buf b;
    bl_buf_init(&b);
    bl_buf_printf(&b, "%s/streams/%s", a->dir, name);
    return bl_buf_steal(&b);
}

/* Opens the stream's state machine over `st`, or over its own store when
 * `st` is NULL; `created_ns` 0 means now. Takes ownership of `st`. */
static int open_stream(struct js_account *a, const struct js_stream_config *cfg,
                       struct store *st, uint64_t created_ns,
                       struct js_stream_entry **out, char *errmsg)
{
    struct jetstream *js = a->js;
    struct js_stream_entry *se = bl_xcalloc(1, sizeof(*se));
    se->acct = a;
    se->name = bl_xstrdup(cfg->name);
    se->dir = engine_stream_dir(a, cfg->name);
    char path[1200];
    /* Memory streams, as in nats-server, leave nothing on disk and do not
     * come back after a restart. */
    int rv = cfg->storage == JS_STORAGE_MEMORY
                 ? 0
                 : engine_mkdir_p(se->dir, errmsg);
    if (rv != 0)
        goto fail;

    struct store_cfg scfg;
    memset(&scfg, 0, sizeof(scfg));
    scfg.name = cfg->name;
    if (st != NULL) {
        rv = 0;
    } else if (cfg->storage == JS_STORAGE_MEMORY) {
        rv = memstore_new(&scfg, &st);
    } else {
        snprintf(path, sizeof(path), "%s/msgs", se->dir);
        rv = filestore_open(path, &scfg, &st, errmsg);
    }
    if (rv != 0)
        goto fail;
    rv = stream_open(cfg, st, js->host, a->acc, js->opts.sync_interval_ms,
                     &se->s, errmsg);
    st = NULL; /* the stream owns it now, even on failure */
    if (rv != 0)
        goto fail;
    if (created_ns != 0)
        stream_set_created(se->s, created_ns);
    if (js->opts.domain)
        stream_set_domain(se->s, js->opts.domain);
    *out = se;
    return 0;
fail:
    bl_errmsg_prefix(errmsg, "open stream %s", cfg->name);
    if (st != NULL)
        store_close(st);
    bl_free(se->dir);
    bl_free(se->name);
    bl_free(se);
    return rv;
}

bool engine_subjects_taken(struct js_account *a,
                           const struct js_stream_config *cfg,
                           const struct js_stream_entry *except)
{
    for (size_t i = 0; i < a->n_streams; i++) {
        const struct js_stream_config *o = stream_config(a->streams[i]->s);
        if (a->streams[i] != except &&
            js_subjects_overlap(cfg->subjects, cfg->n_subjects, o->subjects,
                                o->n_subjects))
            return true;
    }
    return false;
}

int engine_adopt_stream(struct js_account *a,
                        const struct js_stream_config *cfg, struct store *st,
                        struct js_stream_entry **out, struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    if (engine_subjects_taken(a, cfg, NULL)) {
        store_close(st);
        js_error_set(err, JS_ERR_STREAM_SUBJECT_OVERLAP);
        return BL_EEXIST;
    }
    struct js_stream_entry *se = NULL;
    int rv = open_stream(a, cfg, st, 0, &se, errmsg);
    if (rv != 0) {
        js_error_from_bl(err, rv, JS_ERR_STREAM_CREATE, errmsg);
        return rv;
    }
    rv = write_stream_meta(se, errmsg);
    if (rv == 0)
        rv = subscribe_stream(se, err);
    else
        js_error_from_bl(err, rv, JS_ERR_STREAM_CREATE, errmsg);
    if (rv != 0) {
        stream_delete(se->s, NULL);
        engine_rm_rf(se->dir);
        bl_free(se->dir);
        bl_free(se->name);
        bl_free(se);
        return rv;
    }
    add_entry(a, se);
    bl_log_info("js: account %s: created stream %s", a->name, se->name);
    *out = se;
    return 0;
}

int engine_create_stream(struct js_account *a,
                         const struct js_stream_config *cfg,
                         struct js_stream_entry **out, struct js_error *err)
{
    if (engine_subjects_taken(a, cfg, NULL)) {
        js_error_set(err, JS_ERR_STREAM_SUBJECT_OVERLAP);
        return BL_EEXIST;
    }
    struct store_cfg scfg;
    memset(&scfg, 0, sizeof(scfg));
    scfg.name = cfg->name;
    struct store *st = NULL;
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv;
    if (cfg->storage == JS_STORAGE_MEMORY) {
        rv = memstore_new(&scfg, &st);
    } else {
        char *dir = engine_stream_dir(a, cfg->name);
        struct bl_buf msgs;
        bl_buf_init(&msgs);
        bl_buf_printf(&msgs, "%s/msgs", dir);
        rv = engine_mkdir_p(dir, errmsg);
        if (rv == 0)
            rv = filestore_open(msgs.p, &scfg, &st, errmsg);
        bl_buf_close(&msgs);
        bl_free(dir);
    }
    if (rv != 0) {
        js_error_from_bl(err, rv, JS_ERR_STREAM_CREATE, errmsg);
        return rv;
    }
    return engine_adopt_stream(a, cfg, st, out, err);
}

int engine_stream_updated(struct js_stream_entry *se, struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    unsubscribe_stream(se);
    int rv = subscribe_stream(se, err);
    if (rv != 0)
        return rv;
    rv = write_stream_meta(se, errmsg);
    if (rv != 0)
        js_error_from_bl(err, rv, JS_ERR_STREAM_GENERAL, errmsg);
    return rv;
}

static void close_consumers(struct js_stream_entry *se, bool delete_state)
{
    while (se->n_consumers > 0) {
        struct js_consumer_entry *ce = se->consumers[--se->n_consumers];
        consumer_close(ce->c, delete_state);
        bl_free(ce->name);
        bl_free(ce);
    }
    bl_free(se->consumers);
    se->consumers = NULL;
}

void engine_close_stream(struct js_stream_entry *se)
{
    backup_cancel_stream(se);
    unsubscribe_stream(se);
    close_consumers(se, false);
    stream_close(se->s);
    bl_free(se->dir);
    bl_free(se->name);
    bl_free(se);
}

int engine_delete_stream(struct js_stream_entry *se, struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct js_account *a = se->acct;
    backup_cancel_stream(se);
    unsubscribe_stream(se);
    close_consumers(se, true);
    int rv = stream_delete(se->s, errmsg);
    int rv2 = engine_rm_rf(se->dir);
    remove_entry(a, se);
    bl_log_info("js: account %s: deleted stream %s", a->name, se->name);
    bl_free(se->dir);
    bl_free(se->name);
    bl_free(se);
    if (rv == 0)
        rv = rv2;
    if (rv != 0)
        js_error_from_bl(err, rv, JS_ERR_STREAM_DELETE, errmsg);
    return rv;
}

/* ---- Consumers ---------------------------------------------------------- */

struct js_consumer_entry *engine_find_consumer(struct js_stream_entry *se,
                                               const char *name)
{
    for (size_t i = 0; i < se->n_consumers; i++)
        if (strcmp(se->consumers[i]->name, name) == 0)
            return se->consumers[i];
    return NULL;
}

static void remove_consumer_entry(struct js_consumer_entry *ce)
{
    struct js_stream_entry *se = ce->se;
    for (size_t i = 0; i < se->n_consumers; i++) {
        if (se->consumers[i] == ce) {
            memmove(&se->consumers[i], &se->consumers[i + 1],
                    (se->n_consumers - i - 1) * sizeof(*se->consumers));
            se->n_consumers--;
            return;
        }
    }
}

/* An ephemeral consumer passed its inactive threshold. */
static void on_consumer_gone(void *ctx, struct consumer *c)
{
    struct js_consumer_entry *ce = ctx;
    struct js_error err;
    js_error_clear(&err);
    bl_log_debug("js: consumer %s on %s inactive, removing", ce->name,
                 ce->se->name);
    engine_delete_consumer(ce, &err);
}

static char *consumer_dir(struct js_stream_entry *se, const char *name,
                          const struct js_consumer_config *cfg)
{
    const struct js_stream_config *scfg = stream_config(se->s);
    bool durable = cfg->durable_name != NULL && cfg->durable_name[0] != '\0';
    if (!durable || scfg->storage == JS_STORAGE_MEMORY || cfg->mem_storage)
        return NULL;
    char path[1024];
    snprintf(path, sizeof(path), "%s/obs/%s", se->dir, name);
    return bl_xstrdup(path);
}

static int write_consumer_meta(const char *dir, const char *name,
                               const struct js_consumer_config *cfg,
                               uint64_t created_ns, char *errmsg)
{
    struct bl_buf b;
    bl_buf_init(&b);
    bl_buf_append_str(&b, "{\"name\":");
    js_json_str(&b, name);
    bl_buf_append_str(&b, ",\"config\":");
    js_consumer_config_render(&b, cfg);
    bl_buf_printf(&b, ",\"created_ns\":%llu}\n",
                  (unsigned long long)created_ns);
    int rv = write_atomic(dir, META_FILE, b.p, b.len, errmsg);
    bl_buf_close(&b);
    return rv;
}

static int open_consumer(struct js_stream_entry *se, const char *name,
                         const struct js_consumer_config *cfg,
                         uint64_t created_ns, bool write_meta,
                         struct js_consumer_entry **out, struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    const struct js_host *h = se->acct->js->host;
    char *dir = consumer_dir(se, name, cfg);
    int rv = 0;
    if (dir != NULL && write_meta) {
        rv = engine_mkdir_p(dir, errmsg);
        if (rv == 0)
            rv = write_consumer_meta(dir, name, cfg, created_ns, errmsg);
        if (rv != 0) {
            js_error_from_bl(err, rv, JS_ERR_CONSUMER_CREATE, errmsg);
            bl_free(dir);
            return rv;
        }
    }
    struct consumer *c = NULL;
    rv = consumer_open(se->s, name, cfg, h, dir, created_ns, &c, err, errmsg);
    if (rv != 0) {
        if (err->id == JS_ERR_NONE)
            js_error_from_bl(err, rv, JS_ERR_CONSUMER_CREATE, errmsg);
        if (dir != NULL && write_meta)
            engine_rm_rf(dir);
        bl_free(dir);
        return rv;
    }
    bl_free(dir);
    struct js_consumer_entry *ce = bl_xcalloc(1, sizeof(*ce));
    ce->c = c;
    ce->name = bl_xstrdup(name);
    ce->se = se;
    consumer_set_on_delete(c, on_consumer_gone, ce);
    se->consumers = bl_xrealloc(se->consumers, (se->n_consumers + 1) *
                                                   sizeof(*se->consumers));
    se->consumers[se->n_consumers++] = ce;
    *out = ce;
    return 0;
}

int engine_create_consumer(struct js_stream_entry *se, const char *name,
                           const struct js_consumer_config *cfg,
                           struct js_consumer_entry **out,
                           struct js_error *err)
{
    uint64_t now = bl_clock_wall_ns(se->acct->js->host->clock);
    int rv = open_consumer(se, name, cfg, now, true, out, err);
    if (rv == 0)
        bl_log_debug("js: stream %s: created consumer %s", se->name, name);
    return rv;
}

int engine_restore_consumer(struct js_stream_entry *se, const char *name,
                            const struct js_consumer_config *cfg,
                            uint64_t created_ns, struct bl_slice state,
                            struct js_error *err)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    char *dir = consumer_dir(se, name, cfg);
    int rv = 0;
    if (dir != NULL) {
        rv = engine_mkdir_p(dir, errmsg);
        if (rv == 0)
            rv = write_consumer_meta(dir, name, cfg, created_ns, errmsg);
        if (rv == 0 && state.len > 0)
            rv = write_atomic(dir, "state", state.p, state.len, errmsg);
        bl_free(dir);
        if (rv != 0) {
            js_error_from_bl(err, rv, JS_ERR_CONSUMER_CREATE, errmsg);
            return rv;
        }
    }
    struct js_consumer_entry *ce = NULL;
    return open_consumer(se, name, cfg, created_ns, false, &ce, err);
}

int engine_consumer_state(struct js_consumer_entry *ce, struct bl_buf *out)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    bl_buf_clear(out);
    char *dir = consumer_dir(ce->se, ce->name, consumer_config(ce->c));
    if (dir == NULL)
        return 0;
    int rv = consumer_flush(ce->c, errmsg);
    if (rv == 0) {
        struct bl_buf path;
        bl_buf_init(&path);
        bl_buf_printf(&path, "%s/state", dir);
        FILE *f = fopen(path.p, "rb");
        if (f != NULL) {
            char chunk[8192];
            size_t n;
            while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                bl_buf_append(out, chunk, n);
            fclose(f);
        }
        bl_buf_close(&path);
    }
    bl_free(dir);
    return rv;
}

int engine_delete_consumer(struct js_consumer_entry *ce, struct js_error *err)
{
    struct js_stream_entry *se = ce->se;
    const struct js_consumer_config *cfg = consumer_config(ce->c);
    char *dir = consumer_dir(se, ce->name, cfg);
    remove_consumer_entry(ce);
    consumer_close(ce->c, true);
    if (dir != NULL) {
        engine_rm_rf(dir);
        bl_free(dir);
    }
    bl_free(ce->name);
    bl_free(ce);
    stream_check_interest(se->s);
    (void)err;
    return 0;
}

/* ---- Replies ------------------------------------------------------------ */

void engine_reply(struct js_account *a, struct bl_slice reply,
                  const struct bl_buf *body)
{
    if (reply.len == 0)
        return;
    js_host_publish(a->js->host, a->acc, reply, (struct bl_slice){NULL, 0}, 0,
                    (struct bl_slice){body->p, body->len});
}

void engine_reply_hdr(struct js_account *a, struct bl_slice reply,
                      size_t hdr_len, struct bl_slice data)
{
    if (reply.len == 0)
        return;
    js_host_publish(a->js->host, a->acc, reply, (struct bl_slice){NULL, 0},
                    hdr_len, data);
}

/* ---- Recovery ----------------------------------------------------------- */

static json_t *load_json(const char *path, char *errmsg)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (j == NULL)
        bl_errmsg_set(errmsg, "%s:%d: %s", path, jerr.line, jerr.text);
    return j;
}

static void load_consumers(struct js_stream_entry *se)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/obs", se->dir);
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char errmsg[BL_ERRMSG_SIZE] = "";
        char meta[1400];
        snprintf(meta, sizeof(meta), "%s/%s/%s", path, e->d_name, META_FILE);
        json_t *j = load_json(meta, errmsg);
        if (j == NULL) {
            bl_log_warn("js: stream %s: skipping consumer %s: %s", se->name,
                        e->d_name, errmsg);
            continue;
        }
        struct js_consumer_config cfg;
        js_consumer_config_init(&cfg);
        struct js_error err;
        js_error_clear(&err);
        json_t *jc = json_object_get(j, "config");
        uint64_t created =
            (uint64_t)json_integer_value(json_object_get(j, "created_ns"));
        struct js_consumer_entry *ce = NULL;
        if (js_consumer_config_from_json(&cfg, jc, &err) != 0 ||
            open_consumer(se, e->d_name, &cfg, created, false, &ce, &err) !=
                0)
            bl_log_warn("js: stream %s: skipping consumer %s: %s", se->name,
                        e->d_name, err.description);
        js_consumer_config_close(&cfg);
        json_decref(j);
    }
    closedir(d);
}

static void load_streams(struct js_account *a)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/streams", a->dir);
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char errmsg[BL_ERRMSG_SIZE] = "";
        char meta[1400];
        snprintf(meta, sizeof(meta), "%s/%s/%s", path, e->d_name, META_FILE);
        json_t *j = load_json(meta, errmsg);
        if (j == NULL) {
            bl_log_warn("js: account %s: skipping stream %s: %s", a->name,
                        e->d_name, errmsg);
            continue;
        }
        struct js_stream_config cfg;
        js_stream_config_init(&cfg);
        struct js_error err;
        js_error_clear(&err);
        uint64_t created =
            (uint64_t)json_integer_value(json_object_get(j, "created_ns"));
        struct js_stream_entry *se = NULL;
        int rv = js_stream_config_from_json(&cfg, json_object_get(j, "config"),
                                            &err);
        if (rv == 0)
            rv = js_stream_config_check(&cfg, &err);
        if (rv != 0) {
            bl_log_warn("js: account %s: skipping stream %s: %s", a->name,
                        e->d_name, err.description);
        } else if (open_stream(a, &cfg, NULL, created, &se, errmsg) != 0) {
            bl_log_error("js: account %s: %s", a->name, errmsg);
        } else if (subscribe_stream(se, &err) != 0) {
            bl_log_error("js: account %s: stream %s: %s", a->name, se->name,
                         err.description);
            engine_close_stream(se);
        } else {
            add_entry(a, se);
            load_consumers(se);
            struct js_stream_state st;
            stream_state(se->s, &st);
            bl_log_info("js: account %s: restored stream %s msgs=%llu "
                        "last_seq=%llu consumers=%zu",
                        a->name, se->name, (unsigned long long)st.msgs,
                        (unsigned long long)st.last_seq, se->n_consumers);
        }
        js_stream_config_close(&cfg);
        json_decref(j);
    }
    closedir(d);
}

/* ---- Engine ------------------------------------------------------------- */

int jetstream_new(const struct js_host *host, const struct jetstream_opts *o,
                  struct jetstream **out, char *errmsg)
{
    struct jetstream *js = bl_xcalloc(1, sizeof(*js));
    js->host = host;
    js->opts = *o;
    js->opts.store_dir = bl_xstrdup(o->store_dir ? o->store_dir
                                                 : "/tmp/ballast");
    js->opts.domain = o->domain ? bl_xstrdup(o->domain) : NULL;
    int rv = engine_mkdir_p(js->opts.store_dir, errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(errmsg, "jetstream store directory");
        jetstream_free(js);
        return rv;
    }
    *out = js;
    return 0;
}

int jetstream_enable_account(struct jetstream *js, size_t acc,
                             const char *name, char *errmsg)
{
    struct js_account *a = bl_xcalloc(1, sizeof(*a));
    a->js = js;
    a->acc = acc;
    a->name = bl_xstrdup(name);
    char path[1024];
    snprintf(path, sizeof(path), "%s/jetstream/%s", js->opts.store_dir, name);
    a->dir = bl_xstrdup(path);
    int rv = engine_mkdir_p(a->dir, errmsg);
    if (rv != 0)
        goto fail;
    a->api_sub = js_host_subscribe(js->host, acc, "$JS.API.>", NULL,
                                   api_on_request, a);
    if (a->api_sub == NULL) {
        bl_errmsg_set(errmsg, "subscribe to $JS.API.> failed");
        rv = BL_EINVAL;
        goto fail;
    }
    js->accounts = bl_xrealloc(js->accounts,
                               (js->n_accounts + 1) * sizeof(*js->accounts));
    js->accounts[js->n_accounts++] = a;
    load_streams(a);
    return 0;
fail:
    bl_errmsg_prefix(errmsg, "enable jetstream for account %s", name);
    bl_free(a->dir);
    bl_free(a->name);
    bl_free(a);
    return rv;
}

static void on_refused_request(void *ctx, const struct js_inmsg *m)
{
    struct jetstream *js = ctx;
    if (m->reply.len == 0)
        return;
    js->api_total++;
    js->api_errors++;
    struct js_error err;
    js_error_set(&err, JS_ERR_NOT_ENABLED_FOR_ACCOUNT);
    struct bl_buf out;
    bl_buf_init(&out);
    js_error_reply(&out, "io.nats.jetstream.api.v1.error_response", &err);
    js_host_publish(js->host, m->acc, m->reply, (struct bl_slice){NULL, 0}, 0,
                    (struct bl_slice){out.p, out.len});
    bl_buf_close(&out);
}

int jetstream_refuse_account(struct jetstream *js, size_t acc)
{
    struct js_isub *sub = js_host_subscribe(js->host, acc, "$JS.API.>", NULL,
                                            on_refused_request, js);
    if (sub == NULL)
        return BL_EINVAL;
    js->refusals = bl_xrealloc(js->refusals,
                               (js->n_refusals + 1) * sizeof(*js->refusals));
    js->refusals[js->n_refusals++] = sub;
    return 0;
}

void jetstream_free(struct jetstream *js)
{
    if (js == NULL)
        return;
    for (size_t i = 0; i < js->n_refusals; i++)
        js_host_unsubscribe(js->host, js->refusals[i]);
    bl_free(js->refusals);
    for (size_t i = 0; i < js->n_accounts; i++) {
        struct js_account *a = js->accounts[i];
        js_host_unsubscribe(js->host, a->api_sub);
        backup_cancel_account(a);
        while (a->n_streams > 0)
            engine_close_stream(a->streams[--a->n_streams]);
        bl_free(a->streams);
        bl_free(a->dir);
        bl_free(a->name);
        bl_free(a);
    }
    bl_free(js->accounts);
    bl_free((char *)js->opts.store_dir);
    bl_free((char *)js->opts.domain);
    bl_free(js);
}

void jetstream_get_stats(struct jetstream *js, struct jetstream_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->accounts = js->n_accounts;
    out->max_memory = js->opts.max_memory;
    out->max_storage = js->opts.max_file;
    out->api_total = js->api_total;
    out->api_errors = js->api_errors;
    snprintf(out->store_dir, sizeof(out->store_dir), "%s",
             js->opts.store_dir);
    for (size_t i = 0; i < js->n_accounts; i++) {
        struct js_account *a = js->accounts[i];
        for (size_t k = 0; k < a->n_streams; k++) {
            struct js_stream_entry *se = a->streams[k];
            struct js_stream_state st;
            stream_state(se->s, &st);
            out->streams++;
            out->consumers += se->n_consumers;
            out->messages += st.msgs;
            out->bytes += st.bytes;
            if (stream_config(se->s)->storage == JS_STORAGE_MEMORY)
                out->memory += st.bytes;
            else
                out->storage += st.bytes;
        }
    }
}

void jetstream_visit_streams(struct jetstream *js, jetstream_stream_cb cb,
                             void *ctx)
{
    for (size_t i = 0; i < js->n_accounts; i++) {
        struct js_account *a = js->accounts[i];
        for (size_t k = 0; k < a->n_streams; k++) {
            struct js_stream_entry *se = a->streams[k];
            struct jetstream_stream_view v = {
                .account = a->name,
                .name = se->name,
                .created_ns = stream_created(se->s),
                .config = stream_config(se->s),
            };
            stream_state(se->s, &v.state);
            cb(ctx, &v);
        }
    }
}
