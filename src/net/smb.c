/*
 * smb.c - NetBIOS session framing, SMB connection state, SMB2/3 dissection.
 *
 * Framing (RFC 1002 4.3; MS-SMB2 2.1 direct TCP): each message is a 4-byte
 * header (type, 24-bit length) and the payload. Type 0x00 carries SMB; the
 * session-service types 0x81-0x85 (request, responses, keep-alive) are
 * skipped. A header that is not followed by an SMB magic (0xFF/0xFE/0xFD/0xFC
 * 'S' 'M' 'B') means we are lost (after a gap, or picked up mid-message): we
 * scan forward for the next header that is, and report once per direction.
 *
 * SMB2 (MS-SMB2 2.2): a message may chain several commands (NextCommand,
 * 2.2.1); each is dissected through a cursor narrowed to its own bytes, and
 * every offset inside it (names, buffers, data) is relative to its header
 * (hence ws_cur_window over the narrowed command). Encrypted (transform
 * header 0xFD, 2.2.41) and compressed (0xFC, 2.2.42) messages cannot be read:
 * the first one on a connection is reported as INFO, the rest skipped.
 *
 *   SMB2 header (2.2.1.2, sync):  0 ProtocolId 4 | 4 StructureSize 2 |
 *     6 CreditCharge 2 | 8 Status 4 | 12 Command 2 | 14 Credit 2 | 16 Flags 4 |
 *     20 NextCommand 4 | 24 MessageId 8 | 32 Reserved 4 | 36 TreeId 4 |
 *     40 SessionId 8 | 48 Signature 16      (async: 32 AsyncId 8)
 */
#include "core/compat.h"

#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/smb_int.h"

#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND 0x00000002u
#define SMB2_FLAGS_RELATED_OPERATIONS 0x00000004u

#define SMB2_NEGOTIATE 0x0000
#define SMB2_SESSION_SETUP 0x0001
#define SMB2_TREE_CONNECT 0x0003
#define SMB2_CREATE 0x0005
#define SMB2_CLOSE 0x0006
#define SMB2_READ 0x0008
#define SMB2_WRITE 0x0009
#define SMB2_IOCTL 0x000B

#define STATUS_SUCCESS 0x00000000u
#define STATUS_PENDING 0x00000103u
#define STATUS_BUFFER_OVERFLOW 0x80000005u
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

#define FSCTL_PIPE_TRANSCEIVE 0x0011C017u

/* ---- tables ---- */

struct smb_conn *smb_conn_new(struct net_ctx *c)
{
    if (!net_charge(c, sizeof(struct smb_conn)))
        return NULL;
    struct smb_conn *s = ws_calloc(1, sizeof *s);
    if (!s) {
        net_uncharge(c, sizeof(struct smb_conn));
        return NULL;
    }
    net_sbuf_init(&s->dir[0].buf, WS_NET_MAX_SMB_MSG + 8);
    net_sbuf_init(&s->dir[1].buf, WS_NET_MAX_SMB_MSG + 8);
    s->next_serial = 1;
    return s;
}

static void open_free(struct net_ctx *c, struct smb_open *o)
{
    if (!o)
        return;
    net_uncharge(c, sizeof *o + net_str_cost(o->name));
    dce_pipe_free(c, o->dce);
    ws_free(o->name);
    ws_free(o);
}

static void pending_release(struct net_ctx *c, struct smb_pending *p)
{
    net_uncharge(c, net_str_cost(p->path));
    ws_free(p->path);
    net_account_release(&p->acct);
}

