/* Subscription index: a trie with one level per subject token, plus a match
 * cache keyed by literal subject.
 *
 * Each level holds its literal tokens in a small chained hash table and keeps
 * the '*' and '>' children aside, so a match walks one literal child and at
 * most two wildcard children per token. A node carries the entries whose
 * filter ends at it: plain subscriptions in one array, queue subscriptions
 * grouped by queue name.
 *
 * Match results are immutable once built and refcounted, so the cache can
 * hand the same result to many callers and drop it at any time. An insert or
 * remove of filter F drops exactly the cached subjects F matches; every other
 * cached result is unaffected by F and stays correct. */
#include "subj/sublist.h"

#include "ballast/err.h"
#include "ballast/mem.h"
#include "subj/subject.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#define CACHE_MAX 1024     /* cached subjects kept at most */
#define CACHE_BUCKETS 2048 /* power of two, above CACHE_MAX */
#define CACHE_EVICT 128    /* entries dropped when the cache is full */
#define SEEN_SLOTS 4096    /* power of two: recent misses, by hash */
#define STACK_TOKENS 32    /* tokens split on the stack before allocating */

struct level;

/* A queue group's members at one node. */
struct qnode {
    char *name;
    size_t name_len;
    void **subs;
    size_t n_subs;
    size_t cap_subs;
};

struct node {
    struct node *chain; /* next node in the same level bucket */
    uint64_t hash;      /* of tok */
    struct level *next; /* children, NULL when none */
    void **psubs;       /* plain subscriptions ending here */
    size_t n_psubs;
    size_t cap_psubs;
    struct qnode *qnodes; /* queue subscriptions ending here, by name */
    size_t n_qnodes;
    size_t tok_len;
    char tok[]; /* the token, NUL-terminated */
};

struct level {
    struct node **buckets; /* literal tokens; NULL until the first one */
    size_t n_buckets;      /* power of two */
    size_t n_nodes;        /* literal nodes */
    struct node *pwc;      /* the '*' child */
    struct node *fwc;      /* the '>' child */
};

struct centry {
    struct centry *chain;
    uint64_t hash;
    struct sublist_result *result; /* holds one reference */
    size_t len;
    char subject[];
};

/* Scratch space reused by every cache miss while collecting matches. */
struct collect {
    void **psubs;
    size_t n_psubs;
    size_t cap_psubs;
    const struct qnode **qnodes;
    size_t n_qnodes;
    size_t cap_qnodes;
};

struct sublist {
    struct level root;
    size_t n_subs;
    struct centry **cache; /* CACHE_BUCKETS chains; NULL until first use */
    size_t n_cache;
    size_t evict_pos; /* bucket where the next eviction sweep starts */
    uint64_t *seen;   /* SEEN_SLOTS hashes of recent misses, lazily made */
    struct collect scratch;
    uint64_t n_inserts;
    uint64_t n_removes;
    uint64_t n_matches;
    uint64_t n_cache_hits;
    uint64_t max_fanout;
    uint64_t sum_fanout; /* over all matches, for the average */
};

/* --- hashing ----------------------------------------------------------- */

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* A MurmurHash3-style hash taking eight bytes per round; subjects and tokens
 * are short, so the per-call setup stays small. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    uint64_t k;

    while (n >= 8) {
        memcpy(&k, p, 8);
        k *= c1;
        k = rotl64(k, 31);
        k *= c2;
        h ^= k;
        h = rotl64(h, 27) * 5 + 0x52dce729;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        k = 0;
        memcpy(&k, p, n);
        k *= c1;
        k = rotl64(k, 31);
        k *= c2;
        h ^= k;
    }
    return fmix64(h);
}

/* --- trie -------------------------------------------------------------- */

static struct node *node_new(struct bl_slice tok, uint64_t hash)
{
    struct node *n = bl_xcalloc(1, sizeof(*n) + tok.len + 1);
    memcpy(n->tok, tok.p, tok.len);
    n->tok_len = tok.len;
    n->hash = hash;
    return n;
}

