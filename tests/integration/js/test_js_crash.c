/* Crash safety of the file store: publish asynchronously with a window of
 * acks in flight, SIGKILL the server in the middle, restart it on the same
 * store dir, and check that every message the server acknowledged is
 * there with the same sequence and payload. Several rounds, each adding to
 * the same stream, so data from earlier rounds must survive later crashes
 * too. The kill points are random; the seed is printed for a rerun
 * (BALLAST_TEST_CRASH_SEED). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "js_util.h"

#define ROUNDS 4
#define WINDOW 256          /* async publishes in flight */
#define MAX_PER_ROUND 60000 /* publishes per round, at most */
#define MAX_RECORDS (ROUNDS * MAX_PER_ROUND)
#define N_SUBJECTS 8

static struct harness_server srv;

struct record {
    uint64_t seq; /* acked stream sequence */
    uint32_t id;  /* message id: payload and subject derive from it */
};

struct acks {
    pthread_mutex_t mu;
    struct record *recs; /* MAX_RECORDS */
    int n;
    int n_err; /* negative acks (none expected) */
};

/* Payload of message `id` into `out` (at least 300 bytes); returns its
 * length, which varies with the id. */
static int payload_of(uint32_t id, char *out)
{
    int len = snprintf(out, 32, "crash-%u-", id);
    int total = 40 + (int)(id * 37 % 220);
    for (int j = len; j < total; j++)
        out[j] = (char)('a' + (id * 7 + (uint32_t)j) % 26);
    return total;
}

static void subject_of(uint32_t id, char *out, size_t cap)
{
    snprintf(out, cap, "crash.%u", id % N_SUBJECTS);
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
                   void *closure)
{
    struct acks *a = closure;
    unsigned id = 0;
    char head[32];
    int n = natsMsg_GetDataLength(msg);
    snprintf(head, sizeof(head), "%.*s", n < 31 ? n : 31, natsMsg_GetData(msg));
    int parsed = sscanf(head, "crash-%u-", &id) == 1;
    pthread_mutex_lock(&a->mu);
    if (pa != NULL && parsed && a->n < MAX_RECORDS) {
        a->recs[a->n].seq = pa->Sequence;
        a->recs[a->n].id = id;
        a->n++;
    } else if (pae != NULL && pae->ErrCode != 0) {
        /* A JetStream error, not a lost connection. */
        a->n_err++;
    }
    pthread_mutex_unlock(&a->mu);
    natsMsg_Destroy(msg);
}

/* Publishes messages from id `first_id` on, SIGKILLs the server after
 * `kill_at` of them, and goes on until the connection fails. Returns the
 * number of publish calls that succeeded. */
static int publish_and_kill(struct acks *a, uint32_t first_id, int kill_at)
{
    natsOptions *o = harness_opts(&srv);
    HARNESS_NATS_OK("no reconnect", natsOptions_SetAllowReconnect(o, false));
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = JSU_API_TIMEOUT_MS;
    jo.PublishAsync.MaxPending = WINDOW;
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = a;
    jo.PublishAsync.StallWait = 2000;
    struct jsu_conn c;
    jsu_connect_with(&c, o, &jo);
    natsOptions_Destroy(o);

    int sent = 0;
    natsStatus st = NATS_OK;
    char payload[320], subject[32];
    for (int i = 0; i < MAX_PER_ROUND; i++) {
        if (i == kill_at)
            harness_server_signal(&srv, SIGKILL);
        uint32_t id = first_id + (uint32_t)i;
        int len = payload_of(id, payload);
        subject_of(id, subject, sizeof(subject));
        st = js_PublishAsync(c.js, subject, payload, len, NULL);
        if (st != NATS_OK)
            break;
        sent++;
    }
    ck_assert_msg(sent >= kill_at,
                  "publishing stopped at %d before the kill at %d: %s (%s)",
                  sent, kill_at, natsStatus_GetText(st),
                  nats_GetLastError(NULL));
    ck_assert_msg(sent < MAX_PER_ROUND,
                  "publishing never failed after the kill");
    ck_assert_int_eq(harness_server_wait_exit(&srv, 5000), 0);
    ck_assert(WIFSIGNALED(srv.exit_status) &&
              WTERMSIG(srv.exit_status) == SIGKILL);
    jsu_close(&c);
    return sent;
}

