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
 * The NDR reading itself (strings, unique pointers, NDR64) is ndr.c's.
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

/* Names and paths: at most WS_NET_MAX_NAME bytes of UTF-8. */
#define MAX_CHARS (WS_NET_MAX_NAME / 3)

static ws_status cv_string(struct net_ndr *d, int wide, char **out)
{
    return net_ndr_string(d, wide, MAX_CHARS, out);
}

static ws_status unique_string(struct net_ndr *d, int wide, char **out)
{
    return net_ndr_unique_string(d, wide, MAX_CHARS, out);
}

void svc_create_release(struct svc_create *s)
{
    WS_FREE_AND_NULL(s->name);
    WS_FREE_AND_NULL(s->display);
    WS_FREE_AND_NULL(s->binpath);
    WS_FREE_AND_NULL(s->account);
}

ws_status svcctl_parse_create(uint16_t opnum, int ndr64, const uint8_t *stub, size_t n,
                              struct svc_create *out)
{
    struct net_ndr d;
    net_ndr_init(&d, ndr64, stub, n);
    struct svc_create s = {0};
    int wide = is_wide(opnum);
    uint32_t access, errctl, dsize, tag;
    uint64_t ref;
    ws_status st;
    s.wide = wide;
    if ((st = ws_cur_skip(&d.c, 20)) || (st = cv_string(&d, wide, &s.name)) ||
        (st = unique_string(&d, wide, &s.display)) || (st = net_ndr_u32(&d, &access)) ||
        (st = net_ndr_u32(&d, &s.service_type)) || (st = net_ndr_u32(&d, &s.start_type)) ||
        (st = net_ndr_u32(&d, &errctl)) || (st = cv_string(&d, wide, &s.binpath))) {
        svc_create_release(&s);
        return st;
    }
    /* The rest is best effort: a stub cut after the binary path still tells
     * us what matters. */
    char *group = NULL;
    if (unique_string(&d, wide, &group) == WS_OK && net_ndr_wide(&d, &ref) == WS_OK &&
        (ref == 0 || net_ndr_u32(&d, &tag) == WS_OK) && net_ndr_wide(&d, &ref) == WS_OK) {
        int ok = 1;
        if (ref != 0) {
            uint64_t max;
            ok = net_ndr_wide(&d, &max) == WS_OK && max <= n &&
                 ws_cur_skip(&d.c, (size_t)max) == WS_OK;
        }
        if (ok && net_ndr_u32(&d, &dsize) == WS_OK && unique_string(&d, wide, &s.account) != WS_OK)
            s.account = NULL;
    }
    ws_free(group);
    *out = s;
    return WS_OK;
}

ws_status svcctl_parse_open(uint16_t opnum, int ndr64, const uint8_t *stub, size_t n, char **name)
{
    /* ROpenServiceW/A (3.1.4.16/28): hSCManager 20, lpServiceName [string] ref */
    struct net_ndr d;
    net_ndr_init(&d, ndr64, stub, n);
    ws_status st = ws_cur_skip(&d.c, 20);
    return st ? st : cv_string(&d, is_wide(opnum), name);
}

ws_status atsvc_parse_job_add(int ndr64, const uint8_t *stub, size_t n, char **server,
                              char **command)
{
    /* NetrJobAdd (MS-TSCH 3.2.5.2.1): ServerName [in, string, unique] wchar_t*,
     * pAtInfo [in, ref] AT_INFO { DWORD_PTR JobTime; DWORD DaysOfMonth;
     * UCHAR DaysOfWeek; UCHAR Flags; [string] wchar_t *Command; } - the
     * embedded Command pointer's referent follows the structure. */
    struct net_ndr d;
    net_ndr_init(&d, ndr64, stub, n);
    char *srv = NULL, *cmd = NULL;
    uint64_t jobtime, ref;
    uint32_t days;
    uint8_t dow, flags;
    ws_status st;
    if ((st = unique_string(&d, 1, &srv)) || (st = net_ndr_align(&d, ndr64 ? 8 : 4)) ||
        (st = net_ndr_wide(&d, &jobtime)) || (st = net_ndr_u32(&d, &days)) ||
        (st = ws_cur_u8(&d.c, &dow)) || (st = ws_cur_u8(&d.c, &flags)) ||
        (st = net_ndr_wide(&d, &ref)) || (ref != 0 && (st = cv_string(&d, 1, &cmd)))) {
        ws_free(srv);
        return st;
    }
    *server = srv;
    *command = cmd;
    return WS_OK;
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