static bool node_is_empty(const struct node *n)
{
    return n->n_psubs == 0 && n->n_qnodes == 0 &&
           (n->next == NULL || (n->next->n_nodes == 0 && n->next->pwc == NULL &&
                                n->next->fwc == NULL));
}

static void level_free(struct level *l);

static void node_free(struct node *n)
{
    if (n == NULL)
        return;
    if (n->next != NULL) {
        level_free(n->next);
        bl_free(n->next);
    }
    for (size_t i = 0; i < n->n_qnodes; i++) {
        bl_free(n->qnodes[i].name);
        bl_free(n->qnodes[i].subs);
    }
    bl_free(n->qnodes);
    bl_free(n->psubs);
    bl_free(n);
}

/* Frees what the level owns, not the level itself (the root is embedded). */
static void level_free(struct level *l)
{
    for (size_t b = 0; b < l->n_buckets; b++) {
        struct node *n = l->buckets[b];
        while (n != NULL) {
            struct node *chain = n->chain;
            node_free(n);
            n = chain;
        }
    }
    bl_free(l->buckets);
    node_free(l->pwc);
    node_free(l->fwc);
    memset(l, 0, sizeof(*l));
}

static struct node *level_lookup(const struct level *l, struct bl_slice tok,
                                 uint64_t hash)
{
    if (l->n_buckets == 0)
        return NULL;
    for (struct node *n = l->buckets[hash & (l->n_buckets - 1)]; n != NULL;
         n = n->chain)
        if (n->hash == hash && n->tok_len == tok.len &&
            memcmp(n->tok, tok.p, tok.len) == 0)
            return n;
    return NULL;
}

static void level_grow(struct level *l)
{
    size_t n_buckets = l->n_buckets == 0 ? 4 : l->n_buckets * 2;
    struct node **buckets = bl_xcalloc(n_buckets, sizeof(*buckets));

    for (size_t b = 0; b < l->n_buckets; b++) {
        struct node *n = l->buckets[b];
        while (n != NULL) {
            struct node *chain = n->chain;
            size_t i = n->hash & (n_buckets - 1);
            n->chain = buckets[i];
            buckets[i] = n;
            n = chain;
        }
    }
    bl_free(l->buckets);
    l->buckets = buckets;
    l->n_buckets = n_buckets;
}

/* Finds or creates the child of `l` for `tok`. */
static struct node *level_child(struct level *l, struct bl_slice tok)
{
    if (tok.len == 1 && tok.p[0] == '*') {
        if (l->pwc == NULL)
            l->pwc = node_new(tok, 0);
        return l->pwc;
    }
    if (tok.len == 1 && tok.p[0] == '>') {
        if (l->fwc == NULL)
            l->fwc = node_new(tok, 0);
        return l->fwc;
    }
    uint64_t hash = hash_bytes(tok.p, tok.len);
    struct node *n = level_lookup(l, tok, hash);
    if (n != NULL)
        return n;
    if (l->n_nodes >= l->n_buckets)
        level_grow(l);
    n = node_new(tok, hash);
    size_t i = hash & (l->n_buckets - 1);
    n->chain = l->buckets[i];
    l->buckets[i] = n;
    l->n_nodes++;
    return n;
}

/* Unlinks and frees child `n` of `l` (which must be empty). */
static void level_drop(struct level *l, struct node *n)
{
    if (n == l->pwc) {
        l->pwc = NULL;
    } else if (n == l->fwc) {
        l->fwc = NULL;
    } else {
        struct node **pp = &l->buckets[n->hash & (l->n_buckets - 1)];
        while (*pp != n)
            pp = &(*pp)->chain;
        *pp = n->chain;
        l->n_nodes--;
    }
    node_free(n);
}

/* Finds the existing child of `l` for `tok`, wildcards included. */
static struct node *level_find(const struct level *l, struct bl_slice tok)
{
    if (tok.len == 1 && tok.p[0] == '*')
        return l->pwc;
    if (tok.len == 1 && tok.p[0] == '>')
        return l->fwc;
    return level_lookup(l, tok, hash_bytes(tok.p, tok.len));
}

