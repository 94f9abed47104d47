/*
 * parallel.c - one EVTX file's chunks parsed on several threads, output in
 * file order.
 *
 * Chunks are independent (chunk.c), so a chunk slot is a unit of work. The
 * caller's thread reads the file header, then workers (a fixed pool) take
 * slot indexes in increasing order from a shared counter; each reads its
 * slot into its own 64 KiB buffer (pread, or the caller's memory), parses it
 * with its own ws_evtx_chunk and renders every item into the slot's output
 * buffer in a ring of 2 x threads. The caller's thread waits for slot d, the
 * next in file order, delivers its output, empties it and advances; a worker
 * takes slot i only once i < delivered + window, so at most window chunks
 * are in flight and memory is threads x 64 KiB + window x one chunk's
 * rendered output, whatever the file size.
 *
 * A fatal status in a slot (read error, out of memory, a render failure) is
 * delivered after the output before it, then everything stops, as
 * ws_evtx_next would. One thread (or one slot) runs inline with no pool; a
 * legacy EVT log goes through ws_evtx_next on the caller's thread.
 *
 * Locking: one mutex over the counters and each slot's done flag; a slot's
 * buffer belongs to its worker from taking until done, then to the caller
 * until delivered.
 */
#include "core/compat.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "evtx/file_impl.h"
#include "wormsign/evtx.h"

/* legacy EVT output is delivered in pieces of about this size */
#define LEGACY_FLUSH (64u * 1024u)

struct slot {
    struct ws_buf out;
    size_t errors;
    ws_status st; /* fatal status met while parsing this slot */
    int done;
};

struct pool {
    ws_evtx *r;
    const struct ws_evtx_par *p;
    pthread_mutex_t lock;
    pthread_cond_t cond_done, cond_space;
    uint64_t slots, next_parse, next_deliver;
    size_t window;
    struct slot *ring;
    int stop;
};

struct worker {
    struct pool *pool;
    pthread_t thread;
    ws_evtx_chunk *chunk;
    uint8_t *buf;
    int started;
};

