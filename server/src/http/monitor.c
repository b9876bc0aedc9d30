#include "http/monitor.h"

#include "http/procstat.h"
#include "http/query.h"
#include "http/render.h"

#include "ballast/buf.h"
#include "ballast/clock.h"
#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef BALLAST_VERSION
#define BALLAST_VERSION "0.0.0"
#endif

/* How long the HTTP thread waits for the loop to pick a request up. */
#define LOOP_WAIT_MS 10000
/* How long monitor_stop() lets replies already rendered reach clients. */
#define DRAIN_WAIT_MS 1000
#define CONNECTION_LIMIT 64
#define CONNECTION_TIMEOUT_S 30

#define CONTENT_JSON "application/json"
#define CONTENT_HTML "text/html; charset=utf-8"

struct monitor;
struct request;

/* Renders one endpoint's reply into r->body on the loop thread and returns
 * the HTTP status. */
typedef int (*endpoint_cb)(struct monitor *m, struct request *r);

struct endpoint {
    const char *path;
    const char *content_type;
    endpoint_cb handle;
};

enum req_state {
    REQ_QUEUED,  /* in the monitor's queue; the HTTP thread may withdraw it */
    REQ_RUNNING, /* taken by the loop; the HTTP thread must wait */
    REQ_DONE     /* status and body are final */
};

/* One request, on the HTTP thread's stack while it waits. Fields below
 * `state` are written by whoever moves it to REQ_DONE. */
struct request {
    const struct endpoint *ep;
    struct query query;   /* copied: MHD's strings are its thread's */
    enum req_state state; /* guarded by monitor.mu */
    struct request *next; /* queue link, guarded by monitor.mu */
    int status;
    const char *content_type;
    bool close; /* ask the client to close: we are going away */
    struct bl_buf body;
};

static int handle_index(struct monitor *m, struct request *r);
static int handle_varz(struct monitor *m, struct request *r);
static int handle_connz(struct monitor *m, struct request *r);
static int handle_subsz(struct monitor *m, struct request *r);
static int handle_healthz(struct monitor *m, struct request *r);
static int handle_jsz(struct monitor *m, struct request *r);
static int handle_metrics(struct monitor *m, struct request *r);

/* Every endpoint: a new one is a line here and a handler. */
static const struct endpoint endpoints[] = {
    {"/", CONTENT_HTML, handle_index},
    {"/varz", CONTENT_JSON, handle_varz},
    {"/connz", CONTENT_JSON, handle_connz},
    {"/subsz", CONTENT_JSON, handle_subsz},
    {"/subscriptionsz", CONTENT_JSON, handle_subsz},
    {"/healthz", CONTENT_JSON, handle_healthz},
    {"/jsz", CONTENT_JSON, handle_jsz},
    {"/metrics", RENDER_METRICS_CONTENT_TYPE, handle_metrics},
};
#define N_ENDPOINTS (sizeof(endpoints) / sizeof(endpoints[0]))

struct monitor {
    uv_loop_t *loop;
    uv_async_t async; /* wakes the loop for queued requests */
    struct stats_provider provider;
    struct MHD_Daemon *daemon;
    int port;
    char *host;

    /* Loop thread only. */
    struct procstat procstat;
    uint64_t n_reqs[N_ENDPOINTS]; /* per endpoints[] entry */
    char server_id[sizeof(((struct stats_varz *)0)->server_id)];
    bool dispatching;   /* inside on_async() */
    bool stop_deferred; /* monitor_stop() called while dispatching */

    pthread_mutex_t mu;
    pthread_cond_t cond;  /* state changes and n_inflight drops */
    struct request *head; /* queued requests, oldest first */
    struct request *tail;
    bool stopping;       /* no request may wait on the loop any more */
    unsigned n_inflight; /* requests not yet completed by MHD */
};

/* Marks a request counted in n_inflight (MHD's per-request pointer). */
static char inflight_marker;

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void set_error(struct request *r, int status, const char *msg)
{
    r->status = status;
    r->content_type = CONTENT_JSON;
    bl_buf_clear(&r->body);
    render_error(msg, &r->body);
}

