/*
 * smb1.c - SMB1 (CIFS) dissection, for the Windows XP / Server 2003 hosts
 * Kwampirs favours (MS-CIFS, MS-SMB).
 *
 * A message is a 32-byte header, then a command block (WordCount, words,
 * ByteCount, bytes). AndX commands chain further blocks at AndXOffset from
 * the header; each hop must move forward and at most WS_NET_MAX_COMPOUND are
 * followed. Every offset (AndXOffset, DataOffset, ParameterOffset) is taken
 * from the start of the header, through a window over the whole message.
 *
 *   header (MS-CIFS 2.2.3.1): 0 Protocol 4 | 4 Command 1 | 5 Status 4 |
 *     9 Flags 1 (0x80 reply) | 10 Flags2 2 (0x8000 Unicode) | 12 PIDHigh 2 |
 *     14 SecurityFeatures 8 | 22 Reserved 2 | 24 TID 2 | 26 PIDLow 2 |
 *     28 UID 2 | 30 MID 2
 *
 * Read: NEGOTIATE (dialect strings; an SMB1 answer to a request that offered
 * "SMB 2.002"/"SMB 2.???" marks the server SMB1-only, likely XP/2003),
 * SESSION_SETUP_ANDX (NTLMSSP, or the plain AccountName/PrimaryDomain; the
 * NativeOS and NativeLanMan strings and the dialects go to the inventory),
 * TREE_CONNECT_ANDX (path), NT_CREATE_ANDX (file name, FID), WRITE_ANDX,
 * READ_ANDX and TRANSACTION/TransactNmPipe (pipe data to DCE/RPC, file data
 * to the rebuilder), CLOSE. Requests are matched to responses by MID and PID.
 */
#include "core/compat.h"

#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/smb_int.h"

#define SMB_COM_CLOSE 0x04
#define SMB_COM_TRANSACTION 0x25
#define SMB_COM_READ_ANDX 0x2E
#define SMB_COM_WRITE_ANDX 0x2F
#define SMB_COM_NEGOTIATE 0x72
#define SMB_COM_SESSION_SETUP_ANDX 0x73
#define SMB_COM_TREE_CONNECT_ANDX 0x75
#define SMB_COM_NT_CREATE_ANDX 0xA2

#define FLAGS_REPLY 0x80
#define FLAGS2_UNICODE 0x8000

#define TRANS_TRANSACT_NMPIPE 0x0026

struct smb1_hdr {
    uint8_t cmd;
    uint32_t status;
    uint8_t flags;
    uint16_t flags2;
    uint16_t tid, pid, uid, mid;
    int resp;
    uint64_t key; /* request/response match */
};

struct blk {
    uint8_t wc;
    struct ws_cur words;
    struct ws_cur bytes;
    size_t bytes_off; /* offset of bytes from the header */
};

static int is_andx(uint8_t cmd)
{
    switch (cmd) {
    case 0x2D: /* OPEN_ANDX */
    case SMB_COM_READ_ANDX:
    case SMB_COM_WRITE_ANDX:
    case 0x24: /* LOCKING_ANDX */
    case SMB_COM_SESSION_SETUP_ANDX:
    case 0x74: /* LOGOFF_ANDX */
    case SMB_COM_TREE_CONNECT_ANDX:
    case SMB_COM_NT_CREATE_ANDX:
        return 1;
    default:
        return 0;
    }
}

static ws_status read_block(const struct ws_cur *m, size_t off, struct blk *b)
{
    struct ws_cur c;
    uint16_t bc;
    ws_status st;
    if ((st = ws_cur_window(m, off, m->len - off, &c)) || (st = ws_cur_u8(&c, &b->wc)) ||
        (st = ws_cur_sub(&c, (size_t)b->wc * 2, &b->words)) || (st = ws_cur_le16(&c, &bc)))
        return st;
    b->bytes_off = off + 1 + (size_t)b->wc * 2 + 2;
    /* Windows pads; some servers declare more bytes than sent: take what is there */
    size_t have = ws_cur_left(&c);
    return ws_cur_sub(&c, bc < have ? bc : have, &b->bytes);
}

