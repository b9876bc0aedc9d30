/* The connection and the JetStream JSON API request helper. Requests are
 * plain NATS requests with JSON bodies, so the CLI shows exactly what the
 * server answered, API errors and their err_code included. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ballast/buf.h"
#include "ballast/mem.h"
#include "cli.h"

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

natsConnection *cli_conn(struct cli *c)
{
    if (c->nc != NULL)
        return c->nc;
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(opts, c->server_url);
    if (s == NATS_OK && (c->user != NULL || c->password != NULL))
        s = natsOptions_SetUserInfo(opts, c->user, c->password);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(opts, c->timeout_ms);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, "ballast-cli");
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, 0);
    if (s == NATS_OK)
        s = natsConnection_Connect(&c->nc, opts);
    natsOptions_Destroy(opts);
    if (s != NATS_OK) {
        const char *last = nats_GetLastError(NULL);
        cli_fail("connect to %s: %s", c->server_url,
                 last && *last ? last : natsStatus_GetText(s));
        c->nc = NULL;
        return NULL;
    }
    return c->nc;
}

void cli_close(struct cli *c)
{
    if (c->nc != NULL) {
        natsConnection_FlushTimeout(c->nc, 1000);
        natsConnection_Destroy(c->nc);
        c->nc = NULL;
    }
}

int cli_is_tty(void)
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

int cli_confirm(const char *question)
{
    char line[64];
    printf("? %s [y/N] ", question);
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return 0;
    return line[0] == 'y' || line[0] == 'Y';
}

void api_error_text(struct cli *c, json_t *err, char *errmsg)
{
    const char *desc = jstr(err, "description");
    int code = (int)jint(err, "err_code");
    c->last_err_code = code;
    if (code != 0)
        bl_errmsg_set(errmsg, "%s (err_code %d)", *desc ? desc : "API error",
                      code);
    else
        bl_errmsg_set(errmsg, "%s (code %d)", *desc ? desc : "API error",
                      (int)jint(err, "code"));
}

int api_request(struct cli *c, const char *subject, json_t *body,
                json_t **reply, char *errmsg)
{
    natsConnection *nc = cli_conn(c);
    if (nc == NULL) {
        bl_errmsg_set(errmsg, "not connected");
        return BL_ECLOSED;
    }
    c->last_err_code = 0;
    char subj[1024];
    snprintf(subj, sizeof subj, "%s%s", CLI_JS_API, subject);
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    natsMsg *m = NULL;
    natsStatus s = natsConnection_Request(&m, nc, subj, payload,
                                          payload ? (int)strlen(payload) : 0,
                                          c->timeout_ms);
    free(payload);
    if (s == NATS_NO_RESPONDERS) {
        bl_errmsg_set(errmsg,
                      "no responders on %s: is JetStream enabled on the "
                      "server?",
                      subj);
        return BL_ENOENT;
    }
    if (s == NATS_TIMEOUT) {
        bl_errmsg_set(errmsg, "timeout waiting for a reply on %s", subj);
        return BL_ETIMEDOUT;
    }
    if (s != NATS_OK) {
        bl_errmsg_set(errmsg, "request %s: %s", subj, natsStatus_GetText(s));
        return BL_EIO;
    }
    json_error_t jerr;
    json_t *j = json_loadb(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m),
                           0, &jerr);
    if (j == NULL || !json_is_object(j)) {
        bl_errmsg_set(errmsg, "reply on %s is not a JSON object: %.*s", subj,
                      natsMsg_GetDataLength(m) > 200 ? 200
                                                     : natsMsg_GetDataLength(m),
                      natsMsg_GetData(m) ? natsMsg_GetData(m) : "");
        json_decref(j);
        natsMsg_Destroy(m);
        return BL_EPROTO;
    }
    natsMsg_Destroy(m);
    json_t *err = json_object_get(j, "error");
    if (err != NULL && json_is_object(err)) {
        api_error_text(c, err, errmsg);
        json_decref(j);
        return BL_EINVAL;
    }
    *reply = j;
    return 0;
}

json_t *api_list_all(struct cli *c, const char *subject, const char *array_key,
                     json_t *filter, char *errmsg)
{
    json_t *all = json_array();
    json_int_t offset = 0;
    for (;;) {
        json_t *req = filter ? json_deep_copy(filter) : json_object();
        json_object_set_new(req, "offset", json_integer(offset));
        json_t *reply = NULL;
        int rv = api_request(c, subject, req, &reply, errmsg);
        json_decref(req);
        if (rv != 0) {
            json_decref(all);
            return NULL;
        }
        json_t *items = json_object_get(reply, array_key);
        size_t n = json_is_array(items) ? json_array_size(items) : 0;
        for (size_t i = 0; i < n; i++)
            json_array_append(all, json_array_get(items, i));
        json_int_t total = jint(reply, "total");
        json_decref(reply);
        offset += (json_int_t)n;
        /* A page shorter than asked or the total reached ends the list; an
         * empty page too, so a server that miscounts cannot loop us. */
        if (n == 0 || offset >= total)
            break;
    }
    return all;
}

void cli_print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    if (s != NULL) {
        puts(s);
        free(s);
    }
}

json_int_t jint(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (json_int_t)json_real_value(v);
    return 0;
}

const char *jstr(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : "";
}

int jbool(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_true(v);
}

static int b64_value(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

int b64_decode(const char *in, char **out, size_t *out_len)
{
    size_t len = strlen(in);
    char *buf = bl_xmalloc(len / 4 * 3 + 4);
    size_t w = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int ch = (unsigned char)in[i];
        if (ch == '=')
            break;
        if (isspace(ch))
            continue;
        int v = b64_value(ch);
        if (v < 0) {
            bl_free(buf);
            return BL_EINVAL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[w++] = (char)((acc >> bits) & 0xFF);
        }
    }
    buf[w] = '\0';
    *out = buf;
    *out_len = w;
    return 0;
}

void print_header_block(const char *hdr, size_t len, const char *indent)
{
    /* Skip the "NATS/1.0[ status]" line; print the rest line by line. */
    const char *p = memchr(hdr, '\n', len);
    if (p == NULL)
        return;
    p++;
    const char *end = hdr + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t shown = l;
        if (shown > 0 && p[shown - 1] == '\r')
            shown--;
        if (shown > 0)
            printf("%s%.*s\n", indent, (int)shown, p);
        p += l + 1;
    }
}

void print_msg_headers(natsMsg *m, const char *indent)
{
    const char **keys = NULL;
    int n_keys = 0;
    if (natsMsgHeader_Keys(m, &keys, &n_keys) != NATS_OK)
        return;
    for (int i = 0; i < n_keys; i++) {
        const char **vals = NULL;
        int n_vals = 0;
        if (natsMsgHeader_Values(m, keys[i], &vals, &n_vals) != NATS_OK)
            continue;
        for (int k = 0; k < n_vals; k++)
            printf("%s%s: %s\n", indent, keys[i], vals[k]);
        free((void *)vals);
    }
    free((void *)keys);
}

void print_body(const char *data, size_t len)
{
    if (len > 0)
        fwrite(data, 1, len, stdout);
    fputc('\n', stdout);
}