void smb_conn_free(struct net_ctx *c, struct smb_conn *s)
{
    if (!s)
        return;
    for (int d = 0; d < 2; d++)
        net_sbuf_release(c, &s->dir[d].buf);
    for (size_t i = 0; i < s->nsess; i++)
        net_account_release(&s->sess[i].acct);
    ws_free(s->sess);
    for (size_t i = 0; i < s->ntrees; i++) {
        net_uncharge(c, net_str_cost(s->trees[i].path));
        ws_free(s->trees[i].path);
    }
    ws_free(s->trees);
    for (size_t i = 0; i < s->nopens; i++)
        open_free(c, s->opens[i]);
    ws_free(s->opens);
    for (size_t i = 0; i < s->npend; i++)
        pending_release(c, &s->pend[i]);
    ws_free(s->pend);
    net_uncharge(c, sizeof *s + s->sess_cap * sizeof *s->sess + s->trees_cap * sizeof *s->trees +
                        s->opens_cap * sizeof *s->opens + s->pend_cap * sizeof *s->pend);
    ws_free(s);
}

struct smb_session *smb_session_get(struct net_ctx *c, struct smb_conn *s, uint64_t id, int create)
{
    for (size_t i = 0; i < s->nsess; i++)
        if (s->sess[i].id == id)
            return &s->sess[i];
    if (!create)
        return NULL;
    if (s->nsess == WS_NET_MAX_SMB_SESSIONS) {
        net_account_release(&s->sess[0].acct);
        memmove(s->sess, s->sess + 1, (s->nsess - 1) * sizeof *s->sess);
        s->nsess--;
    }
    if (net_table_room(c, (void **)&s->sess, &s->sess_cap, s->nsess, sizeof *s->sess,
                       WS_NET_MAX_SMB_SESSIONS) != WS_OK)
        return NULL;
    struct smb_session *x = &s->sess[s->nsess++];
    memset(x, 0, sizeof *x);
    x->id = id;
    return x;
}

const struct net_account *smb_account(struct smb_conn *s, uint64_t sid)
{
    for (size_t i = 0; i < s->nsess; i++)
        if (s->sess[i].id == sid)
            return s->sess[i].acct.user || s->sess[i].acct.domain ? &s->sess[i].acct : NULL;
    return NULL;
}

struct smb_tree *smb_tree_find(struct smb_conn *s, uint32_t tid)
{
    for (size_t i = s->ntrees; i-- > 0;)
        if (s->trees[i].tid == tid)
            return &s->trees[i];
    return NULL;
}

int smb_path_is_ipc(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, "IPC$") == 0;
}

/* path: consumed; already charged (it comes from a pending request). */
struct smb_tree *smb_tree_add(struct net_ctx *c, struct smb_conn *s, uint64_t sid, uint32_t tid,
                              char *path)
{
    struct smb_tree *t = smb_tree_find(s, tid);
    if (t) {
        net_uncharge(c, net_str_cost(t->path));
        ws_free(t->path);
    } else {
        if (s->ntrees == WS_NET_MAX_SMB_TREES) {
            net_uncharge(c, net_str_cost(s->trees[0].path));
            ws_free(s->trees[0].path);
            memmove(s->trees, s->trees + 1, (s->ntrees - 1) * sizeof *s->trees);
            s->ntrees--;
        }
        if (net_table_room(c, (void **)&s->trees, &s->trees_cap, s->ntrees, sizeof *s->trees,
                           WS_NET_MAX_SMB_TREES) != WS_OK) {
            net_uncharge(c, net_str_cost(path));
            ws_free(path);
            return NULL;
        }
        t = &s->trees[s->ntrees++];
    }
    t->sid = sid;
    t->tid = tid;
    t->path = path;
    t->pipe = path && smb_path_is_ipc(path);
    return t;
}

