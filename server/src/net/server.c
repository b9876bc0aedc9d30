/* Server lifecycle: listener, signals, the end-of-iteration flush, lame-duck
 * mode and the monitoring data provider. */
#include "net/internal.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

uint64_t server_now_ms(const struct server *s)
{
    return uv_now(s->loop);
}

static void make_server_id(char *out)
{
    /* Same shape as nats-server's: 'N' and 55 base32 characters. */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char rnd[NET_SERVER_ID_LEN];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        uint64_t x = bl_clock_wall_ns(&bl_clock_real) ^ (uint64_t)getpid();
        for (size_t i = 0; i < sizeof(rnd); i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            rnd[i] = (unsigned char)(x >> 33);
        }
    }
    out[0] = 'N';
    for (size_t i = 1; i < NET_SERVER_ID_LEN; i++)
        out[i] = alphabet[rnd[i] & 31];
    out[NET_SERVER_ID_LEN] = '\0';
}

static void build_info(struct server *s)
{
    const struct server_opts *o = s->opts;
    json_t *j = json_object();
    json_object_set_new(j, "server_id", json_string(s->server_id));
    json_object_set_new(j, "server_name",
                        json_string(o->server_name ? o->server_name
                                                   : s->server_id));
    json_object_set_new(j, "version", json_string(BALLAST_NATS_VERSION));
    json_object_set_new(j, "ballast_version", json_string(BALLAST_VERSION));
    json_object_set_new(j, "proto", json_integer(1));
    json_object_set_new(j, "host", json_string(o->host));
    json_object_set_new(j, "port", json_integer(s->port));
    json_object_set_new(j, "headers", json_true());
    json_object_set_new(j, "max_payload", json_integer(o->max_payload));
    if (auth_required(s->auth))
        json_object_set_new(j, "auth_required", json_true());
    if (o->jetstream)
        json_object_set_new(j, "jetstream", json_true());
    char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    /* Drop the closing brace: per-client fields are appended to it. */
    size_t n = strlen(txt);
    txt[n - 1] = '\0';
    bl_free(s->info_prefix);
    s->info_prefix = bl_xstrdup(txt);
    free(txt);
}

int server_new(uv_loop_t *loop, const struct server_opts *opts,
               struct server **out, char *errmsg)
{
    struct server *s = bl_xcalloc(1, sizeof(*s));
    s->loop = loop;
    s->opts = opts;
    int rv = auth_new(opts, &s->auth, errmsg);
    if (rv != 0) {
        bl_free(s);
        bl_errmsg_prefix(errmsg, "configure authorization");
        return rv;
    }
    s->n_accounts = auth_n_accounts(s->auth);
    s->sublists = bl_xcalloc(s->n_accounts, sizeof(*s->sublists));
    for (size_t i = 0; i < s->n_accounts; i++)
        s->sublists[i] = sublist_new();
    s->limits.max_control_line = (size_t)opts->max_control_line;
    s->limits.max_payload = (size_t)opts->max_payload;
    s->start_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    make_server_id(s->server_id);
    jshost_init(s);
    /* Initialised here, started in server_start(): server_shutdown() can
     * close them whatever point start reached. */
    uv_check_init(loop, &s->flush_check);
    uv_idle_init(loop, &s->flush_idle);
    uv_timer_init(loop, &s->ldm_timer);
    uv_signal_init(loop, &s->sig_int);
    uv_signal_init(loop, &s->sig_term);
    s->sig_int.data = s;
    s->sig_term.data = s;
    *out = s;
    return 0;
}

int server_port(const struct server *s)
{
    return s->port;
}

int server_http_port(const struct server *s)
{
    return s->http_port;
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct server *s = container_of((uv_tcp_t *)listener, struct server,
                                    listener);
    if (status < 0) {
        bl_log_warn("net: accept failed: %s", uv_strerror(status));
        return;
    }
    client_accept(s);
}