/* The 503 of a request the loop will not render. */
static void set_unavailable(struct request *r, const char *msg)
{
    set_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    r->close = true;
}

/* Endpoint handlers: loop thread. */

/* The server id never changes: ask the provider once. */
static const char *server_id(struct monitor *m)
{
    if (m->server_id[0] == '\0' && m->provider.varz != NULL) {
        struct stats_varz v;
        memset(&v, 0, sizeof(v));
        m->provider.varz(m->provider.ctx, &v);
        memcpy(m->server_id, v.server_id, sizeof(m->server_id));
        m->server_id[sizeof(m->server_id) - 1] = '\0';
    }
    return m->server_id;
}

static int handle_index(struct monitor *m, struct request *r)
{
    const char *paths[N_ENDPOINTS];
    size_t n = 0;
    for (size_t i = 0; i < N_ENDPOINTS; i++)
        if (strcmp(endpoints[i].path, "/") != 0)
            paths[n++] = endpoints[i].path;
    render_index(paths, n, BALLAST_VERSION, &r->body);
    return MHD_HTTP_OK;
}

/* The provider's JetStream snapshot; *z stays disabled when the provider
 * has none. The caller frees it with stats_jsz_free(). */
static void gather_jsz(struct monitor *m, const struct stats_jsz_query *q,
                       struct stats_jsz *z)
{
    memset(z, 0, sizeof(*z));
    if (m->provider.jsz != NULL)
        m->provider.jsz(m->provider.ctx, q, z);
}

/* The provider's varz plus what the monitor knows itself. `reqs` needs
 * N_ENDPOINTS entries; x->jsz points to `jsz`, filled as `jq` asks. */
static void gather_varz(struct monitor *m, struct stats_varz *v,
                        struct render_extra *x, struct render_req_count *reqs,
                        const struct stats_jsz_query *jq, struct stats_jsz *jsz)
{
    memset(v, 0, sizeof(*v));
    if (m->provider.varz != NULL)
        m->provider.varz(m->provider.ctx, v);
    if (m->server_id[0] == '\0') {
        memcpy(m->server_id, v->server_id, sizeof(m->server_id));
        m->server_id[sizeof(m->server_id) - 1] = '\0';
    }
    memset(x, 0, sizeof(*x));
    x->http_host = m->host;
    x->cores = procstat_cores();
    procstat_sample(&m->procstat, &x->rss_bytes, &x->cpu_percent);
    /* Like nats-server, list only endpoints that have been asked for. */
    for (size_t i = 0; i < N_ENDPOINTS; i++) {
        if (m->n_reqs[i] == 0)
            continue;
        reqs[x->n_reqs].path = endpoints[i].path;
        reqs[x->n_reqs].n_reqs = m->n_reqs[i];
        x->n_reqs++;
    }
    x->reqs = reqs;
    gather_jsz(m, jq, jsz);
    x->jsz = jsz;
}

static int handle_varz(struct monitor *m, struct request *r)
{
    struct stats_varz v;
    struct render_extra x;
    struct render_req_count reqs[N_ENDPOINTS];
    struct stats_jsz jsz;
    struct stats_jsz_query jq;
    memset(&jq, 0, sizeof(jq)); /* totals only */
    gather_varz(m, &v, &x, reqs, &jq, &jsz);
    render_varz(&v, &x, &r->body);
    stats_jsz_free(&jsz);
    return MHD_HTTP_OK;
}

static int handle_metrics(struct monitor *m, struct request *r)
{
    struct stats_varz v;
    struct render_extra x;
    struct render_req_count reqs[N_ENDPOINTS];
    struct stats_jsz jsz;
    struct stats_jsz_query jq;
    memset(&jq, 0, sizeof(jq));
    jq.streams = true; /* for the per-stream families */
    gather_varz(m, &v, &x, reqs, &jq, &jsz);
    render_metrics(&v, &x, &r->body);
    stats_jsz_free(&jsz);
    return MHD_HTTP_OK;
}