/* A NUL-terminated string from the bytes, Unicode ones 2-aligned from the header. */
static ws_status bytes_string(struct blk *b, int unicode, char **out)
{
    struct ws_cur *c = &b->bytes;
    if (unicode && ((b->bytes_off + c->off) & 1) && ws_cur_skip(c, 1))
        return WS_E_TRUNCATED;
    const uint8_t *p = ws_cur_ptr(c);
    size_t n = ws_cur_left(c), len = 0;
    if (unicode) {
        while (len + 1 < n && !(p[len] == 0 && p[len + 1] == 0))
            len += 2;
        ws_status st = net_utf16_to_utf8(p, len, out);
        if (st == WS_OK)
            st = ws_cur_skip(c, len + 2 <= n ? len + 2 : n); /* within the cursor */
        return st;
    }
    while (len < n && p[len] != 0)
        len++;
    ws_status st = net_bytes_dup(p, len, out);
    if (st == WS_OK)
        st = ws_cur_skip(c, len + 1 <= n ? len + 1 : n);
    return st;
}

static struct smb_open *fid_open(struct net_ctx *c, struct smb_conn *s, const struct smb1_hdr *h,
                                 uint16_t fid, int adopt)
{
    uint8_t key[16] = {(uint8_t)(fid & 0xff), (uint8_t)(fid >> 8)};
    struct smb_open *o = smb_open_by_fid(s, key, 16);
    if (o || !adopt)
        return o;
    o = smb_open_new(c, s, h->tid, h->uid, NULL);
    if (o) {
        memcpy(o->fid, key, 16);
        o->has_fid = 1;
    }
    return o;
}

/* Inventory bits of the dialect strings of a NEGOTIATE request (MS-CIFS
 * 2.2.4.52.1: BufferFormat 0x02, then a NUL-terminated OEM name, repeated). */
static unsigned dialect_bits(const uint8_t *p, size_t n)
{
    unsigned bits = 0;
    size_t i = 0;
    /* every pass consumes at least the format byte */
    while (i < n) {
        size_t j = i + 1;
        while (j < n && p[j] != 0)
            j++;
        size_t len = j - (i + 1);
        const uint8_t *d = p + i + 1;
        if (len == 9 && !memcmp(d, "SMB 2.002", 9))
            bits |= NET_SMB_D_2002;
        else if (len == 9 && !memcmp(d, "SMB 2.???", 9))
            bits |= NET_SMB_D_2WILD;
        else if (len > 0)
            bits |= NET_SMB_D_SMB1;
        i = j + 1;
    }
    return bits;
}

static void negotiate(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                      const struct smb1_hdr *h, struct blk *b)
{
    if (!h->resp) {
        /* dialects: 0x02 then a NUL-terminated ASCII name, repeated */
        const uint8_t *p = ws_cur_ptr(&b->bytes);
        size_t n = ws_cur_left(&b->bytes);
        s->smb1_offered_smb2 = memmem(p, n, "SMB 2.", 6) != NULL;
        if (!s->smb1_offered_smb2 && n > 0)
            net_smb1_only(c, e, 1);
        net_inv_smb_dialects(c, e->cli_ip, 0, dialect_bits(p, n));
        return;
    }
    /* an SMB1 answer with a DialectIndex chose an SMB1 dialect (0xFFFF: none) */
    uint16_t idx;
    struct ws_cur w = b->words;
    if (h->status == 0 && ws_cur_le16(&w, &idx) == WS_OK && idx != 0xffff)
        net_inv_smb_dialects(c, e->srv_ip, 1, NET_SMB_D_SMB1);
    if (h->status == 0 && s->smb1_offered_smb2)
        net_smb1_only(c, e, 0);
}

