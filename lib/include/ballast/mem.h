/* Allocation helpers. The bl_x* variants log and abort on failure: use them
 * for small allocations whose size we control. Sizes a peer controls must be
 * checked against a limit before they get here. */
#ifndef BALLAST_MEM_H
#define BALLAST_MEM_H

#include <stddef.h>

void *bl_xmalloc(size_t n);
void *bl_xcalloc(size_t count, size_t n);
void *bl_xrealloc(void *p, size_t n);
char *bl_xstrdup(const char *s);
char *bl_xstrndup(const char *s, size_t n);
void bl_free(void *p);

/* Finds the struct that embeds `ptr` as its member `member`. */
#define container_of(ptr, type, member)                                        \
    ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
