/*
 * dcerpc.c - connection-oriented DCE/RPC (C706 ch. 12, MS-RPCE 2.2.2) over
 * SMB named pipes and over TCP.
 *
 * Per direction, bytes are framed into PDUs by frag_length (a PDU may span
 * several SMB writes or TCP segments; cap WS_NET_MAX_DCE_FRAG). Request and
 * response stubs split over fragments (PFC_FIRST_FRAG/PFC_LAST_FRAG) are
 * joined per direction, one call at a time, up to WS_NET_MAX_DCE_STUB: a
 * new first fragment abandons an unfinished call, so hostile fragment
 * floods (zeek fragment-state-exhaustion) cost one buffer, not one per call.
 *
 *   common header (C706 12.6.3.1): 0 rpc_vers 1 (=5) | 1 rpc_vers_minor 1 |
 *     2 PTYPE 1 | 3 pfc_flags 1 | 4 packed_drep 4 | 8 frag_length 2 |
 *     10 auth_length 2 | 12 call_id 4
 *   request  (12.6.4.9):  16 alloc_hint 4 | 20 p_cont_id 2 | 22 opnum 2 |
 *     [24 object uuid 16 if PFC_OBJECT_UUID] | stub
 *   response (12.6.4.10): 16 alloc_hint 4 | 20 p_cont_id 2 | 22 cancel_count 1 |
 *     23 reserved 1 | stub
 *   bind / alter_context (12.6.4.3): 16 max_xmit 2 | 18 max_recv 2 |
 *     20 assoc_group 4 | 24 n_context_elem 1 | 3 reserved | items:
 *     p_cont_id 2, n_transfer_syn 1, reserved 1, abstract uuid 16 + version 4,
 *     transfer syntaxes 20 each
 *   auth verifier (12.6.3.2; MS-RPCE 2.2.2.11): at frag_length - auth_length
 *     - 8: auth_type 1, auth_level 1, auth_pad_length 1, reserved 1,
 *     auth_context_id 4, then auth_length bytes; the stub ends auth_pad_length
 *     bytes before the trailer.
 *
 * Only little-endian data representation is decoded (every Windows peer);
 * a big-endian peer is reported once and skipped.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

enum { IF_OTHER = 0, IF_SVCCTL, IF_ATSVC, IF_TSCH };
enum { CALL_NONE = 0, CALL_CREATE, CALL_OPEN_SVC };

#define PT_REQUEST 0
#define PT_RESPONSE 2
#define PT_FAULT 3
#define PT_BIND 11
#define PT_BIND_ACK 12
#define PT_ALTER 14
#define PT_ALTER_RESP 15
#define PT_AUTH3 16

#define PFC_FIRST_FRAG 0x01
#define PFC_LAST_FRAG 0x02
#define PFC_OBJECT_UUID 0x80

#define AUTHN_LEVEL_PKT_PRIVACY 6

/* Interface UUIDs in wire order (first three fields little-endian). */
static const uint8_t UUID_SVCCTL[16] = {0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35,
                                        0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03};
/* NDR64 transfer syntax 71710533-beba-4937-8319-b5dbef9ccc36 (MS-RPCE 2.2.5) */
static const uint8_t UUID_NDR64[16] = {0x33, 0x05, 0x71, 0x71, 0xba, 0xbe, 0x37, 0x49,
                                       0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36};
static const uint8_t UUID_ATSVC[16] = {0x82, 0x06, 0xf7, 0x1f, 0x51, 0x0a, 0xe8, 0x30,
                                       0x07, 0x6d, 0x74, 0x0b, 0xe8, 0xce, 0xe9, 0x8b};
/* ITaskSchedulerService 86d35949-83c9-4044-b424-db363231fd0c (MS-TSCH 1.9) */
static const uint8_t UUID_TSCH[16] = {0x49, 0x59, 0xd3, 0x86, 0xc9, 0x83, 0x44, 0x40,
                                      0xb4, 0x24, 0xdb, 0x36, 0x32, 0x31, 0xfd, 0x0c};

struct dce_ctxi {
    uint16_t id;
    int iface;
    int ndr64; /* transfer syntax: NDR64, else NDR 2.0 */
};

struct dce_call {
    uint32_t call_id;
    uint16_t opnum;
    int kind;
    long svc;
};

struct dce_handle {
    uint8_t h[20];
    long svc;
};