/*
 * NativeOS and NativeLanMan of a SESSION_SETUP_ANDX (MS-CIFS 2.2.4.53,
 * MS-SMB 2.2.4.6) for the host inventory: they name the sender's Windows
 * ("Windows 5.1" is XP). Where they sit in the bytes:
 *   request, WordCount 12 (extended security): SecurityBlob (length at word
 *     offset 14), NativeOS, NativeLanMan;
 *   request, WordCount 13: OEM and Unicode passwords (lengths at word offset
 *     14 and 16), AccountName, PrimaryDomain, NativeOS, NativeLanMan;
 *   response, WordCount 4: SecurityBlob (length at word offset 6), NativeOS,
 *     NativeLanMan; WordCount 3: NativeOS, NativeLanMan, PrimaryDomain.
 */
static void native_os(struct net_ctx *c, const struct net_ends *e, const struct smb1_hdr *h,
                      const struct blk *b0)
{
    struct blk b = *b0;
    struct ws_cur w = b.words;
    int uni = (h->flags2 & FLAGS2_UNICODE) != 0;
    uint16_t l1, l2;
    int strings_before = 0;
    if (!h->resp && b.wc == 12) {
        if (ws_cur_skip(&w, 14) || ws_cur_le16(&w, &l1) || ws_cur_skip(&b.bytes, l1))
            return;
    } else if (!h->resp && b.wc == 13) {
        if (ws_cur_skip(&w, 14) || ws_cur_le16(&w, &l1) || ws_cur_le16(&w, &l2) ||
            ws_cur_skip(&b.bytes, (size_t)l1 + l2))
            return;
        strings_before = 2;
    } else if (h->resp && b.wc == 4) {
        if (h->status != 0 && h->status != 0xC0000016u)
            return;
        if (ws_cur_skip(&w, 6) || ws_cur_le16(&w, &l1) || ws_cur_skip(&b.bytes, l1))
            return;
    } else if (h->resp && b.wc == 3) {
        if (h->status != 0)
            return;
    } else {
        return;
    }
    char *os = NULL, *lm = NULL, *skip = NULL;
    for (int i = 0; i < strings_before; i++) {
        if (bytes_string(&b, uni, &skip) != WS_OK)
            return;
        WS_FREE_AND_NULL(skip);
    }
    if (ws_cur_left(&b.bytes) == 0 || bytes_string(&b, uni, &os) != WS_OK)
        return;
    if (ws_cur_left(&b.bytes) == 0 || bytes_string(&b, uni, &lm) != WS_OK)
        lm = NULL;
    net_inv_smb_os(c, h->resp ? e->srv_ip : e->cli_ip, os, lm);
    ws_free(os);
    ws_free(lm);
}

static void session_setup(struct net_ctx *c, struct smb_conn *s, const struct smb1_hdr *h,
                          struct blk *b)
{
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->key);
        if (!p || p->cmd != SMB_COM_SESSION_SETUP_ANDX)
            return;
        if ((h->status == 0 || h->status == 0xC0000016u) && (p->acct.user || p->acct.domain)) {
            struct smb_session *x = smb_session_get(c, s, h->uid, 1);
            if (x && net_account_copy(&x->acct, &p->acct) != WS_OK)
                net_account_release(&x->acct);
        }
        smb_pending_drop(c, s, p);
        return;
    }
    struct net_account a = {0};
    if (b->wc == 12) { /* extended security: NTLMSSP in the security blob */
        if (ntlmssp_find_auth(ws_cur_ptr(&b->bytes), ws_cur_left(&b->bytes), &a) != WS_OK)
            return;
    } else if (b->wc == 13) { /* OEM/Unicode passwords, then account and domain */
        uint16_t oemlen, unilen;
        struct ws_cur w = b->words;
        char *user = NULL, *dom = NULL;
        if (ws_cur_skip(&w, 14) || ws_cur_le16(&w, &oemlen) || ws_cur_le16(&w, &unilen) ||
            ws_cur_skip(&b->bytes, (size_t)oemlen + unilen))
            return;
        int uni = (h->flags2 & FLAGS2_UNICODE) != 0;
        if (bytes_string(b, uni, &user) != WS_OK)
            return;
        if (bytes_string(b, uni, &dom) != WS_OK) {
            ws_free(user);
            return;
        }
        a.user = user;
        a.domain = dom;
        if (a.user && !a.user[0])
            WS_FREE_AND_NULL(a.user);
    } else {
        return;
    }
    if (h->uid != 0) {
        struct smb_session *x = smb_session_get(c, s, h->uid, 1);
        if (x) {
            net_account_release(&x->acct);
            x->acct = a;
            return;
        }
    }
    struct smb_pending *p = smb_pending_add(c, s, h->key, SMB_COM_SESSION_SETUP_ANDX);
    if (p)
        p->acct = a;
    else
        net_account_release(&a);
}

