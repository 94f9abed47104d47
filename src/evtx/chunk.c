/*
 * chunk.c - one 64 KiB EVTX chunk: header checks, then its records.
 *
 * Chunk header (libyal EVTX notes 3.1; offsets in the chunk):
 *   0x00  8  "ElfChnk\0"
 *   0x08  8  first event record number      0x10  8  last event record number
 *   0x18  8  first event record identifier  0x20  8  last event record identifier
 *   0x28  4  header size (128)              0x2C  4  last event record offset
 *   0x30  4  free space offset (end of the records)
 *   0x34  4  CRC32 of the records data [0x200, free space offset)
 *   0x78  4  flags                          0x7C  4  CRC32 of [0, 0x78) + [0x80, 0x200)
 *   0x80  256 common string offsets         0x180 128 template offsets
 * Record (3.2):
 *   0x00  4  0x00002a2a    0x04  4  size    0x08  8  record identifier
 *   0x10  8  FILETIME      0x18  size-28 BinXML      size-4  4  copy of size
 *
 * States: START (header not checked yet) -> ERRORS (queued header problems
 * are handed out) -> RECORDS (pos walks the records) -> DONE. A CRC
 * mismatch is reported but the records are still read: each one is framed
 * and checked on its own, and a flipped byte must not hide a whole chunk.
 * A record whose framing is broken is reported and the parser scans forward
 * for the next plausible record header (magic, size and trailing size copy
 * agree), so one bad record costs only itself.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "core/limits.h"
#include "evtx/binxml.h"
#include "evtx/crc32.h"
#include "evtx/event.h"
#include "wormsign/evtx.h"

#define CHUNK_HEADER_SIZE 0x200u
#define RECORD_HEADER_SIZE 24u
#define RECORD_MIN_SIZE 28u /* header + trailing size copy */
#define MAX_QUEUED 4

enum chunk_state { ST_START = 0, ST_RECORDS, ST_SLACK, ST_DONE };

struct ws_evtx_chunk {
    struct ws_bx_ctx *bx;
    struct ws_evtx_builder b;
    const uint8_t *p;
    size_t n;
    uint64_t index, file_off;
    unsigned flags;
    enum chunk_state state;
    size_t pos, end;
    size_t loose_pos;    /* a record whose size copy is wrong, decoded next */
    uint32_t loose_size; /* 0: none */
    struct ws_evtx_error queue[MAX_QUEUED];
    size_t n_queued, next_queued;
    struct ws_evtx_event ev;
    struct ws_evtx_error err;
};

ws_status ws_evtx_chunk_new(ws_evtx_chunk **out)
{
    ws_status st;
    struct ws_evtx_chunk *c = ws_calloc(1, sizeof *c);
    if (!c)
        return WS_E_NOMEM;
    ws_evb_init(&c->b);
    if ((st = ws_bx_ctx_new(&c->bx)) != WS_OK) {
        ws_evtx_chunk_free(c);
        return st;
    }
    c->state = ST_DONE;
    *out = c;
    return WS_OK;
}

void ws_evtx_chunk_free(ws_evtx_chunk *c)
{
    if (!c)
        return;
    ws_bx_ctx_free(c->bx);
    ws_evb_release(&c->b);
    ws_free(c);
}

void ws_evtx_chunk_load(ws_evtx_chunk *c, const void *p, size_t n, uint64_t index,
                        uint64_t file_offset, unsigned flags)
{
    c->p = p;
    c->n = n;
    c->index = index;
    c->file_off = file_offset;
    c->flags = flags;
    c->state = ST_START;
    c->n_queued = c->next_queued = 0;
    c->loose_size = 0;
}