static void ptr_push(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        *cap = *cap == 0 ? 4 : *cap * 2;
        *arr = bl_xrealloc(*arr, *cap * sizeof(**arr));
    }
    (*arr)[(*n)++] = p;
}

/* Removes one occurrence of `p`, keeping the order of the rest. */
static bool ptr_remove(void **arr, size_t *n, void *p)
{
    for (size_t i = *n; i-- > 0;) {
        if (arr[i] == p) {
            memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(*arr));
            (*n)--;
            return true;
        }
    }
    return false;
}

static struct qnode *node_qnode(struct node *n, struct bl_slice queue)
{
    for (size_t i = 0; i < n->n_qnodes; i++)
        if (n->qnodes[i].name_len == queue.len &&
            memcmp(n->qnodes[i].name, queue.p, queue.len) == 0)
            return &n->qnodes[i];
    return NULL;
}

static void node_add(struct node *n, struct bl_slice queue, void *sub)
{
    if (queue.len == 0) {
        ptr_push(&n->psubs, &n->n_psubs, &n->cap_psubs, sub);
        return;
    }
    struct qnode *q = node_qnode(n, queue);
    if (q == NULL) {
        n->qnodes =
            bl_xrealloc(n->qnodes, (n->n_qnodes + 1) * sizeof(*n->qnodes));
        q = &n->qnodes[n->n_qnodes++];
        memset(q, 0, sizeof(*q));
        q->name = bl_xstrndup(queue.p, queue.len);
        q->name_len = queue.len;
    }
    ptr_push(&q->subs, &q->n_subs, &q->cap_subs, sub);
}

static bool node_del(struct node *n, struct bl_slice queue, void *sub)
{
    if (queue.len == 0)
        return ptr_remove(n->psubs, &n->n_psubs, sub);
    struct qnode *q = node_qnode(n, queue);
    if (q == NULL || !ptr_remove(q->subs, &q->n_subs, sub))
        return false;
    if (q->n_subs == 0) {
        bl_free(q->name);
        bl_free(q->subs);
        *q = n->qnodes[--n->n_qnodes];
        if (n->n_qnodes == 0) {
            bl_free(n->qnodes);
            n->qnodes = NULL;
        }
    }
    return true;
}

/* Removes the entry below `l` along tokens[i..], pruning nodes it leaves
 * empty on the way back up. */
static bool trie_remove(struct level *l, const struct bl_slice *toks,
                        size_t n_toks, size_t i, struct bl_slice queue,
                        void *sub)
{
    struct node *n = level_find(l, toks[i]);
    bool found;

    if (n == NULL)
        return false;
    if (i + 1 == n_toks)
        found = node_del(n, queue, sub);
    else
        found = n->next != NULL &&
                trie_remove(n->next, toks, n_toks, i + 1, queue, sub);
    if (found && node_is_empty(n))
        level_drop(l, n);
    return found;
}

/* --- tokens ------------------------------------------------------------ */

/* Splits a subject into tokens, into `stack` when it fits; returns the array
 * (free with bl_free() if it is not `stack`). */
static struct bl_slice *split(struct bl_slice s, struct bl_slice *stack,
                              size_t *n_out)
{
    size_t n = 1;
    for (size_t i = 0; i < s.len; i++)
        n += s.p[i] == '.';
    struct bl_slice *toks =
        n <= STACK_TOKENS ? stack : bl_xmalloc(n * sizeof(*toks));
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i == s.len || s.p[i] == '.') {
            toks[k++] = (struct bl_slice){s.p + start, i - start};
            start = i + 1;
        }
    }
    *n_out = n;
    return toks;
}

/* --- cache ------------------------------------------------------------- */

static void centry_free(struct centry *e)
{
    sublist_result_release(e->result);
    bl_free(e);
}

