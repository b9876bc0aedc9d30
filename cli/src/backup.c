/* Stream backup and restore over the STREAM.SNAPSHOT / STREAM.RESTORE API,
 * compatible with "nats stream backup" / "nats stream restore": a backup is
 * a directory holding backup.json ({"config": ..., "state": ...}) and
 * stream.tar.s2, the server's snapshot bytes exactly as sent (an
 * s2-compressed tar that only the server reads, so the CLI needs no s2).
 *
 * Snapshot: we subscribe to an inbox, ask the server to deliver there; each
 * chunk carries a reply subject we answer (empty) for flow control, and an
 * empty message (maybe with a status header) ends the stream.
 * Restore: the server answers with a deliver subject; we send each chunk as
 * a request and wait for its empty ack, then an empty request whose reply
 * is the stream create response (or the error). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ballast/mem.h"
#include "cli.h"
#include "format.h"
#include "stream.h"

#define BACKUP_DATA_FILE "stream.tar.s2"
#define BACKUP_META_FILE "backup.json"
#define BACKUP_CHUNK_SIZE (128 * 1024)
#define RESTORE_FINISH_TIMEOUT_MS (3600 * 1000) /* the server restores now */

static void log_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char ts[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%H:%M:%S", &tm);
    printf("%s ", ts);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int chunk_size_opt(const struct args *a, int64_t *out)
{
    const char *v = args_get(a, "chunk-size");
    *out = BACKUP_CHUNK_SIZE;
    if (v != NULL &&
        (parse_size(v, out) != 0 || *out < 1024 || *out > 1024 * 1024))
        return cli_fail("invalid --chunk-size '%s' (1KiB to 1MiB)", v);
    return 0;
}

static void path_join(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int run_backup(struct cli *c, const struct args *a)
{
    const char *stream = a->pos[0], *dir = a->pos[1];
    int64_t chunk;
    if (chunk_size_opt(a, &chunk) != 0)
        return 1;
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cli_fail("create %s: %s", dir, strerror(errno));
    char data_path[4096], meta_path[4096];
    path_join(data_path, sizeof data_path, dir, BACKUP_DATA_FILE);
    path_join(meta_path, sizeof meta_path, dir, BACKUP_META_FILE);

    char inbox[128];
    natsInbox *ib = NULL;
    natsInbox_Create(&ib);
    snprintf(inbox, sizeof inbox, "%s", (const char *)ib);
    natsInbox_Destroy(ib);
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_SubscribeSync(&sub, nc, inbox);
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(nc, c->timeout_ms);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return cli_fail("subscribe %s: %s", inbox, natsStatus_GetText(s));
    }

    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "STREAM.SNAPSHOT.%s", stream);
    json_t *req =
        json_pack("{s:s, s:b, s:I, s:b}", "deliver_subject", inbox,
                  "no_consumers", args_flag(a, "no-consumers"), "chunk_size",
                  (json_int_t)chunk, "jsck", args_flag(a, "check"));
    json_t *resp = NULL;
    int rv = api_request(c, subject, req, &resp, errmsg);
    json_decref(req);
    if (rv != 0) {
        natsSubscription_Destroy(sub);
        return cli_fail("%s", errmsg);
    }
    FILE *out = fopen(data_path, "wb");
    if (out == NULL) {
        natsSubscription_Destroy(sub);
        json_decref(resp);
        return cli_fail("create %s: %s", data_path, strerror(errno));
    }
    json_t *state = json_object_get(resp, "state");
    int show_bar = !args_flag(a, "no-progress") && isatty(STDOUT_FILENO);
    struct progress p;
    /* The snapshot is compressed (s2) and its size unknown in advance, so
     * the stream's byte count cannot serve as the total: count instead. */
    progress_init(&p, stdout, show_bar, "Received", 0);
    if (!show_bar) {
        char sz[FMT_SIZE_LEN];
        log_line("Starting backup of Stream \"%s\" with %s", stream,
                 fmt_size((uint64_t)jint(state, "bytes"), sz));
    }
    int rc = 0;
    for (;;) {
        natsMsg *m = NULL;
        /* A health check (--check) can keep the server busy before the
         * first chunk, so allow it more than one request timeout. */
        s = natsSubscription_NextMsg(&m, sub, c->timeout_ms * 6);
        if (s != NATS_OK) {
            rc = cli_fail("backup of %s stalled: %s", stream,
                          natsStatus_GetText(s));
            break;
        }
        int len = natsMsg_GetDataLength(m);
        if (len == 0) {
            const char *status = NULL, *desc = NULL;
            if (natsMsgHeader_Get(m, "Status", &status) == NATS_OK && status &&
                strcmp(status, "204") != 0) {
                natsMsgHeader_Get(m, "Description", &desc);
                rc = cli_fail("backup of %s failed: %s %s", stream, status,
                              desc ? desc : "");
            }
            natsMsg_Destroy(m);
            break;
        }
        if (fwrite(natsMsg_GetData(m), 1, (size_t)len, out) != (size_t)len) {
            rc = cli_fail("write %s: %s", data_path, strerror(errno));
            natsMsg_Destroy(m);
            break;
        }
        const char *reply = natsMsg_GetReply(m);
        if (reply != NULL && *reply)
            natsConnection_Publish(nc, reply, NULL, 0);
        progress_add(&p, (uint64_t)len);
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(sub);
    if (fclose(out) != 0 && rc == 0)
        rc = cli_fail("write %s: %s", data_path, strerror(errno));
    if (rc == 0) {
        json_t *meta =
            json_pack("{s:O, s:O}", "config", json_object_get(resp, "config"),
                      "state", state);
        if (json_dump_file(meta, meta_path, JSON_INDENT(2)) != 0)
            rc = cli_fail("write %s", meta_path);
        json_decref(meta);
    }
    if (rc == 0) {
        progress_finish(&p);
        char sz[FMT_SIZE_LEN], cnt[FMT_SIZE_LEN];
        log_line("Backed up Stream \"%s\": %s messages, %s of snapshot data "
                 "in %s",
                 stream, fmt_count(jint(state, "messages"), cnt),
                 fmt_size(p.done, sz), dir);
    }
    json_decref(resp);
    return rc;
}

static int run_restore(struct cli *c, const struct args *a)
{
    const char *dir = a->pos[0];
    int64_t chunk;
    if (chunk_size_opt(a, &chunk) != 0)
        return 1;
    char data_path[4096], meta_path[4096];
    path_join(data_path, sizeof data_path, dir, BACKUP_DATA_FILE);
    path_join(meta_path, sizeof meta_path, dir, BACKUP_META_FILE);
    json_error_t jerr;
    json_t *meta = json_load_file(meta_path, 0, &jerr);
    if (meta == NULL)
        return cli_fail("read %s: %s", meta_path, jerr.text);
    json_t *cfg = json_object_get(meta, "config");
    const char *stream = jstr(cfg, "name");
    if (!json_is_object(cfg) || *stream == '\0') {
        json_decref(meta);
        return cli_fail("%s has no stream configuration", meta_path);
    }
    FILE *in = fopen(data_path, "rb");
    if (in == NULL) {
        json_decref(meta);
        return cli_fail("open %s: %s", data_path, strerror(errno));
    }
    struct stat sb;
    uint64_t total = fstat(fileno(in), &sb) == 0 ? (uint64_t)sb.st_size : 0;
    natsConnection *nc = cli_conn(c);
    if (nc == NULL) {
        fclose(in);
        json_decref(meta);
        return 1;
    }

    char subject[512], errmsg[BL_ERRMSG_SIZE];
    snprintf(subject, sizeof subject, "STREAM.RESTORE.%s", stream);
    json_t *req = json_pack("{s:O, s:O}", "config", cfg, "state",
                            json_object_get(meta, "state")
                                ? json_object_get(meta, "state")
                                : json_null());
    json_t *resp = NULL;
    int rv = api_request(c, subject, req, &resp, errmsg);
    json_decref(req);
    if (rv != 0) {
        fclose(in);
        json_decref(meta);
        return cli_fail("%s", errmsg);
    }
    char deliver[512];
    snprintf(deliver, sizeof deliver, "%s", jstr(resp, "deliver_subject"));
    json_decref(resp);
    if (*deliver == '\0') {
        fclose(in);
        json_decref(meta);
        return cli_fail("the restore reply names no deliver_subject");
    }

    int show_bar = !args_flag(a, "no-progress") && isatty(STDOUT_FILENO);
    struct progress p;
    progress_init(&p, stdout, show_bar, "Sent", total);
    if (!show_bar) {
        char sz[FMT_SIZE_LEN];
        log_line("Starting restore of Stream \"%s\" from %s (%s)", stream, dir,
                 fmt_size(total, sz));
    }
    char *buf = bl_xmalloc((size_t)chunk);
    int rc = 0;
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, (size_t)chunk, in)) > 0) {
        natsMsg *r = NULL;
        natsStatus s =
            natsConnection_Request(&r, nc, deliver, buf, (int)n, c->timeout_ms);
        if (s != NATS_OK) {
            rc = cli_fail("restore of %s: sending a chunk: %s", stream,
                          natsStatus_GetText(s));
            break;
        }
        if (natsMsg_GetDataLength(r) > 0) {
            /* Anything but the empty ack is a failure report: a JSON error
             * or a "-ERR '...'" text. */
            json_t *j = json_loadb(natsMsg_GetData(r),
                                   (size_t)natsMsg_GetDataLength(r), 0, NULL);
            json_t *err = json_object_get(j, "error");
            if (err != NULL) {
                api_error_text(c, err, errmsg);
                rc = cli_fail("restore of %s failed: %s", stream, errmsg);
            } else {
                rc = cli_fail("restore of %s failed: %.*s", stream,
                              natsMsg_GetDataLength(r), natsMsg_GetData(r));
            }
            json_decref(j);
        }
        natsMsg_Destroy(r);
        if (rc == 0)
            progress_add(&p, n);
    }
    if (rc == 0 && ferror(in))
        rc = cli_fail("read %s: %s", data_path, strerror(errno));
    bl_free(buf);
    fclose(in);
    if (rc == 0) {
        progress_finish(&p);
        if (!show_bar)
            log_line("Sent all data, the server now restores Stream \"%s\"",
                     stream);
        natsMsg *r = NULL;
        natsStatus s = natsConnection_Request(&r, nc, deliver, NULL, 0,
                                              RESTORE_FINISH_TIMEOUT_MS);
        if (s != NATS_OK) {
            rc = cli_fail("restore of %s: waiting for the result: %s", stream,
                          natsStatus_GetText(s));
        } else {
            json_t *j = json_loadb(natsMsg_GetData(r),
                                   (size_t)natsMsg_GetDataLength(r), 0, NULL);
            json_t *err = json_object_get(j, "error");
            if (!json_is_object(j)) {
                rc = cli_fail("restore of %s: unexpected result: %.*s", stream,
                              natsMsg_GetDataLength(r),
                              natsMsg_GetData(r) ? natsMsg_GetData(r) : "");
            } else if (err != NULL) {
                api_error_text(c, err, errmsg);
                rc = cli_fail("restore of %s failed: %s", stream, errmsg);
            } else if (c->json) {
                cli_print_json(j);
            } else {
                char cnt[FMT_SIZE_LEN];
                log_line(
                    "Restored Stream \"%s\" with %s messages", stream,
                    fmt_count(jint(json_object_get(j, "state"), "messages"),
                              cnt));
                putchar('\n');
                stream_print_info(j);
            }
            json_decref(j);
            natsMsg_Destroy(r);
        }
    }
    json_decref(meta);
    return rc;
}

static const struct opt_spec backup_opts[] = {
    {"no-consumers", 0, OPT_FLAG, NULL, "leave consumers out of the backup"},
    {"check", 0, OPT_FLAG, NULL, "have the server check every message first"},
    {"chunk-size", 0, OPT_VALUE, "SIZE", "snapshot chunk size (128KiB)"},
    {"no-progress", 0, OPT_FLAG, NULL, "log lines instead of a progress bar"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec restore_opts[] = {
    {"chunk-size", 0, OPT_VALUE, "SIZE", "chunk size to send (128KiB)"},
    {"no-progress", 0, OPT_FLAG, NULL, "log lines instead of a progress bar"},
    {NULL, 0, 0, NULL, NULL},
};

const struct command backup_commands[] = {
    {"stream", "backup", "NAME DIR",
     "back up a stream into DIR (backup.json, stream.tar.s2)", 2, 2,
     backup_opts, run_backup},
    {"stream", "restore", "DIR", "restore a stream backed up into DIR", 1, 1,
     restore_opts, run_restore},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
