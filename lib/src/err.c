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
    /* Room for both parts; the result is cut to BL_ERRMSG_SIZE below. */
    char joined[2 * BL_ERRMSG_SIZE + 2];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(joined, BL_ERRMSG_SIZE, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(joined);
    if (errmsg[0] != '\0') {
        memcpy(joined + len, ": ", 2);
        len += 2;
        size_t old_len = strnlen(errmsg, BL_ERRMSG_SIZE - 1);
        memcpy(joined + len, errmsg, old_len);
        len += old_len;
    }
    if (len > BL_ERRMSG_SIZE - 1)
        len = BL_ERRMSG_SIZE - 1;
    memcpy(errmsg, joined, len);
    errmsg[len] = '\0';
}