/* Parse slot idx into s; a fatal status goes to s->st. */
static void parse_slot(const struct pool *pl, ws_evtx_chunk *c, uint8_t *buf, uint64_t idx,
                       struct slot *s)
{
    const uint8_t *data;
    size_t got;
    unsigned flags;
    ws_status st = ws_evtx_read_slot(pl->r, idx, buf, &data, &got, &flags);
    if (st != WS_OK || got == 0) {
        s->st = st;
        return;
    }
    ws_evtx_chunk_load(c, data, got, idx, WS_EVTX_FILE_HEADER_SIZE + idx * WS_EVTX_CHUNK_SIZE,
                       flags);
    /* chunk.c consumes the chunk on every item and ends within it */
    for (;;) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev = NULL;
        const struct ws_evtx_error *err = NULL;
        if ((st = ws_evtx_chunk_next(c, &kind, &ev, &err)) != WS_OK)
            break;
        if (kind == WS_EVTX_END)
            break;
        if ((st = pl->p->render(pl->p->ctx, &s->out, kind, ev, err, &s->errors)) != WS_OK)
            break;
    }
    s->st = st;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *pl = w->pool;
    pthread_mutex_lock(&pl->lock);
    for (;;) {
        while (!pl->stop && pl->next_parse < pl->slots &&
               pl->next_parse >= pl->next_deliver + pl->window)
            pthread_cond_wait(&pl->cond_space, &pl->lock);
        if (pl->stop || pl->next_parse >= pl->slots)
            break;
        uint64_t idx = pl->next_parse++;
        struct slot *s = &pl->ring[idx % pl->window];
        pthread_mutex_unlock(&pl->lock);
        parse_slot(pl, w->chunk, w->buf, idx, s);
        pthread_mutex_lock(&pl->lock);
        s->done = 1;
        pthread_cond_signal(&pl->cond_done); /* only the caller waits on it */
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

/* Deliver s and empty it; returns the status that stops the reading. */
static ws_status deliver_slot(const struct ws_evtx_par *p, uint64_t idx, struct slot *s)
{
    ws_status st = p->deliver(p->ctx, idx, s->out.data, s->out.len, s->errors);
    if (st == WS_OK)
        st = s->st;
    ws_buf_reset(&s->out);
    s->errors = 0;
    s->st = WS_OK;
    s->done = 0;
    return st;
}

static ws_status run_inline(struct pool *pl)
{
    ws_status st;
    ws_evtx_chunk *c = NULL;
    uint8_t *buf = ws_malloc(WS_EVTX_CHUNK_SIZE);
    if (!buf)
        return WS_E_NOMEM;
    if ((st = ws_evtx_chunk_new(&c)) != WS_OK)
        goto out;
    for (uint64_t i = 0; i < pl->slots && st == WS_OK; i++) {
        parse_slot(pl, c, buf, i, &pl->ring[0]);
        st = deliver_slot(pl->p, i, &pl->ring[0]);
    }
out:
    ws_evtx_chunk_free(c);
    ws_free(buf);
    return st;
}

static ws_status run_pool(struct pool *pl, unsigned threads)
{
    ws_status st = WS_OK;
    struct worker *w = ws_calloc(threads, sizeof *w);
    if (!w)
        return WS_E_NOMEM;
    for (unsigned i = 0; i < threads && st == WS_OK; i++) {
        w[i].pool = pl;
        if ((st = ws_evtx_chunk_new(&w[i].chunk)) == WS_OK &&
            !(w[i].buf = ws_malloc(WS_EVTX_CHUNK_SIZE)))
            st = WS_E_NOMEM;
    }
    unsigned started = 0;
    for (unsigned i = 0; i < threads && st == WS_OK; i++) {
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            break; /* fewer workers still finish the work */
        w[i].started = 1;
        started++;
    }
    if (st == WS_OK && started == 0)
        st = WS_E_NOMEM;
    for (uint64_t d = 0; d < pl->slots && st == WS_OK; d++) {
        struct slot *s = &pl->ring[d % pl->window];
        pthread_mutex_lock(&pl->lock);
        while (!s->done)
            pthread_cond_wait(&pl->cond_done, &pl->lock);
        pthread_mutex_unlock(&pl->lock);
        st = deliver_slot(pl->p, d, s);
        pthread_mutex_lock(&pl->lock);
        pl->next_deliver = d + 1;
        pthread_cond_broadcast(&pl->cond_space);
        pthread_mutex_unlock(&pl->lock);
    }
    pthread_mutex_lock(&pl->lock);
    pl->stop = 1;
    pthread_cond_broadcast(&pl->cond_space);
    pthread_mutex_unlock(&pl->lock);
    for (unsigned i = 0; i < threads; i++) {
        if (w[i].started)
            pthread_join(w[i].thread, NULL);
        ws_evtx_chunk_free(w[i].chunk);
        ws_free(w[i].buf);
    }
    ws_free(w);
    return st;
}

static ws_status run_legacy(ws_evtx *r, const struct ws_evtx_par *p, struct ws_buf *out)
{
    ws_status st;
    size_t errors = 0;
    for (;;) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev = NULL;
        const struct ws_evtx_error *err = NULL;
        if ((st = ws_evtx_next(r, &kind, &ev, &err)) != WS_OK || kind == WS_EVTX_END)
            break;
        if ((st = p->render(p->ctx, out, kind, ev, err, &errors)) != WS_OK)
            break;
        if (out->len >= LEGACY_FLUSH) {
            if ((st = p->deliver(p->ctx, UINT64_MAX, out->data, out->len, errors)) != WS_OK)
                return st;
            ws_buf_reset(out);
            errors = 0;
        }
    }
    if (out->len || errors) {
        ws_status d = p->deliver(p->ctx, UINT64_MAX, out->data, out->len, errors);
        if (st == WS_OK)
            st = d;
    }
    return st;
}

static unsigned pick_threads(unsigned want, uint64_t slots)
{
    if (want == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        want =
            c > 0 ? (unsigned)(c < (long)WS_EVTX_MAX_THREADS ? c : (long)WS_EVTX_MAX_THREADS) : 1u;
    }
    if (want > WS_EVTX_MAX_THREADS)
        want = WS_EVTX_MAX_THREADS;
    if ((uint64_t)want > slots)
        want = (unsigned)slots;
    return want ? want : 1u;
}