struct smb_open *smb_open_new(struct net_ctx *c, struct smb_conn *s, uint32_t tid, uint64_t sid,
                              char *name)
{
    if (s->nopens == WS_NET_MAX_SMB_OPENS) {
        struct smb_open *old = s->opens[0];
        if (old->file)
            net_file_close(c, old->file, 0);
        open_free(c, old);
        memmove(s->opens, s->opens + 1, (s->nopens - 1) * sizeof *s->opens);
        s->nopens--;
    }
    struct smb_open *o = NULL;
    size_t cost = sizeof *o + net_str_cost(name);
    if (net_table_room(c, (void **)&s->opens, &s->opens_cap, s->nopens, sizeof *s->opens,
                       WS_NET_MAX_SMB_OPENS) != WS_OK ||
        !net_charge(c, cost)) {
        ws_free(name);
        return NULL;
    }
    o = ws_calloc(1, sizeof *o);
    if (!o) {
        net_uncharge(c, cost);
        ws_free(name);
        return NULL;
    }
    o->serial = s->next_serial++;
    o->tid = tid;
    o->sid = sid;
    o->name = name;
    struct smb_tree *t = smb_tree_find(s, tid);
    o->pipe = t && t->pipe;
    s->opens[s->nopens++] = o;
    return o;
}

struct smb_open *smb_open_by_fid(struct smb_conn *s, const uint8_t *fid, size_t fidlen)
{
    for (size_t i = s->nopens; i-- > 0;)
        if (s->opens[i]->has_fid && memcmp(s->opens[i]->fid, fid, fidlen) == 0)
            return s->opens[i];
    return NULL;
}

struct smb_open *smb_open_by_serial(struct smb_conn *s, uint64_t serial)
{
    if (serial == 0)
        return NULL;
    for (size_t i = s->nopens; i-- > 0;)
        if (s->opens[i]->serial == serial)
            return s->opens[i];
    return NULL;
}

void smb_open_close(struct net_ctx *c, struct smb_conn *s, struct smb_open *o)
{
    for (size_t i = 0; i < s->nopens; i++) {
        if (s->opens[i] != o)
            continue;
        if (o->file)
            net_file_close(c, o->file, 1);
        open_free(c, o);
        s->opens[i] = s->opens[--s->nopens];
        return;
    }
}

struct smb_pending *smb_pending_add(struct net_ctx *c, struct smb_conn *s, uint64_t mid,
                                    uint16_t cmd)
{
    struct smb_pending *old = smb_pending_find(s, mid);
    if (old)
        smb_pending_drop(c, s, old);
    if (s->npend == WS_NET_MAX_SMB_PENDING) {
        pending_release(c, &s->pend[0]);
        memmove(s->pend, s->pend + 1, (s->npend - 1) * sizeof *s->pend);
        s->npend--;
    }
    if (net_table_room(c, (void **)&s->pend, &s->pend_cap, s->npend, sizeof *s->pend,
                       WS_NET_MAX_SMB_PENDING) != WS_OK)
        return NULL;
    struct smb_pending *p = &s->pend[s->npend++];
    memset(p, 0, sizeof *p);
    p->mid = mid;
    p->cmd = cmd;
    return p;
}

int smb_pending_set_path(struct net_ctx *c, struct smb_pending *p, char *path)
{
    if (!net_charge(c, net_str_cost(path))) {
        ws_free(path);
        return 0;
    }
    p->path = path;
    return 1;
}

struct smb_pending *smb_pending_find(struct smb_conn *s, uint64_t mid)
{
    for (size_t i = s->npend; i-- > 0;)
        if (s->pend[i].mid == mid)
            return &s->pend[i];
    return NULL;
}

void smb_pending_drop(struct net_ctx *c, struct smb_conn *s, struct smb_pending *p)
{
    size_t i = (size_t)(p - s->pend);
    if (WS_NEVER(i >= s->npend))
        return;
    pending_release(c, p);
    memmove(p, p + 1, (s->npend - i - 1) * sizeof *p);
    s->npend--;
}

static int looks_dce(const uint8_t *p, size_t n)
{
    return n >= 16 && p[0] == 5 && p[1] <= 1 && (p[2] == 0 || p[2] == 11 || p[2] == 14);
}