static void tree_connect(struct net_ctx *c, struct smb_conn *s, const struct smb1_hdr *h,
                         struct blk *b)
{
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->key);
        if (!p || p->cmd != SMB_COM_TREE_CONNECT_ANDX)
            return;
        if (h->status == 0) {
            (void)smb_tree_add(c, s, h->uid, h->tid, p->path);
            p->path = NULL;
        }
        smb_pending_drop(c, s, p);
        return;
    }
    struct ws_cur w = b->words;
    uint16_t flags, pwlen;
    char *path = NULL;
    if (ws_cur_skip(&w, 4) || ws_cur_le16(&w, &flags) || ws_cur_le16(&w, &pwlen) ||
        ws_cur_skip(&b->bytes, pwlen) ||
        bytes_string(b, (h->flags2 & FLAGS2_UNICODE) != 0, &path) != WS_OK)
        return;
    struct smb_pending *p = smb_pending_add(c, s, h->key, SMB_COM_TREE_CONNECT_ANDX);
    if (p)
        (void)smb_pending_set_path(c, p, path);
    else
        ws_free(path);
}

static void nt_create(struct net_ctx *c, struct smb_conn *s, const struct smb1_hdr *h,
                      struct blk *b)
{
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->key);
        if (!p || p->cmd != SMB_COM_NT_CREATE_ANDX)
            return;
        struct smb_open *o = smb_open_by_serial(s, p->open);
        smb_pending_drop(c, s, p);
        if (!o)
            return;
        struct ws_cur w = b->words;
        uint8_t oplock;
        uint16_t fid;
        if (h->status != 0 || ws_cur_skip(&w, 4) || ws_cur_u8(&w, &oplock) ||
            ws_cur_le16(&w, &fid)) {
            smb_open_close(c, s, o);
            return;
        }
        memset(o->fid, 0, sizeof o->fid);
        o->fid[0] = (uint8_t)(fid & 0xff);
        o->fid[1] = (uint8_t)(fid >> 8);
        o->has_fid = 1;
        return;
    }
    char *name = NULL;
    if (bytes_string(b, (h->flags2 & FLAGS2_UNICODE) != 0, &name) != WS_OK)
        return;
    struct smb_open *o = smb_open_new(c, s, h->tid, h->uid, name);
    if (!o)
        return;
    struct smb_pending *p = smb_pending_add(c, s, h->key, SMB_COM_NT_CREATE_ANDX);
    if (p)
        p->open = o->serial;
}

static void write_andx(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                       const struct smb1_hdr *h, const struct ws_cur *m, struct blk *b)
{
    if (h->resp)
        return;
    struct ws_cur w = b->words, data;
    uint16_t fid, mode, remaining, lenhigh, len, doff;
    uint32_t off, timeout, offhigh = 0;
    if (ws_cur_skip(&w, 4) || ws_cur_le16(&w, &fid) || ws_cur_le32(&w, &off) ||
        ws_cur_le32(&w, &timeout) || ws_cur_le16(&w, &mode) || ws_cur_le16(&w, &remaining) ||
        ws_cur_le16(&w, &lenhigh) || ws_cur_le16(&w, &len) || ws_cur_le16(&w, &doff))
        return;
    if (b->wc == 14 && ws_cur_le32(&w, &offhigh))
        return;
    size_t total = ((size_t)lenhigh << 16) | len;
    if (ws_cur_window(m, doff, total, &data) && ws_cur_window(m, doff, len, &data)) {
        net_report(c, 0, "net.error.smb1", WS_E_TRUNCATED, e,
                   "SMB1 WRITE_ANDX in frame %llu declares data beyond its message",
                   (unsigned long long)c->pk.frame);
        return;
    }
    struct smb_open *o = fid_open(c, s, h, fid, 1);
    if (o)
        smb_open_data(c, s, e, o, "smb", 1, ((uint64_t)offhigh << 32) | off, ws_cur_ptr(&data),
                      ws_cur_left(&data));
}