struct dce_dir {
    struct net_sbuf acc;  /* partial PDU */
    struct net_sbuf stub; /* fragments of one call */
    int in_frag;
    uint32_t call_id;
    uint16_t opnum, ctx;
    int desync_reported;
};

struct dce_pipe {
    struct dce_dir dir[2];
    struct dce_ctxi ctx[WS_NET_MAX_DCE_CTX];
    size_t nctx;
    uint16_t bind_ids[WS_NET_MAX_DCE_CTX]; /* context ids of the last bind, in order */
    size_t nbind_ids;
    struct dce_call calls[WS_NET_MAX_DCE_CALLS];
    size_t ncalls;
    struct dce_handle *handles;
    size_t nhandles, handles_cap;
    struct net_account acct;
    int seen_rpc; /* a valid PDU was seen: framing loss is then worth reporting */
    int not_rpc;  /* the pipe carries something else (PsExec's stdin/stdout pipes) */
    int encrypted_reported;
    int endian_reported;
    int frag_reported;
};

struct dce_pipe *dce_pipe_new(struct net_ctx *c)
{
    if (!net_charge(c, sizeof(struct dce_pipe)))
        return NULL;
    struct dce_pipe *d = ws_calloc(1, sizeof *d);
    if (!d) {
        net_uncharge(c, sizeof(struct dce_pipe));
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        net_sbuf_init(&d->dir[i].acc, WS_NET_MAX_DCE_FRAG + 1);
        net_sbuf_init(&d->dir[i].stub, WS_NET_MAX_DCE_STUB + 1);
    }
    return d;
}

void dce_pipe_free(struct net_ctx *c, struct dce_pipe *d)
{
    if (!d)
        return;
    for (int i = 0; i < 2; i++) {
        net_sbuf_release(c, &d->dir[i].acc);
        net_sbuf_release(c, &d->dir[i].stub);
    }
    ws_free(d->handles);
    net_account_release(&d->acct);
    net_uncharge(c, sizeof *d + d->handles_cap * sizeof *d->handles);
    ws_free(d);
}

const struct net_account *dce_account(const struct dce_pipe *d)
{
    return d->acct.user || d->acct.domain ? &d->acct : NULL;
}

static struct dce_ctxi *ctx_get(struct dce_pipe *d, uint16_t id)
{
    for (size_t i = 0; i < d->nctx; i++)
        if (d->ctx[i].id == id)
            return &d->ctx[i];
    return NULL;
}

static int ctx_iface(struct dce_pipe *d, uint16_t id)
{
    struct dce_ctxi *x = ctx_get(d, id);
    return x ? x->iface : IF_OTHER;
}

static int ctx_ndr64(struct dce_pipe *d, uint16_t id)
{
    struct dce_ctxi *x = ctx_get(d, id);
    return x ? x->ndr64 : 0;
}

static void ctx_set(struct dce_pipe *d, uint16_t id, int iface, int ndr64)
{
    struct dce_ctxi *x = ctx_get(d, id);
    if (!x) {
        if (d->nctx == WS_NET_MAX_DCE_CTX) {
            memmove(d->ctx, d->ctx + 1, (d->nctx - 1) * sizeof *d->ctx);
            d->nctx--;
        }
        x = &d->ctx[d->nctx++];
        x->id = id;
    }
    x->iface = iface;
    x->ndr64 = ndr64;
}

static void call_add(struct dce_pipe *d, uint32_t call_id, uint16_t opnum, int kind, long svc)
{
    if (d->ncalls == WS_NET_MAX_DCE_CALLS) {
        memmove(d->calls, d->calls + 1, (d->ncalls - 1) * sizeof *d->calls);
        d->ncalls--;
    }
    struct dce_call *k = &d->calls[d->ncalls++];
    k->call_id = call_id;
    k->opnum = opnum;
    k->kind = kind;
    k->svc = svc;
}

static int call_take(struct dce_pipe *d, uint32_t call_id, struct dce_call *out)
{
    for (size_t i = d->ncalls; i-- > 0;) {
        if (d->calls[i].call_id != call_id)
            continue;
        *out = d->calls[i];
        memmove(d->calls + i, d->calls + i + 1, (d->ncalls - i - 1) * sizeof *d->calls);
        d->ncalls--;
        return 1;
    }
    return 0;
}