ws_status ws_evtx_parallel(ws_evtx *r, const struct ws_evtx_par *p)
{
    ws_status st;
    struct pool pl;
    const struct ws_evtx_error *herr;
    if (!r || !p || !p->render || !p->deliver)
        return WS_E_INVALID;
    memset(&pl, 0, sizeof pl);
    pl.r = r;
    pl.p = p;
    if (ws_evtx_is_legacy(r)) {
        struct ws_buf out;
        ws_buf_init(&out, p->out_max);
        st = run_legacy(r, p, &out);
        ws_buf_release(&out);
        return st;
    }
    if ((st = ws_evtx_take_header(r, &herr)) != WS_OK)
        return st;
    if (herr) {
        struct slot h;
        memset(&h, 0, sizeof h);
        ws_buf_init(&h.out, p->out_max);
        h.st = p->render(p->ctx, &h.out, WS_EVTX_ERROR, NULL, herr, &h.errors);
        st = deliver_slot(p, UINT64_MAX, &h);
        ws_buf_release(&h.out);
        if (st != WS_OK)
            return st;
    }
    pl.slots = ws_evtx_chunk_slots(r);
    if (pl.slots == 0)
        return WS_OK;
    unsigned threads = pick_threads(p->threads, pl.slots);
    pl.window = threads > 1 ? 2u * threads : 1u;
    pl.ring = ws_calloc(pl.window, sizeof *pl.ring);
    if (!pl.ring)
        return WS_E_NOMEM;
    for (size_t i = 0; i < pl.window; i++)
        ws_buf_init(&pl.ring[i].out, p->out_max);
    if (threads == 1) {
        st = run_inline(&pl);
    } else {
        pthread_mutex_init(&pl.lock, NULL);
        pthread_cond_init(&pl.cond_done, NULL);
        pthread_cond_init(&pl.cond_space, NULL);
        st = run_pool(&pl, threads);
        pthread_cond_destroy(&pl.cond_space);
        pthread_cond_destroy(&pl.cond_done);
        pthread_mutex_destroy(&pl.lock);
    }
    for (size_t i = 0; i < pl.window; i++)
        ws_buf_release(&pl.ring[i].out);
    ws_free(pl.ring);
    return st;
}

/* ---- Items through the pool: packed by workers, unpacked in order ----
 *
 * Packing (native byte order, memory only): u8 kind, then for an event the
 * scalars, each sys string and each field name and value as (u64 length,
 * present flag, bytes, NUL); for an error its scalars and the static message
 * pointer. Strings handed to fn point into the chunk's buffer. */

struct unpack {
    ws_evtx_item_fn fn;
    void *ctx;
    struct ws_evtx_field *fields;
    size_t cap_fields;
};

static ws_status put(struct ws_buf *b, const void *p, size_t n)
{
    return ws_buf_add(b, p, n);
}

static ws_status put_str(struct ws_buf *b, struct ws_evtx_str s)
{
    uint64_t n = s.len;
    uint8_t present = s.s != NULL;
    ws_status st = put(b, &n, sizeof n);
    if (st == WS_OK)
        st = put(b, &present, 1);
    if (st == WS_OK && present)
        st = put(b, s.s, s.len);
    if (st == WS_OK && present)
        st = ws_buf_addc(b, '\0');
    return st;
}

