/*
 * tcp.c - TCP flows and per-direction stream reassembly.
 *
 * A flow is found by its 4-tuple in either orientation. The client is the
 * sender of a SYN without ACK; for flows picked up mid-stream, the side on a
 * well-known service port (445, 139, 135) or else the lower port is the server.
 *
 * Each direction (struct tcp_half) keeps next_seq, the next byte it expects.
 * A segment at next_seq is delivered at once, then any queued segments that
 * now fit. A segment before next_seq is a retransmission: its new tail (if
 * any) is delivered, the rest dropped (first copy wins, as in most IDSs). A
 * segment after next_seq is copied into the out-of-order list, bounded per
 * direction (WS_NET_MAX_OOO_FLOW bytes, WS_NET_MAX_OOO_SEGS segments) and per
 * capture (WS_NET_MAX_OOO_TOTAL). When a bound is reached, at RST/FIN, and at
 * the end of the capture, the queue is flushed: each hole becomes a gap
 * (app_gap resets the protocol framing) and the bytes after it are delivered.
 * Gaps are counted per flow and reported as one INFO finding.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

#define NBUCKETS 16384u /* power of two; chains stay short up to WS_NET_MAX_FLOWS */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

struct tcp_seg {
    struct tcp_seg *next;
    uint32_t seq;
    size_t len;
    uint8_t data[];
};

struct tcp_half {
    int seq_set;
    uint32_t next_seq;
    struct tcp_seg *ooo; /* sorted by seq */
    size_t ooo_bytes;
    size_t nsegs;
    int fin;
    uint64_t gaps;
    uint64_t gap_bytes;
};

struct net_flow {
    struct net_flow *hnext; /* bucket chain */
    struct net_flow *next;  /* all flows */
    int family;
    uint8_t cli[16], srv[16];
    uint16_t cport, sport;
    struct net_ends ends;
    struct tcp_half half[2]; /* [1]: client->server, [0]: server->client */
    struct net_app app;
    int done; /* RST or FIN both ways: stream finished */
};

static uint32_t hash_tuple(int family, const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    /* FNV-1a over both endpoints, combined order-independently. */
    size_t alen = family == 4 ? 4 : 16;
    uint32_t ha = 2166136261u, hb = 2166136261u;
    for (size_t i = 0; i < alen; i++) {
        ha = (ha ^ a[i]) * 16777619u;
        hb = (hb ^ b[i]) * 16777619u;
    }
    ha = (ha ^ pa) * 16777619u;
    hb = (hb ^ pb) * 16777619u;
    return (ha ^ hb) & (NBUCKETS - 1);
}

static void addr_text(int family, const uint8_t *a, char *out, size_t cap)
{
    if (family == 4) {
        snprintf(out, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return;
    }
    /* RFC 5952: lowercase, longest run of zero groups as "::". */
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)((a[2 * i] << 8) | a[2 * i + 1]);
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < 8 && o < cap; i++) {
        if (i == best) {
            o += (size_t)snprintf(out + o, cap - o, "::");
            i += bestlen - 1;
            continue;
        }
        int sep = i > 0 && !(best >= 0 && i == best + bestlen);
        o += (size_t)snprintf(out + o, cap - o, "%s%x", sep ? ":" : "", g[i]);
    }
}

static int is_service_port(uint16_t p)
{
    return p == 445 || p == 139 || p == 135;
}

static struct net_flow *flow_find(struct net_ctx *c, int family, const uint8_t *src, uint16_t sp,
                                  const uint8_t *dst, uint16_t dp, int *to_server)
{
    size_t alen = family == 4 ? 4 : 16;
    uint32_t h = hash_tuple(family, src, sp, dst, dp);
    for (struct net_flow *f = c->buckets[h]; f; f = f->hnext) {
        if (f->family != family)
            continue;
        if (f->cport == sp && f->sport == dp && !memcmp(f->cli, src, alen) &&
            !memcmp(f->srv, dst, alen)) {
            *to_server = 1;
            return f;
        }
        if (f->cport == dp && f->sport == sp && !memcmp(f->cli, dst, alen) &&
            !memcmp(f->srv, src, alen)) {
            *to_server = 0;
            return f;
        }
    }
    return NULL;
}