void smb_open_data(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                   struct smb_open *o, const char *proto, int to_server, uint64_t offset,
                   const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (!o->pipe && !o->file && to_server && !smb_tree_find(s, o->tid) && looks_dce(p, n))
        o->pipe = 1; /* tree connect not in the capture: a handle carrying DCE/RPC */
    if (o->pipe) {
        if (!o->dce && !(o->dce = dce_pipe_new(c)))
            return;
        dce_data(c, o->dce, e, proto, smb_account(s, o->sid), to_server, p, n);
        return;
    }
    if (!to_server)
        return; /* reads of plain files are not rebuilt */
    if (!o->file) {
        struct smb_tree *t = smb_tree_find(s, o->tid);
        o->file = net_file_open(c, e, t ? t->path : NULL, o->name, smb_account(s, o->sid));
        if (!o->file)
            return;
    }
    net_file_write(c, o->file, offset, p, n);
}

/* ---- SMB2 ---- */

struct smb2_hdr {
    uint16_t cmd;
    uint32_t status;
    uint32_t flags;
    uint32_t next;
    uint64_t mid;
    uint32_t tid;
    uint64_t sid;
    int resp;
};

static ws_status smb2_header(struct ws_cur *m, struct smb2_hdr *h)
{
    uint16_t size, charge, credit;
    uint32_t reserved;
    uint64_t async;
    ws_status st;
    if ((st = ws_cur_skip(m, 4)) || (st = ws_cur_le16(m, &size)) ||
        (st = ws_cur_le16(m, &charge)) || (st = ws_cur_le32(m, &h->status)) ||
        (st = ws_cur_le16(m, &h->cmd)) || (st = ws_cur_le16(m, &credit)) ||
        (st = ws_cur_le32(m, &h->flags)) || (st = ws_cur_le32(m, &h->next)) ||
        (st = ws_cur_le64(m, &h->mid)))
        return st;
    if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
        if ((st = ws_cur_le64(m, &async)))
            return st;
        h->tid = 0;
    } else if ((st = ws_cur_le32(m, &reserved)) || (st = ws_cur_le32(m, &h->tid))) {
        return st;
    }
    if ((st = ws_cur_le64(m, &h->sid)) || (st = ws_cur_skip(m, 16)))
        return st;
    if (size != 64)
        return WS_E_CORRUPT;
    h->resp = (h->flags & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
    return WS_OK;
}

/* UTF-16 string at (off, len) from the start of the command. */
static ws_status smb2_str(const struct ws_cur *m, uint32_t off, uint32_t len, char **out)
{
    struct ws_cur w;
    ws_status st = ws_cur_window(m, off, len, &w);
    if (st)
        return st;
    return net_utf16_to_utf8(ws_cur_ptr(&w), len, out);
}

static struct smb_open *smb2_fid_open(struct smb_conn *s, const struct smb2_hdr *h,
                                      const uint8_t *fid)
{
    static const uint8_t related[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if ((h->flags & SMB2_FLAGS_RELATED_OPERATIONS) && memcmp(fid, related, 16) == 0)
        return smb_open_by_serial(s, s->chain_open);
    return smb_open_by_fid(s, fid, 16);
}

/* An open we never saw created (capture started later): adopt it. */
static struct smb_open *smb2_adopt(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                                   const uint8_t *fid)
{
    struct smb_open *o = smb2_fid_open(s, h, fid);
    if (o)
        return o;
    o = smb_open_new(c, s, h->tid, h->sid, NULL);
    if (!o)
        return NULL;
    memcpy(o->fid, fid, 16);
    o->has_fid = 1;
    return o;
}

static void smb2_session_setup(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                               struct ws_cur *m)
{
    (void)c;
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->mid);
        if (!p || h->status == STATUS_PENDING)
            return;
        if ((h->status == STATUS_SUCCESS || h->status == STATUS_MORE_PROCESSING_REQUIRED) &&
            (p->acct.user || p->acct.domain)) {
            struct smb_session *x = smb_session_get(c, s, h->sid, 1);
            if (x && net_account_copy(&x->acct, &p->acct) != WS_OK)
                net_account_release(&x->acct);
        }
        smb_pending_drop(c, s, p);
        return;
    }
    struct ws_cur b = *m;
    uint16_t size, off, len;
    if (ws_cur_seek(&b, 64 + 12) || ws_cur_le16(&b, &off) || ws_cur_le16(&b, &len))
        return;
    (void)size;
    struct ws_cur blob;
    if (ws_cur_window(m, off, len, &blob))
        return;
    struct net_account a = {0};
    if (ntlmssp_find_auth(ws_cur_ptr(&blob), len, &a) != WS_OK)
        return;
    if (h->sid != 0) {
        struct smb_session *x = smb_session_get(c, s, h->sid, 1);
        if (x) {
            net_account_release(&x->acct);
            x->acct = a;
            return;
        }
    }
    struct smb_pending *p = smb_pending_add(c, s, h->mid, h->cmd);
    if (p)
        p->acct = a;
    else
        net_account_release(&a);
}