static void handle_add(struct net_ctx *c, struct dce_pipe *d, const uint8_t h[20], long svc)
{
    if (d->nhandles == WS_NET_MAX_DCE_HANDLES) {
        memmove(d->handles, d->handles + 1, (d->nhandles - 1) * sizeof *d->handles);
        d->nhandles--;
    }
    if (net_table_room(c, (void **)&d->handles, &d->handles_cap, d->nhandles, sizeof *d->handles,
                       WS_NET_MAX_DCE_HANDLES) != WS_OK)
        return;
    memcpy(d->handles[d->nhandles].h, h, 20);
    d->handles[d->nhandles].svc = svc;
    d->nhandles++;
}

static long handle_svc(const struct dce_pipe *d, const uint8_t *h)
{
    for (size_t i = d->nhandles; i-- > 0;)
        if (memcmp(d->handles[i].h, h, 20) == 0)
            return d->handles[i].svc;
    return -1;
}

/* ---- calls ---- */

struct pdu_ctx {
    const struct net_ends *e;
    const char *proto;
    const struct net_account *acct;
};

static void on_request(struct net_ctx *c, struct dce_pipe *d, const struct pdu_ctx *x,
                       uint32_t call_id, uint16_t ctx, uint16_t opnum, const uint8_t *stub,
                       size_t n)
{
    int iface = ctx_iface(d, ctx);
    const struct net_account *acct = x->acct ? x->acct : dce_account(d);
    if (iface == IF_ATSVC && opnum == 0) { /* NetrJobAdd */
        char *server = NULL, *command = NULL;
        ws_status st = atsvc_parse_job_add(ctx_ndr64(d, ctx), stub, n, &server, &command);
        if (st != WS_OK) {
            net_report(c, 0, "net.error.atsvc", st, x->e,
                       "atsvc NetrJobAdd request in frame %llu unreadable",
                       (unsigned long long)c->pk.frame);
            return;
        }
        net_job_add(c, x->e, x->proto, acct, server, command);
        ws_free(server);
        ws_free(command);
        return;
    }
    if (iface == IF_TSCH && opnum == 1) { /* SchRpcRegisterTask */
        struct tsch_task t;
        ws_status st = tsch_parse_register(ctx_ndr64(d, ctx), stub, n, &t);
        if (st != WS_OK) {
            net_report(c, 0, "net.error.tsch", st, x->e,
                       "ITaskSchedulerService SchRpcRegisterTask request in frame %llu unreadable",
                       (unsigned long long)c->pk.frame);
            return;
        }
        net_task_register(c, x->e, x->proto, acct, &t);
        tsch_task_release(&t);
        return;
    }
    if (iface != IF_SVCCTL)
        return;
    if (svcctl_is_create(opnum)) {
        struct svc_create sc;
        ws_status st = svcctl_parse_create(opnum, ctx_ndr64(d, ctx), stub, n, &sc);
        if (st != WS_OK) {
            net_report(c, 0, "net.error.svcctl", st, x->e,
                       "svcctl create-service request (opnum %u) in frame %llu unreadable", opnum,
                       (unsigned long long)c->pk.frame);
            return;
        }
        long idx = net_svc_add(c, x->e, x->proto, acct, opnum, &sc);
        svc_create_release(&sc);
        call_add(d, call_id, opnum, CALL_CREATE, idx);
    } else if (opnum == 16 || opnum == 28) { /* ROpenServiceW / ROpenServiceA */
        char *name = NULL;
        if (svcctl_parse_open(opnum, ctx_ndr64(d, ctx), stub, n, &name) != WS_OK)
            return;
        long idx = net_svc_find(c, x->e, name);
        ws_free(name);
        call_add(d, call_id, opnum, CALL_OPEN_SVC, idx);
    } else if (opnum == 19 || opnum == 31) { /* RStartServiceW / RStartServiceA */
        if (n >= 20) {
            long idx = handle_svc(d, stub);
            if (idx >= 0)
                net_svc_started(c, idx);
        }
    }
}

static void on_response(struct net_ctx *c, struct dce_pipe *d, uint32_t call_id,
                        const uint8_t *stub, size_t n)
{
    struct dce_call k;
    if (!call_take(d, call_id, &k) || k.svc < 0)
        return;
    uint32_t rc;
    if (svcctl_return_code(stub, n, &rc) != WS_OK)
        return;
    if (k.kind == CALL_CREATE)
        net_svc_result(c, k.svc, rc);
    uint8_t h[20];
    if (rc == 0 && svcctl_response_handle(k.opnum, stub, n, h) == WS_OK)
        handle_add(c, d, h, k.svc);
}

