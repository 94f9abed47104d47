/*
 * dicom.c - DICOM Upper Layer associations (DICOM PS3.8 section 9), for the
 * host inventory: which hosts are imaging equipment (Kwampirs' hospital
 * targets sit beside MRI and X-ray consoles).
 *
 * A flow is DICOM (dicom_looks, asked once by app.c) when the client's first
 * bytes are a well-formed A-ASSOCIATE-RQ (protocol version 1, application
 * context item 0x10 "1.2.840.10008.3.1.1.1") on any port, or when either side
 * starts with a plausible PDU header on TCP 104 or 11112 (the registered
 * ports, PS3.15 E.1 / IANA).
 *
 * Framing, per direction: PDU header (PS3.8 9.3.1)
 *     0 PDU-type 1 | 1 reserved 1 | 2 PDU-length 4 (big-endian)
 *   types 0x01 A-ASSOCIATE-RQ, 0x02 -AC, 0x03 -RJ, 0x04 P-DATA-TF,
 *   0x05 A-RELEASE-RQ, 0x06 -RP, 0x07 A-ABORT.
 * P-DATA bodies are counted off, never buffered (they carry the images);
 * every other PDU is buffered whole (at most WS_NET_DICOM_MAX_ASSOC_PDU;
 * a larger one is skipped with an error finding) and parsed through a cursor
 * narrowed to its length. A-ASSOCIATE-RQ/AC (9.3.2, 9.3.3):
 *     0 Protocol-version 2 | 2 reserved 2 | 4 Called-AE-title 16 |
 *     20 Calling-AE-title 16 | 36 reserved 32 | 68 items
 *   item: 0 type 1 | 1 reserved 1 | 2 length 2 | 4 value
 *     0x10 application context name (UID)
 *     0x20 (RQ) presentation context: ID 1 | reserved 3 | sub-items:
 *          0x30 abstract syntax (SOP class UID), 0x40 transfer syntax
 *     0x21 (AC) presentation context: ID 1 | reserved 1 | result 1 |
 *          reserved 1 | sub-item 0x40 (result 0 = acceptance, 9.3.3.2)
 *     0x50 user information: sub-items 0x51 maximum length, 0x52
 *          implementation class UID, 0x55 implementation version name
 *          (PS3.7 D.3.3), others skipped
 * A-ASSOCIATE-RJ (9.3.4): reserved 1 | result 1 | source 1 | reason 1.
 *
 * What is kept: the last RQ of the connection (AE titles, contexts and their
 * SOP classes, implementation), until the answer. The sender of the RQ is the
 * SCU (calling AE title), recorded at once; the called side is recorded as
 * SCP (called AE title) when it answers with AC or RJ. Garbled PDUs give an
 * error finding (net.error.dicom) and end the dissection of that direction.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

#define PDU_HDR 6
#define ASSOC_FIXED 68 /* protocol version .. reserved, before the items */
#define DICOM_APP_CTX "1.2.840.10008.3.1.1.1"
#define UID_MAX 64 /* PS3.5 9.1 */
#define AE_MAX 16  /* PS3.5 6.2, AE VR */
#define IMPL_VER_MAX 16

/* Modality words, by bit (dicom_modality_text). */
static const char *const mod_words[] = {
    "CT",
    "MR",
    "CR",
    "DX",
    "US",
    "NM",
    "PT",
    "XA",
    "RF",
    "MG",
    "secondary capture",
    "verification",
    "worklist",
    "query-retrieve",
};
enum {
    M_CT,
    M_MR,
    M_CR,
    M_DX,
    M_US,
    M_NM,
    M_PT,
    M_XA,
    M_RF,
    M_MG,
    M_SC,
    M_ECHO,
    M_MWL,
    M_QR,
    M_COUNT
};

