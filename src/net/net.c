/*
 * net.c - the public entry points of the capture analyser (net.h) and the
 * small shared helpers: accounted stream buffers and account records.
 *
 * ws_net_scan_file() and ws_net_scan_mem() both end in read_capture(), the one
 * real loop: pcap_next_ex() until end of file or error, each frame handed to
 * net_frame() (capture.c). A read error stops the loop and becomes an ERROR
 * finding, but the findings built from what was read are still emitted
 * (net_ctx_finish), so a truncated capture loses only its tail.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "core/alloc.h"
#include "net/net_int.h"

struct ws_net {
    struct ws_net_opts opts;
    struct ws_net_stats stats;
    struct net_c2 *c2; /* from opts.pack, or NULL */
};

const struct net_c2 *net_c2_of(const struct ws_net *n)
{
    return n ? n->c2 : NULL;
}

/* ---- accounted stream buffers ---- */

void net_sbuf_init(struct net_sbuf *s, size_t max)
{
    ws_buf_init(&s->b, max);
}

void net_sbuf_release(struct net_ctx *c, struct net_sbuf *s)
{
    if (WS_ALWAYS(c->stream_total >= s->b.len))
        c->stream_total -= s->b.len;
    ws_buf_release(&s->b);
}

void net_sbuf_reset(struct net_ctx *c, struct net_sbuf *s)
{
    if (WS_ALWAYS(c->stream_total >= s->b.len))
        c->stream_total -= s->b.len;
    ws_buf_reset(&s->b);
}

ws_status net_sbuf_add(struct net_ctx *c, struct net_sbuf *s, const void *p, size_t n)
{
    if (n > WS_NET_MAX_STREAM_TOTAL - c->stream_total)
        return WS_E_TOO_LARGE;
    ws_status st = ws_buf_add(&s->b, p, n);
    if (st == WS_OK)
        c->stream_total += n;
    return st;
}

void net_sbuf_consume(struct net_ctx *c, struct net_sbuf *s, size_t n)
{
    if (n >= s->b.len) {
        net_sbuf_reset(c, s);
        return;
    }
    memmove(s->b.data, s->b.data + n, s->b.len - n);
    ws_buf_truncate(&s->b, s->b.len - n);
    c->stream_total -= n;
}

/* ---- state accounting ---- */

int net_charge(struct net_ctx *c, size_t n)
{
    if (n > WS_NET_MAX_STATE_BYTES - c->state_bytes) {
        if (!c->state_full_reported) {
            c->state_full_reported = 1;
            net_report(c, 0, "net.error.state", WS_E_TOO_LARGE, NULL,
                       "dissector state reached %u MiB at frame %llu; further connections, "
                       "files and handles are not followed",
                       (unsigned)(WS_NET_MAX_STATE_BYTES >> 20), (unsigned long long)c->pk.frame);
        }
        return 0;
    }
    c->state_bytes += n;
    return 1;
}

void net_uncharge(struct net_ctx *c, size_t n)
{
    c->state_bytes -= n < c->state_bytes ? n : c->state_bytes;
}