static void on_fault(struct net_ctx *c, struct dce_pipe *d, uint32_t call_id, struct ws_cur *b)
{
    struct dce_call k;
    uint32_t hint, status;
    uint16_t ctx;
    uint8_t cancel, res;
    if (!call_take(d, call_id, &k) || k.kind != CALL_CREATE || k.svc < 0)
        return;
    if (ws_cur_le32(b, &hint) || ws_cur_le16(b, &ctx) || ws_cur_u8(b, &cancel) ||
        ws_cur_u8(b, &res) || ws_cur_le32(b, &status))
        return;
    net_svc_result(c, k.svc, status);
}

/* ---- PDUs ---- */

static void bind_items(struct dce_pipe *d, struct ws_cur *b)
{
    uint16_t xmit, recv;
    uint32_t group;
    uint8_t n, r1;
    uint16_t r2;
    if (ws_cur_le16(b, &xmit) || ws_cur_le16(b, &recv) || ws_cur_le32(b, &group) ||
        ws_cur_u8(b, &n) || ws_cur_u8(b, &r1) || ws_cur_le16(b, &r2))
        return;
    d->nbind_ids = 0;
    for (unsigned i = 0; i < n; i++) { /* n <= 255; each pass consumes >= 24 bytes */
        uint16_t id;
        uint8_t ntrans, res;
        const uint8_t *uuid, *syntax = NULL;
        uint32_t ver;
        if (ws_cur_le16(b, &id) || ws_cur_u8(b, &ntrans) || ws_cur_u8(b, &res) ||
            ws_cur_bytes(b, 16, &uuid) || ws_cur_le32(b, &ver))
            return;
        if (ntrans > 0 && ws_cur_bytes(b, 16, &syntax) == WS_OK && ws_cur_skip(b, 4) == WS_OK)
            ntrans--;
        if (ws_cur_skip(b, (size_t)ntrans * 20))
            return;
        int iface = !memcmp(uuid, UUID_SVCCTL, 16)  ? IF_SVCCTL
                    : !memcmp(uuid, UUID_ATSVC, 16) ? IF_ATSVC
                    : !memcmp(uuid, UUID_TSCH, 16)  ? IF_TSCH
                                                    : IF_OTHER;
        ctx_set(d, id, iface, syntax && !memcmp(syntax, UUID_NDR64, 16));
        if (d->nbind_ids < WS_NET_MAX_DCE_CTX)
            d->bind_ids[d->nbind_ids++] = id;
    }
}

/* bind_ack / alter_context_resp (C706 12.6.4.4): which syntax each item got. */
static void bind_results(struct dce_pipe *d, struct ws_cur *b)
{
    uint16_t xmit, recv, alen;
    uint32_t group;
    uint8_t n, r1;
    uint16_t r2;
    if (ws_cur_le16(b, &xmit) || ws_cur_le16(b, &recv) || ws_cur_le32(b, &group) ||
        ws_cur_le16(b, &alen) || ws_cur_skip(b, alen))
        return;
    /* the window starts 16 bytes into the PDU, so 4-alignment is the same */
    if (ws_cur_skip(b, (4 - (b->off & 3)) & 3) || ws_cur_u8(b, &n) || ws_cur_u8(b, &r1) ||
        ws_cur_le16(b, &r2))
        return;
    for (unsigned i = 0; i < n && i < d->nbind_ids; i++) {
        uint16_t result, reason;
        const uint8_t *syntax;
        if (ws_cur_le16(b, &result) || ws_cur_le16(b, &reason) || ws_cur_bytes(b, 16, &syntax) ||
            ws_cur_skip(b, 4))
            return;
        struct dce_ctxi *x = ctx_get(d, d->bind_ids[i]);
        if (x && result == 0)
            x->ndr64 = memcmp(syntax, UUID_NDR64, 16) == 0;
    }
}

static void stub_done(struct net_ctx *c, struct dce_pipe *d, const struct pdu_ctx *x, uint8_t ptype,
                      uint32_t call_id, uint16_t ctx, uint16_t opnum, const uint8_t *stub, size_t n)
{
    if (ptype == PT_REQUEST)
        on_request(c, d, x, call_id, ctx, opnum, stub, n);
    else
        on_response(c, d, call_id, stub, n);
}