/* Common SOP classes (PS3.4 annex B.5, C.6, K.6; PS3.6 annex A). */
static const struct {
    const char *uid;
    int mod;
} sop_table[] = {
    {"1.2.840.10008.1.1", M_ECHO},           /* Verification (C-ECHO) */
    {"1.2.840.10008.5.1.4.1.1.1", M_CR},     /* CR Image Storage */
    {"1.2.840.10008.5.1.4.1.1.1.1", M_DX},   /* Digital X-Ray, For Presentation */
    {"1.2.840.10008.5.1.4.1.1.1.1.1", M_DX}, /* Digital X-Ray, For Processing */
    {"1.2.840.10008.5.1.4.1.1.1.2", M_MG},   /* Digital Mammography, Presentation */
    {"1.2.840.10008.5.1.4.1.1.1.2.1", M_MG}, /* Digital Mammography, Processing */
    {"1.2.840.10008.5.1.4.1.1.2", M_CT},     /* CT Image Storage */
    {"1.2.840.10008.5.1.4.1.1.2.1", M_CT},   /* Enhanced CT */
    {"1.2.840.10008.5.1.4.1.1.3.1", M_US},   /* US Multi-frame */
    {"1.2.840.10008.5.1.4.1.1.4", M_MR},     /* MR Image Storage */
    {"1.2.840.10008.5.1.4.1.1.4.1", M_MR},   /* Enhanced MR */
    {"1.2.840.10008.5.1.4.1.1.6.1", M_US},   /* US Image Storage */
    {"1.2.840.10008.5.1.4.1.1.7", M_SC},     /* Secondary Capture */
    {"1.2.840.10008.5.1.4.1.1.12.1", M_XA},  /* X-Ray Angiographic */
    {"1.2.840.10008.5.1.4.1.1.12.2", M_RF},  /* X-Ray Radiofluoroscopic */
    {"1.2.840.10008.5.1.4.1.1.20", M_NM},    /* Nuclear Medicine */
    {"1.2.840.10008.5.1.4.1.1.128", M_PT},   /* PET */
    {"1.2.840.10008.5.1.4.31", M_MWL},       /* Modality Worklist FIND */
    {"1.2.840.10008.5.1.4.1.2.1.1", M_QR},   /* Patient Root Q/R FIND */
    {"1.2.840.10008.5.1.4.1.2.1.2", M_QR},   /* Patient Root Q/R MOVE */
    {"1.2.840.10008.5.1.4.1.2.1.3", M_QR},   /* Patient Root Q/R GET */
    {"1.2.840.10008.5.1.4.1.2.2.1", M_QR},   /* Study Root Q/R FIND */
    {"1.2.840.10008.5.1.4.1.2.2.2", M_QR},   /* Study Root Q/R MOVE */
    {"1.2.840.10008.5.1.4.1.2.2.3", M_QR},   /* Study Root Q/R GET */
};

void dicom_modality_text(uint32_t mods, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < M_COUNT && o < cap; i++)
        if (mods & (1u << i))
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", mod_words[i]);
}

static int sop_mod(const char *uid)
{
    for (size_t i = 0; i < sizeof sop_table / sizeof sop_table[0]; i++)
        if (!strcmp(sop_table[i].uid, uid))
            return sop_table[i].mod;
    return -1;
}

/* ---- state ---- */

struct dicom_dir {
    struct net_sbuf buf; /* PDU header, then the whole PDU (not P-DATA) */
    uint64_t skip;       /* body bytes still to pass over (P-DATA, oversized) */
    int dead;            /* framing lost: the rest of this direction is ignored */
};

/* One association request or acceptance, as parsed. */
struct assoc {
    uint16_t version;
    char called[AE_MAX + 1], calling[AE_MAX + 1];
    char app_ctx[UID_MAX + 1];
    char impl_uid[UID_MAX + 1], impl_ver[IMPL_VER_MAX + 1];
    /* RQ: presentation context ID -> abstract syntax (index into sops + 1);
     * AC: ID -> result + 1 */
    uint8_t ctx[256];
    char sops[WS_NET_INV_MAX_SOP][UID_MAX + 1];
    size_t nsops;
    uint32_t mods;        /* RQ: bits of every proposed abstract syntax */
    uint8_t ctx_mod[256]; /* RQ: context ID -> modality + 1 */
};

