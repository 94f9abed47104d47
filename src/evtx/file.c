/*
 * file.c - an EVTX file (or buffer): the file header, then every chunk slot.
 *
 * File header (libyal EVTX notes 2.1; [MS-EVEN6] 2.2.?):
 *   0x00 8 "ElfFile\0"          0x08 8 first chunk number
 *   0x10 8 last chunk number    0x18 8 next record identifier
 *   0x20 4 header size (128)    0x24 2 minor version (1)   0x26 2 major version (3)
 *   0x28 2 header block size (4096)                         0x2A 2 number of chunks
 *   0x78 4 flags (0x1 dirty, 0x2 full, 0x4 no CRC32)        0x7C 4 CRC32 of [0, 0x78)
 *
 * Chunk slots follow at 4096 + 65536 * i up to the end of the file. All of
 * them are read, whatever the header's chunk count says: a dirty log
 * (header not flushed) counts too few. A slot beyond that count that holds
 * no chunk is unallocated space and skipped quietly; a slot within it that
 * holds no chunk is an error. A trailing partial slot is read as far as it
 * goes.
 *
 * Memory: one 64 KiB buffer for files (pread per chunk), none for buffers.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "evtx/crc32.h"
#include "evtx/evt.h"
#include "source/source.h"
#include "evtx/file_impl.h"
#include "wormsign/evtx.h"

enum file_state { FS_HEADER = 0, FS_CHUNKS, FS_DONE };

struct ws_evtx {
    int fd; /* -1 for buffers */
    const uint8_t *mem;
    uint64_t size;
    uint8_t *buf; /* WS_EVTX_CHUNK_SIZE, files only */
    enum file_state state;
    uint64_t slots, hdr_chunks, next_slot;
    unsigned chunk_flags;
    int header_ok;
    int chunk_active;
    struct ws_evtx_chunk *chunk;
    struct ws_evt *evt; /* a legacy EVT file: everything comes from there */
    struct ws_evtx_error err;
};

static ws_status new_reader(ws_evtx **out)
{
    ws_status st;
    struct ws_evtx *r = ws_calloc(1, sizeof *r);
    if (!r)
        return WS_E_NOMEM;
    r->fd = -1;
    if ((st = ws_evtx_chunk_new(&r->chunk)) != WS_OK) {
        ws_free(r);
        return st;
    }
    *out = r;
    return WS_OK;
}

ws_status ws_evtx_open_file(const char *path, ws_evtx **out)
{
    ws_status st;
    struct stat sb;
    struct ws_evtx *r = NULL;
    int fd = -1;
    WS_TRY(ws_open_regular(path, 1, &fd, &sb));
    WS_TRY(new_reader(&r));
    uint8_t head[WS_EVT_HEADER_SIZE];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got > 0 && ws_evt_sniff(head, (size_t)got)) {
        /* a legacy EVT log: libevt reads it (WS_E_UNSUPPORTED without it) */
        WS_TRY(ws_evt_open(path, head, (size_t)got, &r->evt));
        *out = r;
        r = NULL;
        goto out;
    }
    r->buf = ws_malloc(WS_EVTX_CHUNK_SIZE);
    if (!r->buf) {
        st = WS_E_NOMEM;
        goto out;
    }
    r->fd = fd;
    fd = -1;
    r->size = (uint64_t)sb.st_size;
    *out = r;
    r = NULL;
out:
    if (fd >= 0)
        close(fd);
    ws_evtx_free(r);
    return st;
}

ws_status ws_evtx_open_buffer(const void *p, size_t n, ws_evtx **out)
{
    ws_status st;
    struct ws_evtx *r;
    if (!p && n)
        return WS_E_INVALID;
    if ((st = new_reader(&r)) != WS_OK)
        return st;
    r->mem = p;
    r->size = n;
    *out = r;
    return WS_OK;
}

void ws_evtx_free(ws_evtx *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    ws_free(r->buf);
    ws_evt_free(r->evt);
    ws_evtx_chunk_free(r->chunk);
    ws_free(r);
}

void ws_evtx_set_flags(ws_evtx *r, unsigned flags)
{
    if (r->evt)
        ws_evt_set_recover(r->evt, (flags & WS_EVTX_RECOVER_SLACK) != 0);
    if (flags & WS_EVTX_RECOVER_SLACK)
        r->chunk_flags |= WS_EVTX_CHUNK_RECOVER;
    else
        r->chunk_flags &= ~(unsigned)WS_EVTX_CHUNK_RECOVER;
}

uint64_t ws_evtx_chunk_slots(const ws_evtx *r)
{
    return r->slots;
}

uint64_t ws_evtx_header_chunk_count(const ws_evtx *r)
{
    return r->hdr_chunks;
}

/* Read n bytes at off (files: into buf, WS_EVTX_CHUNK_SIZE bytes; buffers:
 * borrowed). *got may be less than n at the end of the file. Touches nothing
 * in r, so threads may call it at once with their own buf (pread). */