static struct centry *cache_lookup(const struct sublist *sl,
                                   struct bl_slice subject, uint64_t hash)
{
    if (sl->cache == NULL)
        return NULL;
    for (struct centry *e = sl->cache[hash & (CACHE_BUCKETS - 1)]; e != NULL;
         e = e->chain)
        if (e->hash == hash && e->len == subject.len &&
            memcmp(e->subject, subject.p, subject.len) == 0)
            return e;
    return NULL;
}

/* Drops about CACHE_EVICT entries, sweeping buckets from where the last
 * sweep stopped so no region of the table is favoured. */
static void cache_evict(struct sublist *sl)
{
    size_t dropped = 0;
    for (size_t scanned = 0; scanned < CACHE_BUCKETS && dropped < CACHE_EVICT;
         scanned++) {
        struct centry **bucket = &sl->cache[sl->evict_pos];
        sl->evict_pos = (sl->evict_pos + 1) & (CACHE_BUCKETS - 1);
        while (*bucket != NULL) {
            struct centry *e = *bucket;
            *bucket = e->chain;
            centry_free(e);
            sl->n_cache--;
            dropped++;
        }
    }
}

static void cache_add(struct sublist *sl, struct bl_slice subject,
                      uint64_t hash, struct sublist_result *r)
{
    if (sl->cache == NULL)
        sl->cache = bl_xcalloc(CACHE_BUCKETS, sizeof(*sl->cache));
    if (sl->n_cache >= CACHE_MAX)
        cache_evict(sl);
    struct centry *e = bl_xmalloc(sizeof(*e) + subject.len + 1);
    memcpy(e->subject, subject.p, subject.len);
    e->subject[subject.len] = '\0';
    e->len = subject.len;
    e->hash = hash;
    e->result = r;
    r->refs++;
    size_t i = hash & (CACHE_BUCKETS - 1);
    e->chain = sl->cache[i];
    sl->cache[i] = e;
    sl->n_cache++;
}

/* Drops the cached results `filter` matches: they are the only ones an
 * insert or remove of `filter` changes. */
static void cache_invalidate(struct sublist *sl, struct bl_slice filter)
{
    if (sl->n_cache == 0)
        return;
    if (subject_is_literal(filter)) {
        uint64_t hash = hash_bytes(filter.p, filter.len);
        struct centry **pp = &sl->cache[hash & (CACHE_BUCKETS - 1)];
        for (; *pp != NULL; pp = &(*pp)->chain) {
            struct centry *e = *pp;
            if (e->hash == hash && e->len == filter.len &&
                memcmp(e->subject, filter.p, filter.len) == 0) {
                *pp = e->chain;
                centry_free(e);
                sl->n_cache--;
                return;
            }
        }
        return;
    }
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        struct centry **pp = &sl->cache[b];
        while (*pp != NULL) {
            struct centry *e = *pp;
            if (subject_matches(filter,
                                (struct bl_slice){e->subject, e->len})) {
                *pp = e->chain;
                centry_free(e);
                sl->n_cache--;
            } else {
                pp = &e->chain;
            }
        }
    }
}

static void cache_free(struct sublist *sl)
{
    if (sl->cache == NULL)
        return;
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        struct centry *e = sl->cache[b];
        while (e != NULL) {
            struct centry *chain = e->chain;
            centry_free(e);
            e = chain;
        }
    }
    bl_free(sl->cache);
    sl->cache = NULL;
    sl->n_cache = 0;
}

/* --- match ------------------------------------------------------------- */

static void collect_node(struct collect *c, const struct node *n)
{
    for (size_t i = 0; i < n->n_psubs; i++)
        ptr_push(&c->psubs, &c->n_psubs, &c->cap_psubs, n->psubs[i]);
    for (size_t i = 0; i < n->n_qnodes; i++) {
        if (c->n_qnodes == c->cap_qnodes) {
            c->cap_qnodes = c->cap_qnodes == 0 ? 4 : c->cap_qnodes * 2;
            c->qnodes =
                bl_xrealloc(c->qnodes, c->cap_qnodes * sizeof(*c->qnodes));
        }
        c->qnodes[c->n_qnodes++] = &n->qnodes[i];
    }
}

