/*
 * net.c - the public entry points of the capture analyser (net.h) and the
 * small shared helpers: accounted stream buffers and account records.
 *
 * ws_net_scan_file() and ws_net_scan_mem() both end in read_capture(), the one
 * loop over files: pcap_next_ex() until end of file or error, each frame
 * handed to net_frame() (capture.c) through one_frame(). ws_net_scan_live()
 * opens an interface (pcap_create/pcap_activate: snaplen 262144, immediate
 * mode, non-blocking reads and a 250 ms poll() on the descriptor, so that the
 * stop conditions are checked even when the wire is silent) and runs pcap_dispatch() until the
 * packet count, the duration or the caller's cancel hook says stop; with rotate_seconds it finishes
 * and restarts its capture context every period. Both install opts.filter
 * (pcap_compile/pcap_setfilter) first. A read error stops the loop and becomes an ERROR finding,
 * but the findings built from what was read are still emitted (net_ctx_finish), so a truncated
 * capture loses only its tail.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#include <poll.h>
#endif

#include "core/alloc.h"
#include "net/net_int.h"
#include "source/source.h"

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

static void report_error(ws_net *n, const char *path, const char *rule, ws_status st,
                         const char *what, const char *msg)
{
    struct net_ctx c;
    if (net_ctx_init(&c, n, &n->opts, &n->stats, path) != WS_OK)
        return;
    net_report(&c, 0, rule, st, NULL, "%s: %s", what, msg);
    net_ctx_finish(&c);
}

static void report_open_error(ws_net *n, const char *path, ws_status st, const char *msg)
{
    report_error(n, path, "net.error.open", st, "cannot read capture", msg);
}

#ifdef HAVE_PCAP

/* libpcap read timeout of a live capture: the longest a stop request (the
 * cancel hook, --duration) waits when no packet arrives. */
#define LIVE_POLL_MS 250
/* Snapshot length of a live capture: whole frames, even with GRO/TSO (as
 * tcpdump's default, MAXIMUM_SNAPLEN). */
#define LIVE_SNAPLEN 262144

static void one_frame(struct net_ctx *c, ws_net *n, int link, const struct pcap_pkthdr *h,
                      const u_char *data)
{
    c->pk.frame++;
    c->pk.sec = (int64_t)h->ts.tv_sec;
    c->pk.usec = (int32_t)h->ts.tv_usec;
    n->stats.frames++;
    n->stats.bytes += h->caplen;
    net_frame(c, link, data, h->caplen);
}

/* Compile and install opts.filter, if any; an ERROR finding on failure. */
static ws_status set_filter(struct net_ctx *c, pcap_t *pc, const char *filter)
{
    if (!filter)
        return WS_OK;
    struct bpf_program prog;
    if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        net_report(c, 0, "net.error.filter", WS_E_SYNTAX, NULL, "bad capture filter \"%.200s\": %s",
                   filter, pcap_geterr(pc));
        return WS_E_SYNTAX;
    }
    int r = pcap_setfilter(pc, &prog);
    pcap_freecode(&prog);
    if (r != 0) {
        net_report(c, 0, "net.error.filter", WS_E_IO, NULL, "cannot set capture filter: %s",
                   pcap_geterr(pc));
        return WS_E_IO;
    }
    return WS_OK;
}