static void smb2_tree_connect(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                              struct ws_cur *m)
{
    (void)c;
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->mid);
        if (!p || h->status == STATUS_PENDING)
            return;
        if (h->status == STATUS_SUCCESS) {
            uint8_t type = 0;
            struct ws_cur b = *m;
            if (ws_cur_seek(&b, 64 + 2) || ws_cur_u8(&b, &type))
                type = 0;
            struct smb_tree *t = smb_tree_add(c, s, h->sid, h->tid, p->path);
            p->path = NULL;
            if (t && type == 0x02)
                t->pipe = 1;
        }
        smb_pending_drop(c, s, p);
        return;
    }
    struct ws_cur b = *m;
    uint16_t off, len;
    char *path = NULL;
    if (ws_cur_seek(&b, 64 + 4) || ws_cur_le16(&b, &off) || ws_cur_le16(&b, &len) ||
        smb2_str(m, off, len, &path) != WS_OK)
        return;
    struct smb_pending *p = smb_pending_add(c, s, h->mid, h->cmd);
    if (!p) {
        ws_free(path);
        return;
    }
    if (smb_pending_set_path(c, p, path))
        p->sid = h->sid;
}

static void smb2_create(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                        struct ws_cur *m)
{
    if (h->resp) {
        struct smb_pending *p = smb_pending_find(s, h->mid);
        if (!p || h->status == STATUS_PENDING)
            return;
        struct smb_open *o = smb_open_by_serial(s, p->open);
        smb_pending_drop(c, s, p);
        if (!o)
            return;
        struct ws_cur b = *m;
        const uint8_t *fid;
        if (h->status != STATUS_SUCCESS || ws_cur_seek(&b, 64 + 64) || ws_cur_bytes(&b, 16, &fid)) {
            smb_open_close(c, s, o);
            return;
        }
        memcpy(o->fid, fid, 16);
        o->has_fid = 1;
        return;
    }
    struct ws_cur b = *m;
    uint16_t off, len;
    char *name = NULL;
    if (ws_cur_seek(&b, 64 + 44) || ws_cur_le16(&b, &off) || ws_cur_le16(&b, &len))
        return;
    if (len > 0 && smb2_str(m, off, len, &name) != WS_OK)
        return;
    struct smb_open *o = smb_open_new(c, s, h->tid, h->sid, name);
    if (!o)
        return;
    s->chain_open = o->serial;
    struct smb_pending *p = smb_pending_add(c, s, h->mid, h->cmd);
    if (p)
        p->open = o->serial;
}

static void smb2_close(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                       struct ws_cur *m)
{
    if (h->resp)
        return;
    struct ws_cur b = *m;
    const uint8_t *fid;
    if (ws_cur_seek(&b, 64 + 8) || ws_cur_bytes(&b, 16, &fid))
        return;
    struct smb_open *o = smb2_fid_open(s, h, fid);
    if (o)
        smb_open_close(c, s, o);
}