static struct net_flow *flow_new(struct net_ctx *c, int family, const uint8_t *src, uint16_t sp,
                                 const uint8_t *dst, uint16_t dp, uint8_t flags, int *to_server)
{
    if (c->nflows >= WS_NET_MAX_FLOWS) {
        if (!c->flows_full_reported) {
            c->flows_full_reported = 1;
            net_report(c, 0, "net.error.flows", WS_E_TOO_LARGE, NULL,
                       "more than %u TCP flows; later flows are not examined",
                       (unsigned)WS_NET_MAX_FLOWS);
        }
        return NULL;
    }
    if (!net_charge(c, sizeof(struct net_flow)))
        return NULL;
    struct net_flow *f = ws_calloc(1, sizeof *f);
    if (!f) {
        net_uncharge(c, sizeof(struct net_flow));
        return NULL;
    }
    int src_is_client;
    if ((flags & TH_SYN) && !(flags & TH_ACK))
        src_is_client = 1;
    else if ((flags & TH_SYN) && (flags & TH_ACK))
        src_is_client = 0;
    else if (is_service_port(dp) != is_service_port(sp))
        src_is_client = is_service_port(dp);
    else
        src_is_client = dp < sp || (dp == sp);
    size_t alen = family == 4 ? 4 : 16;
    f->family = family;
    memcpy(f->cli, src_is_client ? src : dst, alen);
    memcpy(f->srv, src_is_client ? dst : src, alen);
    f->cport = src_is_client ? sp : dp;
    f->sport = src_is_client ? dp : sp;
    addr_text(family, f->cli, f->ends.cli_ip, sizeof f->ends.cli_ip);
    addr_text(family, f->srv, f->ends.srv_ip, sizeof f->ends.srv_ip);
    f->ends.cli_port = f->cport;
    f->ends.srv_port = f->sport;
    uint32_t h = hash_tuple(family, f->cli, f->cport, f->srv, f->sport);
    f->hnext = c->buckets[h];
    c->buckets[h] = f;
    f->next = c->flows;
    c->flows = f;
    c->nflows++;
    c->stats->flows++;
    *to_server = src_is_client;
    return f;
}

static void deliver(struct net_ctx *c, struct net_flow *f, int dir, const uint8_t *p, size_t n)
{
    if (n == 0 || c->stop)
        return;
    app_data(c, &f->app, &f->ends, dir, p, n);
}

static void gap(struct net_ctx *c, struct net_flow *f, int dir, uint32_t n)
{
    struct tcp_half *h = &f->half[dir];
    h->gaps++;
    h->gap_bytes += n;

    h->next_seq += n;
    app_gap(c, &f->app, dir);
}

static void seg_free(struct net_ctx *c, struct tcp_half *h, struct tcp_seg *s)
{
    h->ooo_bytes -= s->len;
    h->nsegs--;
    c->ooo_total -= s->len;
    ws_free(s);
}

/* Deliver the part of (seq, p, n) at or after next_seq, assuming seq <= next_seq. */
static void deliver_tail(struct net_ctx *c, struct net_flow *f, int dir, uint32_t seq,
                         const uint8_t *p, size_t n)
{
    struct tcp_half *h = &f->half[dir];
    uint32_t behind = h->next_seq - seq; /* seq <= next_seq (mod 2^32) */
    if (behind >= n)
        return; /* pure retransmission */
    deliver(c, f, dir, p + behind, n - behind);
    h->next_seq += (uint32_t)(n - behind);
}

/* Deliver queued segments that now start at or before next_seq. */
static void drain(struct net_ctx *c, struct net_flow *f, int dir)
{
    struct tcp_half *h = &f->half[dir];
    while (h->ooo && (int32_t)(h->ooo->seq - h->next_seq) <= 0) {
        struct tcp_seg *s = h->ooo;
        h->ooo = s->next;
        deliver_tail(c, f, dir, s->seq, s->data, s->len);
        seg_free(c, h, s);
    }
}

/* Give up waiting for holes: each becomes a gap. */
static void flush(struct net_ctx *c, struct net_flow *f, int dir)
{
    struct tcp_half *h = &f->half[dir];
    while (h->ooo) {
        int32_t ahead = (int32_t)(h->ooo->seq - h->next_seq);
        if (ahead > 0)
            gap(c, f, dir, (uint32_t)ahead);
        drain(c, f, dir);
    }
}

static void queue(struct net_ctx *c, struct net_flow *f, int dir, uint32_t seq, const uint8_t *p,
                  size_t n)
{
    struct tcp_half *h = &f->half[dir];
    if (h->nsegs >= WS_NET_MAX_OOO_SEGS || n > WS_NET_MAX_OOO_FLOW - h->ooo_bytes ||
        n > WS_NET_MAX_OOO_TOTAL - c->ooo_total) {
        /* Out of patience: what is queued goes out with its holes, then the
         * hole before this segment is a gap too. */
        flush(c, f, dir);
        int32_t ahead = (int32_t)(seq - h->next_seq);
        if (ahead > 0)
            gap(c, f, dir, (uint32_t)ahead);
        deliver_tail(c, f, dir, seq, p, n);
        return;
    }
    struct tcp_seg **pp = &h->ooo;
    while (*pp && (int32_t)((*pp)->seq - seq) < 0)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= n)
        return; /* duplicate of a queued segment */
    struct tcp_seg *s = ws_malloc(sizeof *s + n);
    if (!s)
        return;
    s->seq = seq;
    s->len = n;
    memcpy(s->data, p, n);
    s->next = *pp;
    *pp = s;
    h->ooo_bytes += n;
    h->nsegs++;
    c->ooo_total += n;
}

static void half_reset(struct net_ctx *c, struct tcp_half *h)
{
    while (h->ooo) {
        struct tcp_seg *s = h->ooo;
        h->ooo = s->next;
        seg_free(c, h, s);
    }
    memset(h, 0, sizeof *h);
}

