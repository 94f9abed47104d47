/*
 * svcctl.c - the MS-SCMR (svcctl) request and response stubs we read, in
 * NDR 2.0 (C706 ch. 14) little-endian.
 *
 * RCreateServiceW (opnum 12, MS-SCMR 3.1.4.12); RCreateServiceA (24) and
 * RCreateServiceWOW64A/W (44/45, 3.1.4.41-42) and RCreateWowService (60,
 * 3.1.4.49) share the argument list up to dwPwSize; the A forms carry 8-bit
 * strings:
 *   hSCManager          SC_RPC_HANDLE, 20 bytes
 *   lpServiceName       [in, string] ref    -> conformant varying string
 *   lpDisplayName       [in, string, unique] -> referent id, then string
 *   dwDesiredAccess, dwServiceType, dwStartType, dwErrorControl  DWORD each
 *   lpBinaryPathName    [in, string] ref
 *   lpLoadOrderGroup    [in, string, unique]
 *   lpdwTagId           [in, out, unique] LPDWORD
 *   lpDependencies      [in, unique, size_is(dwDependSize)] LPBYTE
 *   dwDependSize        DWORD
 *   lpServiceStartName  [in, string, unique]
 *   lpPassword, dwPwSize (not read)
 * A conformant varying string (C706 14.3.4.2) is: max_count u32, offset u32,
 * actual_count u32, actual_count elements, then alignment to 4 for the next
 * item. Top-level unique pointers are a 4-byte referent id followed at once
 * by the pointee (C706 14.3.12.1). Alignment is relative to the stub start.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

int svcctl_is_create(uint16_t opnum)
{
    return opnum == 12 || opnum == 24 || opnum == 44 || opnum == 45 || opnum == 60;
}

static int is_wide(uint16_t opnum)
{
    return opnum == 12 || opnum == 45 || opnum == 60 || opnum == 16 || opnum == 19;
}

static ws_status align4(struct ws_cur *c)
{
    size_t pad = (4 - (c->off & 3)) & 3;
    return ws_cur_skip(c, pad);
}

static ws_status u32(struct ws_cur *c, uint32_t *v)
{
    ws_status st = align4(c);
    return st ? st : ws_cur_le32(c, v);
}

static ws_status cv_string(struct ws_cur *c, int wide, char **out)
{
    uint32_t max, offset, actual;
    ws_status st;
    if ((st = u32(c, &max)) || (st = u32(c, &offset)) || (st = u32(c, &actual)))
        return st;
    if (offset != 0 || actual > max)
        return WS_E_CORRUPT;
    size_t unit = wide ? 2 : 1;
    if (actual > WS_NET_MAX_NAME / 3)
        return WS_E_TOO_LARGE;
    const uint8_t *p;
    if ((st = ws_cur_bytes(c, (size_t)actual * unit, &p)))
        return st;
    return wide ? net_utf16_to_utf8(p, (size_t)actual * 2, out) : net_bytes_dup(p, actual, out);
}

static ws_status unique_string(struct ws_cur *c, int wide, char **out)
{
    uint32_t ref;
    ws_status st = u32(c, &ref);
    if (st)
        return st;
    if (ref == 0) {
        *out = NULL;
        return WS_OK;
    }
    return cv_string(c, wide, out);
}

void svc_create_release(struct svc_create *s)
{
    WS_FREE_AND_NULL(s->name);
    WS_FREE_AND_NULL(s->display);
    WS_FREE_AND_NULL(s->binpath);
    WS_FREE_AND_NULL(s->account);
}

ws_status svcctl_parse_create(uint16_t opnum, const uint8_t *stub, size_t n,
                              struct svc_create *out)
{
    struct ws_cur c;
    ws_cur_init(&c, stub, n);
    struct svc_create s = {0};
    int wide = is_wide(opnum);
    uint32_t access, errctl, ref, dsize, tag;
    ws_status st;
    s.wide = wide;
    if ((st = ws_cur_skip(&c, 20)) || (st = cv_string(&c, wide, &s.name)) ||
        (st = unique_string(&c, wide, &s.display)) || (st = u32(&c, &access)) ||
        (st = u32(&c, &s.service_type)) || (st = u32(&c, &s.start_type)) ||
        (st = u32(&c, &errctl)) || (st = cv_string(&c, wide, &s.binpath))) {
        svc_create_release(&s);
        return st;
    }
    /* The rest is best effort: a stub cut after the binary path still tells
     * us what matters. */
    char *group = NULL;
    if (unique_string(&c, wide, &group) == WS_OK && u32(&c, &ref) == WS_OK &&
        (ref == 0 || u32(&c, &tag) == WS_OK) && u32(&c, &ref) == WS_OK) {
        int ok = 1;
        if (ref != 0) {
            uint32_t max;
            ok = u32(&c, &max) == WS_OK && ws_cur_skip(&c, max) == WS_OK;
        }
        if (ok && u32(&c, &dsize) == WS_OK)
            (void)unique_string(&c, wide, &s.account);
    }
    ws_free(group);
    *out = s;
    return WS_OK;
}

ws_status svcctl_parse_open(uint16_t opnum, const uint8_t *stub, size_t n, char **name)
{
    /* ROpenServiceW/A (3.1.4.16/28): hSCManager 20, lpServiceName [string] ref */
    struct ws_cur c;
    ws_cur_init(&c, stub, n);
    ws_status st = ws_cur_skip(&c, 20);
    return st ? st : cv_string(&c, is_wide(opnum), name);
}

ws_status svcctl_return_code(const uint8_t *stub, size_t n, uint32_t *rc)
{
    struct ws_cur c;
    ws_cur_init(&c, stub, n);
    if (n < 4)
        return WS_E_TRUNCATED;
    ws_status st = ws_cur_seek(&c, n - 4);
    return st ? st : ws_cur_le32(&c, rc);
}

ws_status svcctl_response_handle(uint16_t opnum, const uint8_t *stub, size_t n, uint8_t h[20])
{
    /* Create responses: lpdwTagId (unique), lpServiceHandle 20, return 4.
     * Open responses: lpServiceHandle 20, return 4. Either way the handle
     * is the 20 bytes before the return value. */
    (void)opnum;
    if (n < 24)
        return WS_E_TRUNCATED;
    memcpy(h, stub + n - 24, 20);
    return WS_OK;
}