static void on_flush_check(uv_check_t *h)
{
    struct server *s = container_of(h, struct server, flush_check);
    /* JetStream's group commit and its queued messages go first: the acks
     * and deliveries then leave in the same writes. What a burst leaves
     * over waits for the next iteration, which the idle handle makes come
     * at once. */
    bool more = jshost_run(s, 64);
    if (!more && s->idle_active) {
        uv_idle_stop(&s->flush_idle);
        s->idle_active = false;
    }
    /* Everything the clients were sent during this loop iteration goes out
     * in one write per client. */
    while (s->flush_list != NULL) {
        struct client *c = s->flush_list;
        s->flush_list = c->flush_next;
        c->in_flush_list = false;
        c->flush_next = NULL;
        if (!c->closing)
            client_flush(c);
    }
    server_collect(s);
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss,
                   char *errmsg)
{
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
        return 0;
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0)
        return 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rv = getaddrinfo(host, NULL, &hints, &res);
    if (rv != 0 || res == NULL) {
        bl_errmsg_set(errmsg, "resolve %s: %s", host, gai_strerror(rv));
        return BL_EINVAL;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    freeaddrinfo(res);
    return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct server *s = h->data;
    if (signum == SIGINT) {
        bl_log_info("net: trapped SIGINT, shutting down");
        server_shutdown(s);
    } else if (signum == SIGTERM) {
        if (s->lame_duck) {
            bl_log_info("net: trapped SIGTERM again, shutting down");
            server_shutdown(s);
        } else {
            bl_log_info("net: trapped SIGTERM, entering lame duck mode");
            server_lame_duck(s);
        }
    }
}

/* Monitoring provider callbacks, run on the loop thread. */

static void prov_varz(void *ctx, struct stats_varz *v)
{
    struct server *s = ctx;
    const struct server_opts *o = s->opts;
    memset(v, 0, sizeof(*v));
    snprintf(v->server_id, sizeof(v->server_id), "%s", s->server_id);
    snprintf(v->server_name, sizeof(v->server_name), "%s",
             o->server_name ? o->server_name : s->server_id);
    snprintf(v->version, sizeof(v->version), "%s", BALLAST_NATS_VERSION);
    snprintf(v->host, sizeof(v->host), "%s", o->host);
    v->port = s->port;
    v->http_port = s->http_port;
    v->auth_required = auth_required(s->auth);
    v->jetstream = o->jetstream;
    v->lame_duck = s->lame_duck;
    v->max_connections = o->max_connections;
    v->max_payload = o->max_payload;
    v->max_control_line = o->max_control_line;
    v->max_pending = o->max_pending;
    v->ping_interval_ms = o->ping_interval_ms;
    v->max_pings_out = o->max_pings_out;
    v->auth_timeout_ms = o->auth_timeout_ms;
    v->write_deadline_ms = o->write_deadline_ms;
    v->start_wall_ns = s->start_wall_ns;
    v->now_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    v->connections = s->n_clients;
    v->total_connections = s->total_connections;
    uint64_t n_subs = 0;
    for (size_t i = 0; i < s->n_accounts; i++)
        n_subs += sublist_count(s->sublists[i]);
    v->subscriptions = n_subs;
    v->slow_consumers = s->slow_consumers;
    v->in_msgs = s->in_msgs;
    v->out_msgs = s->out_msgs;
    v->in_bytes = s->in_bytes;
    v->out_bytes = s->out_bytes;
    snprintf(v->config_file, sizeof(v->config_file), "%s",
             o->config_file ? o->config_file : "");
}

static void prov_connz(void *ctx, const struct stats_connz_query *q,
                       struct stats_connz *z)
{
    struct server *s = ctx;
    memset(z, 0, sizeof(*z));
    z->now_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    size_t n = q->closed ? s->n_closed : s->n_clients;
    z->conns = bl_xcalloc(n ? n : 1, sizeof(*z->conns));
    size_t k = 0;
    if (q->closed) {
        for (size_t i = 0; i < s->n_closed; i++) {
            const struct stats_conn *src = &s->closed[i].st;
            struct stats_conn *dst = &z->conns[k++];
            *dst = *src;
            dst->subs = NULL;
            if (q->subs && src->subs) {
                dst->subs = bl_xcalloc(src->n_subs, sizeof(char *));
                for (size_t j = 0; j < src->n_subs; j++)
                    dst->subs[j] = bl_xstrdup(src->subs[j]);
            }
        }
    } else {
        for (struct client *c = s->clients; c && k < n; c = c->next)
            client_fill_stats(c, &z->conns[k++], q->subs);
    }
    z->n_conns = k;
    stats_connz_sort_page(z, q);
}

