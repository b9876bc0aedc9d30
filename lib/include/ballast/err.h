/* Error codes and error messages shared by every Ballast module.
 *
 * A function that can fail returns 0 (or a count) on success and a negative
 * BL_E* code on failure. Functions that touch the outside world also fill a
 * caller-provided `char errmsg[BL_ERRMSG_SIZE]`; each caller prefixes its own
 * context with bl_errmsg_prefix() so the final text reads like a path. */
#ifndef BALLAST_ERR_H
#define BALLAST_ERR_H

#include <stddef.h>

#define BL_ERRMSG_SIZE 512

enum bl_err {
    BL_OK = 0,
    BL_ENOMEM = -1,      /* allocation failed */
    BL_EINVAL = -2,      /* invalid argument or input */
    BL_EIO = -3,         /* I/O error */
    BL_ENOSPC = -4,      /* disk full */
    BL_ENOENT = -5,      /* not found */
    BL_EEXIST = -6,      /* already exists */
    BL_EPROTO = -7,      /* protocol violation by a peer */
    BL_ETOOBIG = -8,     /* a size limit was exceeded */
    BL_EPERM = -9,       /* not permitted */
    BL_EAUTH = -10,      /* authentication failed */
    BL_ECLOSED = -11,    /* object already closed */
    BL_EAGAIN = -12,     /* try again later */
    BL_ESYNTAX = -13,    /* syntax error (config, subjects) */
    BL_ETIMEDOUT = -14,  /* deadline passed */
    BL_EBUSY = -15,      /* resource in use */
    BL_EUNSUPPORTED = -16 /* feature not supported */
};

/* Short text for a BL_E* code ("invalid argument"); never NULL. */
const char *bl_strerror(int code);

/* Maps an errno value to the closest BL_E* code. */
int bl_err_from_errno(int errnum);

/* Writes a formatted message into errmsg (BL_ERRMSG_SIZE bytes). NULL errmsg
 * is allowed and ignored. */
void bl_errmsg_set(char *errmsg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prepends "<context>: " to the message already in errmsg. */
void bl_errmsg_prefix(char *errmsg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
