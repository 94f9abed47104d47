/*
 * sweep.h - agentless checks of many Windows hosts over SMB.
 *
 * For each host, a bounded number at a time: probe which SMB dialects it
 * accepts (no login needed), list its shares, find which admin shares (C$,
 * ADMIN$, D$, ...) the account can read and which it can write (the write
 * test creates and deletes one uniquely named empty file in the share root;
 * WS_SWEEP_NO_WRITE_TEST turns it off), scan the places Kwampirs writes
 * (Windows\System32, SysWOW64, inf, Temp and the files at the root of each
 * admin share) or, with WS_SWEEP_FULL, all of every readable admin share,
 * and copy the event logs and registry hive copies reachable through the
 * share into collect_dir for the log and hive detectors (on_collected is
 * called for each). Every finding carries host.name and host.ip; each host
 * ends with one INFO finding, rule_name "smb.exposure", that records its
 * exposure (dialects, shares, readable and writable admin shares).
 *
 * A state file makes a sweep resumable: each finished host is appended as
 * one line "host<TAB>outcome"; hosts already there with outcome ok or
 * refused are not swept again.
 *
 * Thread rule: one thread calls ws_sweep_run(); it runs its own workers.
 * emit and on_collected are called from several threads.
 */
#ifndef WORMSIGN_SWEEP_H
#define WORMSIGN_SWEEP_H

#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/pack.h"
#include "wormsign/scan.h"
#include "wormsign/smb.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ws_sweep_flags {
    WS_SWEEP_FULL = 1u << 0,          /* scan every readable admin share entirely */
    WS_SWEEP_NO_WRITE_TEST = 1u << 1, /* do not test write access */
    WS_SWEEP_NO_COLLECT = 1u << 2,    /* do not copy event logs and hives */
    WS_SWEEP_NO_SCAN = 1u << 3,       /* exposure report and collection only */
};

enum ws_sweep_kind {
    WS_SWEEP_EVTX = 1, /* Windows Vista+ event log (winevt\Logs\*.evtx) */
    WS_SWEEP_EVT = 2,  /* Windows XP/2003 event log (config\*.Evt) */
    WS_SWEEP_HIVE = 3, /* a registry hive copy (repair, RegBack, System Restore) */
};

/* One file the sweep copied for another detector (all borrowed for the call). */
struct ws_sweep_collected {
    const char *host, *ip;
    const char *remote_path; /* smb://ip/C$/Windows/System32/winevt/Logs/System.evtx */
    const char *local_path;  /* its copy under collect_dir */
    enum ws_sweep_kind kind;
    uint64_t size;
};

/* One host to sweep: a name or address, optionally ":port". */
struct ws_sweep_host {
    const char *name;
    int from_range; /* came from a CIDR range: an empty address is not an error */
};

struct ws_sweep_opts {
    const struct ws_sweep_host *hosts;
    size_t n_hosts;
    unsigned parallel;             /* hosts at once; 0: 4 */
    unsigned conns;                /* SMB connections and scan threads per host; 0: 2 */
    unsigned retries;              /* extra attempts to reach a host; 0: none */
    unsigned host_timeout_s;       /* whole-host budget; 0: none */
    unsigned flags;                /* enum ws_sweep_flags */
    const char *state_path;        /* resumable state; NULL: none */
    const char *collect_dir;       /* where logs and hives go; NULL: same as NO_COLLECT */
    const struct ws_smb_opts *smb; /* credentials; timeout_ms also bounds the dialect probe */
    struct ws_scan_opts scan;      /* rates, excludes, sizes and emit; threads/smb are ignored */
    /* Called for each collected file, from a sweep thread; may be NULL. */
    void (*on_collected)(void *user, const struct ws_sweep_collected *c);
    /* Called once per host after collection with all its event logs as pairs
     * (logs[2i] the local copy, logs[2i+1] the smb:// path it came from;
     * borrowed for the call), from a sweep thread; may be NULL. */
    void (*on_host_logs)(void *user, const char *host, const char *ip, const char *const *logs,
                         size_t n_logs);
    void *collected_user;
};

struct ws_sweep_stats {
    uint64_t hosts, swept, resumed, unreachable, refused, timed_out;
    uint64_t files, bytes, collected;
    double seconds;
};

/* Expand one host spec ("pc7", "10.0.0.5", "10.1.2.0/24", "pc7:4450") into
 * calls of fn (the name is borrowed for the call). IPv4 ranges /16 to /32;
 * the network and broadcast addresses of a /8../30 are left out. */
WS_API WS_MUST_CHECK ws_status ws_sweep_expand(
    const char *spec, int (*fn)(void *user, const char *host, int from_range), void *user);

WS_API WS_MUST_CHECK ws_status ws_sweep_run(const ws_pack *pack, const struct ws_sweep_opts *o,
                                            struct ws_sweep_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
