/* Subject rules as nats-server applies them: tokens separated by '.', no
 * empty token, no whitespace. '*' and '>' are wildcards only when they make
 * up a whole token, so "foo.*bar" is an ordinary literal subject. */
#include "subj/subject.h"

#include <stddef.h>
#include <string.h>

/* A cursor over the tokens of a subject. */
struct tok_iter {
    const char *p;   /* start of the next token */
    const char *end; /* end of the subject */
    bool done;       /* no token left */
};

static void tok_iter_init(struct tok_iter *it, struct bl_slice s)
{
    it->p = s.p;
    it->end = s.p + s.len;
    it->done = s.len == 0;
}

/* Hands out the next token; false when there is none. An empty subject has
 * no token, "a..b" has an empty one in the middle. */
static bool tok_next(struct tok_iter *it, struct bl_slice *tok)
{
    if (it->done)
        return false;
    const char *dot = memchr(it->p, '.', (size_t)(it->end - it->p));
    if (dot == NULL) {
        *tok = (struct bl_slice){it->p, (size_t)(it->end - it->p)};
        it->done = true;
    } else {
        *tok = (struct bl_slice){it->p, (size_t)(dot - it->p)};
        it->p = dot + 1;
    }
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

static bool is_pwc(struct bl_slice tok)
{
    return tok.len == 1 && tok.p[0] == '*';
}

static bool is_fwc(struct bl_slice tok)
{
    return tok.len == 1 && tok.p[0] == '>';
}

/* Checks the shape shared by publish and subscribe subjects. Reports whether
 * a wildcard token was seen. */
static bool valid_shape(struct bl_slice s, bool *has_wildcard)
{
    struct tok_iter it;
    struct bl_slice tok;
    bool after_fwc = false;

    *has_wildcard = false;
    if (s.len == 0)
        return false;
    tok_iter_init(&it, s);
    while (tok_next(&it, &tok)) {
        if (tok.len == 0 || after_fwc)
            return false;
        for (size_t i = 0; i < tok.len; i++)
            if (is_space(tok.p[i]))
                return false;
        if (is_fwc(tok)) {
            after_fwc = true;
            *has_wildcard = true;
        } else if (is_pwc(tok)) {
            *has_wildcard = true;
        }
    }
    return true;
}

bool subject_valid_publish(struct bl_slice s)
{
    bool wc;
    return valid_shape(s, &wc) && !wc;
}

bool subject_valid_subscribe(struct bl_slice s)
{
    bool wc;
    return valid_shape(s, &wc);
}

bool subject_is_literal(struct bl_slice s)
{
    struct tok_iter it;
    struct bl_slice tok;

    tok_iter_init(&it, s);
    while (tok_next(&it, &tok))
        if (is_pwc(tok) || is_fwc(tok))
            return false;
    return true;
}

bool subject_matches(struct bl_slice filter, struct bl_slice subject)
{
    struct tok_iter fi, si;
    struct bl_slice ft, st;

    if (filter.len == 0 || subject.len == 0)
        return false;
    tok_iter_init(&fi, filter);
    tok_iter_init(&si, subject);
    for (;;) {
        bool has_f = tok_next(&fi, &ft);
        bool has_s = tok_next(&si, &st);
        if (!has_f || !has_s)
            return has_f == has_s;
        /* '>' needs at least one token, which st is. */
        if (is_fwc(ft))
            return true;
        if (!is_pwc(ft) && !bl_slice_eq(ft, st))
            return false;
    }
}

bool subject_overlaps(struct bl_slice a, struct bl_slice b)
{
    struct tok_iter ai, bi;
    struct bl_slice at, bt;

    if (a.len == 0 || b.len == 0)
        return false;
    tok_iter_init(&ai, a);
    tok_iter_init(&bi, b);
    for (;;) {
        bool has_a = tok_next(&ai, &at);
        bool has_b = tok_next(&bi, &bt);
        if (!has_a || !has_b)
            return has_a == has_b;
        /* Both sides still have a token here, so '>' can swallow the rest
         * of the other filter whatever it is. */
        if (is_fwc(at) || is_fwc(bt))
            return true;
        if (is_pwc(at) || is_pwc(bt))
            continue;
        if (!bl_slice_eq(at, bt))
            return false;
    }
}

bool subject_is_subset(struct bl_slice sub, struct bl_slice super)
{
    struct tok_iter si, pi;
    struct bl_slice st, pt;

    if (sub.len == 0 || super.len == 0)
        return false;
    tok_iter_init(&si, sub);
    tok_iter_init(&pi, super);
    for (;;) {
        bool has_s = tok_next(&si, &st);
        bool has_p = tok_next(&pi, &pt);
        if (!has_s || !has_p)
            return has_s == has_p;
        if (is_fwc(pt))
            return true;
        /* sub's '>' stands for subjects of any length; super, lacking a
         * '>' here, has a fixed number of tokens left. */
        if (is_fwc(st))
            return false;
        if (is_pwc(pt))
            continue;
        if (is_pwc(st) || !bl_slice_eq(st, pt))
            return false;
    }
}

bool queue_name_valid(struct bl_slice q)
{
    if (q.len == 0)
        return false;
    for (size_t i = 0; i < q.len; i++)
        if (is_space(q.p[i]))
            return false;
    return true;
}