/* Collects every node below `l` whose filter matches toks[i..]. */
static void match_level(const struct level *l, const struct bl_slice *toks,
                        const uint64_t *hashes, size_t n_toks, size_t i,
                        struct collect *c)
{
    while (l != NULL && i < n_toks) {
        /* '>' takes toks[i..], which holds at least one token. */
        if (l->fwc != NULL)
            collect_node(c, l->fwc);
        if (l->pwc != NULL) {
            if (i + 1 == n_toks)
                collect_node(c, l->pwc);
            else
                match_level(l->pwc->next, toks, hashes, n_toks, i + 1, c);
        }
        const struct node *n = level_lookup(l, toks[i], hashes[i]);
        if (n == NULL)
            return;
        if (i + 1 == n_toks) {
            collect_node(c, n);
            return;
        }
        l = n->next;
        i++;
    }
}

/* Turns the collected matches into one allocation: the result, its plain
 * subscriptions, its queue groups (members of one name merged across
 * nodes), their members, and copies of their names. */
static struct sublist_result *result_build(const struct collect *c)
{
    size_t n_groups = 0, n_qsubs = 0, names_len = 0;
    /* group_of[i]: group index of c->qnodes[i]; a first occurrence of a
     * name opens a group. Reuses the qnode scan below. */
    size_t stack_group_of[16];
    size_t *group_of = c->n_qnodes <= 16
                           ? stack_group_of
                           : bl_xmalloc(c->n_qnodes * sizeof(*group_of));

    for (size_t i = 0; i < c->n_qnodes; i++) {
        const struct qnode *q = c->qnodes[i];
        size_t g = n_groups;
        for (size_t j = 0; j < i; j++) {
            const struct qnode *p = c->qnodes[j];
            if (p->name_len == q->name_len &&
                memcmp(p->name, q->name, q->name_len) == 0) {
                g = group_of[j];
                break;
            }
        }
        if (g == n_groups) {
            n_groups++;
            names_len += q->name_len + 1;
        }
        group_of[i] = g;
        n_qsubs += q->n_subs;
    }

    size_t size = sizeof(struct sublist_result) + c->n_psubs * sizeof(void *) +
                  n_groups * sizeof(struct sublist_qgroup) +
                  n_qsubs * sizeof(void *) + names_len;
    struct sublist_result *r = bl_xmalloc(size);
    char *p = (char *)(r + 1);
    r->refs = 1;
    r->n_psubs = c->n_psubs;
    r->psubs = (void **)p;
    if (c->n_psubs > 0)
        memcpy(r->psubs, c->psubs, c->n_psubs * sizeof(void *));
    p += c->n_psubs * sizeof(void *);
    r->n_qgroups = n_groups;
    r->qgroups = n_groups > 0 ? (struct sublist_qgroup *)p : NULL;
    p += n_groups * sizeof(struct sublist_qgroup);
    if (c->n_psubs == 0)
        r->psubs = NULL;

    /* Size each group, then lay out member arrays and names. */
    for (size_t g = 0; g < n_groups; g++)
        r->qgroups[g].n_subs = 0;
    for (size_t i = 0; i < c->n_qnodes; i++)
        r->qgroups[group_of[i]].n_subs += c->qnodes[i]->n_subs;
    void **members = (void **)p;
    char *names = p + n_qsubs * sizeof(void *);
    for (size_t g = 0; g < n_groups; g++) {
        r->qgroups[g].subs = members;
        members += r->qgroups[g].n_subs;
        r->qgroups[g].n_subs = 0;
    }
    for (size_t i = 0; i < c->n_qnodes; i++) {
        const struct qnode *q = c->qnodes[i];
        struct sublist_qgroup *g = &r->qgroups[group_of[i]];
        if (g->n_subs == 0) {
            memcpy(names, q->name, q->name_len);
            names[q->name_len] = '\0';
            g->name = (struct bl_slice){names, q->name_len};
            names += q->name_len + 1;
        }
        memcpy(&g->subs[g->n_subs], q->subs, q->n_subs * sizeof(void *));
        g->n_subs += q->n_subs;
    }
    if (group_of != stack_group_of)
        bl_free(group_of);
    return r;
}