static void smb2_write(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                       const struct smb2_hdr *h, struct ws_cur *m)
{
    if (h->resp)
        return;
    struct ws_cur b = *m, data;
    uint16_t off;
    uint32_t len;
    uint64_t foff;
    const uint8_t *fid;
    if (ws_cur_seek(&b, 64 + 2) || ws_cur_le16(&b, &off) || ws_cur_le32(&b, &len) ||
        ws_cur_le64(&b, &foff) || ws_cur_bytes(&b, 16, &fid))
        return;
    if (ws_cur_window(m, off, len, &data)) {
        net_report(c, 0, "net.error.smb2", WS_E_TRUNCATED, e,
                   "SMB2 WRITE in frame %llu declares %u byte(s) beyond its message",
                   (unsigned long long)c->pk.frame, len);
        return;
    }
    struct smb_open *o = smb2_adopt(c, s, h, fid);
    if (o)
        smb_open_data(c, s, e, o, "smb2", 1, foff, ws_cur_ptr(&data), len);
}

/* A pipe request (READ or IOCTL transceive) waits for its answer under its
 * message id. */
static void smb2_pipe_wait(struct net_ctx *c, struct smb_conn *s, const struct smb2_hdr *h,
                           const struct smb_open *o)
{
    struct smb_pending *p = smb_pending_add(c, s, h->mid, h->cmd);
    if (p)
        p->open = o->serial;
}

/* The final answer to a waiting pipe request: the open it reads, or NULL
 * (no such request, an interim STATUS_PENDING, or an error status). */
static struct smb_open *smb2_pipe_answer(struct net_ctx *c, struct smb_conn *s,
                                         const struct smb2_hdr *h)
{
    struct smb_pending *p = smb_pending_find(s, h->mid);
    if (!p || h->status == STATUS_PENDING)
        return NULL;
    struct smb_open *o = smb_open_by_serial(s, p->open);
    smb_pending_drop(c, s, p);
    if (!o || (h->status != STATUS_SUCCESS && h->status != STATUS_BUFFER_OVERFLOW))
        return NULL;
    return o;
}

static void smb2_read(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                      const struct smb2_hdr *h, struct ws_cur *m)
{
    if (!h->resp) {
        struct ws_cur b = *m;
        const uint8_t *fid;
        if (ws_cur_seek(&b, 64 + 16) || ws_cur_bytes(&b, 16, &fid))
            return;
        struct smb_open *o = smb2_fid_open(s, h, fid);
        if (!o || !o->pipe)
            return; /* only pipe reads matter: they carry DCE/RPC responses */
        smb2_pipe_wait(c, s, h, o);
        return;
    }
    struct smb_open *o = smb2_pipe_answer(c, s, h);
    if (!o)
        return;
    struct ws_cur b = *m, data;
    uint8_t off;
    uint32_t len;
    if (ws_cur_seek(&b, 64 + 2) || ws_cur_u8(&b, &off) || ws_cur_skip(&b, 1) ||
        ws_cur_le32(&b, &len) || ws_cur_window(m, off, len, &data))
        return;
    smb_open_data(c, s, e, o, "smb2", 0, 0, ws_cur_ptr(&data), len);
}