static void prov_subz(void *ctx, struct stats_subz *out)
{
    struct server *s = ctx;
    memset(out, 0, sizeof(*out));
    uint64_t hits = 0, fan_total = 0;
    double fan_weighted = 0;
    for (size_t i = 0; i < s->n_accounts; i++) {
        struct sublist_stats st;
        sublist_get_stats(s->sublists[i], &st);
        out->n_subs += st.n_subs;
        out->n_cache += st.n_cache;
        out->n_inserts += st.n_inserts;
        out->n_removes += st.n_removes;
        out->n_matches += st.n_matches;
        hits += st.n_cache_hits;
        if (st.max_fanout > out->max_fanout)
            out->max_fanout = st.max_fanout;
        fan_weighted += st.avg_fanout * (double)st.n_cache;
        fan_total += st.n_cache;
    }
    out->cache_hit_rate =
        out->n_matches ? (double)hits / (double)out->n_matches : 0;
    out->avg_fanout = fan_total ? fan_weighted / (double)fan_total : 0;
}

struct jsz_collect {
    const struct stats_jsz_query *q;
    struct stats_jsz *out;
    size_t cap;
};

static void collect_stream(void *ctx, const struct jetstream_stream_view *v)
{
    struct jsz_collect *jc = ctx;
    struct stats_jsz *z = jc->out;
    if (jc->q->account[0] != '\0' && strcmp(jc->q->account, v->account) != 0)
        return;
    if (z->n_streams == jc->cap) {
        jc->cap = jc->cap ? 2 * jc->cap : 16;
        z->stream_detail = bl_xrealloc(z->stream_detail,
                                       jc->cap * sizeof(*z->stream_detail));
    }
    struct stats_js_stream *d = &z->stream_detail[z->n_streams++];
    memset(d, 0, sizeof(*d));
    d->account = bl_xstrdup(v->account);
    d->name = bl_xstrdup(v->name);
    d->created_wall_ns = v->created_ns;
    d->is_memory = v->config->storage == JS_STORAGE_MEMORY;
    if (jc->q->config) {
        struct bl_buf b;
        bl_buf_init(&b);
        js_stream_config_render(&b, v->config);
        d->config_json = bl_buf_steal(&b);
    }
    d->msgs = v->state.msgs;
    d->bytes = v->state.bytes;
    d->first_seq = v->state.first_seq;
    d->first_ts_wall_ns = v->state.first_ts_ns;
    d->last_seq = v->state.last_seq;
    d->last_ts_wall_ns = v->state.last_ts_ns;
    d->num_subjects = v->state.num_subjects;
    d->num_deleted = v->state.num_deleted;
    d->consumer_count = v->state.consumer_count;
}

static void prov_jsz(void *ctx, const struct stats_jsz_query *q,
                     struct stats_jsz *out)
{
    struct server *s = ctx;
    memset(out, 0, sizeof(*out));
    if (s->js == NULL)
        return;
    struct jetstream_stats st;
    jetstream_get_stats(s->js, &st);
    out->enabled = true;
    snprintf(out->store_dir, sizeof(out->store_dir), "%s", st.store_dir);
    out->max_memory = st.max_memory;
    out->max_storage = st.max_storage;
    out->sync_interval_ms = (uint64_t)s->opts->sync_interval_ms;
    out->accounts = st.accounts;
    out->streams = st.streams;
    out->consumers = st.consumers;
    out->messages = st.messages;
    out->bytes = st.bytes;
    out->memory = st.memory;
    out->storage = st.storage;
    out->api_total = st.api_total;
    out->api_errors = st.api_errors;
    if (q != NULL && q->streams) {
        struct jsz_collect jc = {q, out, 0};
        jetstream_visit_streams(s->js, collect_stream, &jc);
    }
}

static bool prov_healthy(void *ctx, char *why, size_t why_len)
{
    struct server *s = ctx;
    if (s->shutting_down) {
        snprintf(why, why_len, "server is shutting down");
        return false;
    }
    if (!s->listening && !s->lame_duck) {
        snprintf(why, why_len, "client listener is not running");
        return false;
    }
    return true;
}