static ws_status read_into(const struct ws_evtx *r, uint8_t *buf, uint64_t off, size_t n,
                           const uint8_t **p, size_t *got)
{
    if (off >= r->size) {
        *got = 0;
        *p = NULL;
        return WS_OK;
    }
    uint64_t left = r->size - off;
    size_t want = left < n ? (size_t)left : n;
    if (r->mem) {
        *p = r->mem + off;
        *got = want;
        return WS_OK;
    }
    size_t done = 0;
    while (done < want) {
        ssize_t k = pread(r->fd, buf + done, want - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return WS_E_IO;
        if (k == 0)
            break; /* shrank under us: read what is there */
        done += (size_t)k;
    }
    *p = buf;
    *got = done;
    return WS_OK;
}

static ws_status read_at(struct ws_evtx *r, uint64_t off, size_t n, const uint8_t **p, size_t *got)
{
    return read_into(r, r->buf, off, n, p, got);
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void set_error(struct ws_evtx *r, ws_status code, const char *msg, uint64_t off)
{
    memset(&r->err, 0, sizeof r->err);
    r->err.code = code;
    r->err.message = msg;
    r->err.chunk = UINT64_MAX;
    r->err.offset = off;
}

/* Parse the file header; *bad = 1 (and r->err set) when it is bad. A
 * status other than WS_OK is a read error. */
static ws_status read_header(struct ws_evtx *r, int *bad)
{
    const uint8_t *h;
    size_t got;
    ws_status st;
    *bad = 0;
    if (r->size > WS_EVTX_FILE_HEADER_SIZE)
        r->slots =
            (r->size - WS_EVTX_FILE_HEADER_SIZE + WS_EVTX_CHUNK_SIZE - 1) / WS_EVTX_CHUNK_SIZE;
    if ((st = read_at(r, 0, WS_EVTX_FILE_HEADER_SIZE, &h, &got)) != WS_OK)
        return st;
    if (got < 0x80 || memcmp(h, "ElfFile", 8) != 0) {
        set_error(r, WS_E_CORRUPT, got < 0x80 ? "truncated file header" : "bad file header magic",
                  0);
        *bad = 1;
        return WS_OK;
    }
    r->header_ok = 1;
    r->hdr_chunks = (uint64_t)h[0x2A] | ((uint64_t)h[0x2B] << 8);
    uint32_t flags = ld32(h + 0x78);
    if (flags & 0x4)
        r->chunk_flags |= WS_EVTX_NO_CRC;
    else if (ws_crc32(0, h, 0x78) != ld32(h + 0x7C)) {
        set_error(r, WS_E_CORRUPT, "file header crc32 mismatch", 0x7C);
        *bad = 1;
    }
    return WS_OK;
}

ws_status ws_evtx_next(ws_evtx *r, enum ws_evtx_item *kind, const struct ws_evtx_event **ev,
                       const struct ws_evtx_error **err)
{
    ws_status st;
    if (r->evt)
        return ws_evt_next(r->evt, kind, ev, err);
    if (r->state == FS_HEADER) {
        int bad;
        if ((st = read_header(r, &bad)) != WS_OK) {
            r->state = FS_DONE;
            return st;
        }
        r->state = FS_CHUNKS;
        if (bad) {
            *kind = WS_EVTX_ERROR;
            *err = &r->err;
            return WS_OK;
        }
    }
    /* each pass either returns an item or finishes one chunk slot */
    while (r->state == FS_CHUNKS) {
        if (r->chunk_active) {
            if ((st = ws_evtx_chunk_next(r->chunk, kind, ev, err)) != WS_OK) {
                r->state = FS_DONE;
                return st;
            }
            if (*kind != WS_EVTX_END)
                return WS_OK;
            r->chunk_active = 0;
        }
        if (r->next_slot >= r->slots) {
            r->state = FS_DONE;
            break;
        }
        uint64_t idx = r->next_slot++;
        uint64_t off = WS_EVTX_FILE_HEADER_SIZE + idx * WS_EVTX_CHUNK_SIZE;
        const uint8_t *p;
        size_t got;
        if ((st = read_at(r, off, WS_EVTX_CHUNK_SIZE, &p, &got)) != WS_OK) {
            r->state = FS_DONE;
            return st;
        }
        if (got == 0)
            continue;
        unsigned flags = r->chunk_flags;
        if (!r->header_ok || idx >= r->hdr_chunks)
            flags |= WS_EVTX_UNALLOCATED;
        ws_evtx_chunk_load(r->chunk, p, got, idx, off, flags);
        r->chunk_active = 1;
    }
    *kind = WS_EVTX_END;
    return WS_OK;
}

/* ---- for the parallel driver (evtx/file_impl.h) ---- */

int ws_evtx_is_legacy(const ws_evtx *r)
{
    return r->evt != NULL;
}

ws_status ws_evtx_take_header(ws_evtx *r, const struct ws_evtx_error **err)
{
    int bad = 0;
    ws_status st = WS_OK;
    *err = NULL;
    if (r->state == FS_HEADER) {
        st = read_header(r, &bad);
        if (st == WS_OK && bad)
            *err = &r->err;
    }
    r->state = FS_DONE; /* the chunks are the caller's now */
    return st;
}

ws_status ws_evtx_read_slot(const ws_evtx *r, uint64_t idx, uint8_t *buf, const uint8_t **p,
                            size_t *got, unsigned *flags)
{
    uint64_t off = WS_EVTX_FILE_HEADER_SIZE + idx * WS_EVTX_CHUNK_SIZE;
    ws_status st = read_into(r, buf, off, WS_EVTX_CHUNK_SIZE, p, got);
    if (st != WS_OK)
        return st;
    *flags = r->chunk_flags;
    if (!r->header_ok || idx >= r->hdr_chunks)
        *flags |= WS_EVTX_UNALLOCATED;
    return WS_OK;
}

/* ---- helpers ---- */

const struct ws_evtx_field *ws_evtx_event_field(const struct ws_evtx_event *ev, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < ev->n_fields; i++) {
        const struct ws_evtx_field *f = &ev->fields[i];
        if (f->name.len == n && memcmp(f->name.s, name, n) == 0)
            return f;
    }
    return NULL;
}
