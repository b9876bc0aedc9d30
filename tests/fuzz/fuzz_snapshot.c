/* libFuzzer target for js/snapshot.c, the decoder STREAM.RESTORE feeds with
 * the bytes a client sends.
 *
 * Beyond crashes it checks that chunking never changes the outcome: the
 * first byte picks a cut point, and the rest is decoded whole and in two
 * pieces; both runs must give the same records, the same result and the
 * same verdict at the end, or the target aborts. */
#include "js/snapshot.h"

#include "ballast/buf.h"
#include "ballast/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(struct bl_buf *b, struct bl_slice s)
{
    bl_buf_append_u64(b, s.len);
    bl_buf_append(b, ":", 1);
    bl_buf_append(b, s.p, s.len);
}

static int record(void *ctx, const struct snap_item *it)
{
    struct bl_buf *b = ctx;
    bl_buf_printf(b, "%c|", (char)it->kind);
    put(b, it->json);
    put(b, it->name);
    put(b, it->state);
    put(b, it->subject);
    put(b, it->hdr);
    put(b, it->data);
    bl_buf_printf(b, "|%llu|%llu|%llu|%llu|%llu|%llu\n",
                  (unsigned long long)it->first_seq,
                  (unsigned long long)it->last_seq,
                  (unsigned long long)it->created_ns,
                  (unsigned long long)it->seq, (unsigned long long)it->ts_ns,
                  (unsigned long long)it->n_msgs);
    return 0;
}

struct run {
    struct bl_buf items;
    int rv;
    int finish;
};

static void decode(const uint8_t *p, size_t n, size_t cut, struct run *out)
{
    struct snap_decoder d;
    snap_decoder_init(&d);
    bl_buf_init(&out->items);
    char err[BL_ERRMSG_SIZE];
    /* Each piece from its own allocation, so ASan sees slices kept past
     * their call. */
    uint8_t *a = malloc(cut ? cut : 1);
    memcpy(a, p, cut);
    out->rv = snap_decode(&d, a, cut, record, &out->items, err);
    free(a);
    if (out->rv == 0) {
        uint8_t *b = malloc(n - cut ? n - cut : 1);
        memcpy(b, p + cut, n - cut);
        out->rv = snap_decode(&d, b, n - cut, record, &out->items, err);
        free(b);
    }
    out->finish = out->rv == 0 ? snap_decoder_finish(&d, err) : out->rv;
    snap_decoder_close(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = size - 1;
    const uint8_t *p = data + 1;
    size_t cut = n ? data[0] % (n + 1) : 0;
    struct run whole, split;
    decode(p, n, n, &whole);
    decode(p, n, cut, &split);
    if (whole.rv != split.rv || whole.finish != split.finish ||
        whole.items.len != split.items.len ||
        (whole.items.len &&
         memcmp(whole.items.p, split.items.p, whole.items.len) != 0)) {
        fprintf(stderr, "fuzz_snapshot: cut at %zu changed the outcome\n",
                cut);
        abort();
    }
    bl_buf_close(&whole.items);
    bl_buf_close(&split.items);
    return 0;
}