static int handle_jsz(struct monitor *m, struct request *r)
{
    char errmsg[BL_ERRMSG_SIZE];
    struct stats_jsz_query q;
    if (query_jsz(&r->query, &q, errmsg) != 0) {
        set_error(r, MHD_HTTP_BAD_REQUEST, errmsg);
        return MHD_HTTP_BAD_REQUEST;
    }
    /* An account's usage is summed from its streams, so listing accounts
     * needs the streams even when the page leaves them out. */
    struct stats_jsz_query pq = q;
    pq.streams = q.streams || q.accounts;
    struct stats_jsz z;
    gather_jsz(m, &pq, &z);
    render_jsz(&z, &q, server_id(m), bl_clock_wall_ns(&bl_clock_real),
               &r->body);
    stats_jsz_free(&z);
    return MHD_HTTP_OK;
}

static int handle_connz(struct monitor *m, struct request *r)
{
    char errmsg[BL_ERRMSG_SIZE];
    struct stats_connz_query q;
    if (query_connz(&r->query, &q, errmsg) != 0) {
        set_error(r, MHD_HTTP_BAD_REQUEST, errmsg);
        return MHD_HTTP_BAD_REQUEST;
    }
    struct stats_connz z;
    memset(&z, 0, sizeof(z));
    z.offset = q.offset;
    z.limit = q.limit;
    z.closed = q.closed;
    if (m->provider.connz != NULL)
        m->provider.connz(m->provider.ctx, &q, &z);
    if (z.now_wall_ns == 0)
        z.now_wall_ns = bl_clock_wall_ns(&bl_clock_real);
    render_connz(&z, server_id(m), &r->body);
    stats_connz_free(&z);
    return MHD_HTTP_OK;
}

static int handle_subsz(struct monitor *m, struct request *r)
{
    struct stats_subz s;
    memset(&s, 0, sizeof(s));
    if (m->provider.subz != NULL)
        m->provider.subz(m->provider.ctx, &s);
    render_subsz(&s, server_id(m), bl_clock_wall_ns(&bl_clock_real), &r->body);
    return MHD_HTTP_OK;
}

static int handle_healthz(struct monitor *m, struct request *r)
{
    char why[256] = "";
    if (m->provider.healthy == NULL ||
        m->provider.healthy(m->provider.ctx, why, sizeof(why))) {
        render_healthz(NULL, &r->body);
        return MHD_HTTP_OK;
    }
    why[sizeof(why) - 1] = '\0';
    render_healthz(why[0] != '\0' ? why : "unavailable", &r->body);
    return MHD_HTTP_SERVICE_UNAVAILABLE;
}

/* The loop side of the hand-off. */

static void stop_now(struct monitor *m);
static void on_closed(uv_handle_t *h);

static void on_async(uv_async_t *async)
{
    struct monitor *m = container_of(async, struct monitor, async);
    m->dispatching = true;
    while (!m->stop_deferred) {
        pthread_mutex_lock(&m->mu);
        struct request *r = m->stopping ? NULL : m->head;
        if (r != NULL) {
            m->head = r->next;
            if (m->head == NULL)
                m->tail = NULL;
            r->state = REQ_RUNNING;
        }
        pthread_mutex_unlock(&m->mu);
        if (r == NULL)
            break;

        /* Unlocked: the HTTP thread does not touch a running request. */
        m->n_reqs[r->ep - endpoints]++;
        r->status = r->ep->handle(m, r);

        pthread_mutex_lock(&m->mu);
        r->state = REQ_DONE;
        pthread_cond_broadcast(&m->cond);
        pthread_mutex_unlock(&m->mu);
    }
    m->dispatching = false;
    if (m->stop_deferred)
        stop_now(m);
}

/* The HTTP side: MHD's thread. */