static void pdu(struct net_ctx *c, struct dce_pipe *d, const struct pdu_ctx *x, int to_server,
                const uint8_t *p, size_t n)
{
    struct ws_cur cur, b;
    ws_cur_init(&cur, p, n);
    uint8_t vers, minor, ptype, flags;
    const uint8_t *drep;
    uint16_t flen, alen;
    uint32_t call_id;
    if (ws_cur_u8(&cur, &vers) || ws_cur_u8(&cur, &minor) || ws_cur_u8(&cur, &ptype) ||
        ws_cur_u8(&cur, &flags) || ws_cur_bytes(&cur, 4, &drep) || ws_cur_le16(&cur, &flen) ||
        ws_cur_le16(&cur, &alen) || ws_cur_le32(&cur, &call_id))
        return;
    c->stats->rpc_pdus++;
    /* body: [16, end of stub); auth verifier after it */
    size_t end = n, pad = 0;
    uint8_t auth_level = 0;
    struct ws_cur auth = {0};
    if (alen) {
        struct ws_cur t;
        if ((size_t)alen + 8 > n - 16 || ws_cur_window(&cur, n - alen - 8, 8, &t))
            return;
        uint8_t atype, apad;
        if (ws_cur_u8(&t, &atype) || ws_cur_u8(&t, &auth_level) || ws_cur_u8(&t, &apad))
            return;
        pad = apad;
        end = n - alen - 8;
        if (ws_cur_window(&cur, n - alen, alen, &auth))
            return;
        if (pad > end - 16)
            pad = 0;
    }
    if (ws_cur_window(&cur, 16, end - pad - 16, &b))
        return;
    struct dce_dir *dd = &d->dir[to_server];
    switch (ptype) {
    case PT_BIND:
    case PT_ALTER:
        bind_items(d, &b);
        /* a bind may carry an NTLM AUTHENTICATE (rare) */
        __attribute__((fallthrough));
    case PT_AUTH3:
        if (alen && !dce_account(d)) {
            struct net_account a = {0};
            if (ntlmssp_find_auth(ws_cur_ptr(&auth), ws_cur_left(&auth), &a) == WS_OK) {
                net_account_release(&d->acct);
                d->acct = a;
            }
        }
        return;
    case PT_BIND_ACK:
    case PT_ALTER_RESP:
        bind_results(d, &b);
        return;
    case PT_FAULT:
        on_fault(c, d, call_id, &b);
        return;
    case PT_REQUEST:
    case PT_RESPONSE:
        break;
    default:
        return;
    }
    uint32_t hint;
    uint16_t ctx, opnum = 0;
    if (ws_cur_le32(&b, &hint) || ws_cur_le16(&b, &ctx))
        return;
    if (ptype == PT_REQUEST) {
        if (ws_cur_le16(&b, &opnum))
            return;
        if ((flags & PFC_OBJECT_UUID) && ws_cur_skip(&b, 16))
            return;
    } else if (ws_cur_skip(&b, 2)) {
        return;
    }
    if (auth_level == AUTHN_LEVEL_PKT_PRIVACY) {
        if (ptype == PT_REQUEST && ctx_iface(d, ctx) == IF_SVCCTL && svcctl_is_create(opnum) &&
            (flags & PFC_FIRST_FRAG)) {
            /* the opnum alone says a service is being created */
            struct svc_create sc = {0};
            sc.sealed = 1;
            long idx =
                net_svc_add(c, x->e, x->proto, x->acct ? x->acct : dce_account(d), opnum, &sc);
            /* a fault answer is not sealed: its status still tells the result */
            call_add(d, call_id, opnum, CALL_CREATE, idx);
        } else if (ptype == PT_REQUEST && ctx_iface(d, ctx) == IF_TSCH && opnum == 1 &&
                   (flags & PFC_FIRST_FRAG)) {
            struct tsch_task t = {.sealed = 1}; /* a task registered: what, we cannot see */
            net_task_register(c, x->e, x->proto, x->acct ? x->acct : dce_account(d), &t);
        } else if (ptype == PT_RESPONSE && (flags & PFC_LAST_FRAG)) {
            struct dce_call k;
            (void)call_take(d, call_id, &k); /* sealed: its return code cannot be read */
        }
        if (ptype == PT_REQUEST && ctx_iface(d, ctx) != IF_OTHER && !d->encrypted_reported) {
            d->encrypted_reported = 1;
            net_report(c, 1, "net.dcerpc.encrypted", WS_E_UNSUPPORTED, x->e,
                       "svcctl/atsvc/tsch calls from frame %llu are sealed (packet privacy); their "
                       "arguments cannot be examined",
                       (unsigned long long)c->pk.frame);
        }
        return;
    }
    const uint8_t *sp = ws_cur_ptr(&b);
    size_t sn = ws_cur_left(&b);
    if ((flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG)) == (PFC_FIRST_FRAG | PFC_LAST_FRAG)) {
        dd->in_frag = 0;
        stub_done(c, d, x, ptype, call_id, ctx, opnum, sp, sn);
        return;
    }
    if (flags & PFC_FIRST_FRAG) {
        net_sbuf_reset(c, &dd->stub);
        dd->in_frag = 1;
        dd->call_id = call_id;
        dd->ctx = ctx;
        dd->opnum = opnum;
    } else if (!dd->in_frag || dd->call_id != call_id) {
        return; /* a fragment of a call whose start we did not see */
    }
    if (net_sbuf_add(c, &dd->stub, sp, sn) != WS_OK) {
        if (!d->frag_reported) {
            d->frag_reported = 1;
            net_report(c, 0, "net.error.dcerpc.stub", WS_E_TOO_LARGE, x->e,
                       "DCE/RPC call %u in frame %llu exceeds the reassembly cap; skipped", call_id,
                       (unsigned long long)c->pk.frame);
        }
        net_sbuf_reset(c, &dd->stub);
        dd->in_frag = 0;
        return;
    }
    if (flags & PFC_LAST_FRAG) {
        dd->in_frag = 0;
        stub_done(c, d, x, ptype, call_id, dd->ctx, dd->opnum, (const uint8_t *)dd->stub.b.data,
                  dd->stub.b.len);
        net_sbuf_reset(c, &dd->stub);
    }
}