struct dicom_conn {
    struct dicom_dir dir[2]; /* [1] client->server */
    int have_rq;
    int rq_dir; /* direction the RQ travelled */
    struct assoc rq;
};

struct dicom_conn *dicom_conn_new(struct net_ctx *c)
{
    if (!net_charge(c, sizeof(struct dicom_conn)))
        return NULL;
    struct dicom_conn *d = ws_calloc(1, sizeof *d);
    if (!d) {
        net_uncharge(c, sizeof(struct dicom_conn));
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        net_sbuf_init(&d->dir[i].buf, PDU_HDR + WS_NET_DICOM_MAX_ASSOC_PDU + 1); /* + NUL */
    return d;
}

void dicom_conn_free(struct net_ctx *c, struct dicom_conn *d)
{
    if (!d)
        return;
    for (int i = 0; i < 2; i++)
        net_sbuf_release(c, &d->dir[i].buf);
    net_uncharge(c, sizeof *d);
    ws_free(d);
}

/* ---- recognition ---- */

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A UID value: trailing NUL padding (PS3.5 9.1) and spaces dropped; the
 * text stops at an inner NUL. 0 when empty or longer than UID_MAX. */
static int uid_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
    while (n > 0 && (p[n - 1] == 0 || p[n - 1] == ' '))
        n--;
    const uint8_t *z = memchr(p, 0, n);
    if (z)
        n = (size_t)(z - p);
    if (n == 0 || n >= cap)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static int header_plausible(const uint8_t *p, size_t n)
{
    if (n < PDU_HDR || p[1] != 0)
        return 0;
    uint32_t len = be32(p + 2);
    switch (p[0]) {
    case 0x01:
    case 0x02:
        if (len < ASSOC_FIXED || len > WS_NET_DICOM_MAX_ASSOC_PDU)
            return 0;
        return n < 8 || (p[6] == 0 && p[7] == 1);
    case 0x03:
    case 0x05:
    case 0x06:
    case 0x07:
        return len == 4;
    case 0x04:
        return len >= 6; /* one PDV item: length 4, context 1, control 1 */
    default:
        return 0;
    }
}

int dicom_looks(const struct net_ends *e, int to_server, const uint8_t *p, size_t n)
{
    const size_t app = PDU_HDR + ASSOC_FIXED; /* first item */
    if (to_server && n >= app + 4 && p[0] == 0x01 && header_plausible(p, n) && n >= 8 &&
        p[app] == 0x10 && p[app + 1] == 0) {
        size_t ilen = ((size_t)p[app + 2] << 8) | p[app + 3];
        char uid[UID_MAX + 1];
        if (ilen <= n - app - 4 && uid_text(p + app + 4, ilen, uid, sizeof uid) &&
            !strcmp(uid, DICOM_APP_CTX))
            return 1;
    }
    if (e->srv_port == 104 || e->srv_port == 11112)
        return header_plausible(p, n);
    return 0;
}

/* ---- associate PDUs ---- */

/* Text of a padded field: leading and trailing spaces and NULs dropped (PS3.5
 * 6.2: not significant), stopped at an inner NUL, cut to cap - 1 bytes. */
static void trim_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t a = 0, b = n;
    while (a < b && (p[a] == ' ' || p[a] == 0))
        a++;
    while (b > a && (p[b - 1] == ' ' || p[b - 1] == 0))
        b--;
    const uint8_t *z = memchr(p + a, 0, b - a);
    if (z)
        b = (size_t)(z - p);
    if (b - a >= cap)
        b = a + cap - 1;
    memcpy(out, p + a, b - a);
    out[b - a] = '\0';
}

