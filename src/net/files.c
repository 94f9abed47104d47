/*
 * files.c - rebuilding files from SMB writes.
 *
 * Each open that is written gets a record. Its bytes go into a buffer
 * indexed by file offset (grown as writes arrive, capped per file by
 * WS_NET_MAX_FILE_BYTES and per capture by WS_NET_MAX_FILE_TOTAL), and the
 * written ranges into a sorted list of merged extents, so writes may arrive
 * in any order and overlap. At close the file is complete when one extent
 * covers [0, highest end written): then it is hashed (SHA-256, OpenSSL EVP),
 * handed to ws_net_opts.on_file, and its buffer freed. A file that is not
 * complete is handed on by its name alone (complete 0, no bytes). The record itself
 * (names, hash, frames) stays until the end of the capture for correlation.
 * A file that outgrows a cap keeps being tracked (offsets, frames) without
 * its bytes and is never called complete.
 */
#include "core/compat.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/text.h"
#include "net/net_int.h"

struct extent {
    uint64_t start, end;
};

struct net_file {
    char cli_ip[48], srv_ip[48];
    char *share, *name;
    struct net_account acct;
    int admin;
    uint8_t *data;
    size_t alloc;
    struct extent *ext;
    size_t next, ext_cap;
    int dropped; /* bytes no longer kept (cap) */
    uint64_t max_end;
    int closed, complete;
    char sha256[65];
    uint64_t frames[WS_NET_MAX_FRAMES];
    size_t nframes;
    uint64_t first_frame, last_frame;
    int64_t first_sec, last_sec;
    int32_t first_usec;
};

int net_share_kind(const char *share)
{
    if (!share)
        return 0;
    const char *last = strrchr(share, '\\');
    last = last ? last + 1 : share;
    if (strcasecmp(last, "ADMIN$") == 0)
        return 1;
    if (((last[0] >= 'a' && last[0] <= 'z') || (last[0] >= 'A' && last[0] <= 'Z')) &&
        last[1] == '$' && last[2] == '\0')
        return 2;
    return 0;
}

struct net_file *net_file_open(struct net_ctx *c, const struct net_ends *e, const char *share,
                               const char *name, const struct net_account *acct)
{
    if (c->nfiles >= WS_NET_MAX_FILES)
        return NULL;
    if (net_table_room(c, (void **)&c->files, &c->files_cap, c->nfiles, sizeof *c->files,
                       WS_NET_MAX_FILES) != WS_OK)
        return NULL;
    size_t cost = sizeof(struct net_file) + net_str_cost(share) + net_str_cost(name) +
                  (acct ? net_account_cost(acct) : 0);
    if (!net_charge(c, cost))
        return NULL;
    struct net_file *f = ws_calloc(1, sizeof *f);
    if (!f) {
        net_uncharge(c, cost);
        return NULL;
    }
    memcpy(f->cli_ip, e->cli_ip, sizeof f->cli_ip);
    memcpy(f->srv_ip, e->srv_ip, sizeof f->srv_ip);
    if ((share && !(f->share = ws_strdup(share))) || (name && !(f->name = ws_strdup(name))) ||
        (acct && net_account_copy(&f->acct, acct) != WS_OK)) {
        ws_free(f->share);
        ws_free(f->name);
        net_account_release(&f->acct);
        ws_free(f);
        net_uncharge(c, cost);
        return NULL;
    }
    f->admin = net_share_kind(share) != 0;
    f->first_frame = c->pk.frame;
    f->first_sec = c->pk.sec;
    f->first_usec = c->pk.usec;
    c->files[c->nfiles++] = f;
    return f;
}

static void drop_bytes(struct net_ctx *c, struct net_file *f)
{
    c->file_total -= f->alloc;
    WS_FREE_AND_NULL(f->data);
    f->alloc = 0;
    f->dropped = 1;
}

static void add_extent(struct net_ctx *c, struct net_file *f, uint64_t s, uint64_t e)
{
    /* merge [s, e) into the sorted, disjoint, non-adjacent list */
    size_t i = 0;
    while (i < f->next && f->ext[i].end < s)
        i++;
    size_t j = i;
    while (j < f->next && f->ext[j].start <= e) {
        if (f->ext[j].start < s)
            s = f->ext[j].start;
        if (f->ext[j].end > e)
            e = f->ext[j].end;
        j++;
    }
    if (j > i) { /* replace ext[i..j) by one */
        f->ext[i].start = s;
        f->ext[i].end = e;
        memmove(f->ext + i + 1, f->ext + j, (f->next - j) * sizeof *f->ext);
        f->next -= j - i - 1;
        return;
    }
    if (net_table_room(c, (void **)&f->ext, &f->ext_cap, f->next, sizeof *f->ext,
                       WS_NET_MAX_FILE_EXTENTS) != WS_OK) {
        f->dropped = 1; /* too fragmented to follow, or out of budget */
        return;
    }
    memmove(f->ext + i + 1, f->ext + i, (f->next - i) * sizeof *f->ext);
    f->ext[i].start = s;
    f->ext[i].end = e;
    f->next++;
}