/* Complete PDUs at the start of p; returns the bytes used. */
static size_t pdus(struct net_ctx *c, struct dce_pipe *d, const struct pdu_ctx *x, int to_server,
                   const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (n - off >= 16 && !c->stop) {
        const uint8_t *h = p + off;
        size_t flen = (size_t)h[8] | ((size_t)h[9] << 8);
        if (h[0] != 5 || h[1] > 1 || flen < 16) {
            if (!d->seen_rpc) {
                d->not_rpc = 1;
                return n;
            }
            if (!d->dir[to_server].desync_reported) {
                d->dir[to_server].desync_reported = 1;
                net_report(c, 0, "net.error.dcerpc.framing", WS_E_CORRUPT, x->e,
                           "DCE/RPC framing lost in frame %llu; rest of the data skipped",
                           (unsigned long long)c->pk.frame);
            }
            return n;
        }
        if ((h[4] >> 4) != 1) {
            if (!d->endian_reported) {
                d->endian_reported = 1;
                net_report(c, 1, "net.dcerpc.bigendian", WS_E_UNSUPPORTED, x->e,
                           "big-endian DCE/RPC peer in frame %llu not examined",
                           (unsigned long long)c->pk.frame);
            }
            return n;
        }
        if (n - off < flen)
            return off;
        d->seen_rpc = 1;
        pdu(c, d, x, to_server, h, flen);
        off += flen;
    }
    return off;
}

void dce_data(struct net_ctx *c, struct dce_pipe *d, const struct net_ends *e, const char *proto,
              const struct net_account *acct, int to_server, const uint8_t *p, size_t n)
{
    struct pdu_ctx x = {e, proto, acct};
    struct dce_dir *dd = &d->dir[to_server];
    if (d->not_rpc)
        return;
    if (dd->acc.b.len == 0) {
        size_t used = pdus(c, d, &x, to_server, p, n);
        if (used < n && net_sbuf_add(c, &dd->acc, p + used, n - used) != WS_OK)
            net_sbuf_reset(c, &dd->acc);
        return;
    }
    if (net_sbuf_add(c, &dd->acc, p, n) != WS_OK) {
        net_sbuf_reset(c, &dd->acc);
        return;
    }
    size_t used = pdus(c, d, &x, to_server, (const uint8_t *)dd->acc.b.data, dd->acc.b.len);
    net_sbuf_consume(c, &dd->acc, used);
}

void dce_gap(struct net_ctx *c, struct dce_pipe *d, int to_server)
{
    net_sbuf_reset(c, &d->dir[to_server].acc);
    net_sbuf_reset(c, &d->dir[to_server].stub);
    d->dir[to_server].in_frag = 0;
}
