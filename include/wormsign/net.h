/*
 * net.h - finding Kwampirs-style spreading in network captures.
 *
 * A ws_net reads pcap and pcapng captures (through libpcap), reassembles TCP
 * per flow, dissects SMB1/SMB2 over NetBIOS session framing and DCE/RPC over
 * SMB named pipes and over TCP, and reports as struct ws_finding (ruleset
 * "net", source "pcap", path = the capture):
 *   - every remote service creation through svcctl (MS-SCMR RCreateService*);
 *   - the Kwampirs service (WmiApSrvEx, "WMI Performance Adapter Extension",
 *     "ControlTrace -Embedding -k") in any service creation;
 *   - lateral movement: a file written to ADMIN$ or X$\Windows, then a service
 *     created on that host by the same client whose binary path names it;
 *   - Kwampirs command and control (with a pack): DNS queries (UDP and TCP
 *     port 53) for a C2 domain or a subdomain of one, A/AAAA answers that are
 *     C2 addresses or the sinkhole, HTTP requests (any port) to a published
 *     C2 URL or a C2 host, and hunting findings for names and requests that
 *     follow the C2 grammar (net-patterns.txt) or carry its User-Agent;
 *   - context (INFO): files written to admin shares, SMB3-encrypted sessions,
 *     SMB1-only hosts, TCP gaps; and ERROR findings for unreadable captures;
 *   - a host inventory (INFO net.inventory.host, one per notable host at the
 *     end of each capture): SMB dialects offered and chosen, SMB1-only, SMB1
 *     NativeOS/NativeLanMan (the Windows era: "Windows 5.1" is XP), and DICOM
 *     roles from A-ASSOCIATE exchanges (TCP 104, 11112, or any port by
 *     content): SCU/SCP, AE titles, SOP classes, modalities, implementation.
 *     Every service/lateral-movement ALERT whose server or client is in it
 *     carries wormsign.server.* / wormsign.client.* (role "imaging", era
 *     "xp", ...) and says "imaging workstation, XP-era" in its message.
 * Files written over SMB are rebuilt when the capture holds all of their
 * bytes (contiguous writes from offset 0, then a close); their SHA-256 goes on
 * the findings and their bytes are handed to ws_net_opts.on_file; files not
 * wholly captured are handed to it by name.
 *
 * Input: capture files (ws_net_scan_file, ws_net_scan_mem) or a live
 * interface (ws_net_scan_live: libpcap, snaplen 262144, immediate mode), both
 * optionally through a BPF filter (ws_net_opts.filter). A live capture is one
 * "capture": its end-of-capture findings (services, lateral movement, files,
 * inventory) come when it stops (packet count, duration, the cancel hook) or
 * at each rotation (ws_net_live.rotate_seconds), while C2 findings (DNS,
 * HTTP) come as they are seen.
 *
 * Memory is bounded by the named caps in src/core/limits.h (WS_NET_*), not by
 * the size of a capture. Thread rule: one ws_net per thread; findings may be
 * emitted from that thread only.
 */
#ifndef WORMSIGN_NET_H
#define WORMSIGN_NET_H

#include <stddef.h>
#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/pack.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_net ws_net;

/* A file written over SMB, at its close (or the end of the capture): rebuilt
 * when the capture holds all of its bytes (complete 1: data, len, sha256),
 * else named only (complete 0: data NULL, sha256 NULL; size is the highest
 * offset written). Everything is borrowed for the duration of the
 * ws_net_file_fn call only. */
struct ws_net_file {
    const char *capture;   /* capture path */
    const char *client_ip; /* writer */
    const char *server_ip; /* host the file was written to */
    const char *share;     /* tree connect path, "\\\\dc1\\ADMIN$" (UTF-8) */
    const char *name;      /* file name relative to the share (UTF-8) */
    const uint8_t *data;   /* the file's bytes (complete only) */
    size_t len;
    const char *sha256;   /* lowercase hex (complete only) */
    uint64_t first_frame; /* frame of the first and last write */
    uint64_t last_frame;
    int complete;  /* all bytes were on the wire */
    uint64_t size; /* highest offset written */
};

