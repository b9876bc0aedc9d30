/* ballastd: parses flags, loads the configuration, wires the modules and
 * runs the event loop until a signal stops it. */
#include "conf/opts.h"
#include "net/server.h"

#include "ballast/err.h"
#include "ballast/log.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <uv.h>

static int write_pid_file(const char *path, char *errmsg)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        bl_errmsg_set(errmsg, "open pid file %s: %m", path);
        return BL_EIO;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct server_opts opts;
    opts_init(&opts);
    int rv = opts_parse_args(&opts, argc, argv, errmsg);
    if (rv == 1) {
        opts_close(&opts);
        return 0;
    }
    if (rv == 0)
        rv = opts_validate(&opts, errmsg);
    if (rv != 0) {
        fprintf(stderr, "ballastd: %s\n", errmsg);
        opts_close(&opts);
        return 1;
    }
    if (opts.log_file != NULL && freopen(opts.log_file, "a", stderr) == NULL) {
        fprintf(stdout, "ballastd: open log file %s: %m\n", opts.log_file);
        opts_close(&opts);
        return 1;
    }
    bl_log_set_timestamps(opts.logtime);
    if (opts.trace)
        bl_log_set_level(BL_LOG_TRACE);
    else if (opts.debug)
        bl_log_set_level(BL_LOG_DEBUG);
    signal(SIGPIPE, SIG_IGN);

    bl_log_info("main: starting ballastd version %s (nats-server %s "
                "compatible)",
                BALLAST_VERSION, BALLAST_NATS_VERSION);
    if (opts.config_file)
        bl_log_info("main: using configuration file %s", opts.config_file);

    uv_loop_t *loop = uv_default_loop();
    struct server *srv = NULL;
    rv = server_new(loop, &opts, &srv, errmsg);
    if (rv == 0)
        rv = server_start(srv, errmsg);
    if (rv == 0 && opts.pid_file)
        rv = write_pid_file(opts.pid_file, errmsg);
    if (rv != 0) {
        bl_log_error("main: %s", errmsg);
        if (srv != NULL) {
            server_shutdown(srv);
            uv_run(loop, UV_RUN_DEFAULT);
        }
        server_free(srv);
        opts_close(&opts);
        return 1;
    }
    bl_log_info("main: server is ready");
    uv_run(loop, UV_RUN_DEFAULT);
    server_free(srv);
    uv_loop_close(loop);
    if (opts.pid_file)
        unlink(opts.pid_file);
    bl_log_info("main: server exiting");
    opts_close(&opts);
    return 0;
}
