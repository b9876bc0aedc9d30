/* JetStream scenarios of ballast-bench: publish with an ack per message,
 * publish with a window of in-flight acks, and pull-consume with acks, each
 * on a file-storage stream of its own that is deleted afterwards. */
#ifndef BALLAST_BENCH_JSBENCH_H
#define BALLAST_BENCH_JSBENCH_H

#include <stddef.h>
#include <stdint.h>

enum jsbench_kind {
    JSBENCH_PUB_SYNC,  /* js_Publish, one round trip per message */
    JSBENCH_PUB_ASYNC, /* js_PublishAsync with up to `window` acks pending */
    JSBENCH_CONSUME    /* pull-consume a pre-filled stream, acking each */
};

struct jsbench_opts {
    const char *url;
    enum jsbench_kind kind;
    size_t size;        /* payload bytes per message, >= 8 */
    uint64_t n_msgs;    /* messages published (consume: pre-filled) */
    int idle_timeout_s; /* fail when nothing moves for this long */
    int window;         /* in-flight publish acks (async and pre-fill) */
    int batch;          /* fetch batch size (consume) */
    int io_buf_size;    /* libnats socket buffer size; 0: its default */
};

/* Runs one scenario and prints its one-line result on stdout (also on
 * failure, with status=fail). Returns 0, or BL_EPROTO etc. with errmsg set
 * when the run failed or found a lost, failed or misordered message. The
 * caller has called nats_Open(). */
int jsbench_run(const struct jsbench_opts *o, char *errmsg);

#endif