static void read_andx(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                      const struct smb1_hdr *h, const struct ws_cur *m, struct blk *b)
{
    struct ws_cur w = b->words, data;
    if (!h->resp) {
        uint16_t fid;
        if (ws_cur_skip(&w, 4) || ws_cur_le16(&w, &fid))
            return;
        struct smb_open *o = fid_open(c, s, h, fid, 0);
        if (!o || !o->pipe)
            return;
        struct smb_pending *p = smb_pending_add(c, s, h->key, SMB_COM_READ_ANDX);
        if (p)
            p->open = o->serial;
        return;
    }
    struct smb_pending *p = smb_pending_find(s, h->key);
    if (!p || p->cmd != SMB_COM_READ_ANDX)
        return;
    struct smb_open *o = smb_open_by_serial(s, p->open);
    smb_pending_drop(c, s, p);
    uint16_t avail, mode, res, len, doff;
    if (!o || (h->status != 0 && h->status != 0x80000005u) || ws_cur_skip(&w, 4) ||
        ws_cur_le16(&w, &avail) || ws_cur_le16(&w, &mode) || ws_cur_le16(&w, &res) ||
        ws_cur_le16(&w, &len) || ws_cur_le16(&w, &doff) || ws_cur_window(m, doff, len, &data))
        return;
    smb_open_data(c, s, e, o, "smb", 0, 0, ws_cur_ptr(&data), len);
}

static void transaction(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                        const struct smb1_hdr *h, const struct ws_cur *m, struct blk *b)
{
    struct ws_cur w = b->words, data;
    uint16_t tp, td, pc, po, dc, doff;
    if (!h->resp) {
        /* words: TotalParameterCount, TotalDataCount, MaxParameterCount,
         * MaxDataCount, MaxSetupCount+Reserved1, Flags, Timeout(4), Reserved2,
         * ParameterCount, ParameterOffset, DataCount, DataOffset,
         * SetupCount+Reserved3, Setup[] */
        uint8_t nsetup, r;
        uint16_t sub, fid;
        if (ws_cur_le16(&w, &tp) || ws_cur_le16(&w, &td) || ws_cur_skip(&w, 14) ||
            ws_cur_le16(&w, &pc) || ws_cur_le16(&w, &po) || ws_cur_le16(&w, &dc) ||
            ws_cur_le16(&w, &doff) || ws_cur_u8(&w, &nsetup) || ws_cur_u8(&w, &r) || nsetup < 2 ||
            ws_cur_le16(&w, &sub) || ws_cur_le16(&w, &fid))
            return;
        if (sub != TRANS_TRANSACT_NMPIPE || ws_cur_window(m, doff, dc, &data))
            return;
        struct smb_open *o = fid_open(c, s, h, fid, 1);
        if (!o)
            return;
        o->pipe = 1;
        smb_open_data(c, s, e, o, "smb", 1, 0, ws_cur_ptr(&data), dc);
        struct smb_pending *p = smb_pending_add(c, s, h->key, SMB_COM_TRANSACTION);
        if (p)
            p->open = o->serial;
        return;
    }
    struct smb_pending *p = smb_pending_find(s, h->key);
    if (!p || p->cmd != SMB_COM_TRANSACTION)
        return;
    struct smb_open *o = smb_open_by_serial(s, p->open);
    smb_pending_drop(c, s, p);
    uint16_t res, pdisp;
    if (!o || (h->status != 0 && h->status != 0x80000005u) || ws_cur_le16(&w, &tp) ||
        ws_cur_le16(&w, &td) || ws_cur_le16(&w, &res) || ws_cur_le16(&w, &pc) ||
        ws_cur_le16(&w, &po) || ws_cur_le16(&w, &pdisp) || ws_cur_le16(&w, &dc) ||
        ws_cur_le16(&w, &doff) || ws_cur_window(m, doff, dc, &data))
        return;
    smb_open_data(c, s, e, o, "smb", 0, 0, ws_cur_ptr(&data), dc);
}