static ws_status user_info(struct ws_cur *v, struct assoc *a)
{
    for (int i = 0; i < WS_NET_DICOM_MAX_SUBITEMS && ws_cur_left(v) > 0; i++) {
        uint8_t type, r;
        uint16_t len;
        struct ws_cur s;
        ws_status st;
        if ((st = ws_cur_u8(v, &type)) || (st = ws_cur_u8(v, &r)) || (st = ws_cur_be16(v, &len)) ||
            (st = ws_cur_sub(v, len, &s)))
            return st;
        if (type == 0x52 && !uid_text(ws_cur_ptr(&s), len, a->impl_uid, sizeof a->impl_uid))
            return WS_E_CORRUPT;
        if (type == 0x55) /* 1-16 characters of the default repertoire */
            trim_text(ws_cur_ptr(&s), len, a->impl_ver, sizeof a->impl_ver);
    }
    return WS_OK;
}

/* Sub-items of a presentation context. */
static ws_status pctx(struct ws_cur *v, struct assoc *a, int rq)
{
    uint8_t id, r1, result, r2;
    ws_status st;
    if ((st = ws_cur_u8(v, &id)) || (st = ws_cur_u8(v, &r1)) || (st = ws_cur_u8(v, &result)) ||
        (st = ws_cur_u8(v, &r2)))
        return st;
    if (!rq) {
        a->ctx[id] = (uint8_t)(result + 1 > 255 ? 255 : result + 1);
        return WS_OK; /* the transfer syntax chosen is not needed */
    }
    for (int i = 0; i < WS_NET_DICOM_MAX_SUBITEMS && ws_cur_left(v) > 0; i++) {
        uint8_t type, r;
        uint16_t len;
        struct ws_cur s;
        if ((st = ws_cur_u8(v, &type)) || (st = ws_cur_u8(v, &r)) || (st = ws_cur_be16(v, &len)) ||
            (st = ws_cur_sub(v, len, &s)))
            return st;
        if (type != 0x30)
            continue;
        char uid[UID_MAX + 1];
        if (!uid_text(ws_cur_ptr(&s), len, uid, sizeof uid))
            return WS_E_CORRUPT;
        int m = sop_mod(uid);
        if (m >= 0) {
            a->mods |= 1u << m;
            a->ctx_mod[id] = (uint8_t)(m + 1);
        }
        size_t k = 0;
        while (k < a->nsops && strcmp(a->sops[k], uid) != 0)
            k++;
        if (k == a->nsops && a->nsops < WS_NET_INV_MAX_SOP)
            memcpy(a->sops[a->nsops++], uid, strlen(uid) + 1);
        if (k < a->nsops)
            a->ctx[id] = (uint8_t)(k + 1);
    }
    return WS_OK;
}

/* A-ASSOCIATE-RQ (rq 1) or -AC body (after the 6-byte header). */
static ws_status parse_assoc(struct ws_cur *b, int rq, struct assoc *a)
{
    const uint8_t *called, *calling;
    ws_status st;
    memset(a, 0, sizeof *a);
    if ((st = ws_cur_be16(b, &a->version)) || (st = ws_cur_skip(b, 2)) ||
        (st = ws_cur_bytes(b, AE_MAX, &called)) || (st = ws_cur_bytes(b, AE_MAX, &calling)) ||
        (st = ws_cur_skip(b, 32)))
        return st;
    trim_text(called, AE_MAX, a->called, sizeof a->called);
    trim_text(calling, AE_MAX, a->calling, sizeof a->calling);
    for (int i = 0; i < WS_NET_DICOM_MAX_ITEMS && ws_cur_left(b) > 0; i++) {
        uint8_t type, r;
        uint16_t len;
        struct ws_cur v;
        if ((st = ws_cur_u8(b, &type)) || (st = ws_cur_u8(b, &r)) || (st = ws_cur_be16(b, &len)) ||
            (st = ws_cur_sub(b, len, &v)))
            return st;
        switch (type) {
        case 0x10:
            if (!uid_text(ws_cur_ptr(&v), len, a->app_ctx, sizeof a->app_ctx))
                return WS_E_CORRUPT;
            break;
        case 0x20:
        case 0x21:
            if (type != (rq ? 0x20 : 0x21))
                return WS_E_CORRUPT;
            if ((st = pctx(&v, a, rq)) != WS_OK)
                return st;
            break;
        case 0x50:
            if ((st = user_info(&v, a)) != WS_OK)
                return st;
            break;
        default:
            break; /* unknown items are skipped (PS3.8 9.3.1: "shall be ignored") */
        }
    }
    return WS_OK;
}