void net_file_write(struct net_ctx *c, struct net_file *f, uint64_t off, const uint8_t *p, size_t n)
{
    if (n == 0 || f->closed)
        return;
    if (f->nframes < WS_NET_MAX_FRAMES &&
        (f->nframes == 0 || f->frames[f->nframes - 1] != c->pk.frame))
        f->frames[f->nframes++] = c->pk.frame;
    f->last_frame = c->pk.frame;
    f->last_sec = c->pk.sec;
    if (off > UINT64_MAX - n) {
        f->dropped = 1;
        return;
    }
    uint64_t end = off + n;
    if (end > f->max_end)
        f->max_end = end;
    if (f->dropped)
        return;
    if (end > WS_NET_MAX_FILE_BYTES) {
        drop_bytes(c, f);
        return;
    }
    if (end > f->alloc) {
        size_t want = f->alloc ? f->alloc : 4096;
        while (want < end)
            want *= 2; /* end <= WS_NET_MAX_FILE_BYTES: no overflow */
        if (want > WS_NET_MAX_FILE_BYTES)
            want = WS_NET_MAX_FILE_BYTES;
        if (want - f->alloc > WS_NET_MAX_FILE_TOTAL - c->file_total) {
            drop_bytes(c, f);
            return;
        }
        uint8_t *nd = ws_realloc(f->data, want);
        if (!nd) {
            drop_bytes(c, f);
            return;
        }
        memset(nd + f->alloc, 0, want - f->alloc);
        c->file_total += want - f->alloc;
        f->data = nd;
        f->alloc = want;
    }
    memcpy(f->data + off, p, n);
    add_extent(c, f, off, end);
}

void net_file_close(struct net_ctx *c, struct net_file *f, int on_wire)
{
    if (f->closed)
        return;
    f->closed = 1;
    f->complete = on_wire && !f->dropped && f->data && f->next == 1 && f->ext[0].start == 0 &&
                  f->ext[0].end == f->max_end && f->max_end > 0;
    if (f->complete) {
        uint8_t md[32];
        unsigned int mdlen = 0;
        if (EVP_Digest(f->data, (size_t)f->max_end, md, &mdlen, EVP_sha256(), NULL) == 1 &&
            mdlen == 32) {
            ws_hex_encode(md, 32, f->sha256);
            c->stats->files++;
        } else {
            f->complete = 0;
        }
    }
    /* every written file is handed on: whole (bytes and hash) or by its name
     * alone, so file-name IOCs see partly captured copies too */
    if (c->opts->on_file && f->max_end > 0) {
        struct ws_net_file nf = {
            .capture = c->path,
            .client_ip = f->cli_ip,
            .server_ip = f->srv_ip,
            .share = f->share,
            .name = f->name,
            .data = f->complete ? f->data : NULL,
            .len = f->complete ? (size_t)f->max_end : 0,
            .sha256 = f->complete ? f->sha256 : NULL,
            .first_frame = f->first_frame,
            .last_frame = f->last_frame,
            .complete = f->complete,
            .size = f->max_end,
        };
        if (c->opts->on_file(c->opts->file_user, &nf) != 0)
            c->stop = 1;
    }
    if (f->data) {
        c->file_total -= f->alloc;
        WS_FREE_AND_NULL(f->data);
        f->alloc = 0;
    }
    net_uncharge(c, f->ext_cap * sizeof *f->ext);
    WS_FREE_AND_NULL(f->ext);
    f->ext_cap = 0;
}

void net_file_free(struct net_ctx *c, struct net_file *f)
{
    if (!f)
        return;
    if (f->data)
        c->file_total -= f->alloc;
    ws_free(f->data);
    net_uncharge(c, f->ext_cap * sizeof *f->ext);
    ws_free(f->ext);
    ws_free(f->share);
    ws_free(f->name);
    net_account_release(&f->acct);
    ws_free(f);
}

void net_file_get_info(const struct net_file *f, struct net_file_info *out)
{
    memset(out, 0, sizeof *out);
    out->cli_ip = f->cli_ip;
    out->srv_ip = f->srv_ip;
    out->share = f->share;
    out->name = f->name;
    out->user = f->acct.user;
    out->domain = f->acct.domain;
    out->admin = f->admin;
    out->complete = f->complete;
    out->closed = f->closed;
    out->size = f->max_end;
    out->sha256 = f->complete ? f->sha256 : NULL;
    memcpy(out->frames, f->frames, sizeof out->frames);
    out->nframes = f->nframes;
    out->first_frame = f->first_frame;
    out->last_frame = f->last_frame;
    out->first_sec = f->first_sec;
    out->first_usec = f->first_usec;
    out->last_sec = f->last_sec;
}