static bool account_has_jetstream(const struct server_opts *o,
                                  const char *name)
{
    for (size_t i = 0; i < o->n_accounts; i++)
        if (strcmp(o->accounts[i].name, name) == 0)
            return o->accounts[i].jetstream;
    return false;
}

/* Like nats-server: with no account asking for JetStream explicitly, the
 * global account gets it; otherwise the accounts that ask. The system
 * account never does. */
static int start_jetstream(struct server *s, char *errmsg)
{
    const struct server_opts *o = s->opts;
    struct jetstream_opts jo = {
        .store_dir = o->store_dir,
        .max_memory = o->js_max_memory,
        .max_file = o->js_max_file,
        .sync_interval_ms = (uint64_t)o->sync_interval_ms,
    };
    int rv = jetstream_new(&s->js_host, &jo, &s->js, errmsg);
    if (rv != 0)
        return rv;
    bool any_explicit = false;
    for (size_t i = 0; i < o->n_accounts; i++)
        any_explicit |= o->accounts[i].jetstream;
    size_t sys = auth_system_account_index(s->auth);
    for (size_t i = 0; i < s->n_accounts; i++) {
        const char *name = auth_account_name(s->auth, i);
        bool on = any_explicit ? account_has_jetstream(o, name) : i == 0;
        if (i == sys)
            continue;
        if (!on) {
            jetstream_refuse_account(s->js, i);
            continue;
        }
        rv = jetstream_enable_account(s->js, i, name, errmsg);
        if (rv != 0)
            return rv;
    }
    struct jetstream_stats st;
    jetstream_get_stats(s->js, &st);
    bl_log_info("js: jetstream enabled store_dir=%s sync=%s streams=%llu",
                st.store_dir,
                o->sync_interval_ms ? "interval" : "always",
                (unsigned long long)st.streams);
    return 0;
}

int server_start(struct server *s, char *errmsg)
{
    const struct server_opts *o = s->opts;
    struct sockaddr_storage ss;
    int port = o->port < 0 ? 0 : o->port;
    int rv = resolve(o->host, port, &ss, errmsg);
    if (rv != 0)
        return rv;
    uv_tcp_init(s->loop, &s->listener);
    int uvrv = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0);
    if (uvrv == 0)
        uvrv = uv_listen((uv_stream_t *)&s->listener, 511, on_connection);
    if (uvrv != 0) {
        bl_errmsg_set(errmsg, "listen on %s:%d: %s", o->host, port,
                      uv_strerror(uvrv));
        uv_close((uv_handle_t *)&s->listener, NULL);
        return BL_EIO;
    }
    s->listening = true;
    struct sockaddr_storage bound;
    int len = sizeof(bound);
    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len);
    s->port = ntohs(bound.ss_family == AF_INET6
                        ? ((struct sockaddr_in6 *)&bound)->sin6_port
                        : ((struct sockaddr_in *)&bound)->sin_port);
    build_info(s);

    uv_check_start(&s->flush_check, on_flush_check);
    uv_signal_start(&s->sig_int, on_signal, SIGINT);
    uv_signal_start(&s->sig_term, on_signal, SIGTERM);

    if (o->jetstream) {
        rv = start_jetstream(s, errmsg);
        if (rv != 0) {
            server_shutdown(s);
            return rv;
        }
    }

    if (o->http_port != 0) {
        static struct stats_provider prov;
        prov = (struct stats_provider){
            .varz = prov_varz,
            .connz = prov_connz,
            .subz = prov_subz,
            .healthy = prov_healthy,
            .jsz = prov_jsz,
            .ctx = s,
        };
        const char *hh = o->http_host ? o->http_host : o->host;
        rv = monitor_start(s->loop, hh, o->http_port, &prov, &s->monitor,
                           errmsg);
        if (rv != 0) {
            bl_errmsg_prefix(errmsg, "start monitoring on %s:%d", hh,
                             o->http_port);
            server_shutdown(s);
            return rv;
        }
        s->http_port = monitor_port(s->monitor);
        bl_log_info("net: starting http monitor on %s:%d", hh, s->http_port);
    }
    bl_log_info("net: listening for client connections on %s:%d", o->host,
                s->port);
    return 0;
}