static const char *sender_ip(const struct net_ends *e, int dir)
{
    return dir ? e->cli_ip : e->srv_ip;
}

static void on_rq(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int dir,
                  struct assoc *a)
{
    d->rq = *a;
    d->have_rq = 1;
    d->rq_dir = dir;
    const char *sops[WS_NET_INV_MAX_SOP];
    for (size_t i = 0; i < a->nsops; i++)
        sops[i] = a->sops[i];
    net_inv_dicom(c, sender_ip(e, dir), 0, 0, a->calling, a->mods, sops, a->nsops, a->impl_uid,
                  a->impl_ver);
}

static void on_ac(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int dir,
                  const struct assoc *ac)
{
    const char *sops[WS_NET_INV_MAX_SOP];
    size_t nsops = 0;
    uint32_t mods = 0;
    const char *called = ac->called;
    if (d->have_rq && d->rq_dir != dir) {
        called = d->rq.called;
        /* what the acceptor took: contexts with result 0 (acceptance) */
        for (unsigned id = 0; id < 256; id++) {
            if (ac->ctx[id] != 1)
                continue;
            if (d->rq.ctx_mod[id])
                mods |= 1u << (d->rq.ctx_mod[id] - 1);
            uint8_t k = d->rq.ctx[id];
            if (k && nsops < WS_NET_INV_MAX_SOP) {
                const char *u = d->rq.sops[k - 1];
                size_t j = 0;
                while (j < nsops && sops[j] != u)
                    j++;
                if (j == nsops)
                    sops[nsops++] = u;
            }
        }
    }
    net_inv_dicom(c, sender_ip(e, dir), 1, 1, called, mods, sops, nsops, ac->impl_uid,
                  ac->impl_ver);
    d->have_rq = 0;
}

static void on_rj(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int dir)
{
    const char *called = d->have_rq && d->rq_dir != dir ? d->rq.called : NULL;
    net_inv_dicom(c, sender_ip(e, dir), 1, 0, called, 0, NULL, 0, NULL, NULL);
    d->have_rq = 0;
}

static void pdu(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int dir,
                uint8_t type, const uint8_t *p, size_t n)
{
    struct ws_cur b;
    ws_cur_init(&b, p, n);
    struct assoc *a = NULL;
    ws_status st = WS_OK;
    static const char *const names[] = {"", "A-ASSOCIATE-RQ", "A-ASSOCIATE-AC"};
    if (type == 0x01 || type == 0x02) {
        if (!net_charge(c, sizeof *a))
            return;
        if (!(a = ws_malloc(sizeof *a))) {
            net_uncharge(c, sizeof *a);
            return;
        }
        st = parse_assoc(&b, type == 0x01, a);
        if (st == WS_OK && !(a->version & 1))
            st = WS_E_CORRUPT; /* bit 0: version 1 (9.3.2), the only one defined */
        if (st != WS_OK)
            net_report(c, 0, "net.error.dicom", st, e, "DICOM %s in frame %llu is %s", names[type],
                       (unsigned long long)c->pk.frame,
                       st == WS_E_TRUNCATED ? "truncated" : "malformed");
        else if (type == 0x01)
            on_rq(c, d, e, dir, a);
        else
            on_ac(c, d, e, dir, a);
        ws_free(a);
        net_uncharge(c, sizeof *a);
        return;
    }
    if (type == 0x03) /* result, source and reason are not needed for the inventory */
        on_rj(c, d, e, dir);
}

