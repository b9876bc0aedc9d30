/* String-keyed hash map (open addressing, linear probing). Keys are copied;
 * values are opaque pointers owned by the caller. Not thread-safe. */
#ifndef BALLAST_MAP_H
#define BALLAST_MAP_H

#include "ballast/buf.h"

#include <stddef.h>
#include <stdint.h>

struct bl_map_entry {
    char *key; /* NULL: empty slot; BL_MAP_TOMBSTONE: deleted */
    size_t key_len;
    uint64_t hash;
    void *value;
};

struct bl_map {
    struct bl_map_entry *slots;
    size_t cap;  /* power of two, or 0 */
    size_t n;    /* live entries */
    size_t used; /* live + tombstones */
};

void bl_map_init(struct bl_map *m);
/* Frees the keys and slots; values are the caller's. */
void bl_map_close(struct bl_map *m);

/* The value stored under key, or NULL. */
void *bl_map_get(const struct bl_map *m, struct bl_slice key);

/* Stores value under key. Returns BL_EEXIST (and stores nothing) if the key
 * is present, else 0. */
int bl_map_put(struct bl_map *m, struct bl_slice key, void *value);

/* Removes key and returns its value, or NULL if absent. */
void *bl_map_del(struct bl_map *m, struct bl_slice key);

static inline size_t bl_map_count(const struct bl_map *m)
{
    return m->n;
}

/* Iteration: for (size_t i = 0; bl_map_next(m, &i, &k, &v);) ... Do not
 * modify the map while iterating. */
int bl_map_next(const struct bl_map *m, size_t *iter, struct bl_slice *key,
                void **value);

/* FNV-1a style 64-bit hash of bytes, good enough for in-memory tables. */
uint64_t bl_hash(const void *p, size_t len);

#endif
