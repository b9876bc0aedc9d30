/* libFuzzer target for the nats-server configuration parser: bytes in, a
 * conf tree out, then applied to server options. Includes are refused (the
 * input must not name files to read); environment variables are looked up
 * as usual. Every crash found here becomes a test in tests/unit/conf/. */
#include "conf/conf_tree.h"
#include "conf/opts.h"

#include "ballast/err.h"
#include "ballast/log.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    bl_log_set_level(BL_LOG_OFF); /* unknown keys would log warnings */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errmsg[BL_ERRMSG_SIZE];
    struct conf_tree t;
    conf_tree_init(&t);
    if (conf_nats_parse_buf(&t, (const char *)data, size, "fuzz.conf",
                            CONF_PARSE_NO_INCLUDE, errmsg) == 0) {
        struct server_opts o;
        opts_init(&o);
        if (conf_apply(&o, &t, NULL, errmsg) == 0)
            (void)opts_validate(&o, errmsg);
        opts_close(&o);
    }
    conf_tree_close(&t);
    return 0;
}