size_t net_str_cost(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

size_t net_account_cost(const struct net_account *a)
{
    return net_str_cost(a->user) + net_str_cost(a->domain) + net_str_cost(a->workstation);
}

ws_status net_table_room(struct net_ctx *c, void **arr, size_t *cap, size_t n, size_t sz,
                         size_t max)
{
    if (n < *cap)
        return WS_OK;
    if (n >= max)
        return WS_E_TOO_LARGE;
    size_t want = *cap ? *cap * 2 : 8;
    if (want > max)
        want = max;
    if (want <= n)
        want = n + 1;
    size_t bytes;
    if (ws_mul_size(want, sz, &bytes) != WS_OK)
        return WS_E_OVERFLOW;
    if (!net_charge(c, (want - *cap) * sz))
        return WS_E_TOO_LARGE;
    void *p = ws_realloc(*arr, bytes);
    if (!p) {
        net_uncharge(c, (want - *cap) * sz);
        return WS_E_NOMEM;
    }
    *arr = p;
    *cap = want;
    return WS_OK;
}

/* ---- accounts ---- */

void net_account_release(struct net_account *a)
{
    WS_FREE_AND_NULL(a->user);
    WS_FREE_AND_NULL(a->domain);
    WS_FREE_AND_NULL(a->workstation);
}

ws_status net_account_copy(struct net_account *dst, const struct net_account *src)
{
    struct net_account t = {0};
    if ((src->user && !(t.user = ws_strdup(src->user))) ||
        (src->domain && !(t.domain = ws_strdup(src->domain))) ||
        (src->workstation && !(t.workstation = ws_strdup(src->workstation)))) {
        net_account_release(&t);
        return WS_E_NOMEM;
    }
    net_account_release(dst);
    *dst = t;
    return WS_OK;
}

/* ---- public API ---- */

ws_status ws_net_new(const struct ws_net_opts *opts, ws_net **out)
{
    if (!opts || !opts->emit || !out)
        return WS_E_INVALID;
    ws_net *n = ws_calloc(1, sizeof *n);
    if (!n)
        return WS_E_NOMEM;
    n->opts = *opts;
    if (opts->pack) {
        ws_status st = net_c2_new(opts->pack, &n->c2);
        if (st != WS_OK) {
            ws_free(n);
            return st;
        }
    }
    *out = n;
    return WS_OK;
}

void ws_net_free(ws_net *n)
{
    if (n)
        net_c2_free(n->c2);
    ws_free(n);
}

void ws_net_get_stats(const ws_net *n, struct ws_net_stats *out)
{
    *out = n->stats;
}

static void report_open_error(ws_net *n, const char *path, ws_status st, const char *msg)
{
    struct net_ctx c;
    if (net_ctx_init(&c, n, &n->opts, &n->stats, path) != WS_OK)
        return;
    net_report(&c, 0, "net.error.open", st, NULL, "cannot read capture: %s", msg);
    net_ctx_finish(&c);
}

#ifdef HAVE_PCAP

static ws_status read_capture(ws_net *n, const char *path, pcap_t *pc)
{
    struct net_ctx c;
    ws_status st = net_ctx_init(&c, n, &n->opts, &n->stats, path);
    if (st != WS_OK)
        return st;
    n->stats.captures++;
    int link = pcap_datalink(pc);
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(pc, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r != 1) {
            /* libpcap reports a short record or header as an error; so is a
             * record whose caplen exceeds the file's limit. */
            const char *msg = pcap_geterr(pc);
            int trunc = msg && (strstr(msg, "truncated") != NULL);
            st = trunc ? WS_E_TRUNCATED : WS_E_CORRUPT;
            net_report(&c, 0, trunc ? "net.error.truncated" : "net.error.corrupt", st, NULL,
                       "capture unreadable after frame %llu: %s", (unsigned long long)c.pk.frame,
                       msg ? msg : "read error");
            break;
        }
        c.pk.frame++;
        c.pk.sec = (int64_t)h->ts.tv_sec;
        c.pk.usec = (int32_t)h->ts.tv_usec;
        n->stats.frames++;
        n->stats.bytes += h->caplen;
        net_frame(&c, link, data, h->caplen);
        if (c.stop)
            break;
    }
    int stopped = c.stop;
    net_ctx_finish(&c);
    if (stopped || c.stop)
        return WS_E_CANCELLED;
    return st;
}

ws_status ws_net_scan_file(ws_net *n, const char *path)
{
    if (!n || !path)
        return WS_E_INVALID;
    char err[PCAP_ERRBUF_SIZE] = "";
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        ws_status st = e == EACCES ? WS_E_PERM : e == ENOENT ? WS_E_NOT_FOUND : WS_E_IO;
        report_open_error(n, path, st, strerror(e));
        return st;
    }
    /* pcap_fopen_offline takes over fp (closed by pcap_close) on success. */
    pcap_t *pc = pcap_fopen_offline(fp, err);
    if (!pc) {
        fclose(fp);
        report_open_error(n, path, WS_E_CORRUPT, err[0] ? err : "not a pcap/pcapng capture");
        return WS_E_CORRUPT;
    }
    ws_status st = read_capture(n, path, pc);
    pcap_close(pc);
    return st;
}

ws_status ws_net_scan_mem(ws_net *n, const char *name, const void *p, size_t len)
{
    if (!n || !name || (!p && len))
        return WS_E_INVALID;
    if (len == 0) {
        report_open_error(n, name, WS_E_TRUNCATED, "empty capture");
        return WS_E_TRUNCATED;
    }
    FILE *fp = fmemopen((void *)(uintptr_t)p, len, "rb");
    if (!fp)
        return WS_E_NOMEM;
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline(fp, err);
    if (!pc) {
        fclose(fp);
        report_open_error(n, name, WS_E_CORRUPT, err[0] ? err : "not a pcap/pcapng capture");
        return WS_E_CORRUPT;
    }
    ws_status st = read_capture(n, name, pc);
    pcap_close(pc);
    return st;
}

#else /* !HAVE_PCAP: built without libpcap */

ws_status ws_net_scan_file(ws_net *n, const char *path)
{
    if (!n || !path)
        return WS_E_INVALID;
    report_open_error(n, path, WS_E_UNSUPPORTED, "wormsign was built without libpcap");
    return WS_E_UNSUPPORTED;
}

ws_status ws_net_scan_mem(ws_net *n, const char *name, const void *p, size_t len)
{
    (void)p;
    (void)len;
    if (!n || !name)
        return WS_E_INVALID;
    report_open_error(n, name, WS_E_UNSUPPORTED, "wormsign was built without libpcap");
    return WS_E_UNSUPPORTED;
}

#endif