static ws_status pack_item(void *ctx, struct ws_buf *out, enum ws_evtx_item kind,
                           const struct ws_evtx_event *ev, const struct ws_evtx_error *err,
                           size_t *errors)
{
    (void)ctx;
    uint8_t k = (uint8_t)kind;
    size_t mark = out->len;
    ws_status st = put(out, &k, 1);
    if (kind == WS_EVTX_ERROR) {
        (*errors)++;
        if (st == WS_OK)
            st = put(out, err, sizeof *err); /* message is static text */
        if (st != WS_OK)
            ws_buf_truncate(out, mark); /* the chunk's items so far stay whole */
        return st;
    }
    if (st == WS_OK)
        st = put(out, ev, sizeof *ev); /* scalars; pointers are replaced on unpacking */
    for (int i = 0; i < WS_EVTX_SYS_COUNT && st == WS_OK; i++)
        st = put_str(out, ev->sys[i]);
    for (size_t i = 0; i < ev->n_fields && st == WS_OK; i++) {
        st = put_str(out, ev->fields[i].name);
        if (st == WS_OK)
            st = put_str(out, ev->fields[i].value);
    }
    if (st != WS_OK)
        ws_buf_truncate(out, mark);
    return st;
}

/* Take n bytes at *off of [p, end); 0 when they are not there. */
static int take(const char *p, size_t len, size_t *off, void *dst, size_t n)
{
    if (*off > len || n > len - *off)
        return 0;
    memcpy(dst, p + *off, n);
    *off += n;
    return 1;
}

static int take_str(const char *p, size_t len, size_t *off, struct ws_evtx_str *s)
{
    uint64_t n;
    uint8_t present;
    if (!take(p, len, off, &n, sizeof n) || !take(p, len, off, &present, 1))
        return 0;
    s->s = NULL;
    s->len = 0;
    if (!present)
        return 1;
    if (*off > len || n >= len - *off)
        return 0;
    s->s = p + *off;
    s->len = (size_t)n;
    *off += (size_t)n + 1;
    return 1;
}

static ws_status unpack_chunk(void *ctx, uint64_t chunk, const char *p, size_t len, size_t errors)
{
    struct unpack *u = ctx;
    size_t off = 0;
    (void)chunk;
    (void)errors;
    /* each pass consumes at least the kind byte */
    while (off < len) {
        uint8_t k;
        struct ws_evtx_event ev;
        struct ws_evtx_error err;
        ws_status st;
        if (!take(p, len, &off, &k, 1))
            return WS_E_CORRUPT;
        if (k == WS_EVTX_ERROR) {
            if (!take(p, len, &off, &err, sizeof err))
                return WS_E_CORRUPT;
            if ((st = u->fn(u->ctx, WS_EVTX_ERROR, NULL, &err)) != WS_OK)
                return st;
            continue;
        }
        if (!take(p, len, &off, &ev, sizeof ev))
            return WS_E_CORRUPT;
        for (int i = 0; i < WS_EVTX_SYS_COUNT; i++)
            if (!take_str(p, len, &off, &ev.sys[i]))
                return WS_E_CORRUPT;
        if (WS_GROW(u->fields, u->cap_fields, ev.n_fields) != 0)
            return WS_E_NOMEM;
        for (size_t i = 0; i < ev.n_fields; i++)
            if (!take_str(p, len, &off, &u->fields[i].name) ||
                !take_str(p, len, &off, &u->fields[i].value))
                return WS_E_CORRUPT;
        ev.fields = u->fields;
        if ((st = u->fn(u->ctx, WS_EVTX_EVENT, &ev, NULL)) != WS_OK)
            return st;
    }
    return WS_OK;
}

ws_status ws_evtx_parallel_items(ws_evtx *r, unsigned threads, ws_evtx_item_fn fn, void *ctx)
{
    struct unpack u = {fn, ctx, NULL, 0};
    struct ws_evtx_par p = {threads, WS_EVTX_CHUNK_OUT_MAX, pack_item, unpack_chunk, &u};
    ws_status st = WS_OK;
    if (!fn || !r)
        return WS_E_INVALID;
    if (threads == 1) {
        /* no workers: straight from the reader, nothing copied */
        for (;;) {
            enum ws_evtx_item kind;
            const struct ws_evtx_event *ev = NULL;
            const struct ws_evtx_error *err = NULL;
            if ((st = ws_evtx_next(r, &kind, &ev, &err)) != WS_OK || kind == WS_EVTX_END)
                break;
            if ((st = fn(ctx, kind, ev, err)) != WS_OK)
                break;
        }
        return st;
    }
    st = ws_evtx_parallel(r, &p);
    ws_free(u.fields);
    return st;
}