static void report_gaps(struct net_ctx *c, struct net_flow *f)
{
    for (int dir = 1; dir >= 0; dir--) {
        struct tcp_half *h = &f->half[dir];
        if (h->gaps == 0)
            continue;
        net_report(c, 1, "net.tcp.gap", WS_E_TRUNCATED, &f->ends,
                   "TCP stream %s: %llu byte(s) missing from the capture in %llu gap(s); "
                   "messages across them were skipped",
                   dir ? "client->server" : "server->client", (unsigned long long)h->gap_bytes,
                   (unsigned long long)h->gaps);
        h->gaps = 0;
        h->gap_bytes = 0;
    }
}

static void flow_finish(struct net_ctx *c, struct net_flow *f)
{
    if (f->done)
        return;
    flush(c, f, 1);
    flush(c, f, 0);
    report_gaps(c, f);
    app_release(c, &f->app);
    half_reset(c, &f->half[0]);
    half_reset(c, &f->half[1]);
    f->done = 1;
}

void tcp_segment(struct net_ctx *c, int family, const uint8_t *src, const uint8_t *dst,
                 const uint8_t *tcp, size_t have, size_t wire)
{
    struct ws_cur cur;
    ws_cur_init(&cur, tcp, have);
    uint16_t sp, dp, win, csum, urg;
    uint32_t seq, ack;
    uint8_t off, flags;
    if (ws_cur_be16(&cur, &sp) || ws_cur_be16(&cur, &dp) || ws_cur_be32(&cur, &seq) ||
        ws_cur_be32(&cur, &ack) || ws_cur_u8(&cur, &off) || ws_cur_u8(&cur, &flags) ||
        ws_cur_be16(&cur, &win) || ws_cur_be16(&cur, &csum) || ws_cur_be16(&cur, &urg))
        return;
    size_t hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20 || hlen > wire || ws_cur_skip(&cur, hlen - 20))
        return;
    const uint8_t *payload = ws_cur_ptr(&cur);
    size_t plen = ws_cur_left(&cur);
    size_t wlen = wire - hlen; /* >= plen: capture.c passes have <= wire */
    if (plen > wlen)
        plen = wlen;

    int dir;
    struct net_flow *f = flow_find(c, family, src, sp, dst, dp, &dir);
    if (!f) {
        if ((flags & TH_RST) || (plen == 0 && !(flags & TH_SYN)))
            return; /* nothing to follow yet */
        f = flow_new(c, family, src, sp, dst, dp, flags, &dir);
        if (!f)
            return;
    }
    struct tcp_half *h = &f->half[dir];

    if ((flags & TH_SYN) && (f->done || (h->seq_set && (uint32_t)(seq + 1) != h->next_seq))) {
        /* A SYN on a finished flow, or one that is not a retransmission of
         * the SYN we saw: a new connection on this 4-tuple (port reuse, or a
         * close we missed). */
        flow_finish(c, f);
        half_reset(c, &f->half[0]);
        half_reset(c, &f->half[1]);
        f->done = 0;
    }
    if (f->done)
        return;
    if (flags & TH_SYN) {
        if (!h->seq_set) {
            h->seq_set = 1;
            h->next_seq = seq + 1;
        }
        seq += 1; /* the SYN occupies one sequence number */
    }
    if (!h->seq_set) {
        h->seq_set = 1; /* picked up mid-stream */
        h->next_seq = seq;
    }
    if (plen > 0 || wlen > 0) {
        int32_t ahead = (int32_t)(seq - h->next_seq);
        if (ahead <= 0) {
            deliver_tail(c, f, dir, seq, payload, plen);
            if (wlen > plen && (int32_t)(seq + (uint32_t)wlen - h->next_seq) > 0) {
                /* snap length cut the segment: the rest is a gap */
                gap(c, f, dir, (uint32_t)(seq + (uint32_t)wlen - h->next_seq));
            }
            drain(c, f, dir);
        } else if (plen > 0) {
            queue(c, f, dir, seq, payload, plen);
        }
    }
    if (flags & TH_FIN)
        h->fin = 1;
    if ((flags & TH_RST) || (f->half[0].fin && f->half[1].fin))
        flow_finish(c, f);
}

void tcp_finish_all(struct net_ctx *c)
{
    for (struct net_flow *f = c->flows; f; f = f->next)
        flow_finish(c, f);
    struct net_flow *f = c->flows;
    while (f) {
        struct net_flow *nx = f->next;
        net_uncharge(c, sizeof *f);
        ws_free(f);
        f = nx;
    }
    c->flows = NULL;
    c->nflows = 0;
    if (c->buckets)
        memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
}

ws_status net_flows_init(struct net_ctx *c)
{
    c->buckets = ws_calloc(NBUCKETS, sizeof *c->buckets);
    if (!c->buckets)
        return WS_E_NOMEM;
    c->nbuckets = NBUCKETS;
    return WS_OK;
}