static ws_status read_capture(ws_net *n, const char *path, pcap_t *pc)
{
    struct net_ctx c;
    ws_status st = net_ctx_init(&c, n, &n->opts, &n->stats, path);
    if (st != WS_OK)
        return st;
    n->stats.captures++;
    if ((st = set_filter(&c, pc, n->opts.filter)) != WS_OK) {
        net_ctx_finish(&c);
        return st;
    }
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
        one_frame(&c, n, link, h, data);
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
    int fd = -1;
    struct stat sb;
    ws_status st = ws_open_regular(path, 1, &fd, &sb);
    if (st != WS_OK) {
        report_open_error(n, path, st,
                          st == WS_E_SKIPPED
                              ? "not a regular file (a folder, FIFO, socket or device): not opened"
                              : strerror(errno));
        return st;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        close(fd);
        report_open_error(n, path, WS_E_NOMEM, "out of memory");
        return WS_E_NOMEM;
    }
    /* pcap_fopen_offline takes over fp (closed by pcap_close) on success. */
    pcap_t *pc = pcap_fopen_offline(fp, err);
    if (!pc) {
        fclose(fp);
        report_open_error(n, path, WS_E_CORRUPT, err[0] ? err : "not a pcap/pcapng capture");
        return WS_E_CORRUPT;
    }
    st = read_capture(n, path, pc);
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

/* ---- live capture ---- */

struct live {
    ws_net *n;
    struct net_ctx *c;
    pcap_t *pc;
    int link;
};

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live *l = (struct live *)(void *)user;
    one_frame(l->c, l->n, l->link, h, data);
    if (l->c->stop)
        pcap_breakloop(l->pc);
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static pcap_t *live_open(ws_net *n, const char *iface, const char *path,
                         const struct ws_net_live *lo, ws_status *st)
{
    char err[PCAP_ERRBUF_SIZE] = "", what[300];
    snprintf(what, sizeof what, "cannot capture on %s", iface);
    pcap_t *pc = pcap_create(iface, err);
    if (!pc) {
        *st = WS_E_IO;
        report_error(n, path, "net.error.live", *st, what, err);
        return NULL;
    }
    if (pcap_set_snaplen(pc, LIVE_SNAPLEN) != 0 || pcap_set_promisc(pc, lo->promisc != 0) != 0 ||
        pcap_set_immediate_mode(pc, 1) != 0 || pcap_set_timeout(pc, LIVE_POLL_MS) != 0) {
        *st = WS_E_IO;
        report_error(n, path, "net.error.live", *st, "cannot set up the capture", pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    int r = pcap_activate(pc);
    if (r < 0) {
        *st = r == PCAP_ERROR_NO_SUCH_DEVICE ? WS_E_NOT_FOUND
              : r == PCAP_ERROR_PERM_DENIED  ? WS_E_PERM
                                             : WS_E_IO;
        /* libpcap's own text when it left one (it names the cause), else the status */
        const char *msg = pcap_geterr(pc);
        report_error(n, path, "net.error.live", *st, what,
                     msg && msg[0] ? msg : pcap_statustostr(r));
        pcap_close(pc);
        return NULL;
    }
    /* libpcap (Linux, TPACKET_V2) retries its poll() after a read timeout
     * instead of returning: wait on the descriptor here, then read without
     * blocking, so the stop conditions are polled every LIVE_POLL_MS */
    if (pcap_setnonblock(pc, 1, err) != 0) {
        *st = WS_E_IO;
        report_error(n, path, "net.error.live", *st, "cannot set up the capture", err);
        pcap_close(pc);
        return NULL;
    }
    return pc;
}

/* Wait up to LIVE_POLL_MS for packets (or a signal); without a selectable
 * descriptor, sleep that long between non-blocking reads. */
static void live_wait(pcap_t *pc)
{
    struct pollfd pf = {.fd = pcap_get_selectable_fd(pc), .events = POLLIN};
    if (pf.fd >= 0) {
        (void)poll(&pf, 1, LIVE_POLL_MS);
        return;
    }
    struct timespec t = {0, LIVE_POLL_MS * 1000000L};
    nanosleep(&t, NULL);
}

ws_status ws_net_scan_live(ws_net *n, const char *iface, const struct ws_net_live *lo)
{
    static const struct ws_net_live none;
    if (!n || !iface)
        return WS_E_INVALID;
    if (!lo)
        lo = &none;
    char path[300];
    snprintf(path, sizeof path, "live:%s", iface);
    ws_status st = WS_OK;
    pcap_t *pc = live_open(n, iface, path, lo, &st);
    if (!pc)
        return st;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t got = 0;
    int done = 0, announced = 0;
    /* one pass per rotation period: each is a capture of its own */
    while (!done) {
        struct net_ctx c;
        if ((st = net_ctx_init(&c, n, &n->opts, &n->stats, path)) != WS_OK)
            break;
        n->stats.captures++;
        if ((st = set_filter(&c, pc, n->opts.filter)) != WS_OK) {
            net_ctx_finish(&c);
            break;
        }
        struct live l = {n, &c, pc, pcap_datalink(pc)};
        if (lo->started && !announced) {
            const char *ln = pcap_datalink_val_to_name(l.link);
            lo->started(lo->started_user, iface, ln ? ln : "unknown");
            announced = 1;
        }
        struct timespec r0;
        clock_gettime(CLOCK_MONOTONIC, &r0);
        for (;;) {
            if ((lo->cancelled && lo->cancelled(lo->cancel_user)) ||
                (lo->max_seconds && since(&t0) >= (double)lo->max_seconds) ||
                (lo->max_packets && got >= lo->max_packets)) {
                done = 1;
                break;
            }
            if (lo->rotate_seconds && since(&r0) >= (double)lo->rotate_seconds)
                break;
            int cnt = -1;
            if (lo->max_packets)
                cnt = lo->max_packets - got > 1000000 ? 1000000 : (int)(lo->max_packets - got);
            int k = pcap_dispatch(pc, cnt, live_packet, (u_char *)(void *)&l);
            if (k == 0)
                live_wait(pc);
            if (k > 0)
                got += (uint64_t)k;
            if (c.stop) {
                done = 1;
                break;
            }
            if (k == PCAP_ERROR) {
                st = WS_E_IO;
                net_report(&c, 0, "net.error.live", st, NULL, "capture on %s failed: %s", iface,
                           pcap_geterr(pc));
                done = 1;
                break;
            }
        }
        struct pcap_stat ps;
        if (done && pcap_stats(pc, &ps) == 0 && ps.ps_drop > 0)
            net_report(&c, 1, "net.live.dropped", WS_OK, NULL,
                       "%u packets dropped by the kernel on %s (capture buffer full)", ps.ps_drop,
                       iface);
        int stopped = c.stop;
        net_ctx_finish(&c);
        if (stopped) {
            st = WS_E_CANCELLED;
            break;
        }
    }
    pcap_close(pc);
    return st;
}

#else /* !HAVE_PCAP: built without libpcap */

ws_status ws_net_scan_live(ws_net *n, const char *iface, const struct ws_net_live *lo)
{
    (void)lo;
    if (!n || !iface)
        return WS_E_INVALID;
    report_error(n, iface, "net.error.live", WS_E_UNSUPPORTED, "cannot capture",
                 "wormsign was built without libpcap");
    return WS_E_UNSUPPORTED;
}

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