static enum MHD_Result reply(struct MHD_Connection *conn, int status,
                             const char *content_type, struct bl_buf *body,
                             bool close)
{
    size_t len = body->len;
    char *p = bl_buf_steal(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, p != NULL ? p : "",
        p != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        bl_free(p);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rv = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rv;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, int status,
                                   const char *msg, bool close)
{
    struct bl_buf body;
    bl_buf_init(&body);
    render_error(msg, &body);
    enum MHD_Result rv = reply(conn, status, CONTENT_JSON, &body, close);
    bl_buf_close(&body);
    return rv;
}

static enum MHD_Result copy_arg(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    query_add(cls, key, value);
    return MHD_YES;
}

static const struct endpoint *find_endpoint(const char *url)
{
    for (size_t i = 0; i < N_ENDPOINTS; i++)
        if (strcmp(endpoints[i].path, url) == 0)
            return &endpoints[i];
    return NULL;
}

/* Queues r for the loop and waits until it is done, or withdraws it with a
 * 503 when the loop does not take it in time or the monitor stops. */
static void run_on_loop(struct monitor *m, struct request *r)
{
    struct timespec deadline;
    deadline_after(&deadline, LOOP_WAIT_MS);
    pthread_mutex_lock(&m->mu);
    if (m->stopping) {
        set_unavailable(r, "monitoring server is stopping");
        r->state = REQ_DONE;
        pthread_mutex_unlock(&m->mu);
        return;
    }
    r->state = REQ_QUEUED;
    r->next = NULL;
    if (m->tail != NULL)
        m->tail->next = r;
    else
        m->head = r;
    m->tail = r;
    /* Under the lock: monitor_stop() sets stopping before it closes the
     * async handle, so the handle is open here. */
    uv_async_send(&m->async);
    while (r->state != REQ_DONE) {
        int rc = pthread_cond_timedwait(&m->cond, &m->mu, &deadline);
        if (rc == ETIMEDOUT && r->state == REQ_QUEUED) {
            struct request **pp = &m->head, *prev = NULL;
            while (*pp != r) {
                prev = *pp;
                pp = &(*pp)->next;
            }
            *pp = r->next;
            if (m->tail == r)
                m->tail = prev;
            set_unavailable(r, "server busy: the event loop did not answer");
            r->state = REQ_DONE;
        }
    }
    pthread_mutex_unlock(&m->mu);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct monitor *m = cls;
    if (*req_cls != NULL) /* a body arriving after our reply: ignore it */
        return MHD_YES;

    pthread_mutex_lock(&m->mu);
    m->n_inflight++;
    pthread_mutex_unlock(&m->mu);
    *req_cls = &inflight_marker;

    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                           "method not allowed", false);
    const struct endpoint *ep = find_endpoint(url);
    if (ep == NULL) {
        char msg[256];
        snprintf(msg, sizeof(msg), "no such endpoint: %s", url);
        return reply_error(conn, MHD_HTTP_NOT_FOUND, msg, false);
    }

    struct request r;
    memset(&r, 0, sizeof(r));
    r.ep = ep;
    r.content_type = ep->content_type;
    query_init(&r.query);
    bl_buf_init(&r.body);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, &r.query);
    run_on_loop(m, &r);
    enum MHD_Result rv =
        reply(conn, r.status, r.content_type, &r.body, r.close);
    bl_buf_close(&r.body);
    query_close(&r.query);
    return rv;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct monitor *m = cls;
    if (*req_cls != &inflight_marker)
        return;
    *req_cls = NULL;
    pthread_mutex_lock(&m->mu);
    m->n_inflight--;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    bl_log_warn("http: %s", msg);
}

/* Start and stop. */