/* ---- framing ---- */

static void dir_dead(struct net_ctx *c, struct dicom_dir *x)
{
    x->dead = 1;
    x->skip = 0;
    net_sbuf_reset(c, &x->buf);
}

/* The capture's stream budget is spent (WS_NET_MAX_STREAM_TOTAL). */
static void buffer_full(struct net_ctx *c, struct dicom_dir *x, const struct net_ends *e)
{
    net_report(c, 0, "net.error.dicom", WS_E_TOO_LARGE, e,
               "no room to buffer a DICOM PDU at frame %llu; rest of the flow skipped",
               (unsigned long long)c->pk.frame);
    dir_dead(c, x);
}

void dicom_data(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int to_server,
                const uint8_t *p, size_t n)
{
    int dir = to_server != 0;
    struct dicom_dir *x = &d->dir[dir];
    for (int pass = 0; n > 0 && !x->dead && !c->stop; pass++) {
        if (pass >= WS_NET_DICOM_MAX_PDUS) {
            net_report(c, 0, "net.error.dicom", WS_E_TOO_LARGE, e,
                       "more than %u DICOM PDUs in one delivery at frame %llu; rest of the flow "
                       "skipped",
                       (unsigned)WS_NET_DICOM_MAX_PDUS, (unsigned long long)c->pk.frame);
            dir_dead(c, x);
            return;
        }
        if (x->skip) {
            size_t t = x->skip < n ? (size_t)x->skip : n;
            x->skip -= t;
            p += t;
            n -= t;
            continue;
        }
        size_t have = x->buf.b.len;
        if (have < PDU_HDR) {
            size_t t = PDU_HDR - have < n ? PDU_HDR - have : n;
            if (net_sbuf_add(c, &x->buf, p, t) != WS_OK) {
                buffer_full(c, x, e);
                return;
            }
            p += t;
            n -= t;
            if (x->buf.b.len < PDU_HDR)
                return;
        }
        const uint8_t *h = (const uint8_t *)x->buf.b.data;
        uint8_t type = h[0];
        uint32_t len = be32(h + 2);
        if (type < 0x01 || type > 0x07 || h[1] != 0 || (type >= 0x05 && len != 4) ||
            (type == 0x03 && len != 4)) {
            net_report(c, 0, "net.error.dicom", WS_E_CORRUPT, e,
                       "not a DICOM PDU header (type 0x%02x, length %u) in frame %llu; rest of "
                       "the flow skipped",
                       type, len, (unsigned long long)c->pk.frame);
            dir_dead(c, x);
            return;
        }
        if (type == 0x04 || len > WS_NET_DICOM_MAX_ASSOC_PDU) {
            if (type != 0x04)
                net_report(c, 0, "net.error.dicom", WS_E_TOO_LARGE, e,
                           "DICOM PDU of %u bytes in frame %llu exceeds %u; skipped", len,
                           (unsigned long long)c->pk.frame, (unsigned)WS_NET_DICOM_MAX_ASSOC_PDU);
            x->skip = len;
            net_sbuf_reset(c, &x->buf);
            continue;
        }
        size_t need = PDU_HDR + (size_t)len - x->buf.b.len;
        size_t t = need < n ? need : n;
        if (t && net_sbuf_add(c, &x->buf, p, t) != WS_OK) {
            buffer_full(c, x, e);
            return;
        }
        p += t;
        n -= t;
        if (x->buf.b.len < PDU_HDR + (size_t)len)
            return;
        pdu(c, d, e, dir, type, (const uint8_t *)x->buf.b.data + PDU_HDR, len);
        net_sbuf_reset(c, &x->buf);
    }
}

void dicom_gap(struct net_ctx *c, struct dicom_conn *d, int to_server)
{
    /* the next PDU boundary is unknown after lost bytes */
    dir_dead(c, &d->dir[to_server != 0]);
}