/* Receives each written file; return 0 to continue, non-zero to stop the scan. */
typedef int (*ws_net_file_fn)(void *user, const struct ws_net_file *f);

struct ws_net_opts {
    ws_emit_fn emit; /* required: where findings go */
    void *emit_user;
    ws_net_file_fn on_file; /* optional: rebuilt files */
    void *file_user;
    const ws_pack *pack; /* optional: C2 domains, IPs, URLs and net patterns (borrowed;
                            must outlive the ws_net) */
    const char *filter;  /* optional: BPF expression (pcap-filter(7)) applied to every
                            capture file and live capture (borrowed, as pack) */
};

/* A live capture (ws_net_scan_live). Zero values mean "no limit" / off. */
struct ws_net_live {
    uint64_t max_packets;    /* stop after this many packets */
    uint32_t max_seconds;    /* stop after this many seconds */
    uint32_t rotate_seconds; /* every this many seconds, finish the capture (emit its
                                findings, free its state) and start afresh: bounds
                                memory and delay on long watches, at the cost of
                                correlations across the boundary */
    int promisc;             /* promiscuous mode (off by default) */
    /* Polled at least every 250 ms, from the scanning thread: non-zero stops
     * the capture, which is then finished as usual (a signal handler sets a
     * flag that this reads). May be NULL. */
    int (*cancelled)(void *user);
    void *cancel_user;
    /* Called once, from the scanning thread, when the interface is open and
     * the filter set: packets sent from then on are seen (a caller can say
     * "capturing", as tcpdump says "listening"). link is libpcap's name of
     * the link type ("EN10MB"). May be NULL. */
    void (*started)(void *user, const char *iface, const char *link);
    void *started_user;
};

/* Counters over everything a ws_net has read. */
struct ws_net_stats {
    uint64_t captures;
    uint64_t frames;
    uint64_t bytes;        /* captured bytes of all frames */
    uint64_t flows;        /* TCP flows seen */
    uint64_t smb_messages; /* SMB1 + SMB2 messages dissected */
    uint64_t rpc_pdus;     /* DCE/RPC PDUs dissected */
    uint64_t files;        /* files rebuilt completely */
    uint64_t alerts;
    uint64_t errors;
};

/* New analyser. opts is copied. WS_E_INVALID without an emit function. */
WS_API WS_MUST_CHECK ws_status ws_net_new(const struct ws_net_opts *opts, ws_net **out);
WS_API void ws_net_free(ws_net *n);

/* Analyse one capture file. Every problem with the capture (cannot open, not a
 * capture, truncated, corrupt packets) is also emitted as an ERROR finding;
 * the status is WS_OK if the capture was read to its end, WS_E_IO if it could
 * not be opened, WS_E_TRUNCATED/WS_E_CORRUPT if reading stopped early,
 * WS_E_CANCELLED if a callback asked to stop, WS_E_NOMEM. State (sessions,
 * files, services) does not carry over from one capture to the next. */
WS_API WS_MUST_CHECK ws_status ws_net_scan_file(ws_net *n, const char *path);

/* The same over a capture held in memory (name is used as the finding path). */
WS_API WS_MUST_CHECK ws_status ws_net_scan_mem(ws_net *n, const char *name, const void *p,
                                               size_t len);

/* Capture from network interface iface (as tcpdump -i names it) until
 * lo's packet count or duration is reached or lo->cancelled says stop, then
 * finish it like a file. Findings name "live:IFACE" as their path. Status:
 * WS_OK when it stopped as asked (count, duration, cancel hook);
 * WS_E_NOT_FOUND (no such interface), WS_E_PERM (no capture privilege),
 * WS_E_SYNTAX (the filter does not compile), WS_E_IO (any other libpcap
 * failure), each also emitted as an ERROR finding; WS_E_CANCELLED if the
 * emit callback asked to stop; WS_E_UNSUPPORTED without libpcap. lo may be
 * NULL (no limits: only a failure ends the capture). */
WS_API WS_MUST_CHECK ws_status ws_net_scan_live(ws_net *n, const char *iface,
                                                const struct ws_net_live *lo);

WS_API void ws_net_get_stats(const ws_net *n, struct ws_net_stats *out);

#ifdef __cplusplus
}
#endif
#endif