static void queue_error(struct ws_evtx_chunk *c, ws_status code, const char *msg, size_t off)
{
    if (c->n_queued >= MAX_QUEUED)
        return;
    struct ws_evtx_error *e = &c->queue[c->n_queued++];
    memset(e, 0, sizeof *e);
    e->code = code;
    e->message = msg;
    e->chunk = c->index;
    e->offset = c->file_off + off;
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Check the header; queue what is wrong; set the record range. Returns 0
 * when the chunk holds no records to read. */
static int check_header(struct ws_evtx_chunk *c)
{
    if (c->n < 8 || memcmp(c->p, "ElfChnk", 8) != 0) {
        /* an all-zero slot never held a chunk (preallocated space), even
         * when a dirty header counts it: nothing is lost, nothing to say */
        if (!(c->flags & WS_EVTX_UNALLOCATED) && !all_zero(c->p, c->n))
            queue_error(c, WS_E_CORRUPT, "bad chunk magic", 0);
        return 0;
    }
    if (c->n < CHUNK_HEADER_SIZE) {
        queue_error(c, WS_E_TRUNCATED, "truncated chunk header", 0);
        return 0;
    }
    if (!(c->flags & WS_EVTX_NO_CRC)) {
        uint32_t crc = ws_crc32(0, c->p, 0x78);
        crc = ws_crc32(crc, c->p + 0x80, CHUNK_HEADER_SIZE - 0x80);
        if (crc != ld32(c->p + 0x7C))
            queue_error(c, WS_E_CORRUPT, "chunk header crc32 mismatch", 0x7C);
    }
    uint32_t free_off = ld32(c->p + 0x30);
    if (free_off < CHUNK_HEADER_SIZE || free_off > c->n) {
        queue_error(c, WS_E_CORRUPT, "chunk free space offset out of range", 0x30);
        c->end = c->n;
    } else {
        c->end = free_off;
        if (!(c->flags & WS_EVTX_NO_CRC) &&
            ws_crc32(0, c->p + CHUNK_HEADER_SIZE, free_off - CHUNK_HEADER_SIZE) !=
                ld32(c->p + 0x34))
            queue_error(c, WS_E_CORRUPT, "chunk records crc32 mismatch", 0x34);
    }
    if (c->n < WS_EVTX_CHUNK_SIZE)
        queue_error(c, WS_E_TRUNCATED, "truncated chunk (file ends inside it)", 0);
    c->pos = CHUNK_HEADER_SIZE;
    return 1;
}

static ws_status decode_record(struct ws_evtx_chunk *c, size_t pos, uint32_t size, int quiet,
                               enum ws_evtx_item *kind, const struct ws_evtx_event **ev,
                               const struct ws_evtx_error **err);

/* Is there a well-framed record at off, ending by limit? */
static int framed_in(const struct ws_evtx_chunk *c, size_t off, size_t limit, uint32_t *size)
{
    if (off > limit || limit - off < RECORD_MIN_SIZE)
        return 0;
    if (ld32(c->p + off) != 0x00002a2au)
        return 0;
    uint32_t sz = ld32(c->p + off + 4);
    if (sz < RECORD_MIN_SIZE || sz > limit - off)
        return 0;
    if (ld32(c->p + off + sz - 4) != sz)
        return 0;
    *size = sz;
    return 1;
}

static int framed(const struct ws_evtx_chunk *c, size_t off, uint32_t *size)
{
    return framed_in(c, off, c->end, size);
}

/* Slack carving: from pos to the end of the chunk, the next framed record
 * that decodes. Each pass moves pos forward; failures are quiet (slack is
 * leftovers, partly overwritten by design). */
static ws_status next_slack(struct ws_evtx_chunk *c, enum ws_evtx_item *kind,
                            const struct ws_evtx_event **ev, const struct ws_evtx_error **err)
{
    uint32_t size;
    ws_status st;
    while (c->pos + RECORD_MIN_SIZE <= c->n) {
        const uint8_t *hit = memchr(c->p + c->pos, 0x2a, c->n - c->pos);
        if (!hit)
            break;
        size_t off = (size_t)(hit - c->p);
        if (!framed_in(c, off, c->n, &size)) {
            c->pos = off + 1;
            continue;
        }
        if ((st = decode_record(c, off, size, 1, kind, ev, err)) != WS_OK)
            return st;
        /* a carved record must at least decode to an event with an EventID:
         * overwritten leftovers can frame and decode to nothing useful */
        if (*kind == WS_EVTX_EVENT && c->ev.sys[WS_EVTX_SYS_EVENT_ID].s) {
            c->pos = off + size;
            c->ev.recovered = 1;
            return WS_OK;
        }
        c->pos = off + 1;
    }
    c->state = ST_DONE;
    *kind = WS_EVTX_END;
    return WS_OK;
}

/* After a bad record at pos: the next offset where a framed record starts,
 * or the end. One pass over at most the rest of the chunk. */
static size_t resync(const struct ws_evtx_chunk *c, size_t pos)
{
    uint32_t sz;
    size_t limit = c->end;
    for (size_t off = pos + 1; off + RECORD_MIN_SIZE <= limit; off++) {
        const uint8_t *hit = memchr(c->p + off, 0x2a, limit - off);
        if (!hit)
            break;
        off = (size_t)(hit - c->p);
        if (framed(c, off, &sz))
            return off;
    }
    return c->end;
}

/* Decode the record at pos (size bytes, framing already judged). Returns
 * WS_OK and an item; with quiet, a decoding failure yields no item
 * (*kind = WS_EVTX_END) because the record was already reported. */
static ws_status decode_record(struct ws_evtx_chunk *c, size_t pos, uint32_t size, int quiet,
                               enum ws_evtx_item *kind, const struct ws_evtx_event **ev,
                               const struct ws_evtx_error **err)
{
    struct ws_cur h;
    uint64_t id, ft;
    ws_cur_init(&h, c->p + pos + 8, 16);
    if (ws_cur_le64(&h, &id) != WS_OK || ws_cur_le64(&h, &ft) != WS_OK)
        return WS_E_CORRUPT; /* cannot happen: the caller checked 28 bytes */
    ws_evb_reset(&c->b);
    size_t where = 0;
    const char *what = NULL;
    ws_status st = ws_bx_run(c->bx, pos + RECORD_HEADER_SIZE, size - RECORD_MIN_SIZE, &c->b.sink,
                             &where, &what);
    if (st == WS_OK && c->b.depth != 0) {
        st = WS_E_CORRUPT;
        what = "unbalanced elements in record";
        where = pos;
    }
    if (st == WS_OK) {
        memset(&c->ev, 0, sizeof c->ev);
        st = ws_evb_finish(&c->b, &c->ev);
    }
    if (st == WS_E_NOMEM)
        return st;
    if (st != WS_OK && quiet) {
        *kind = WS_EVTX_END;
        return WS_OK;
    }
    if (st != WS_OK) {
        c->err.code = st;
        c->err.message = what ? what : "record cannot be decoded";
        c->err.offset = c->file_off + (where ? where : pos);
        c->err.has_record_id = 1;
        c->err.record_id = id;
        *kind = WS_EVTX_ERROR;
        *err = &c->err;
        return WS_OK;
    }
    c->ev.record_id = id;
    c->ev.filetime = ft;
    c->ev.chunk = c->index;
    c->ev.offset = c->file_off + pos;
    *kind = WS_EVTX_EVENT;
    *ev = &c->ev;
    return WS_OK;
}

static ws_status next_record(struct ws_evtx_chunk *c, enum ws_evtx_item *kind,
                             const struct ws_evtx_event **ev, const struct ws_evtx_error **err)
{
    uint32_t size;
    ws_status st;
    if (c->loose_size) {
        /* a record reported for its size copy: its bytes may still decode */
        size = c->loose_size;
        c->loose_size = 0;
        if ((st = decode_record(c, c->loose_pos, size, 1, kind, ev, err)) != WS_OK ||
            *kind != WS_EVTX_END)
            return st;
    }
    size_t pos = c->pos;
    if (pos >= c->end || c->end - pos < RECORD_HEADER_SIZE) {
        if ((c->flags & WS_EVTX_CHUNK_RECOVER) && c->end < c->n) {
            c->state = ST_SLACK;
            c->pos = c->end;
            return next_slack(c, kind, ev, err);
        }
        c->state = ST_DONE;
        *kind = WS_EVTX_END;
        return WS_OK;
    }
    if (framed(c, pos, &size)) {
        c->pos = pos + size;
        return decode_record(c, pos, size, 0, kind, ev, err);
    }
    memset(&c->err, 0, sizeof c->err);
    c->err.chunk = c->index;
    c->err.offset = c->file_off + pos;
    c->err.code = WS_E_CORRUPT;
    uint32_t sz = ld32(c->p + pos + 4);
    if (ld32(c->p + pos) != 0x00002a2au) {
        c->err.message = "bad record magic";
        c->pos = resync(c, pos);
    } else if (sz >= RECORD_MIN_SIZE && sz <= c->end - pos) {
        /* magic and size are plausible but the trailing copy of the size
         * is not (a partly overwritten record): report it, then try its
         * bytes as python-evtx does */
        c->err.message = "record size copy mismatch";
        c->err.has_record_id = 1;
        c->err.record_id = (uint64_t)ld32(c->p + pos + 8) | ((uint64_t)ld32(c->p + pos + 12) << 32);
        c->loose_pos = pos;
        c->loose_size = sz;
        c->pos = framed(c, pos + sz, &size) ? pos + sz : resync(c, pos);
    } else {
        c->err.message = "bad record size";
        c->pos = resync(c, pos);
    }
    *kind = WS_EVTX_ERROR;
    *err = &c->err;
    return WS_OK;
}

ws_status ws_evtx_chunk_next(ws_evtx_chunk *c, enum ws_evtx_item *kind,
                             const struct ws_evtx_event **ev, const struct ws_evtx_error **err)
{
    if (c->state == ST_START) {
        c->state = check_header(c) ? ST_RECORDS : ST_DONE;
        if (c->state == ST_RECORDS)
            ws_bx_begin_chunk(c->bx, c->p, c->n);
    }
    if (c->next_queued < c->n_queued) {
        *kind = WS_EVTX_ERROR;
        *err = &c->queue[c->next_queued++];
        return WS_OK;
    }
    if (c->state == ST_RECORDS)
        return next_record(c, kind, ev, err);
    if (c->state == ST_SLACK)
        return next_slack(c, kind, ev, err);
    *kind = WS_EVTX_END;
    return WS_OK;
}