static struct sublist_result *result_empty(void)
{
    struct sublist_result *r = bl_xcalloc(1, sizeof(*r));
    r->refs = 1;
    return r;
}

static void count_fanout(struct sublist *sl, const struct sublist_result *r)
{
    uint64_t fanout = r->n_psubs + r->n_qgroups;
    sl->n_matches++;
    sl->sum_fanout += fanout;
    if (fanout > sl->max_fanout)
        sl->max_fanout = fanout;
}

struct sublist_result *sublist_match(struct sublist *sl,
                                     struct bl_slice subject)
{
    uint64_t hash = hash_bytes(subject.p, subject.len);
    struct centry *e = cache_lookup(sl, subject, hash);
    if (e != NULL) {
        sl->n_cache_hits++;
        e->result->refs++;
        count_fanout(sl, e->result);
        return e->result;
    }

    /* Only valid subjects reach the cache, so a hit needs no check. */
    if (!subject_valid_publish(subject)) {
        struct sublist_result *r = result_empty();
        count_fanout(sl, r);
        return r;
    }

    struct bl_slice stack_toks[STACK_TOKENS];
    uint64_t stack_hashes[STACK_TOKENS];
    size_t n_toks;
    struct bl_slice *toks = split(subject, stack_toks, &n_toks);
    uint64_t *hashes = n_toks <= STACK_TOKENS
                           ? stack_hashes
                           : bl_xmalloc(n_toks * sizeof(*hashes));
    for (size_t i = 0; i < n_toks; i++)
        hashes[i] = hash_bytes(toks[i].p, toks[i].len);

    struct collect *c = &sl->scratch;
    c->n_psubs = 0;
    c->n_qnodes = 0;
    match_level(&sl->root, toks, hashes, n_toks, 0, c);
    struct sublist_result *r = result_build(c);

    if (toks != stack_toks)
        bl_free(toks);
    if (hashes != stack_hashes)
        bl_free(hashes);

    /* A full cache admits only subjects missed before: replies to one-off
     * inboxes (every JetStream ack has its own) would otherwise evict
     * entries that are used again. */
    bool admit = sl->n_cache < CACHE_MAX;
    if (!admit) {
        if (sl->seen == NULL)
            sl->seen = bl_xcalloc(SEEN_SLOTS, sizeof(*sl->seen));
        uint64_t *slot = &sl->seen[hash & (SEEN_SLOTS - 1)];
        admit = *slot == hash;
        *slot = hash;
    }
    if (admit)
        cache_add(sl, subject, hash, r);
    count_fanout(sl, r);
    return r;
}

void sublist_result_release(struct sublist_result *r)
{
    if (r == NULL)
        return;
    assert(r->refs > 0);
    if (--r->refs == 0)
        bl_free(r);
}

/* --- public ------------------------------------------------------------ */

struct sublist *sublist_new(void)
{
    return bl_xcalloc(1, sizeof(struct sublist));
}

void sublist_free(struct sublist *sl)
{
    if (sl == NULL)
        return;
    cache_free(sl);
    bl_free(sl->seen);
    level_free(&sl->root);
    bl_free(sl->scratch.psubs);
    bl_free(sl->scratch.qnodes);
    bl_free(sl);
}

int sublist_insert(struct sublist *sl, struct bl_slice subject,
                   struct bl_slice queue, void *sub)
{
    if (!subject_valid_subscribe(subject))
        return BL_EINVAL;
    if (queue.len > 0 && !queue_name_valid(queue))
        return BL_EINVAL;

    struct bl_slice stack_toks[STACK_TOKENS];
    size_t n_toks;
    struct bl_slice *toks = split(subject, stack_toks, &n_toks);
    struct level *l = &sl->root;
    struct node *n = NULL;
    for (size_t i = 0; i < n_toks; i++) {
        n = level_child(l, toks[i]);
        if (i + 1 < n_toks) {
            if (n->next == NULL)
                n->next = bl_xcalloc(1, sizeof(*n->next));
            l = n->next;
        }
    }
    if (toks != stack_toks)
        bl_free(toks);
    node_add(n, queue, sub);

