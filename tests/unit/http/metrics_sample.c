/* Prints render_metrics() output for the sample snapshot, for
 * `promtool check metrics`. */
#include "sample.h"

#include "ballast/buf.h"

#include <stdio.h>

int main(void)
{
    struct stats_varz v;
    struct render_extra x;
    sample_varz(&v);
    sample_extra(&x);
    struct bl_buf out;
    bl_buf_init(&out);
    render_metrics(&v, &x, &out);
    fwrite(out.p, 1, out.len, stdout);
    bl_buf_close(&out);
    return 0;
}