static void smb2_ioctl(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                       const struct smb2_hdr *h, struct ws_cur *m)
{
    struct ws_cur b = *m, data;
    uint32_t code, in_off, in_len, out_off, out_len, maxin;
    const uint8_t *fid;
    if (ws_cur_seek(&b, 64 + 4) || ws_cur_le32(&b, &code) || ws_cur_bytes(&b, 16, &fid))
        return;
    if (code != FSCTL_PIPE_TRANSCEIVE)
        return;
    if (!h->resp) {
        if (ws_cur_le32(&b, &in_off) || ws_cur_le32(&b, &in_len) ||
            ws_cur_window(m, in_off, in_len, &data))
            return;
        struct smb_open *o = smb2_adopt(c, s, h, fid);
        if (!o)
            return;
        o->pipe = 1;
        smb_open_data(c, s, e, o, "smb2", 1, 0, ws_cur_ptr(&data), in_len);
        smb2_pipe_wait(c, s, h, o);
        return;
    }
    struct smb_open *o = smb2_pipe_answer(c, s, h);
    if (!o)
        return;
    if (ws_cur_le32(&b, &in_off) || ws_cur_le32(&b, &maxin) || ws_cur_le32(&b, &out_off) ||
        ws_cur_le32(&b, &out_len) || ws_cur_window(m, out_off, out_len, &data))
        return;
    smb_open_data(c, s, e, o, "smb2", 0, 0, ws_cur_ptr(&data), out_len);
}

static void smb2_negotiate(struct smb_conn *s, const struct smb2_hdr *h, struct ws_cur *m)
{
    if (!h->resp)
        return;
    struct ws_cur b = *m;
    uint16_t dialect;
    if (ws_cur_seek(&b, 64 + 4) || ws_cur_le16(&b, &dialect))
        return;
    s->dialect = dialect;
}

void smb2_message(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, const uint8_t *p,
                  size_t n)
{
    struct ws_cur all;
    ws_cur_init(&all, p, n);
    size_t base = 0;
    for (int i = 0; i < WS_NET_MAX_COMPOUND && !c->stop; i++) {
        struct ws_cur m, hc;
        if (ws_cur_window(&all, base, n - base, &m))
            return;
        hc = m;
        struct smb2_hdr h;
        if (smb2_header(&hc, &h) != WS_OK) {
            net_report(c, 0, "net.error.smb2", WS_E_CORRUPT, e,
                       "SMB2 header unreadable in frame %llu", (unsigned long long)c->pk.frame);
            return;
        }
        if (h.next != 0) {
            /* chained: the next command starts 8-byte aligned after this one */
            if (h.next < 64 || h.next > n - base) {
                net_report(c, 0, "net.error.smb2", WS_E_CORRUPT, e,
                           "SMB2 NextCommand %u out of range in frame %llu", h.next,
                           (unsigned long long)c->pk.frame);
                return;
            }
            if (ws_cur_window(&all, base, h.next, &m))
                return;
        }
        c->stats->smb_messages++;
        if (!(h.flags & SMB2_FLAGS_RELATED_OPERATIONS) && h.cmd != SMB2_CREATE)
            s->chain_open = 0;
        switch (h.cmd) {
        case SMB2_NEGOTIATE:
            net_inv_smb2_negotiate(c, e, h.resp, ws_cur_ptr(&m), ws_cur_left(&m));
            smb2_negotiate(s, &h, &m);
            break;
        case SMB2_SESSION_SETUP:
            smb2_session_setup(c, s, &h, &m);
            break;
        case SMB2_TREE_CONNECT:
            smb2_tree_connect(c, s, &h, &m);
            break;
        case SMB2_CREATE:
            smb2_create(c, s, &h, &m);
            break;
        case SMB2_CLOSE:
            smb2_close(c, s, &h, &m);
            break;
        case SMB2_READ:
            smb2_read(c, s, e, &h, &m);
            break;
        case SMB2_WRITE:
            smb2_write(c, s, e, &h, &m);
            break;
        case SMB2_IOCTL:
            smb2_ioctl(c, s, e, &h, &m);
            break;
        default:
            break;
        }
        if (h.next == 0)
            return;
        base += h.next;
    }
}

/* ---- NetBIOS session framing ---- */

static int smb_magic(const uint8_t *p)
{
    return (p[0] == 0xff || p[0] == 0xfe || p[0] == 0xfd || p[0] == 0xfc) && p[1] == 'S' &&
           p[2] == 'M' && p[3] == 'B';
}