static void close_file(struct net_ctx *c, struct smb_conn *s, const struct smb1_hdr *h,
                       struct blk *b)
{
    if (h->resp)
        return;
    struct ws_cur w = b->words;
    uint16_t fid;
    if (ws_cur_le16(&w, &fid))
        return;
    struct smb_open *o = fid_open(c, s, h, fid, 0);
    if (o)
        smb_open_close(c, s, o);
}

void smb1_message(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, const uint8_t *p,
                  size_t n)
{
    struct ws_cur m, hc;
    ws_cur_init(&m, p, n);
    hc = m;
    struct smb1_hdr h;
    uint16_t pidhigh, reserved;
    if (ws_cur_skip(&hc, 4) || ws_cur_u8(&hc, &h.cmd) || ws_cur_le32(&hc, &h.status) ||
        ws_cur_u8(&hc, &h.flags) || ws_cur_le16(&hc, &h.flags2) || ws_cur_le16(&hc, &pidhigh) ||
        ws_cur_skip(&hc, 8) || ws_cur_le16(&hc, &reserved) || ws_cur_le16(&hc, &h.tid) ||
        ws_cur_le16(&hc, &h.pid) || ws_cur_le16(&hc, &h.uid) || ws_cur_le16(&hc, &h.mid)) {
        net_report(c, 0, "net.error.smb1", WS_E_TRUNCATED, e,
                   "SMB1 header unreadable in frame %llu", (unsigned long long)c->pk.frame);
        return;
    }
    h.resp = (h.flags & FLAGS_REPLY) != 0;
    h.key = (uint64_t)h.mid | ((uint64_t)h.pid << 16) | ((uint64_t)pidhigh << 32);
    size_t off = 32;
    uint8_t cmd = h.cmd;
    for (int i = 0; i < WS_NET_MAX_COMPOUND && !c->stop; i++) {
        struct blk b;
        if (read_block(&m, off, &b) != WS_OK)
            return; /* short error responses end here */
        h.cmd = cmd;
        switch (cmd) {
        case SMB_COM_NEGOTIATE:
            negotiate(c, s, e, &h, &b);
            break;
        case SMB_COM_SESSION_SETUP_ANDX:
            native_os(c, e, &h, &b);
            session_setup(c, s, &h, &b);
            break;
        case SMB_COM_TREE_CONNECT_ANDX:
            tree_connect(c, s, &h, &b);
            break;
        case SMB_COM_NT_CREATE_ANDX:
            nt_create(c, s, &h, &b);
            break;
        case SMB_COM_WRITE_ANDX:
            write_andx(c, s, e, &h, &m, &b);
            break;
        case SMB_COM_READ_ANDX:
            read_andx(c, s, e, &h, &m, &b);
            break;
        case SMB_COM_TRANSACTION:
            transaction(c, s, e, &h, &m, &b);
            break;
        case SMB_COM_CLOSE:
            close_file(c, s, &h, &b);
            break;
        default:
            break;
        }
        if (!is_andx(cmd) || b.wc < 2)
            return;
        struct ws_cur w = b.words;
        uint8_t next, r;
        uint16_t noff;
        if (ws_cur_u8(&w, &next) || ws_cur_u8(&w, &r) || ws_cur_le16(&w, &noff))
            return;
        if (next == 0xff || noff <= off || noff >= n)
            return; /* end of chain, or a hop that does not move forward */
        off = noff;
        cmd = next;
    }
}