    sl->n_subs++;
    sl->n_inserts++;
    cache_invalidate(sl, subject);
    return 0;
}

int sublist_remove(struct sublist *sl, struct bl_slice subject,
                   struct bl_slice queue, void *sub)
{
    if (!subject_valid_subscribe(subject))
        return BL_ENOENT;

    struct bl_slice stack_toks[STACK_TOKENS];
    size_t n_toks;
    struct bl_slice *toks = split(subject, stack_toks, &n_toks);
    bool found = trie_remove(&sl->root, toks, n_toks, 0, queue, sub);
    if (toks != stack_toks)
        bl_free(toks);
    if (!found)
        return BL_ENOENT;

    sl->n_subs--;
    sl->n_removes++;
    cache_invalidate(sl, subject);
    return 0;
}

size_t sublist_count(const struct sublist *sl)
{
    return sl->n_subs;
}

void sublist_get_stats(const struct sublist *sl, struct sublist_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->n_subs = sl->n_subs;
    out->n_cache = sl->n_cache;
    out->n_inserts = sl->n_inserts;
    out->n_removes = sl->n_removes;
    out->n_matches = sl->n_matches;
    out->n_cache_hits = sl->n_cache_hits;
    out->max_fanout = sl->max_fanout;
    out->avg_fanout = sl->n_matches == 0
                          ? 0.0
                          : (double)sl->sum_fanout / (double)sl->n_matches;
}

/* --- visit ------------------------------------------------------------- */

/* Walks the trie depth-first with the filter so far in `path`; returns
 * nonzero once the callback asked to stop. */
static int visit_node(const struct node *n, struct bl_buf *path,
                      sublist_visit_cb cb, void *ctx);

static int visit_level(const struct level *l, struct bl_buf *path,
                       sublist_visit_cb cb, void *ctx)
{
    int rv;
    for (size_t b = 0; b < l->n_buckets; b++)
        for (const struct node *n = l->buckets[b]; n != NULL; n = n->chain)
            if ((rv = visit_node(n, path, cb, ctx)) != 0)
                return rv;
    if (l->pwc != NULL && (rv = visit_node(l->pwc, path, cb, ctx)) != 0)
        return rv;
    if (l->fwc != NULL && (rv = visit_node(l->fwc, path, cb, ctx)) != 0)
        return rv;
    return 0;
}

static int visit_node(const struct node *n, struct bl_buf *path,
                      sublist_visit_cb cb, void *ctx)
{
    size_t mark = path->len;
    int rv = 0;

    if (mark > 0)
        bl_buf_append(path, ".", 1);
    bl_buf_append(path, n->tok, n->tok_len);
    /* Callbacks may copy the subject, not keep it: path is rewritten. */
    struct bl_slice subject = {path->p, path->len};
    for (size_t i = 0; i < n->n_psubs && rv == 0; i++)
        rv = cb(ctx, subject, (struct bl_slice){"", 0}, n->psubs[i]);
    for (size_t q = 0; q < n->n_qnodes && rv == 0; q++) {
        const struct qnode *qn = &n->qnodes[q];
        struct bl_slice queue = {qn->name, qn->name_len};
        for (size_t i = 0; i < qn->n_subs && rv == 0; i++)
            rv = cb(ctx, subject, queue, qn->subs[i]);
    }
    if (rv == 0 && n->next != NULL)
        rv = visit_level(n->next, path, cb, ctx);
    path->len = mark;
    if (path->cap > 0)
        path->p[mark] = '\0';
    return rv;
}

void sublist_visit(const struct sublist *sl, sublist_visit_cb cb, void *ctx)
{
    struct bl_buf path;
    bl_buf_init(&path);
    visit_level(&sl->root, &path, cb, ctx);
    bl_buf_close(&path);
}