/* Binds and listens on host:port; writes the socket and its family. */
static int open_listener(const char *host, int port, int *fd_out,
                         int *family_out, char *errmsg)
{
    char port_str[16];
    snprintf(port_str, sizeof(port_str), "%d", port > 0 ? port : 0);
    if (host == NULL || host[0] == '\0')
        host = "0.0.0.0";
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, port_str, &hints, &res);
    if (gai != 0) {
        bl_errmsg_set(errmsg, "resolve %s: %s", host, gai_strerror(gai));
        return BL_EINVAL;
    }
    int fd =
        socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
               res->ai_protocol);
    if (fd < 0) {
        int rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        return rv;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        int rv = bl_err_from_errno(errno);
        bl_errmsg_set(errmsg, "listen on %s:%s: %s", host, port_str,
                      strerror(errno));
        close(fd);
        freeaddrinfo(res);
        return rv;
    }
    *family_out = res->ai_family;
    freeaddrinfo(res);
    *fd_out = fd;
    return 0;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int monitor_start(uv_loop_t *loop, const char *host, int port,
                  const struct stats_provider *p, struct monitor **out,
                  char *errmsg)
{
    int fd = -1, family = AF_INET;
    int rv = open_listener(host, port, &fd, &family, errmsg);
    if (rv != 0)
        goto fail;

    struct monitor *m = bl_xcalloc(1, sizeof(*m));
    m->loop = loop;
    m->provider = *p;
    m->host = bl_xstrdup(host != NULL && host[0] != '\0' ? host : "0.0.0.0");
    m->port = bound_port(fd);
    procstat_init(&m->procstat);
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);

    rv = uv_async_init(loop, &m->async, on_async);
    if (rv != 0) {
        bl_errmsg_set(errmsg, "uv_async_init: %s", uv_strerror(rv));
        rv = BL_EIO;
        goto fail_monitor;
    }

    /* ITC lets MHD_quiesce_daemon() wake the thread. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    m->daemon = MHD_start_daemon(
        flags, (uint16_t)m->port, NULL, NULL, on_request, m,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, m, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_END);
    if (m->daemon == NULL) {
        bl_errmsg_set(errmsg, "start libmicrohttpd daemon failed");
        rv = BL_EIO;
        goto fail_async;
    }
    *out = m;
    return 0;

fail_async:
    /* Whether MHD closed the socket it was given is not documented;
     * leaking it beats closing a descriptor someone else may own by now.
     * m goes with the async handle's close callback. */
    uv_close((uv_handle_t *)&m->async, on_closed);
    goto fail;
fail_monitor:
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->mu);
    bl_free(m->host);
    bl_free(m);
    close(fd);
fail:
    bl_errmsg_prefix(errmsg, "monitoring server");
    return rv;
}

int monitor_port(const struct monitor *m)
{
    return m->port;
}

static void on_closed(uv_handle_t *h)
{
    struct monitor *m = container_of((uv_async_t *)h, struct monitor, async);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->mu);
    bl_free(m->host);
    bl_free(m);
}

static void stop_now(struct monitor *m)
{
    pthread_mutex_lock(&m->mu);
    m->stopping = true;
    /* The loop will not take these: answer them here, on its behalf. */
    for (struct request *r = m->head; r != NULL; r = r->next) {
        set_unavailable(r, "monitoring server is stopping");
        r->state = REQ_DONE;
    }
    m->head = m->tail = NULL;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);

    /* Stop accepting; connections already open are still served (503). */
    if (m->daemon != NULL) {
        MHD_socket fd = MHD_quiesce_daemon(m->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }

    /* MHD_stop_daemon() drops connections at once, replies unsent; give
     * the ones in flight (now all answered) a moment to go out. */
    struct timespec deadline;
    deadline_after(&deadline, DRAIN_WAIT_MS);
    pthread_mutex_lock(&m->mu);
    while (m->daemon != NULL && m->n_inflight > 0)
        if (pthread_cond_timedwait(&m->cond, &m->mu, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&m->mu);

    if (m->daemon != NULL)
        MHD_stop_daemon(m->daemon); /* joins its thread, closes the socket */
    m->daemon = NULL;
    uv_close((uv_handle_t *)&m->async, on_closed);
}

void monitor_stop(struct monitor *m)
{
    if (m == NULL)
        return;
    if (m->dispatching) {
        m->stop_deferred = true;
        return;
    }
    stop_now(m);
}
