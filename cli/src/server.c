/* Server commands: "server info" reads the HTTP monitoring endpoint /varz
 * (libcurl) and prints a summary; "bench" hands over to ballast-bench. */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ballast/buf.h"
#include "ballast/mem.h"
#include "cli.h"
#include "format.h"

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    bl_buf_append(ctx, p, size * n);
    return size * n;
}

/* GETs <monitor><path> and decodes the JSON object; prints errors. */
static json_t *http_json(struct cli *c, const char *path)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->monitor_url, path);
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        cli_fail("libcurl initialisation failed");
        return NULL;
    }
    struct bl_buf body;
    bl_buf_init(&body);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    json_t *j = NULL;
    if (rc != CURLE_OK) {
        cli_fail("GET %s: %s", url, curl_easy_strerror(rc));
    } else if (status != 200) {
        cli_fail("GET %s: HTTP status %ld", url, status);
    } else {
        json_error_t err;
        j = json_loadb(body.p ? body.p : "", body.len, 0, &err);
        if (!json_is_object(j)) {
            cli_fail("GET %s: not a JSON object: %s", url, err.text);
            json_decref(j);
            j = NULL;
        }
    }
    bl_buf_close(&body);
    return j;
}

static int run_info(struct cli *c, const struct args *a)
{
    json_t *v = http_json(c, "/varz");
    if (v == NULL)
        return 1;
    if (c->json) {
        cli_print_json(v);
        json_decref(v);
        return 0;
    }
    char x[FMT_SIZE_LEN], y[FMT_SIZE_LEN];
    printf("Server information for %s (%s)\n", jstr(v, "server_name"),
           jstr(v, "server_id"));
    struct kv_display d;
    kv_display_init(&d);
    kv_display_section(&d, "Process Details");
    kv_display_add(&d, "Version", "%s", jstr(v, "version"));
    if (*jstr(v, "go"))
        kv_display_add(&d, "Go Version", "%s", jstr(v, "go"));
    kv_display_add(&d, "Client Listener", "%s:%lld", jstr(v, "host"),
                   (long long)jint(v, "port"));
    kv_display_add(&d, "Start Time", "%s", jstr(v, "start"));
    kv_display_add(&d, "Uptime", "%s", jstr(v, "uptime"));
    kv_display_add(&d, "Memory", "%s", fmt_size((uint64_t)jint(v, "mem"), x));
    json_t *cpu = json_object_get(v, "cpu");
    kv_display_add(&d, "CPU", "%.1f%%",
                   json_is_number(cpu) ? json_number_value(cpu) : 0.0);
    kv_display_add(&d, "Cores", "%lld", (long long)jint(v, "cores"));

    kv_display_section(&d, "Connections");
    kv_display_add(&d, "Connections", "%s",
                   fmt_count(jint(v, "connections"), x));
    kv_display_add(&d, "Total Connections", "%s",
                   fmt_count(jint(v, "total_connections"), x));
    kv_display_add(&d, "Subscriptions", "%s",
                   fmt_count(jint(v, "subscriptions"), x));
    kv_display_add(&d, "Slow Consumers", "%s",
                   fmt_count(jint(v, "slow_consumers"), x));
    kv_display_add(&d, "Routes", "%s", fmt_count(jint(v, "routes"), x));
    kv_display_add(&d, "Max Payload", "%s",
                   fmt_size((uint64_t)jint(v, "max_payload"), x));

    kv_display_section(&d, "Traffic");
    kv_display_add(&d, "Messages In", "%s (%s)",
                   fmt_count(jint(v, "in_msgs"), x),
                   fmt_size((uint64_t)jint(v, "in_bytes"), y));
    kv_display_add(&d, "Messages Out", "%s (%s)",
                   fmt_count(jint(v, "out_msgs"), x),
                   fmt_size((uint64_t)jint(v, "out_bytes"), y));

    json_t *js = json_object_get(v, "jetstream");
    json_t *jcfg = json_object_get(js, "config");
    if (json_is_object(jcfg)) {
        json_t *stats = json_object_get(js, "stats");
        json_t *api = json_object_get(stats, "api");
        kv_display_section(&d, "JetStream");
        if (*jstr(jcfg, "store_dir"))
            kv_display_add(&d, "Store Directory", "%s",
                           jstr(jcfg, "store_dir"));
        kv_display_add(&d, "Max Memory", "%s",
                       fmt_size((uint64_t)jint(jcfg, "max_memory"), x));
        kv_display_add(&d, "Max Storage", "%s",
                       fmt_size((uint64_t)jint(jcfg, "max_storage"), x));
        kv_display_add(&d, "Memory Used", "%s",
                       fmt_size((uint64_t)jint(stats, "memory"), x));
        kv_display_add(&d, "Storage Used", "%s",
                       fmt_size((uint64_t)jint(stats, "storage"), x));
        kv_display_add(&d, "API Requests", "%s",
                       fmt_count(jint(api, "total"), x));
        kv_display_add(&d, "API Errors", "%s",
                       fmt_count(jint(api, "errors"), x));
    }
    kv_display_print(&d, stdout);
    kv_display_close(&d);
    json_decref(v);
    return 0;
}

/* Looks for ballast-bench next to this binary (build tree: ../bench/),
 * then on PATH. */
static int run_bench(struct cli *c, const struct args *a)
{
    char self[PATH_MAX], cand[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    const char *argv[ARGS_MAX_POS + 2];
    int argc = 0;
    argv[argc++] = "ballast-bench";
    for (int i = 0; i < a->n_pos; i++)
        argv[argc++] = a->pos[i];
    argv[argc] = NULL;
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            static const char *const rel[] = {"/ballast-bench",
                                              "/../bench/ballast-bench"};
            for (size_t i = 0; i < 2; i++) {
                snprintf(cand, sizeof cand, "%s%s", self, rel[i]);
                if (access(cand, X_OK) == 0) {
                    execv(cand, (char *const *)argv);
                }
            }
        }
    }
    execvp("ballast-bench", (char *const *)argv);
    return cli_fail("ballast-bench not found (%s): build the bench/ target "
                    "and pass its options after '--', e.g. 'ballast bench "
                    "-- --help'",
                    strerror(errno));
}

static const struct opt_spec no_opts[] = {
    {NULL, 0, 0, NULL, NULL},
};

const struct command server_commands[] = {
    {"server", "info", "", "summarise the server from its /varz", 0, 0, no_opts,
     run_info},
    {NULL, "bench", "-- [ballast-bench options]",
     "run ballast-bench (see bench/)", 0, ARGS_MAX_POS, no_opts, run_bench},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
