/*
 * hunt_impl.h - the inside of a ws_logs, shared by hunt.c (reading, rules,
 * facts) and correlate.c (the correlation detectors).
 */
#ifndef WS_LOGS_HUNT_IMPL_H
#define WS_LOGS_HUNT_IMPL_H

#include "core/compat.h"

#include <stdint.h>

#include "wormsign/evtx.h"
#include "wormsign/finding.h"
#include "wormsign/pack.h"

enum ws_fact_kind {
    WS_FACT_LOGON = 1,   /* 4624 type 3: s0 ip, s1 user, s2 logon id */
    WS_FACT_SHARE = 2,   /* 5140 ADMIN$ / X$: s0 ip, s1 user, s2 share */
    WS_FACT_WRITE = 3,   /* 5145 write of an executable: s0 ip, s1 user, s2 full path, s3 name */
    WS_FACT_SERVICE = 4, /* 7045/4697/601: s0 name, s1 image path, s2 account, s3 image name */
    WS_FACT_RECON = 5,   /* recon command line: s0 group key, s1 command line, s2 user,
                            s3 parent image; num = recon command index, or -1 - index
                            for a program seen without its command line (XP 592) */
    WS_FACT_XP_CMD = 6,  /* XP/2003 592 of cmd.exe: s0 process id, s1 creator process id,
                            s2 user, s3 image */
    WS_FACT_XP_PROG = 7, /* XP/2003 592 of a recon program: s0 creator process id, s1 image,
                            s2 user; num = ws_recon_program() */
};

#define WS_FACT_STRS 5 /* s[4] is the computer name */

struct ws_fact {
    enum ws_fact_kind kind;
    uint32_t file;   /* index into ws_logs.files */
    uint64_t record; /* record id */
    uint64_t t;      /* FILETIME (100 ns since 1601) */
    int64_t num;
    char *s[WS_FACT_STRS];
};

struct ws_logs_file {
    char *path;
    const char *source; /* "evtx" or "evt" */
};

struct ws_logs {
    const ws_pack *p;
    ws_emit_fn emit;
    void *user;
    void *md;         /* pcre2_match_data */
    unsigned threads; /* chunk parsing threads per file (ws_evtx_parallel_items); 1 by default */
    int want_recon, want_lateral;
    int xp_chained; /* the XP 592 chains became recon facts (correlate.c) */
    struct ws_logs_file *files;
    size_t n_files, cap_files;
    struct ws_fact *facts;
    size_t n_facts, cap_facts;
    uint64_t facts_dropped;
    uint64_t records, bytes;
    int finished;
};

/* The ECS fields of an event (winlog.*, event.code, event.start, source.ip,
 * user.name, service.name, file.path, process.*). tbuf/idbuf hold the
 * formatted time and event id. Returns the number of kv written. */
size_t ws_logs_ecs(const struct ws_logs_file *file, const struct ws_evtx_event *ev,
                   struct ws_kv *kv, size_t cap, char *tbuf, size_t tcap, char *idbuf,
                   size_t idcap);

#endif
