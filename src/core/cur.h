/*
 * cur.h - a bounds-checked forward cursor over hostile bytes.
 *
 * All binary decoding goes through struct ws_cur (BoringSSL CBS, tcpdump
 * GET_*). Invariants: off <= len always; every getter either succeeds and
 * advances, or fails with WS_E_TRUNCATED and leaves the cursor unchanged.
 * Multi-byte loads are assembled byte by byte with explicit endianness, so
 * alignment and host byte order never matter.
 *
 * Narrow before you descend: when a header declares a length, take a
 * sub-cursor of exactly that many bytes with ws_cur_sub() and hand only the
 * sub-cursor to the inner parser.
 */
#ifndef WS_CUR_H
#define WS_CUR_H

#include "core/compat.h"

struct ws_cur {
    const uint8_t *base; /* borrowed; never dereferenced past len */
    size_t len;
    size_t off;
};

static inline void ws_cur_init(struct ws_cur *c, const void *p, size_t len)
{
    c->base = p;
    c->len = len;
    c->off = 0;
}

static inline size_t ws_cur_left(const struct ws_cur *c)
{
    return c->len - c->off;
}

/* Pointer to the current position; valid for ws_cur_left() bytes. */
static inline const uint8_t *ws_cur_ptr(const struct ws_cur *c)
{
    return c->base + c->off;
}

WS_MUST_CHECK static inline ws_status ws_cur_skip(struct ws_cur *c, size_t n)
{
    if (n > ws_cur_left(c))
        return WS_E_TRUNCATED;
    c->off += n;
    return WS_OK;
}

/* Move to absolute offset off (checked as a number before any pointer is formed). */
WS_MUST_CHECK static inline ws_status ws_cur_seek(struct ws_cur *c, size_t off)
{
    if (off > c->len)
        return WS_E_TRUNCATED;
    c->off = off;
    return WS_OK;
}

/* Borrow n bytes: *out points into the cursor's buffer. */
WS_MUST_CHECK static inline ws_status ws_cur_bytes(struct ws_cur *c, size_t n, const uint8_t **out)
{
    if (n > ws_cur_left(c))
        return WS_E_TRUNCATED;
    *out = c->base + c->off;
    c->off += n;
    return WS_OK;
}

/* Split off the next n bytes as an independent cursor and advance past them. */
WS_MUST_CHECK static inline ws_status ws_cur_sub(struct ws_cur *c, size_t n, struct ws_cur *out)
{
    if (n > ws_cur_left(c))
        return WS_E_TRUNCATED;
    ws_cur_init(out, c->base + c->off, n);
    c->off += n;
    return WS_OK;
}

/* A cursor over [off, off+n) of c's whole buffer, without moving c. */
WS_MUST_CHECK static inline ws_status ws_cur_window(const struct ws_cur *c, size_t off, size_t n,
                                                    struct ws_cur *out)
{
    if (off > c->len || n > c->len - off)
        return WS_E_TRUNCATED;
    ws_cur_init(out, c->base + off, n);
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_u8(struct ws_cur *c, uint8_t *v)
{
    if (ws_cur_left(c) < 1)
        return WS_E_TRUNCATED;
    *v = c->base[c->off++];
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_le16(struct ws_cur *c, uint16_t *v)
{
    if (ws_cur_left(c) < 2)
        return WS_E_TRUNCATED;
    const uint8_t *p = c->base + c->off;
    *v = (uint16_t)(p[0] | (p[1] << 8));
    c->off += 2;
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_le32(struct ws_cur *c, uint32_t *v)
{
    if (ws_cur_left(c) < 4)
        return WS_E_TRUNCATED;
    const uint8_t *p = c->base + c->off;
    *v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    c->off += 4;
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_le64(struct ws_cur *c, uint64_t *v)
{
    if (ws_cur_left(c) < 8)
        return WS_E_TRUNCATED;
    const uint8_t *p = c->base + c->off;
    uint64_t r = 0;
    for (int i = 7; i >= 0; i--)
        r = (r << 8) | p[i];
    *v = r;
    c->off += 8;
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_be16(struct ws_cur *c, uint16_t *v)
{
    if (ws_cur_left(c) < 2)
        return WS_E_TRUNCATED;
    const uint8_t *p = c->base + c->off;
    *v = (uint16_t)((p[0] << 8) | p[1]);
    c->off += 2;
    return WS_OK;
}

WS_MUST_CHECK static inline ws_status ws_cur_be32(struct ws_cur *c, uint32_t *v)
{
    if (ws_cur_left(c) < 4)
        return WS_E_TRUNCATED;
    const uint8_t *p = c->base + c->off;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    c->off += 4;
    return WS_OK;
}

/* Read without consuming (peek) helpers for magic checks. */
static inline int ws_cur_has_prefix(const struct ws_cur *c, const void *magic, size_t n)
{
    if (ws_cur_left(c) < n)
        return 0;
    const uint8_t *m = magic;
    for (size_t i = 0; i < n; i++)
        if (c->base[c->off + i] != m[i])
            return 0;
    return 1;
}

#endif
