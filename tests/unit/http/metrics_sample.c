/* Prints render_metrics() output for the sample snapshot, JetStream and its
 * streams included, for `promtool check metrics`. */
#include "sample.h"

#include "ballast/buf.h"

#include <stdio.h>

int main(void)
{
    struct stats_varz v;
    struct render_extra x;
    struct stats_jsz jsz;
    sample_varz(&v);
    sample_extra(&x);
    sample_jsz(&jsz, false);
    x.jsz = &jsz;
    struct bl_buf out;
    bl_buf_init(&out);
    render_metrics(&v, &x, &out);
    fwrite(out.p, 1, out.len, stdout);
    bl_buf_close(&out);
    stats_jsz_free(&jsz);
    return 0;
}
