#include "ballast/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bl_strerror(int code)
{
    switch (code) {
    case BL_OK: return "success";
    case BL_ENOMEM: return "out of memory";
    case BL_EINVAL: return "invalid argument";
    case BL_EIO: return "I/O error";
    case BL_ENOSPC: return "no space left on device";
    case BL_ENOENT: return "not found";
    case BL_EEXIST: return "already exists";
    case BL_EPROTO: return "protocol error";
    case BL_ETOOBIG: return "too large";
    case BL_EPERM: return "not permitted";
    case BL_EAUTH: return "authentication failed";
    case BL_ECLOSED: return "closed";
    case BL_EAGAIN: return "try again";
    case BL_ESYNTAX: return "syntax error";
    case BL_ETIMEDOUT: return "timed out";
    case BL_EBUSY: return "busy";
    case BL_EUNSUPPORTED: return "not supported";
    default: return "unknown error";
    }
}

int bl_err_from_errno(int errnum)
{
    switch (errnum) {
    case 0: return BL_OK;
    case ENOMEM: return BL_ENOMEM;
    case EINVAL: return BL_EINVAL;
    case ENOSPC:
    case EDQUOT: return BL_ENOSPC;
    case ENOENT: return BL_ENOENT;
    case EEXIST: return BL_EEXIST;
    case EACCES:
    case EPERM: return BL_EPERM;
    case EAGAIN: return BL_EAGAIN;
    case ETIMEDOUT: return BL_ETIMEDOUT;
    case EBUSY: return BL_EBUSY;
    default: return BL_EIO;
    }
}

void bl_errmsg_set(char *errmsg, const char *fmt, ...)
{
    if (errmsg == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, BL_ERRMSG_SIZE, fmt, ap);
    va_end(ap);
}

void bl_errmsg_prefix(char *errmsg, const char *fmt, ...)
{
    if (errmsg == NULL)
        return;
    char prefix[BL_ERRMSG_SIZE];
    char old[BL_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    snprintf(old, sizeof(old), "%s", errmsg);
    if (old[0] == '\0')
        snprintf(errmsg, BL_ERRMSG_SIZE, "%s", prefix);
    else
        snprintf(errmsg, BL_ERRMSG_SIZE, "%s: %s", prefix, old);
}
