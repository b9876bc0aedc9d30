#include "ballast/map.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <string.h>

static char tombstone;
#define BL_MAP_TOMBSTONE (&tombstone)

uint64_t bl_hash(const void *p, size_t len)
{
    /* FNV-1a with a final avalanche so that the low bits used for the slot
     * index depend on every input byte. */
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

void bl_map_init(struct bl_map *m)
{
    memset(m, 0, sizeof(*m));
}

void bl_map_close(struct bl_map *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        char *k = m->slots[i].key;
        if (k != NULL && k != BL_MAP_TOMBSTONE)
            bl_free(k);
    }
    bl_free(m->slots);
    bl_map_init(m);
}

static struct bl_map_entry *find(const struct bl_map *m, struct bl_slice key,
                                 uint64_t h)
{
    if (m->cap == 0)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct bl_map_entry *e = &m->slots[i];
        if (e->key == NULL)
            return NULL;
        if (e->key != BL_MAP_TOMBSTONE && e->hash == h &&
            e->key_len == key.len && memcmp(e->key, key.p, key.len) == 0)
            return e;
    }
}

void *bl_map_get(const struct bl_map *m, struct bl_slice key)
{
    struct bl_map_entry *e = find(m, key, bl_hash(key.p, key.len));
    return e ? e->value : NULL;
}

static void insert_slot(struct bl_map *m, char *k, size_t klen, uint64_t h,
                        void *v)
{
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    while (m->slots[i].key != NULL && m->slots[i].key != BL_MAP_TOMBSTONE)
        i = (i + 1) & mask;
    if (m->slots[i].key == NULL)
        m->used++;
    m->slots[i] = (struct bl_map_entry){k, klen, h, v};
    m->n++;
}

static void grow(struct bl_map *m)
{
    struct bl_map_entry *old = m->slots;
    size_t old_cap = m->cap;
    /* Rehash into a table sized for the live entries; tombstones vanish. */
    size_t cap = 16;
    while (cap < (m->n + 1) * 2)
        cap *= 2;
    m->slots = bl_xcalloc(cap, sizeof(*m->slots));
    m->cap = cap;
    m->n = 0;
    m->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        struct bl_map_entry *e = &old[i];
        if (e->key != NULL && e->key != BL_MAP_TOMBSTONE)
            insert_slot(m, e->key, e->key_len, e->hash, e->value);
    }
    bl_free(old);
}

int bl_map_put(struct bl_map *m, struct bl_slice key, void *value)
{
    uint64_t h = bl_hash(key.p, key.len);
    if (find(m, key, h) != NULL)
        return BL_EEXIST;
    if ((m->used + 1) * 4 > m->cap * 3)
        grow(m);
    insert_slot(m, bl_xstrndup(key.p, key.len), key.len, h, value);
    return 0;
}

void *bl_map_del(struct bl_map *m, struct bl_slice key)
{
    struct bl_map_entry *e = find(m, key, bl_hash(key.p, key.len));
    if (e == NULL)
        return NULL;
    void *v = e->value;
    bl_free(e->key);
    e->key = BL_MAP_TOMBSTONE;
    e->value = NULL;
    m->n--;
    return v;
}

int bl_map_next(const struct bl_map *m, size_t *iter, struct bl_slice *key,
                void **value)
{
    while (*iter < m->cap) {
        struct bl_map_entry *e = &m->slots[(*iter)++];
        if (e->key != NULL && e->key != BL_MAP_TOMBSTONE) {
            if (key)
                *key = (struct bl_slice){e->key, e->key_len};
            if (value)
                *value = e->value;
            return 1;
        }
    }
    return 0;
}
