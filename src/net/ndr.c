/*
 * ndr.c - reading NDR-encoded request stubs (C706 ch. 14, and NDR64 of
 * MS-RPCE 2.2.5), little-endian, for the DCE/RPC interfaces we decode
 * (svcctl.c, tsch.c).
 *
 * A cursor over one stub; alignment is relative to the stub's start. NDR 2.0
 * has 4-byte pointers (referent ids) and counts; NDR64 8-byte ones, aligned
 * to 8. A conformant varying string (C706 14.3.4.2) is max_count, offset,
 * actual_count, then actual_count elements (2-byte UTF-16LE units for
 * wchar_t, bytes for char). Top-level unique pointers are a referent id,
 * followed at once by the pointee when it is not 0 (C706 14.3.12.1).
 * Strings are capped by the caller (max_chars) before a byte is copied.
 */
#include "core/compat.h"

#include "net/net_int.h"

void net_ndr_init(struct net_ndr *d, int ndr64, const uint8_t *stub, size_t n)
{
    ws_cur_init(&d->c, stub, n);
    d->ndr64 = ndr64;
}

ws_status net_ndr_align(struct net_ndr *d, size_t a)
{
    size_t pad = (a - (d->c.off & (a - 1))) & (a - 1);
    return ws_cur_skip(&d->c, pad);
}

ws_status net_ndr_u32(struct net_ndr *d, uint32_t *v)
{
    ws_status st = net_ndr_align(d, 4);
    return st ? st : ws_cur_le32(&d->c, v);
}

ws_status net_ndr_wide(struct net_ndr *d, uint64_t *v)
{
    if (!d->ndr64) {
        uint32_t x;
        ws_status st = net_ndr_u32(d, &x);
        if (st == WS_OK)
            *v = x;
        return st;
    }
    ws_status st = net_ndr_align(d, 8);
    return st ? st : ws_cur_le64(&d->c, v);
}

ws_status net_ndr_string(struct net_ndr *d, int wide, size_t max_chars, char **out)
{
    uint64_t max, offset, actual;
    ws_status st;
    if ((st = net_ndr_wide(d, &max)) || (st = net_ndr_wide(d, &offset)) ||
        (st = net_ndr_wide(d, &actual)))
        return st;
    if (offset != 0 || actual > max)
        return WS_E_CORRUPT;
    if (actual > max_chars)
        return WS_E_TOO_LARGE;
    size_t unit = wide ? 2 : 1;
    const uint8_t *p;
    if ((st = ws_cur_bytes(&d->c, (size_t)actual * unit, &p)))
        return st;
    return wide ? net_utf16_to_utf8(p, (size_t)actual * 2, out)
                : net_bytes_dup(p, (size_t)actual, out);
}

ws_status net_ndr_unique_string(struct net_ndr *d, int wide, size_t max_chars, char **out)
{
    uint64_t ref;
    ws_status st = net_ndr_wide(d, &ref);
    if (st)
        return st;
    if (ref == 0) {
        *out = NULL;
        return WS_OK;
    }
    return net_ndr_string(d, wide, max_chars, out);
}