/* Checks every acked record against the restarted server. */
static void verify(struct acks *a, struct jsu_conn *c)
{
    pthread_mutex_lock(&a->mu);
    int n = a->n;
    pthread_mutex_unlock(&a->mu);
    jsStreamState state;
    jsu_stream_state(c->js, "CRASH", &state);
    uint64_t max_seq = 0;
    char want[320], subject[32];
    for (int i = 0; i < n; i++) {
        struct record r = a->recs[i];
        if (r.seq > max_seq)
            max_seq = r.seq;
        natsMsg *m = NULL;
        jsErrCode jerr = 0;
        natsStatus st = js_GetMsg(&m, c->js, "CRASH", r.seq, NULL, &jerr);
        ck_assert_msg(
            st == NATS_OK, "acked message id %u at seq %llu is gone: %s (%d)",
            r.id, (unsigned long long)r.seq, natsStatus_GetText(st), (int)jerr);
        int len = payload_of(r.id, want);
        subject_of(r.id, subject, sizeof(subject));
        ck_assert_msg(natsMsg_GetDataLength(m) == len &&
                          memcmp(natsMsg_GetData(m), want, (size_t)len) == 0,
                      "seq %llu: payload differs from acked id %u",
                      (unsigned long long)r.seq, r.id);
        ck_assert_str_eq(natsMsg_GetSubject(m), subject);
        natsMsg_Destroy(m);
    }
    ck_assert_msg(state.LastSeq >= max_seq,
                  "last_seq %llu below the highest acked seq %llu",
                  (unsigned long long)state.LastSeq,
                  (unsigned long long)max_seq);
    /* Nothing is ever deleted from this stream, so no holes either. */
    ck_assert_int_eq(state.FirstSeq, 1);
    ck_assert_int_eq(state.Msgs, state.LastSeq);
}

static int by_seq(const void *x, const void *y)
{
    const struct record *a = x, *b = y;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Every message acknowledged before a SIGKILL is there after the restart,
 * at its sequence, with its payload; new publishes continue after it. */
START_TEST(acked_messages_survive_sigkill)
{
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("BALLAST_TEST_CRASH_SEED");
    if (env != NULL && env[0] != '\0')
        seed = (unsigned)strtoul(env, NULL, 10);
    printf("crash test seed %u\n", seed);
    srand(seed);

    struct acks a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    a.recs = calloc(MAX_RECORDS, sizeof(*a.recs));
    ck_assert_ptr_nonnull(a.recs);
    jsu_server_start(&srv, "store", NULL);
    struct jsu_conn c;
    jsu_connect(&c, &srv);
    jsu_add_simple_stream(c.js, "CRASH", "crash.*");
    jsu_close(&c);

    uint32_t next_id = 1;
    for (int round = 0; round < ROUNDS; round++) {
        int kill_at = 500 + rand() % 4000;
        int before = a.n;
        int sent = publish_and_kill(&a, next_id, kill_at);
        next_id += (uint32_t)sent;
        printf("round %d: killed after %d publishes, %d sent, %d acked\n",
               round, kill_at, sent, a.n - before);
        /* The window bounds what can be unacked when the kill is sent. */
        ck_assert_msg(a.n - before >= kill_at - WINDOW,
                      "only %d of %d publishes acked before the kill",
                      a.n - before, kill_at);

        harness_server_restart(&srv);
        jsu_connect(&c, &srv);
        verify(&a, &c);
        /* The sequence carries on from what survived. */
        jsStreamState state;
        jsu_stream_state(c.js, "CRASH", &state);
        ck_assert_int_eq(jsu_publish(c.js, "crash.x", "after restart"),
                         state.LastSeq + 1);
        jsu_close(&c);
    }
    ck_assert_int_eq(a.n_err, 0);
    /* No sequence was acked twice. */
    qsort(a.recs, (size_t)a.n, sizeof(*a.recs), by_seq);
    for (int i = 1; i < a.n; i++)
        ck_assert_msg(a.recs[i].seq != a.recs[i - 1].seq,
                      "seq %llu acked for ids %u and %u",
                      (unsigned long long)a.recs[i].seq, a.recs[i].id,
                      a.recs[i - 1].id);
    free(a.recs);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("js/crash");
    HARNESS_ADD(s, acked_messages_survive_sigkill, 100);
    return s;
}

int main(void)
{
    return harness_main(crash_suite());
}