static void on_ldm_timer(uv_timer_t *t);

void server_client_gone(struct server *s, struct client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->n_clients--;
    if (s->lame_duck && s->n_clients == 0 && !s->shutting_down) {
        /* Not from here: the caller (a delivery, a stream flushing acks)
         * is still running. The timer shuts down from the top of the
         * loop. */
        bl_log_info("net: lame duck: all clients gone, shutting down");
        uv_timer_start(&s->ldm_timer, on_ldm_timer, 0, 0);
    }
}

static void on_idle(uv_idle_t *h)
{
    (void)h;
}

void server_wake(struct server *s)
{
    if (!s->idle_active && !s->shutting_down) {
        s->idle_active = true;
        uv_idle_start(&s->flush_idle, on_idle);
    }
}

static void close_listener(struct server *s)
{
    if (s->listening) {
        s->listening = false;
        uv_close((uv_handle_t *)&s->listener, NULL);
    }
}

void server_shutdown(struct server *s)
{
    if (s->shutting_down)
        return;
    s->shutting_down = true;
    close_listener(s);
    /* Streams sync and send their last acks while clients are still
     * connected. */
    jetstream_free(s->js);
    s->js = NULL;
    jshost_run(s, 64);
    jshost_clear(s);
    while (s->clients != NULL)
        client_close(s->clients, NULL, "Server Shutdown");
    monitor_stop(s->monitor);
    s->monitor = NULL;
    if (!uv_is_closing((uv_handle_t *)&s->flush_check)) {
        uv_close((uv_handle_t *)&s->flush_check, NULL);
        uv_close((uv_handle_t *)&s->flush_idle, NULL);
        uv_close((uv_handle_t *)&s->ldm_timer, NULL);
        uv_close((uv_handle_t *)&s->sig_int, NULL);
        uv_close((uv_handle_t *)&s->sig_term, NULL);
    }
}

static void on_ldm_timer(uv_timer_t *t)
{
    struct server *s = container_of(t, struct server, ldm_timer);
    if (s->clients == NULL) {
        server_shutdown(s);
        return;
    }
    client_close(s->clients, NULL, "Server Shutdown");
    /* server_client_gone() shuts down after the last one. */
}

void server_lame_duck(struct server *s)
{
    if (s->lame_duck || s->shutting_down)
        return;
    s->lame_duck = true;
    close_listener(s);
    for (struct client *c = s->clients; c != NULL; c = c->next)
        client_send_info(c);
    if (s->clients == NULL) {
        server_shutdown(s);
        return;
    }
    /* Like nats-server: wait the grace period, then spread the closes over
     * the rest of the lame duck duration so clients reconnect elsewhere
     * gradually. */
    uint64_t grace = (uint64_t)s->opts->lame_duck_grace_period_ms;
    uint64_t dur = (uint64_t)s->opts->lame_duck_duration_ms;
    uint64_t spread = dur > grace ? dur - grace : 1;
    uint64_t every = spread / (s->n_clients ? s->n_clients : 1);
    if (every == 0)
        every = 1;
    bl_log_info("net: lame duck: closing %llu clients over %llu ms after "
                "%llu ms grace",
                (unsigned long long)s->n_clients, (unsigned long long)spread,
                (unsigned long long)grace);
    uv_timer_start(&s->ldm_timer, on_ldm_timer, grace, every);
}

void server_free(struct server *s)
{
    if (s == NULL)
        return;
    server_collect(s);
    for (size_t i = 0; i < s->n_accounts; i++)
        sublist_free(s->sublists[i]);
    bl_free(s->sublists);
    for (size_t i = 0; i < NET_MAX_CLOSED; i++) {
        for (size_t j = 0; s->closed[i].st.subs && j < s->closed[i].st.n_subs;
             j++)
            bl_free(s->closed[i].st.subs[j]);
        bl_free(s->closed[i].st.subs);
    }
    auth_free(s->auth);
    bl_free(s->deferred);
    bl_free(s->info_prefix);
    bl_free(s);
}
