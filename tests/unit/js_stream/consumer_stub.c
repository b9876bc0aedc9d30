#include "consumer_stub.h"

#include "ballast/mem.h"
#include "subj/subject.h"

#include <assert.h>
#include <string.h>

void consumer_stub_init(struct consumer *c, const char *filter)
{
    memset(c, 0, sizeof(*c));
    js_consumer_config_init(&c->cfg);
    if (filter != NULL)
        c->cfg.filter_subject = bl_xstrdup(filter);
}

void consumer_stub_close(struct consumer *c)
{
    js_consumer_config_close(&c->cfg);
}

void consumer_stub_attach(struct consumer *c, struct stream *s)
{
    c->s = s;
    stream_attach_consumer(s, c);
}

void consumer_stub_ack(struct consumer *c, struct stream *s, uint64_t seq)
{
    assert(c->n_acked < CONSUMER_STUB_MAX_ACKS);
    c->acked[c->n_acked++] = seq;
    stream_msg_acked(s, seq);
}

bool consumer_needs_msg(const struct consumer *c, uint64_t seq)
{
    if (c->n_purged > 0 && seq < c->purged_first)
        return false;
    for (size_t i = 0; i < c->n_acked; i++)
        if (c->acked[i] == seq)
            return false;
    if (c->s == NULL || c->cfg.filter_subject == NULL)
        return true;
    struct store_msg m;
    char errmsg[BL_ERRMSG_SIZE];
    store_msg_init(&m);
    bool match = store_load(stream_store(c->s), seq, &m, errmsg) == 0 &&
                 subject_matches(bl_slice_of(c->cfg.filter_subject), m.subject);
    store_msg_close(&m);
    return match;
}

void consumer_signal(struct consumer *c)
{
    c->n_signals++;
}

const struct js_consumer_config *consumer_config(const struct consumer *c)
{
    return &c->cfg;
}

void consumer_purged(struct consumer *c, uint64_t first_seq)
{
    c->n_purged++;
    c->purged_first = first_seq;
}