static void smb_payload(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                        const uint8_t *p, size_t n)
{
    switch (p[0]) {
    case 0xfe:
        smb2_message(c, s, e, p, n);
        break;
    case 0xff:
        c->stats->smb_messages++;
        smb1_message(c, s, e, p, n);
        break;
    case 0xfd:
        if (!s->encrypted_reported) {
            s->encrypted_reported = 1;
            net_report(c, 1, "net.smb3.encrypted", WS_E_UNSUPPORTED, e,
                       "SMB3 encrypted session (transform header) from frame %llu: its "
                       "commands cannot be examined",
                       (unsigned long long)c->pk.frame);
        }
        break;
    default:
        if (!s->compressed_reported) {
            s->compressed_reported = 1;
            net_report(c, 1, "net.smb3.compressed", WS_E_UNSUPPORTED, e,
                       "SMB3 compressed message (frame %llu) not examined",
                       (unsigned long long)c->pk.frame);
        }
        break;
    }
}

/* Process the complete messages at the start of p; return the bytes used. */
static size_t frames(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, int dir,
                     const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (n - off >= 4 && !c->stop) {
        const uint8_t *h = p + off;
        size_t len = ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
        if (h[0] >= 0x81 && h[0] <= 0x85 && len <= 0x1ffff) {
            if (n - off - 4 < len)
                return off;
            off += 4 + len; /* session request/response/keep-alive */
            continue;
        }
        if (h[0] == 0x00) {
            if (n - off < 8)
                return off; /* wait for the magic */
            if (len >= 4 && smb_magic(h + 4)) {
                if (n - off - 4 < len)
                    return off; /* wait for the rest */
                smb_payload(c, s, e, h + 4, len);
                off += 4 + len;
                continue;
            }
        }
        /* lost: find the next header followed by an SMB magic */
        if (!s->dir[dir].desync_reported) {
            s->dir[dir].desync_reported = 1;
            net_report(c, 0, "net.error.smb.framing", WS_E_CORRUPT, e,
                       "NetBIOS/SMB framing lost in frame %llu (%s); resynchronising",
                       (unsigned long long)c->pk.frame, dir ? "client->server" : "server->client");
        }
        size_t j = off + 1;
        while (j + 8 <= n && !(p[j] == 0x00 && smb_magic(p + j + 4)))
            j++;
        if (j + 8 > n)
            return n > 7 && n - 7 > off ? n - 7 : off; /* keep a possible partial header */
        off = j;
    }
    return off;
}

void smb_data(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, int to_server,
              const uint8_t *p, size_t n)
{
    struct smb_dir *d = &s->dir[to_server];
    if (d->buf.b.len == 0) {
        size_t used = frames(c, s, e, to_server, p, n);
        p += used;
        n -= used;
        if (n == 0)
            return;
        if (net_sbuf_add(c, &d->buf, p, n) != WS_OK) {
            net_report(c, 0, "net.error.smb.buffer", WS_E_TOO_LARGE, e,
                       "SMB message in frame %llu exceeds the stream buffer caps; skipped",
                       (unsigned long long)c->pk.frame);
            net_sbuf_reset(c, &d->buf);
        }
        return;
    }
    if (net_sbuf_add(c, &d->buf, p, n) != WS_OK) {
        net_report(c, 0, "net.error.smb.buffer", WS_E_TOO_LARGE, e,
                   "SMB message in frame %llu exceeds the stream buffer caps; skipped",
                   (unsigned long long)c->pk.frame);
        net_sbuf_reset(c, &d->buf);
        return;
    }
    size_t used = frames(c, s, e, to_server, (const uint8_t *)d->buf.b.data, d->buf.b.len);
    net_sbuf_consume(c, &d->buf, used);
}

void smb_gap(struct net_ctx *c, struct smb_conn *s, int to_server)
{
    net_sbuf_reset(c, &s->dir[to_server].buf);
    /* a gap explains the loss of framing: do not report it as corruption */
    s->dir[to_server].desync_reported = 1;
}
